from __future__ import annotations

from typing import Any

import click

from declog.cli.common import complete_ids, format_option, open_log, out


@click.command("set", epilog="Examples:\n\n\b\n  declog set D-7k3m9q status=accepted rationale='Transactions matter most'\n"
               "  declog set 7k3 tags+=storage review_by=2027-01-15\n  declog set 7k3 consequences=   # removes the field\n"
               "  declog set C-byc491 'action_items[0].status=done'   # one field of one item (0-based)\n"
               "  declog set D-7k3m9q 'options[1].why_not=Too slow' 'reviews[0].vs_expected=worse'")
@click.argument("record_id", metavar="ID", shell_complete=complete_ids())
@click.argument("assignments", nargs=-1, required=True, metavar="FIELD=VALUE...")
@format_option(("text", "json"), "text")
def set_(record_id: str, assignments: tuple[str, ...], fmt: str) -> int:
    """Change fields in place; every other byte of the file stays as it was.

    FIELD=VALUE sets, FIELD+=ITEM and FIELD-=ITEM add to or remove from a list, FIELD= removes
    the field. Lists take commas or [a, b]. FIELD can be a path into lists and their items,
    0-based as in jq: action_items[0].status, options[1].why_not; only that item's lines change.
    The result is validated before anything is written.
    """
    from declog.core import edit
    from declog.render import records as render

    log = open_log()
    record = log.resolve(record_id)
    changes = edit.parse_assignments(record.kind, record.data or {}, list(assignments))
    edit.date_the_decision(record.kind, record.data or {}, changes)
    before = dict(record.data or {})
    updated = edit.set_fields(log, record, changes)
    if fmt == "json":
        render.record_json(updated, out())
        return 0
    after = updated.data or {}
    for line in _changed_lines(updated.id, changes, before, after):
        click.echo(line)
    return 0


def _short(value: object) -> str | None:
    """``value`` as it is shown in a one-line change, or None when it is too long or nested."""
    if value is None:
        return "∅"
    if isinstance(value, str | int | float | bool) and len(str(value)) < 60:
        return str(value)
    return None


def _at(data: object, loc: tuple[object, ...]) -> object:
    for part in loc:
        if isinstance(part, int) and isinstance(data, list) and 0 <= part < len(data):
            data = data[part]
        elif isinstance(part, str) and isinstance(data, dict):
            data = data.get(part)
        else:
            return None
    return data


def _changed_lines(rid: str | None, changes: Any, before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What ``declog set`` prints: one line per assignment, old → new."""
    from declog.storage import yamlio

    lines: list[str] = []
    ops = list(getattr(changes, "ops", []))
    by_path = {name for name, op, _ in ops if op == "path"}
    for _name, op, value in ops:
        if op == "path":
            loc = value[0]
            old, new = _at(before, loc), _at(after, loc)
            where = yamlio.path_text(loc)
            if old == new:
                lines.append(f"{rid}: {where} unchanged")
            elif _short(old) is not None and _short(new) is not None:
                lines.append(f"{rid}: {where}: {_short(old)} → {_short(new)}")
            else:
                lines.append(f"{rid}: {where} updated")
    for name in changes:
        if name in by_path:
            continue
        old, new = before.get(name), after.get(name)
        if old == new:
            lines.append(f"{rid}: {name} unchanged")
        elif _short(old) is not None and _short(new) is not None:
            lines.append(f"{rid}: {name}: {_short(old)} → {_short(new)}")
        elif isinstance(old, list | type(None)) and isinstance(new, list | type(None)) \
                and all(_short(v) is not None for v in (old or []) + (new or [])):
            added = [v for v in new or [] if v not in (old or [])]
            removed = [v for v in old or [] if v not in (new or [])]
            parts = [f"+{v}" for v in added] + [f"-{v}" for v in removed]
            shown = f"[{', '.join(map(str, new))}]" if new else "∅"
            lines.append(f"{rid}: {name}: {' '.join(parts) or 'reordered'} (now {shown})")
        elif isinstance(old, list | type(None)) and isinstance(new, list | type(None)):
            count_old, count_new = len(old or []), len(new or [])
            lines.append(f"{rid}: {name}: {count_old} → {count_new} item{'' if count_new == 1 else 's'}")
        else:
            lines.append(f"{rid}: {name} updated")
    return lines
