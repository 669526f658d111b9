"""A cold walk parses git log's output while git still writes it (``walk.read_log`` over
``Git.log_pieces``) and asks for the merges' other sides as they come (``walk.OtherParents``):
whatever the pieces, the commits, events and blob facts are those of the whole output at once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from declog.errors import GitError
from declog.history import git as git_mod
from declog.history import walk
from declog.history.git import Git
from tests.conftest import Result, git, new_decision
from tests.history.conftest import commit, merge, path_of, set_line


def _branchy(run: Callable[..., Result], repo: Path) -> None:
    """Decisions changed on two branches, merged twice (one merge with a conflict resolved),
    and a commit subject holding git log's record separator."""
    base = new_decision(run, repo, "Shared base decision")
    commit(repo, "base", "2026-01-01T00:00:00Z")
    for n in range(3):
        git(repo, "checkout", "-q", "-b", f"side{n}")
        other = new_decision(run, repo, f"Side decision {n}")
        commit(repo, f"side {n}: add", f"2026-01-0{2 + n}T00:00:00Z")
        set_line(path_of(repo, other), "tags", f"[side{n}]")
        set_line(path_of(repo, base), "consequences", f"Side {n} consequence")
        commit(repo, f"side {n}: change\x1eodd subject", f"2026-01-0{2 + n}T06:00:00Z")
        git(repo, "checkout", "-q", "main")
        set_line(path_of(repo, base), "title", f"Shared base decision, take {n}")
        commit(repo, f"main: rename {n}", f"2026-01-0{2 + n}T12:00:00Z")
        res = merge(repo, f"side{n}", f"2026-01-0{2 + n}T18:00:00Z")
        assert res.returncode == 0, res.stdout + res.stderr


def test_a_walk_read_in_tiny_pieces_while_git_runs_is_the_walk_of_the_whole_output(
        log_repo: Path, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch) -> None:
    _branchy(run, log_repo)
    g = Git(log_repo)
    tip = g.head()
    assert tip is not None
    whole = walk.walk(g, "decisions", "Decision", tip)  # git run in the foreground: one piece
    assert sum(1 for c in whole[0] if len(c.revision.parents) > 1) == 3
    assert any("\x1e" in c.revision.subject for c in whole[0])
    monkeypatch.setattr(git_mod, "LOG_PIECE_BYTES", 7)  # a cut in every header and diff
    started = Git(log_repo)
    started.start_log(walk.log_args("decisions", "Decision", tip))
    pieces = 0
    real = started.log_pieces

    def counted(args):  # type: ignore[no-untyped-def]
        nonlocal pieces
        for piece in real(args):
            pieces += 1
            yield piece

    monkeypatch.setattr(started, "log_pieces", counted)
    streamed = walk.walk(started, "decisions", "Decision", tip)
    assert pieces > 100
    assert streamed == whole


def test_a_commit_is_cut_only_where_git_log_starts_one() -> None:
    oid = "a" * 40
    head = walk.REC + oid.encode() + walk.SEP
    odd = walk.REC + b"not a commit" + walk.SEP  # a subject that held the separator
    data = head + b"x" + odd + b"y" + head + b"z"
    assert walk._last_commit_start(data) == data.rindex(head)
    assert walk._last_commit_start(head + b"x" + odd + b"y") == 0  # only the first commit starts here
    assert walk._last_commit_start(head + b"x" + walk.REC + oid[:20].encode()) == 0  # a header half written


def test_a_started_git_log_that_fails_is_run_again_for_git_s_own_error(log_repo: Path) -> None:
    g = Git(log_repo)
    args = ["--format=%H", "--end-of-options", "no-such-branch", "--"]
    g.start_log(args)
    pieces = g.log_pieces(args)
    with pytest.raises(GitError, match="no-such-branch|unknown revision|bad revision"):
        seen = [next(pieces)]
        seen += list(pieces)
    assert seen == [None]  # the failed run said nothing: the caller starts over, then git's error


def test_what_a_failed_background_git_log_wrote_is_dropped_for_the_foreground_run(log_repo: Path) -> None:
    import subprocess
    import tempfile

    commit(log_repo, "first")
    g = Git(log_repo)
    args = ["--format=%H", "--end-of-options", "HEAD", "--"]
    want = g.out(["log", "--no-color", "--no-ext-diff", "--no-textconv", *args])
    sink = tempfile.TemporaryFile()
    dying = subprocess.Popen(["sh", "-c", "printf 'half of an output'; exit 3"], stdout=sink)
    git_mod._STARTED[(str(g.repo), tuple(args))] = (dying, sink)  # as start_log leaves it
    assert g.log_stream(args) == want
    assert b"half of an output" not in want
