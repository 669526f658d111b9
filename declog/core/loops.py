"""The two loops a team runs every week, as library calls: record a decision's review against
its expected outcome, and close a correction's action item (and the correction once every item
is closed). Both go through the edit layer (``edit.edit_paths``): validated against the whole
log, written under the log's write lock, only the lines of what changed rewritten, comments
kept. With ``preview=True`` nothing is written and the change is handed back as a diff."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from declog.core import edit
from declog.domain import clock, vocab
from declog.domain.kinds import KINDS
from declog.errors import UsageError
from declog.storage.store import Log, Record

REVIEW_FIELDS = ("on", "reviewer", "actual_outcome", "vs_expected", "process_quality")
VS_EXPECTED = vocab.REVIEW_OUTCOMES
PROCESS_QUALITY = vocab.PROCESS_QUALITIES
CLOSED_ITEM = tuple(s for s in vocab.ACTION_ITEM_STATUSES if s != "open")


@dataclass(frozen=True)
class Change:
    """What a loop changed (or, previewed, would change) in one record file."""

    record: Record  # the record after the change
    path: str  # repository-relative, forward slashes
    diff: str  # unified diff of the file's text ("" when nothing changes)
    written: bool


def _diff(path: str, old: str, new: str) -> str:
    return "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        f"a/{path}", f"b/{path}"))


def _date(value: Any, name: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise UsageError(f"{name} takes an ISO date such as 2026-03-02, not '{value}'") from None


def _choice(value: Any, name: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise UsageError(f"{name} takes one of {', '.join(choices)}, not '{value}'")
    return str(value)


def review_item(review: Mapping[str, Any]) -> dict[str, Any]:
    """A review as the decision stores it, checked field by field: known keys only, ``on`` an
    ISO date (today when left out), ``vs_expected`` and ``process_quality`` one of their
    choices. Empty values are left out."""
    unknown = [key for key in review if key not in REVIEW_FIELDS]
    if unknown:
        raise UsageError(f"a review has no field {', '.join(map(repr, unknown))} (fields: {', '.join(REVIEW_FIELDS)})")
    given = {k: v for k, v in review.items() if v is not None and not (isinstance(v, str) and not v.strip())}
    item: dict[str, Any] = {"on": _date(given.get("on") or clock.today(), "on")}
    for name in ("reviewer", "actual_outcome", "vs_expected"):
        if name not in given:
            raise UsageError(f"a review needs `{name}`")
    item["reviewer"], item["actual_outcome"] = str(given["reviewer"]), str(given["actual_outcome"])
    item["vs_expected"] = _choice(given["vs_expected"], "vs_expected", VS_EXPECTED)
    if "process_quality" in given:
        item["process_quality"] = _choice(given["process_quality"], "process_quality", PROCESS_QUALITY)
    return item


def record_review(log: Log, decision: Record, review: Mapping[str, Any], *, preview: bool = False) -> Change:
    """Add ``review`` (``on``, ``reviewer``, ``actual_outcome``, ``vs_expected``,
    ``process_quality``) to the decision's ``reviews``, after any it already has."""
    if decision.kind is not KINDS["decision"]:
        raise UsageError(f"{decision.id or decision.path} is {edit._a(decision.kind.name)}: only decisions are reviewed")
    item = review_item(review)

    def plan(rec: Record) -> list[tuple[tuple[str | int, ...], Any]]:
        reviews = (rec.data or {}).get("reviews")
        return [(("reviews", len(reviews) if isinstance(reviews, list) else 0), item)]

    old, new, after = edit.edit_paths(log, decision, plan, write=not preview)
    return Change(after, decision.path, _diff(decision.path, old, new), not preview and old != new)


def close_action_item(log: Log, correction: Record, index: int, status: str, note: str | None = None,
                      *, preview: bool = False) -> Change:
    """Mark action item ``index`` (0-based) of a correction ``done`` or ``wont-do``. A won't-do
    item needs a reason: ``note`` (or the reason it already has). A note on a done item is kept
    as its ``note``. When no item is left open, an open correction is closed with it."""
    if correction.kind is not KINDS["correction"]:
        raise UsageError(f"{correction.id or correction.path} is {edit._a(correction.kind.name)}: "
                         "only corrections have action items")
    status = _choice(status, "status", CLOSED_ITEM)
    text = note.strip() if isinstance(note, str) and note.strip() else None

    def plan(rec: Record) -> list[tuple[tuple[str | int, ...], Any]]:
        data = rec.data or {}
        items = data.get("action_items")
        items = items if isinstance(items, list) else []
        if not 0 <= index < len(items):
            span = f" ([0] to [{len(items) - 1}])" if items else ""
            raise UsageError(f"{rec.id} has {len(items)} action item{'' if len(items) == 1 else 's'}{span}: "
                             f"there is no item [{index}]")
        item = items[index] if isinstance(items[index], dict) else {}
        if item.get("status") == status and text is None:
            raise UsageError(f"action item [{index}] of {rec.id} is already {status}")
        out: list[tuple[tuple[str | int, ...], Any]] = [(("action_items", index, "status"), status)]
        if status == "wont-do":
            if text is None and not item.get("reason"):
                raise UsageError("a won't-do action item needs a reason: give it as the note (--note TEXT)")
            if text is not None:
                out.append((("action_items", index, "reason"), text))
        elif text is not None:
            out.append((("action_items", index, "note"), text))
        still_open = [i for i, other in enumerate(items)
                      if i != index and isinstance(other, dict) and other.get("status", "open") == "open"]
        if not still_open and data.get("status") == "open":
            out.append((("status",), "closed"))
        return out

    old, new, after = edit.edit_paths(log, correction, plan, write=not preview)
    return Change(after, correction.path, _diff(correction.path, old, new), not preview and old != new)
