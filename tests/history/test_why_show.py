"""`declog why`, `show` with git facts, and `--at REF` on show, list and why."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import git, new_decision
from tests.history.conftest import commit, path_of, set_line


def accept(path: Path, decision: str, rationale: str, on: str = "2026-03-02") -> None:
    set_line(path, "status", "accepted")
    set_line(path, "decision", decision)
    set_line(path, "rationale", rationale)
    set_line(path, "decided_on", on)


@pytest.fixture
def answered(log_repo: Path, run) -> dict[str, str]:
    ids = {
        "db": new_decision(run, log_repo, "Use Postgres for the orders database"),
        "queue": new_decision(run, log_repo, "Use Kafka as the message queue"),
        "css": new_decision(run, log_repo, "Adopt Tailwind for styling"),
        "old": new_decision(run, log_repo, "Use MySQL for orders"),
    }
    commit(log_repo, "Record four decisions", "2026-01-10T09:00:00Z", author="Alice Example")
    db = path_of(log_repo, ids["db"])
    accept(db, "Orders live in Postgres 16", "We need transactions across order lines and the team knows it")
    with db.open("a") as fh:
        fh.write("options:\n  - title: Postgres\n  - title: DynamoDB\n    why_not: no multi-item transactions at our scale\n"
                 "  - title: Self-hosted Kafka\n    why_not: not a database\n")
        fh.write(f"supersedes: [{ids['old']}]\ntags: [storage]\n")
    old = path_of(log_repo, ids["old"])
    set_line(old, "status", "superseded")
    set_line(old, "superseded_by", ids["db"])
    commit(log_repo, f"Decide the orders database\n\nDecision: {ids['db']}", "2026-03-02T09:00:00Z",
           author="Bob Builder")
    code = log_repo / "src"
    code.mkdir()
    (code / "orders.py").write_text("import psycopg\n")
    commit(log_repo, f"Move orders to Postgres\n\nDecision: {ids['db'][:5]}", "2026-03-05T09:00:00Z",
           author="Carol")
    return ids


def test_why_ranks_and_explains(log_repo: Path, run, hrun, answered) -> None:
    data = hrun(log_repo, "why", "orders", "database")
    first = data["results"][0]
    assert first["id"] == answered["db"]
    assert first["phrase_match"] is True
    assert first["decided"]["author"] == "Bob Builder"
    assert first["rejected_options"] == [
        {"title": "DynamoDB", "why_not": "no multi-item transactions at our scale"},
        {"title": "Self-hosted Kafka", "why_not": "not a database"},
    ]
    assert [c["subject"] for c in first["linked_commits"]] == ["Move orders to Postgres", "Decide the orders database"]
    assert first["supersedes"][0]["id"] == answered["old"]
    text = run(log_repo, "why", "orders", "database").stdout
    assert "decided 2026-03-02 by Bob Builder" in text
    assert "DynamoDB: no multi-item transactions" in text
    # a superseded decision is shown with what replaced it
    old = hrun(log_repo, "why", "mysql")["results"][0]
    assert old["id"] == answered["old"] and old["superseded_by"][0]["id"] == answered["db"]
    assert "superseded by " + answered["db"] in run(log_repo, "why", "mysql").stdout


def test_why_stemming_case_weights_status_limit(log_repo: Path, run, hrun, answered) -> None:
    assert hrun(log_repo, "why", "QUEUES")["results"][0]["id"] == answered["queue"]  # case folding + stemming
    assert hrun(log_repo, "why", "styled")["results"][0]["id"] == answered["css"]
    # the title outweighs a mention in an option: "kafka" is the queue decision first
    assert [r["id"] for r in hrun(log_repo, "why", "kafka")["results"]][:2] == [answered["queue"], answered["db"]]
    only = hrun(log_repo, "why", "kafka", "--status", "accepted")["results"]
    assert [r["id"] for r in only] == [answered["db"]]
    assert len(hrun(log_repo, "why", "use", "--limit", "1")["results"]) == 1
    res = run(log_repo, "why", "zeppelin")
    assert res.exit_code == 1 and "no decisions match 'zeppelin'" in res.stderr


def test_why_sees_uncommitted_records_and_survives_cache_loss(log_repo: Path, run, hrun, answered) -> None:
    hrun(log_repo, "why", "orders")
    fresh = new_decision(run, log_repo, "Adopt Zeppelin airships for delivery")
    assert hrun(log_repo, "why", "zeppelin")["results"][0]["id"] == fresh
    set_line(path_of(log_repo, fresh), "title", "Adopt blimps for delivery")
    assert run(log_repo, "why", "zeppelin").exit_code == 1  # the old text is not served from the index
    for name in ("search.sqlite", "history.sqlite"):
        (log_repo / ".git" / "declog" / name).unlink()
    assert hrun(log_repo, "why", "blimps")["results"][0]["id"] == fresh
    (log_repo / ".git" / "declog" / "search.sqlite").write_bytes(b"garbage")
    assert hrun(log_repo, "why", "blimps")["results"][0]["id"] == fresh


def test_why_without_fts5_ranks_the_same(log_repo: Path, run, hrun, answered, monkeypatch) -> None:
    from declog.core import search

    monkeypatch.setattr(search, "fts5_available", lambda: False)
    assert hrun(log_repo, "why", "orders", "database")["results"][0]["id"] == answered["db"]
    assert hrun(log_repo, "why", "queues")["results"][0]["id"] == answered["queue"]
    assert [r["id"] for r in hrun(log_repo, "why", "kafka")["results"]][:2] == [answered["queue"], answered["db"]]


def test_show_adds_git_facts(log_repo: Path, run, hrun, answered) -> None:
    data = hrun(log_repo, "show", answered["db"])
    assert data["git"]["created"]["by"] == "Alice Example"
    assert data["git"]["decided"]["by"] == "Bob Builder"
    assert data["git"]["last_changed"]["by"] == "Bob Builder"
    assert data["git"]["linked_commits"] == 2
    assert data["git"]["uncommitted_changes"] is False
    text = run(log_repo, "show", answered["db"]).stdout
    assert "created: 2026-01-10 by Alice Example" in text and "linked commits: 2" in text


def test_at_ref_answers_as_of_that_commit(log_repo: Path, run, hrun, answered) -> None:
    first = git(log_repo, "rev-list", "--max-parents=0", "HEAD").strip()
    shown = hrun(log_repo, "show", answered["db"], "--at", first)
    assert shown["status"] == "proposed" and "decided" not in shown["git"]
    listed = hrun(log_repo, "list", "--at", first)
    assert {r["status"] for r in listed} == {"proposed"}
    assert hrun(log_repo, "why", "mysql", "--at", first)["results"][0]["superseded_by"] == []
    res = run(log_repo, "show", answered["db"], "--at", "--output=/tmp/owned")
    assert res.exit_code == 2 and "not a revision" in res.stderr
    res = run(log_repo, "list", "--at", "no-such-branch")
    assert res.exit_code == 2 and "does not name a commit" in res.stderr
    # a record that did not exist yet at REF
    git(log_repo, "tag", "v1", first)
    later = new_decision(run, log_repo, "Later idea")
    commit(log_repo, "later", "2026-04-01T00:00:00Z")
    assert run(log_repo, "show", later, "--at", "v1").exit_code == 1
