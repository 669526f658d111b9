from __future__ import annotations

from pathlib import Path

import click


@click.command(epilog="Example:\n\n\b\n  cd my-repo && declog init\n  declog init --root docs/decisions")
@click.option("--root", metavar="FOLDER", default=None, help="Folder for the records (default: decisions).")
def init(root: str | None) -> int:
    """Set up the log in the current git repository (safe to run again).

    Creates .declog.yaml, the records folder with owners/ inside it, and the JSON Schemas that
    editors use to check records as you type (ROOT/.schemas/).
    """
    from declog.core import schema
    from declog.storage import store

    repo, created = store.init(Path.cwd(), root)
    log = store.Log.open(repo)
    changed = schema.write_all(log.config.root_dir / ".schemas")
    if changed:
        created.append(f"{log.config.root}/.schemas/")
    if created:
        click.echo(f"Initialised declog in {repo}: created {', '.join(created)}")
    else:
        click.echo(f"declog is already set up in {repo} (records in {log.config.root}/)")
    click.echo("Next: declog new owner HANDLE --name NAME, then declog new decision TITLE")
    return 0
