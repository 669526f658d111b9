"""``declog export markdown``: one markdown document per record and an index, for a docs site."""

from __future__ import annotations

from pathlib import Path

import click


@click.command(epilog="Examples:\n\n\b\n  declog export markdown --out docs/decisions\n"
               "  declog export markdown --out site/decisions --no-history\n"
               "  declog export markdown --out notes --force   # into a folder declog did not create")
@click.option("--out", "out_dir", required=True, metavar="DIR", type=click.Path(),
              help="Folder to write into: new, empty, or an earlier export (it holds .declog-export).")
@click.option("--force", is_flag=True, help="Write into a non-empty folder that declog did not create; "
              "exit 0 even when some record files cannot be read.")
@click.option("--no-history", is_flag=True, help="Leave out what git knows (recorded, decided, history): faster on a big log.")
def markdown(out_dir: str, force: bool, no_history: bool) -> int:
    """Write one markdown document per record (decisions, owners, mechanisms, corrections),
    an index.md grouped by status, and graph.md, with relative links between them. Files are
    named <ID>-<slug>.md and written atomically. Exits 1 if a record file could not be read
    (it is left out; the rest is written; exit 0 with --force)."""
    from declog.cli.common import open_log
    from declog.export import ExportDir
    from declog.export import markdown as md

    log = open_log()
    target = ExportDir.open(Path(out_dir), "markdown", force=force)
    hist = None
    if not no_history:
        from declog.history import History

        hist = History(log)
    try:
        result = md.export(log, hist)
    finally:
        if hist is not None:
            hist.close()
    for name in sorted(result.pages):
        target.write(name, result.pages[name])
    written = target.finish()
    for problem in result.skipped:
        click.echo(f"declog: skipped {problem.message}", err=True)
    click.echo(f"wrote {len(written)} markdown file(s) to {out_dir}")
    return 1 if result.skipped and not force else 0
