"""Field-level differences between two versions of a record (plain data, as the store reads it).

``status: proposed → accepted``, ``rationale: edited``, ``options: + "Self-hosted Kafka"``:
short single-line values show old and new; long text says it was added, edited or removed;
lists show the items added (+), removed (−) and edited (~), items of a list of mappings being
named by their ``title`` (or ``who``, ``name``, ``on``, ``description``, ``heading``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

SHORT = 60
ITEM_KEYS = ("title", "who", "name", "on", "description", "mechanism", "heading")


@dataclass(frozen=True)
class FieldChange:
    field: str
    change: str  # set | changed | edited | added | removed | items | lines
    old: Any = None
    new: Any = None
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    edited: tuple[str, ...] = ()
    reordered: bool = False

    def text(self) -> str:
        name = self.field
        if self.change == "changed":
            return f"{name}: {_short(self.old)} → {_short(self.new)}"
        if self.change == "set":
            return f"{name}: set to {_short(self.new)}"
        if self.change in ("added", "edited", "removed"):
            return f"{name}: {self.change}"
        if self.change == "lines":  # a section of a markdown file: the lines added and removed
            counts = [f"{len(lines)} line{'s' * (len(lines) != 1)} {verb}"
                      for lines, verb in ((self.added, "added"), (self.removed, "removed")) if lines]
            return f"{name}: {', '.join(counts) or 'reworded'}"
        parts = [f"+ {_quote(a)}" for a in self.added]
        parts += [f"− {_quote(r)}" for r in self.removed]
        parts += [f"~ {_quote(e)}" for e in self.edited]
        if not parts and self.reordered:
            parts = ["reordered"]
        return f"{name}: " + ", ".join(parts)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"field": self.field, "change": self.change, "text": self.text()}
        if self.change in ("changed", "set", "removed", "added", "edited") and _is_short(self.old):
            out["old"] = self.old
        if self.change in ("changed", "set", "added", "edited") and _is_short(self.new):
            out["new"] = self.new
        if self.change == "lines":
            out.update(lines_added=len(self.added), lines_removed=len(self.removed))
        if self.change == "items":
            out.update(added=list(self.added), removed=list(self.removed), edited=list(self.edited),
                       reordered=self.reordered)
        return out


def line_changes(name: str, old: str | None, new: str | None) -> FieldChange | None:
    """``Reasoning: 3 lines added, 1 removed`` for a section of text between two versions; None
    when it did not change."""
    import difflib

    if (old or "") == (new or ""):
        return None
    a, b = (old or "").splitlines(), (new or "").splitlines()
    added: list[str] = []
    removed: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag in ("delete", "replace"):
            removed += [line for line in a[i1:i2] if line.strip()]
        if tag in ("insert", "replace"):
            added += [line for line in b[j1:j2] if line.strip()]
    return FieldChange(name, "lines", added=tuple(added), removed=tuple(removed))


def _is_short(value: Any) -> bool:
    if value is None or isinstance(value, bool | int | float):
        return True
    return isinstance(value, str) and "\n" not in value.strip() and len(value) <= SHORT


def _short(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _quote(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _label(item: Any) -> str:
    if isinstance(item, dict):
        for key in ITEM_KEYS:
            value = item.get(key)
            if isinstance(value, str | int | float) and not isinstance(value, bool):
                return str(value)
        return json.dumps(item, sort_keys=True, ensure_ascii=False)[:SHORT]
    return _short(item)


def _list_change(name: str, old: Sequence[Any], new: Sequence[Any]) -> FieldChange | None:
    old_labels = [_label(i) for i in old]
    new_labels = [_label(i) for i in new]
    old_by = dict(zip(old_labels, old, strict=False))
    new_by = dict(zip(new_labels, new, strict=False))
    added = tuple(lbl for lbl in new_labels if lbl not in old_by)
    removed = tuple(lbl for lbl in old_labels if lbl not in new_by)
    edited = tuple(lbl for lbl in new_labels if lbl in old_by and old_by[lbl] != new_by[lbl])
    common_old = [lbl for lbl in old_labels if lbl in new_by]
    common_new = [lbl for lbl in new_labels if lbl in old_by]
    reordered = common_old != common_new
    if not (added or removed or edited or reordered):
        return None
    return FieldChange(name, "items", added=added, removed=removed, edited=edited, reordered=reordered)


def field_changes(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[FieldChange]:
    """What changed from ``old`` to ``new``, field by field, in the new record's field order."""
    old = old or {}
    new = new or {}
    names = list(new) + [k for k in old if k not in new]
    out: list[FieldChange] = []
    for name in names:
        a, b = old.get(name), new.get(name)
        if a == b:
            continue
        if isinstance(a, list) and isinstance(b, list):
            change = _list_change(name, a, b)
            if change:
                out.append(change)
            continue
        if a is None or a == [] or a == "":
            if isinstance(b, list):
                change = _list_change(name, [], b)
                if change:
                    out.append(change)
            elif _is_short(b):
                out.append(FieldChange(name, "set", None, b))
            else:
                out.append(FieldChange(name, "added", None, b))
            continue
        if b is None or b == [] or b == "":
            if isinstance(a, list):
                change = _list_change(name, a, [])
                if change:
                    out.append(change)
            else:
                out.append(FieldChange(name, "removed", a, None))
            continue
        if _is_short(a) and _is_short(b):
            out.append(FieldChange(name, "changed", a, b))
        else:
            out.append(FieldChange(name, "edited", a, b))
    return out


def merge_changes(base: dict[str, Any] | None, merged: dict[str, Any] | None,
                  others: Sequence[dict[str, Any] | None]) -> list[FieldChange]:
    """What a merge commit itself changed: fields whose merged value is in no parent."""
    keep = []
    for change in field_changes(base, merged):
        value = (merged or {}).get(change.field)
        if all((o or {}).get(change.field) != value for o in others if o is not None):
            keep.append(change)
    return keep


# The fields that carry what an accepted decision says.
SUBSTANCE = ("context", "decision", "rationale", "options", "door")


def substance_rewritten(old: dict[str, Any] | None, new: dict[str, Any] | None,
                        fields: Sequence[str] = SUBSTANCE) -> list[str]:
    """Substance fields that differ between two versions (normalising whitespace of text)."""
    def norm(value: Any) -> Any:
        if isinstance(value, str):
            return " ".join(value.split())
        return value

    return [f for f in fields if norm((old or {}).get(f)) != norm((new or {}).get(f))]
