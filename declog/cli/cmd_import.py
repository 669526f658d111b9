from __future__ import annotations

from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any

import click

from declog.cli.common import format_option, here, open_log, out
from declog.domain import vocab

if TYPE_CHECKING:
    from declog.core.import_adr import ImportReport


@click.group("import", epilog="Example:\n\n\b\n  declog import adr doc/adr --owner alice --dry-run\n"
             "  declog import adr doc/adr --owner alice")
def import_() -> None:
    """Bring in decisions kept elsewhere: markdown ADRs (adr-tools/Nygard, MADR, log4brains), and
    PR/FAQs in markdown as narratives."""


@import_.command("adr", epilog="Examples:\n\n\b\n"
                 "  declog import adr doc/adr --owner alice --dry-run   # what would happen; writes nothing\n"
                 "  declog import adr doc/adr --owner alice\n"
                 "  declog import adr docs/decisions --owner alice --format json | jq .files\n"
                 "  declog show ADR-15                                  # an imported ADR by its old number\n"
                 "  declog import adr doc/adr --refresh --dry-run       # what changed in the markdown since\n\n"
                 "Exit status: 0 imported (or nothing new), 1 a record would not be valid (nothing written),\n"
                 "2 bad usage (no such folder, no owner).")
@click.argument("path", metavar="PATH", type=click.Path(exists=False))
@click.option("--owner", metavar="HANDLE", default=None,
              help="Owner of the decisions whose ADR names none (created if missing). "
                   "Default: import_owner in .declog.yaml, if set.")
@click.option("--door", type=click.Choice(vocab.DOORS), default="two-way", show_default=True,
              help="Door of every imported decision (ADRs do not record it).")
@click.option("--tag", "tags", multiple=True, metavar="TAG",
              help="Tag every imported decision (repeatable; default: imported).")
@click.option("--refresh", is_flag=True,
              help="Also update the records of files imported before whose markdown changed since; fields "
                   "changed in declog since the import, IDs and aliases stay.")
@click.option("--dry-run", is_flag=True, help="Show what would be imported, changed and guessed; write nothing.")
@format_option(("text", "json"), "text")
def adr(path: str, owner: str | None, door: str, tags: tuple[str, ...], refresh: bool, dry_run: bool,
        fmt: str) -> int:
    """Import a folder of markdown Architecture Decision Records (or one file) as decisions.

    Each ADR becomes a decision with a new ID, the alias ADR-NNNN (so `declog show ADR-15`
    works) and a `source` naming the markdown file, whose git history declog keeps showing.
    Statuses written as free text, missing dates (taken from git), rationales, owners and the
    door are filled in and reported as guesses; "Superseded by" links become both sides of a
    supersede link. Every record is checked before any is written. A file imported before is
    left alone, so running it again is safe; with --refresh its record follows the markdown
    (--dry-run shows the field-level diff), all records or none.
    """
    from pathlib import Path

    from declog.core.import_adr import import_adrs
    from declog.errors import InvalidRecord

    log = open_log()
    default_owner = owner if owner is not None else log.config.import_owner
    report = import_adrs(log, Path(path), owner=default_owner, door=door, dry_run=dry_run,
                         tags=tags or ("imported",), refresh=refresh)
    if fmt == "json":
        import json

        json.dump(report.as_json(), out(), indent=2, ensure_ascii=False)
        out().write("\n")
    else:
        _text(report, out(), lambda rel: here(log, rel) if rel else rel)
    if report.problems:
        raise InvalidRecord(f"{len(report.problems)} problem(s) in the records the import would write; "
                            f"nothing was written: {report.problems[0]}", report.problems)
    return 0


def _text(report: ImportReport, stream: IO[str], at: Callable[[str | None], str | None]) -> None:
    """The report for people; ``at`` shows a repository path relative to the current folder."""
    def line(text: str = "") -> None:
        stream.write(text + "\n")

    imported = report.of("imported")
    verb = "Would import" if report.dry_run or report.problems else "Imported"
    extra = [f"{len(report.of('already-imported'))} already imported", f"{len(report.of('skipped'))} skipped"]
    refreshed, unchanged = report.of("refreshed"), report.of("unchanged")
    if refreshed or unchanged:
        extra[0] = (f"{len(refreshed)} {'to refresh' if report.dry_run or report.problems else 'refreshed'}, "
                    f"{len(unchanged)} unchanged")
    if report.owners:
        extra.append(f"{len(report.owners)} owner(s) {'to create' if report.dry_run else 'created'}")
    if imported:
        line(f"{verb} {len(imported)} ADR(s) from {at(report.folder)} ({', '.join(extra)}).")
    else:
        line(f"Nothing new to import from {at(report.folder)} ({', '.join(extra)}).")
    common = _common_guesses(imported)
    for f in imported:
        alias = f" {f.alias}" if f.alias else ""
        line(f"  {at(f.path)} → {f.id}{alias} [{f.status}] {at(f.record_path)}")
        for g in f.guesses:
            if (g.field, g.reason) not in common:
                line(f"      guessed {g.field}: {g.reason}")
    if common:
        line("Guessed for every imported ADR:")
        for name, reason in sorted(common):
            line(f"  {name}: {reason}")
    if report.owners:
        line("Owners " + ("to create:" if report.dry_run else "created:"))
        for o in report.owners:
            line(f"  {o['handle']} ({o['name']}): {o['reason']}")
    if report.updated:
        line("Records imported before, linked " + ("(to change):" if report.dry_run else "(changed):"))
        for u in report.updated:
            line(f"  {u['id']} {at(u['path'])}: {u['change']}")
    if refreshed:
        line("Refreshed from the markdown" + (" (would change):" if report.dry_run or report.problems else ":"))
        for f in refreshed:
            line(f"  {at(f.path)} → {f.id} {at(f.record_path)}")
            for change in f.changes:
                line(f"      {change}")
    kept = [f for f in [*refreshed, *unchanged] if f.kept]
    if kept:
        line("Kept as changed in declog since the import (the markdown says otherwise):")
        for f in kept:
            line(f"  {f.id}: {', '.join(f.kept)}")
    if report.without_rationale:
        line("Accepted without a rationale (the ADR gives none; `declog review` lists them for their owners):")
        for f in report.without_rationale:
            line(f"  {f.id} {f.title}")
    for title, action in (("Already imported:", "already-imported"), ("Skipped:", "skipped")):
        rows = report.of(action)
        if rows:
            line(title)
            for f in rows:
                line(f"  {at(f.path)}: {f.reason}")
    if report.notes:
        line("Notes:")
        for note in report.notes:
            line(f"  {note}")
    if report.dry_run:
        line("Dry run: nothing was written.")
    elif report.written:
        line("Review the records, then commit them: git add -A && git commit")


def _common_guesses(files: list[Any]) -> set[tuple[str, str]]:
    if len(files) < 2:
        return set()
    sets = [{(g.field, g.reason) for g in f.guesses} for f in files]
    return set.intersection(*sets)


def _narratives() -> None:
    from declog.cli.cmd_narrative import import_narrative

    import_.add_command(import_narrative)


_narratives()
