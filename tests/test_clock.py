"""One clock and one time zone: declog's days are UTC days, like git's, on any machine."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from declog.domain import clock
from tests.conftest import git, new_decision

PACKAGE = Path(__file__).resolve().parents[1] / "declog"
# 23:30 UTC on 1 March: already 2 March in UTC+14 (TZ=Etc/GMT-14), still 1 March in UTC-12
PINNED = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)


@pytest.fixture
def far_east(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The machine's local time zone is UTC+14, and the clock is pinned at PINNED."""
    monkeypatch.setenv("TZ", "Etc/GMT-14")
    time.tzset()
    monkeypatch.setattr(clock, "now", lambda: PINNED)
    try:
        yield
    finally:
        monkeypatch.undo()
        time.tzset()


def test_only_the_clock_reads_the_time() -> None:
    local = re.compile(r"\bdate\.today\(|\bdatetime\.now\(|\butcnow\(|\btime\.localtime\(|\bfromtimestamp\([^)]*\)(?<!UTC\))")
    offenders = [f"{p.relative_to(PACKAGE)}:{n}: {line.strip()}"
                 for p in sorted(PACKAGE.rglob("*.py")) if p.name != "clock.py"
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if local.search(line)]
    assert not offenders, "read the time through declog.domain.clock:\n" + "\n".join(offenders)


def test_the_clock_is_utc_whatever_the_machine_says(far_east: None) -> None:
    assert dt.date.today() == dt.date(2026, 3, 2) or time.strftime("%z") == "+1400"  # the machine's day
    assert clock.today() == dt.date(2026, 3, 1)
    assert clock.day_of(PINNED.timestamp()) == dt.date(2026, 3, 1)


def test_commands_date_records_by_the_utc_day(far_east: None, log_repo: Path, run) -> None:
    rid = new_decision(run, log_repo)
    res = run(log_repo, "set", rid, "status=accepted", "decision=Postgres", "rationale=Transactions")
    assert res.exit_code == 0, res.output
    shown = json.loads(run(log_repo, "show", rid, "--format", "json").stdout)
    assert shown["decided_on"] == "2026-03-01"
    review = json.loads(run(log_repo, "review", "--format", "json").stdout)
    assert review["as_of"] == "2026-03-01"


def test_a_commit_and_today_fall_on_the_same_day(far_east: None, log_repo: Path, run) -> None:
    rid = new_decision(run, log_repo)
    git(log_repo, "add", "-A")
    env_date = PINNED.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    git(log_repo, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-qm", "d",
        "--date", env_date)
    review = json.loads(run(log_repo, "review", "--format", "json").stdout)
    waiting = {a["id"]: a for a in review["awaiting_decision"]}
    assert waiting[rid]["proposed_on"] == "2026-03-01"
    assert waiting[rid]["days_waiting"] == 0
