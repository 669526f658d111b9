"""declog new owner: people and teams."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.helpers import snapshot


def owner_file(repo: Path, handle: str) -> str:
    return (repo / "decisions" / "owners" / f"{handle}.yaml").read_text(encoding="utf-8")


def test_a_person(log_repo: Path, run) -> None:
    res = run(log_repo, "new", "owner", "bob", "--name", "Bob Builder", "--email", "bob@example.com")
    assert res.exit_code == 0, res.output
    assert res.stdout == "Created owner bob: decisions/owners/bob.yaml\n"
    assert owner_file(log_repo, "bob") == (
        "# yaml-language-server: $schema=../.schemas/owner.schema.json\n"
        "handle: bob\nname: Bob Builder\nemail: bob@example.com\n"
    )
    assert (log_repo / "decisions" / "owners" / "../.schemas/owner.schema.json").is_file()


def test_a_team_with_its_lead_and_a_member(log_repo: Path, run) -> None:
    res = run(log_repo, "new", "owner", "platform", "--kind", "team", "--name", "Platform", "--lead", "alice",
              "--format", "json")
    assert res.exit_code == 0, res.output
    body = json.loads(res.stdout)
    assert (body["id"], body["path"], body["name"], body["lead"]) == (
        "platform", "decisions/owners/platform.yaml", "Platform", "alice")
    assert "kind: team\nlead: alice\n" in owner_file(log_repo, "platform")
    assert run(log_repo, "new", "owner", "bob", "--name", "Bob", "--team", "platform").exit_code == 0
    assert "team: platform\n" in owner_file(log_repo, "bob")
    assert run(log_repo, "validate").exit_code == 0


def test_a_team_needs_a_lead_who_exists(log_repo: Path, run) -> None:
    before = snapshot(log_repo)
    res = run(log_repo, "new", "owner", "platform", "--kind", "team", "--name", "Platform")
    assert res.exit_code == 1 and "a team needs a `lead`" in res.stderr
    res = run(log_repo, "new", "owner", "platform", "--kind", "team", "--name", "Platform", "--lead", "ghost")
    assert res.exit_code == 1 and "unknown owner 'ghost'" in res.stderr
    res = run(log_repo, "new", "owner", "bob", "--name", "Bob", "--team", "alice")
    assert res.exit_code == 1 and "'alice' is not a team" in res.stderr
    assert snapshot(log_repo) == before


def test_a_duplicate_handle_is_refused(log_repo: Path, run) -> None:
    before = snapshot(log_repo)
    res = run(log_repo, "new", "owner", "alice", "--name", "Another Alice")
    assert res.exit_code == 2 and "'alice' already exists" in res.stderr
    assert snapshot(log_repo) == before


def test_name_is_required_without_a_terminal(log_repo: Path, run) -> None:
    res = run(log_repo, "new", "owner", "bob")
    assert res.exit_code == 2 and "missing --name" in res.stderr
    res = run(log_repo, "new", "owner", "--name", "Bob")
    assert res.exit_code == 2 and "give the owner's HANDLE" in res.stderr


def test_from_a_file(log_repo: Path, run, tmp_path: Path) -> None:
    source = tmp_path / "carol.yaml"
    source.write_text("handle: carol\nname: Carol\nemail: carol@example.com\nactive: false\n", encoding="utf-8")
    res = run(log_repo, "new", "owner", "--from-file", str(source))
    assert res.exit_code == 0, res.output
    assert "active: false\n" in owner_file(log_repo, "carol")
    res = run(log_repo, "show", "carol", "--format", "json")
    assert json.loads(res.stdout)["email"] == "carol@example.com"


def test_a_bad_email(log_repo: Path, run) -> None:
    res = run(log_repo, "new", "owner", "bob", "--name", "Bob", "--email", "not-an-email")
    assert res.exit_code == 1 and "email" in res.stderr
    assert not (log_repo / "decisions" / "owners" / "bob.yaml").exists()
