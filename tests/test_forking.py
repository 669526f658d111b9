"""declog.storage.forking: the one rule for forking a helper onto the second core."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from declog.storage import forking


def test_a_running_helper_takes_its_core(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("threading.active_count", lambda: 1)  # pytest's own threads aside
    monkeypatch.setattr(forking, "cpus", lambda: 2)
    monkeypatch.setattr(forking, "_RUNNING", [])
    if not forking.can_fork():
        pytest.skip("no fork on this platform")
    helper = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    forking.started(helper)  # e.g. git log, started in the background by declog.history.prefetch
    assert not forking.can_fork()
    helper.communicate(b"")  # it ends: its core is free again
    assert forking.can_fork() and forking._RUNNING == []


def test_no_helper_on_one_core_or_beside_other_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forking, "_RUNNING", [])
    monkeypatch.setattr(forking, "cpus", lambda: 1)
    monkeypatch.setattr("threading.active_count", lambda: 1)
    assert not forking.can_fork()
    monkeypatch.setattr(forking, "cpus", lambda: 8)
    monkeypatch.setattr("threading.active_count", lambda: 2)
    assert not forking.can_fork()


def test_a_cold_why_gives_its_background_git_log_a_core(log_repo, run, forks: list[int],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """`declog why` on a cold index has git walk the history in the background while it reads
    the log: that git counts as a running helper, so no second parser is forked for its core
    while it runs (test_a_running_helper_takes_its_core). A cold `list` runs no git: its cold
    read forks the second parser."""
    import shutil

    from declog.storage import store
    from tests.conftest import git, new_decision

    for i in range(6):
        new_decision(run, log_repo, f"Use queue number {i} for the billing events")
    git(log_repo, "add", "-A")
    git(log_repo, "commit", "-qm", "log")
    shutil.rmtree(log_repo / ".git" / "declog")
    helpers: list[list[str]] = []
    real_started = forking.started
    monkeypatch.setattr(forking, "started", lambda h: (helpers.append(list(h.args)), real_started(h)))
    assert run(log_repo, "why", "billing queue").exit_code == 0
    assert len(helpers) == 1 and "log" in helpers[0] and "--raw" in helpers[0]

    monkeypatch.setattr(store, "PARALLEL_MIN_FILES", 2)
    shutil.rmtree(log_repo / ".git" / "declog")
    assert run(log_repo, "list").exit_code == 0
    assert len(forks) == 1


def test_a_child_sends_its_first_part_at_once_and_its_work_after(tmp_path) -> None:
    """``fork(work, first=...)``: the parent takes the first part while the child still works."""
    if not forking.can_fork():
        pytest.skip("no fork here")
    gate = tmp_path / "go"

    def work() -> list[str]:  # waits until the parent has the first part
        import time

        for _ in range(500):
            if gate.exists():
                return ["done", "é"]
            time.sleep(0.01)
        return ["timed out"]

    child = forking.fork(work, first=lambda: {"parsed": [1, 2]})
    assert child is not None
    assert child.first() == b'{"parsed":[1,2]}'  # before the work could end
    assert child.first() is None  # given once
    gate.write_text("")
    assert json.loads(child.output() or b"") == ["done", "é"]


def test_a_child_that_fails_gives_nothing_and_output_without_first_reads_past_it() -> None:
    if not forking.can_fork():
        pytest.skip("no fork here")

    def broken() -> None:
        raise RuntimeError("the child's work fails")

    child = forking.fork(lambda: "work", first=broken)
    assert child is not None and child.first() is None and child.output() is None
    child = forking.fork(lambda: ["work"], first=lambda: ["first"])
    assert child is not None and child.output() == b'["work"]'  # the first part, never asked for, is skipped
    child = forking.fork(lambda: ["work"])
    assert child is not None and child.first() is None and child.output() == b'["work"]'
