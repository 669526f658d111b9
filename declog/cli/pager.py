"""Long output on a terminal goes through a pager, the way git does it: ``$DECLOG_PAGER``, then
``$PAGER``, then ``less -FRX`` (which quits at once when the text fits on one screen). Never when
the output is piped or redirected, never with ``declog --no-pager``, never for a command that
asks questions; an empty value or ``cat`` means no pager."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

# the commands whose output can run long; the others (new, set, close …) print a line or ask
PAGED = frozenset({"show", "list", "history", "why", "blame", "retro", "review", "owners", "graph", "validate",
                   "help"})
DEFAULT = "less -FRX"


def pager_command() -> str | None:
    """The pager to use, or ``None`` for none."""
    for name in ("DECLOG_PAGER", "PAGER"):
        if name in os.environ:
            value = os.environ[name].strip()
            return None if value in ("", "cat") else value
    return DEFAULT


def _command(argv: Sequence[str]) -> str | None:
    """The sub-command named in ``argv`` (after the group's own options)."""
    args = list(argv)
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "-C":
            i += 2
            continue
        if arg.startswith("-"):
            i += 1
            continue
        return arg
    return None


def wanted(argv: Sequence[str]) -> str | None:
    """The pager for this command line, if its output should be paged."""
    if "--no-pager" in argv:
        return None
    if _command(argv) not in PAGED:
        return None
    if "--format" in argv or any(a.startswith("--format=") for a in argv):
        fmt = next((argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--format"), None)
        if fmt in ("json", "csv", "ids", "yaml"):
            return None  # output for tools
    try:
        if not (sys.stdout.isatty() and sys.stdin.isatty()):
            return None
    except (AttributeError, ValueError):
        return None
    return pager_command()


class _Captured(io.StringIO):
    """What the command prints, kept for the pager; a terminal as far as the command can tell."""

    def isatty(self) -> bool:
        return True


@contextmanager
def paged(argv: Sequence[str]) -> Iterator[None]:
    """Run the block with its standard output kept, then show it through the pager (or print
    it as it is, when the pager cannot be started)."""
    command = wanted(argv)
    if command is None:
        yield
        return
    real = sys.stdout
    from declog.cli.terminal import _Printable

    kept = _Captured()
    sys.stdout = _Printable(kept)
    try:
        yield
    finally:
        sys.stdout = real
        text = kept.getvalue()
        if text:
            _show(text, command)


def _show(text: str, command: str) -> None:
    import click

    before = os.environ.get("PAGER")
    os.environ["PAGER"] = command
    try:
        click.echo_via_pager(text)
    except (OSError, click.ClickException):
        sys.stdout.write(text)
    finally:
        if before is None:
            os.environ.pop("PAGER", None)
        else:
            os.environ["PAGER"] = before
