"""Correction of errors: what went wrong, the chains of whys down to root causes, and action
items with single owners and due dates; an action item of type mechanism links the mechanism
that makes the fix stay fixed."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from declog.domain import vocab
from declog.domain.models.base import Handle, IsoDate, Needs, Problem, RecordId, RecordModel, ShortText, Tag, Text
from declog.domain.models.base import field_description as F

Status = vocab.CorrectionStatus
STATUSES: tuple[str, ...] = vocab.CORRECTION_STATUSES
ItemStatus = vocab.ActionItemStatus


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TimelineEntry(_Part):
    """One moment of the event, in order."""

    at: ShortText = F("When: a date, or a date and time such as 2026-03-02 14:05 UTC.")
    what: Text = F("What happened then.")


class WhyChain(_Part):
    """One chain of whys: from a problem down to a root cause."""

    problem: Text = F("The problem this chain starts from.")
    whys: list[Text] = F("Each answer to 'why?', in order; the last is a root cause.", min_length=1)


class ActionItem(_Part):
    """Something to do so the error does not happen again."""

    description: Text = F("What will be done.")
    owner: Handle = F("The single accountable owner: handle of one active person.")
    due: IsoDate = F("When it is due.")
    type: vocab.ActionItemType = F(
        "fix (this instance), systemic (the class of problem) or mechanism (a mechanism keeps it fixed).")
    mechanism: RecordId | None = F("For type mechanism: the mechanism (M-xxxxxx) that keeps it fixed.",
                                   default=None)
    status: ItemStatus = F("open | done | wont-do (wont-do needs a reason).", default="open")
    reason: Text | None = F("Why it will not be done (for status wont-do).", default=None)
    note: Text | None = F("What was done, or anything worth knowing, when it was closed.", default=None)


class Correction(RecordModel):
    """A correction of errors record; declog validate enforces its rules."""

    KIND: ClassVar[str] = "correction"

    id: RecordId = F("Stable ID (C-xxxxxx); never changes, even when the file moves.")
    title: ShortText = F("The event in a few words.")
    owner: Handle = F("The single accountable owner: handle of one active person.")
    status: Status = F("draft | open | closed. A correction cannot be closed while an action item is open.")
    summary: Text = F("What happened, in a paragraph.")
    customer_impact: Text | None = F("Who was affected, how, and for how long.", default=None)
    occurred_on: IsoDate | None = F("The day the event began.", default=None)
    timeline: list[TimelineEntry] = F("The event, moment by moment.", default_factory=list)
    five_whys: list[WhyChain] = F("One or more chains of whys (required unless draft).", default_factory=list)
    root_causes: list[Text] = F("The root causes the chains reach (required unless draft).", default_factory=list)
    lessons: list[Text] = F("What was learned.", default_factory=list)
    action_items: list[ActionItem] = F("What will be done, each with one owner and a due date (required unless draft).",
                                       default_factory=list)
    related: list[RecordId] = F("Related records.", default_factory=list)
    tags: list[Tag] = F("Free tags for filtering.", default_factory=list)

    LIFECYCLE: ClassVar[tuple[Needs, ...]] = tuple(
        Needs(name, lambda f: f.get("status") != "draft",
              f"a correction needs at least one {what} (`{name}`) unless it is a draft")
        for name, what in (("five_whys", "chain of whys"), ("root_causes", "root cause"),
                           ("action_items", "action item")))

    def rule_problems(self) -> list[Problem]:
        problems: list[Problem] = self.lifecycle_problems()
        for i, item in enumerate(self.action_items):
            if item.type == "mechanism" and not item.mechanism:
                problems.append(Problem(("action_items", i, "mechanism"),
                                        "an action item of type mechanism links the mechanism (M-xxxxxx)"))
            if item.mechanism and item.type != "mechanism":
                problems.append(Problem(("action_items", i, "type"),
                                        f"links a mechanism, so its type is mechanism, not {item.type}"))
            if item.status == "wont-do" and not item.reason:
                problems.append(Problem(("action_items", i, "reason"), "a wont-do action item needs a `reason`"))
            if self.status == "closed" and item.status == "open":
                problems.append(Problem(("action_items", i, "status"),
                                        "the correction is closed but this action item is open: "
                                        "mark it done, or wont-do with a reason"))
        return problems
