"""The light read of the files git tracks (``Log.tracked``, as ``validate --tracked`` sets it):
each file's record by its index blob instead of a walk of the log, and the walk wherever git
cannot vouch for a file."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from declog.history.git import Git
from declog.storage.store import Log
from tests.conftest import git
from tests.factory import decision_yaml


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def committed(log_repo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A committed log of twelve decisions (one in a sub-folder), read once so the parse cache
    holds its snapshot (no racy window: files just written are trusted)."""
    monkeypatch.setattr("declog.storage.store.RACY_NS", 0)
    for i in range(11):
        _write(log_repo / "decisions" / f"D-aaaa{i:02d}-x.yaml", decision_yaml(f"D-aaaa{i:02d}", f"Title {i}"))
    _write(log_repo / "decisions" / "area-b" / "D-bbbb00-x.yaml", decision_yaml("D-bbbb00", "In a folder"))
    git(log_repo, "add", "-A")
    git(log_repo, "commit", "-qm", "twelve decisions")
    Log.open(log_repo).light_records()
    return log_repo


def _as_read(record: object) -> tuple[object, ...]:
    r = record
    return (r.path, r.kind.name, r.oid, r.id, r.error.problem if r.error else None,  # type: ignore[attr-defined]
            r.links if r.error is None else None)  # type: ignore[attr-defined]


def _tracked(repo: Path) -> tuple[list[object] | None, list[object]]:
    """What the read from git's index gives (None: it left the log to the walk), and what the
    walk gives of the same files."""
    log = Log.open(repo)
    log.tracked = Git(log.repo).index_files_later(log.config.root)
    served = log._tracked_read()
    tracked = set(log.tracked().blobs)
    walked = [r for r in Log.open(repo).light_records() if r.path in tracked]
    return served, walked


def test_files_git_vouches_for_are_served_by_their_blobs_as_the_walk_reads_them(committed: Path) -> None:
    edited = committed / "decisions" / "D-aaaa03-x.yaml"  # edited, not staged
    edited.write_text(edited.read_text().replace("Title 3", "Title three"), encoding="utf-8")
    staged = committed / "decisions" / "D-aaaa05-x.yaml"  # edited and staged, as pre-commit sees it
    staged.write_text(staged.read_text().replace("Title 5", "Title five"), encoding="utf-8")
    added = _write(committed / "decisions" / "area-a" / "D-cccc00-x.yaml", decision_yaml("D-cccc00", "New"))
    git(committed, "add", str(staged), str(added))
    (committed / "decisions" / "D-aaaa07-x.yaml").unlink()  # deleted, not staged
    _write(committed / "decisions" / "D-dddd00-x.yaml", decision_yaml("D-dddd00", "Not tracked"))

    served, walked = _tracked(committed)

    assert served is not None
    assert [_as_read(r) for r in served] == [_as_read(r) for r in walked]
    titles = {r.path.rsplit("/", 1)[-1]: r.links.get("title") for r in served}  # type: ignore[attr-defined]
    assert titles["D-aaaa03-x.yaml"] == "Title three" and titles["D-aaaa05-x.yaml"] == "Title five"
    assert "D-cccc00-x.yaml" in titles and "D-aaaa07-x.yaml" not in titles and "D-dddd00-x.yaml" not in titles
    # the walk's order, part by part: decisions/area-a/… and area-b/… before the files beside them
    assert [r.path for r in served] == sorted((r.path for r in served), key=lambda p: p.split("/"))  # type: ignore[attr-defined]


def _assume_unchanged(repo: Path) -> None:
    path = repo / "decisions" / "D-aaaa02-x.yaml"
    git(repo, "update-index", "--assume-unchanged", "decisions/D-aaaa02-x.yaml")
    path.write_text(path.read_text().replace("Title 2", "Title two"), encoding="utf-8")


def _skip_worktree(repo: Path) -> None:
    git(repo, "update-index", "--skip-worktree", "decisions/D-aaaa02-x.yaml")


def _tracked_symlink(repo: Path) -> None:
    os.symlink("D-aaaa01-x.yaml", repo / "decisions" / "D-eeee00-x.yaml")
    git(repo, "add", "decisions/D-eeee00-x.yaml")


