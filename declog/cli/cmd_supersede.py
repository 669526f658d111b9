from __future__ import annotations

import click

from declog.cli.common import complete_ids, open_log


@click.command(epilog="Example:\n\n\b\n  declog supersede D-7k3m9q D-x2b4c6   # D-x2b4c6 replaces D-7k3m9q")
@click.argument("old", metavar="OLD", shell_complete=complete_ids("decision"))
@click.argument("new", metavar="NEW", shell_complete=complete_ids("decision"))
def supersede(old: str, new: str) -> int:
    """Record that decision NEW replaces decision OLD: NEW.supersedes gets OLD, OLD gets
    superseded_by NEW and status superseded. Both files are checked before either is written."""
    from declog.core import edit
    from declog.domain.kinds import KINDS

    log = open_log()
    decision = KINDS["decision"]
    old_record, new_record = edit.supersede(log, log.resolve(old, decision), log.resolve(new, decision))
    click.echo(f"{old_record.id} is superseded by {new_record.id}")
    return 0
