from __future__ import annotations

import click

from declog.cli.common import format_option, open_log, out, warn_unreadable


@click.command(epilog="Examples:\n\n\b\n  declog owners\n  declog owners --format json\n"
               "  declog owners --format markdown >> review.md")
@format_option(("text", "markdown", "json"), "text")
def owners(fmt: str) -> int:
    """Each person with their load, heaviest first: live decisions (proposed or accepted), live
    mechanisms and open correction action items; anyone past owner_load_limit (.declog.yaml)
    is flagged, and records whose owner is inactive, a team or unknown are listed.
    Exits 1 when the log has no owners."""
    from declog.core.review import owner_load
    from declog.render import review as render_review

    log = open_log()
    warn_unreadable(log)
    load = owner_load(log.records(), log.config.owner_load_limit)
    if not load.owners and not load.unowned:
        if fmt == "json":
            render_review.load_text(load, out(), fmt)
        else:
            click.echo("no owners in this log: add one with `declog new owner HANDLE --name NAME`", err=True)
        return 1
    render_review.load_text(load, out(), fmt)
    return 0
