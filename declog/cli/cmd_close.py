from __future__ import annotations

import click

from declog.cli.common import complete_ids, format_option, open_log, show_change


@click.command("close", epilog="Examples:\n\n\b\n"
               "  declog close C-byc491 0 --done --note 'Rolled back at 14:10'\n"
               "  declog close C-byc491 1 --wont-do --note 'The config moved into code review'\n"
               "  declog close byc 1 --done --dry-run     # show the change, write nothing")
@click.argument("correction", metavar="ID", shell_complete=complete_ids("correction"))
@click.argument("index", metavar="N", type=int)
@click.option("--done", "status", flag_value="done", help="The action item was done.")
@click.option("--wont-do", "status", flag_value="wont-do", help="It will not be done (give the reason as --note).")
@click.option("--note", metavar="TEXT", default=None,
              help="What was done, or (with --wont-do) why not.")
@click.option("--dry-run", is_flag=True, help="Show the change as a diff; write nothing.")
@format_option(("text", "json"), "text")
def close(correction: str, index: int, status: str | None, note: str | None, dry_run: bool, fmt: str) -> int:
    """Close action item N (0-based, as `declog show ID` numbers them) of correction ID, as
    done or won't-do. When no action item is left open, the correction is closed too."""
    from declog.core import loops
    from declog.domain.kinds import KINDS
    from declog.errors import UsageError

    if status is None:
        raise UsageError("say how action item N ended: --done, or --wont-do --note REASON")
    log = open_log()
    record = log.resolve(correction, KINDS["correction"])
    before = (record.data or {}).get("status")
    change = loops.close_action_item(log, record, index, status, note, preview=dry_run)
    if show_change(change, fmt, dry_run):
        return 0
    data = change.record.data or {}
    item = (data.get("action_items") or [])[index]
    click.echo(f"{change.record.id}: action item [{index}] {status}: {item.get('description')}")
    if data.get("status") == "closed" and before != "closed":
        click.echo(f"{change.record.id}: closed (no action item is open)")
    else:
        left = [i for i, it in enumerate(data.get("action_items") or []) if it.get("status", "open") == "open"]
        if left:
            click.echo(f"{change.record.id}: {len(left)} action item{'' if len(left) == 1 else 's'} still open: "
                       + ", ".join(f"[{i}]" for i in left))
    return 0
