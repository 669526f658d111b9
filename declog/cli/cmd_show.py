from __future__ import annotations

from typing import TYPE_CHECKING

import click

from declog.cli.common import complete_ids, format_option, here, here_in, open_log, out

if TYPE_CHECKING:
    from declog.storage.store import Log, Record


@click.command(epilog="Examples:\n\n\b\n  declog show D-7k3m9q\n  declog show 7k3 --format json\n  declog show alice\n"
               "  declog show D-7k3m9q --at v1.2   # as of a tag, branch or commit")
@click.argument("record_id", metavar="ID", shell_complete=complete_ids())
@format_option(("text", "json", "yaml"), "text")
@click.option("--at", "at", metavar="REF", default=None, help="Show the record as of this commit, branch or tag.")
def show(record_id: str, fmt: str, at: str | None) -> int:
    """Show one record: every field, by ID, handle or unique prefix, and what git knows
    (created by and when, decided, last changed, linked commits)."""
    from declog.render import records as render

    log = open_log()
    if at is not None:
        from declog.history.snapshot import log_at

        log = log_at(log, at)
    record = log.resolve(record_id)
    if record.error is not None:
        from declog.errors import RecordFileError

        raise RecordFileError(here(log, record.path), record.error.problem, record.error.line, record.error.column)
    if fmt == "yaml":
        click.echo(log.text_of(record), nl=False)
        return 0
    facts = _git_facts(log, record, at)
    if fmt == "json":
        render.record_json(record, out(), git=facts)
    else:
        from declog.render.history import git_facts_text

        render.record_text(here_in(log, record), out())
        if facts is not None:
            git_facts_text(facts, out())
    return 0


def _git_facts(log: Log, record: Record, at: str | None) -> dict[str, object] | None:
    from declog.core.facts import LogFacts
    from declog.errors import GitError
    from declog.history import History
    from declog.render.history import git_facts

    try:
        hist = History(log, at)
    except GitError:
        return None
    try:
        rid = record.id or ""
        facts = LogFacts([record], hist, work=at is None, scope={rid}).of(rid)
        if at is not None:
            facts.uncommitted = False  # as of a commit: nothing is uncommitted
        return git_facts(facts)
    finally:
        hist.close()
