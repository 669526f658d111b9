"""`declog import adr PATH --refresh`: records follow their markdown where it changed since the
import, keep what was changed in declog since, lose the filler earlier imports wrote."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.helpers import record_file, snapshot
from tests.conftest import Result
from tests.history.conftest import commit
from tests.importer.conftest import imported, show, write

ADR = "doc/adr/0001-use-redis.md"
FIRST = """\
# 1. Use Redis for sessions

## Status

Proposed

## Context

Logins are slow.

## Decision

Sessions go to Redis.
"""
SECOND = """\
# 1. Use Redis for sessions

Date: 2024-02-03

## Status

Accepted

## Context

Logins are slow.

## Decision

Sessions go to Redis, with a one-day expiry.

## Reasoning

Redis already runs here.

## Migration path

Move the login service first.
"""


@pytest.fixture
def refresh_repo(repo: Path, run: Callable[..., Result]) -> tuple[Path, str]:
    """ADR 1 imported as proposed and committed; then consequences set in declog; then the
    markdown accepted, with a new decision text, a Reasoning and a Migration path."""
    write(repo, ADR, FIRST)
    commit(repo, "Propose ADR 1", "2024-01-10T09:00:00Z", author="Ann")
    assert run(repo, "init").exit_code == 0
    imported(run, repo, "doc/adr", "--owner", "ann")
    commit(repo, "Import", "2024-01-11T09:00:00Z")
    rid = show(run, repo, "ADR-1")["id"]
    res = run(repo, "set", rid, "consequences=Ops get paged less", "tags=imported,sessions")
    assert res.exit_code == 0, res.output
    commit(repo, "Consequences, in declog", "2024-01-12T09:00:00Z")
    write(repo, ADR, SECOND)
    commit(repo, "Accept ADR 1", "2024-02-03T09:00:00Z", author="Bob")
    return repo, rid


def test_dry_run_shows_the_field_level_diff_and_writes_nothing(refresh_repo: tuple[Path, str],
                                                               run: Callable[..., Result]) -> None:
    repo, rid = refresh_repo
    before = snapshot(repo)
    report = imported(run, repo, "doc/adr", "--refresh", "--dry-run")
    (entry,) = report["files"]
    assert (entry["action"], entry["id"]) == ("refreshed", rid)
    assert "status: proposed → accepted" in entry["changes"]
    assert "decided_on: set to 2024-02-03" in entry["changes"]
    assert "decision: Sessions go to Redis. → Sessions go to Redis, with a one-day expiry." in entry["changes"]
    assert "rationale: set to Redis already runs here." in entry["changes"]
    assert 'sections: + "Migration path"' in entry["changes"]
    assert not entry["kept"]  # consequences and tags were changed in declog, and the markdown does not touch them
    assert report["counts"]["refreshed"] == 1 and not report["written"]
    assert snapshot(repo) == before
    text = run(repo, "import", "adr", "doc/adr", "--refresh", "--dry-run")
    assert text.exit_code == 0
    assert "Refreshed from the markdown (would change):" in text.stdout
    assert "      status: proposed → accepted" in text.stdout
    assert "Dry run: nothing was written." in text.stdout


def test_refresh_updates_and_keeps_what_declog_changed(refresh_repo: tuple[Path, str],
                                                       run: Callable[..., Result]) -> None:
    repo, rid = refresh_repo
    path = record_file(repo, rid)
    report = imported(run, repo, "doc/adr", "--refresh")
    assert report["written"] and report["counts"]["refreshed"] == 1
    after = show(run, repo, rid)
    assert record_file(repo, rid) == path  # same file, same ID, same alias
    assert (after["aliases"], after["status"], after["decided_on"]) == (["ADR-0001"], "accepted", "2024-02-03")
    assert after["decision"] == "Sessions go to Redis, with a one-day expiry."
    assert after["rationale"] == "Redis already runs here."
    assert after["sections"] == [{"heading": "Migration path", "text": "Move the login service first."}]
    assert after["consequences"] == "Ops get paged less"  # set in declog: kept
    assert after["tags"] == ["imported", "sessions"]
    assert run(repo, "validate").exit_code == 0
    again = imported(run, repo, "doc/adr", "--refresh")
    assert [f["action"] for f in again["files"]] == ["unchanged"] and not again["written"]
    # without --refresh a file imported before is still left alone
    assert [f["action"] for f in imported(run, repo, "doc/adr")["files"]] == ["already-imported"]


def test_a_field_changed_in_both_places_keeps_declogs(refresh_repo: tuple[Path, str],
                                                      run: Callable[..., Result]) -> None:
    repo, rid = refresh_repo
    assert run(repo, "set", rid, "decision=Sessions go to Redis; we decided the expiry in the meeting").exit_code == 0
    commit(repo, "Decision, in declog", "2024-02-04T09:00:00Z")
    report = imported(run, repo, "doc/adr", "--refresh")
    (entry,) = report["files"]
    assert entry["kept"] == ["decision"]
    after = show(run, repo, rid)
    assert after["decision"] == "Sessions go to Redis; we decided the expiry in the meeting"
    assert after["status"] == "accepted"
    text = run(repo, "import", "adr", "doc/adr", "--refresh", "--dry-run")
    assert f"  {rid}: decision" in text.stdout


def test_refresh_removes_the_filler_of_earlier_imports(repo: Path, run: Callable[..., Result]) -> None:
    write(repo, ADR, SECOND.replace("## Reasoning\n\nRedis already runs here.\n\n", ""))
    commit(repo, "ADR 1", "2024-02-03T09:00:00Z")
    assert run(repo, "init").exit_code == 0
    imported(run, repo, "doc/adr", "--owner", "ann")
    rid = show(run, repo, "ADR-1")["id"]
    record = record_file(repo, rid)
    text = record.read_text(encoding="utf-8")
    filler = (f"rationale: Not stated separately in {ADR}; see the decision text.\n"
              f"options:\n  - title: Redis\n  - title: Memcached\n    why_not: Redis was chosen.\n")
    text = text.replace("context: Logins are slow.\n", f"context: Imported from {ADR}, which has no Context section.\n")
    record.write_text(text.replace("\ndecided_on:", "\n" + filler + "decided_on:", 1), encoding="utf-8")
    commit(repo, "Import (an earlier declog)", "2024-02-04T09:00:00Z")
    assert "Not stated separately" in json.dumps(show(run, repo, rid))
    report = imported(run, repo, "doc/adr", "--refresh")
    assert report["files"][0]["action"] == "refreshed" and not report["files"][0]["kept"]
    after = show(run, repo, rid)
    assert "rationale" not in after and "options" not in after
    assert after["context"] == "Logins are slow."
    assert run(repo, "validate").exit_code == 0
