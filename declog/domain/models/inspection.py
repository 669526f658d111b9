"""Inspection: one look at a mechanism, on one day, with its readings. One record per file, so
two people inspecting on two branches never touch the same file."""

from __future__ import annotations

from typing import ClassVar

from declog.domain import vocab
from declog.domain.models.base import Handle, IsoDate, Problem, RecordId, RecordModel, Text
from declog.domain.models.base import field_description as F
from declog.domain.models.mechanism import MetricName

Verdict = vocab.Verdict
VERDICTS: tuple[str, ...] = vocab.VERDICTS


class Inspection(RecordModel):
    """An inspection record; it names an existing mechanism and only that mechanism's metrics."""

    KIND: ClassVar[str] = "inspection"

    id: RecordId = F("Stable ID (I-xxxxxx); never changes.")
    mechanism: RecordId = F("The mechanism inspected (M-xxxxxx).")
    on: IsoDate = F("The day of the inspection.")
    inspector: Handle = F("Who inspected it: the handle of a person in this log.")
    verdict: Verdict = F("working | degraded | broken: is the mechanism doing its job?")
    readings: dict[MetricName, float] = F("Metric name to the value read; names are the mechanism's metrics.",
                                          default_factory=dict)
    note: Text | None = F("What was seen, and what will change.", default=None)

    def rule_problems(self) -> list[Problem]:
        if self.mechanism == self.id:
            return [Problem(("mechanism",), "an inspection names a mechanism, not itself")]
        return []
