"""Pieces shared by the commands: opening the log, output options, the editor loop."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


# the log that ``declog why`` or ``validate --tracked`` opened before the command line loaded,
# with what git works on started (declog.__main__): the current folder then, and the log;
# taken by open_log
EARLY_LOG: tuple[str, Any] | None = None


def open_log(probe: bool = True) -> Any:
    """The log of the current folder's repository. ``probe``: a big log unchanged since the last
    run is known to be so from git's index, without a walk (declog.history.worktree); a command
    run just after files changed (the pre-commit hook) gains nothing from asking."""
    import os

    from declog.storage.store import Log

    global EARLY_LOG
    early, EARLY_LOG = EARLY_LOG, None
    if early is not None and early[0] == os.getcwd():
        log = early[1]
        if not probe:
            _settle(log.probe)
            log.probe = None
    else:
        if early is not None:
            _settle(early[1].probe)
            settle_tracked(early[1])
        log = Log.open()
    if probe and log.probe is None:
        from declog.history.worktree import IndexProbe

        log.probe = IndexProbe(log)
    return log


def _settle(probe: Any) -> None:
    """Wait for the git process of a probe started early and not used (nothing left running)."""
    if probe is not None and probe.started():
        probe.state()


def settle_tracked(log: Any) -> None:
    """Wait for git's listing of the tracked files started early (``Log.tracked``) where the
    command does not use it, and drop it: nothing is left running, and nothing narrows the log."""
    from declog.errors import GitError

    if log.tracked is not None:
        try:
            log.tracked()
        except GitError:
            pass
        log.tracked = None


def format_option(choices: tuple[str, ...], default: str) -> Callable[[F], F]:
    return click.option(
        "--format", "fmt", type=click.Choice(choices), default=default, show_default=True,
        help="Output format: " + ", ".join(choices) + ".",
    )


def is_interactive() -> bool:
    import sys

    return sys.stdin.isatty() and sys.stdout.isatty()


# Where a command's output goes when it is run in-process (declog mcp): unset, standard output.
OUTPUT: ContextVar[Any] = ContextVar("declog_output", default=None)


def out() -> Any:
    import sys

    redirected = OUTPUT.get()
    return redirected if redirected is not None else sys.stdout


def _editor(text: str, extension: str) -> str | None:
    """``click.edit``, with a failure that says how to choose an editor."""
    import os

    try:
        return click.edit(text, extension=extension, require_save=False)
    except click.ClickException as exc:
        chosen = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        hint = "set $EDITOR (or $VISUAL) to an editor that works, e.g. EDITOR=nano" if chosen else \
            "no editor is set: set $EDITOR (or $VISUAL), e.g. EDITOR=nano"
        raise click.ClickException(f"{exc.format_message()}; {hint}") from None


def edit_until_valid(initial: str, check: Callable[[str], list[Any]], extension: str = ".yaml",
                     keep: Callable[[str], str] | None = None) -> str | None:
    """Open ``$EDITOR`` on ``initial`` until the result passes ``check``.

    Problems (all of them, in one round) are shown as ``# declog:`` comment lines at the top of
    the re-opened text and are stripped before checking. Returns the valid text, or None when
    the user leaves it unchanged or empty (nothing is saved). Gives up after the same invalid
    text comes back twice; ``keep`` then stores that text and returns where, for the message.
    """
    marker = "# declog: "
    text = initial
    last_bad: str | None = None
    while True:
        edited = _editor(text, extension)
        if edited is None:
            return None
        body = "".join(line for line in edited.splitlines(keepends=True) if not line.startswith(marker))
        if not body.strip() or body == _strip(initial, marker):
            return None
        problems = check(body)
        if not problems:
            return body
        if body == last_bad:
            from declog.errors import InvalidRecord

            first = problems[0].format()
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            kept = f" (your text is kept in {keep(body)})" if keep is not None else ""
            raise InvalidRecord(f"still not valid after editing, nothing was saved{kept}: {first}{more}",
                                [p.format() for p in problems])
        last_bad = body
        header = marker + "this record is not valid yet; fix these and save (nothing has been saved):\n"
        offset = 1 + len(problems)  # positions as seen in the re-opened text, below these lines
        for p in problems:
            what = f"{p.field}: {p.message}" if p.field else p.message
            header += f"{marker}  line {p.line + offset}, column {p.column}: {what}\n"
        text = header + body


def _strip(text: str, marker: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith(marker))


def complete_ids(kind: str | None = None) -> Callable[[click.Context, click.Parameter, str], list[Any]]:
    """Shell completion of record IDs (and owner handles) from the parse cache: no YAML is
    parsed when the cache is warm. Any problem (no log here) completes nothing."""

    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
        from click.shell_completion import CompletionItem

        try:
            from declog.storage.store import Log

            records = Log.open().light_records()
        except Exception:
            return []
        out = []
        for record in records:
            rid = record.id
            if rid and rid.startswith(incomplete) and (kind is None or record.kind.name == kind):
                out.append(CompletionItem(rid, help=record.kind.name))
        return sorted(out, key=lambda item: item.value)

    return complete


def complete_choices(choices: Callable[[], list[str]]) -> Callable[[click.Context, click.Parameter, str], list[Any]]:
    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
        from click.shell_completion import CompletionItem

        try:
            values = choices()
        except Exception:
            return []
        return [CompletionItem(v) for v in values if v.startswith(incomplete)]

    return complete


def warn_unreadable(log: Any, kind: Any = None, what: str = "left out") -> list[Any]:
    """One warning line on stderr per record file of the log that cannot be read (of ``kind``,
    when given): a command that reads the log never leaves a record out silently. Returns those
    records."""
    unread = [r for r in log.unreadable() if kind is None or r.kind is kind]
    for record in unread:
        click.echo(f"declog: warning: {what}, cannot be read: {record.error}; run `declog validate`", err=True)
    return unread



def here(log: Any, rel: str) -> str:
    """A repository-relative path as the user should see it: relative to the current folder
    when declog runs in a sub-folder of the repository (as git prints paths), else unchanged."""
    import os
    from pathlib import Path

    try:
        cwd = Path.cwd().resolve()
        repo = Path(log.repo).resolve()
    except OSError:
        return rel
    if cwd == repo or repo not in cwd.parents:
        return rel
    return Path(os.path.relpath(repo / rel, cwd)).as_posix()


def here_in(log: Any, item: Any, attr: str = "path") -> Any:
    """A copy of the dataclass ``item`` (a record, a blame result …) whose ``attr``, a
    repository-relative path, is shown as :func:`here` shows it (``attr`` may also name a record
    inside ``item``: an answer's ``record``): one call before a renderer prints the item. JSON
    output keeps repository paths and does not use it."""
    import dataclasses

    value = getattr(item, attr, None)
    if isinstance(value, str):
        return dataclasses.replace(item, **{attr: here(log, value)})
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(item, **{attr: here_in(log, value)})
    return item


def here_text(log: Any, text: str, file: Any) -> str:
    """``text`` (a reason that ends with the repository-relative path ``file``, as
    ``… matches src/db.py`` or ``… (decisions/D-….yaml)``) with that path shown as :func:`here`
    shows it. Text that does not end with ``file`` is left as it is."""
    if not isinstance(file, str) or not file:
        return text
    head, found, tail = text.rpartition(file)
    if not found or tail not in ("", ")") or not head.endswith((" ", "(")):
        return text
    return head + here(log, file) + tail


class CommandRefused(Exception):
    """click refused a command's arguments when run in-process (:func:`run_captured`)."""


def run_captured(argv: list[str]) -> str:
    """Run ``declog ARGV`` in this process and return what it wrote to its output (``declog mcp``
    runs the commands this way, so its JSON is theirs). A DeclogError passes through; click's own
    refusals become :class:`CommandRefused` with click's message."""
    import io

    from declog.cli import cli

    buf = io.StringIO()
    token = OUTPUT.set(buf)
    try:
        cli.main(args=argv, prog_name="declog", standalone_mode=False)
    except click.exceptions.Exit:
        pass
    except click.ClickException as exc:
        raise CommandRefused(exc.format_message()) from None
    finally:
        OUTPUT.reset(token)
    return buf.getvalue()


def show_change(change: Any, fmt: str, dry_run: bool) -> bool:
    """Print a ``declog.core.loops.Change`` as JSON (``--format json``) or, for ``--dry-run``, as the
    diff it would write. True when that was all there was to print."""
    if fmt == "json":
        from declog.render import records as render

        render.change_json(change, out())
        return True
    if dry_run:
        click.echo(change.diff, nl=False)
        click.echo("(dry run: nothing was written)", err=True)
        return True
    return False
