from __future__ import annotations

import click

from declog.cli.common import open_log


@click.command(epilog="Examples:\n\n\b\n  declog mcp                  # read-only tools and resources\n"
               "  declog mcp --allow-writes   # and propose/inspect/review/close (previewed first)\n"
               "  claude mcp add declog -- declog -C /path/to/repo mcp")
@click.option("--allow-writes", is_flag=True,
              help="Offer the write tools: propose a decision, log an inspection, record a review, close an action "
                   "item (each previews by default).")
def mcp(allow_writes: bool) -> int:
    """A Model Context Protocol server over stdio for coding agents (docs/mcp.md). Tools: why, show,
    history, blame, list, review, validate, context, drift, each returning the same JSON as
    the command's `--format json`; each record is a resource declog://ID. Needs the MCP SDK:
    pip install 'declog[mcp]'."""
    import importlib.util
    import sys

    from declog.errors import UsageError

    try:
        found = importlib.util.find_spec("mcp") is not None and importlib.util.find_spec("mcp.server.mcpserver") is not None
    except (ImportError, ValueError):  # mcp is there but broken, or a 1.x SDK without mcp.server.mcpserver
        found = False
    if not found:
        raise UsageError("declog mcp needs the MCP SDK: pip install 'declog[mcp]'")
    open_log()  # refuse at once outside a log, before a client connects
    from declog.mcp_server import serve

    # the transport claims the real standard streams (declog.cli wraps them for terminals)
    sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    serve(allow_writes)
    return 0
