from __future__ import annotations

import click

from declog.cli.common import format_option, here_in, open_log, out, warn_unreadable


@click.command(epilog="Examples:\n\n\b\n  declog why orders database\n  declog why \"message queue\" --status accepted\n"
               "  declog why kafka --at main@{2026-03-01} --format json")
@click.argument("query", nargs=-1, required=True, metavar="QUERY...")
@click.option("--limit", type=click.IntRange(1, 100), default=5, show_default=True, help="How many answers.")
@click.option("--status", multiple=True, help="Only decisions with this status (repeatable).")
@click.option("--at", "at", metavar="REF", default=None, help="Answer as of this commit, branch or tag.")
@format_option(("text", "json"), "text")
def why(query: tuple[str, ...], limit: int, status: tuple[str, ...], at: str | None, fmt: str) -> int:
    """Why did we decide X? Decisions ranked for a question in plain words, each with its owner,
    status, the decision and its rationale, the options rejected and why, when and by whom it
    was decided, what replaced it, and the commits that carried it out. Exits 1 when nothing
    matches."""
    from declog.errors import UsageError

    text = " ".join(query).strip()
    if not text:
        raise UsageError("give a question in plain words, e.g. declog why orders database")
    log = open_log()
    from declog.core.answers import answers, begin, narrative_answers

    begun = begin(log, text) if at is None and not status else None  # git and SQLite work while the rest loads
    from declog.render import history as render_history

    if at is None:  # a cold index: git walks the history while the records are read
        from declog.history import prefetch

        prefetch(log)
    found = answers(log, text, limit=limit, status=status, at=at, begun=begun)
    stories = [] if status else narrative_answers(log, text, at=at)  # --status names decision statuses
    warn_unreadable(log)  # before any answer is printed
    if fmt == "json":
        from declog.core.semantic import ranker

        render_history.why_json(text, found, out(), stories, ranker())
    else:
        render_history.why_narratives_text(stories, out())
        render_history.why_text(text, [here_in(log, a, "record") for a in found], out())
    if not found and stories:
        return 0
    if not found:
        click.echo(f"no decisions match '{text}'" + (f" with status {', '.join(status)}" if status else ""), err=True)
        return 1
    return 0
