"""declog show: one record by ID, handle or prefix, as text, JSON or the file itself."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.helpers import record_file
from tests.conftest import new_decision


def test_show_json_by_prefix(log_repo: Path, run) -> None:
    did = new_decision(run, log_repo, "Use Postgres for orders", "--tag", "storage")
    res = run(log_repo, "show", did[2:5], "--format", "json")
    assert res.exit_code == 0, res.output
    body = json.loads(res.stdout)
    assert isinstance(body.pop("git", {}), dict)  # what git knows (tested with the history commands)
    assert body == {
        "id": did, "kind": "decision", "path": record_file(log_repo, did).relative_to(log_repo).as_posix(),
        "title": "Use Postgres for orders", "status": "proposed", "owner": "alice", "door": "two-way",
        "context": "Orders need transactions", "tags": ["storage"],
    }


def test_show_yaml_is_the_file_itself(log_repo: Path, run) -> None:
    did = new_decision(run, log_repo)
    path = record_file(log_repo, did)
    path.write_text(path.read_text(encoding="utf-8") + "# a hand-written comment\n", encoding="utf-8")
    res = run(log_repo, "show", did.lower(), "--format", "yaml")
    assert res.exit_code == 0
    assert res.stdout == path.read_text(encoding="utf-8")


def test_show_text_for_people(log_repo: Path, run) -> None:
    did = new_decision(run, log_repo, "Use Postgres", "--option", "DynamoDB: no transactions",
                       "--consequences", "line one")
    res = run(log_repo, "show", did)
    assert res.exit_code == 0
    lines = res.stdout.splitlines()
    assert lines[0] == f"{did}  Use Postgres"
    assert lines[1] == f"  decision · {record_file(log_repo, did).relative_to(log_repo).as_posix()}"
    assert "status: proposed" in lines and "owner: alice" in lines and "door: two-way" in lines
    assert "options:" in lines and "  - title: DynamoDB" in lines and "    why_not: no transactions" in lines


def test_show_an_owner_by_handle(log_repo: Path, run) -> None:
    res = run(log_repo, "show", "alice", "--format", "json")
    assert res.exit_code == 0
    body = json.loads(res.stdout)
    body.pop("git", None)
    assert body == {"id": "alice", "kind": "owner", "path": "decisions/owners/alice.yaml",
                                      "handle": "alice", "name": "Alice Example"}
    assert run(log_repo, "show", "alice").stdout.startswith("alice  Alice Example\n")


def test_show_from_a_subfolder_keeps_paths_relative_to_the_root(log_repo: Path, run) -> None:
    did = new_decision(run, log_repo)
    res = run(log_repo / "decisions" / "owners", "show", did, "--format", "json")
    assert json.loads(res.stdout)["path"] == record_file(log_repo, did).relative_to(log_repo).as_posix()


def test_show_unknown_and_ambiguous(log_repo: Path, run) -> None:
    res = run(log_repo, "show", "nobody")
    assert res.exit_code == 1 and "no record matches 'nobody'" in res.stderr
    assert run(log_repo, "new", "owner", "alex", "--name", "Alex").exit_code == 0
    res = run(log_repo, "show", "al")
    assert res.exit_code == 2 and "'al' is ambiguous: it matches 2 records (alex, alice)" in res.stderr
    assert run(log_repo, "show", "ale").stdout.startswith("alex  Alex\n")
