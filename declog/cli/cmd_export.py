"""``declog export markdown|html|json``: the log for people who only read, and for other tools.

Each format lives in its own module, imported only when that format is asked for."""

from __future__ import annotations

import click

from declog.cli import LazyGroup

FORMATS: dict[str, tuple[str, str]] = {
    "markdown": ("declog.cli.cmd_export_markdown:markdown",
                 "One markdown document per record and an index grouped by status."),
    "html": ("declog.cli.cmd_export_html:html",
             "A static site that needs no server: search, graph, mechanism charts, weekly review."),
    "json": ("declog.cli.cmd_export_json:json_",
             "JSON lines: every record with its git metadata."),
}


@click.group(
    cls=LazyGroup,
    lazy=FORMATS,
    epilog="Examples:\n\n\b\n  declog export markdown --out docs/decisions\n  declog export html --out site\n"
    "  declog export json --out - | jq .title",
)
def export() -> None:
    """Write the whole log as markdown documents, a static HTML site, or JSON lines."""
