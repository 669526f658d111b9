"""``declog export json``: every record as one line of JSON, with what git knows about it.

Each line is the stable record shape (:meth:`declog.storage.store.Record.as_json`: ``id``, ``kind``,
``path``, then the fields) plus a ``git`` object::

    "git": {"created": COMMIT | null, "last_changed": COMMIT | null, "changes": 3,
            "uncommitted": false,
            "decided": COMMIT | null, "ended": {"status", COMMIT...} | null,
            "linked_commits": [COMMIT, ...]}   # decisions only

where ``COMMIT`` is ``{"commit", "author", "email", "date", "subject"}`` (``date`` in UTC,
ISO 8601 with a ``Z``). ``changes`` counts the commits that changed the record (its creation
included, moves of the file alone not); ``ended`` is the commit that rejected, superseded or
deprecated a decision (its current status); ``uncommitted`` is true when the file in the working tree differs from HEAD. Git is
read once for the whole log (the history index), never once per record.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from declog.core.facts import RecordFacts
    from declog.errors import RecordFileError
    from declog.history import History, Revision
    from declog.storage.store import Log, Record

FILE_NAME = "records.jsonl"


def commit_json(rev: Revision | None) -> dict[str, Any] | None:
    if rev is None:
        return None
    return {"commit": rev.oid, "author": rev.author, "email": rev.email,
            "date": dt.datetime.fromtimestamp(rev.time, dt.UTC).isoformat().replace("+00:00", "Z"),
            "subject": rev.subject}


def git_json(facts: RecordFacts | None) -> dict[str, Any]:
    """The ``git`` object of one record, from its facts (None: git knows nothing of it)."""
    f = facts if facts is not None and facts.has_git else None
    out: dict[str, Any] = {
        "created": commit_json(f.created if f else None),
        "last_changed": commit_json(f.last_changed if f else None),
        "changes": f.changes if f else 0,
        "uncommitted": f.uncommitted if f else True,
    }
    if facts is not None and facts.kind == "decision":
        out["decided"] = commit_json(f.decided if f else None)
        if f is not None and f.decided is not None and f.decided_in:
            out["decided"]["source"] = f.decided_in
        ended = commit_json(f.ended if f else None)
        out["ended"] = {"status": f.ended_as, **ended} if f is not None and ended is not None else None
        out["linked_commits"] = [commit_json(r) for r in (f.linked if f else [])]
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
    from declog.core.facts import LogFacts

    out = Lines()
    records = log.records()
    facts = LogFacts(records, history)
    for record in records:
        if record.error is not None:
            out.skipped.append(record.error)
            continue
        body = record.as_json()
        rid = record.id
        own = facts.of(rid) if rid is not None and facts.by_id.get(rid) is record else None
        if own is None and rid is not None and history is not None:  # a second file with the same ID
            own = LogFacts([record], history).of(rid)
        body["git"] = git_json(own if own is not None else _bare(record))
        out.lines.append(json.dumps(body, ensure_ascii=False, separators=(",", ":")))
    return out


def _bare(record: Record) -> RecordFacts:
    from declog.core.facts import RecordFacts

    return RecordFacts(record, record.id or "", record.kind.name)
