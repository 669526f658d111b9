"""declog review and declog owners, with fixed dates (--as-of): every section, cadence edge
cases, and owner load."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import git
from tests.test_mechanisms import CORRECTION, MECHANISM, write


def inspection(rid: str, on: str, **readings: float) -> dict[str, Any]:
    return {"id": rid, "mechanism": "M-7k3m9q", "on": on, "inspector": "alice", "verdict": "working",
            "readings": readings}


@pytest.fixture
def review_repo(log_repo: Path, run) -> Path:
    assert run(log_repo, "new", "owner", "bob", "--name", "Bob").exit_code == 0
    write(log_repo, "mechanisms/M-7k3m9q-weekly-deploy-review.yaml", MECHANISM)
    write(log_repo, "mechanisms/M-nnnnnn-never.yaml", {**MECHANISM, "id": "M-nnnnnn", "name": "Never inspected",
                                                        "owner": "bob"})
    write(log_repo, "mechanisms/M-rrrrrr-retired.yaml", {**MECHANISM, "id": "M-rrrrrr", "name": "Retired one",
                                                          "status": "retired"})
    for rid, on, pct, inc in (("I-aaaaa1", "2026-02-16", 96, 0), ("I-aaaaa2", "2026-02-23", 93, 1),
                              ("I-aaaaa3", "2026-03-02", 90, 2)):
        write(log_repo, f"inspections/{rid}-{on}.yaml",
              inspection(rid, on, reviewed_pct=pct, deploy_incidents=inc))
    write(log_repo, "corrections/C-7k3m9q-checkout-down.yaml", {
        **CORRECTION, "action_items": [{**CORRECTION["action_items"][0], "due": "2026-03-01"},
                                       {**CORRECTION["action_items"][0], "due": "2026-04-01", "owner": "bob",
                                        "type": "fix", "mechanism": None}]})
    base = {"owner": "alice", "context": "c", "door": "two-way"}
    write(log_repo, "D-ddddd1-old-proposal.yaml", {"id": "D-ddddd1", "title": "Old proposal", "status": "proposed",
                                                    **base, "door": "one-way", "options": [{"title": "a"}, {"title": "b"}],
                                                    "expected_outcome": "x"})
    write(log_repo, "D-ddddd2-due.yaml", {"id": "D-ddddd2", "title": "Review me", "status": "accepted", **base,
                                          "decision": "d", "rationale": "r", "decided_on": "2025-09-01",
                                          "review_by": "2026-03-01"})
    write(log_repo, "D-ddddd3-reviewed.yaml", {"id": "D-ddddd3", "title": "Reviewed", "status": "accepted", **base,
                                               "decision": "d", "rationale": "r", "decided_on": "2025-09-01",
                                               "review_by": "2026-03-01",
                                               "reviews": [{"on": "2026-03-02", "reviewer": "alice",
                                                            "actual_outcome": "ok", "vs_expected": "as-expected"}]})
    res = run(log_repo, "validate")
    assert res.exit_code == 0, res.output
    return log_repo


def review(run, repo: Path, day: str) -> dict[str, Any]:
    res = run(repo, "review", "--as-of", day, "--format", "json")
    assert res.exit_code == 0, res.output
    return dict(json.loads(res.stdout))


def test_every_section_of_the_review(review_repo: Path, run) -> None:
    data = review(run, review_repo, "2026-03-11")
    overdue = data["overdue_inspections"]
    assert [(o["mechanism"], o["days_overdue"]) for o in overdue] == [("M-nnnnnn", None), ("M-7k3m9q", 2)]
    assert "M-rrrrrr" not in json.dumps(overdue)  # retired mechanisms are excluded
    assert [(o["metric"], o["latest"], o["trend"]) for o in data["off_target"]["input"]] == [
        ("reviewed_pct", 90, [96, 93, 90])]
    assert [(o["metric"], o["latest"]) for o in data["off_target"]["output"]] == [("deploy_incidents", 2)]
    assert [(a["id"], a["door"]) for a in data["awaiting_decision"]] == [("D-ddddd1", "one-way")]
    assert [(d["id"], d["days_overdue"]) for d in data["due_for_review"]] == [("D-ddddd2", 10)]
    assert [(a["correction"], a["days_overdue"]) for a in data["overdue_action_items"]] == [("C-7k3m9q", 10)]
    load = {o["handle"]: o for o in data["owner_load"]["owners"]}
    assert (load["alice"]["decisions"], load["alice"]["mechanisms"], load["alice"]["action_items"]) == (3, 1, 1)
    assert (load["bob"]["mechanisms"], load["bob"]["action_items"]) == (1, 1)
    assert data["changed"] is None  # no commits yet
    text = run(review_repo, "review", "--as-of", "2026-03-11").stdout
    order = ["Inspections overdue", "Input metrics off target", "Output metrics off target",
             "Decisions awaiting a decision", "Decisions due for review", "Correction action items overdue",
             "Owner load", "What changed this week"]
    assert [text.index(h) for h in order] == sorted(text.index(h) for h in order)
    assert "never inspected" in text and "2 days overdue" in text and "[ONE-WAY DOOR]" in text
    assert "trend 96 → 93 → 90" in text
    md = run(review_repo, "review", "--as-of", "2026-03-11", "--format", "markdown").stdout
    assert md.startswith("# Weekly review as of 2026-03-11") and "## Owner load" in md


def test_cadence_edges(review_repo: Path, run) -> None:
    before = review(run, review_repo, "2026-03-08")["overdue_inspections"]
    assert [o["mechanism"] for o in before] == ["M-nnnnnn"]  # due on the 9th: not yet
    exactly = review(run, review_repo, "2026-03-09")["overdue_inspections"]
    assert [(o["mechanism"], o["days_overdue"]) for o in exactly] == [("M-nnnnnn", None), ("M-7k3m9q", 0)]
    assert "due today" in run(review_repo, "review", "--as-of", "2026-03-09").stdout
    # as of an earlier day, later inspections do not count
    early = review(run, review_repo, "2026-02-24")
    assert early["overdue_inspections"][1:] == []
    assert [o["trend"] for o in early["off_target"]["input"]] == [[96, 93]]


def test_metrics_back_on_target_drop_out(review_repo: Path, run) -> None:
    write(review_repo, "inspections/I-aaaaa4-2026-03-09.yaml",
          inspection("I-aaaaa4", "2026-03-09", reviewed_pct=99, deploy_incidents=1))
    data = review(run, review_repo, "2026-03-11")
    assert data["off_target"] == {"input": [], "output": []}
    assert [o["mechanism"] for o in data["overdue_inspections"]] == ["M-nnnnnn"]


def test_owner_load_limit_and_inactive_owners(review_repo: Path, run) -> None:
    cfg = review_repo / ".declog.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + "owner_load_limit: 3\n", encoding="utf-8")
    refused = run(review_repo, "set", "bob", "active=false")  # bob still owns records: refused
    assert refused.exit_code == 1 and "owner 'bob' is inactive" in refused.stderr
    bob = review_repo / "decisions" / "owners" / "bob.yaml"  # a hand edit gets past `set`; review flags it
    bob.write_text(bob.read_text(encoding="utf-8") + "active: false\n", encoding="utf-8")
    res = run(review_repo, "owners")
    assert res.exit_code == 0, res.output
    assert "over limit" in res.stdout and "inactive" in res.stdout
    assert "mechanism M-nnnnnn — owner bob is inactive" in res.stdout
    data = json.loads(run(review_repo, "owners", "--format", "json").stdout)
    assert data["limit"] == 3 and data["owners"][0]["handle"] == "alice" and data["owners"][0]["over_limit"]
    text = run(review_repo, "review", "--as-of", "2026-03-11").stdout
    assert "OVER THE LIMIT OF 3" in text and "needs a new owner" in text


def test_what_changed_comes_from_history(review_repo: Path, run) -> None:
    git(review_repo, "add", "-A")
    git(review_repo, "commit", "-qm", "the log")
    from declog.domain import clock

    today = clock.today().isoformat()  # git's days are UTC days, and so is declog's today
    data = review(run, review_repo, today)
    assert data["changed"] is not None
    assert "D-ddddd1" in json.dumps(data["changed"]["groups"])
    assert data["awaiting_decision"][0]["proposed_on"] == today


def test_owners_of_an_empty_log(repo: Path, run) -> None:
    assert run(repo, "init").exit_code == 0
    assert run(repo, "owners").exit_code == 1
    assert run(repo, "review", "--as-of", "nope").exit_code == 2


@pytest.mark.parametrize("direct_reads", [40, 0], ids=["parsed-from-files", "from-the-cache-in-one-query"])
def test_a_review_from_light_records_is_the_review_from_whole_ones(review_repo: Path, run, monkeypatch,
                                                                    direct_reads: int) -> None:
    """`declog review` loads prose only where it shows it: accepted imported decisions (is a
    rationale given?) and the notes of the deck's weeks. Everything else comes from the light
    view, and the review is the same as from whole records."""
    import datetime as dt

    from declog.core.review import review_records, weekly_review
    from declog.storage import store

    write(review_repo, "D-ddddd4-imported.yaml", {
        "id": "D-ddddd4", "title": "Imported, no rationale", "status": "accepted", "owner": "alice",
        "door": "two-way", "context": "c", "decision": "d", "decided_on": "2022-04-01", "source": {"path": "docs/adr/0001-x.md", "format": "nygard", "imported_on": "2026-01-05"}})
    write(review_repo, "D-ddddd5-imported.yaml", {
        "id": "D-ddddd5", "title": "Imported, with one", "status": "accepted", "owner": "alice",
        "door": "two-way", "context": "c", "decision": "d", "decided_on": "2022-04-01", "rationale": "because",
        "source": {"path": "docs/adr/0002-y.md", "format": "nygard", "imported_on": "2026-01-05"}})
    write(review_repo, "inspections/I-aaaaa5-2026-03-09.yaml",
          {**inspection("I-aaaaa5", "2026-03-09", reviewed_pct=91), "note": "Reviews slipped in the week of the freeze"})
    write(review_repo, "inspections/I-aaaaa6-2025-06-02.yaml",
          {**inspection("I-aaaaa6", "2025-06-02", reviewed_pct=97), "note": "An old note, outside the deck's weeks"})
    assert run(review_repo, "validate").exit_code == 0  # the parse cache now holds every record
    git(review_repo, "add", "-A")
    git(review_repo, "commit", "-qm", "the log")
    day = dt.date(2026, 3, 11)
    whole = weekly_review(store.Log.open(review_repo).records(), day).as_json()

    monkeypatch.setattr(store, "DIRECT_READS", direct_reads)
    log = store.Log.open(review_repo)
    light = log.light_records()
    assert all(r.data is None for r in light)  # served light from the cache: no prose
    asked: list[str] = []

    def with_prose(records: list[store.Record]) -> list[store.Record]:
        asked.extend(r.id or "" for r in records)
        return log.with_prose(records)

    assert weekly_review(review_records(light, day, with_prose), day).as_json() == whole
    assert sorted(asked) == ["D-ddddd4", "D-ddddd5", "I-aaaaa1", "I-aaaaa2", "I-aaaaa3", "I-aaaaa5"]  # not I-aaaaa6
    assert whole["imported_without_rationale"][0]["id"] == "D-ddddd4"
    assert "Reviews slipped in the week of the freeze" in json.dumps(whole["deck"])
