"""Warm paths (issue 16): what a warm run serves from the stores under ``.git/declog/`` is what a
cold run computes, never stale, and the stores stay safe to delete."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

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
