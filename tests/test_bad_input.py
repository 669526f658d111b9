"""Bad input, end to end: a clear one-line error, exit 1 or 2, no traceback, and nothing written
(no partial record, no leftover ``.declog-*.tmp``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Result, new_decision


def snapshot(repo: Path) -> dict[str, bytes]:
    """Every file of the work tree (hidden ones included), without .git."""
    return {
        p.relative_to(repo).as_posix(): p.read_bytes()
        for p in sorted(repo.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(repo).parts
    }


def assert_clean_failure(res: Result, *words: str, codes: tuple[int, ...] = (1, 2)) -> None:
    assert res.exit_code in codes, res.output
    assert "Traceback" not in res.output
    assert "internal error" not in res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("declog: error: ") or lines[0].startswith("Error: "), lines[0]
    for word in words:
        assert word in lines[0], (word, lines[0])


def assert_nothing_written(repo: Path, before: dict[str, bytes]) -> None:
    after = snapshot(repo)
    assert after == before
    assert not [p for p in repo.rglob(".declog-*") if ".git" not in p.parts]


FILES: dict[str, tuple[bytes, str]] = {
    "malformed": (b"title: x\noptions: [a, b\nstatus: proposed\n", "malformed YAML"),
    "anchor": (b"title: &t x\nowner: alice\n", "anchors"),
    "alias": (b"title: x\ncontext: *t\n", "aliases"),
    "merge key": (b"title: x\n<<: {owner: alice}\n", "merge keys"),
    "python tag": (b"title: !!python/object/apply:os.system [echo pwned]\n", "!!python/object/apply"),
    "huge": (b"context: " + b"x" * 300_000 + b"\n", "over the 262144-byte limit"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary content"),
    "invalid utf-8": (b"title: caf\xe9\n", "invalid UTF-8"),
    "list document": (b"- title: x\n- title: y\n", "is a list, not a mapping"),
    "scalar document": (b"just words\n", "single str value"),
    "two documents": (b"title: x\n---\ntitle: y\n", "more than one YAML document"),
    "deep nesting": (b"title: x\ncontext: " + b"[" * 50_000 + b"]" * 50_000 + b"\n", "nesting deeper"),
    "unknown status": (b"title: x\nstatus: done\nowner: alice\ndoor: two-way\ncontext: c\n", "status"),
    "unknown field": (b"title: x\nowner: alice\ndoor: two-way\ncontext: c\ncolour: red\n", "colour: unknown field"),
    "bad date": (b"title: x\nowner: alice\ndoor: two-way\ncontext: c\nreview_by: 2026-02-30\n", "review_by"),
}


@pytest.mark.parametrize("case", sorted(FILES))
def test_new_decision_from_a_bad_file(log_repo: Path, run, tmp_path: Path, case: str) -> None:
    content, words = FILES[case]
    source = tmp_path / "draft.yaml"
    source.write_bytes(content)
    before = snapshot(log_repo)
    res = run(log_repo, "new", "decision", "--from-file", str(source))
    assert_clean_failure(res, words)
    assert_nothing_written(log_repo, before)


@pytest.mark.parametrize("case", sorted(k for k in FILES if k not in ("unknown status", "unknown field", "bad date")))
def test_a_bad_record_in_the_log_is_reported_not_crashed_on(log_repo: Path, run, case: str) -> None:
    content, words = FILES[case]
    (log_repo / "decisions" / "bad.yaml").write_bytes(content)
    did = new_decision(run, log_repo)
    before = snapshot(log_repo)
    res = run(log_repo, "validate")
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert res.stdout.startswith("decisions/bad.yaml:") and words in res.stdout
    for args in (("list",), ("show", did), ("set", did, "tags+=db")):
        res = run(log_repo, *args)
        assert res.exit_code == 0 and "Traceback" not in res.output, (args, res.output)
    assert snapshot(log_repo)["decisions/bad.yaml"] == before["decisions/bad.yaml"]


def test_from_file_that_does_not_exist(log_repo: Path, run, tmp_path: Path) -> None:
    before = snapshot(log_repo)
    res = run(log_repo, "new", "decision", "--from-file", str(tmp_path / "nope.yaml"))
    assert_clean_failure(res, "nope.yaml: no such file", codes=(2,))
    assert_nothing_written(log_repo, before)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("new", "owner", "../x", "--name", "X"), "'../x' is not a valid handle"),
        (("new", "owner", "--name", "X", "--", "--x"), "'--x' is not a valid handle"),
        (("new", "owner", "--name", "X", "--", "-x"), "'-x' is not a valid handle"),
        (("new", "owner", "Alice", "--name", "X"), "'Alice' is not a valid handle"),
        (("new", "owner", "alice", "--name", "Again"), "'alice' already exists"),
        (("new", "owner", "a/b", "--name", "X"), "not a valid handle"),
        (("show", "../x"), "'../x' is not an ID"),
        (("show", "--", "--x"), "'--x' is not an ID"),
        (("show", "--", "-C"), "'-C' is not an ID"),
        (("show", "decisions/owners/alice.yaml"), "is not an ID"),
        (("set", "../alice", "name=x"), "is not an ID"),
        (("edit", "--", "--help-me"), "is not an ID"),
        (("supersede", "../a", "../b"), "is not an ID"),
        (("list", "--since", "yesterday"), "--since takes an ISO date"),
        (("list", "gadgets"), "unknown record kind 'gadgets'"),
        (("new", "decision", "T", "--owner", "alice", "--door", "two-way", "--context", "c",
          "--review-by", "soon"), "--review-by takes an ISO date"),
    ],
)
def test_names_that_look_like_paths_or_options(log_repo: Path, run, args: tuple[str, ...], words: str) -> None:
    before = snapshot(log_repo)
    res = run(log_repo, *args)
    assert_clean_failure(res, words, codes=(2,))
    assert_nothing_written(log_repo, before)
    assert not (log_repo.parent / "x.yaml").exists() and not (log_repo / "decisions" / "x.yaml").exists()


def test_an_unknown_option_is_a_click_usage_error(log_repo: Path, run) -> None:
    res = run(log_repo, "new", "owner", "--x", "--name", "X")
    assert res.exit_code == 2 and "No such option" in res.stderr and "Traceback" not in res.output


def test_set_never_changes_the_id(log_repo: Path, run) -> None:
    did = new_decision(run, log_repo)
    before = snapshot(log_repo)
    res = run(log_repo, "set", did, "id=D-000000")
    assert_clean_failure(res, "`id` never changes", codes=(2,))
    assert_nothing_written(log_repo, before)


def test_set_an_unknown_field(log_repo: Path, run) -> None:
    did = new_decision(run, log_repo)
    before = snapshot(log_repo)
    res = run(log_repo, "set", did, "nosuchfield=1")
    assert_clean_failure(res, "'nosuchfield' is not a field of a decision", codes=(2,))
    assert_nothing_written(log_repo, before)


@pytest.mark.parametrize(
    ("assignment", "words"),
    [
        ("status=done", "status"),
        ("review_by=next-week", "review_by takes an ISO date"),
        ("title=", "title: required field is missing"),
        ("owner=ghost", "unknown owner 'ghost'"),
        ("tags=[a, b", "malformed YAML"),
        ("not-an-assignment", "is not FIELD=VALUE"),
    ],
)
def test_set_refuses_an_invalid_result(log_repo: Path, run, assignment: str, words: str) -> None:
    did = new_decision(run, log_repo)
    before = snapshot(log_repo)
    res = run(log_repo, "set", did, assignment)
    assert_clean_failure(res, words)
    assert_nothing_written(log_repo, before)


def test_not_a_git_repository(tmp_path: Path, run) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    res = run(plain, "init")
    assert_clean_failure(res, "not inside a git repository", "git init", codes=(2,))
    assert list(plain.iterdir()) == []
    res = run(plain, "list")
    assert_clean_failure(res, "declog init", codes=(2,))


def test_no_declog_init_yet(repo: Path, run) -> None:
    for args in (("list",), ("validate",), ("new", "owner", "alice", "--name", "A"), ("show", "x")):
        res = run(repo, *args)
        assert_clean_failure(res, "no declog log here", "run `declog init`", codes=(2,))
    assert snapshot(repo) == {}


def test_a_missing_directory_for_dash_c(tmp_path: Path, run) -> None:
    res = run(tmp_path / "nowhere", "list")
    assert res.exit_code == 2 and "cannot change to" in res.stderr and "Traceback" not in res.output


def test_a_broken_configuration(log_repo: Path, run) -> None:
    (log_repo / ".declog.yaml").write_text("root: [oops\n", encoding="utf-8")
    for args in (("list",), ("validate",), ("init",)):
        assert_clean_failure(run(log_repo, *args), ".declog.yaml:2:1: malformed YAML", codes=(2,))
