"""declog supersede OLD NEW: both sides linked, or neither."""

from __future__ import annotations

from pathlib import Path

from tests.cli.helpers import load, record_file, snapshot
from tests.conftest import new_decision


def test_both_sides_are_linked(log_repo: Path, run) -> None:
    old = new_decision(run, log_repo, "Use MySQL")
    new = new_decision(run, log_repo, "Use Postgres")
    old_text = record_file(log_repo, old).read_text(encoding="utf-8")
    res = run(log_repo, "supersede", old[2:6], new[2:6])
    assert res.exit_code == 0, res.output
    assert res.stdout == f"{old} is superseded by {new}\n"
    assert load(log_repo, new)["supersedes"] == [old]
    assert load(log_repo, old)["superseded_by"] == new
    assert record_file(log_repo, old).read_text(encoding="utf-8") == old_text.replace(
        "status: proposed", "status: superseded") + f"superseded_by: {new}\n"
    assert run(log_repo, "validate").exit_code == 0


def test_running_it_twice_changes_nothing_more(log_repo: Path, run) -> None:
    old = new_decision(run, log_repo, "Use MySQL")
    new = new_decision(run, log_repo, "Use Postgres")
    assert run(log_repo, "supersede", old, new).exit_code == 0
    before = snapshot(log_repo)
    assert run(log_repo, "supersede", old, new).exit_code == 0
    assert snapshot(log_repo) == before


def test_a_decision_can_supersede_several(log_repo: Path, run) -> None:
    first = new_decision(run, log_repo, "One")
    second = new_decision(run, log_repo, "Two")
    new = new_decision(run, log_repo, "Both")
    assert run(log_repo, "supersede", first, new).exit_code == 0
    assert run(log_repo, "supersede", second, new).exit_code == 0
    assert load(log_repo, new)["supersedes"] == [first, second]
    assert run(log_repo, "validate").exit_code == 0


def test_refused_when_old_is_already_superseded_by_another(log_repo: Path, run) -> None:
    old = new_decision(run, log_repo, "Use MySQL")
    new = new_decision(run, log_repo, "Use Postgres")
    other = new_decision(run, log_repo, "Use SQLite")
    assert run(log_repo, "supersede", old, new).exit_code == 0
    before = snapshot(log_repo)
    res = run(log_repo, "supersede", old, other)
    assert res.exit_code == 2
    assert f"{old} is already superseded by {new}; supersede {new} instead" in res.stderr
    assert snapshot(log_repo) == before


def test_refused_when_it_would_make_a_cycle_or_a_self_link(log_repo: Path, run) -> None:
    old = new_decision(run, log_repo, "Use MySQL")
    new = new_decision(run, log_repo, "Use Postgres")
    assert run(log_repo, "supersede", old, new).exit_code == 0
    before = snapshot(log_repo)
    res = run(log_repo, "supersede", new, old)
    assert res.exit_code == 1 and "supersede cycle" in res.stderr
    res = run(log_repo, "supersede", new, new)
    assert res.exit_code == 2 and "cannot supersede itself" in res.stderr
    assert snapshot(log_repo) == before


def test_only_decisions(log_repo: Path, run) -> None:
    did = new_decision(run, log_repo)
    res = run(log_repo, "supersede", "alice", did)
    assert res.exit_code == 2 and "'alice' is an owner, not a decision" in res.stderr


def test_an_accepted_decision_can_be_superseded(log_repo: Path, run) -> None:
    old = new_decision(run, log_repo, "Old", "--status", "accepted", "--decision", "d", "--rationale", "r")
    new = new_decision(run, log_repo, "New")
    assert run(log_repo, "supersede", old, new).exit_code == 0
    data = load(log_repo, old)
    assert (data["status"], data["decision"], data["superseded_by"]) == ("superseded", "d", new)
