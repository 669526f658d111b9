from __future__ import annotations

from pathlib import Path

import click

from declog.cli.common import open_log

# a commit message is read up to this size; past it only a `git commit -v` message (whose diff
# follows the scissors line) is accepted, cut at that line
MAX_MESSAGE_BYTES = 1024 * 1024


@click.command("check-commit-msg",
               epilog="Example (what the declog-commit-msg pre-commit hook runs):\n\n\b\n"
               "  declog check-commit-msg .git/COMMIT_EDITMSG")
@click.argument("message_file", type=click.Path(dir_okay=False), metavar="MESSAGE_FILE")
def check_commit_msg(message_file: str) -> int:
    """Refuse a commit message whose `Decision:` trailer names no decision in this log. Trailers
    are found by git's own rules; comments, the `git commit -v` diff below the scissors line and
    an empty (aborted) message are ignored. Exits 1 naming each unknown ID."""
    from declog.domain import ids
    from declog.domain.kinds import KINDS
    from declog.errors import AmbiguousId, RecordNotFound, UsageError
    from declog.history import Git
    from declog.history.trailers import clean_message, comment_char, trailer_values

    path = Path(message_file)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_MESSAGE_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"cannot read the commit message {message_file}: {exc.strerror or exc}") from None
    text = raw.decode("utf-8", "replace")
    if len(raw) > MAX_MESSAGE_BYTES:
        from declog.history.trailers import SCISSORS

        lines = text.splitlines()
        cut = next((n for n, line in enumerate(lines) if SCISSORS.match(line.strip())), None)
        if cut is None:
            raise UsageError(f"the commit message {message_file} is over {MAX_MESSAGE_BYTES} bytes; "
                             "declog reads no more than that: shorten it")
        text = "\n".join(lines[:cut]) + "\n"
    log = open_log()
    git = Git(log.repo)
    message = clean_message(text, comment_char(git))
    if not message:
        return 0  # an empty message: git aborts the commit itself
    key = log.config.trailer
    found = trailer_values(git, message, key)
    if not found:
        return 0
    decisions = {r.id: r for r in log.records() if r.kind is KINDS["decision"] and r.id}
    decision_ids = list(decisions)
    tracked: set[str] | None = None
    problems = []
    for written, value in found:
        try:
            rid = ids.resolve(value, decision_ids)
            if tracked is None:  # the index: what this commit (or an earlier one) holds
                folder = log.rel(log.config.root_dir) if log.config.root_dir != log.repo else "."
                tracked = set(git.index_entries(folder))
            path = decisions[rid].path
            if path not in tracked:
                problems.append(f"'{written}': {rid} is not tracked by git ({path} is neither committed nor "
                                "staged): `git add` it with this commit")
        except AmbiguousId as exc:
            problems.append(f"'{written}': {value} is ambiguous ({', '.join(exc.candidates[:5])}); type more of it")
        except (RecordNotFound, UsageError):
            problems.append(f"'{written}': {value} names no decision in this log (see `declog list`)")
    if problems:
        click.echo(f"declog: this commit message has {len(problems)} {key} trailer(s) that name no tracked "
                   "decision:", err=True)
        for p in problems:
            click.echo(f"  {p}", err=True)
        click.echo(f"  Fix the ID, or record the decision first (declog new decision ...). "
                   f"The message was kept in {message_file}.", err=True)
        return 1
    return 0
