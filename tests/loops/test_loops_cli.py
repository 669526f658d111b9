"""The weekly loops from the command line: `declog review-decision`, `declog close`, and field
paths in `declog set`, in real repositories through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.helpers import snapshot
from tests.loops.conftest import CORRECTION, DECISION
from tests.loops.test_loops_library import CPATH, DPATH, added_lines, removed_lines


def test_set_a_field_of_one_action_item(loop_repo: Path, run) -> None:
    res = run(loop_repo, "set", "C-byc491", "action_items[0].status=done")
    assert res.exit_code == 0, res.output
    assert res.stdout == "C-byc491: action_items[0].status: ∅ → done\n"  # not written before: open by default
    after = (loop_repo / CPATH).read_text(encoding="utf-8")
    assert removed_lines(CORRECTION, after) == [] and added_lines(CORRECTION, after) == ["     status: done"]


def test_set_paths_change_only_their_lines_and_keep_comments(loop_repo: Path, run) -> None:
    res = run(loop_repo, "set", "D-7k3m9q", "options[1].why_not=Too slow", "reviews[0].vs_expected=worse")
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines() == ["D-7k3m9q: options[1].why_not: Fewer people know it → Too slow",
                                       "D-7k3m9q: reviews[0].vs_expected: as-expected → worse"]
    after = (loop_repo / DPATH).read_text(encoding="utf-8")
    assert removed_lines(DECISION, after) == ["     why_not: Fewer people know it   # asked around",
                                              "     vs_expected: as-expected"]
    assert added_lines(DECISION, after) == ["     why_not: Too slow   # asked around", "     vs_expected: worse"]


def test_set_past_the_end_names_the_length(loop_repo: Path, run) -> None:
    before = snapshot(loop_repo)
    res = run(loop_repo, "set", "C-byc491", "action_items[2].status=done")
    assert res.exit_code == 2
    assert res.stderr == ("declog: error: action_items[2] is past the end: action_items has 2 items, [0] to [1]; "
                          "add one with action_items+=\n")
    res = run(loop_repo, "set", "C-byc491", "action_items[0].state=done")
    assert res.exit_code == 2 and "'state' is not a field of action_items[0] (fields: description, owner" in res.stderr
    assert snapshot(loop_repo) == before


def test_set_a_path_is_validated_like_any_change(loop_repo: Path, run) -> None:
    before = snapshot(loop_repo)
    res = run(loop_repo, "set", "C-byc491", "action_items[0].status=wont-do")
    assert res.exit_code == 1
    assert "a wont-do action item needs a `reason`" in res.stderr
    assert snapshot(loop_repo) == before


def test_set_a_list_field_says_what_changed(loop_repo: Path, run) -> None:
    res = run(loop_repo, "set", "D-7k3m9q", "tags+=orders,storage")
    assert res.stdout == "D-7k3m9q: tags: +orders +storage (now [db, orders, storage])\n"
    res = run(loop_repo, "set", "D-7k3m9q", "tags-=db")
    assert res.stdout == "D-7k3m9q: tags: -db (now [orders, storage])\n"


def test_review_decision_from_flags(loop_repo: Path, run) -> None:
    res = run(loop_repo, "review-decision", "7k3", "--on", "2026-04-01", "--reviewer", "alice",
              "--outcome", "No order lost in a quarter", "--vs-expected", "better", "--process", "good")
    assert res.exit_code == 0, res.output
    assert res.stdout == f"D-7k3m9q: review recorded (better than expected, by alice on 2026-04-01): {DPATH}\n"
    after = (loop_repo / DPATH).read_text(encoding="utf-8")
    assert removed_lines(DECISION, after) == []
    assert added_lines(DECISION, after)[0] == "   - on: 2026-04-01"
    shown = json.loads(run(loop_repo, "show", "D-7k3m9q", "--format", "json").stdout)
    assert shown["reviews"][-1] == {"on": "2026-04-01", "reviewer": "alice",
                                    "actual_outcome": "No order lost in a quarter", "vs_expected": "better",
                                    "process_quality": "good"}


def test_review_decision_dry_run_writes_nothing(loop_repo: Path, run) -> None:
    before = snapshot(loop_repo)
    res = run(loop_repo, "review-decision", "D-7k3m9q", "--on", "2026-04-01", "--reviewer", "alice",
              "--outcome", "Slow", "--vs-expected", "worse", "--dry-run")
    assert res.exit_code == 0, res.output
    assert f"--- a/{DPATH}" in res.stdout and "+    vs_expected: worse" in res.stdout
    assert "(dry run: nothing was written)" in res.stderr
    assert snapshot(loop_repo) == before


def test_review_decision_refuses_an_unknown_reviewer(loop_repo: Path, run) -> None:
    before = snapshot(loop_repo)
    res = run(loop_repo, "review-decision", "D-7k3m9q", "--reviewer", "zed", "--outcome", "x",
              "--vs-expected", "better")
    assert res.exit_code == 1 and res.stderr == "declog: error: no owner 'zed': add one with `declog new owner zed --name ...`\n"
    assert snapshot(loop_repo) == before


def test_close_each_item_then_the_correction(loop_repo: Path, run) -> None:
    res = run(loop_repo, "close", "C-byc491", "0", "--done", "--note", "Rolled back at 14:10")
    assert res.exit_code == 0, res.output
    assert res.stdout == ("C-byc491: action item [0] done: Roll back the config\n"
                          "C-byc491: 1 action item still open: [1]\n")
    res = run(loop_repo, "close", "byc", "1", "--wont-do", "--note", "The config moved into code review")
    assert res.exit_code == 0, res.output
    assert res.stdout == ("C-byc491: action item [1] wont-do: Review config changes\n"
                          "C-byc491: closed (no action item is open)\n")
    data = json.loads(run(loop_repo, "show", "C-byc491", "--format", "json").stdout)
    assert data["status"] == "closed"
    assert [(i["status"], i.get("note"), i.get("reason")) for i in data["action_items"]] == [
        ("done", "Rolled back at 14:10", None), ("wont-do", None, "The config moved into code review")]
    after = (loop_repo / CPATH).read_text(encoding="utf-8")
    assert "  # the quick one\n" in after and "    owner: alice   # on call\n" in after
    assert run(loop_repo, "validate").exit_code == 0


def test_close_json_and_dry_run(loop_repo: Path, run) -> None:
    before = snapshot(loop_repo)
    res = run(loop_repo, "close", "C-byc491", "1", "--done", "--dry-run", "--format", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert (data["id"], data["path"], data["written"]) == ("C-byc491", CPATH, False)
    assert "+    status: done\n" in data["diff"] and data["record"]["action_items"][1]["status"] == "done"
    assert snapshot(loop_repo) == before
