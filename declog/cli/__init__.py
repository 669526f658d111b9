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
    "review-decision": ("declog.cli.cmd_review_decision:review_decision",
                        "Record a look back at a decision: its outcome against the expected one."),
    "close": ("declog.cli.cmd_close:close", "Close a correction's action item as done or won't-do."),
    "inspect": ("declog.cli.cmd_inspect:inspect", "Log an inspection of a mechanism, with its readings."),
    "review": ("declog.cli.cmd_review:review", "The weekly review: overdue inspections, metrics off target, what waits."),
    "owners": ("declog.cli.cmd_owners:owners", "Each owner with their load: decisions, mechanisms, open action items."),
    "import": ("declog.cli.cmd_import:import_", "Bring in an ADR folder (adr-tools/Nygard, MADR, log4brains) or PR/FAQ markdown files."),
    "export": ("declog.cli.cmd_export:export", "Write the log as markdown, a static HTML site, or JSON lines."),
    "graph": ("declog.cli.cmd_graph:graph", "The decision graph (supersedes and related links) as mermaid or dot."),
    "completion": ("declog.cli.cmd_completion:completion", "Print the shell completion script (bash, zsh or fish)."),
    "context": ("declog.cli.cmd_context:context",
                "What to know before changing files: governing decisions, citations, open items (a PR comment)."),
    "drift": ("declog.cli.cmd_drift:drift", "Dead references to decisions, scopes matching nothing, adoption of each."),
    "mcp": ("declog.cli.cmd_mcp:mcp", "A Model Context Protocol server over stdio for coding agents."),
    "help": ("declog.cli.cmd_help:help_", "Show the help of a command: declog help CMD is declog CMD --help."),
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

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            import difflib

            close = difflib.get_close_matches(name, self.list_commands(ctx), n=2, cutoff=0.6)
            hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            ctx.fail(f"No such command {name!r}.{hint} (`declog --help` lists them.)")
        return super().resolve_command(ctx, args)

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
@click.option("--no-pager", is_flag=True, help="Never page long output (see $DECLOG_PAGER, $PAGER).")
@click.pass_context
def cli(ctx: click.Context, directory: str | None, no_pager: bool) -> None:
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
    characters as text (declog.cli.terminal) and long output on a terminal goes through a pager
    (declog.cli.pager); output that cannot be written (a closed stream, a full disk) is a one-line
    error, exit 2."""
    from declog.cli.pager import paged
    from declog.cli.terminal import OutputFailed, printable

    _no_pydantic_plugins()
    args = list(argv) if argv is not None else sys.argv[1:]
    with printable():
        try:
            with paged(args):
                code = _main(args)
                _warn_skipped_sources()
                sys.stdout.flush()  # output still buffered fails here, not silently at exit
        except OutputFailed as exc:
            code = _output_failed(exc)
        except BrokenPipeError:
            code = _broken_pipe()
    return code


_PLUGIN_LOADER = "pydantic.plugin._loader"


def _no_pydantic_plugins() -> None:
    """Pydantic looks for plugins (the ``pydantic`` entry points of every installed package)
    when it builds its first model: it imports ``importlib.metadata`` and reads each package's
    metadata, 30 of the 120 ms that the pre-commit hook's forked child spends checking five files
    (measured at 10,000 records). declog's models are declog's own, and no plugin has business in
    them: the command line's process gets a plugin loader that finds none (``get_plugins``, the
    one name Pydantic takes from it); any other name comes from Pydantic's own loader. Nothing
    changes once Pydantic is loaded (declog used as a library, in a process of its own)."""
    if "pydantic" in sys.modules or _PLUGIN_LOADER in sys.modules:
        return
    import types

    class NoPlugins(types.ModuleType):
        @staticmethod
        def get_plugins() -> tuple[()]:
            return ()

        def __getattr__(self, name: str) -> Any:
            if name.startswith("__"):  # what the import system asks of any module (__path__, …)
                raise AttributeError(name)
            if sys.modules.get(_PLUGIN_LOADER) is self:
                del sys.modules[_PLUGIN_LOADER]  # Pydantic's own, from now on
            return getattr(importlib.import_module(_PLUGIN_LOADER), name)

    sys.modules[_PLUGIN_LOADER] = NoPlugins(_PLUGIN_LOADER)


def _warn_skipped_sources() -> None:
    """Imported decisions whose ``source.path`` points outside the repository: their source
    history was left out of what the command showed (``declog.history.timeline.source_path``)."""
    timeline = sys.modules.get("declog.history.timeline")
    skipped = getattr(timeline, "SKIPPED_SOURCES", None)
    if not skipped:
        return
    from declog.domain.controls import one_line

    for path, rid in sorted(skipped.items()):
        click.echo(f"declog: warning: {rid}: source.path {one_line(path)!r} is outside the repository; "
                   "its history is left out (`declog validate` reports it)", err=True)
    skipped.clear()


def _output_failed(exc: OSError) -> int:
    """``declog list > /dev/full``, ``declog list >&-``: one line on standard error (when it is
    there), exit 2; whatever part of the output was written is all there is."""
    stream = getattr(exc, "stream", "standard output")
    try:
        sys.stderr.write(f"declog: error: cannot write to {stream}: {exc.strerror or exc}; "
                         "the output is incomplete\n")
        sys.stderr.flush()
    except OSError:
        pass
    _quiet_stdout()
    return 2


def _broken_pipe() -> int:
    _quiet_stdout()
    return 1


def _quiet_stdout() -> None:
    """Point the real standard output at /dev/null, so Python's own flush at exit has nothing
    left to fail on."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
    except OSError:
        pass


def _main(argv: Sequence[str] | None) -> int:
    from declog.errors import DeclogError

    try:
        rv = cli.main(args=list(argv) if argv is not None else None, prog_name="declog", standalone_mode=False)
    except DeclogError as exc:
        from declog.domain.controls import one_line

        # one line, whatever the message quotes: a newline in a value cannot fake a second line
        click.echo(f"declog: error: {one_line(exc.message)}", err=True)
        problems = getattr(exc, "problems", None) or []
        if len(problems) > 1:
            for line in problems:
                click.echo(f"  {one_line(line)}", err=True)
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
        return _broken_pipe()
    except OSError as exc:
        from declog.cli.terminal import OutputFailed

        if isinstance(exc, OutputFailed):
            return _output_failed(exc)
        return _internal(exc)
    except Exception as exc:  # a bug in declog, not the user's problem: short message
        return _internal(exc)
    return rv if isinstance(rv, int) else 0


def _internal(exc: Exception) -> int:
    """A bug in declog, not the user's problem: a short message, exit 3."""
    if os.environ.get("DECLOG_TRACEBACK"):
        raise exc
    click.echo(
        f"declog: internal error: {type(exc).__name__}: {exc}\n"
        "  This is a bug in declog; please report it (run with DECLOG_TRACEBACK=1 for details).",
        err=True,
    )
    return 3
