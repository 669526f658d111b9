"""declog.core.loops as a library (the MCP tools call it): record_review and close_action_item, in
real repositories, with previews that write nothing and edits that change only their lines."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from declog.core import loops
from declog.errors import InvalidRecord, UsageError
from declog.storage.store import Log
from tests.cli.helpers import snapshot
from tests.loops.conftest import CORRECTION, DECISION

DPATH = "decisions/D-7k3m9q-use-postgres-for-orders.yaml"
CPATH = "decisions/corrections/C-byc491-checkout-down.yaml"
REVIEW = {"on": "2026-04-01", "reviewer": "alice", "actual_outcome": "No order lost in a quarter",
          "vs_expected": "better", "process_quality": "good"}


def added_lines(before: str, after: str) -> list[str]:
    import difflib

    return [line[1:] for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line.startswith("+ ")]


def removed_lines(before: str, after: str) -> list[str]:
    import difflib

    return [line[1:] for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line.startswith("- ")]


def test_record_review_appends_only_the_new_review(loop_repo: Path) -> None:
    log = Log.open(loop_repo)
    change = loops.record_review(log, log.resolve("D-7k3m9q"), REVIEW)
    after = (loop_repo / DPATH).read_text(encoding="utf-8")
    assert change.written and change.path == DPATH
    assert removed_lines(DECISION, after) == []
    assert added_lines(DECISION, after) == ["   - on: 2026-04-01", "     reviewer: alice",
                                            "     actual_outcome: No order lost in a quarter",
                                            "     vs_expected: better", "     process_quality: good"]
    assert "# looked back at after the first quarter" in after and "# asked around" in after
    assert [r["vs_expected"] for r in change.record.data["reviews"]] == ["as-expected", "better"]
    assert change.diff.startswith(f"--- a/{DPATH}\n+++ b/{DPATH}\n") and "+  - on: 2026-04-01\n" in change.diff


def test_preview_writes_nothing_and_shows_the_same_diff(loop_repo: Path) -> None:
    log = Log.open(loop_repo)
    before = snapshot(loop_repo)
    preview = loops.record_review(log, log.resolve("D-7k3m9q"), REVIEW, preview=True)
    assert not preview.written and snapshot(loop_repo) == before
    assert preview.record.data["reviews"][-1]["actual_outcome"] == "No order lost in a quarter"
    done = loops.record_review(Log.open(loop_repo), Log.open(loop_repo).resolve("D-7k3m9q"), REVIEW)
    assert done.diff == preview.diff


def test_a_review_is_checked_before_anything_is_written(loop_repo: Path) -> None:
    log = Log.open(loop_repo)
    decision = log.resolve("D-7k3m9q")
    before = snapshot(loop_repo)
    with pytest.raises(UsageError, match="a review has no field 'outcome'"):
        loops.record_review(log, decision, {**REVIEW, "outcome": "x"})
    with pytest.raises(UsageError, match="vs_expected takes one of better, as-expected, worse, not 'great'"):
        loops.record_review(log, decision, {**REVIEW, "vs_expected": "great"})
    with pytest.raises(UsageError, match="on takes an ISO date"):
        loops.record_review(log, decision, {**REVIEW, "on": "yesterday"})
    with pytest.raises(UsageError, match="a review needs `actual_outcome`"):
        loops.record_review(log, decision, {**REVIEW, "actual_outcome": "  "})
    with pytest.raises(InvalidRecord, match="nobody"):  # the reviewer is checked against the log
        loops.record_review(log, decision, {**REVIEW, "reviewer": "nobody"})
    with pytest.raises(UsageError, match="only decisions are reviewed"):
        loops.record_review(log, log.resolve("C-byc491"), REVIEW)
    assert snapshot(loop_repo) == before


def test_a_review_on_today_when_no_date_is_given(loop_repo: Path) -> None:
    log = Log.open(loop_repo)
    change = loops.record_review(log, log.resolve("D-7k3m9q"), {k: v for k, v in REVIEW.items() if k != "on"})
    assert change.record.data["reviews"][-1]["on"] == dt.date.today().isoformat()


def test_close_action_item_changes_its_status_line_only(loop_repo: Path) -> None:
    log = Log.open(loop_repo)
    change = loops.close_action_item(log, log.resolve("C-byc491"), 0, "done", "Rolled back at 14:10")
    after = (loop_repo / CPATH).read_text(encoding="utf-8")
    assert removed_lines(CORRECTION, after) == []
    assert added_lines(CORRECTION, after) == ["     status: done", "     note: Rolled back at 14:10"]
    assert after.index("    note: Rolled back") < after.index("  - description: Review config changes")
    assert "    owner: alice   # on call\n" in after and "  # the quick one\n" in after
    items = change.record.data["action_items"]
    assert (items[0]["status"], items[0]["note"], items[1].get("status", "open")) == ("done", "Rolled back at 14:10", "open")
    assert change.record.data["status"] == "open"  # one item is still open


def test_closing_the_last_item_closes_the_correction(loop_repo: Path) -> None:
    loops.close_action_item(Log.open(loop_repo), Log.open(loop_repo).resolve("C-byc491"), 0, "done")
    log = Log.open(loop_repo)
    change = loops.close_action_item(log, log.resolve("C-byc491"), 1, "wont-do", "The config moved to code review")
    data = change.record.data
    assert data["status"] == "closed"
    assert data["action_items"][1] == {"description": "Review config changes", "owner": "alice", "due": "2026-04-01",
                                       "type": "systemic", "status": "wont-do",
                                       "reason": "The config moved to code review"}
    assert "+status: closed\n" in change.diff and "-status: open\n" in change.diff
    assert Log.open(loop_repo).resolve("C-byc491").data["status"] == "closed"


def test_close_action_item_refuses_what_it_cannot_do(loop_repo: Path) -> None:
    log = Log.open(loop_repo)
    correction = log.resolve("C-byc491")
    before = snapshot(loop_repo)
    with pytest.raises(UsageError, match=r"C-byc491 has 2 action items \(\[0\] to \[1\]\): there is no item \[2\]"):
        loops.close_action_item(log, correction, 2, "done")
    with pytest.raises(UsageError, match="a won't-do action item needs a reason"):
        loops.close_action_item(log, correction, 0, "wont-do")
    with pytest.raises(UsageError, match="status takes one of done, wont-do, not 'finished'"):
        loops.close_action_item(log, correction, 0, "finished")
    with pytest.raises(UsageError, match="only corrections have action items"):
        loops.close_action_item(log, log.resolve("D-7k3m9q"), 0, "done")
    assert snapshot(loop_repo) == before
    loops.close_action_item(log, correction, 0, "done")
    with pytest.raises(UsageError, match=r"action item \[0\] of C-byc491 is already done"):
        loops.close_action_item(Log.open(loop_repo), Log.open(loop_repo).resolve("C-byc491"), 0, "done")


def test_a_change_made_meanwhile_is_kept(loop_repo: Path) -> None:
    """Another process writes the correction between the read and the write: the loop runs
    again on that version (under the lock) and keeps the other change."""
    log = Log.open(loop_repo)
    stale = log.resolve("C-byc491")
    path = loop_repo / CPATH
    path.write_text(path.read_text(encoding="utf-8").replace("title: Checkout down", "title: Checkout was down"),
                    encoding="utf-8")
    change = loops.close_action_item(log, stale, 0, "done")
    assert change.record.data["title"] == "Checkout was down"
    assert change.record.data["action_items"][0]["status"] == "done"
