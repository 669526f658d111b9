from __future__ import annotations

import click

from declog.cli.common import format_option, here, here_in, here_text, open_log, out, warn_unreadable


@click.command(epilog="Examples:\n\n\b\n  declog blame src/orders/db.py\n  declog blame src/orders/db.py:40-60\n"
               "  declog blame --changed-since main      # before merging a branch")
@click.argument("spec", required=False, metavar="PATH[:LINE[-LINE]]")
@click.option("--changed-since", "since", metavar="REF", default=None,
              help="Every decision governing what this branch changed since it forked from REF.")
@format_option(("text", "json"), "text")
def blame(spec: str | None, since: str | None, fmt: str) -> int:
    """The decisions behind code: `Decision:` trailers on the commits that last touched the lines
    (git blame), and decisions whose `scope` globs match the path, each with why it matched.
    Exits 1 when no decision governs it."""
    from declog.core.blame import PathBlame, changed_since
    from declog.errors import UsageError

    if (spec is None) == (since is None):
        raise UsageError("give a PATH[:LINE[-LINE]] or --changed-since REF (one of them)")
    log = open_log(probe=False)  # the walk runs beside git blame on the other core: asking git costs more
    if since is not None:
        warn_unreadable(log)
        result = changed_since(log, since, prose=False)
    else:
        try:
            started = PathBlame(log, spec or "", prose=False)  # git blame runs while the log is read
        finally:
            warn_unreadable(log)  # first, as for every command, even when the path is refused
        result = started.result()
    from declog.render import history as render_history  # after git blame started: it is on the way

    if fmt == "json":
        render_history.blame_json(result, out())
    else:
        import dataclasses

        for g in result.decisions:  # a reason's file as the user sees it (JSON, above, keeps the repository's)
            g.reasons[:] = [dataclasses.replace(r, text=here_text(log, r.text, r.detail.get("file"))) for r in g.reasons]
        render_history.blame_text(here_in(log, result, "target") if since is None else result, out())
    if not result.decisions:
        click.echo(f"no decisions govern {result.target if since is not None else here(log, result.target)}", err=True)
        return 1
    return 0
