"""Crash safety: a declog process killed (SIGKILL) in the middle of a write or of a cache build
leaves the old file or the new one, never a partial one; its leftovers never break the log; and
the caches under ``.git/declog/`` come back right on the next run.

Writes are killed at exact points by ``crashing_declog.py`` (see there), and at random times by
a loop that SIGKILLs real ``declog`` processes."""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from declog.storage import store
from tests.conftest import git
from tests.safety.conftest import Built, assert_no_crash, build_history, declog, kill_after


def _record(repo: Path, rid: str) -> Path:
    (path,) = (repo / "decisions").glob(f"{rid}-*.yaml")
    return path


def _temps(repo: Path) -> list[Path]:
    return [p for p in (repo / "decisions").rglob(f"{store.TEMP_PREFIX}*") if p.is_file()]


def _age(path: Path, seconds: float) -> None:
    old = time.time() - seconds
    os.utime(path, (old, old))


@pytest.fixture
def one(log_repo: Path, run) -> tuple[Path, str]:
    from tests.conftest import new_decision

    return log_repo, new_decision(run, log_repo)


def test_killed_before_the_replace_leaves_the_old_file_and_a_temp_file_nothing_reads(one) -> None:
    repo, did = one
    path = _record(repo, did)
    before = path.read_bytes()
    res = declog(repo, "set", did, "context=the new context", crash_at="before-replace")
    assert res.exit_code == -9, res.output  # really killed, by SIGKILL
    assert path.read_bytes() == before
    (temp,) = _temps(repo)
    assert b"the new context" in temp.read_bytes()  # the whole new text was there, never in place
    for args in (("validate",), ("list", "--format", "ids"), ("show", did)):
        res = declog(repo, *args)
        assert res.exit_code == 0, (args, res.output)
        assert temp.name not in res.output
    assert "ok: 2 records checked" in declog(repo, "validate").stderr
    # a later write cleans up what a killed one left behind (once it is clearly stale)
    _age(temp, store.STALE_TEMP_SECONDS + 5)
    assert declog(repo, "set", did, "context=again").exit_code == 0
    assert not temp.exists() and _temps(repo) == []
    assert "context: again" in path.read_text()


def test_a_leftover_temp_file_committed_by_git_add_is_no_version_of_the_record(one) -> None:
    from tests.history.conftest import commit

    repo, did = one
    commit(repo, "Record it", "2026-03-01T10:00:00Z")
    res = declog(repo, "set", did, "context=half way", crash_at="before-replace")
    assert res.exit_code == -9
    commit(repo, "git add -A took the leftover too", "2026-03-02T10:00:00Z")  # what people do
    assert any(".declog-" in line for line in git(repo, "ls-files").splitlines())
    for args in (("history", did), ("why", "postgres"), ("show", did), ("retro", "--since", "2026-01-01")):
        res = declog(repo, *args)
        assert res.exit_code == 0 and ".declog-" not in res.output and "half way" not in res.output, res.output
    assert "created as proposed" in declog(repo, "history", did).stdout
    assert declog(repo, "validate").exit_code == 0


def test_a_fresh_temp_file_is_left_alone_it_may_be_a_live_write(one) -> None:
    repo, did = one
    live = repo / "decisions" / f"{store.TEMP_PREFIX}live.tmp"
    live.write_text("half of a record", encoding="utf-8")
    assert declog(repo, "set", did, "context=x").exit_code == 0
    assert live.exists()


def test_killed_after_the_replace_leaves_the_new_file(one) -> None:
    repo, did = one
    path = _record(repo, did)
    res = declog(repo, "set", did, "context=the new context", crash_at="after-replace")
    assert res.exit_code == -9, res.output
    assert "context: the new context" in path.read_text()
    assert _temps(repo) == []
    assert declog(repo, "validate").exit_code == 0


