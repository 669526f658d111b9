"""Questions asked on a terminal, each answer checked where it is typed and asked again when
it is wrong; and the draft file that keeps the answers of a command that does not finish."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Sequence
from typing import Any

import click


def _owners(log: Any) -> dict[str, dict[str, Any]]:
    from declog.kinds import KINDS

    out: dict[str, dict[str, Any]] = {}
    for record in log.light_records():
        if record.kind is KINDS["owner"] and record.id:
            out[record.id] = dict(record.links)
    return out


def person_problem(log: Any, handle: str) -> str | None:
    """Why ``handle`` cannot own or review something (an unknown handle, a team, someone who
    left), with the fix; ``None`` for an active person."""
    owners = _owners(log)
    handle = handle.strip()
    if handle not in owners:
        close = difflib.get_close_matches(handle, list(owners), n=3, cutoff=0.5)
        hint = f": did you mean {' or '.join(close)}?" if close else (
            f" (owners: {', '.join(sorted(owners)[:8])})" if owners else "")
        return f"no owner '{handle}' in this log{hint}"
    data = owners[handle]
    if data.get("kind") == "team":
        lead = data.get("lead")
        return f"{handle} is a team; a single person is accountable: use its lead, {lead}?" if lead else \
            f"{handle} is a team; give one person's handle"
    if data.get("active") is False:
        return f"{handle} is no longer active; give an active person's handle"
    return None


def ask(label: str, check: Callable[[str], Any], default: str | None = None, optional: bool = False) -> Any:
    """Ask until ``check`` accepts the answer (it returns the value to keep, or raises
    :class:`click.BadParameter` with what is wrong). An empty answer to an ``optional``
    question is ``None``."""
    while True:
        raw = click.prompt(label, default=default if default is not None else ("" if optional else None),
                           show_default=default is not None)
        if optional and not str(raw).strip():
            return None
        try:
            return check(str(raw))
        except click.BadParameter as exc:
            click.echo(f"  {exc.message}", err=True)


def ask_text(label: str, default: str | None = None, optional: bool = False) -> str | None:
    def check(raw: str) -> str:
        if not raw.strip():
            raise click.BadParameter("an answer is needed here")
        return raw.strip()

    result: str | None = ask(label, check, default, optional)
    return result


def ask_choice(label: str, choices: Sequence[str], default: str | None = None, optional: bool = False) -> str | None:
    shown = f"{label} [{'/'.join(choices)}]"

    def check(raw: str) -> str:
        value = raw.strip()
        if value not in choices:
            close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.5)
            raise click.BadParameter(f"'{value}' is not one of {', '.join(choices)}"
                                     + (f": did you mean {close[0]}?" if close else ""))
        return value

    result: str | None = ask(shown, check, default, optional)
    return result


def ask_person(log: Any, label: str, default: str | None = None) -> str:
    def check(raw: str) -> str:
        problem = person_problem(log, raw)
        if problem:
            raise click.BadParameter(problem)
        return raw.strip()

    result: str = ask(label, check, default)
    return result


def ask_date(label: str, default: str | None = None, optional: bool = False) -> dt.date | None:
    def check(raw: str) -> dt.date:
        try:
            return dt.date.fromisoformat(raw.strip())
        except ValueError:
            raise click.BadParameter(f"'{raw.strip()}' is not an ISO date such as 2026-03-02") from None

    result: dt.date | None = ask(label, check, default, optional)
    return result
