from __future__ import annotations

import click

from declog.cli.common import format_option, open_log, out


@click.command(epilog="Examples:\n\n\b\n  declog show D-7k3m9q\n  declog show 7k3 --format json\n  declog show alice")
@click.argument("record_id", metavar="ID")
@format_option(("text", "json", "yaml"), "text")
def show(record_id: str, fmt: str) -> int:
    """Show one record: every field, by ID, handle or unique prefix."""
    from declog import render

    log = open_log()
    record = log.resolve(record_id)
    if record.error is not None:
        from declog.errors import RecordFileError

        raise RecordFileError(record.path, record.error.problem, record.error.line, record.error.column)
    if fmt == "json":
        render.record_json(record, out())
    elif fmt == "yaml":
        click.echo(log.text_of(record), nl=False)
    else:
        render.record_text(record, out())
    return 0
