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
