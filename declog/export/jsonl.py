"""``declog export json``: every record as one line of JSON, with what git knows about it.

Each line is the stable record shape (:meth:`declog.store.Record.as_json`: ``id``, ``kind``,
``path``, then the fields) plus a ``git`` object::

    "git": {"created": COMMIT | null, "last_changed": COMMIT | null, "changes": 3,
            "uncommitted": false,
            "decided": COMMIT | null, "linked_commits": [COMMIT, ...]}   # decisions only

where ``COMMIT`` is ``{"commit", "author", "email", "date", "subject"}`` (``date`` in UTC,
ISO 8601 with a ``Z``). ``changes`` counts the commits that changed the record (its creation
included, moves of the file alone not); ``uncommitted`` is true when the file in the working tree differs from HEAD. Git is
read once for the whole log (the history index), never once per record.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from declog.errors import RecordFileError
    from declog.history import History, RecordHistory, Revision
    from declog.store import Log, Record
    from declog.timeline import Entry

FILE_NAME = "records.jsonl"


def commit_json(rev: Revision | None) -> dict[str, Any] | None:
    if rev is None:
        return None
    return {"commit": rev.oid, "author": rev.author, "email": rev.email,
            "date": dt.datetime.fromtimestamp(rev.time, dt.UTC).isoformat().replace("+00:00", "Z"),
            "subject": rev.subject}


def git_json(record: Record, rh: RecordHistory | None, head_blob: tuple[str, str] | None,
             source: Sequence[Entry] = ()) -> dict[str, Any]:
    """The ``git`` object of one record, from its history (None: git knows nothing of it);
    ``source``: the commits to an imported decision's markdown ADR, which may say who accepted it."""
    events = rh.events if rh is not None else []
    out: dict[str, Any] = {
        "created": commit_json(rh.created.revision if rh and rh.created else None),
        "last_changed": commit_json(rh.last_changed.revision if rh and rh.last_changed else None),
        "changes": sum(1 for e in events if e.action != "moved"),
        "uncommitted": head_blob is None or head_blob != (record.path, record.oid),
    }
    if record.kind.name == "decision":
        from declog.timeline import decided

        found = decided(rh, source) if rh is not None else None
        out["decided"] = commit_json(found.revision if found else None)
        if found is not None and found.source:
            out["decided"]["source"] = found.source
        out["linked_commits"] = [commit_json(r) for r in (rh.linked if rh else [])]
    return out


@dataclass
class Lines:
    """The JSON lines of a log, and the files that could not be read (left out)."""

    lines: list[str] = field(default_factory=list)
    skipped: list[RecordFileError] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(line + "\n" for line in self.lines)


def record_lines(log: Log, history: History | None) -> Lines:
    """Every readable record of ``log``, in path order, as a line of JSON."""
    out = Lines()
    sources: dict[str, list[Entry]] = {}
    if history is not None:
        from declog.timeline import source_path, source_timelines

        wanted = {r.id: path for r in log.records()
                  if r.id and r.kind.name == "decision" and (path := source_path(r.data))}
        sources = source_timelines(history, wanted) if wanted else {}
    for record, rh, head_blob in _with_history(log, history):
        if record.error is not None:
            out.skipped.append(record.error)
            continue
        body = record.as_json()
        body["git"] = git_json(record, rh, head_blob, sources.get(record.id or "", []))
        out.lines.append(json.dumps(body, ensure_ascii=False, separators=(",", ":")))
    return out


def _with_history(log: Log, history: History | None) -> Iterator[
        tuple[Record, RecordHistory | None, tuple[str, str] | None]]:
    for record in log.records():
        rid = record.id
        if history is None or rid is None:
            yield record, None, None
            continue
        rh = history.record(rid)
        yield record, rh, history.index.current_blob(rid)
