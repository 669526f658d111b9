"""What the history layer hands to the rest of declog: plain dataclasses, no git output."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar


@dataclass(frozen=True)
class Revision:
    """One commit, as declog needs it (authors already through ``.mailmap``)."""

    oid: str
    parents: tuple[str, ...]
    author: str
    email: str
    time: int  # author time, seconds since the epoch
    subject: str
    trailers: tuple[str, ...] = ()  # values of the configured trailer key, one ID (or prefix) each

    @property
    def short(self) -> str:
        return self.oid[:10]

    @property
    def date(self) -> str:
        return dt.datetime.fromtimestamp(self.time, dt.UTC).date().isoformat()

    @property
    def when(self) -> str:
        return dt.datetime.fromtimestamp(self.time, dt.UTC).strftime("%Y-%m-%d %H:%M")

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1

    def as_json(self) -> dict[str, Any]:
        return {"commit": self.oid, "short": self.short, "author": self.author, "email": self.email,
                "date": dt.datetime.fromtimestamp(self.time, dt.UTC).isoformat().replace("+00:00", "Z"),
                "subject": self.subject}


@dataclass(frozen=True)
class RecordEvent:
    """A commit's effect on one record, found by the record's ID (not by its path).

    ``action`` is ``created``, ``changed``, ``moved`` (path only) or ``deleted``; or
    ``boundary`` in a shallow clone: the record was already there at a commit whose parents the
    clone does not have, so where it was created is not known. For a merge
    commit the change is taken against the first parent; ``other_oids`` are the record's blobs
    in the other parents, so what the merge itself changed (a resolved conflict) can be told
    apart from what the merged branch brought in.
    """

    revision: Revision
    record_id: str
    action: str
    path: str
    old_path: str | None
    old_oid: str | None
    new_oid: str | None
    status: str | None = None  # the record's status after this commit (when it has one)
    other_oids: tuple[str, ...] = ()


@dataclass(frozen=True)
class WorkChange:
    """A record's state in the index or the working tree, when it differs from the commit
    before it: ``stage`` is ``staged`` (HEAD → index) or ``uncommitted`` (index → work tree)."""

    stage: str
    path: str
    old_oid: str | None
    new_oid: str | None


@dataclass
class RecordHistory:
    """Everything git knows about one record, newest first."""

    record_id: str
    events: list[RecordEvent] = field(default_factory=list)  # newest first
    linked: list[Revision] = field(default_factory=list)  # commits carrying a trailer naming it
    work: list[WorkChange] = field(default_factory=list)  # staged / uncommitted, newest first
    # set when the history is cut off by a shallow clone's boundary: what to tell the reader
    partial: str | None = None

    @property
    def created(self) -> RecordEvent | None:
        """The commit that created the record; None when a shallow clone does not reach it."""
        for event in reversed(self.events):
            if event.action == "created":
                return event
        if self.partial is not None:
            return None
        return self.events[-1] if self.events else None

    @property
    def last_changed(self) -> RecordEvent | None:
        return self.events[0] if self.events else None

    @property
    def decided(self) -> RecordEvent | None:
        """The commit that made the decision accepted (the latest time it became accepted)."""
        return became_accepted(self.events)

    @property
    def ended(self) -> RecordEvent | None:
        """The commit that gave the record its current status when that status ends it
        (rejected, superseded, deprecated): who rejected, superseded or deprecated it, and when."""
        if not self.events:
            return None
        current = self.events[0].status
        if current not in ENDED:
            return None
        return became(self.events, current)


@dataclass(frozen=True)
class BlameHit:
    """A commit that last touched some lines of a file."""

    revision: Revision | None  # None for lines not committed yet
    lines: tuple[int, ...]


class _Stated(Protocol):
    @property
    def status(self) -> str | None: ...

    @property
    def action(self) -> str: ...


S = TypeVar("S", bound=_Stated)


ENDED = ("rejected", "superseded", "deprecated")


def became(events: Sequence[S], status: str) -> S | None:
    """Of ``events`` (newest first), the latest one that made the status ``status``."""
    previous: str | None = None
    found: S | None = None
    for event in reversed(events):
        if event.status == status and previous != status:
            found = event
        if event.action != "deleted":
            previous = event.status
    return found


def became_accepted(events: Sequence[S]) -> S | None:
    """Of ``events`` (newest first), the latest one that made the status accepted: the one
    whose status is accepted while the one before it (a deletion aside) was not."""
    previous: str | None = None
    found: S | None = None
    for event in reversed(events):
        if event.status == "accepted" and previous != "accepted":
            found = event
        if event.action != "deleted":
            previous = event.status
    return found
