"""Questions asked on a terminal, each answer checked where it is typed and asked again when
it is wrong; and the draft file that keeps the answers of a command that does not finish."""

from __future__ import annotations

import datetime as dt
import difflib
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

# answers typed since the current command started (see keeping_draft)
_answers = [0]


def _owners(log: Any) -> dict[str, dict[str, Any]]:
    from declog.domain.kinds import KINDS

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
        try:
            raw = click.prompt(label, default=default if default is not None else ("" if optional else None),
                               show_default=default is not None)
        except (click.Abort, KeyboardInterrupt, EOFError):
            click.echo("", err=True)  # Ctrl-C at a prompt: what follows goes on its own line
            raise
        _answers[0] += 1
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


def ask_person(log: Any, label: str, default: str | None = None, optional: bool = False) -> Any:
    def check(raw: str) -> str:
        problem = person_problem(log, raw)
        if problem:
            raise click.BadParameter(problem)
        return raw.strip()

    return ask(label, check, default, optional)


def ask_parsed(label: str, parse: Callable[[str], Any], default: str | None = None) -> Any:
    """Ask until ``parse`` (a flag's parser, which raises a DeclogError naming what is wrong)
    accepts the answer; the parsed value."""
    from declog.errors import DeclogError

    def check(raw: str) -> Any:
        try:
            return parse(raw.strip())
        except DeclogError as exc:
            raise click.BadParameter(str(exc)) from None

    return ask(label, check, default)


def ask_date(label: str, default: str | None = None, optional: bool = False) -> dt.date | None:
    def check(raw: str) -> dt.date:
        try:
            return dt.date.fromisoformat(raw.strip())
        except ValueError:
            raise click.BadParameter(f"'{raw.strip()}' is not an ISO date such as 2026-03-02") from None

    result: dt.date | None = ask(label, check, default, optional)
    return result


def draft_path(log: Any, what: str) -> Path:
    """A new file for the answers of an unfinished ``declog new WHAT``, in the repository's
    private folder (``.git/declog/drafts/``), never in the work tree."""
    from declog.domain import clock

    folder = (log.private_dir() or log.repo) / "drafts"
    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    path = folder / f"{what}-{stamp}.yaml"
    n = 1
    while path.exists():
        n += 1
        path = folder / f"{what}-{stamp}-{n}.yaml"
    return path


def shown_path(path: Path) -> str:
    """``path`` relative to the current folder when it is below it, else as it is."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return rel if not rel.startswith("..") else str(path)


@contextmanager
def keeping_draft(log: Any, what: str, fields: dict[str, Any], order: Sequence[str],
                  then: str = "") -> Iterator[None]:
    """Whatever fails once something was typed at a prompt (an error, Ctrl-C, a closed
    terminal), ``fields`` (the answers, as they are by then) are written to a draft file whose
    path is printed, with the command that continues from it (``declog new WHAT --from-file
    DRAFT``, then ``then``). Any ``declog new`` that prompts runs inside it."""
    _answers[0] = 0
    try:
        yield
    except BaseException:
        if _answers[0] and any(v not in (None, "", []) for v in fields.values()):
            _keep(log, what, fields, order, then)
        raise


def _keep(log: Any, what: str, fields: dict[str, Any], order: Sequence[str], then: str = "") -> None:
    import json

    from declog.storage import yamlio
    from declog.storage.store import atomic_write

    kept = {k: v for k, v in fields.items() if v not in (None, "", [])}
    try:
        text = yamlio.render_new(kept, "", order)
        text = "".join(line for line in text.splitlines(keepends=True) if not line.startswith("# yaml-language-server"))
    except Exception:
        text = json.dumps(yamlio.to_plain(kept), ensure_ascii=False, indent=2) + "\n"
    path = draft_path(log, what)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, "# answers kept by declog; continue with --from-file\n" + text, create=True)
    except OSError as exc:
        click.echo(f"declog: your answers could not be kept ({exc.strerror}): nothing was saved", err=True)
        return
    shown = shown_path(path)
    click.echo(f"declog: your answers are kept in {shown}; continue with "
               f"`declog new {what} --from-file {shown}{then}`", err=True)


def keep_text(log: Any, what: str, text: str) -> str:
    """Keep the text of a refused ``declog new WHAT --edit`` in a draft file; where it is."""
    from declog.storage.store import atomic_write

    path = draft_path(log, what)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, text, create=True)
    except OSError:
        return "no file (it could not be written)"
    _answers[0] = 0  # the answers are in that text: keeping_draft need not keep them again
    return shown_path(path)
