from __future__ import annotations

import click

from declog.cli.common import format_option, here_in, here_text, open_log, out


@click.command(epilog="Examples:\n\n\b\n  declog context --changed-since main                 # before merging a branch\n"
               "  declog context --staged --format text                # before committing\n"
               "  declog context src/orders --format json              # what an agent should know\n"
               "  declog context --changed-since origin/main --link-base \"$REPO_URL/blob/$SHA\" > comment.md")
@click.argument("paths", nargs=-1, metavar="[PATH]...")
@click.option("--changed-since", "since", metavar="REF", default=None,
              help="What this branch changed since it forked from REF (commits, staged and uncommitted).")
@click.option("--staged", is_flag=True, help="What the index changes (for a pre-commit hook).")
@click.option("--link-base", metavar="URL", default=None,
              help="Link each record as URL/PATH (e.g. a blob URL of the commit) in the Markdown.")
@click.option("--fail-on-cited", is_flag=True,
              help="Exit 1 when the change cites a superseded, rejected or deprecated decision, or one the log lacks.")
@format_option(("markdown", "json", "text"), "markdown")
def context(paths: tuple[str, ...], since: str | None, staged: bool, link_base: str | None, fail_on_cited: bool,
            fmt: str) -> int:
    """What a reviewer or an agent should know before changing these files: the decisions whose
    `scope` matches them (status, owner, the decision in one paragraph, a link), decisions named
    by `Decision:` trailers on the branch, retired decisions the change still cites, open
    correction action items and mechanisms that come from those decisions, and decisions due for
    review. The Markdown is a pull-request comment body with a stable heading, so a CI job can
    find and update its own comment (docs/ci.md). Exits 0 (1 with --fail-on-cited and a citation)."""
    from declog.core.context import context as build
    from declog.render import context as render_context

    log = open_log()
    ctx = build(log, since=since, staged=staged, paths=paths)
    if fmt == "json":
        render_context.context_json(ctx, out())
    elif fmt == "text":
        # text only: the markdown is for a PR, the JSON keeps repository paths
        ctx.decisions[:] = [here_in(log, g) for g in ctx.decisions]
        for g in ctx.decisions:
            g.reasons[:] = [{**r, "text": here_text(log, str(r.get("text")), r.get("file"))} for r in g.reasons]
        ctx.cited[:] = [here_in(log, c) for c in ctx.cited]
        render_context.context_text(ctx, out())
    else:
        render_context.context_markdown(ctx, out(), link_base)
    return 1 if fail_on_cited and ctx.cited else 0
