"""``declog context`` on a real branch and ``declog drift`` on a repository built to have each of
the three kinds of drift, through the real entry point."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Result, git, new_decision


def _write(repo: Path, rel: str, text: str) -> None:
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def drifted(log_repo: Path, run: Callable[..., Result]) -> dict[str, str]:
    """Orders (accepted, scoped to src/orders and a folder that is gone), Mongo (rejected),
    Redis superseded by Valkey; code citing them; commits in the orders scope, one with its trailer."""
    ids = {
        "orders": new_decision(run, log_repo, "Use Postgres for orders", "--status", "accepted",
                               "--decision", "Orders live in Postgres.\n\nDetails follow.", "--rationale", "ACID.",
                               "--scope", "src/orders/**", "--scope", "src/legacy/**", "--review-by", "2026-01-01"),
        "mongo": new_decision(run, log_repo, "Use Mongo for orders", "--status", "rejected"),
        "redis": new_decision(run, log_repo, "Cache with Redis", "--status", "accepted", "--decision", "Redis.",
                              "--rationale", "Fast."),
    }
    ids["valkey"] = new_decision(run, log_repo, "Cache with Valkey", "--supersedes", ids["redis"])
    _write(log_repo, "src/orders/db.py", "x = 1\n")
    _write(log_repo, "src/cache.py", f"# cache as decided in {ids['redis']}\n")
    git(log_repo, "add", "-A")
    git(log_repo, "commit", "-qm", "Record decisions")
    _write(log_repo, "src/orders/db.py", "x = 2\n")
    git(log_repo, "commit", "-qam", f"Tune orders\n\nDecision: {ids['orders']}")
    _write(log_repo, "src/orders/db.py", "x = 3\n")
    git(log_repo, "commit", "-qam", "Tune orders again, no trailer")
    _write(log_repo, "src/orders/api.py", "# see ADR-0042 and D-zzzzzz\n")
    git(log_repo, "add", "-A")
    git(log_repo, "commit", "-qm", "Orders API")
    return ids


def test_drift_finds_each_kind(log_repo: Path, run: Callable[..., Result], drifted: dict[str, str]) -> None:
    res = run(log_repo, "drift", "--format", "json")
    assert res.exit_code == 1, res.output
    body = json.loads(res.stdout)
    refs = {(r["path"], r["reference"], r["problem"], r["replacement"]) for r in body["references"]}
    assert refs == {
        ("src/cache.py", drifted["redis"], "superseded", drifted["valkey"]),
        ("src/orders/api.py", "ADR-0042", "unknown", None),
        ("src/orders/api.py", "D-zzzzzz", "unknown", None),
    }
    assert [(s["decision"], s["glob"]) for s in body["dead_scopes"]] == [(drifted["orders"], "src/legacy/**")]
    (adopted,) = body["adoption"]
    assert adopted["decision"] == drifted["orders"]
    # three commits touched src/orders after it was accepted; one carries its trailer
    assert (adopted["commits"], adopted["with_trailer"], adopted["share"]) == (3, 1, 0.333)
    assert len(adopted["without_trailer"]) == 2
    text = run(log_repo, "drift")
    assert text.exit_code == 1
    assert f"src/cache.py:1: {drifted['redis']} (Cache with Redis) is superseded; cite {drifted['valkey']} instead" \
        in text.stdout
    assert "adoption 33%" in text.stdout


def test_drift_is_clean_when_nothing_drifted(log_repo: Path, run: Callable[..., Result]) -> None:
    rid = new_decision(run, log_repo, "Use Postgres", "--status", "accepted", "--decision", "Postgres.",
                       "--rationale", "ACID.", "--scope", "src/**")
    _write(log_repo, "src/db.py", f"# {rid}\n")
    git(log_repo, "add", "-A")
    git(log_repo, "commit", "-qm", f"Start\n\nDecision: {rid}")
    res = run(log_repo, "drift", "--format", "json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["references"] == [] and json.loads(res.stdout)["dead_scopes"] == []


def test_drift_reads_configured_patterns(log_repo: Path, run: Callable[..., Result]) -> None:
    config = log_repo / ".declog.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "reference_patterns: ['RFC-[0-9]+']\n", encoding="utf-8")
    _write(log_repo, "notes.txt", "see RFC-7 and ADR-3\n")
    git(log_repo, "add", "-A")
    git(log_repo, "commit", "-qm", "notes")
    body = json.loads(run(log_repo, "drift", "--format", "json").stdout)
    assert [r["reference"] for r in body["references"]] == ["RFC-7"]
    config.write_text(config.read_text(encoding="utf-8").replace("RFC-[0-9]+", "RFC-[0-9"), encoding="utf-8")
    bad = run(log_repo, "drift")
    assert bad.exit_code == 2
    assert bad.stderr.startswith("declog: error: .declog.yaml: reference_patterns must be a list of regular expressions")


def test_context_on_a_branch_is_a_review_comment(log_repo: Path, run: Callable[..., Result],
                                                 drifted: dict[str, str]) -> None:
    res = run(log_repo, "new", "correction", "--from-file", str(_correction(log_repo, drifted["orders"])),
              "--format", "json")
    assert res.exit_code == 0, res.output
    (log_repo / "c.yaml").unlink()
    git(log_repo, "add", "-A")
    git(log_repo, "commit", "-qm", "Correction")
    git(log_repo, "checkout", "-qb", "feature")
    _write(log_repo, "src/orders/db.py", f"x = 4  # as {drifted['mongo']} said\n")
    git(log_repo, "commit", "-qam", f"Orders on the branch\n\nDecision: {drifted['redis']}")
    res = run(log_repo, "context", "--changed-since", "main", "--link-base", "https://example.com/blob/abc")
    assert res.exit_code == 0, res.output
    md = res.stdout
    assert md.startswith("<!-- declog-context -->\n## Decisions behind this change\n")
    assert f"#### {drifted['orders']}: Use Postgres for orders" in md
    assert "> Orders live in Postgres.\n" in md and "Details follow" not in md  # one paragraph
    assert "(https://example.com/blob/abc/decisions/" in md
    assert f"{drifted['mongo']} (Use Mongo for orders) is rejected" in md  # the change cites a rejected one
    assert f"{drifted['redis']} (Cache with Redis) is superseded; cite {drifted['valkey']} instead" in md  # trailer
    assert "### Due for review\n" in md and "review by 2026-01-01" in md
    assert "### Open correction action items\n" in md and "Add back-pressure" in md
    body = json.loads(run(log_repo, "context", "--changed-since", "main", "--format", "json").stdout)
    assert body["files"] == ["src/orders/db.py"]
    assert [d["id"] for d in body["decisions"]] == [drifted["orders"]]
    assert body["due_for_review"] == [drifted["orders"]]
    assert run(log_repo, "context", "--changed-since", "main", "--fail-on-cited").exit_code == 1
    # staged changes and paths
    _write(log_repo, "src/orders/api.py", "# changed\n")
    git(log_repo, "add", "src/orders/api.py")
    staged = json.loads(run(log_repo, "context", "--staged", "--format", "json").stdout)
    assert staged["files"] == ["src/orders/api.py"] and [d["id"] for d in staged["decisions"]] == [drifted["orders"]]
    by_path = json.loads(run(log_repo, "context", "src/orders", "--format", "json").stdout)
    assert by_path["files"] == ["src/orders/api.py", "src/orders/db.py"]
    usage = run(log_repo, "context")
    assert usage.exit_code == 2 and "give --changed-since REF, --staged or PATHs (one of them)" in usage.stderr


def _correction(repo: Path, rid: str) -> Path:
    path = repo / "c.yaml"
    path.write_text(
        "title: Orders lost in the outage\nowner: alice\nstatus: open\nsummary: Orders were lost for an hour.\n"
        "five_whys:\n  - problem: Orders were lost\n    whys: [The queue was full]\nroot_causes: [No back-pressure]\n"
        "action_items:\n  - description: Add back-pressure\n    owner: alice\n    due: 2026-04-01\n    type: fix\n"
        f"related: [{rid}]\n", encoding="utf-8")
    return path


def test_review_has_a_drift_section(log_repo: Path, run: Callable[..., Result], drifted: dict[str, str]) -> None:
    body = json.loads(run(log_repo, "review", "--format", "json", "--as-of", "2026-03-02").stdout)
    assert {r["reference"] for r in body["drift"]["references"]} >= {"ADR-0042", drifted["redis"]}
    text = run(log_repo, "review", "--as-of", "2026-03-02").stdout
    assert "\nDrift (" in text and "src/legacy/**" in text