def _symlinked_folder(repo: Path) -> None:
    """A tracked folder swapped for a symlink to a copy of it outside the repository."""
    folder = repo / "decisions" / "area-b"
    outside = repo.parent / "outside-area-b"
    folder.rename(outside)
    os.symlink(outside, folder)


def _upper_case_extension(repo: Path) -> None:
    _write(repo / "decisions" / "D-ffff00-x.YAML", decision_yaml("D-ffff00", "Shouting"))
    git(repo, "add", "decisions/D-ffff00-x.YAML")


@pytest.mark.parametrize("make", [_assume_unchanged, _skip_worktree, _tracked_symlink, _symlinked_folder,
                                  _upper_case_extension],
                         ids=["assume-unchanged", "skip-worktree", "tracked-symlink", "symlinked-folder",
                              "upper-case-extension"])
def test_where_git_cannot_vouch_for_a_file_the_log_is_walked(committed: Path, make: Callable[[Path], None]) -> None:
    make(committed)
    served, _ = _tracked(committed)
    assert served is None


def test_a_merge_conflict_sends_the_log_to_its_walk(committed: Path) -> None:
    path = committed / "decisions" / "D-aaaa04-x.yaml"
    base = git(committed, "rev-parse", "HEAD").strip()
    git(committed, "checkout", "-q", "-b", "left")
    path.write_text(path.read_text().replace("Title 4", "Title Left"), encoding="utf-8")
    git(committed, "commit", "-qam", "left")
    git(committed, "checkout", "-q", "-b", "right", base)
    path.write_text(path.read_text().replace("Title 4", "Title Right"), encoding="utf-8")
    git(committed, "commit", "-qam", "right")
    import subprocess

    assert subprocess.run(["git", "merge", "-q", "left"], cwd=committed, capture_output=True).returncode != 0
    served, _ = _tracked(committed)
    assert served is None


def test_without_a_snapshot_or_with_git_failing_the_log_is_walked(committed: Path) -> None:
    from declog.errors import GitError

    broken = Log.open(committed)

    def failing() -> object:
        raise GitError("git ls-files failed: exit status 128")

    broken.tracked = failing  # type: ignore[assignment]
    assert broken._tracked_read() is None
    assert len(broken.light_records()) == 13  # the walk: twelve decisions and alice

    (committed / ".git" / "declog" / "parse-cache.sqlite").unlink()
    served, walked = _tracked(committed)
    assert served is None and len(walked) == 13


def test_the_hook_reports_an_edit_it_did_not_walk_to(committed: Path, run: Callable[..., object],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[object] = []
    read = Log._tracked_read

    def spy(self: Log) -> object:
        served.append(read(self))
        return served[-1]

    monkeypatch.setattr(Log, "_tracked_read", spy)
    path = committed / "decisions" / "D-aaaa06-x.yaml"
    path.write_text(path.read_text().replace("owner: alice", "owner: ghost"), encoding="utf-8")
    git(committed, "add", str(path))
    res = run(committed, "validate", "--tracked", str(path.relative_to(committed)))
    assert len(served) == 1 and served[0] is not None  # read from git's index, not walked
    assert res.exit_code == 1  # type: ignore[attr-defined]
    assert "unknown owner 'ghost'" in res.stdout  # type: ignore[attr-defined]


def test_the_hook_never_reads_through_a_folder_swapped_for_a_symlink(
        committed: Path, run: Callable[..., object]) -> None:
    _symlinked_folder(committed)
    outside = committed.parent / "outside-area-b" / "D-bbbb00-x.yaml"
    outside.write_text(outside.read_text().replace("owner: alice", "owner: SECRET"), encoding="utf-8")
    edited = committed / "decisions" / "D-aaaa01-x.yaml"
    edited.write_text(edited.read_text().replace("Title 1", "Title one"), encoding="utf-8")
    git(committed, "add", str(edited))
    res = run(committed, "validate", "--tracked", "decisions/D-aaaa01-x.yaml", "decisions/area-b/D-bbbb00-x.yaml")
    # the file behind the symlink is no record of the log: not read, its unknown owner not reported
    assert "SECRET" not in res.output  # type: ignore[attr-defined]
    assert res.stderr == ("declog: warning: decisions/area-b/D-bbbb00-x.yaml: not checked: behind a symlinked "  # type: ignore[attr-defined]
                          "folder, which declog never follows\nok: 1 record checked\n")
