"""IDs and handles: minting, prefix resolution, and refusing what could be a path or an option."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from declog.domain import ids
from declog.errors import AmbiguousId, ExitCode, RecordNotFound, UsageError
from tests.conftest import new_decision

IDS = ["D-7k3m9q", "D-7k4abc", "D-x10zzz"]
HANDLES = ["alice", "alex", "bob"]


def test_minted_ids_are_a_kind_letter_and_six_crockford_characters() -> None:
    minted = {ids.mint("D") for _ in range(200)}
    assert len(minted) == 200
    for rid in minted:
        assert ids.ID_RE.match(rid), rid
        assert rid.startswith("D-")
        assert set(rid[2:]) <= set(ids.ALPHABET)
        assert not set(rid[2:]) & set("ilou")  # Crockford leaves out the look-alikes


def test_mint_draws_again_when_the_id_is_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    draws = iter("000000" + "000000" + "111111")
    import secrets

    monkeypatch.setattr(ids, "secrets", secrets)
    monkeypatch.setattr(secrets, "choice", lambda alphabet: next(draws))
    assert ids.mint("D", taken={"D-000000"}) == "D-111111"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("D-7k3m9q", "D-7k3m9q"),  # exact
        ("7k3", "D-7k3m9q"),  # prefix without the kind letter
        ("d-7k3", "D-7k3m9q"),  # with the letter, lower case
        ("D-7K3", "D-7k3m9q"),  # upper case body
        ("7K3M", "D-7k3m9q"),
        ("D7k3", "D-7k3m9q"),  # kind letter without its dash
        ("x1o", "D-x10zzz"),  # o read as 0
        ("xl0", "D-x10zzz"),  # l read as 1
        ("XI0", "D-x10zzz"),  # I read as 1, any case
        ("d-xio", "D-x10zzz"),
        ("  7k3m9q ", "D-7k3m9q"),  # stray spaces
        ("bob", "bob"),  # handles resolve too
        ("bo", "bob"),
    ],
)
def test_a_unique_prefix_resolves(typed: str, expected: str) -> None:
    assert ids.resolve(typed, IDS, HANDLES) == expected


def test_an_ambiguous_prefix_lists_every_candidate() -> None:
    with pytest.raises(AmbiguousId) as info:
        ids.resolve("7k", IDS, HANDLES)
    assert info.value.candidates == ["D-7k3m9q", "D-7k4abc"]
    assert "D-7k3m9q" in info.value.message and "D-7k4abc" in info.value.message
    assert info.value.exit_code == ExitCode.USAGE

    with pytest.raises(AmbiguousId) as info:
        ids.resolve("al", IDS, HANDLES)
    assert info.value.candidates == ["alex", "alice"]


def test_an_unknown_id_is_not_found() -> None:
    with pytest.raises(RecordNotFound) as info:
        ids.resolve("zzz", IDS, HANDLES)
    assert info.value.exit_code == ExitCode.FAILED
    assert "zzz" in info.value.message


@pytest.mark.parametrize("typed", ["../x", "--x", "-x", "a/b", "..", "D-7k3m9q/../x", "a\\b", "", "   "])
def test_paths_and_options_are_not_ids(typed: str) -> None:
    with pytest.raises(UsageError) as info:
        ids.resolve(typed, IDS, HANDLES)
    assert "\n" not in info.value.message


@pytest.mark.parametrize("handle", ["alice", "platform-team", "a.b_c", "x" * 39])
def test_good_handles(handle: str) -> None:
    assert ids.check_handle(handle) == handle


@pytest.mark.parametrize("handle", ["../x", "--x", "-x", "Alice", "1abc", "a b", "a/b", "", "x" * 40, "al\nice"])
def test_bad_handles_get_a_one_line_error(handle: str) -> None:
    with pytest.raises(UsageError) as info:
        ids.check_handle(handle)
    assert "not a valid handle" in info.value.message


def test_slug_is_short_ascii_and_never_empty() -> None:
    assert ids.slug("Use Postgres for orders!") == "use-postgres-for-orders"
    assert ids.slug("Café / Crème brûlée") == "cafe-creme-brulee"
    assert ids.slug("???") == "untitled"
    assert len(ids.slug("word " * 40)) <= 48


# -- through the CLI ------------------------------------------------------------------------

def _ids_of(run, repo: Path) -> list[str]:
    return run(repo, "list", "--format", "ids").stdout.split()


def test_cli_resolves_any_unique_prefix(log_repo: Path, run) -> None:
    did = new_decision(run, log_repo)
    for typed in (did, did[2:5], did[:5].lower(), did[2:].upper(), did[0] + did[2:6]):
        res = run(log_repo, "show", typed, "--format", "json")
        assert res.exit_code == 0, (typed, res.output)
        assert json.loads(res.stdout)["id"] == did


def test_cli_ambiguous_prefix_exits_2_listing_candidates(log_repo: Path, run) -> None:
    made = [new_decision(run, log_repo, f"Decision {n}") for n in range(2)]
    res = run(log_repo, "show", "D-")
    assert res.exit_code == 2
    assert "ambiguous" in res.stderr
    for did in made:
        assert did in res.stderr
    assert "Traceback" not in res.output


def test_cli_unknown_id_exits_1(log_repo: Path, run) -> None:
    new_decision(run, log_repo)
    taken = {i[2:] for i in _ids_of(run, log_repo)}
    unknown = next(c * 6 for c in "0123456789abcdefghjkmnpqrstvwxyz" if not any(t.startswith(c) for t in taken))
    res = run(log_repo, "show", unknown)
    assert res.exit_code == 1
    assert f"no record matches '{unknown}'" in res.stderr
