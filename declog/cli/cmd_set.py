from __future__ import annotations

import click

from declog.cli.common import format_option, open_log, out


@click.command("set", epilog="Examples:\n\n\b\n  declog set D-7k3m9q status=accepted rationale='Transactions matter most'\n"
               "  declog set 7k3 tags+=storage review_by=2027-01-15\n  declog set 7k3 consequences=   # removes the field")
@click.argument("record_id", metavar="ID")
@click.argument("assignments", nargs=-1, required=True, metavar="FIELD=VALUE...")
@format_option(("text", "json"), "text")
def set_(record_id: str, assignments: tuple[str, ...], fmt: str) -> int:
    """Change fields in place; every other byte of the file stays as it was.

    FIELD=VALUE sets, FIELD+=ITEM and FIELD-=ITEM add to or remove from a list, FIELD= removes
    the field. Lists take commas or [a, b]. The result is validated before anything is written.
    """
    from declog import edit, render

    log = open_log()
    record = log.resolve(record_id)
    changes = edit.parse_assignments(record.kind, record.data or {}, list(assignments))
    if record.kind.name == "decision" and changes.get("status") == "accepted" and "decided_on" not in changes \
            and not (record.data or {}).get("decided_on"):
        changes["decided_on"] = edit.today()
    before = dict(record.data or {})
    updated = edit.set_fields(log, record, changes)
    if fmt == "json":
        render.record_json(updated, out())
        return 0
    after = updated.data or {}
    for name in changes:
        old, new = before.get(name), after.get(name)
        if old == new:
            click.echo(f"{updated.id}: {name} unchanged")
        elif isinstance(old, str | int | float | bool | type(None)) and isinstance(new, str | int | float | bool | type(None)) \
                and len(str(old)) < 60 and len(str(new)) < 60:
            click.echo(f"{updated.id}: {name}: {old if old is not None else '∅'} → {new if new is not None else '∅'}")
        else:
            click.echo(f"{updated.id}: {name} updated")
    return 0
