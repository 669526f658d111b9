"""Hostile and odd repositories: symlinks out of the repository, YAML tags that would run
code, a 100 MB file, many records, shallow clones, detached HEADs, linked worktrees, SHA-256
object names, bare repositories and plain folders. Each gives a clear answer or a clear one-line
error: never a traceback, never exit 3, never a file written outside the log."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import Result, git, new_decision
from tests.factory import decision_yaml
from tests.history.conftest import commit
from tests.safety.conftest import assert_no_crash, declog, declog_peak


def _ok(res: Result) -> Result:
    assert res.exit_code == 0, res.output
    assert "Traceback" not in res.output
    return res


def _refused(res: Result, *words: str, code: int = 2) -> None:
    assert res.exit_code == code, res.output
    assert "Traceback" not in res.output and "internal error" not in res.output, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("declog: error: "), res.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])


# -- symlinks ------------------------------------------------------------------------------------


def test_a_symlinked_record_pointing_outside_is_reported_never_read(log_repo: Path, run, tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text(decision_yaml("D-5ecre7", "TOP SECRET TITLE"), encoding="utf-8")
    link = log_repo / "decisions" / "D-5ecre7-secret.yaml"
    link.symlink_to(secret)
    did = new_decision(run, log_repo)
    res = run(log_repo, "validate")
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert "decisions/D-5ecre7-secret.yaml:1:1: symlink points outside the repository" in res.stdout
    res = run(log_repo, "list")
    assert res.exit_code == 0 and did in res.stdout
    assert "declog: warning: not listed, cannot be read: decisions/D-5ecre7-secret.yaml: symlink points outside" \
        in res.stderr
    for args in (("list", "--format", "json"), ("show", "D-5ecre7"), ("why", "secret"), ("set", "D-5ecre7", "context=x")):
        res = run(log_repo, *args)
        assert_no_crash(res)
        assert "TOP SECRET" not in res.stdout, args  # never read
    assert "TOP SECRET TITLE" in secret.read_text() and "context: c\n" in secret.read_text()


def test_set_refuses_to_write_through_a_symlinked_record(log_repo: Path, run) -> None:
    did = new_decision(run, log_repo)
    (path,) = (log_repo / "decisions").glob(f"{did}-*.yaml")
    real = log_repo / "elsewhere.yaml"
    path.rename(real)
    path.symlink_to(Path("..") / real.name)  # inside the repository: read, but never written through
    before = real.read_bytes()
    _ok(run(log_repo, "show", did))
    _refused(run(log_repo, "set", did, "context=x"), "is a symlink; declog never writes through symlinks")
    assert real.read_bytes() == before and path.is_symlink()


def test_a_symlinked_folder_is_reported_not_skipped_silently(log_repo: Path, run, tmp_path: Path) -> None:
    outside = tmp_path / "more"
    outside.mkdir()
    (outside / "D-0u751d.yaml").write_text(decision_yaml("D-0u751d", "Outside"), encoding="utf-8")
    (log_repo / "decisions" / "more").symlink_to(outside)
    inside = log_repo / "archive"
    inside.mkdir()
    (log_repo / "decisions" / "archive").symlink_to(Path("..") / "archive")
    res = run(log_repo, "validate")
    assert res.exit_code == 1, res.output
    assert "decisions/more:1:1: symlink points outside the repository" in res.stdout
    assert "decisions/archive:1:1: symlinked folder: declog does not follow it" in res.stdout
    _ok(run(log_repo, "new", "owner", "bob", "--name", "Bob"))  # writing elsewhere in the log still works
    assert list(outside.iterdir()) == [outside / "D-0u751d.yaml"]


# -- YAML that would run code ----------------------------------------------------------------------

TAGS = [
    "!!python/object/apply:os.system ['touch {marker}']",
    "!!python/object/apply:subprocess.call [['touch', '{marker}']]",
    "!!python/object/new:os.system ['touch {marker}']",
    "!!python/name:os.system",
    "!<tag:yaml.org,2002:python/object/apply:os.system> ['touch {marker}']",
    "!custom {{run: 'touch {marker}'}}",
]


def test_yaml_tags_are_refused_and_never_run(log_repo: Path, run, tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    did = new_decision(run, log_repo)
    for i, tag in enumerate(TAGS):
        text = decision_yaml(f"D-7a9{i:03d}", "t") + f"consequences: {tag.format(marker=marker)}\n"
        (log_repo / "decisions" / f"D-7a9{i:03d}-tag.yaml").write_text(text, encoding="utf-8")
    (log_repo / "draft.yaml").write_text(f"title: {TAGS[0].format(marker=marker)}\n", encoding="utf-8")
    commit(log_repo, f"Tags\n\nDecision: {did}\n")  # the history code parses committed versions too
    res = run(log_repo, "validate")
    assert res.exit_code == 1 and res.stdout.count("tag") >= len(TAGS), res.output
    for args in (("list",), ("show", did), ("why", "tag"), ("history", "D-7a9000"), ("list", "--at", "HEAD"),
                 ("validate", "--against", "HEAD"), ("retro", "--since", "2000-01-01"), ("review",),
                 ("new", "decision", "--from-file", str(log_repo / "draft.yaml"))):
        assert_no_crash(run(log_repo, *args))
    (log_repo / ".declog.yaml").write_text(f"version: 1\nroot: {TAGS[0].format(marker=marker)}\n", encoding="utf-8")
    assert_no_crash(run(log_repo, "list"))
    assert not marker.exists()


# -- size ----------------------------------------------------------------------------------------


def _big(path: Path, size: int = 100 * 1024 * 1024) -> None:
    with open(path, "wb") as handle:  # sparse: cheap to make, as costly as any other to read
        handle.write(b"id: D-b19b19\ntitle: big\ncontext: ")
        handle.truncate(size)


def test_a_100_mb_record_file_is_refused_fast_and_without_reading_it(log_repo: Path, run) -> None:
    did = new_decision(run, log_repo)
    _big(log_repo / "decisions" / "D-b19b19-big.yaml")
    limit = "over the 262144-byte limit for a record"
    peaks = []
    res, peak = declog_peak(log_repo, "validate")
    peaks.append(peak)
    assert res.exit_code == 1 and f"decisions/D-b19b19-big.yaml:1:1: file is 104857600 bytes, {limit}" in res.stdout
    res, peak = declog_peak(log_repo, "validate", "decisions/D-b19b19-big.yaml")
    peaks.append(peak)
    assert res.exit_code == 1 and limit in res.stdout
    res, peak = declog_peak(log_repo, "list", "--format", "ids")
    peaks.append(peak)
    assert _ok(res).stdout.split() == [did]
    _ok(declog(log_repo, "show", did))
    _refused(declog(log_repo, "new", "decision", "--from-file", "decisions/D-b19b19-big.yaml"), "limit")
    assert max(peaks) < 90 * 1024, peaks  # about 35 MB: the 100 MB were never read


def test_a_100_mb_record_file_committed_is_never_loaded_from_git(log_repo: Path, run) -> None:
    did = new_decision(run, log_repo)
    _big(log_repo / "decisions" / "D-b19b19-big.yaml", 60 * 1024 * 1024)  # git must compress it: keep it quick
    commit(log_repo, "A big file")
    peaks = []
    for args in (("history", did), ("why", "postgres"), ("list", "--at", "HEAD", "--format", "ids"), ("show", did)):
        res, peak = declog_peak(log_repo, *args)
        _ok(res)
        peaks.append(peak)
    res, peak = declog_peak(log_repo, "validate", "--against", "HEAD")
    peaks.append(peak)
    assert res.exit_code == 1 and "file is 62914560 bytes, over the 262144-byte limit" in res.stdout, res.output
    res = declog(log_repo, "show", "D-b19b19", "--at", "HEAD")
    assert_no_crash(res)
    # about 40 MB each; reading the blob from git cost 60 MB and more (230 MB for 100 MB, before the fix)
    assert max(peaks) < 90 * 1024, peaks


def _many(repo: Path, n: int) -> None:
    alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
    folder = repo / "decisions"
    for i in range(n):
        rid = "D-" + "".join(alphabet[(i >> (5 * k)) & 31] for k in range(6))
        with open(folder / f"{rid}.yaml", "w", encoding="utf-8") as handle:
            handle.write(decision_yaml(rid, f"Record {i}"))


BIG = int(os.environ.get("DECLOG_BIG_RECORDS", "0"))


@pytest.mark.parametrize("n", [2_500, *([BIG] if BIG else [])])
def test_many_records(log_repo: Path, n: int) -> None:
    """2,500 records always (past the size where validate checks in a forked process); set
    DECLOG_BIG_RECORDS=100000 for the figures in docs/security.md (about 70 s cold)."""
    _many(log_repo, n)
    timings = {}
    for name, args in (("validate cold", ("validate",)), ("validate warm", ("validate",)),
                       ("list ids", ("list", "--format", "ids"))):
        started = time.monotonic()
        res = declog(log_repo, *args, timeout=600)
        timings[name] = round(time.monotonic() - started, 2)
        assert res.exit_code == 0, res.output[-2000:]
        if args == ("validate",):
            assert f"ok: {n + 1} records checked" in res.stderr
        else:
            assert len(res.stdout.split()) == n
    res, peak = declog_peak(log_repo, "validate", timeout=600)
    assert res.exit_code == 0, res.output[-2000:]
    print(f"{n} records: {timings}, peak RSS of a warm validate {peak // 1024} MB", file=sys.stderr)
    assert peak < 2 * 1024 * 1024


# -- odd repositories ----------------------------------------------------------------------------


def _every_command(repo: Path, run, did: str) -> None:
    _ok(run(repo, "init"))
    _ok(run(repo, "validate"))
    _ok(run(repo, "list"))
    _ok(run(repo, "show", did))
    _ok(run(repo, "history", did))
    _ok(run(repo, "why", "postgres"))
    _ok(run(repo, "validate", "--against", "HEAD"))
    _ok(run(repo, "new", "owner", "zed", "--name", "Zed"))


def test_a_shallow_clone_says_its_history_is_partial(log_repo: Path, run, tmp_path: Path) -> None:
    did = new_decision(run, log_repo)
    commit(log_repo, "Record it", "2026-03-01T10:00:00Z")
    for i in range(3):
        run(log_repo, "set", did, f"context=edit {i}")
        commit(log_repo, f"Edit {i}", f"2026-03-0{i + 2}T10:00:00Z")
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "2", f"file://{log_repo}", str(shallow)], check=True)
    assert git(shallow, "rev-parse", "--is-shallow-repository").strip() == "true"
    res = _ok(run(shallow, "history", did))
    assert "partial: history starts at a shallow boundary: commit" in res.stdout
    assert "fetch more with git fetch --unshallow" in res.stdout
    assert "created as" not in res.stdout and "already here as proposed at the shallow clone's boundary" in res.stdout
    data = json.loads(_ok(run(shallow, "history", did, "--format", "json")).stdout)
    assert "shallow boundary" in data["partial"] and data["changes"][-1]["action"] == "boundary"
    shown = _ok(run(shallow, "show", did)).stdout
    assert "created: before this shallow clone's history begins" in shown
    # a record made after the boundary has its whole history: nothing partial about it
    fresh = new_decision(run, shallow, "Fresh one")
    commit(shallow, "Later record", "2026-03-09T10:00:00Z")
    res = _ok(run(shallow, "history", fresh))
    assert "partial" not in res.stdout and "created as proposed" in res.stdout
    _every_command(shallow, run, did)
    # unshallowed, the same record has its real beginning again
    git(shallow, "fetch", "-q", "--unshallow")
    res = _ok(run(shallow, "history", did))
    assert "partial" not in res.stdout and "created as proposed" in res.stdout


def test_a_detached_head(log_repo: Path, run) -> None:
    did = new_decision(run, log_repo)
    commit(log_repo, "One")
    run(log_repo, "set", did, "context=two")
    commit(log_repo, "Two")
    git(log_repo, "checkout", "-q", "--detach", "HEAD~1")
    _every_command(log_repo, run, did)
    assert "Orders need transactions" in _ok(run(log_repo, "show", did)).stdout


def test_a_linked_worktree_keeps_its_own_caches(log_repo: Path, run, tmp_path: Path) -> None:
    did = new_decision(run, log_repo)
    commit(log_repo, "One")
    _ok(run(log_repo, "why", "postgres"))
    worktree = tmp_path / "wt"
    git(log_repo, "worktree", "add", "-q", "-b", "side", str(worktree))
    _every_command(worktree, run, did)
    run(worktree, "set", did, "context=on the side branch")
    commit(worktree, "Side change")
    assert "on the side branch" in _ok(run(worktree, "history", did)).stdout
    assert "on the side branch" not in _ok(run(log_repo, "history", did)).stdout
    assert (log_repo / ".git" / "worktrees" / "wt" / "declog" / "history.sqlite").is_file()
    assert not (worktree / ".git").is_dir() and not (worktree / "declog").exists()


def _sha256_supported() -> bool:
    proc = subprocess.run(["git", "init", "-q", "--object-format=sha256", os.devnull + "-nonexistent-dir"],
                          capture_output=True, text=True, check=False)
    return "unknown option" not in proc.stderr and "object-format" not in proc.stderr


def test_a_sha256_repository(tmp_path: Path, run) -> None:
    repo = tmp_path / "sha256"
    proc = subprocess.run(["git", "init", "-q", "-b", "main", "--object-format=sha256", str(repo)],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        pytest.skip(f"this git cannot make SHA-256 repositories: {proc.stderr.strip()}")
    _ok(run(repo, "init"))
    _ok(run(repo, "new", "owner", "alice", "--name", "Alice"))
    did = new_decision(run, repo)
    commit(repo, f"One\n\nDecision: {did}\n")
    head = git(repo, "rev-parse", "HEAD").strip()
    assert len(head) == 64
    res = _ok(run(repo, "history", did, "--format", "json"))
    data = json.loads(res.stdout)
    assert [c["action"] for c in data["changes"]] == ["created"]  # no phantom "uncommitted" change
    assert data["changes"][0]["commit"] == head and data["linked_commits"][0]["commit"] == head
    shown = json.loads(_ok(run(repo, "show", did, "--format", "json")).stdout)
    assert shown["git"]["uncommitted_changes"] is False, shown["git"]
    _every_command(repo, run, did)
    run(repo, "set", did, "context=changed")
    assert "uncommitted (working tree)" in _ok(run(repo, "history", did)).stdout


def test_a_bare_repository_needs_a_work_tree(tmp_path: Path, run) -> None:
    bare = tmp_path / "bare.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    for where in (bare, bare / "refs"):
        for args in (("init",), ("list",), ("validate",), ("new", "owner", "a", "--name", "A"), ("why", "x")):
            _refused(run(where, *args), "is a bare git repository: declog needs a work tree", "git clone")
    assert not (bare / ".declog.yaml").exists() and not (bare / "decisions").exists()


def test_a_folder_that_is_not_a_repository(tmp_path: Path, run) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    for args in (("init",), ("list",), ("validate",), ("history", "D-abcdef"), ("why", "x")):
        res = run(plain, *args)
        assert_no_crash(res)
        assert res.exit_code == 2 and res.stderr.startswith("declog: error: "), res.output
        assert "not inside a git repository" in res.stderr or "no declog log here" in res.stderr
    assert list(plain.iterdir()) == []
