from __future__ import annotations

from typing import Any

import click

from declog.cli.common import format_option, open_log, out, warn_unreadable


@click.command(epilog="Examples:\n\n\b\n  declog review\n  declog review --as-of 2026-03-02\n"
               "  declog review --format markdown > review-2026-03-02.md\n  declog review --format json | jq .off_target")
@click.option("--as-of", "as_of", metavar="DATE", default=None, help="Review as of this ISO date (default today).")
@format_option(("text", "markdown", "json"), "text")
def review(as_of: str | None, fmt: str) -> int:
    """The weekly review, always in the same order: overdue inspections (and mechanisms never
    inspected), input then output metrics off target, decisions awaiting a decision (oldest
    first, one-way doors flagged), decisions due for review, overdue correction action items,
    owner load, and what changed in the week (from git history). Exits 0 whatever it finds."""

    from declog.core.query import parse_date
    from declog.domain import clock
    from declog.storage.cache import quiet_gc

    day = parse_date(as_of, "--as-of") if as_of else clock.today()
    with quiet_gc():  # tens of thousands of records stay alive to the end: collections find little
        return _review(day, fmt)


def _review(day: Any, fmt: str) -> int:
    log = open_log()
    log.start_probe()  # git looks at the log's files while the review's modules load (ls-files: 80 ms at 30,000 files)

    from declog.core.review import weekly_review
    from declog.render import review as render_review

    records, readings = _records(log, day)
    proposed_on, changes = _from_history(log, records, day)
    result = weekly_review(records, day, load_limit=log.config.owner_load_limit, proposed_on=proposed_on,
                           changes=changes, readings=readings)
    if changes is not None:  # a repository with commits: what drifted between the log and the code
        from declog.core.drift import drift

        result.drift = drift(log)
    if fmt == "json":
        render_review.review_json(result, out())
    elif fmt == "markdown":
        render_review.review_markdown(result, out())
    else:
        if result.drift is not None:
            from declog.cli.cmd_drift import drift_here

            result.drift = drift_here(log, result.drift)
        render_review.review_text(result, out())
    return 0


def _records(log: Any, day: Any) -> tuple[list[Any], Any]:
    """The records the review reads, and the inspections' readings when they were read without
    records (None: from the records): from the parse cache's snapshot queried in place when the
    log is as it was saved (``Log.view``, ``declog.core.review.review_view``), else from the
    light records, whole only where the review reads prose."""
    from declog.core.review import review_records, review_view

    # (StaleView: replaced meanwhile, or a row SQLite cannot read as JSON: the light records)
    found = log.from_view(lambda view: review_view(view, day, log.with_prose))
    if found is not None:
        warn_unreadable(log)
        return found
    light = log.light_records()
    warn_unreadable(log)
    return review_records(light, day, log.with_prose), None


def _from_history(log: Any, records: list[Any], day: Any) -> tuple[dict[str, Any], Any]:
    """When each proposed decision was first committed, and what changed in the week; nothing
    when the repository has no commits yet."""
    import datetime as dt

    from declog.core.facts import LogFacts
    from declog.errors import GitError
    from declog.history import History
    from declog.history.retro import retro

    try:
        hist = History(log)
    except GitError:
        return {}, None
    try:
        if not hist.head:
            return {}, None
        # an imported decision was proposed when its markdown ADR was first committed, not on
        # import day: the one record view says so for the site's review page too
        proposed = {r.id for r in records if r.kind.name == "decision" and r.data is not None
                    and r.data.get("status") == "proposed" and r.id}
        proposed_on = LogFacts(records, hist, scope=proposed).proposed_days()
        return proposed_on, retro(hist, day - dt.timedelta(days=6), day)
    finally:
        hist.close()
