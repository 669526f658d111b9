"""Warm paths (issue 16): what a warm run serves from the stores under ``.git/declog/`` is what a
cold run computes, never stale, and the stores stay safe to delete."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.cli.helpers import record_file
from tests.conftest import Result, new_decision


def _jsons(repo: Path) -> int:
    conn = sqlite3.connect(repo / ".git" / "declog" / "parse-cache.sqlite")
    try:
        return int(conn.execute("select count(*) from jsons").fetchone()[0])
    finally:
        conn.close()


def test_list_json_from_the_cache_is_what_a_cold_run_prints_and_follows_edits(log_repo: Path, run: Callable[..., Result]) -> None:
    ids = [new_decision(run, log_repo, f"Use Postgres for ledger {i}") for i in range(3)]
    shutil.rmtree(log_repo / ".git" / "declog")
    cold = run(log_repo, "list", "all", "--format", "json")
    assert cold.exit_code == 0, cold.output
    assert _jsons(log_repo) == 4  # three decisions and alice, rendered once each
    warm = run(log_repo, "list", "all", "--format", "json")
    assert warm.stdout == cold.stdout
    listed = json.loads(warm.stdout)
    assert sorted(r["id"] for r in listed if r["kind"] == "decision") == sorted(ids)
    filtered = run(log_repo, "list", "--format", "json", "--status", "proposed", "--owner", "alice")
    assert [r["id"] for r in json.loads(filtered.stdout)] == [r["id"] for r in listed if r["kind"] == "decision"]

    path = record_file(log_repo, ids[1])
    path.write_text(path.read_text(encoding="utf-8").replace("ledger 1", "ledger one"), encoding="utf-8")
    edited = json.loads(run(log_repo, "list", "--format", "json").stdout)
    assert {r["id"]: r["title"] for r in edited}[ids[1]] == "Use Postgres for ledger one"

    shutil.rmtree(log_repo / ".git" / "declog")  # safe to delete: the same answer, rebuilt
    assert run(log_repo, "list", "--format", "json").stdout == run(log_repo, "list", "--format", "json").stdout
    assert json.loads(run(log_repo, "list", "--format", "json").stdout) == edited


def test_the_remembered_configuration_follows_every_edit_of_declog_yaml(log_repo: Path, run: Callable[..., Result]) -> None:
    assert run(log_repo, "list", "--format", "ids").exit_code in (0, 1)
    memo = log_repo / ".git" / "declog" / "config.json"
    assert json.loads(memo.read_text(encoding="utf-8"))["data"]["root"] == "decisions"
    config = log_repo / ".declog.yaml"
    original = config.read_text(encoding="utf-8")
    config.write_text(original + "colour: blue\n", encoding="utf-8")
    res = run(log_repo, "list", "--format", "ids")
    assert res.exit_code == 2 and "unknown setting(s) colour" in res.stderr
    config.write_text(original, encoding="utf-8")
    memo.write_text("{not json", encoding="utf-8")  # damaged: read again from .declog.yaml
    assert run(log_repo, "list", "owners", "--format", "ids").stdout.split() == ["alice"]
    memo.unlink()  # safe to delete
    assert run(log_repo, "list", "owners", "--format", "ids").stdout.split() == ["alice"]


# -- the snapshot of a warm light read (Log.state, ParseCache.snapshot) ------------------------

def _snapshot_state(repo: Path) -> str | None:
    conn = sqlite3.connect(repo / ".git" / "declog" / "parse-cache.sqlite")
    try:
        row = conn.execute("select state from snapshot where key = 'light'").fetchone()
    finally:
        conn.close()
    return None if row is None else str(row[0])


def _state_now(repo: Path) -> str:
    from declog.storage.store import Log

    state = Log.open(repo).state()
    assert state is not None
    return state[0]


def _listed(run: Callable[..., Result], repo: Path) -> tuple[str, str]:
    """``list all --format json`` warm (served by the snapshot when it holds), then cold."""
    warm = run(repo, "list", "all", "--format", "json")
    assert warm.exit_code == 0, warm.output
    cold_repo_cache = repo / ".git" / "declog"
    saved = repo.parent / "saved-cache"
    shutil.rmtree(saved, ignore_errors=True)
    shutil.copytree(cold_repo_cache, saved)
    shutil.rmtree(cold_repo_cache)
    cold = run(repo, "list", "all", "--format", "json")
    shutil.rmtree(cold_repo_cache)
    shutil.copytree(saved, cold_repo_cache)  # the warm cache back, as it was
    return warm.stdout, cold.stdout


def test_a_snapshot_serves_an_unchanged_log_and_every_change_is_seen(
        log_repo: Path, run: Callable[..., Result], monkeypatch: Any) -> None:
    from tests.conftest import git

    monkeypatch.setattr("declog.storage.store.RACY_NS", 0)  # no racy window: files just written are trusted
    ids = [new_decision(run, log_repo, f"Use Postgres for ledger {i}") for i in range(3)]
    git(log_repo, "add", "-A")
    git(log_repo, "commit", "-qm", "three decisions")
    assert run(log_repo, "list", "all", "--format", "json").exit_code == 0
    assert _snapshot_state(log_repo) == _state_now(log_repo)  # written, and current
    before = run(log_repo, "list", "all", "--format", "json").stdout  # served from the snapshot
    assert [r["id"] for r in json.loads(before) if r["kind"] == "decision"] != []

    def check(what: str) -> list[dict[str, Any]]:
        warm, cold = _listed(run, log_repo)
        assert warm == cold, what
        assert _snapshot_state(log_repo) == _state_now(log_repo), what
        return list(json.loads(warm))

    path = record_file(log_repo, ids[0])
    path.write_text(path.read_text(encoding="utf-8").replace("ledger 0", "ledger zero"), encoding="utf-8")
    assert {r["id"]: r.get("title") for r in check("an edit in place")}[ids[0]] == "Use Postgres for ledger zero"

    added = new_decision(run, log_repo, "Use Kafka for events")
    assert added in {r["id"] for r in check("an add")}

    record_file(log_repo, ids[1]).unlink()
    assert ids[1] not in {r["id"] for r in check("a delete")}

    moved = log_repo / "decisions" / "archive"
    moved.mkdir()
    path = record_file(log_repo, ids[2])
    path.rename(moved / path.name)
    assert {r["id"]: r["path"] for r in check("a rename into a sub-folder")}[ids[2]] == \
        f"decisions/archive/{path.name}"

    git(log_repo, "checkout", "-q", "-b", "other", "HEAD")
    git(log_repo, "add", "-A")
    git(log_repo, "commit", "-qm", "on another branch")
    git(log_repo, "checkout", "-q", "-")
    listed = {r["id"] for r in check("a checkout of another branch")}
    assert ids[1] in listed and added not in listed


def test_an_edit_within_the_same_second_and_of_the_same_size_is_seen(log_repo: Path, run: Callable[..., Result]) -> None:
    import time

    rid = new_decision(run, log_repo, "Use Postgres for ledger A")
    time.sleep(2.2)  # older than the racy window: the snapshot is trusted
    assert run(log_repo, "list", "--format", "json").exit_code == 0
    assert _snapshot_state(log_repo) == _state_now(log_repo)
    path = record_file(log_repo, rid)
    text = path.read_text(encoding="utf-8")
    size = path.stat().st_size
    path.write_text(text.replace("ledger A", "ledger B"), encoding="utf-8")  # same size, at once
    assert path.stat().st_size == size
    warm, cold = _listed(run, log_repo)
    assert warm == cold
    assert {r["id"]: r.get("title") for r in json.loads(warm)}[rid] == "Use Postgres for ledger B"


def test_a_log_changed_within_the_racy_window_gets_no_snapshot(log_repo: Path, run: Callable[..., Result]) -> None:
    new_decision(run, log_repo, "Use Postgres for ledger A")  # written a moment ago
    assert run(log_repo, "list", "--format", "json").exit_code == 0
    assert _snapshot_state(log_repo) is None


def test_a_symlink_in_the_log_is_never_served_from_a_snapshot(
        log_repo: Path, run: Callable[..., Result], monkeypatch: Any) -> None:
    monkeypatch.setattr("declog.storage.store.RACY_NS", 0)
    rid = new_decision(run, log_repo, "Use Postgres for ledger A")
    target = log_repo / "elsewhere.yaml"
    target.write_bytes(record_file(log_repo, rid).read_bytes().replace(rid.encode(), b"D-zzzzzz"))
    (log_repo / "decisions" / "D-zzzzzz-linked.yaml").symlink_to(target)
    first = run(log_repo, "list", "--format", "json").stdout
    assert _snapshot_state(log_repo) is None
    target.write_text(target.read_text(encoding="utf-8").replace("ledger A", "ledger L"), encoding="utf-8")
    assert run(log_repo, "list", "--format", "json").stdout != first  # the target's edit is seen


def test_a_kept_listing_never_hides_an_unreadable_record(
        log_repo: Path, run: Callable[..., Result], monkeypatch: Any) -> None:
    monkeypatch.setattr("declog.storage.store.RACY_NS", 0)
    new_decision(run, log_repo, "Use Postgres for ledger A")
    first = run(log_repo, "list", "--format", "json")
    assert first.exit_code == 0 and first.stderr == ""
    again = run(log_repo, "list", "--format", "json")  # printed from what was kept
    assert again.stdout == first.stdout and again.stderr == ""
    (log_repo / "decisions" / "D-broken-file.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    for _ in range(2):  # the kept text is not served: the warning comes every time
        res = run(log_repo, "list", "--format", "json")
        assert "cannot be read" in res.stderr and res.stdout == first.stdout


def test_a_cold_read_of_a_big_log_parses_on_two_cores_and_answers_as_on_one(
        log_repo: Path, run: Callable[..., Result], forks: list[int], monkeypatch: Any) -> None:
    """Log.parse_in_parallel: a cold read (no parse cache) of a log of many files forks a second
    parser for half of them; `list` and `why` print what they print on one core, broken files
    included, and the next run is warm."""

    from declog.storage import store

    for i in range(9):
        new_decision(run, log_repo, f"Use queue number {i} for the billing events")
    (log_repo / "decisions" / "D-zzzzzz-broken.yaml").write_text("id: [D-zzzzzz\n", encoding="utf-8")
    one_core = {args: run(log_repo, *args) for args in (("list", "--format", "json"), ("why", "billing queue"))}
    monkeypatch.setattr(store, "PARALLEL_MIN_FILES", 4)
    for args, expected in one_core.items():
        shutil.rmtree(log_repo / ".git" / "declog")
        cold = run(log_repo, *args)
        assert forks, f"{args}: the cold read did not fork a second parser"
        assert (cold.exit_code, cold.stdout, cold.stderr) == (expected.exit_code, expected.stdout, expected.stderr)
        forks.clear()
        warm = run(log_repo, *args)
        assert not forks and warm.stdout == expected.stdout  # the cache holds what the child parsed
    assert "cannot be read" in one_core[("list", "--format", "json")].stderr
