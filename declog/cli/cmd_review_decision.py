from __future__ import annotations

from typing import Any

import click

from declog.cli.common import complete_ids, format_option, here, is_interactive, open_log, show_change


@click.command("review-decision", epilog="Examples:\n\n\b\n"
               "  declog review-decision D-7k3m9q --reviewer alice --vs-expected better \\\n"
               "      --outcome 'No order lost in a quarter' --process good\n"
               "  declog review-decision 7k3        # asks for each field on a terminal\n"
               "  declog review-decision D-7k3m9q --reviewer alice --vs-expected worse --outcome 'Slow' --dry-run")
@click.argument("decision", metavar="ID", shell_complete=complete_ids("decision"))
@click.option("--on", "on", metavar="DATE", default=None, help="ISO date of the review (default today).")
@click.option("--reviewer", metavar="HANDLE", default=None, help="Who reviewed it (asked on a terminal).")
@click.option("--outcome", "actual_outcome", metavar="TEXT", default=None,
              help="What actually happened (asked on a terminal).")
@click.option("--vs-expected", "vs_expected", default=None, metavar="better|as-expected|worse",
              help="The outcome against the decision's expected_outcome.")
@click.option("--process", "process_quality", default=None, metavar="good|fair|poor",
              help="Was it a good decision process, whatever the outcome? (optional)")
@click.option("--dry-run", is_flag=True, help="Show the change as a diff; write nothing.")
@format_option(("text", "json"), "text")
def review_decision(decision: str, on: str | None, reviewer: str | None, actual_outcome: str | None,
                    vs_expected: str | None, process_quality: str | None, dry_run: bool, fmt: str) -> int:
    """Record a look back at decision ID: what actually happened against its expected outcome.

    The review is added after the decision's earlier ones (`reviews`); only those lines of the
    file change. On a terminal, each missing field is asked for and checked as it is typed."""
    from declog.cli import prompts
    from declog.core import loops
    from declog.domain.kinds import KINDS
    from declog.errors import UsageError

    log = open_log()
    record = log.resolve(decision, KINDS["decision"])
    given: dict[str, Any] = {"on": on, "reviewer": reviewer, "actual_outcome": actual_outcome,
                             "vs_expected": vs_expected, "process_quality": process_quality}
    missing = [name for name in ("reviewer", "actual_outcome", "vs_expected") if not given[name]]
    if missing and not is_interactive():
        flags = {"reviewer": "--reviewer", "actual_outcome": "--outcome", "vs_expected": "--vs-expected"}
        raise UsageError(f"missing {', '.join(flags[m] for m in missing)} (or run it on a terminal to be asked)")
    if missing:
        expected = (record.data or {}).get("expected_outcome")
        if expected:
            click.echo(f"Expected outcome: {expected}", err=True)
        if not given["reviewer"]:
            given["reviewer"] = prompts.ask_person(log, "Reviewer", default=(record.data or {}).get("owner"))
        if not given["actual_outcome"]:
            given["actual_outcome"] = prompts.ask_text("What actually happened")
        if not given["vs_expected"]:
            given["vs_expected"] = prompts.ask_choice("Against the expected outcome", loops.VS_EXPECTED)
        if not given["process_quality"]:
            given["process_quality"] = prompts.ask_choice("Decision process (optional)", loops.PROCESS_QUALITY,
                                                          optional=True)
    elif given["reviewer"]:
        given["reviewer"] = log.resolve(given["reviewer"], KINDS["owner"]).id
    change = loops.record_review(log, record, given, preview=dry_run)
    if show_change(change, fmt, dry_run):
        return 0
    review = (change.record.data or {}).get("reviews", [{}])[-1]
    click.echo(f"{change.record.id}: review recorded ({review.get('vs_expected')} than expected"
               if review.get("vs_expected") in ("better", "worse") else
               f"{change.record.id}: review recorded (as expected", nl=False)
    click.echo(f", by {review.get('reviewer')} on {review.get('on')}): {here(log, change.path)}")
    return 0
