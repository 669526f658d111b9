from __future__ import annotations

import click

from declog.cli.common import complete_choices, complete_ids, open_log, out, warn_unreadable
from declog.domain import vocab
from declog.render.records import LIST_FORMATS


@click.command(epilog="Examples:\n\n\b\n  declog list\n  declog list --status accepted --tag storage\n"
               "  declog list owners --format json\n  declog list --owner alice --format csv > mine.csv\n"
               "  declog list --at main@{2026-03-01}   # what the log said then")
@click.argument("kind", required=False, default="decisions", metavar="[KIND]",
                shell_complete=complete_choices(lambda: [*_kind_names(), "all"]))
@click.option("--status", multiple=True, help="Only this status (repeatable).",
              shell_complete=complete_choices(lambda: _statuses()))
@click.option("--owner", multiple=True, help="Only records owned by this handle (repeatable).",
              shell_complete=complete_ids("owner"))
@click.option("--tag", multiple=True, help="Only records with this tag (repeatable: all must match).")
@click.option("--door", type=click.Choice(vocab.DOORS), default=None, help="Only this kind of door.")
@click.option("--since", metavar="DATE", default=None, help="Only decisions decided on or after DATE.")
@click.option("--format", "fmt", type=click.Choice(LIST_FORMATS), default="table", show_default=True,
              help="table for people; json, csv, markdown or ids for tools.")
@click.option("--at", "at", metavar="REF", default=None, help="List the records as of this commit, branch or tag.")
def list_(kind: str, status: tuple[str, ...], owner: tuple[str, ...], tag: tuple[str, ...],
          door: str | None, since: str | None, fmt: str, at: str | None) -> int:
    """List records of KIND (decisions, owners, or all), filtered. Exits 1 when none match."""
    import json

    from declog.core.query import Filters, check_filters, json_list, parse_date, select
    from declog.domain.kinds import kind_named
    from declog.render import records as render

    log = open_log()
    # a warm, unchanged log: what the same listing printed last time (never with --at, which
    # reads git, nor for other formats, which read prose)
    memo = json.dumps(["list", kind, status, owner, tag, door, since]) if fmt == "json" and at is None else None
    if memo is not None:
        text = log.cached_output(memo)
        if text is not None:
            out().write(text)
            return 0
    if at is not None:
        from declog.history.snapshot import log_at

        log = log_at(log, at)
    selected_kind = None if kind == "all" else kind_named(kind)
    filters = Filters(kind=selected_kind, status=status, owner=owner, tag=tag, door=door,
                      since=parse_date(since, "--since") if since else None)
    # json and ids need no prose to filter and sort: light records (json from the cache's texts)
    every = log.light_records() if fmt in ("json", "ids") else log.records()
    check_filters(every, filters)
    records = select(every, filters)
    # never leave a file out silently (a symlink out of the repository, broken YAML, …)
    unread = warn_unreadable(log, selected_kind, "not listed")
    if not records and fmt in ("table", "markdown"):
        click.echo("no records match", err=True)
    elif fmt == "json":
        text = json_list(log, records) + "\n"
        out().write(text)
        if memo is not None and records and not unread:  # kept only where it says all there is
            log.remember_output(memo, text)
    else:
        render.records_list(records, fmt, out())
    return 0 if records else 1


def _kind_names() -> list[str]:
    from declog.domain.kinds import KINDS

    return [k.plural for k in KINDS.values()]


def _statuses() -> list[str]:
    from declog.core.query import statuses

    return statuses(None)
