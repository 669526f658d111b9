"""Complete answers: who rejected, superseded or deprecated a decision and when (from git), with
the reasons; blame names the replacement; retro lists owner handovers; list dates rejections."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import git, new_decision


def commit_as(repo: Path, name: str, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "-c", f"user.name={name}", "-c", "user.email=x@example.com", "commit", "-q", "-m", message,
        "--author", f"{name} <x@example.com>")


def _superseded(log_repo: Path, run) -> tuple[str, str]:
    old = new_decision(run, log_repo, "Use Postgres for orders", "--scope", "services/orders/**")
    commit_as(log_repo, "Alice Example", "Propose Postgres")
    new = new_decision(run, log_repo, "Use CockroachDB for orders")
    assert run(log_repo, "set", new, "status=accepted", "decision=CockroachDB",
               "rationale=Orders go multi-region").exit_code == 0
    assert run(log_repo, "supersede", old, new).exit_code == 0
    commit_as(log_repo, "Bob Builder", "Replace Postgres by CockroachDB")
    return old, new


def test_show_and_why_say_who_superseded_it_and_why(log_repo: Path, run) -> None:
    old, new = _superseded(log_repo, run)
    shown = run(log_repo, "show", old).stdout
    assert "superseded: " in shown and " by Bob Builder (" in shown and "Replace Postgres by CockroachDB)" in shown
    facts = json.loads(run(log_repo, "show", old, "--format", "json").stdout)["git"]
    assert facts["superseded"]["by"] == "Bob Builder"
    answer = run(log_repo, "why", "postgres", "orders").stdout
    first = answer.split("\n2. ")[0]
    assert f"1. {old}  Use Postgres for orders" in first
    assert "   superseded " in first and " by Bob Builder in " in first
    assert "because: Orders go multi-region" in first
    data = json.loads(run(log_repo, "why", "postgres", "orders", "--format", "json").stdout)
    mine = next(a for a in data["results"] if a["id"] == old)
    assert mine["ended"]["status"] == "superseded" and mine["ended"]["author"] == "Bob Builder"


def test_show_says_who_rejected_it(log_repo: Path, run) -> None:
    rid = new_decision(run, log_repo, "Use MongoDB for orders")
    commit_as(log_repo, "Alice Example", "Propose MongoDB")
    assert run(log_repo, "set", rid, "status=rejected", "rationale=Orders need transactions").exit_code == 0
    commit_as(log_repo, "Carol Chen", "Reject MongoDB")
    shown = run(log_repo, "show", rid).stdout
    assert "rejected: " in shown and "by Carol Chen" in shown and "Orders need transactions" in shown
    listed = json.loads(run(log_repo, "list", "--status", "rejected", "--format", "json").stdout)
    assert listed[0]["decided_on"]  # list dates rejected decisions
    table = run(log_repo, "list", "--status", "rejected").stdout
    assert listed[0]["decided_on"] in table


def test_blame_shows_the_replacement(log_repo: Path, run) -> None:
    old, new = _superseded(log_repo, run)
    (log_repo / "services" / "orders").mkdir(parents=True)
    (log_repo / "services" / "orders" / "db.py").write_text("POOL = 10\n", encoding="utf-8")
    commit_as(log_repo, "Alice Example", "Orders pool")
    res = run(log_repo, "blame", "services/orders/db.py")
    assert res.exit_code == 0, res.output
    line = next(line for line in res.stdout.splitlines() if line.startswith(old))
    assert line.endswith(f"→ replaced by {new}")


def test_retro_lists_owner_handovers(log_repo: Path, run) -> None:
    assert run(log_repo, "new", "owner", "bob", "--name", "Bob").exit_code == 0
    rid = new_decision(run, log_repo, "Use Redis for sessions")
    commit_as(log_repo, "Alice Example", "Propose Redis")
    assert run(log_repo, "set", rid, "owner=bob").exit_code == 0
    commit_as(log_repo, "Alice Example", "Hand Redis over to Bob")
    text = run(log_repo, "retro").stdout
    assert "\nOwner handovers (1)\n" in text
    assert f"  {rid} Use Redis for sessions — alice → bob on " in text and text.rstrip().endswith("by Alice Example")
    data = json.loads(run(log_repo, "retro", "--format", "json").stdout)
    items = [i for group in data["groups"].values() for i in group]
    assert [(h["from"], h["to"]) for i in items for h in i["handovers"]] == [("alice", "bob")]
    md = run(log_repo, "retro", "--format", "markdown").stdout
    assert "## Owner handovers (1)" in md