def test_a_new_record_killed_before_it_is_linked_into_place_does_not_exist(one) -> None:
    repo, _ = one
    names = sorted(p.name for p in (repo / "decisions").glob("D-*.yaml"))
    res = declog(repo, "new", "decision", "Killed", "--owner", "alice", "--door", "two-way", "--context", "c",
                 "--no-input", crash_at="before-replace")
    assert res.exit_code == -9, res.output
    assert sorted(p.name for p in (repo / "decisions").glob("D-*.yaml")) == names
    assert len(_temps(repo)) == 1
    res = declog(repo, "validate")
    assert res.exit_code == 0 and "ok: 2 records checked" in res.stderr, res.output


def test_killed_at_random_times_the_file_is_always_old_or_new(one) -> None:
    repo, did = one
    path = _record(repo, did)
    rng = random.Random(6)
    started = time.monotonic()
    assert declog(repo, "set", did, "context=Orders need transactions").exit_code == 0
    whole = time.monotonic() - started  # how long a write takes on this machine, now
    for i in range(8):  # kill points spread over the whole run: start-up, reading, validating, writing
        kill_after(repo, rng.uniform(0.3, 1.1) * whole, "set", did, f"context=value number {i}")
        text = path.read_text()
        assert text.endswith("\n") and f"id: {did}" in text, text
        assert any(f"context: {v}" in text for v in ["Orders need transactions", *[f"value number {j}" for j in range(i + 1)]]), text
    for temp in _temps(repo):  # whatever the kills left: no reader is bothered by it
        _age(temp, store.STALE_TEMP_SECONDS + 5)
    res = declog(repo, "validate")
    assert res.exit_code == 0, res.output
    assert declog(repo, "set", did, "context=final").exit_code == 0
    assert _temps(repo) == []


# -- caches --------------------------------------------------------------------------------------


@pytest.fixture
def built(repo: Path) -> Built:
    return build_history(repo, commits=300)


def _caches(repo: Path) -> Path:
    return repo / ".git" / "declog"


WHY = ("why", "message", "queue", "--format", "json")
_EXPECTED: dict[tuple[str, ...], str] = {}


def _answers(b: Built) -> dict[tuple[str, ...], str]:
    """The right answers, from cold runs with no cache at all. build_history makes the same
    commits every time (fixed dates), so they are worked out once per test session."""
    wanted = (WHY, ("history", b.ids[3], "--format", "json"), ("list", "--format", "json"))
    for args in wanted:
        if args not in _EXPECTED:
            shutil.rmtree(_caches(b.repo), ignore_errors=True)
            res = declog(b.repo, *args)
            assert res.exit_code == 0, res.output
            _EXPECTED[args] = res.stdout
    return {args: _EXPECTED[args] for args in wanted}


def test_caches_killed_mid_build_give_the_same_answer_next_time(built: Built) -> None:
    expected = _answers(built)
    rng = random.Random(4)
    for round_ in range(3):
        shutil.rmtree(_caches(built.repo), ignore_errors=True)
        for args in expected:
            kill_after(built.repo, rng.uniform(0.05, 0.45), *args)
        for args, answer in expected.items():
            res = declog(built.repo, *args)
            assert res.exit_code == 0 and res.stdout == answer, (round_, args, res.stderr)
            assert res.stderr == "", res.stderr


