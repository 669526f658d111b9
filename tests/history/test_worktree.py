"""git's index instead of a walk (``declog.history.worktree.IndexProbe``): a big log unchanged
since the last run is served without stat'ing its files, and every change git can see, or
cannot vouch for, sends the log back to its walk; what is listed is what a cold run lists."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli.helpers import record_file
from tests.conftest import Result, git, new_decision


@pytest.fixture
def probed(log_repo: Path, run: Callable[..., Result], monkeypatch: Any) -> list[str]:
    """Four committed decisions; the probe asked whatever the log's size; no racy window."""
    monkeypatch.setattr("declog.storage.store.PROBE_MIN_FILES", 0)
    monkeypatch.setattr("declog.storage.store.RACY_NS", 0)
    monkeypatch.setattr("declog.history.worktree.RACY_NS", 0)
    ids = [new_decision(run, log_repo, f"Use Postgres for ledger {i}") for i in range(4)]
    git(log_repo, "add", "-A")
    git(log_repo, "commit", "-qm", "four decisions")
    return ids


def _opened(repo: Path) -> Any:
    from declog.history.worktree import IndexProbe
    from declog.storage.store import Log

    log = Log.open(repo)
    log.probe = IndexProbe(log)
    return log


def _listing(records: list[Any]) -> list[tuple[str, str | None, str]]:
    return [(r.path, r.id, r.oid) for r in records]


def _cold(repo: Path) -> list[tuple[str, str | None, str]]:
    from declog.storage.store import Log

    return _listing(Log.open(repo, use_cache=False).light_records())


def _without_a_walk(repo: Path, monkeypatch: Any) -> list[tuple[str, str | None, str]]:
    """The light records of a log whose state must come from git's index: a walk fails."""
    from declog.storage.store import Log

    def walk(self: Log) -> None:
        raise AssertionError("the log was walked")

    with monkeypatch.context() as patched:
        patched.setattr(Log, "state", walk)
        return _listing(_opened(repo).light_records())


def _warm(run: Callable[..., Result], repo: Path) -> list[tuple[str, str | None, str]]:
    """Two runs of the command line (the first walks and keeps the probe's digest), then the
    records as a probed log reads them."""
    for _ in range(2):
        assert run(repo, "list", "all", "--format", "json").exit_code == 0
    return _listing(_opened(repo).light_records())


def test_an_unchanged_log_is_vouched_for_by_git_and_served_without_a_walk(
        probed: list[str], log_repo: Path, run: Callable[..., Result], monkeypatch: Any) -> None:
    assert _warm(run, log_repo) == _cold(log_repo)
    assert _without_a_walk(log_repo, monkeypatch) == _cold(log_repo)
    listed = json.loads(run(log_repo, "list", "--format", "json").stdout)
    assert sorted(r["id"] for r in listed) == sorted(probed)


def test_every_change_git_sees_sends_the_log_back_to_its_walk(
        probed: list[str], log_repo: Path, run: Callable[..., Result], monkeypatch: Any) -> None:
    from declog.storage.store import Log

    _warm(run, log_repo)

    def edit(rid: str, old: str, new: str) -> None:
        path = record_file(log_repo, rid)
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")  # in place

    changes: list[tuple[str, Callable[[], None]]] = [
        ("a tracked file edited in place, same size", lambda: edit(probed[0], "ledger 0", "ledger X")),
        ("a new file git does not track", lambda: new_decision(run, log_repo, "Use Kafka for events")),
        ("that untracked file edited in place", lambda: edit(_newest(log_repo), "Kafka", "Pulsar")),
        ("a tracked file deleted", lambda: record_file(log_repo, probed[1]).unlink()),
        ("everything staged", lambda: git(log_repo, "add", "-A")),
        ("committed", lambda: git(log_repo, "commit", "-qm", "more")),
        ("an ignored record file", lambda: _ignored(log_repo, probed[3])),
    ]
    for what, change in changes:
        change()
        assert _warm(run, log_repo) == _cold(log_repo), what
        assert _without_a_walk(log_repo, monkeypatch) == _cold(log_repo), what  # and vouched for again
    titles = {r["title"] for r in json.loads(run(log_repo, "list", "--format", "json").stdout)}
    assert {"Use Postgres for ledger X", "Use Pulsar for events", "Keep the ignored one"} <= titles
    assert Log.open(log_repo).state() is not None


