"""The command line: a thin click layer. Commands are imported only when invoked (LazyGroup),
so ``declog --help`` loads neither Pydantic, ruamel.yaml nor tabulate."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any

import click

from declog import __version__

COMMANDS: dict[str, tuple[str, str]] = {
    # name: (module:attribute, short help shown by `declog --help` without importing it)
    "init": ("declog.cli.cmd_init:init", "Set up the log in the current git repository."),
    "new": ("declog.cli.cmd_new:new", "Record a new owner, decision, mechanism, correction or narrative."),
    "show": ("declog.cli.cmd_show:show", "Show one record and what git knows about it."),
    "list": ("declog.cli.cmd_list:list_", "List records, filtered."),
    "set": ("declog.cli.cmd_set:set_", "Change fields in place, keeping comments and layout."),
    "edit": ("declog.cli.cmd_edit:edit", "Open a record in $EDITOR; never saves an invalid one."),
    "supersede": ("declog.cli.cmd_supersede:supersede", "Replace decision OLD by NEW, linking both sides."),
    "link": ("declog.cli.cmd_narrative:link", "Link a narrative (PR/FAQ) to the decisions it led to, both sides."),
    "validate": ("declog.cli.cmd_validate:validate", "Check records: schema, references, lifecycle."),
    "schema": ("declog.cli.cmd_schema:schema", "Print a record kind's JSON Schema, or write them all."),
    "history": ("declog.cli.cmd_history:history", "Every change to a record, field by field, and its linked commits."),
    "why": ("declog.cli.cmd_why:why", "Why did we decide X? Ranked decisions with their reasons and history."),
    "blame": ("declog.cli.cmd_blame:blame", "The decisions behind code: trailers on commits, and matching scopes."),
    "retro": ("declog.cli.cmd_retro:retro", "What was decided, changed, superseded or rejected in a window."),
    "inspect": ("declog.cli.cmd_inspect:inspect", "Log an inspection of a mechanism, with its readings."),
    "review": ("declog.cli.cmd_review:review", "The weekly review: overdue inspections, metrics off target, what waits."),
    "owners": ("declog.cli.cmd_owners:owners", "Each owner with their load: decisions, mechanisms, open action items."),
    "import": ("declog.cli.cmd_import:import_", "Bring in an existing ADR folder (adr-tools/Nygard, MADR, log4brains)."),
    "export": ("declog.cli.cmd_export:export", "Write the log as markdown, a static HTML site, or JSON lines."),
    "graph": ("declog.cli.cmd_graph:graph", "The decision graph (supersedes and related links) as mermaid or dot."),
    "check-commit-msg": ("declog.cli.cmd_check_commit_msg:check_commit_msg",
                         "Refuse a commit message whose Decision: trailer names no decision (commit-msg hook)."),
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use (click's documented pattern)."""

    def __init__(self, *args: Any, lazy: dict[str, tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy or {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            module, _, attr = self.lazy[cmd_name][0].partition(":")
            command = getattr(importlib.import_module(module), attr)
            if not isinstance(command, click.Command):
                raise TypeError(f"{module}:{attr} is not a click command")
            return command
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, self.lazy[name][1]) for name in sorted(self.lazy)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(
    cls=LazyGroup,
    lazy=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="Example:\n\n\b\n  declog init\n  declog new owner alice --name 'Alice Example'\n"
    "  declog new decision 'Use Postgres for orders' --owner alice --door two-way\n"
    "  declog validate\n\nExit status: 0 ok, 1 check failed or nothing found, 2 bad usage or input.",
)
@click.version_option(__version__, "--version", prog_name="declog")
@click.option("-C", "directory", metavar="PATH", type=click.Path(file_okay=False), default=None,
              help="Run as if declog was started in PATH.")
@click.pass_context
def cli(ctx: click.Context, directory: str | None) -> None:
    """declog keeps decisions, their single owners and the reasons why as YAML records in git."""
    if directory:
        try:
            os.chdir(directory)
        except OSError as exc:
            from declog.errors import UsageError

            raise UsageError(f"cannot change to {directory}: {exc.strerror}") from None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: runs a command (``argv`` without the program name; default ``sys.argv[1:]``)
    and returns its exit status, every error turned into a message and an exit code. Never raises
    SystemExit: the console script does ``sys.exit(main())``. Everything it prints shows control
    characters as text (declog.cli.terminal)."""
    from declog.cli.terminal import printable

    with printable():
        return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
    from declog.errors import DeclogError

    try:
        rv = cli.main(args=list(argv) if argv is not None else None, prog_name="declog", standalone_mode=False)
    except DeclogError as exc:
        click.echo(f"declog: error: {exc.message}", err=True)
        problems = getattr(exc, "problems", None) or []
        if len(problems) > 1:
            for line in problems:
                click.echo(f"  {line}", err=True)
        return int(exc.exit_code)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.Abort as exc:
        if isinstance(exc.__context__, KeyboardInterrupt):  # click turns Ctrl-C into Abort
            click.echo("declog: interrupted", err=True)
            return 130
        click.echo("declog: aborted", err=True)
        return 1
    except click.UsageError as exc:
        exc.show()  # click's usage line and hint, then "Error: ..."
        return exc.exit_code
    except click.ClickException as exc:  # e.g. the editor could not be started
        click.echo(f"declog: error: {exc.format_message()}", err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("declog: interrupted", err=True)
        return 130
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except Exception as exc:  # a bug in declog, not the user's problem: short message
        if os.environ.get("DECLOG_TRACEBACK"):
            raise
        click.echo(
            f"declog: internal error: {type(exc).__name__}: {exc}\n"
            "  This is a bug in declog; please report it (run with DECLOG_TRACEBACK=1 for details).",
            err=True,
        )
        return 3
    return rv if isinstance(rv, int) else 0
