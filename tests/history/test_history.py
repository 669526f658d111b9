"""`declog history` on real repositories: renames, moves, merges, staged and uncommitted work."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import git, new_decision
from tests.history.conftest import commit, merge, path_of, set_line


def texts(entry: dict) -> list[str]:
    return [c["text"] for c in entry["changes"]]


def test_rename_and_rewrite_in_one_commit_keeps_whole_history(log_repo: Path, run, hrun) -> None:
    did = new_decision(run, log_repo, "Use Postgres for orders")
    commit(log_repo, "Record the orders database decision", "2026-02-01T09:00:00Z", author="Alice Example")
    old = path_of(log_repo, did)
    set_line(old, "status", "accepted")
    set_line(old, "decision", "Postgres 16")
    set_line(old, "rationale", "Transactions and the team knows it")
    set_line(old, "decided_on", "2026-03-02")
    commit(log_repo, "Accept it", "2026-03-02T09:00:00Z", author="Bob Builder")
    # rename AND rewrite almost every line: git sees a delete plus an add, not a rename
    (log_repo / "decisions" / "storage").mkdir()
    new = log_repo / "decisions" / "storage" / "orders-db.yaml"
    new.write_text(
        f"id: {did}\ntitle: Adopt PostgreSQL for every order table\nstatus: accepted\nowner: alice\n"
        "door: two-way\ncontext: Orders need strong transactions, joins and reporting\n"
        "decision: PostgreSQL 16 on managed hosting\nrationale: Transactions and the team knows it\n"
        "decided_on: 2026-03-02\ntags: [storage]\n"
    )
    old.unlink()
    commit(log_repo, "Move and rewrite", "2026-04-01T09:00:00Z", author="Carol")
    raw = git(log_repo, "log", "-M", "--name-status", "--format=", "-1")
    assert raw.startswith("A") or "\nA" in raw or raw.startswith("D"), raw  # git itself lost the rename

    data = hrun(log_repo, "history", did)
    commits = [e for e in data["changes"] if "commit" in e]
    assert [e["subject"] for e in commits] == ["Move and rewrite", "Accept it", "Record the orders database decision"]
    assert commits[-1]["action"] == "created" and commits[-1]["author"] == "Alice Example"
    assert commits[0]["old_path"].endswith(old.name) and commits[0]["path"] == "decisions/storage/orders-db.yaml"
    assert "status: proposed → accepted" in texts(commits[1])
    assert "title: Use Postgres for orders → Adopt PostgreSQL for every order table" in texts(commits[0])
    assert 'tags: + "storage"' in texts(commits[0])
    res = run(log_repo, "history", did[2:5])  # a unique prefix
    assert res.exit_code == 0
    lines = res.stdout.splitlines()
    assert lines[0].startswith(did)
    assert any("created as proposed" in line for line in lines)
    assert res.stdout.index("Move and rewrite") < res.stdout.index("Accept it") < res.stdout.index("created as")


def test_record_moved_to_another_folder(log_repo: Path, run, hrun) -> None:
    did = new_decision(run, log_repo)
    commit(log_repo, "add", "2026-01-01T00:00:00Z")
    src = path_of(log_repo, did)
    (log_repo / "decisions" / "archive").mkdir()
    git(log_repo, "mv", str(src), str(log_repo / "decisions" / "archive" / src.name))
    commit(log_repo, "archive it", "2026-01-02T00:00:00Z")
    data = hrun(log_repo, "history", did)
    assert [e["action"] for e in data["changes"]] == ["moved", "created"]
    assert data["changes"][0]["path"] == f"decisions/archive/{src.name}"
    assert data["path"] == f"decisions/archive/{src.name}"


def test_conflict_resolved_in_merge_is_visible(log_repo: Path, run, hrun) -> None:
    did = new_decision(run, log_repo)
    commit(log_repo, "add", "2026-01-01T00:00:00Z")
    path = path_of(log_repo, did)
    git(log_repo, "checkout", "-q", "-b", "other")
    set_line(path, "status", "rejected")
    commit(log_repo, "reject on branch", "2026-01-02T00:00:00Z")
    git(log_repo, "checkout", "-q", "main")
    set_line(path, "status", "deprecated")
    commit(log_repo, "deprecate on main", "2026-01-03T00:00:00Z")
    res = merge(log_repo, "other", "2026-01-04T00:00:00Z")
    assert res.returncode != 0  # a real conflict
    set_path_text = path.read_text()
    resolved = "\n".join(
        line for line in set_path_text.splitlines() if not line.startswith(("<<<<<<<", "=======", ">>>>>>>"))
        and not line.startswith("status:")
    ) + "\nstatus: proposed\n"
    path.write_text(resolved)
    commit(log_repo, "Merge other, keep it proposed", "2026-01-04T00:00:00Z")
    data = hrun(log_repo, "history", did)
    subjects = [e["subject"] for e in data["changes"]]
    assert subjects[0] == "Merge other, keep it proposed"
    assert data["changes"][0]["merge"] is True
    assert "status: deprecated → proposed" in texts(data["changes"][0])
    assert "reject on branch" in subjects and "deprecate on main" in subjects
    text = run(log_repo, "history", did).stdout
    assert "(resolved in the merge)" in text


def test_two_branches_add_and_change_then_merge(log_repo: Path, run, hrun) -> None:
    base = new_decision(run, log_repo, "Shared base decision")
    commit(log_repo, "base", "2026-01-01T00:00:00Z")
    git(log_repo, "checkout", "-q", "-b", "feature")
    a = new_decision(run, log_repo, "Feature side decision")
    commit(log_repo, "feature: add", "2026-01-02T00:00:00Z")
    set_line(path_of(log_repo, a), "tags", "[feature]")
    set_line(path_of(log_repo, base), "consequences", "Feature branch consequence")
    commit(log_repo, "feature: change", "2026-01-03T00:00:00Z")
    git(log_repo, "checkout", "-q", "main")
    b = new_decision(run, log_repo, "Main side decision")
    commit(log_repo, "main: add", "2026-01-02T12:00:00Z")
    set_line(path_of(log_repo, b), "tags", "[main]")
    set_line(path_of(log_repo, base), "title", "Shared base decision, renamed")
    commit(log_repo, "main: change", "2026-01-03T12:00:00Z")
    assert merge(log_repo, "feature", "2026-01-05T00:00:00Z").returncode == 0

    ha = hrun(log_repo, "history", a)
    assert [e["subject"] for e in ha["changes"]] == ["feature: change", "feature: add"]  # no merge duplicate
    hb = hrun(log_repo, "history", b)
    assert [e["subject"] for e in hb["changes"]] == ["main: change", "main: add"]
    hbase = hrun(log_repo, "history", base)
    assert [e["subject"] for e in hbase["changes"]] == ["main: change", "feature: change", "base"]
    assert ["consequences: set to Feature branch consequence"] == texts(hbase["changes"][1])


def test_staged_and_uncommitted_changes_show_as_such(log_repo: Path, run, hrun) -> None:
    did = new_decision(run, log_repo)
    commit(log_repo, "add", "2026-01-01T00:00:00Z")
    path = path_of(log_repo, did)
    set_line(path, "tags", "[staged-tag]")
    git(log_repo, "add", "-A")
    set_line(path, "status", "rejected")
    data = hrun(log_repo, "history", did)
    stages = [e.get("stage") for e in data["changes"]]
    assert stages[:2] == ["uncommitted", "staged"]
    assert texts(data["changes"][0]) == ["status: proposed → rejected"]
    assert texts(data["changes"][1]) == ['tags: + "staged-tag"']
    # a brand-new record, never committed
    fresh = new_decision(run, log_repo, "Brand new idea")
    data = hrun(log_repo, "history", fresh)
    assert [(e["stage"], e["action"]) for e in data["changes"]] == [("uncommitted", "created")]


def test_mailmap_applies_to_authors(log_repo: Path, run, hrun) -> None:
    did = new_decision(run, log_repo)
    (log_repo / ".mailmap").write_text("Alice Example <alice@example.com> <old-alice@example.com>\n")
    commit(log_repo, "add", "2026-01-01T00:00:00Z", author="al", email="old-alice@example.com")
    data = hrun(log_repo, "history", did)
    assert data["changes"][0]["author"] == "Alice Example"
    assert data["changes"][0]["email"] == "alice@example.com"


def test_deleted_record_history_and_unknown_id(log_repo: Path, run, hrun) -> None:
    did = new_decision(run, log_repo)
    commit(log_repo, "add", "2026-01-01T00:00:00Z")
    path_of(log_repo, did).unlink()
    commit(log_repo, "drop it", "2026-01-02T00:00:00Z")
    data = hrun(log_repo, "history", did)
    assert [e["action"] for e in data["changes"]] == ["deleted", "created"]
    res = run(log_repo, "history", "D-zzzzzz")
    assert res.exit_code == 1 and "no record matches" in res.stderr


def test_index_stale_or_deleted_between_calls(log_repo: Path, run, hrun) -> None:
    did = new_decision(run, log_repo)
    first = commit(log_repo, "add", "2026-01-01T00:00:00Z")
    assert len(hrun(log_repo, "history", did)["changes"]) == 1
    index = log_repo / ".git" / "declog" / "history.sqlite"
    assert index.exists()
    set_line(path_of(log_repo, did), "tags", "[one]")
    commit(log_repo, "tag it", "2026-01-02T00:00:00Z")
    assert [e["subject"] for e in hrun(log_repo, "history", did)["changes"]] == ["tag it", "add"]  # incremental
    git(log_repo, "reset", "-q", "--hard", first)  # HEAD moved backwards: no longer a descendant
    assert [e["subject"] for e in hrun(log_repo, "history", did)["changes"]] == ["add"]
    index.unlink()
    assert [e["subject"] for e in hrun(log_repo, "history", did)["changes"]] == ["add"]
    index.write_bytes(b"this is not a database")
    assert [e["subject"] for e in hrun(log_repo, "history", did)["changes"]] == ["add"]


def test_history_in_repository_without_commits(log_repo: Path, run, hrun) -> None:
    did = new_decision(run, log_repo)
    data = hrun(log_repo, "history", did)
    assert [e["stage"] for e in data["changes"]] == ["uncommitted"]
