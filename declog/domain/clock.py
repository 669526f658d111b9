"""One clock, one time zone. declog's days are UTC days: git's commit times are read as UTC
(``history.model.Revision.day``), so "today", a record's ``decided_on`` written by a command and
the day a commit fell on all agree, wherever the machine is. Tests pin the clock by replacing
:func:`now` (``monkeypatch.setattr(declog.domain.clock, "now", …)``)."""

from __future__ import annotations

import datetime as dt


def now() -> dt.datetime:
    """The current time, in UTC."""
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    """Today's date, in UTC."""
    return now().date()


def day_of(timestamp: float) -> dt.date:
    """The UTC day a Unix timestamp (a git commit time) falls on."""
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).date()
