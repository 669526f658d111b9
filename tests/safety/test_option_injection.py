"""Nothing a user types reaches git as an option: revisions, paths, IDs and questions that look
like options (``--output=FILE``, ``-c core.pager=…``, ``--exec=…``) give a clear error or are
taken literally, and git never acts on them (no file appears)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import Result, git, new_decision
from tests.history.conftest import commit


@pytest.fixture
def hostile(log_repo: Path, run, tmp_path: Path) -> tuple[Path, str, Path]:
    did = new_decision(run, log_repo)
    commit(log_repo, f"Record it\n\nDecision: {did}\n")
    return log_repo, did, tmp_path / "pwned"


def values(marker: Path) -> list[str]:
    return [
        f"--output={marker}",
        f"-o{marker}",
        f"-c core.pager=touch {marker}",
        f"--exec=touch {marker}",
        f"--upload-pack=touch {marker}",
        "-p",
        "--",
        "--end-of-options",
        f"HEAD --output={marker}",
        f"HEAD\n--output={marker}",
        "HEAD\x00--output=x",
    ]


def _clean(res: Result, marker: Path, codes: tuple[int, ...] = (1, 2)) -> None:
    assert res.exit_code in codes, res.output
    assert "Traceback" not in res.output and "internal error" not in res.output, res.output
    assert not marker.exists(), "git acted on an option a user typed"


REVISION_OPTIONS = [
    ("why", "orders", "--at"),
    ("list", "--at"),
    ("show", "{did}", "--at"),
    ("validate", "--against"),
    ("blame", "--changed-since"),
]


@pytest.mark.parametrize("command", REVISION_OPTIONS, ids=lambda c: " ".join(c))
def test_option_shaped_revisions_are_refused(hostile, run, command: tuple[str, ...]) -> None:
    repo, did, marker = hostile
    for value in values(marker):
        args = [a.replace("{did}", did) for a in command]
        res = run(repo, *args, value)
        _clean(res, marker, codes=(2,))
        assert res.stderr.startswith("declog: error: "), res.stderr
        assert "is not a revision" in res.stderr or "does not name a commit" in res.stderr, res.stderr
    assert not list(repo.glob("pwned*")) and not (Path(os.getcwd()) / "pwned").exists()


@pytest.mark.parametrize("command", [("history",), ("show",), ("blame",), ("why",), ("set",), ("edit",)])
def test_option_shaped_ids_paths_and_questions(hostile, run, command: tuple[str, ...]) -> None:
    repo, _, marker = hostile
    for value in values(marker):
        if "\x00" in value:
            continue  # cannot be an argv element
        args = [*command, "--", value] + (["context=x"] if command == ("set",) else [])
        res = run(repo, *args)
        _clean(res, marker)


def test_retro_since_is_a_date_not_an_option(hostile, run) -> None:
    repo, _, marker = hostile
    for value in values(marker):
        _clean(run(repo, "retro", "--since", value), marker, codes=(2,))


def test_files_whose_names_look_like_options_are_blamed_as_files(hostile, run) -> None:
    repo, did, marker = hostile
    for name in ("--output=x.py", "-p.py", "-c"):
        (repo / name).write_text("print('hello')\n", encoding="utf-8")
    commit(repo, f"Add odd files\n\nDecision: {did}\n")
    for name in ("--output=x.py", "-p.py", "-c"):
        res = run(repo, "blame", "--", name)
        assert res.exit_code == 0, res.output
        assert did in res.stdout and "trailer" in res.stdout
    assert not (repo / "x.py").exists()
    assert git(repo, "status", "--porcelain") == ""


def test_import_paths_that_look_like_options(hostile, run) -> None:
    pytest.importorskip("declog.cli.cmd_import")
    repo, _, marker = hostile
    for value in values(marker):
        if "\x00" in value:
            continue
        res = run(repo, "import", "adr", "--", value)
        _clean(res, marker)
