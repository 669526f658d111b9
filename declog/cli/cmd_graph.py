"""``declog graph``: the decision graph as mermaid or Graphviz dot."""

from __future__ import annotations

from pathlib import Path

import click

from declog.core.graph import STATUSES  # a light module: dataclasses and text only


@click.command(epilog="Examples:\n\n\b\n  declog graph\n  declog graph --format dot | dot -Tsvg > decisions.svg\n"
               "  declog graph --status accepted --status superseded --out docs/graph.mmd")
@click.option("--format", "fmt", type=click.Choice(("mermaid", "dot")), default="mermaid", show_default=True,
              help="mermaid (renders on GitHub and in MkDocs) or dot (Graphviz).")
@click.option("--status", multiple=True, type=click.Choice(STATUSES),
              help="Only decisions with this status, and the links between them (repeatable).")
@click.option("--out", "out_file", metavar="FILE", type=click.Path(dir_okay=False), default=None,
              help="Write to FILE (atomically) instead of standard output.")
def graph(fmt: str, status: tuple[str, ...], out_file: str | None) -> int:
    """The decision graph: every decision a node (ID and title, styled by status), an arrow
    from each decision to the one it supersedes, a dashed line between related decisions.
    Exits 1 when no decision matches."""
    from declog.cli.common import open_log, out, warn_unreadable
    from declog.core import graph as graph_mod

    log = open_log()
    warn_unreadable(log)
    built = graph_mod.build(log.records(), statuses=set(status) if status else None)
    text = graph_mod.to_dot(built) if fmt == "dot" else graph_mod.to_mermaid(built)
    if out_file is None:
        out().write(text)
    else:
        from declog.storage.store import atomic_write

        atomic_write(Path(out_file), text)
        click.echo(f"wrote {len(built.nodes)} decision(s) and {len(built.edges)} link(s) to {out_file}")
    if not built.nodes:
        click.echo("no decisions match" if status else "no decisions in the log", err=True)
        return 1
    return 0
