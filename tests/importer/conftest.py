"""ADR folders as real git repositories, with the history teams actually have: statuses changed
in later commits, a renamed folder, gaps and duplicate numbers, index and template files."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Result, git
from tests.history.conftest import commit


def write(repo: Path, rel: str, text: str) -> None:
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def nygard(number: int, title: str, status: str, *, date: str | None = None, context: str | None = "Why not.",
           decision: str | None = "We will.", extra_status: str = "") -> str:
    """An ADR as adr-tools writes it."""
    lines = [f"# {number}. {title}", ""]
    if date is not None:
        lines += [f"Date: {date}", ""]
    lines += ["## Status", "", status, ""]
    if extra_status:
        lines += [extra_status, ""]
    if context is not None:
        lines += ["## Context", "", context, ""]
    if decision is not None:
        lines += ["## Decision", "", decision, ""]
    lines += ["## Consequences", "", "Some follow.", ""]
    return "\n".join(lines)


def imported(run: Callable[..., Result], repo: Path, *args: str) -> dict[str, Any]:
    """``declog import adr ARGS --format json``, which must succeed; the parsed report."""
    res = run(repo, "import", "adr", *args, "--format", "json")
    assert res.exit_code == 0, res.output
    return dict(json.loads(res.stdout))


def by_path(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["path"]: f for f in report["files"]}


def show(run: Callable[..., Result], repo: Path, query: str) -> dict[str, Any]:
    res = run(repo, "show", query, "--format", "json")
    assert res.exit_code == 0, res.output
    return dict(json.loads(res.stdout))


def guessed(entry: dict[str, Any], name: str) -> list[str]:
    return [g["reason"] for g in entry["guesses"] if g["field"] == name]


@pytest.fixture
def adr_tools_repo(repo: Path, run: Callable[..., Result]) -> Path:
    """An adr-tools log with five years of history.

    2018-03-01 (ann)  0001 accepted with a Date; 0002 and 0003 proposed, no Date
    2018-05-10 (bob)  0002 accepted; 0003 "✅ Accepted"
    2019-01-05 (ann)  0005 supersedes 0002 ("March 3, 2019"); 0002 "Superseded by [5. ...]"; no 0004
    2020-02-02 (ann)  git mv doc/adr docs/decisions
    2020-03-03 (cat)  README.md, template.md, two ADRs numbered 6, 0007 "Approved" dated 03/04/2019
    """
    write(repo, "doc/adr/0001-record-architecture-decisions.md", nygard(
        1, "Record architecture decisions", "Accepted", date="2018-03-01",
        context="We need to record the architectural decisions made on this project.",
        decision="We will use Architecture Decision Records, as described by Michael Nygard."))
    write(repo, "doc/adr/0002-use-postgres.md", nygard(
        2, "Use Postgres for orders", "Proposed", context="Orders need multi-row transactions.",
        decision="We will use Postgres 10."))
    write(repo, "doc/adr/0003-use-kafka.md", nygard(
        3, "Use Kafka for events", "Proposed", context="Services need to publish events.", decision="Kafka."))
    commit(repo, "Start the ADR log", "2018-03-01T09:00:00Z", author="Ann", email="ann@example.com")
    write(repo, "doc/adr/0002-use-postgres.md", nygard(
        2, "Use Postgres for orders", "Accepted", context="Orders need multi-row transactions.",
        decision="We will use Postgres 10."))
    write(repo, "doc/adr/0003-use-kafka.md", nygard(
        3, "Use Kafka for events", "✅ Accepted", context="Services need to publish events.", decision="Kafka."))
    commit(repo, "Accept 2 and 3", "2018-05-10T09:00:00Z", author="Bob", email="bob@example.com")
    write(repo, "doc/adr/0005-use-cockroachdb.md", nygard(
        5, "Use CockroachDB for orders", "Accepted", date="March 3, 2019",
        extra_status="Supersedes [2. Use Postgres for orders](0002-use-postgres.md)",
        context="Postgres does not scale out writes.", decision="CockroachDB."))
    write(repo, "doc/adr/0002-use-postgres.md", nygard(
        2, "Use Postgres for orders", "Superseded by [5. Use CockroachDB for orders](0005-use-cockroachdb.md)",
        context="Orders need multi-row transactions.", decision="We will use Postgres 10."))
    commit(repo, "Supersede 2 by 5", "2019-01-05T09:00:00Z", author="Ann", email="ann@example.com")
    (repo / "docs").mkdir()
    git(repo, "mv", "doc/adr", "docs/decisions")
    commit(repo, "Move the ADRs", "2020-02-02T09:00:00Z", author="Ann", email="ann@example.com")
    write(repo, "docs/decisions/README.md", "# Architecture decisions\n\n* [1. Record](0001-record-architecture-decisions.md)\n")
    write(repo, "docs/decisions/template.md", nygard(0, "TITLE", "STATUS", date="DATE"))
    write(repo, "docs/decisions/0006-use-grpc.md", nygard(6, "Use gRPC between services", "Pending review",
                                                           date="2020-03-01"))
    write(repo, "docs/decisions/0006-use-rest.md", nygard(6, "Use REST at the edge", "Partly superseded",
                                                           date="2020-03-02"))
    write(repo, "docs/decisions/0007-use-terraform.md", nygard(7, "Use Terraform", "Approved.", date="03/04/2019",
                                                                context=None))
    commit(repo, "More ADRs", "2020-03-03T09:00:00Z", author="Cat", email="cat@example.com")
    assert run(repo, "init").exit_code == 0
    return repo


MADR3 = """\
---
status: accepted
date: 2022-05-03
deciders: [Alice Smith, bob]
consulted: carol@example.com
---
# Use MADR for decisions

