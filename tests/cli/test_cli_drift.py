"""declog drift through the real command line: what it says about dead scopes."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import git, new_decision


def test_a_dead_scope_names_its_decisions_title_with_a_warm_cache(log_repo: Path, run) -> None:
    """The records drift reads are light once the parse cache is warm: the title comes from the
    light view, not from nothing (it printed `D-… ()`)."""
    rid = new_decision(run, log_repo, "Use Postgres for orders", "--scope", "src/gone/**")
    (log_repo / "README.md").write_text("# Orders\n", encoding="utf-8")
    git(log_repo, "add", "-A")
    git(log_repo, "commit", "-qm", "Record the orders store")
    for _ in range(2):  # cold, then warm
        res = run(log_repo, "drift")
        assert res.exit_code == 1, res.output
        assert f"scope 'src/gone/**' of {rid} (Use Postgres for orders) matches no tracked file" in res.stdout
        (dead,) = json.loads(run(log_repo, "drift", "--format", "json").stdout)["dead_scopes"]
        assert dead["title"] == "Use Postgres for orders"
