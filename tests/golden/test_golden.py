"""Golden files: the text, markdown, JSON and HTML renderings of one fixed log, compared byte
for byte with the files beside this test.

The log is built through the real command line in a real git repository, with every commit's
author and committer dates pinned, the clock pinned (``declog.domain.clock.now``) and the IDs minted
from a seeded random source (``declog.domain.ids`` draws from ``secrets``), so two runs make the same
log. What still varies between machines is normalised: commit IDs (``<commit-N>``, numbered in
the order the log was built) and the temporary folder (``<tmp>``).

A rendering changed on purpose? Regenerate every file with one command, ``make golden``
(``DECLOG_UPDATE_GOLDEN=1 pytest tests/golden``), and review the diff like code.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Result
from tests.history.conftest import commit

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"
UPDATE = os.environ.get("DECLOG_UPDATE_GOLDEN") == "1"
NOW = dt.datetime(2026, 3, 12, 15, 30, tzinfo=dt.UTC)

CONTEXT = ("Orders need multi-row transactions: an order and its lines are written together.\n\n"
           "- the [payments team](https://example.com/payments) reads orders back at once\n"
           "- a `|` pipe, a [bracket] and <b>markup</b> stay as written")


class SeededSecrets:
    """Stands in for the ``secrets`` module inside ``declog.domain.ids``: the same IDs on every run."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)

    def choice(self, seq: Any) -> Any:
        return self._random.choice(seq)


def ok(res: Result) -> Result:
    assert res.exit_code == 0, res.output
    return res


@pytest.fixture
def fixed_log(repo: Path, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    import declog.domain.clock
    import declog.domain.ids

    monkeypatch.setattr(declog.domain.clock, "now", lambda: NOW)
    monkeypatch.setattr(declog.domain.ids, "secrets", SeededSecrets(2026))
    commits: list[str] = []

    def new(*args: str) -> str:
        return str(json.loads(ok(run(repo, "new", *args, "--format", "json")).stdout)["id"])

    def save(message: str, date: str, author: str = "Alice Example", email: str = "alice@example.com") -> None:
        commits.append(commit(repo, message, date, author=author, email=email))

    ok(run(repo, "init"))
    ok(run(repo, "new", "owner", "alice", "--name", "Alice Example"))
    ok(run(repo, "new", "owner", "bob", "--name", "Bob Builder"))
    save("Set up the decision log", "2026-01-05T09:00:00Z")
    pg = new("decision", "Use Postgres for orders", "--owner", "alice", "--door", "two-way", "--context", CONTEXT,
             "--option", "DynamoDB: no multi-item transactions at our scale", "--option", "Postgres",
             "--tag", "storage")
    kafka = new("decision", "Adopt Kafka for order events", "--owner", "bob", "--door", "one-way",
                "--context", "Other teams need order events as they happen.", "--related", pg,
                "--option", "Kafka", "--option", "Webhooks: every consumer must be up",
                "--expected-outcome", "Three teams consume order events by June.")
    save("Record the orders database decision", "2026-01-10T09:00:00Z")
    ok(run(repo, "set", pg, "status=accepted", "decision=Postgres 16 on RDS, one primary per region.",
           "rationale=Transactions first; the team **knows it**.", "decided_on=2026-02-01"))
    save(f"Accept the orders database decision\n\nDecision: {pg}", "2026-02-01T10:00:00Z", "Bob Builder",
         "bob@example.com")
    cockroach = new("decision", "Use CockroachDB for orders", "--owner", "alice", "--door", "two-way",
                    "--context", "One region went down for a day.", "--status", "accepted",
                    "--decision", "CockroachDB across three regions", "--rationale", "Survive a region outage",
                    "--decided-on", "2026-03-01")
    ok(run(repo, "supersede", pg, cockroach))
    save("Move orders to CockroachDB", "2026-03-01T10:00:00Z", "Carol Chen", "carol@example.com")
    mechanism = new("mechanism", "Weekly deploy review", "--owner", "alice",
                    "--problem", "Risky deploys reach production unreviewed", "--tool", "A checklist",
                    "--adoption", "The pipeline asks for it", "--cadence", "weekly",
                    "--input-metric", "reviewed_pct>=95 percent", "--output-metric", "incidents<=1 count",
                    "--origin", cockroach)
    ok(run(repo, "inspect", mechanism, "--verdict", "degraded", "--metric", "reviewed_pct=90",
           "--metric", "incidents=2", "--on", "2026-03-09", "--note", "Two incidents | one unreviewed"))
    save("Add the deploy review", "2026-03-09T10:00:00Z")
    return {"repo": repo, "pg": pg, "kafka": kafka, "cockroach": cockroach, "mechanism": mechanism,
            "commits": commits}


def normalise(text: str, log: dict[str, Any], tmp: Path) -> str:
    for n, oid in enumerate(log["commits"], 1):
        for width in (40, 12, 10, 7):
            text = text.replace(oid[:width], f"<commit-{n}>")
    return text.replace(str(tmp.resolve()), "<tmp>").replace(str(tmp), "<tmp>")


def renderings(log: dict[str, Any], run: Callable[..., Result], tmp: Path) -> dict[str, str]:
    repo, pg = log["repo"], log["pg"]
    out: dict[str, str] = {
        "show.txt": ok(run(repo, "show", pg)).stdout,
        "why.txt": ok(run(repo, "why", "orders", "database")).stdout,
        "history.txt": ok(run(repo, "history", pg)).stdout,
        "review.txt": ok(run(repo, "review", "--as-of", "2026-03-12")).stdout,
        "list.md": ok(run(repo, "list", "--format", "markdown")).stdout,
        "show.json": ok(run(repo, "show", pg, "--format", "json")).stdout,
        "export.jsonl": ok(run(repo, "export", "json", "--out", "-")).stdout,
    }
    markdown = tmp / "markdown"
    ok(run(repo, "export", "markdown", "--out", str(markdown)))
    (page,) = markdown.rglob(f"{pg}-*.md")
    out["export-decision.md"] = page.read_text(encoding="utf-8")
    site = tmp / "site"
    ok(run(repo, "export", "html", "--out", str(site), "--as-of", "2026-03-12"))
    out["export-decision.html"] = (site / "records" / f"{pg}.html").read_text(encoding="utf-8")
    return {name: normalise(text, log, tmp) for name, text in out.items()}


def test_renderings_match_the_golden_files(fixed_log: dict[str, Any], run: Callable[..., Result],
                                           tmp_path: Path) -> None:
    found = renderings(fixed_log, run, tmp_path / "out")
    if UPDATE:
        FILES.mkdir(exist_ok=True)
        for old in FILES.iterdir():
            if old.name not in found:
                old.unlink()
        for name, text in found.items():
            (FILES / name).write_text(text, encoding="utf-8")
    problems = []
    for name, text in sorted(found.items()):
        path = FILES / name
        want = path.read_text(encoding="utf-8") if path.is_file() else ""
        if text != want:
            diff = "".join(difflib.unified_diff(want.splitlines(True), text.splitlines(True), f"golden/{name}",
                                                f"now/{name}", n=2))
            problems.append(diff if path.is_file() else f"tests/golden/files/{name} is missing")
    assert not problems, "renderings differ from the golden files (run `make golden` if on purpose):\n" + \
        "\n".join(problems)
    assert sorted(p.name for p in FILES.iterdir()) == sorted(found)

