"""An imported decision keeps the git history of the markdown ADR it came from: `declog history`,
`show` and `why` say who proposed and who accepted it, and when, across folder renames."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import git, new_decision
from tests.history.conftest import commit, merge

RID = "D-7k3m9q"
OLD = "doc/adr/0007-use-postgres-for-orders.md"
NEW = "docs/architecture/decisions/0007-use-postgres-for-orders.md"


def nygard(status: str) -> str:
    return (
        "# 7. Use Postgres for orders\n\nDate: 2019-05-01\n\n## Status\n\n"
        f"{status}\n\n## Context\n\nOrders need multi-row transactions.\n\n"
        "## Decision\n\nWe will use Postgres 16.\n\n## Consequences\n\nThe team runs a database.\n"
    )


def imported_record(source_path: str, rid: str = RID, status: str = "accepted") -> str:
    """The decision record `declog import adr` writes for ADR 7 (written by hand here)."""
    decided = "decision: We will use Postgres 16.\nrationale: Transactions first\ndecided_on: 2019-05-01\n" \
        if status == "accepted" else ""
    return (
        f"id: {rid}\ntitle: Use Postgres for orders\nstatus: {status}\nowner: alice\ndoor: two-way\n"
        f"context: Orders need multi-row transactions.\n{decided}"
        f"aliases: [ADR-0007]\nsource:\n  path: {source_path}\n  format: nygard\n  number: 7\n"
        "  imported_on: 2026-03-03\n"
    )


def write(repo: Path, rel: str, text: str) -> Path:
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def adr_life(repo: Path, old: str = OLD, new: str = NEW) -> None:
    """Alice proposes ADR 7, Bob accepts it, Carol renames the ADR folder."""
    write(repo, old, nygard("Proposed"))
    commit(repo, "Propose ADR 7", "2019-05-01T09:00:00Z", author="Alice Example", email="alice@example.com")
    write(repo, old, nygard("Accepted"))
    commit(repo, "Accept ADR 7", "2019-05-08T15:30:00Z", author="Bob Builder", email="bob@example.com")
    (repo / new).parent.parent.mkdir(parents=True, exist_ok=True)
    git(repo, "mv", str(Path(old).parent), str(Path(new).parent))
    commit(repo, "Move ADRs next to the architecture docs", "2021-01-04T10:00:00Z", author="Carol")


@pytest.fixture
def imported(log_repo: Path) -> Path:
    adr_life(log_repo)
    write(log_repo, f"decisions/{RID}-use-postgres-for-orders.yaml", imported_record(NEW))
    commit(log_repo, "Import the ADRs into declog", "2026-03-03T12:00:00Z", author="Dana Importer")
    return log_repo


def test_history_goes_on_into_the_markdown_file(imported: Path, run, hrun) -> None:
    data = hrun(imported, "history", RID)
    changes = data["changes"]
    assert [(c["subject"], c["action"], c["source"]) for c in changes] == [
        ("Import the ADRs into declog", "created", False),
        ("Move ADRs next to the architecture docs", "renamed", True),
        ("Accept ADR 7", "changed", True),
        ("Propose ADR 7", "created", True),
    ]
    renamed, accepted, proposed = changes[1:]
    assert renamed["path"] == NEW and renamed["old_path"] == OLD
    assert accepted["author"] == "Bob Builder" and accepted["date"].startswith("2019-05-08")
    assert accepted["path"] == OLD and accepted["status"] == "accepted" and accepted["status_raw"] == "Accepted"
    assert [c["text"] for c in accepted["changes"]] == ["status: Proposed → Accepted"]
    assert proposed["author"] == "Alice Example" and proposed["status"] == "proposed"

    assert hrun(imported, "history", "adr-7") == data  # the ADR's number works as well as the ID
    text = run(imported, "history", RID[:5]).stdout
    assert f"    [{NEW}] renamed from {OLD}" in text
    assert f"    [{OLD}] status: Proposed → Accepted" in text
    assert f"    [{OLD}] created as Proposed" in text
    assert text.index("Import the ADRs") < text.index("Accept ADR 7") < text.index("Propose ADR 7")
    assert "2019-05-08  Bob Builder  Accept ADR 7" in text


def test_show_and_why_say_who_accepted_the_adr(imported: Path, run, hrun) -> None:
    facts = hrun(imported, "show", RID)["git"]
    assert facts["decided"]["by"] == "Bob Builder"
    assert facts["decided"]["on"] == "2019-05-08"
    assert facts["decided"]["source"] == OLD
    assert facts["created"]["by"] == "Dana Importer"  # the record itself was created by the import
    text = run(imported, "show", RID).stdout
    assert "decided: 2019-05-08 by Bob Builder (" in text and f"in {OLD}" in text

    answer = hrun(imported, "why", "postgres", "orders")["results"][0]
    assert answer["id"] == RID
    assert answer["decided"]["author"] == "Bob Builder" and answer["decided"]["source"] == OLD
    text = run(imported, "why", "postgres", "orders").stdout
    assert "decided 2019-05-08 by Bob Builder" in text and "(Accept ADR 7)" in text
    assert "recorded 2026-03-03 by Dana Importer" in text


def test_later_commits_are_added_to_what_the_index_kept(imported: Path, run, hrun) -> None:
    before = hrun(imported, "history", RID)  # walks the ADR's history and keeps it in .git/declog/
    write(imported, NEW, nygard("Superseded by [ADR 9](0009-use-cockroachdb.md)"))
    commit(imported, "Supersede ADR 7", "2026-04-01T09:00:00Z", author="Erin")
    (imported / "docs" / "archive").mkdir()
    git(imported, "mv", NEW, "docs/archive/0007-use-postgres-for-orders.md")
    commit(imported, "Archive ADR 7", "2026-04-02T09:00:00Z", author="Erin")
    data = hrun(imported, "history", RID)
    source = [c for c in data["changes"] if c["source"]]
    assert [(c["subject"], c["action"]) for c in source] == [
        ("Archive ADR 7", "renamed"), ("Supersede ADR 7", "changed"),
        ("Move ADRs next to the architecture docs", "renamed"), ("Accept ADR 7", "changed"),
        ("Propose ADR 7", "created"),
    ]
    assert source[0]["path"] == "docs/archive/0007-use-postgres-for-orders.md" and source[0]["old_path"] == NEW
    assert source[1]["status"] == "superseded"
    assert source[2:] == [c for c in before["changes"] if c["source"]]
    assert hrun(imported, "show", RID)["git"]["decided"]["by"] == "Bob Builder"  # still who accepted it
    shutil.rmtree(imported / ".git" / "declog")  # the index is a cache: the same answer without it
    assert hrun(imported, "history", RID) == data


def test_accepted_in_declog_after_import_wins(log_repo: Path, hrun) -> None:
    """Imported as proposed, accepted later with declog: that commit decided it."""
    write(log_repo, "doc/adr/0007-use-postgres-for-orders.md", nygard("Proposed"))
    commit(log_repo, "Propose ADR 7", "2019-05-01T09:00:00Z", author="Alice Example")
    rel = f"decisions/{RID}-use-postgres-for-orders.yaml"
    write(log_repo, rel, imported_record(OLD, status="proposed"))
    commit(log_repo, "Import", "2026-03-03T12:00:00Z", author="Dana Importer")
    write(log_repo, rel, imported_record(OLD, status="accepted"))
    commit(log_repo, "Accept the orders database", "2026-03-10T12:00:00Z", author="Erin")
    facts = hrun(log_repo, "show", RID)["git"]
    assert facts["decided"]["by"] == "Erin" and "source" not in facts["decided"]


def test_source_deleted_by_the_import_still_shows_its_history(log_repo: Path, run, hrun) -> None:
    adr_life(log_repo)
    write(log_repo, f"decisions/{RID}-use-postgres-for-orders.yaml", imported_record(NEW))
    commit(log_repo, "Import the ADRs into declog", "2026-03-03T12:00:00Z", author="Dana Importer")
    git(log_repo, "rm", "-q", "-r", "docs/architecture/decisions")
    commit(log_repo, "Drop the markdown ADRs", "2026-03-04T12:00:00Z", author="Dana Importer")
    data = hrun(log_repo, "history", RID)
    assert [(c["subject"], c["action"]) for c in data["changes"] if c["source"]] == [
        ("Drop the markdown ADRs", "deleted"),
        ("Move ADRs next to the architecture docs", "renamed"),
        ("Accept ADR 7", "changed"),
        ("Propose ADR 7", "created"),
    ]
    assert f"[{NEW}] deleted" in run(log_repo, "history", RID).stdout
    assert hrun(log_repo, "show", RID)["git"]["decided"]["by"] == "Bob Builder"


def test_branch_commits_keep_their_author_through_a_merge(log_repo: Path, hrun) -> None:
    write(log_repo, OLD, nygard("Proposed"))
    commit(log_repo, "Propose ADR 7", "2019-05-01T09:00:00Z", author="Alice Example")
    git(log_repo, "checkout", "-q", "-b", "accept")
    write(log_repo, OLD, nygard("Accepted"))
    commit(log_repo, "Accept ADR 7", "2019-05-08T15:30:00Z", author="Bob Builder")
    git(log_repo, "checkout", "-q", "main")
    write(log_repo, "README.md", "orders\n")
    commit(log_repo, "Readme", "2019-05-09T09:00:00Z", author="Carol")
    assert merge(log_repo, "accept", "2019-05-10T09:00:00Z", message="Merge accept").returncode == 0
    write(log_repo, f"decisions/{RID}-use-postgres-for-orders.yaml", imported_record(OLD))
    commit(log_repo, "Import", "2026-03-03T12:00:00Z", author="Dana Importer")
    source = [c for c in hrun(log_repo, "history", RID)["changes"] if c["source"]]
    assert [(c["subject"], c["author"]) for c in source] == [("Accept ADR 7", "Bob Builder"),
                                                             ("Propose ADR 7", "Alice Example")]
    assert hrun(log_repo, "show", RID)["git"]["decided"]["by"] == "Bob Builder"


def test_source_path_that_looks_like_an_option(log_repo: Path, hrun) -> None:
    path = "-adr/0007 *.md"  # passed after `--`, matched literally
    write(log_repo, path, nygard("Accepted"))
    commit(log_repo, "Accept ADR 7", "2019-05-08T15:30:00Z", author="Bob Builder")
    write(log_repo, "-adr/0008 other.md", nygard("Proposed"))
    commit(log_repo, "Propose ADR 8", "2019-06-01T15:30:00Z", author="Carol")
    write(log_repo, f"decisions/{RID}-use-postgres-for-orders.yaml", imported_record(path))
    commit(log_repo, "Import", "2026-03-03T12:00:00Z", author="Dana Importer")
    source = [c for c in hrun(log_repo, "history", RID)["changes"] if c["source"]]
    assert [(c["path"], c["action"], c["status"]) for c in source] == [(path, "created", "accepted")]
    assert hrun(log_repo, "show", RID)["git"]["decided"]["by"] == "Bob Builder"


def test_record_without_source_is_unaffected(log_repo: Path, run, hrun) -> None:
    write(log_repo, OLD, nygard("Accepted"))  # a markdown file nobody imported
    did = new_decision(run, log_repo)
    commit(log_repo, "Record it", "2026-03-03T12:00:00Z", author="Alice Example")
    data = hrun(log_repo, "history", did)
    assert [(c["action"], c["source"]) for c in data["changes"]] == [("created", False)]
    facts = hrun(log_repo, "show", did)["git"]
    assert "decided" not in facts


def test_missing_source_file_has_no_history(log_repo: Path, hrun) -> None:
    write(log_repo, f"decisions/{RID}-use-postgres-for-orders.yaml", imported_record("doc/adr/gone.md"))
    commit(log_repo, "Import", "2026-03-03T12:00:00Z", author="Dana Importer")
    data = hrun(log_repo, "history", RID)
    assert [c["source"] for c in data["changes"]] == [False]
    assert hrun(log_repo, "show", RID)["git"]["decided"]["by"] == "Dana Importer"  # the import is all git knows


def test_two_levels_of_renames_and_an_uncommitted_import(log_repo: Path, run, hrun) -> None:
    adr_life(log_repo, OLD, "doc/decisions/0007-use-postgres-for-orders.md")
    git(log_repo, "mv", "doc/decisions", "adr")
    commit(log_repo, "Flatten the ADR folder", "2023-06-01T10:00:00Z", author="Dana Importer")
    path = "adr/0007-use-postgres-for-orders.md"
    write(log_repo, f"decisions/{RID}-use-postgres-for-orders.yaml", imported_record(path))  # not committed
    data = hrun(log_repo, "history", RID)
    assert [(c.get("stage") or c["subject"], c["action"], c.get("old_path")) for c in data["changes"]] == [
        ("uncommitted", "created", None),
        ("Flatten the ADR folder", "renamed", "doc/decisions/0007-use-postgres-for-orders.md"),
        ("Move ADRs next to the architecture docs", "renamed", OLD),
        ("Accept ADR 7", "changed", None),
        ("Propose ADR 7", "created", None),
    ]
    facts = hrun(log_repo, "show", RID)["git"]
    assert facts["decided"]["by"] == "Bob Builder" and "created" not in facts


def test_end_to_end_with_declog_import_adr(log_repo: Path, run, hrun) -> None:
    adr_life(log_repo)
    res = run(log_repo, "import", "adr", "docs/architecture/decisions", "--owner", "alice")
    assert res.exit_code == 0, res.output
    commit(log_repo, "Import the ADRs into declog", "2026-03-03T12:00:00Z", author="Dana Importer")
    data = hrun(log_repo, "history", "ADR-0007")
    assert [(c["subject"], c["source"]) for c in data["changes"]][-1] == ("Propose ADR 7", True)
    assert hrun(log_repo, "show", "ADR-7")["git"]["decided"] == {
        "by": "Bob Builder", "on": "2019-05-08", "commit": git(log_repo, "rev-parse", "HEAD~2").strip(), "source": OLD}
    assert "decided 2019-05-08 by Bob Builder" in run(log_repo, "why", "postgres").stdout
