"""Inspection cadences: ``daily``, ``weekly``, ``fortnightly``, ``monthly``, ``quarterly``, or a
count of days or weeks (``14d``, ``2w``), and when an inspection on that cadence is next due.

Months are taken as calendar months (``monthly`` after 31 January is due on 28 or 29 February),
so a monthly review does not drift by a day or two each month."""

from __future__ import annotations

import calendar
import datetime as dt
import re

NAMED_DAYS = {"daily": 1, "weekly": 7, "fortnightly": 14}
NAMED_MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}
_COUNT = re.compile(r"^([1-9][0-9]{0,2})([dwm])$")
EXAMPLES = "daily, weekly, fortnightly, monthly, quarterly, yearly, or a count such as 14d, 2w or 3m"


def parse(text: str) -> tuple[int, str]:
    """``(count, unit)`` of a cadence, unit ``d`` or ``m``. Raises ValueError for anything else."""
    key = text.strip().lower() if isinstance(text, str) else ""
    if key in NAMED_DAYS:
        return NAMED_DAYS[key], "d"
    if key in NAMED_MONTHS:
        return NAMED_MONTHS[key], "m"
    match = _COUNT.match(key)
    if not match:
        raise ValueError(f"{text!r} is not a cadence: use {EXAMPLES}")
    count, unit = int(match.group(1)), match.group(2)
    if unit == "w":
        return count * 7, "d"
    return count, unit


def is_valid(text: str) -> bool:
    try:
        parse(text)
    except ValueError:
        return False
    return True


def next_due(last: dt.date, cadence: str) -> dt.date:
    """The day an inspection is due when the previous one happened on ``last``."""
    count, unit = parse(cadence)
    if unit == "d":
        return last + dt.timedelta(days=count)
    month = last.month - 1 + count
    year, month = last.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(last.day, calendar.monthrange(year, month)[1]))


def days(cadence: str) -> int:
    """The cadence as an approximate number of days (months count 30), for sorting and display."""
    count, unit = parse(cadence)
    return count if unit == "d" else count * 30


_SPAN = re.compile(r"^([1-9][0-9]{0,3})([dwmy])$")


def ago(today: dt.date, span: str) -> dt.date:
    """The day ``span`` (``7d``, ``2w``, ``1m``, ``1y``) before ``today``; months and years are
    calendar ones. Raises ValueError for anything else."""
    match = _SPAN.match(span.strip().lower())
    if not match:
        raise ValueError(f"{span!r} is not a span such as 7d, 2w, 1m or 1y")
    count, unit = int(match.group(1)), match.group(2)
    if unit in "dw":
        return today - dt.timedelta(days=count * (7 if unit == "w" else 1))
    months = count * (12 if unit == "y" else 1)
    month = today.month - 1 - months
    year, month = today.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(today.day, calendar.monthrange(year, month)[1]))
