from __future__ import annotations

from typing import Any

import click

from declog.cli.common import complete_ids, format_option, here, is_interactive, open_log, out
from declog.domain import vocab


def _reading(text: str) -> tuple[str, float | int]:
    from declog.errors import UsageError

    name, sep, raw = text.partition("=")
    name, raw = name.strip(), raw.strip()
    try:
        value: float | int = int(raw) if raw.lstrip("-").isdigit() else float(raw)
    except ValueError:
        value = float("nan")
    if not sep or not name or value != value or value in (float("inf"), float("-inf")):
        raise UsageError(f"--metric '{text}' is not NAME=NUMBER (e.g. --metric reviewed_pct=97.5)")
    return name, value


@click.command(epilog="Examples:\n\n\b\n"
               "  declog inspect M-7k3m9q --verdict working --metric reviewed_pct=97 --metric deploy_incidents=0\n"
               "  declog inspect 7k3 --verdict degraded --note 'Two deploys skipped the checklist' --on 2026-03-02\n"
               "  declog inspect M-7k3m9q --verdict broken --inspector bob --format json")
@click.argument("mechanism", metavar="MECHANISM", shell_complete=complete_ids("mechanism"))
@click.option("--verdict", type=click.Choice(vocab.VERDICTS), default=None,
              help="Is the mechanism doing its job? (prompted for on a terminal)")
@click.option("--metric", "metrics", multiple=True, metavar="NAME=VALUE",
              help="A reading of one of the mechanism's metrics (repeatable).")
@click.option("--note", help="What was seen, and what will change.")
@click.option("--on", "on", metavar="DATE", default=None, help="ISO date of the inspection (default today).")
@click.option("--inspector", metavar="HANDLE", default=None, help="Who inspected it (default: the mechanism's owner).")
@format_option(("text", "json"), "text")
def inspect(mechanism: str, verdict: str | None, metrics: tuple[str, ...], note: str | None, on: str | None,
            inspector: str | None, fmt: str) -> int:
    """Log an inspection of MECHANISM, with its readings, as a new file in inspections/.

    Each inspection is its own file, so two people inspecting on two branches never conflict."""
    from declog.core import edit
    from declog.core.query import parse_date
    from declog.domain.kinds import KINDS
    from declog.errors import UsageError
    from declog.render import records as render

    log = open_log()
    target = log.resolve(mechanism, KINDS["mechanism"])
    if target.error is not None or target.data is None:
        raise UsageError(f"{target.path} cannot be read ({target.error.problem if target.error else 'empty'}); "
                         "fix it before inspecting (`declog validate`)")
    readings: dict[str, Any] = {}
    for text in metrics:
        name, value = _reading(text)
        if name in readings:
            raise UsageError(f"--metric {name} is given twice")
        readings[name] = value
    if verdict is None:
        if not is_interactive():
            raise UsageError("missing --verdict: working, degraded or broken")
        from declog.cli import prompts

        verdict = prompts.ask_choice("Verdict", vocab.VERDICTS)
    owner = target.data.get("owner")
    who = log.resolve(inspector, KINDS["owner"]).id if inspector else owner
    fields: dict[str, Any] = {
        "mechanism": target.id,
        "on": parse_date(on, "--on") if on else edit.today(),
        "inspector": who,
        "verdict": verdict,
        "readings": readings or None,
        "note": note,
    }
    record = edit.create(log, KINDS["inspection"], fields)
    if fmt == "json":
        render.record_json(record, out())
    else:
        click.echo(f"Created inspection {record.id} of {target.id} ({target.title}): {here(log, record.path)}")
        if target.data.get("status") == "retired":
            click.echo(f"note: {target.id} is retired; the weekly review no longer expects inspections of it",
                       err=True)
    return 0
