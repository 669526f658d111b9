"""``declog why`` starts git's look at the log's files before the command line loads
(``declog.__main__``), and the command then reads the log it opened."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from declog import __main__ as entry
from declog.cli import common
from declog.errors import NotALogError
from tests.conftest import git, new_decision


@pytest.fixture
def committed(log_repo: Path, run: Callable[..., object], monkeypatch: pytest.MonkeyPatch) -> Path:
    """A committed log with one decision, read once (its snapshot saved), probed at any size."""
    monkeypatch.setattr("declog.storage.store.RACY_NS", 0)
    monkeypatch.setattr("declog.storage.store.PROBE_MIN_FILES", 0)
    new_decision(run, log_repo, "Use Postgres for the orders database")
    git(log_repo, "add", "-A")
    git(log_repo, "commit", "-qm", "a decision")
    assert run(log_repo, "list").exit_code == 0  # type: ignore[attr-defined]
    monkeypatch.chdir(log_repo)
    return log_repo


def test_why_opens_the_log_and_starts_git_before_the_command_line_loads(committed: Path) -> None:
    early = entry._started_early(["why", "orders", "database"])
    assert early is not None
    folder, log = early
    assert folder == os.getcwd() and log.probe is not None and log.probe.started()
    common.EARLY_LOG = early
    assert common.open_log() is log  # the command reads the log git is looking at
    assert common.EARLY_LOG is None and common.open_log() is not log  # taken once


def test_only_why_and_only_in_the_folder_it_was_opened_in(committed: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    assert entry._started_early(["list"]) is None
    assert entry._started_early(["-C", str(committed), "why", "x"]) is None  # a folder option comes first
    early = entry._started_early(["why", "x"])
    assert early is not None
    common.EARLY_LOG = early
    monkeypatch.chdir(tmp_path)
    with pytest.raises(NotALogError, match="no declog log here"):
        common.open_log()  # another folder: opened afresh (here, no log at all)
    assert common.EARLY_LOG is None


def test_outside_a_log_nothing_starts_and_the_command_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert entry._started_early(["why", "x"]) is None
    done = subprocess.run([sys.executable, "-m", "declog", "why", "x"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr.startswith("declog: error: no declog log here")


def test_the_command_answers_as_the_command_line_does_in_process(committed: Path, run: Callable[..., object]) -> None:
    done = subprocess.run([sys.executable, "-m", "declog", "why", "--format", "json", "orders", "database"],
                          cwd=committed, capture_output=True, text=True, check=True)
    assert done.stdout == run(committed, "why", "--format", "json", "orders", "database").stdout  # type: ignore[attr-defined]
    assert json.loads(done.stdout)["results"][0]["title"] == "Use Postgres for the orders database"


def test_the_hook_starts_git_listing_the_tracked_files_before_the_command_line_loads(
        committed: Path, run: Callable[..., object]) -> None:
    assert entry._started_early(["validate", "decisions/x.yaml"]) is None  # the hook's view only
    assert entry._started_early(["validate", "--", "--tracked"]) is None  # a file named --tracked
    early = entry._started_early(["validate", "--tracked", "decisions/x.yaml"])
    assert early is not None
    log = early[1]
    assert log.tracked is not None and log.probe is None
    assert "decisions/owners/alice.yaml" in log.tracked().blobs
    common.EARLY_LOG = early
    assert common.open_log(probe=False) is log and log.tracked is not None


def test_a_listing_started_for_the_hook_never_narrows_a_check_of_the_whole_log(committed: Path) -> None:
    from declog.cli import main

    untracked = committed / "decisions" / "D-zzzz00-draft.yaml"
    untracked.write_text("id: D-zzzz00\ntitle: Draft\nowner: ghost\n", encoding="utf-8")
    common.EARLY_LOG = entry._started_early(["validate", "--tracked", "x.yaml"])
    assert common.EARLY_LOG is not None
    assert main(["validate"]) == 1  # without --tracked the untracked file is checked (and fails)
    assert common.EARLY_LOG is None
