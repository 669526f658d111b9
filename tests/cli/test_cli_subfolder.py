"""Run from a sub-folder of the repository, declog prints paths relative to it, as git does."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import new_decision


def test_paths_are_relative_to_the_current_folder(log_repo: Path, run, monkeypatch) -> None:
    sub = log_repo / "services" / "orders"
    sub.mkdir(parents=True)
    res = run(sub, "new", "decision", "Use Postgres for orders", "--owner", "alice", "--door", "two-way",
              "--context", "c")
    assert res.exit_code == 0, res.output
    rid = res.stdout.split()[2].rstrip(":")
    assert res.stdout == f"Created decision {rid}: ../../decisions/{rid}-use-postgres-for-orders.yaml\n"
    shown = Path(res.stdout.rsplit(": ", 1)[1].strip())
    assert (sub / shown).resolve() == (log_repo / "decisions" / f"{rid}-use-postgres-for-orders.yaml").resolve()
    path = log_repo / "decisions" / f"{rid}-use-postgres-for-orders.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "colour: red\n", encoding="utf-8")
    res = run(sub, "validate")
    assert res.exit_code == 1
    assert res.stdout.startswith(f"../../decisions/{rid}-use-postgres-for-orders.yaml:")
    top = run(log_repo, "validate")
    assert top.stdout.startswith(f"decisions/{rid}-use-postgres-for-orders.yaml:")  # at the top: as before
    assert os.getcwd()  # the runner restores the folder


def test_at_the_top_nothing_changes(log_repo: Path, run) -> None:
    rid = new_decision(run, log_repo)
    assert run(log_repo, "show", rid).exit_code == 0


def test_every_command_that_prints_a_path_prints_it_from_here(log_repo: Path, run) -> None:
    """show, history, blame, why, context, inspect, import and the narrative commands, run in a
    sub-folder: every path they print for people is relative to it (JSON keeps repository paths)."""
    import json

    from tests.conftest import git

    sub = log_repo / "services" / "orders"
    (sub / "adr").mkdir(parents=True)
    (sub / "db.py").write_text("x = 1\n", encoding="utf-8")
    (sub / "adr" / "0001-use-kafka.md").write_text(
        "# 1. Use Kafka\n\nDate: 2024-01-01\n\n## Status\n\nAccepted\n\n## Context\n\nEvents\n\n## Decision\n\nKafka\n",
        encoding="utf-8")
    rid = new_decision(run, log_repo, "Use Postgres for orders", "--scope", "services/orders/**")
    rel = f"../../decisions/{rid}-use-postgres-for-orders.yaml"
    git(log_repo, "add", "-A")
    git(log_repo, "commit", "-q", "-m", f"Orders database\n\nDecision: {rid}")

    show = run(sub, "show", rid).stdout
    assert f"decision · {rel}\n" in show
    assert json.loads(run(sub, "show", rid, "--format", "json").stdout)["path"] == rel[len("../../"):]
    assert f"\n  {rel}\n" in run(sub, "history", rid).stdout
    blame = run(sub, "blame", "db.py")
    assert blame.exit_code == 0 and blame.stdout.startswith("db.py\n"), blame.output
    assert f" · {rel}\n" in run(sub, "why", "postgres", "orders").stdout
    assert f"({rel})" in run(sub, "context", "--format", "text", "db.py").stdout

    imported = run(sub, "import", "adr", "adr", "--owner", "alice")
    assert imported.exit_code == 0, imported.output
    assert "Imported 1 ADR(s) from adr (" in imported.stdout
    assert "\n  adr/0001-use-kafka.md → D-" in imported.stdout and "] ../../decisions/D-" in imported.stdout

    res = run(log_repo, "new", "mechanism", "Weekly deploy review", "--owner", "alice", "--status", "piloting",
              "--problem", "Risky deploys", "--no-input", "--format", "json")
    mid = json.loads(res.stdout)["id"]
    inspected = run(sub, "inspect", mid, "--verdict", "working")
    assert inspected.exit_code == 0 and ": ../../decisions/inspections/" in inspected.stdout, inspected.output
    story = run(sub, "new", "narrative", "Orders ships one-click reorder", "--owner", "alice", "--no-input")
    assert story.exit_code == 0 and ": ../../decisions/narratives/N-" in story.stdout, story.output


def test_history_entries_blame_and_context_reasons_and_drift_are_relative_too(log_repo: Path, run) -> None:
    """The paths inside a history entry, a blame or context reason and a drift finding follow
    the same rule as the rest when run in a sub-folder; their JSON keeps repository paths."""
    import json

    from tests.conftest import git

    sub = log_repo / "services" / "orders"
    sub.mkdir(parents=True)
    (sub / "db.py").write_text("x = 1\n", encoding="utf-8")
    rid = new_decision(run, log_repo, "Use Postgres for orders", "--scope", "services/orders/**", "--scope", "gone/**")
    mongo = new_decision(run, log_repo, "Use Mongo", "--status", "rejected")
    record = f"decisions/{rid}-use-postgres-for-orders.yaml"
    git(log_repo, "add", "-A")
    git(log_repo, "commit", "-qm", "Orders database")
    git(log_repo, "checkout", "-qb", "orders")
    (sub / "db.py").write_text(f"x = 2  # as {mongo} says\n", encoding="utf-8")
    assert run(log_repo, "set", rid, "review_by=2027-01-15").exit_code == 0
    git(log_repo, "commit", "-qam", f"Change db\n\nDecision: {rid}")

    history = run(sub, "history", rid).stdout
    assert f"    created as proposed (../../{record})\n" in history
    changes = json.loads(run(sub, "history", rid, "--format", "json").stdout)["changes"]
    assert {c["path"] for c in changes} == {record}

    blame = run(sub, "blame", "db.py")
    assert "    scope 'services/orders/**' matches db.py\n" in blame.stdout, blame.output
    reasons = json.loads(run(sub, "blame", "db.py", "--format", "json").stdout)["decisions"][0]["reasons"]
    assert "scope 'services/orders/**' matches services/orders/db.py" in [r["text"] for r in reasons]
    branch = run(sub, "blame", "--changed-since", "main")
    assert branch.stdout.startswith("changes since main\n"), branch.output  # a title, not a path
    assert f"    the record itself changed on this branch (../../{record})\n" in branch.stdout
    assert "    scope 'services/orders/**' matches db.py\n" in branch.stdout

    text = run(sub, "context", "--changed-since", "main", "--format", "text").stdout
    assert "  - scope 'services/orders/**' matches db.py\n" in text
    assert f"  cited but not in force: db.py:1: {mongo} (Use Mongo) is rejected\n" in text
    assert f"({'../../' + record})\n" in text
    ctx = json.loads(run(sub, "context", "--changed-since", "main", "--format", "json").stdout)
    assert ctx["cited"][0]["path"] == "services/orders/db.py"
    assert any(r.get("file") == "services/orders/db.py" and r["text"].endswith("matches services/orders/db.py")
               for d in ctx["decisions"] for r in d["reasons"])

    drift = run(sub, "drift")
    assert f"  - db.py:1: {mongo} (Use Mongo) is rejected\n" in drift.stdout, drift.output
    assert f"  - ../../{record}: scope 'gone/**' of {rid} (Use Postgres for orders) matches no tracked file\n" \
        in drift.stdout
    found = json.loads(run(sub, "drift", "--format", "json").stdout)
    assert found["references"][0]["path"] == "services/orders/db.py"
    assert found["dead_scopes"][0]["path"] == record
    top = run(log_repo, "drift").stdout  # at the top: as before
    assert f"  - services/orders/db.py:1: {mongo} (Use Mongo) is rejected\n" in top

    review = run(sub, "review").stdout  # the review's Drift section reads as `drift` does
    assert f"  - db.py:1: {mongo} (Use Mongo) is rejected\n" in review, review
    assert f"../../{record}: scope 'gone/**' of {rid} (Use Postgres for orders) matches no tracked file" in review
    reviewed = json.loads(run(sub, "review", "--format", "json").stdout)
    assert reviewed["drift"]["references"][0]["path"] == "services/orders/db.py"