def test_a_history_rebuild_killed_before_it_takes_the_old_index_s_place_leaves_it_working(built: Built) -> None:
    expected = _answers(built)
    why = ("why", "message", "queue", "--format", "json")
    assert declog(built.repo, *why).stdout == expected[why]  # builds the index
    # HEAD moves somewhere not descending from the indexed tip: a full rebuild, killed before its rename
    git(built.repo, "reset", "-q", "--hard", "HEAD~1")
    git(built.repo, "commit", "-q", "--allow-empty", "-m", "elsewhere")
    res = declog(built.repo, *why, crash_at="history-before-replace")
    assert res.exit_code == -9, res.output
    strays = list(_caches(built.repo).glob(".history-*.tmp"))
    assert len(strays) == 1
    hist = ("history", built.ids[3], "--format", "json")
    fresh = declog(built.repo, *hist)
    assert fresh.exit_code == 0 and fresh.stderr == ""
    shutil.rmtree(_caches(built.repo))
    assert declog(built.repo, *hist).stdout == fresh.stdout  # what a run with no cache at all says
    # a stale leftover of a killed rebuild is removed by the next rebuild
    stray = _caches(built.repo) / strays[0].name
    stray.write_bytes(b"x" * 100)
    _age(stray, 3600)
    (_caches(built.repo) / "history.sqlite").unlink()
    assert declog(built.repo, *hist).stdout == fresh.stdout
    assert not stray.exists()


def test_two_cold_queries_at_once_both_answer_right(built: Built) -> None:
    from tests.safety.conftest import finish, spawn

    expected = _answers(built)
    shutil.rmtree(_caches(built.repo), ignore_errors=True)
    hist = ("history", built.ids[3], "--format", "json")
    order = [WHY, hist, WHY, hist]
    results = finish([spawn(built.repo, *args) for args in order])
    for args, res in zip(order, results, strict=True):
        assert res.exit_code == 0 and res.stdout == expected[args], (args, res.stderr)
        assert res.stderr == "", res.stderr


def _outdate(caches: Path) -> None:
    """Every store as another declog version left it: its identity is not this one's."""
    for path in caches.glob("*.sqlite"):
        conn = sqlite3.connect(path)
        with conn:
            conn.execute("update meta set value = 'another version' where key = 'identity'")
        conn.close()


def test_four_processes_on_cold_or_outdated_caches_answer_right_round_after_round(built: Built) -> None:
    """Stores rebuilt by several processes at once never pull a file from under one of them
    (declog.storage.cachedb). Before they were written over in place, about one round in twenty
    failed: "disk I/O error", or a search index that had lost its documents ("no decisions match")."""
    from tests.safety.conftest import finish, spawn

    expected = _answers(built)
    hist = ("history", built.ids[3], "--format", "json")
    order = [WHY, hist, WHY, hist]
    for round_ in range(8):
        if round_ % 2:
            _outdate(_caches(built.repo))
        else:
            shutil.rmtree(_caches(built.repo), ignore_errors=True)
        results = finish([spawn(built.repo, *args) for args in order])
        for args, res in zip(order, results, strict=True):
            assert res.exit_code == 0 and res.stdout == expected[args], (round_, args, res.stderr)
            assert res.stderr == "", (round_, res.stderr)


def test_a_damaged_cache_file_is_rebuilt_silently(built: Built) -> None:
    expected = _answers(built)
    hist = ("history", built.ids[3], "--format", "json")
    assert declog(built.repo, *WHY).exit_code == 0  # builds every cache: parse, history, search
    names = ("parse-cache.sqlite", "history.sqlite", "search.sqlite")
    assert all((_caches(built.repo) / n).is_file() for n in names)
    for damage in ("garbage", "truncated", "empty", "directory"):
        for name in names:
            path = _caches(built.repo) / name
            if path.is_dir():
                path.rmdir()
            if damage == "garbage":
                path.write_bytes(os.urandom(3000))
            elif damage == "truncated":
                if not path.exists():
                    assert declog(built.repo, *WHY).exit_code == 0
                data = path.read_bytes()
                path.write_bytes(data[: len(data) // 2])
            elif damage == "empty":
                path.write_bytes(b"")
            else:
                if path.exists():
                    path.unlink()
                path.mkdir()
        for args in (WHY, hist):
            res = declog(built.repo, *args)
            assert_no_crash(res)
            assert res.exit_code == 0 and res.stdout == expected[args], (damage, args, res.stderr)
            assert res.stderr == "", res.stderr
