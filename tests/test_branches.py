"""IDs are minted without coordination: two branches recording decisions at once merge cleanly."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import git, new_decision


def test_two_branches_add_decisions_and_merge_without_conflict(log_repo: Path, run) -> None:
    git(log_repo, "add", "-A")
    git(log_repo, "commit", "-qm", "init")
    git(log_repo, "checkout", "-qb", "feature")
    ours = [new_decision(run, log_repo, f"Feature decision {i}") for i in range(5)]
    git(log_repo, "add", "-A")
    git(log_repo, "commit", "-qm", "feature decisions")
    git(log_repo, "checkout", "-q", "main")
    theirs = [new_decision(run, log_repo, f"Main decision {i}") for i in range(5)]
    git(log_repo, "add", "-A")
    git(log_repo, "commit", "-qm", "main decisions")
    git(log_repo, "merge", "-q", "--no-edit", "feature")  # raises if it conflicts

    listed = json.loads(run(log_repo, "list", "--format", "json").stdout)
    assert sorted(r["id"] for r in listed) == sorted(ours + theirs)
    assert len(set(ours + theirs)) == 10
    assert run(log_repo, "validate").exit_code == 0


def test_a_duplicate_id_after_a_merge_is_reported_in_both_files(log_repo: Path, run) -> None:
    did = new_decision(run, log_repo, "Original")
    original = next((log_repo / "decisions").glob(f"{did}-*.yaml"))
    copy = original.with_name(f"{did}-copied-on-another-branch.yaml")
    copy.write_text(original.read_text(encoding="utf-8"), encoding="utf-8")
    res = run(log_repo, "validate")
    assert res.exit_code == 1
    lines = [line for line in res.stdout.splitlines() if "duplicate ID" in line]
    assert len(lines) == 2
    assert lines[0].startswith(f"decisions/{did}-") and ":2:1: id: duplicate ID" in lines[0]
    # an ambiguous record is never silently picked
    res = run(log_repo, "show", did)
    assert res.exit_code == 2 and "used by 2 files" in res.stderr
