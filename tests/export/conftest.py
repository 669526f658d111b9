"""A log with a history worth exporting: a supersede chain, related decisions, an imported ADR
with aliases, a mechanism with an inspection, a correction of error, and commits by four people (one carrying a
``Decision:`` trailer)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import Result
from tests.history.conftest import commit, path_of

TRICKY_TITLE = 'Use "quotes" [brackets] | pipes & <b>tags</b> #1 \\ back'


@dataclass
class ExportLog:
    repo: Path
    pg: str  # Use Postgres for orders: accepted by Bob, then superseded by cockroach
    cockroach: str  # Use CockroachDB for orders: accepted, supersedes pg, linked by a trailer commit
    kafka: str  # Adopt Kafka for order events: proposed, owned by bob, related to pg
    tricky: str  # a title full of characters that markdown, mermaid and dot care about
    mongo: str  # rejected
    adr: str  # imported from doc/adr/0007-..., alias ADR-0007
    mechanism: str
    correction: str  # a correction of error whose action item names the mechanism
    commits: dict[str, str]


def _ok(res: Result) -> Result:
    assert res.exit_code == 0, res.output
    return res


def _new(run: Callable[..., Result], repo: Path, *args: str) -> str:
    return str(json.loads(_ok(run(repo, "new", *args, "--format", "json")).stdout)["id"])


@pytest.fixture
def export_log(log_repo: Path, run: Callable[..., Result]) -> ExportLog:
    repo = log_repo
    _ok(run(repo, "new", "owner", "bob", "--name", "Bob Builder"))
    commits: dict[str, str] = {}
    commits["setup"] = commit(repo, "Set up the decision log", "2026-01-05T09:00:00Z", author="Alice Example",
                              email="alice@example.com")
    pg = _new(run, repo, "decision", "Use Postgres for orders", "--owner", "alice", "--door", "two-way",
              "--context", "Orders need multi-row transactions.\n\nA | pipe and a [bracket] stay as written.",
              "--option", "DynamoDB: no multi-item transactions at our scale", "--option", "Postgres",
              "--tag", "storage")
    kafka = _new(run, repo, "decision", "Adopt Kafka for order events", "--owner", "bob", "--door", "two-way",
                 "--context", "Other teams need order events", "--related", pg)
    tricky = _new(run, repo, "decision", TRICKY_TITLE, "--owner", "alice", "--door", "two-way",
                  "--context", "```python\nprint('an unclosed fence')\n", "--related", kafka)
    commits["record"] = commit(repo, "Record the first decisions", "2026-01-10T09:00:00Z", author="Alice Example",
                               email="alice@example.com")
    _ok(run(repo, "set", pg, "status=accepted", "decision=Postgres 16 on RDS",
            "rationale=Transactions first; the team knows it", "decided_on=2026-02-01"))
    commits["accept"] = commit(repo, f"Accept the orders database decision\n\nDecision: {pg}",
                               "2026-02-01T10:00:00Z", author="Bob Builder", email="bob@example.com")
    cockroach = _new(run, repo, "decision", "Use CockroachDB for orders", "--owner", "alice", "--door", "two-way",
                     "--context", "One region went down for a day", "--status", "accepted",
                     "--decision", "CockroachDB across three regions", "--rationale", "Survive a region outage",
                     "--decided-on", "2026-03-01")
    _ok(run(repo, "supersede", pg, cockroach))
    mongo = _new(run, repo, "decision", "Use MongoDB for orders", "--owner", "bob", "--door", "two-way",
                 "--context", "Someone asked", "--status", "rejected")
    commits["supersede"] = commit(repo, "Move orders to CockroachDB", "2026-03-01T10:00:00Z",
                                  author="Carol Chen", email="carol@example.com")
    commits["linked"] = commit(repo, f"Connect orders to CockroachDB\n\nDecision: {cockroach}",
                               "2026-03-05T10:00:00Z", author="Dave Doe", email="dave@example.com",
                               allow_empty=True)
    adr_file = repo / "decisions" / "D-7adr07-record-architecture-decisions.yaml"
    adr_file.write_text(
        "id: D-7adr07\ntitle: Record architecture decisions\nstatus: accepted\nowner: alice\ndoor: two-way\n"
        "context: We need to record the architectural decisions made on this project.\n"
        "decision: We will use Architecture Decision Records.\n"
        "rationale: As described by Michael Nygard.\ndecided_on: 2025-06-01\naliases: [ADR-0007]\n"
        "source:\n  path: doc/adr/0007-record-architecture-decisions.md\n  format: nygard\n  number: 7\n"
        "  imported_on: 2026-03-06\n", encoding="utf-8")
    mechanism = _new(run, repo, "mechanism", "Weekly deploy review", "--owner", "alice",
                     "--problem", "Risky deploys reach production unreviewed", "--tool", "A checklist",
                     "--adoption", "The pipeline asks for it", "--cadence", "weekly",
                     "--input-metric", "reviewed_pct>=95 percent", "--output-metric", "incidents<=1 count",
                     "--origin", cockroach)
    _ok(run(repo, "inspect", mechanism, "--verdict", "working", "--metric", "reviewed_pct=97",
            "--metric", "incidents=0", "--on", "2026-03-09", "--note", "All | good"))
    correction = _new(run, repo, "correction", "Orders down | for a day", "--owner", "bob",
                      "--summary", "Orders failed in one region for a day.", "--occurred-on", "2026-02-20",
                      "--why", "Orders failed > The primary was in one region > Failover is manual",
                      "--root-cause", "Failover is manual", "--lesson", "Practise failover",
                      "--action", f"Adopt the deploy review; owner=alice; due=2026-04-01; mechanism={mechanism}")
    commits["import"] = commit(repo, "Import ADRs and add the deploy review", "2026-03-09T10:00:00Z",
                               author="Alice Example", email="alice@example.com")
    assert path_of(repo, pg).exists()
    assert _ok(run(repo, "validate")).exit_code == 0
    return ExportLog(repo, pg, cockroach, kafka, tricky, mongo, "D-7adr07", mechanism, correction, commits)


@dataclass
class ImportedAdr:
    repo: Path
    rid: str  # the decision imported from doc/adr/0003-use-kafka.md (ADR-0003)


@pytest.fixture
def imported_adr(log_repo: Path, run: Callable[..., Result]) -> ImportedAdr:
    """An adr-tools ADR proposed by Bob Builder (2024-05-02), accepted by Carol Chen (2024-05-09),
    then brought in by `declog import adr` (2026-03-02)."""
    adr = log_repo / "doc" / "adr" / "0003-use-kafka.md"
    adr.parent.mkdir(parents=True)
    body = "# 3. Use Kafka\n\nDate: 2024-05-02\n\n## Status\n\n{}\n\n## Context\n\nEvents.\n\n## Decision\n\nKafka.\n"
    adr.write_text(body.format("Proposed"), encoding="utf-8")
    commit(log_repo, "ADR 3: propose Kafka", "2024-05-02T09:00:00Z", author="Bob Builder")
    adr.write_text(body.format("Accepted"), encoding="utf-8")
    commit(log_repo, "ADR 3: accepted", "2024-05-09T09:00:00Z", author="Carol Chen")
    _ok(run(log_repo, "import", "adr", "doc/adr", "--owner", "alice"))
    commit(log_repo, "Import ADRs", "2026-03-02T10:00:00Z")
    rid = json.loads(_ok(run(log_repo, "show", "ADR-3", "--format", "json")).stdout)["id"]
    return ImportedAdr(log_repo, rid)
