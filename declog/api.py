"""The Python API: a small, typed façade over the library, for scripts and tools that would
rather ``import declog`` than run the command line.

    >>> import declog
    >>> log = declog.open_log("path/to/repo")
    >>> d = log.create("decision", title="Use Postgres for orders", owner="alice", door="two-way",
    ...                context="Orders need multi-row transactions")
    >>> log.set(d.id, "status=accepted", decision="Postgres 16", rationale="Transactions first")
    >>> [a.record.id for a in log.why("orders database")]

Every method raises a :class:`declog.DeclogError` subclass for a problem of the caller's (an
unknown ID, an invalid record) with the same message the command line prints. Writes go through
the same validation, write lock and atomic replace as the command line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from declog.domain.kinds import KINDS, Kind, kind_named
from declog.errors import UsageError

if TYPE_CHECKING:
    from pydantic import BaseModel

    from declog.core.answers import Answer
    from declog.core.validate import Report
    from declog.history.timeline import Entry
    from declog.storage.store import Log, Record


@dataclass(frozen=True)
class TypedRecord:
    """One record: where it lives, and its fields as the kind's Pydantic model
    (:class:`declog.domain.models.Decision`, ``Owner``, ``Mechanism``, ``Inspection``, ``Correction``)."""

    id: str
    kind: str  # "decision", "owner", …
    path: str  # relative to the repository root, with forward slashes
    model: BaseModel
    record: Record = field(repr=False, compare=False)  # the file as read (plain data, blob ID)

    @property
    def title(self) -> str:
        value = getattr(self.model, KINDS[self.kind].title_field, "")
        return str(value) if value is not None else ""

    def as_json(self) -> dict[str, Any]:
        """The same JSON as ``declog show ID --format json``: ``id``, ``kind``, ``path``, fields."""
        return self.record.as_json()


def open_log(start: str | Path | None = None) -> DecisionLog:
    """The log of the git repository that holds ``start`` (default: the current directory)."""
    from declog.storage.store import Log

    return DecisionLog(Log.open(Path(start) if start is not None else None))


class DecisionLog:
    """A repository's decision log. Obtain one with :func:`open_log`."""

    def __init__(self, log: Log) -> None:
        self._log = log

    @property
    def root(self) -> Path:
        """The folder that holds the records."""
        return Path(self._log.config.root_dir)

    @property
    def repo(self) -> Path:
        """The repository's work tree."""
        return Path(self._log.repo)

    # reading -----------------------------------------------------------------------------

    def records(self, kind: str | None = "decision", *, status: Sequence[str] = (), owner: Sequence[str] = (),
                tag: Sequence[str] = (), door: str | None = None, since: dt.date | None = None) -> list[TypedRecord]:
        """Records of ``kind`` (``None`` for every kind) that match every filter, in the order
        ``declog list`` prints them. Files that cannot be read are left out: :meth:`validate`
        names them."""
        from declog.core.query import Filters, select

        filters = Filters(kind=kind_named(kind) if kind else None, status=tuple(status), owner=tuple(owner),
                          tag=tuple(tag), door=door, since=since)
        self._log.invalidate()
        return [self._typed(r) for r in select(self._log.records(), filters)]

    def get(self, query: str, kind: str | None = None) -> TypedRecord:
        """One record by ID, unique ID prefix, handle or ADR alias (``ADR-15``)."""
        self._log.invalidate()
        return self._typed(self._log.resolve(query, kind_named(kind) if kind else None))

    def validate(self, paths: Sequence[str | Path] | None = None) -> Report:
        """Check the whole log, or these files against it: ``report.ok``, ``report.issues``."""
        from declog.core.validate import validate

        self._log.invalidate()
        return validate(self._log, [Path(p) for p in paths] if paths is not None else None)

    def history(self, query: str) -> list[Entry]:
        """Every change to the record, newest first, field by field (``entry.changes``), as
        ``declog history`` shows it; an imported decision goes on into its markdown file's."""
        from declog.history import History
        from declog.history.timeline import resolve_any, source_path, timeline

        self._log.invalidate()
        hist = History(self._log)
        try:
            rid, record = resolve_any(self._log, query, hist)
            rh = hist.record(rid, work=True)
            return timeline(hist, rh, source_path(record.data) if record is not None else None)
        finally:
            hist.close()

    def why(self, question: str, *, limit: int = 5, status: Sequence[str] = ()) -> list[Answer]:
        """Decisions ranked for a question in plain words, with who decided them and when
        (``answer.decided``), what replaced them (``answer.replaced_by``) and linked commits."""
        from declog.core.answers import answers

        if not question.strip():
            raise UsageError("give a question in plain words, e.g. log.why('orders database')")
        self._log.invalidate()
        return answers(self._log, question, limit=limit, status=tuple(status))

    # writing -----------------------------------------------------------------------------

    def create(self, record_kind: str, /, **fields: Any) -> TypedRecord:
        """Record a new owner, decision, mechanism, inspection or correction. Fields are the
        record's own (``title=…, owner=…``); an ID is minted when the kind needs one, and the status
        defaults as on the command line (a decision starts ``proposed``). The record is validated
        against the whole log before it is written."""
        from declog.core import edit
        from declog.domain.kinds import DEFAULT_STATUS

        kind = kind_named(record_kind)
        values = dict(fields)
        if kind.name in DEFAULT_STATUS:
            values.setdefault("status", DEFAULT_STATUS[kind.name])
        edit.date_the_decision(kind, {}, values)
        self._log.invalidate()
        return self._typed(edit.create(self._log, kind, values))

    def set(self, query: str, /, *assignments: str, **fields: Any) -> TypedRecord:
        """Change fields in place, keeping every other byte of the file. ``assignments`` are the
        command line's (``"tags+=storage"``, ``"consequences="``); keyword fields set values as
        they are. Accepting or rejecting a decision without ``decided_on`` dates it today, as
        ``declog set`` does."""
        from declog.core import edit

        self._log.invalidate()
        record = self._log.resolve(query)
        changes = edit.parse_assignments(record.kind, record.data or {}, list(assignments))
        changes.update(fields)
        if not changes:
            raise UsageError("nothing to set: give FIELD=VALUE assignments or keyword fields")
        edit.date_the_decision(record.kind, record.data or {}, changes)
        return self._typed(edit.set_fields(self._log, record, changes))

    def supersede(self, old: str, new: str, *, status: str = "superseded") -> tuple[TypedRecord, TypedRecord]:
        """Replace decision ``old`` by ``new``: links both sides and sets ``old``'s status."""
        from declog.core import edit
        from declog.domain.kinds import DECISION

        self._log.invalidate()
        a, b = edit.supersede(self._log, self._log.resolve(old, DECISION), self._log.resolve(new, DECISION), status)
        return self._typed(a), self._typed(b)

    # ------------------------------------------------------------------------------------

    def _typed(self, record: Record) -> TypedRecord:
        if record.error is not None:
            raise record.error
        kind: Kind = record.kind
        model = kind.model().model_validate(record.data or {})
        return TypedRecord(id=record.id or "", kind=kind.name, path=record.path, model=model, record=record)

    def __repr__(self) -> str:
        return f"<DecisionLog {self.root}>"
