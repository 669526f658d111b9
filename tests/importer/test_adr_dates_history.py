"""An imported decision is dated by its ADR's own history (retro, list --since, review), and its
history says what each markdown commit changed: sections, status, title."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Result
from tests.history.conftest import commit
from tests.importer.conftest import imported, show, write

ADR = "doc/adr/0001-cache-sessions.md"


def version(status: str, reasoning: list[str], title: str = "Cache sessions in Redis") -> str:
    return "\n".join([f"# 1. {title}", "", "## Status", "", status, "", "## Context", "",
                      "Logins are slow.", "", "## Decision", "", "Sessions go to Redis.", "",
                      "## Reasoning", "", *reasoning, ""])


@pytest.fixture
def adr_history_repo(repo: Path, run: Callable[..., Result]) -> Path:
    """2022-01-10 Ann proposes ADR 1; 2022-03-15 Bob accepts it and adds three lines of reasoning;
    2022-06-01 Cat retitles it; 2026-03-02 Dee imports the folder."""
    write(repo, ADR, version("Proposed", ["Redis is already running."]))
    commit(repo, "Propose ADR 1", "2022-01-10T09:00:00Z", author="Ann", email="ann@example.com")
    write(repo, ADR, version("Accepted", ["Redis is already running.", "", "It expires keys.",
                                          "It survives restarts.", "Ops know it."]))
    commit(repo, "Accept ADR 1", "2022-03-15T09:00:00Z", author="Bob", email="bob@example.com")
    write(repo, ADR, version("Accepted", ["Redis is already running.", "", "It expires keys.",
                                          "It survives restarts.", "Ops know it."],
                             title="Keep sessions in Redis"))
    commit(repo, "Retitle ADR 1", "2022-06-01T09:00:00Z", author="Cat", email="cat@example.com")
    assert run(repo, "init").exit_code == 0
    imported(run, repo, "doc/adr", "--owner", "dee")
    commit(repo, "Import the ADRs", "2026-03-02T10:00:00Z", author="Dee", email="dee@example.com")
    return repo


def retro(run: Callable[..., Result], repo: Path, since: str, until: str) -> tuple[int, dict[str, list[dict]]]:
    res = run(repo, "retro", "--since", since, "--until", until, "--format", "json")
    return res.exit_code, json.loads(res.stdout)["groups"]


def test_retro_dates_an_imported_decision_from_its_adr(adr_history_repo: Path, run: Callable[..., Result]) -> None:
    rid = show(run, adr_history_repo, "ADR-1")["id"]
    code, groups = retro(run, adr_history_repo, "2022-03-01", "2022-03-31")
    assert code == 0
    (item,) = groups["decided"]
    assert (item["id"], item["from_status"], item["to_status"], item["new"]) == (rid, "proposed", "accepted", False)
    assert (item["commit"]["author"], item["commit"]["date"][:10]) == ("Bob", "2022-03-15")
    code, groups = retro(run, adr_history_repo, "2022-01-01", "2022-01-31")
    assert [(i["id"], i["new"], i["commit"]["author"]) for i in groups["proposed"]] == [(rid, True, "Ann")]
    # the import commit is not when it was decided, nor by whom
    code, groups = retro(run, adr_history_repo, "2026-01-01", "2026-12-31")
    assert code == 1 and not any(groups.values())
    text = run(adr_history_repo, "retro", "--since", "2022-01-01", "--until", "2022-12-31").stdout
    assert "Bob" in text and "Dee" not in text and "2026-03-02" not in text


def test_list_since_uses_the_adr_date(adr_history_repo: Path, run: Callable[..., Result]) -> None:
    rid = show(run, adr_history_repo, "ADR-1")["id"]
    assert show(run, adr_history_repo, rid)["decided_on"] == "2022-03-15"  # Bob's accept commit
    listed = run(adr_history_repo, "list", "--since", "2022-03-01", "--format", "ids")
    assert listed.stdout.split() == [rid]
    later = run(adr_history_repo, "list", "--since", "2022-04-01", "--format", "ids")
    assert rid not in later.stdout.split()


def test_history_says_what_each_markdown_commit_changed(adr_history_repo: Path,
                                                         run: Callable[..., Result]) -> None:
    res = run(adr_history_repo, "history", "ADR-1")
    assert res.exit_code == 0, res.output
    text = res.stdout
    assert f"[{ADR}] status: Proposed → Accepted" in text
    assert f"[{ADR}] Reasoning: 3 lines added" in text
    assert f"[{ADR}] title: Cache sessions in Redis → Keep sessions in Redis" in text
    assert f"[{ADR}] created as Proposed" in text
    assert f"[{ADR}] edited" not in text
    entries = json.loads(run(adr_history_repo, "history", "ADR-1", "--format", "json").stdout)["changes"]
    reasoning = [c for e in entries for c in e["changes"] if c["field"] == "Reasoning"]
    assert [(c["change"], c["lines_added"], c["lines_removed"]) for c in reasoning] == [("lines", 3, 0)]


def test_review_dates_a_proposed_import_from_its_adr(repo: Path, run: Callable[..., Result]) -> None:
    write(repo, "doc/adr/0002-use-kafka.md", "# 2. Use Kafka\n\n## Status\n\nProposed\n\n## Context\n\nEvents.\n")
    commit(repo, "Propose ADR 2", "2022-01-10T09:00:00Z", author="Ann")
    assert run(repo, "init").exit_code == 0
    imported(run, repo, "doc/adr", "--owner", "dee")
    commit(repo, "Import the ADRs", "2026-03-02T10:00:00Z", author="Dee")
    res = run(repo, "review", "--as-of", "2026-03-05", "--format", "json")
    (waiting,) = json.loads(res.stdout)["awaiting_decision"]
    assert (waiting["id"], waiting["proposed_on"]) == (show(run, repo, "ADR-2")["id"], "2022-01-10")
