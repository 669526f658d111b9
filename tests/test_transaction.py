"""Writes as transactions (``declog.storage.transaction``): under the lock, checked against what was
read, every file or none, nothing left behind. Real git repositories and real files; the one
forced failure is an ``OSError`` from ``os.replace`` itself, the call that places a file."""

from __future__ import annotations

import errno
import fcntl
import os
import resource
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from declog.core import edit
from declog.domain.kinds import KINDS
from declog.errors import FileWriteError, UsageError
from declog.storage.store import Log
from declog.storage.transaction import Transaction
from tests.cli.helpers import record_file, snapshot
from tests.conftest import Result, new_decision

CHANGED = "changed on disk while declog was working on it"


def temps(repo: Path) -> list[str]:
    return sorted(p.name for p in repo.rglob(".declog-*.tmp"))


def lock_is_free(repo: Path) -> bool:
    """True when another process (here: another open file) can take the log's write lock now."""
    fd = os.open(repo / ".git" / "declog" / "write.lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


@pytest.fixture
def two(log_repo: Path, run: Callable[..., Result]) -> tuple[Path, str, str]:
    return log_repo, new_decision(run, log_repo, "Use Postgres"), new_decision(run, log_repo, "Use MySQL")


def test_supersede_refuses_a_file_changed_since_it_was_read(two: tuple[Path, str, str]) -> None:
    repo, old_id, new_id = two
    log = Log.open(repo)
    old, new = log.resolve(old_id), log.resolve(new_id)
    path = record_file(repo, old_id)
    path.write_text(path.read_text(encoding="utf-8") + "# written by someone else\n", encoding="utf-8")
    before = snapshot(repo)
    with pytest.raises(UsageError, match=CHANGED) as refused:
        edit.supersede(log, old, new)
    assert "\n" not in str(refused.value) and "nothing was written" in str(refused.value)
    assert snapshot(repo) == before  # the new decision was not linked either
    assert temps(repo) == [] and lock_is_free(repo)


def test_create_with_supersedes_writes_no_new_record_when_the_old_one_changed(two: tuple[Path, str, str]) -> None:
    repo, old_id, _ = two
    log = Log.open(repo)
    old = log.resolve(old_id)
    path = record_file(repo, old_id)
    path.write_text(path.read_text(encoding="utf-8").replace("Use Postgres", "Use Postgres 16"), encoding="utf-8")
    before = snapshot(repo)
    fields = {"title": "Use SQLite", "owner": "alice", "door": "two-way", "status": "proposed",
              "context": "Fewer servers"}
    with pytest.raises(UsageError, match=CHANGED):
        edit.create(log, KINDS["decision"], fields, supersedes=[old])
    assert snapshot(repo) == before and temps(repo) == [] and lock_is_free(repo)


def test_a_file_that_cannot_be_staged_leaves_every_file_as_it_was(two: tuple[Path, str, str]) -> None:
    """A real file-system refusal that holds even for root: a file where a folder should be."""
    repo, old_id, _ = two
    log = Log.open(repo)
    old = log.resolve(old_id)
    (repo / "decisions" / "not-a-folder").write_text("a file\n", encoding="utf-8")
    before = snapshot(repo)
    with pytest.raises(FileWriteError, match="is a file, not a folder") as refused:
        with Transaction(log) as tx:
            tx.replace(old, log.text_of(old).replace("Use Postgres", "Use Postgres 16"))
            tx.create(repo / "decisions" / "new.yaml", "id: D-aaaaaa\n")
            tx.create(repo / "decisions" / "not-a-folder" / "inside.yaml", "id: D-bbbbbb\n")
    assert "nothing was changed" in str(refused.value)
    assert snapshot(repo) == before and temps(repo) == [] and lock_is_free(repo)


@pytest.fixture
def file_size_limit() -> Iterator[Callable[[int], None]]:
    """Lower this process's file-size limit (RLIMIT_FSIZE; writes past it fail with EFBIG, for
    root too), and put it back."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    yield lambda size: resource.setrlimit(resource.RLIMIT_FSIZE, (size, hard))
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    signal.signal(signal.SIGXFSZ, handler)


def test_import_adr_over_the_file_size_limit_writes_no_record(log_repo: Path, run: Callable[..., Result],
                                                              file_size_limit: Callable[[int], None]) -> None:
    """``declog import adr``: the first ADRs fit, the last does not; the import writes none."""
    adrs = log_repo / "doc" / "adr"
    adrs.mkdir(parents=True)
    for n, words in ((1, 10), (2, 10), (3, 4000)):
        (adrs / f"000{n}-decision-{n}.md").write_text(
            f"# {n}. Decision {n}\n\nDate: 2026-01-0{n}\n\n## Status\n\nAccepted\n\n## Context\n\n"
            + " ".join(["context"] * words) + f"\n\n## Decision\n\nWe do thing {n}.\n\n## Consequences\n\nSome.\n",
            encoding="utf-8")
    before = snapshot(log_repo)
    file_size_limit(16_000)
    res = run(log_repo, "import", "adr", str(adrs), "--owner", "alice")
    file_size_limit(resource.RLIM_INFINITY)
    assert res.exit_code == 2, res.output
    assert res.stderr.startswith("declog: error: ") and res.stderr.count("\n") == 1, res.stderr
    assert "nothing was changed" in res.stderr and os.strerror(errno.EFBIG) in res.stderr
    assert snapshot(log_repo) == before and temps(log_repo) == [] and lock_is_free(log_repo)
    assert run(log_repo, "import", "adr", str(adrs), "--owner", "alice").exit_code == 0  # and then it works


def test_a_failure_while_placing_puts_back_the_files_already_replaced(
        two: tuple[Path, str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    repo, old_id, new_id = two
    log = Log.open(repo)
    old, new = log.resolve(old_id), log.resolve(new_id)
    before = snapshot(repo)
    real_replace = os.replace
    calls: list[str] = []

    def replace(src: str, dst: str) -> None:  # the second file's rename fails, as on an I/O error
        calls.append(os.fspath(dst))
        if len(calls) == 2:
            raise OSError(errno.EIO, os.strerror(errno.EIO), os.fspath(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(FileWriteError, match="nothing was changed"):
        edit.supersede(log, old, new)
    monkeypatch.setattr(os, "replace", real_replace)
    assert len(calls) == 3  # new placed, old failed, new put back
    assert snapshot(repo) == before and temps(repo) == [] and lock_is_free(repo)


def test_a_transaction_writes_every_file_and_keeps_a_byte_order_mark(two: tuple[Path, str, str]) -> None:
    repo, old_id, new_id = two
    path = record_file(repo, old_id)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    path.chmod(0o600)
    (repo / "decisions" / "narratives").mkdir(exist_ok=True)
    keep = repo / "decisions" / "narratives" / ".gitkeep"
    keep.touch()
    log = Log.open(repo)
    old, new = log.resolve(old_id), log.resolve(new_id)
    with Transaction(log) as tx:
        assert not lock_is_free(repo)  # the lock is held inside the block
        tx.replace(old, log.text_of(old).replace("Use Postgres", "Use Postgres 16"))
        tx.replace(new, log.text_of(new).replace("Use MySQL", "Use MySQL 8"))
        tx.create(repo / "decisions" / "narratives" / "draft.yaml", "id: N-aaaaaa\n")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf") and b"Use Postgres 16" in path.read_bytes()
    assert path.stat().st_mode & 0o777 == 0o600
    assert "Use MySQL 8" in record_file(repo, new_id).read_text(encoding="utf-8")
    assert (repo / "decisions" / "narratives" / "draft.yaml").read_text(encoding="utf-8") == "id: N-aaaaaa\n"
    assert not keep.exists()  # init's placeholder goes once the folder holds a record
    assert temps(repo) == [] and lock_is_free(repo)


def test_an_exception_inside_the_block_writes_nothing(two: tuple[Path, str, str]) -> None:
    repo, old_id, _ = two
    log = Log.open(repo)
    old = log.resolve(old_id)
    before = snapshot(repo)
    with pytest.raises(KeyError):
        with Transaction(log) as tx:
            tx.replace(old, "title: gone\n")
            raise KeyError("the caller gave up")
    assert snapshot(repo) == before and temps(repo) == [] and lock_is_free(repo)


def test_import_narrative_writes_every_narrative_or_none(log_repo: Path, run: Callable[..., Result],
                                                         file_size_limit: Callable[[int], None]) -> None:
    docs = log_repo / "docs"
    docs.mkdir()
    (docs / "small.md").write_text("# Orders arrive in order\n\nShort.\n", encoding="utf-8")
    (docs / "large.md").write_text("# Refunds in a day\n\n" + "Refunds. " * 3000 + "\n", encoding="utf-8")
    before = snapshot(log_repo)
    file_size_limit(16_000)
    res = run(log_repo, "import", "narrative", str(docs / "small.md"), str(docs / "large.md"))
    file_size_limit(resource.RLIM_INFINITY)
    assert res.exit_code == 2 and "nothing was changed" in res.stderr, res.output
    assert snapshot(log_repo) == before and temps(log_repo) == [] and lock_is_free(log_repo)
    res = run(log_repo, "import", "narrative", str(docs / "small.md"), str(docs / "large.md"))
    assert res.exit_code == 0, res.output
    assert len(list((log_repo / "decisions" / "narratives").glob("N-*.yaml"))) == 2
