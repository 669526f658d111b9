"""declog set: change fields in place, keeping every other byte of the file."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from declog.core import edit
from tests.cli.helpers import load, record_file
from tests.conftest import new_decision

HAND_WRITTEN = """\
# yaml-language-server: $schema=.schemas/decision.schema.json
# Keep this comment.
id: {id}
title: 'Use Postgres'   # short
status: proposed
owner: alice
door: two-way
context: |
  Orders need transactions.

  Audits too.
tags: [db]
"""


@pytest.fixture
def did(log_repo: Path, run) -> str:
    rid = new_decision(run, log_repo)
    record_file(log_repo, rid).write_text(HAND_WRITTEN.format(id=rid), encoding="utf-8")
    return rid


def text(repo: Path, rid: str) -> str:
    return record_file(repo, rid).read_text(encoding="utf-8")


def test_set_a_field_keeps_the_rest_of_the_file(log_repo: Path, run, did: str) -> None:
    res = run(log_repo, "set", did[2:5], "title=Use MySQL")
    assert res.exit_code == 0, res.output
    assert res.stdout == f"{did}: title: Use Postgres → Use MySQL\n"
    assert text(log_repo, did) == HAND_WRITTEN.format(id=did).replace("'Use Postgres'", "'Use MySQL'")


def test_accepting_sets_the_decision_date(log_repo: Path, run, did: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(edit, "today", lambda: dt.date(2026, 4, 1))
    res = run(log_repo, "set", did, "status=accepted", "decision=Postgres 16", "rationale=Transactions matter")
    assert res.exit_code == 0, res.output
    assert f"{did}: decided_on: ∅ → 2026-04-01" in res.stdout
    # new fields go where the model orders them (after context, before tags); all else is kept
    assert text(log_repo, did) == HAND_WRITTEN.format(id=did).replace("status: proposed", "status: accepted").replace(
        "  Audits too.\n", "  Audits too.\ndecision: Postgres 16\nrationale: Transactions matter\ndecided_on: 2026-04-01\n")
    assert run(log_repo, "validate").exit_code == 0


def test_an_explicit_decision_date_wins(log_repo: Path, run, did: str) -> None:
    res = run(log_repo, "set", did, "status=accepted", "decision=d", "rationale=r", "decided_on=2025-11-30")
    assert res.exit_code == 0, res.output
    assert load(log_repo, did)["decided_on"] == "2025-11-30"


def test_list_items_are_added_and_removed(log_repo: Path, run, did: str) -> None:
    assert run(log_repo, "set", did, "tags+=storage", "tags+=db").exit_code == 0
    assert "tags: [db, storage]\n" in text(log_repo, did)
    assert run(log_repo, "set", did, "tags-=db").exit_code == 0
    assert "tags: [storage]\n" in text(log_repo, did)
    assert run(log_repo, "set", did, "scope+=src/**,lib/**").exit_code == 0
    assert load(log_repo, did)["scope"] == ["src/**", "lib/**"]
    assert run(log_repo, "set", did, "tags=[a, b]").exit_code == 0
    assert load(log_repo, did)["tags"] == ["a", "b"]
    assert run(log_repo, "set", did, "tags-=a,b").exit_code == 0
    assert "tags" not in load(log_repo, did)  # the last item gone: the field goes


def test_an_empty_value_removes_the_field(log_repo: Path, run, did: str) -> None:
    assert run(log_repo, "set", did, "consequences=Some").exit_code == 0
    res = run(log_repo, "set", did, "consequences=", "tags=")
    assert res.exit_code == 0, res.output
    assert text(log_repo, did) == HAND_WRITTEN.format(id=did).replace("tags: [db]\n", "")


def test_an_invalid_result_is_refused_and_the_file_kept(log_repo: Path, run, did: str) -> None:
    before = text(log_repo, did)
    res = run(log_repo, "set", did, "status=accepted", "decided_on=2026-01-01")
    assert res.exit_code == 1
    assert f"declog: error: {did} is not valid: decision: an accepted decision needs `decision` (and 1 more)" in res.stderr
    assert "rationale: an accepted decision needs `rationale`" in res.stderr
    for bad in ("status=done", "door=revolving", "owner=ghost", "review_by=2026-02-30", "context=", "supersedes=D-zzzzzz"):
        res = run(log_repo, "set", did, bad)
        assert res.exit_code in (1, 2), (bad, res.output)
        assert "Traceback" not in res.output
    assert text(log_repo, did) == before


def test_set_an_owner_field(log_repo: Path, run) -> None:
    res = run(log_repo, "set", "alice", "email=alice@example.com", "active=no")
    assert res.exit_code == 0, res.output
    data = json.loads(run(log_repo, "show", "alice", "--format", "json").stdout)
    assert (data["email"], data["active"]) == ("alice@example.com", False)
    res = run(log_repo, "set", "alice", "active=perhaps")
    assert res.exit_code == 2 and "active takes true or false" in res.stderr


def test_json_output(log_repo: Path, run, did: str) -> None:
    res = run(log_repo, "set", did, "tags+=x", "--format", "json")
    assert res.exit_code == 0
    assert json.loads(res.stdout)["tags"] == ["db", "x"]


def test_the_id_never_changes(log_repo: Path, run, did: str) -> None:
    before = text(log_repo, did)
    res = run(log_repo, "set", did, "id=D-000000")
    assert res.exit_code == 2 and "`id` never changes" in res.stderr
    res = run(log_repo, "set", "alice", "handle=bob")
    assert res.exit_code == 2 and "`handle` never changes" in res.stderr
    assert text(log_repo, did) == before


def test_a_change_that_breaks_another_record_is_refused(log_repo: Path, run) -> None:
    did = new_decision(run, log_repo)
    owner_file = log_repo / "decisions" / "owners" / "alice.yaml"
    before = owner_file.read_bytes()
    res = run(log_repo, "set", "alice", "active=false")
    assert res.exit_code == 1
    assert "owner 'alice' is inactive" in res.stderr and did in res.stderr
    assert owner_file.read_bytes() == before


def test_problems_already_elsewhere_do_not_block_an_unrelated_edit(log_repo: Path, run) -> None:
    did = new_decision(run, log_repo)
    (path,) = (log_repo / "decisions").glob(f"{did}-*.yaml")
    path.write_text(path.read_text(encoding="utf-8").replace("owner: alice", "owner: ghost"), encoding="utf-8")
    res = run(log_repo, "set", "alice", "name=Alice Q. Example")
    assert res.exit_code == 0, res.output
