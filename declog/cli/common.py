"""Pieces shared by the commands: opening the log, output options, the editor loop."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def open_log() -> Any:
    from declog.store import Log

    return Log.open()


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


def edit_until_valid(initial: str, check: Callable[[str], list[Any]], extension: str = ".yaml") -> str | None:
    """Open ``$EDITOR`` on ``initial`` until the result passes ``check``.

    Problems are shown as ``# declog:`` comment lines at the top of the re-opened text and are
    stripped before checking. Returns the valid text, or None when the user leaves it unchanged
    or empty (nothing is saved). Gives up after the same invalid text comes back twice.
    """
    marker = "# declog: "
    text = initial
    last_bad: str | None = None
    while True:
        edited = click.edit(text, extension=extension, require_save=False)
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
            raise InvalidRecord(f"still not valid after editing, nothing was saved: {first}{more}",
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
