"""Hardening, round two (issue 12): each test reproduces an attack that worked before and checks
the promise of docs/security.md it broke. Real repositories, the real ``declog`` program (as a
process where streams, terminals or concurrency matter), real outcomes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.helpers import FakeEditor, record_file
from tests.conftest import Result, git, new_decision
from tests.factory import decision_yaml
from tests.history.conftest import commit
from tests.safety.conftest import DECLOG, _env, assert_no_crash, declog, finish, spawn

SECRET = "TOKEN-7f3a9c-do-not-publish"


def _refused(res: Result, *words: str, code: int = 2) -> str:
    assert res.exit_code == code, res.output
    assert "Traceback" not in res.output and "internal error" not in res.output, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("declog: error: "), res.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


def _ok(res: Result) -> Result:
    assert res.exit_code == 0, res.output
    assert "Traceback" not in res.output
    return res


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# -- 1. a log root (or .declog.yaml) that is a committed symlink --------------------------------


def test_a_committed_symlink_as_the_log_root_is_refused_and_never_read(log_repo: Path, run, tmp_path: Path) -> None:
    """`git rm -r decisions; ln -s ../../secret decisions; git commit`, then a clone: nothing
    reads the folder outside the repository, nothing publishes it."""
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "D-5ecre7-token.yaml").write_text(decision_yaml("D-5ecre7", SECRET), encoding="utf-8")
    new_decision(run, log_repo)
    commit(log_repo, "Log")
    git(log_repo, "rm", "-r", "-q", "decisions")
    (log_repo / "decisions").symlink_to(os.path.relpath(secret, log_repo))
    commit(log_repo, "Point the log elsewhere")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(log_repo), str(clone))
    assert (clone / "decisions").is_symlink()
    for args in (("validate",), ("list",), ("list", "--format", "json"), ("show", "D-5ecre7"), ("why", "token"),
                 ("export", "json", "--out", str(tmp_path / "json")), ("export", "html", "--out", str(tmp_path / "site")),
                 ("new", "owner", "bob", "--name", "Bob")):
        res = declog(clone, *args)
        _refused(res, ".declog.yaml: root decisions is a symlink", "make it a real folder")
        assert SECRET not in res.output
    for out in ("json", "site"):
        assert all(SECRET.encode() not in body for body in _files(tmp_path / out).values()) \
            if (tmp_path / out).exists() else True
    assert sorted(p.name for p in secret.iterdir()) == ["D-5ecre7-token.yaml"]  # nothing written there


def test_a_symlinked_configuration_file_is_refused_unread(log_repo: Path, run, tmp_path: Path) -> None:
    outside = tmp_path / "settings.yaml"
    outside.write_text(f"{SECRET}: 1\nversion: 1\n", encoding="utf-8")
    (log_repo / ".declog.yaml").unlink()
    (log_repo / ".declog.yaml").symlink_to(outside)
    for args in (("list",), ("validate",), ("init",)):
        res = run(log_repo, *args)
        _refused(res, ".declog.yaml in", "is a symlink; declog reads its configuration only from a regular file")
        assert SECRET not in res.output  # the old message listed the unknown key names it read


# -- 2. source.path outside the repository ---------------------------------------------------


@pytest.mark.parametrize("bad", ["../outside.md", "/etc/passwd", "docs/../../x.md"])
def test_a_source_path_outside_the_repository_is_reported_and_skipped(log_repo: Path, run, tmp_path: Path,
                                                                     bad: str) -> None:
    did = new_decision(run, log_repo)
    path = record_file(log_repo, did)
    path.write_text(path.read_text() + f"source:\n  path: {bad}\n  format: madr\n  imported_on: 2026-01-01\n")
    commit(log_repo, "An imported decision with a hostile source")
    res = run(log_repo, "validate")
    assert res.exit_code == 1, res.output
    assert f"source.path: '{bad}' is not a path inside the repository" in res.stdout
    warning = f"declog: warning: {did}: source.path '{bad}' is outside the repository; its history is left out"
    for args in (("why", "postgres"), ("show", did), ("history", did), ("export", "json", "--out", str(tmp_path / "j")),
                 ("export", "html", "--out", str(tmp_path / "h")), ("export", "markdown", "--out", str(tmp_path / "m"))):
        res = run(log_repo, *args)
        assert res.exit_code == 0, (args, res.output)
        assert "git" not in res.stderr and warning in res.stderr, (args, res.stderr)
        shutil.rmtree(tmp_path / "j", ignore_errors=True)


# -- 3. no write without the lock ----------------------------------------------------------------


def _tags(repo: Path, did: str) -> list[str]:
    res = declog(repo, "show", did, "--format", "json")
    return list(json.loads(res.stdout).get("tags", []))


def test_writes_refuse_when_the_write_lock_cannot_be_taken(log_repo: Path, run) -> None:
    """A directory at .git/declog/write.lock: 12 concurrent `set tags+=` used to all exit 0 with
    most tags lost. Now every one is refused and none claims success."""
    did = new_decision(run, log_repo)
    lock = log_repo / ".git" / "declog" / "write.lock"
    lock.parent.mkdir(exist_ok=True)
    if lock.exists():
        lock.unlink()
    lock.mkdir()
    before = record_file(log_repo, did).read_bytes()
    results = finish([spawn(log_repo, "set", did, f"tags+=l{n}") for n in range(12)])
    for res in results:
        _refused(res, "cannot take the log's write lock", "nothing was changed")
    assert record_file(log_repo, did).read_bytes() == before
    lock.rmdir()
    results = finish([spawn(log_repo, "set", did, f"tags+=l{n}") for n in range(12)])
    assert all(r.exit_code == 0 for r in results), [r.output for r in results]
    assert sorted(_tags(log_repo, did)) == sorted(f"l{n}" for n in range(12))  # with the lock, nothing lost


def test_writes_never_follow_a_symlinked_git_declog_or_lock_file(log_repo: Path, run, tmp_path: Path) -> None:
    did = new_decision(run, log_repo)
    private = log_repo / ".git" / "declog"
    shutil.rmtree(private, ignore_errors=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    private.symlink_to(elsewhere)
    _refused(run(log_repo, "set", did, "tags+=x"), "declog is a symlink; declog never writes through symlinks")
    _ok(run(log_repo, "list"))  # reading still works, without caches
    _ok(run(log_repo, "history", did))
    _ok(run(log_repo, "why", "postgres"))
    assert list(elsewhere.iterdir()) == []
    private.unlink()
    private.mkdir()
    target = tmp_path / "lock-target"
    target.write_text("keep\n")
    (private / "write.lock").symlink_to(target)
    _refused(run(log_repo, "set", did, "tags+=x"), "write.lock (it is a symlink")
    assert target.read_text() == "keep\n"
    cache = tmp_path / "cache-target"
    cache.write_bytes(b"")
    (private / "parse-cache.sqlite").unlink(missing_ok=True)
    (private / "parse-cache.sqlite").symlink_to(cache)
    _ok(run(log_repo, "validate"))
    assert cache.read_bytes() == b""  # the cache is off rather than written through the link


# -- 4. carriage returns, bidi overrides, line separators ------------------------------------------

NASTY = {"cr": "\r", "rlo": "\u202e", "ls": "\u2028", "ps": "\u2029", "lri": "\u2066", "esc": "\x1b[2J"}


def test_carriage_returns_bidi_overrides_and_line_separators_never_reach_the_terminal(log_repo: Path, run) -> None:
    did = new_decision(run, log_repo)
    path = record_file(log_repo, did)
    title = "Use \\rPostgres \\u202eevil\\u2028next \\u2029para \\u2066iso \\e[2Jclear"
    path.write_text(path.read_text().replace("title: Use Postgres for orders", f'title: "{title}"'))
    commit(log_repo, "A hostile title")
    for args in (("show", did), ("why", "postgres"), ("history", did), ("review", "--as-of", "2026-03-03"),
                 ("retro", "--since", "2026-01-01", "--until", "2026-12-31"), ("list",), ("list", "--format", "markdown"),
                 ("owners",)):
        res = declog(log_repo, *args)
        assert_no_crash(res)
        for name, char in NASTY.items():
            assert char not in res.stdout and char not in res.stderr, (args, name)
    shown = declog(log_repo, "show", did).stdout
    assert "Use \\rPostgres \\u202eevil\\u2028next" in shown.splitlines()[0]  # the title line, spelled out
    data = json.loads(declog(log_repo, "show", did, "--format", "json").stdout)
    assert data["title"] == "Use \rPostgres \u202eevil\u2028next \u2029para \u2066iso \x1b[2Jclear"  # JSON keeps it


def test_an_escape_sequence_in_a_name_does_not_shift_the_columns_of_the_table(log_repo: Path, run) -> None:
    """tabulate counts `ESC[31m` as zero width; spelled out after it measured, the name pushed
    the columns after it (an owner's team) out of line."""
    owners = log_repo / "decisions" / "owners"
    (owners / "bob.yaml").write_text('handle: bob\nname: "B\\e[31mob\\e[0m Red"\nteam: alice\n', encoding="utf-8")
    (owners / "carol.yaml").write_text("handle: carol\nname: Carol Plain\nteam: alice\n", encoding="utf-8")
    lines = declog(log_repo, "list", "owners").stdout.splitlines()
    rows = {line.split()[0]: line for line in lines[2:]}
    assert "B\\u001b[31mob\\u001b[0m Red" in rows["bob"]
    assert rows["bob"].rindex("alice") == rows["carol"].rindex("alice"), lines  # the team column lines up


# -- 5. an unreadable committed version in history ---------------------------------------------


def test_history_says_an_unreadable_version_could_not_be_read(log_repo: Path, run) -> None:
    did = new_decision(run, log_repo)
    path = record_file(log_repo, did)
    good = path.read_bytes()
    commit(log_repo, "Record it", "2026-03-01T10:00:00Z")
    versions = [("binary", b"\x00\x01\x02 binary", "binary content (NUL bytes)"),
                ("empty", b"", "empty file"),
                ("alias", b"a: &x [1]\nb: *x\n", "anchors"),
                ("deep", b"x: " + b"[" * 3000 + b"]" * 3000 + b"\n", "nesting deeper than")]
    for n, (name, body, _) in enumerate(versions):
        path.write_bytes(body)
        commit(log_repo, f"Tamper: {name}", f"2026-03-0{n + 2}T10:00:00Z")
    path.write_bytes(good)
    commit(log_repo, "Restore", "2026-03-08T10:00:00Z")
    res = _ok(run(log_repo, "history", did))
    assert "no field changed" not in res.stdout
    for name, _, why in versions:
        block = res.stdout.split(f"Tamper: {name}\n", 1)[1].split("\n", 1)[0]
        assert block.strip().startswith("this version cannot be read as a record:") and why in block, (name, block)
    assert "the version before cannot be read as a record" in res.stdout.split("Restore\n", 1)[1]
    entries = json.loads(run(log_repo, "history", did, "--format", "json").stdout)["changes"]
    unreadable = [e for e in entries if "unreadable" in e]
    assert [e["subject"] for e in unreadable] == ["Tamper: deep", "Tamper: alias", "Tamper: empty", "Tamper: binary"]


# -- 6. a root inside the git directory --------------------------------------------------------


@pytest.mark.parametrize("root", [".git", ".git/hooks", ".git/declog", ".GIT/x"])
def test_a_root_inside_the_git_directory_is_refused(log_repo: Path, run, root: str) -> None:
    (log_repo / ".declog.yaml").write_text(f"version: 1\nroot: {root}\n", encoding="utf-8")
    before = _files(log_repo / ".git")
    for args in (("new", "owner", "bob", "--name", "Bob"), ("list",), ("validate",)):
        _refused(run(log_repo, *args), f"root {root} is inside the git directory")
    assert {k for k in _files(log_repo / ".git") if k not in before} <= {"index"}


def test_init_refuses_a_root_inside_the_git_directory(repo: Path, run) -> None:
    _refused(run(repo, "init", "--root", ".git/hooks"), "is inside the git directory")
    assert not (repo / ".declog.yaml").exists()


# -- 7. extreme dates --------------------------------------------------------------------------


@pytest.mark.parametrize("args", [("review", "--as-of", "0001-01-01"), ("review", "--as-of", "9999-12-31"),
                                  ("retro", "--since", "0001-01-01", "--until", "9999-12-31"),
                                  ("list", "--since", "0001-01-01"), ("export", "html", "--out", "site",
                                                                      "--as-of", "9999-12-31")])
def test_extreme_dates_are_one_line_errors(log_repo: Path, run, args: tuple[str, ...]) -> None:
    new_decision(run, log_repo)
    _refused(run(log_repo, *args), "is out of range: give a date from 1000-01-01 to 8999-12-31")


def test_extreme_dates_in_records_and_at_the_edges_of_the_range_work(log_repo: Path, run) -> None:
    did = new_decision(run, log_repo)
    path = record_file(log_repo, did)
    path.write_text(path.read_text().replace("status: proposed", "status: accepted\ndecision: d\nrationale: r\n"
                                             "decided_on: 0001-01-01\nreview_by: 9999-12-31"))
    commit(log_repo, "Extreme dates")
    for args in (("review", "--as-of", "1000-01-01"), ("review", "--as-of", "8999-12-31"),
                 ("retro", "--since", "1000-01-01", "--until", "8999-12-31"), ("list", "--since", "1000-01-01"),
                 ("owners",), ("show", did), ("history", did), ("validate",)):
        assert_no_crash(run(log_repo, *args))


# -- 8. output streams -----------------------------------------------------------------------


def test_a_closed_or_full_standard_output_is_one_line_not_a_traceback(log_repo: Path, run) -> None:
    new_decision(run, log_repo)
    env = _env(None)
    closed = subprocess.run(DECLOG + ["list"], cwd=log_repo, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=env, text=True, check=False, pass_fds=(), close_fds=True,
                            preexec_fn=lambda: os.close(1))
    assert closed.returncode == 2 and "Traceback" not in closed.stderr, closed.stderr
    assert closed.stderr.strip() == ("declog: error: cannot write to standard output: the stream is closed; "
                                     "the output is incomplete")
    with open("/dev/full", "w") as full:
        res = subprocess.run(DECLOG + ["list", "--format", "json"], cwd=log_repo, stdout=full, stderr=subprocess.PIPE,
                             env=env, text=True, check=False)
    assert res.returncode == 2 and "Traceback" not in res.stderr, res.stderr
    assert res.stderr.strip() == ("declog: error: cannot write to standard output: No space left on device; "
                                  "the output is incomplete")
    head = subprocess.run(f"{' '.join(DECLOG)} list | head -c 1", shell=True, cwd=log_repo, capture_output=True,
                          env=env, text=True, check=False)
    assert "Traceback" not in head.stderr and head.stderr == "", head.stderr  # a closed pipe stays quiet


def test_an_ascii_only_output_encoding_gets_escapes_not_a_crash(log_repo: Path, run) -> None:
    did = new_decision(run, log_repo, "Café über naïve → ü")
    env = {"PYTHONIOENCODING": "ascii"}
    for args in (("list",), ("show", did), ("validate",), ("why", "café"), ("history", did)):
        res = declog(log_repo, *args, env=env)
        assert res.exit_code in (0, 1) and "Traceback" not in res.output, (args, res.output)
    assert "Caf\\xe9" in declog(log_repo, "list", env=env).stdout


# -- 9. blank required text -------------------------------------------------------------------


def test_blank_required_text_is_refused_by_new_set_and_edit(log_repo: Path, run, tmp_path: Path) -> None:
    blank = "is blank (only whitespace): write the text"
    res = run(log_repo, "new", "decision", "Use Postgres", "--owner", "alice", "--door", "two-way",
              "--context", "   ", "--no-input")
    assert res.exit_code == 1 and f"context: {blank}" in res.stderr, res.output
    res = run(log_repo, "new", "decision", " \t ", "--owner", "alice", "--door", "two-way", "--context", "c",
              "--no-input")
    assert res.exit_code == 1 and f"title: {blank}" in res.stderr, res.output
    did = new_decision(run, log_repo)
    before = record_file(log_repo, did).read_bytes()
    res = run(log_repo, "set", did, "decision= ", "rationale=\t")
    assert res.exit_code == 1 and f"decision: {blank}" in res.output and f"rationale: {blank}" in res.output
    assert record_file(log_repo, did).read_bytes() == before
    editor = FakeEditor(tmp_path, ("replace", [("context: Orders need transactions", "context: '   '")]))
    res = run(log_repo, "edit", did, env=editor.env)
    assert res.exit_code != 0 and record_file(log_repo, did).read_bytes() == before, res.output
    assert blank in editor.seen[-1] or blank in res.output
    path = record_file(log_repo, did)
    path.write_text(path.read_text().replace("context: Orders need transactions", "context: '  '"))
    res = run(log_repo, "validate")
    assert res.exit_code == 1 and f"context: {blank}" in res.stdout


# -- 10. check-commit-msg reads a bounded amount ---------------------------------------------------


def test_check_commit_msg_reads_a_bounded_amount(log_repo: Path, run, tmp_path: Path) -> None:
    did = new_decision(run, log_repo)
    commit(log_repo, "Record it")  # check-commit-msg accepts only decisions git tracks
    res = declog(log_repo, "check-commit-msg", "/dev/zero", timeout=300)  # an endless file: it must stop reading
    _refused(res, "is over 1048576 bytes; declog reads no more than that")
    verbose = tmp_path / "COMMIT_EDITMSG"  # `git commit -v`: a huge diff below the scissors line is fine
    verbose.write_text(f"Subject\n\nDecision: {did}\n# ------------------------ >8 ------------------------\n"
                       + "+x\n" * 600_000, encoding="utf-8")
    assert _ok(declog(log_repo, "check-commit-msg", str(verbose)))
    verbose.write_text("Subject\n\nDecision: D-zzzzzz\n# ------------------------ >8 ------------------------\n"
                       + "+x\n" * 600_000, encoding="utf-8")
    assert declog(log_repo, "check-commit-msg", str(verbose)).exit_code == 1


# -- and these ---------------------------------------------------------------------------------


def test_a_newline_in_a_value_or_a_file_name_cannot_fake_a_line(log_repo: Path, run) -> None:
    res = run(log_repo, "new", "decision", "Good\n--owner bob", "--owner", "alice", "--door", "two-way",
              "--context", "c", "--no-input")
    assert res.exit_code == 1 and "title: holds a line break" in res.stderr
    assert all(not line.startswith("--owner") for line in res.output.splitlines())
    _refused(run(log_repo, "show", "D-zz\n--force"), "'D-zz\\n--force'", code=1)
    (log_repo / "decisions" / "D-aaaaaa-a\n--owner=bob.yaml").write_text("id: D-aaaaaa\ntitle: x\n", encoding="utf-8")
    for args in (("validate",), ("list",), ("list", "--format", "markdown")):
        res = run(log_repo, *args)
        assert all(not line.startswith("--owner") for line in res.output.splitlines()), (args, res.output)
    assert "decisions/D-aaaaaa-a\\n--owner=bob.yaml:1:1:" in run(log_repo, "validate").stdout


def test_git_runs_no_helper_from_the_repository_config_and_blame_sees_the_stored_file(log_repo: Path, run,
                                                                                     tmp_path: Path) -> None:
    marker = tmp_path / "helper-ran"
    helper = tmp_path / "helper.sh"
    helper.write_text(f"#!/bin/sh\necho \"$@\" >> {marker}\necho CONVERTED\n", encoding="utf-8")
    helper.chmod(0o755)
    did = new_decision(run, log_repo)
    (log_repo / "app.py").write_text("print('hi')\n", encoding="utf-8")
    (log_repo / ".gitattributes").write_text("*.yaml diff=conv\n*.py diff=conv\n", encoding="utf-8")
    commit(log_repo, f"Code\n\nDecision: {did}\n")
    git(log_repo, "config", "core.fsmonitor", str(helper))
    git(log_repo, "config", "diff.conv.textconv", str(helper))
    path = record_file(log_repo, did)
    path.write_text(path.read_text() + "tags: [x]\n")
    for args in (("history", did), ("show", did), ("why", "postgres"), ("validate", "--against", "HEAD"),
                 ("validate", "--tracked"), ("blame", "app.py"), ("retro", "--since", "2026-01-01"),
                 ("list", "--at", "HEAD")):
        res = run(log_repo, *args)
        assert_no_crash(res)
        assert not marker.exists(), (args, marker.read_text())
    res = _ok(run(log_repo, "blame", "app.py"))
    assert did in res.stdout and "CONVERTED" not in res.stdout


def test_schema_out_that_is_refused_writes_nothing(log_repo: Path, run, tmp_path: Path) -> None:
    out = tmp_path / "schemas"
    out.mkdir()
    (out / "correction.schema.json").symlink_to(tmp_path / "elsewhere.json")  # the last kind written
    _refused(run(log_repo, "schema", "--out", str(out)), "correction.schema.json is a symlink")
    assert sorted(p.name for p in out.iterdir()) == ["correction.schema.json"] and not (tmp_path / "elsewhere.json").exists()


def test_an_edit_keeps_a_byte_order_mark(log_repo: Path, run, tmp_path: Path) -> None:
    did = new_decision(run, log_repo)
    path = record_file(log_repo, did)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    _ok(run(log_repo, "validate"))
    _ok(run(log_repo, "set", did, "tags+=kept"))
    assert path.read_bytes().startswith(b"\xef\xbb\xbf#") and b"kept" in path.read_bytes()
    assert path.read_bytes().count(b"\xef\xbb\xbf") == 1
    editor = FakeEditor(tmp_path, ("replace", [("Orders need transactions", "Orders need ACID")]))
    _ok(run(log_repo, "edit", did, env=editor.env))
    assert path.read_bytes().startswith(b"\xef\xbb\xbf#") and b"ACID" in path.read_bytes()
    assert path.read_bytes().count(b"\xef\xbb\xbf") == 1


def test_import_adr_refuses_a_non_markdown_file_and_names_a_symlinked_adr(log_repo: Path, run,
                                                                           tmp_path: Path) -> None:
    (log_repo / "notes.txt").write_text("# 1. Use Postgres\n\n## Status\n\nAccepted\n", encoding="utf-8")
    _refused(run(log_repo, "import", "adr", "notes.txt", "--owner", "alice"), "notes.txt: not a markdown file")
    adr = log_repo / "doc" / "adr"
    adr.mkdir(parents=True)
    real = tmp_path / "0001-use-postgres.md"
    real.write_text("# 1. Use Postgres\n\n## Status\n\nAccepted\n\n## Context\n\nc\n\n## Decision\n\nd\n",
                    encoding="utf-8")
    (adr / "0001-use-postgres.md").symlink_to(real)
    line = _refused(run(log_repo, "import", "adr", "doc/adr", "--owner", "alice"), "0001-use-postgres.md: is a symlink")
    assert "no markdown files" not in line
    line = _refused(run(log_repo, "import", "adr", "doc/adr/0001-use-postgres.md", "--owner", "alice"))
    assert "is a symlink" in line or "is outside this repository" in line  # its target is outside
    assert run(log_repo, "list", "--format", "ids").stdout.count("D-") == 0


@pytest.mark.parametrize("text, words", [
    ("version: true\n", "version True is not supported"),
    ("version: 1.0\n", "version 1.0 is not supported"),
    ("version: 1\nrequired:\n  decision: [tagz]\n", "required: decision has no field 'tagz'"),
    ("version: 1\nprotect_accepted: [contxt]\n", "protect_accepted: a decision has no field 'contxt'"),
])
def test_loose_settings_are_refused(log_repo: Path, run, text: str, words: str) -> None:
    (log_repo / ".declog.yaml").write_text(text, encoding="utf-8")
    _refused(run(log_repo, "validate"), words)  # even with no record that the setting would apply to


def test_a_record_file_with_an_upper_case_extension_is_reported(log_repo: Path, run) -> None:
    did = new_decision(run, log_repo)
    (log_repo / "decisions" / "D-abcdef-shout.YAML").write_text(decision_yaml("D-abcdef", "Shout"),
                                                              encoding="utf-8")
    res = run(log_repo, "validate")
    assert res.exit_code == 1
    assert "decisions/D-abcdef-shout.YAML:1:1: the extension .YAML is not lower case" in res.stdout
    res = run(log_repo, "list")
    assert did in res.stdout and "D-abcdef-shout.YAML" in res.stderr


def test_markdown_list_keeps_one_row_per_record(log_repo: Path, run) -> None:
    first = new_decision(run, log_repo, "First")
    second = new_decision(run, log_repo, "Second")
    path = record_file(log_repo, first)
    path.write_text(path.read_text().replace("title: First", 'title: "Fir\\rst\\u2028| x |\\u2029 y\\nz"'))
    res = declog(log_repo, "list", "--format", "markdown")
    rows = res.stdout.splitlines()
    assert len(rows) == 4, rows  # header, rule, two records
    assert all(r.count(" | ") == rows[0].count(" | ") for r in rows[2:]), rows
    assert "\u2028" not in res.stdout and "\r" not in res.stdout and second in rows[3] + rows[2]


@pytest.mark.skipif(sys.platform != "linux", reason="/dev/full")
def test_a_write_to_a_full_disk_leaves_the_record_as_it_was(log_repo: Path, run) -> None:
    """Not new this round, but the stream fix must not turn a full disk into a silent success."""
    did = new_decision(run, log_repo)
    before = record_file(log_repo, did).read_bytes()
    with open("/dev/full", "w") as full:
        res = subprocess.run(DECLOG + ["show", did], cwd=log_repo, stdout=full, stderr=subprocess.PIPE,
                             env=_env(None), text=True, check=False)
    assert res.returncode == 2 and record_file(log_repo, did).read_bytes() == before


def test_an_export_refused_for_a_symlink_in_its_folder_writes_nothing(log_repo: Path, run, tmp_path: Path) -> None:
    """The symlink is found before the first write, not when the export reaches it."""
    for n in range(3):
        new_decision(run, log_repo, f"Decision number {n}")
    out = tmp_path / "md"
    _ok(run(log_repo, "export", "markdown", "--out", str(out)))
    for n in range(3):
        new_decision(run, log_repo, f"Another decision {n}")
    last = sorted(p for p in out.rglob("*.md") if p.is_file())[-1]
    last.unlink()
    last.symlink_to(tmp_path / "elsewhere.md")
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and not p.is_symlink()}
    _refused(run(log_repo, "export", "markdown", "--out", str(out)), "is a symlink; declog never writes through symlinks")
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and not p.is_symlink()} == before
    assert not (tmp_path / "elsewhere.md").exists()
