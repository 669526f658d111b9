from __future__ import annotations

import click

from declog.cli.common import complete_ids, edit_until_valid, here, open_log


@click.command(epilog="Example:\n\n\b\n  EDITOR=vim declog edit D-7k3m9q")
@click.argument("record_id", metavar="ID", shell_complete=complete_ids())
def edit(record_id: str) -> int:
    """Open a record in $EDITOR. If the result is invalid it re-opens with every problem listed
    at the top (schema, references and lifecycle at once); an invalid record is never saved.
    When the same invalid text comes back twice, it is kept in a file the error names."""
    from declog.core import edit as ops
    from declog.errors import UsageError

    log = open_log()
    record = log.resolve(record_id)
    text = log.text_of(record)
    result = edit_until_valid(text, lambda t: ops.check_text(log, record, t),
                              keep=lambda t: _shown(ops._keep_unsaved(log, record, t)))
    if result is None:
        raise UsageError(f"no changes saved to {record.id}")
    ops.replace_text(log, record, result)
    click.echo(f"Saved {record.id}: {here(log, record.path)}")
    return 0


def _shown(path: str) -> str:
    from pathlib import Path

    from declog.cli.prompts import shown_path

    return shown_path(Path(path)) if path.startswith("/") else path
