from __future__ import annotations

import click

from declog.cli.common import format_option, open_log, out, warn_unreadable


@click.command(epilog="Examples:\n\n\b\n  declog retro                  # the last 7 days\n  declog retro --since 2w\n"
               "  declog retro --since 2026-03-01\n"
               "  declog retro --since 2026-01-01 --until 2026-03-31 --format markdown >> retro.md")
@click.option("--since", default="7d", show_default=True, metavar="DATE|SPAN",
              help="First day of the window: an ISO date, or a span back from today (7d, 2w, 1m).")
@click.option("--until", metavar="DATE", default=None, help="Last day of the window (ISO date; default today).")
@format_option(("text", "markdown", "json"), "text")
def retro(since: str, until: str | None, fmt: str) -> int:
    """What was decided, proposed, superseded, rejected, deprecated or changed in a window,
    from git history, grouped per decision and readable aloud in a meeting. Dates are commit
    author dates (UTC); both ends are included. Exits 1 when nothing happened in the window."""

    from declog.core.query import parse_date, parse_since
    from declog.domain import clock
    from declog.errors import UsageError
    from declog.history import History
    from declog.history.retro import retro as build
    from declog.render import history as render_history

    today = clock.today()
    start = parse_since(since, "--since", today)
    end = parse_date(until, "--until") if until else today
    if end < start:
        if until:
            raise UsageError(f"--until {end} is before --since {start}")
        raise UsageError(f"--since {start} is in the future (today is {end})")
    log = open_log()
    warn_unreadable(log)
    hist = History(log)
    try:
        result = build(hist, start, end)
    finally:
        hist.close()
    titles = {r.id: r.title for r in log.records() if r.id}
    if fmt == "json":
        render_history.retro_json(result, out())
    else:
        render_history.retro_text(result, out(), titles, markdown=fmt == "markdown")
    return 1 if result.empty else 0