## Context and Problem Statement

We want to record decisions in a structured way.

## Decision Drivers

* Easy to write
* Easy to review

## Considered Options

* MADR 3.0.0
* Nygard
* Formless prose

## Decision Outcome

Chosen option: "MADR 3.0.0", because it is lean and gives options their pros and cons.

### Consequences

* Good, because options are compared
* Bad, because it is longer

## Pros and Cons of the Options

### MADR 3.0.0

* Good, because it is lean
* Neutral, because it is new
* Bad, because few tools read it

### Nygard

* Good, because it is simple
* Bad, because options are not listed

### Formless prose

* Bad, because nobody can find anything
"""

MADR2 = """\
# Use plain JUnit5 for testing

* Status: superseded by [ADR-0001](0001-use-madr-for-decisions.md)
* Deciders: Dan Brown
* Date: 2019/03/04

Technical Story: [ticket 42](https://example.com/42)

## Context and Problem Statement

How do we test?

## Considered Options

* JUnit5
* Spock

## Decision Outcome

Chosen option: "JUnit5", because it comes out best (see below).

### Positive Consequences

* Fewer dependencies

## Pros and Cons of the Options

### JUnit5

* Good, because known

### Spock

* Bad, because Groovy
"""

MADR4 = """\
---
status: proposed
date: 2024-01-15
decision-makers:
  - bob
---

# Use OpenTelemetry

## Context and Problem Statement

We need traces.

## Considered Options

* OpenTelemetry
* Vendor agent

## Decision Outcome

Chosen option: "OpenTelemetry", because it is vendor neutral.
"""


@pytest.fixture
def madr_repo(repo: Path, run: Callable[..., Result]) -> Path:
    """MADR 2 (no front matter), 3 and 4 (front matter), with bob already an owner."""
    write(repo, "docs/adr/0001-use-madr-for-decisions.md", MADR3)
    write(repo, "docs/adr/0002-use-junit5.md", MADR2)
    write(repo, "docs/adr/0003-use-opentelemetry.md", MADR4)
    write(repo, "docs/adr/adr-template.md", "# {short title of solved problem and solution}\n\n"
                                            "## Context and Problem Statement\n\n{Describe the context}\n")
    commit(repo, "MADR log", "2022-05-03T09:00:00Z")
    assert run(repo, "init").exit_code == 0
    assert run(repo, "new", "owner", "bob", "--name", "Bob Example").exit_code == 0
    return repo


LOG4BRAINS = """\
# Use Log4brains to manage the ADRs

- Status: {status}
- Deciders: Thomas Vaillant
- Date: {date}
- Tags: dev-tools, doc

## Context and Problem Statement

We want to record architectural decisions made in this project.

## Decision Outcome

Chosen option: "Log4brains", because it publishes a static site.
"""


@pytest.fixture
def log4brains_repo(repo: Path, run: Callable[..., Result]) -> Path:
    write(repo, "docs/adr/20200101-use-log4brains-to-manage-the-adrs.md",
          LOG4BRAINS.format(status="accepted", date="2020-01-01"))
    write(repo, "docs/adr/20200315-use-markdown-architectural-decision-records.md", """\
# Use Markdown Architectural Decision Records

- Status: draft
- Deciders: Thomas Vaillant

## Context and Problem Statement

Which format?
""")
    write(repo, "docs/adr/template.md", "# [short title of solved problem and solution]\n\n- Status: [draft]\n")
    write(repo, "docs/adr/index.md", "<!-- This file is the home page of your log4brains site -->\n\n# Architecture knowledge base\n")
    write(repo, "docs/adr/README.md", "# Architecture Decision Records\n\nSee index.md.\n")
    commit(repo, "log4brains", "2020-03-15T09:00:00Z")
    assert run(repo, "init").exit_code == 0
    return repo


def tracked_files(repo: Path) -> list[str]:
    return sorted(subprocess.run(["git", "ls-files", "--others", "--exclude-standard"], cwd=repo,
                                 capture_output=True, text=True, check=True).stdout.split())
