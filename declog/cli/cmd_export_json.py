"""``declog export json``: every record as a line of JSON, with what git knows about it."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("json", epilog="Examples:\n\n\b\n  declog export json --out -\n"
               "  declog export json --out - | jq -r 'select(.kind == \"decision\") | .title'\n"
               "  declog export json --out build/log   # writes build/log/records.jsonl")
@click.option("--out", "out_dir", required=True, metavar="DIR|-", type=click.Path(),
              help="Folder for records.jsonl (new, empty, or an earlier export), or - for standard output.")
@click.option("--force", is_flag=True, help="Write into a non-empty folder that declog did not create; "
              "exit 0 even when some record files cannot be read.")
def json_(out_dir: str, force: bool) -> int:
    """Write every record as one line of JSON: its stable shape (id, kind, path, fields) and a
    git object (created, last_changed, changes, uncommitted; for decisions also decided, ended
    and linked_commits). Exits 1 if a record file could not be read (it is left out; exit 0 with --force)."""
    from declog.cli.common import open_log, out
    from declog.export import jsonl
    from declog.history import History

    log = open_log()
    target = None
    if out_dir != "-":
        from declog.export import ExportDir

        target = ExportDir.open(Path(out_dir), "json", force=force)
    hist = History(log)
    try:
        result = jsonl.record_lines(log, hist)
    finally:
        hist.close()
    if target is None:
        out().write(result.text)
    else:
        target.write(jsonl.FILE_NAME, result.text)
        target.finish()
    for problem in result.skipped:
        click.echo(f"declog: skipped {problem.message}", err=True)
    if target is not None:
        click.echo(f"wrote {len(result.lines)} record(s) to {Path(out_dir) / jsonl.FILE_NAME}")
    return 1 if result.skipped and not force else 0
