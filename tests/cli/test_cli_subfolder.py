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
