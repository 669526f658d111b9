"""``declog export html --out DIR``: the log as a static site (see declog.export.html)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from declog.cli.common import open_log, out, warn_unreadable


@click.command(
    epilog="Examples:\n\n\b\n  declog export html --out site\n  declog export html --out site --as-of 2026-03-02\n"
    "  xdg-open site/index.html          # or open it in any browser, straight from disk")
@click.option("--out", "out_dir", metavar="DIR", required=True, type=click.Path(path_type=Path),
              help="Folder to write the site into: new, empty, or holding an earlier export.")
@click.option("--force", is_flag=True, help="Write into a non-empty folder that holds no earlier export; "
              "exit 0 even when some record files cannot be read.")
@click.option("--as-of", "as_of", metavar="DATE", default=None,
              help="Day of the weekly review page (ISO date; default today).")
def html(out_dir: Path, force: bool, as_of: str | None) -> int:
    """A static site that needs no server and no network: every record with instant search and a
    status filter (index.html), a page per record with its history from git and its supersede
    chain, the decision graph, metric charts of the mechanisms, owners, and the weekly review.
    Re-running it into the same folder replaces the earlier export. A record file that cannot
    be read is named on stderr and left out, and the export exits 1 (0 with --force)."""

    from declog.core.query import parse_date
    from declog.domain import clock
    from declog.export.html import export_html

    day = parse_date(as_of, "--as-of") if as_of else clock.today()
    log = open_log()
    unread = warn_unreadable(log)
    for stream in (sys.stdout, sys.stderr):
        stream.flush()  # a big site is made by a forked worker too, which flushes its copy when it ends
    count = export_html(log, out_dir, as_of=day, force=force)
    out().write(f"Wrote {count} files to {out_dir}: open {out_dir / 'index.html'} in a browser\n")
    return 1 if unread and not force else 0
