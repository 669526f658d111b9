"""Closing the loops of the log: recording a decision's review, closing a correction's action
item. Each goes through the edit layer (validated against the whole log, under the write lock,
comments kept) and can only preview: the record after the change and the diff of its file."""

from __future__ import annotations

import copy
from typing import Any

from declog import edit, yamlio
from declog.edit import Change
from declog.errors import UsageError
from declog.store import Log, Record


def _change(log: Log, record: Record, changes: dict[str, Any], preview: bool) -> Change:
    before = log.text_of(record)
    if preview:
        after_text = edit.update(log, record, changes)
        after = Record(record.path, record.kind, "", data=yamlio.to_plain(
            yamlio.load_record_text(after_text, record.path)))
        return Change(after, record.path, edit.unified_diff(record.path, before, after_text), False)
    written = edit.set_fields(log, record, changes)
    return Change(written, written.path, edit.unified_diff(record.path, before, log.text_of(written)), True)


def record_review(log: Log, decision: Record, review: dict[str, Any], *, preview: bool = False) -> Change:
    """Append ``review`` (on, reviewer, actual_outcome, vs_expected, process_quality) to the
    ``reviews`` of ``decision`` (resolved as a decision by the caller)."""
    reviews = list((decision.data or {}).get("reviews") or [])
    return _change(log, decision, {"reviews": [*reviews, {k: v for k, v in review.items() if v is not None}]},
                   preview)


def close_action_item(log: Log, correction: Record, index: int, status: str, note: str | None = None, *,
                      preview: bool = False) -> Change:
    """Set action item ``index`` (0-based) of ``correction`` to ``status`` (done or wont-do);
    ``note`` is kept as the item's ``reason`` (a wont-do needs one)."""
    items = copy.deepcopy(list((correction.data or {}).get("action_items") or []))
    if not 0 <= index < len(items):
        raise UsageError(f"{correction.id} has {len(items)} action item(s): give an index from 0 to {len(items) - 1}")
    items[index]["status"] = status
    if note:
        items[index]["reason"] = note
    return _change(log, correction, {"action_items": items}, preview)