def _newest(repo: Path) -> str:
    from declog.storage.store import Log

    untracked = set(git(repo, "ls-files", "--others", "--", "decisions").split())
    return next(str(r.id) for r in Log.open(repo).light_records() if r.path in untracked)


def _ignored(repo: Path, rid: str) -> None:
    (repo / ".gitignore").write_text("decisions/ignored-*.yaml\n", encoding="utf-8")
    source = record_file(repo, rid)
    text = source.read_text(encoding="utf-8")
    source.unlink()  # the same record, moved where git ignores it
    (repo / "decisions" / f"ignored-{rid}.yaml").write_text(
        text.replace(text.split("title: ", 1)[1].splitlines()[0], "Keep the ignored one"), encoding="utf-8")


def test_git_settings_that_compare_less_stat_data_are_never_vouched_for(
        probed: list[str], log_repo: Path) -> None:
    assert _opened(log_repo).probe.trusted()
    for key, value in (("core.trustctime", "false"), ("core.trustctime", "no"), ("core.checkStat", "minimal"),
                       ("core.ignoreStat", "true"), ("core.ignoreStat", "1")):
        git(log_repo, "config", key, value)
        assert not _opened(log_repo).probe.trusted(), key
        git(log_repo, "config", "--unset", key)
    assert _opened(log_repo).probe.trusted()


@pytest.mark.parametrize("flag", ["--assume-unchanged", "--skip-worktree"])
def test_a_file_git_is_told_not_to_look_at_is_never_vouched_for(
        flag: str, probed: list[str], log_repo: Path, run: Callable[..., Result]) -> None:
    path = record_file(log_repo, probed[2])
    git(log_repo, "update-index", flag, "--", path.relative_to(log_repo).as_posix())
    assert not _opened(log_repo).probe.trusted()
    _warm(run, log_repo)
    path.write_text(path.read_text(encoding="utf-8").replace("ledger 2", "ledger two"), encoding="utf-8")
    assert _warm(run, log_repo) == _cold(log_repo)  # git does not see the edit: the walk does
    titles = {r["title"] for r in json.loads(run(log_repo, "list", "--format", "json").stdout)}
    assert "Use Postgres for ledger two" in titles


def test_the_probe_says_nothing_where_git_cannot_vouch_for_the_files(
        probed: list[str], log_repo: Path, run: Callable[..., Result], monkeypatch: Any) -> None:
    log = _opened(log_repo)
    assert log.probe.state() is not None and log.probe.trusted()

    nested = log_repo / "decisions" / "vendored"
    nested.mkdir()
    git(nested, "init", "-q")  # a repository of its own: git lists its folder, not its files
    shutil.copy(record_file(log_repo, probed[0]), nested / "copy.yaml")
    assert log.probe.state() is None
    shutil.rmtree(nested)

    monkeypatch.setattr("declog.history.worktree.LISTED_AT_MOST", 1)
    for i in range(2):
        (log_repo / "decisions" / f"draft-{i}.txt").write_text("draft\n", encoding="utf-8")
    assert log.probe.state() is None  # too many files outside the index: walking costs less
    monkeypatch.setattr("declog.history.worktree.LISTED_AT_MOST", 200)
    assert log.probe.state() is not None

    monkeypatch.setattr("declog.history.worktree.RACY_NS", 2_000_000_000)
    (log_repo / "decisions" / "draft-0.txt").write_text("just now\n", encoding="utf-8")
    assert log.probe.state() is None  # changed within the racy window

    monkeypatch.setattr("declog.history.worktree.RACY_NS", 0)
    assert log.probe.state() is not None
    monkeypatch.setenv("GIT_INDEX_FILE", str(log_repo / ".git" / "index.other"))  # git commit -a runs hooks so
    assert log.probe.state() is None
    monkeypatch.delenv("GIT_INDEX_FILE")

    (log_repo / ".git" / "index").unlink()
    assert log.probe.state() is None


def test_git_is_found_on_path_and_never_in_the_current_folder(tmp_path: Path, monkeypatch: Any) -> None:
    import os

    from declog.errors import GitError
    from declog.history.git import _git_binary

    fake = tmp_path / "git"
    fake.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", os.pathsep + str(tmp_path / "nowhere"))  # an empty entry: the current folder
    with pytest.raises(GitError, match="git is not installed or not on PATH"):
        _git_binary()
    monkeypatch.setenv("PATH", os.pathsep.join([str(tmp_path / "nowhere"), str(tmp_path)]))
    assert _git_binary() == str(fake)
