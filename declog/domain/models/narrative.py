"""Narrative: a PR/FAQ written before the work (Working Backwards): a headline and press release
for the customer, the FAQ a customer and the team would ask, how success will be measured, and
the decisions it led to."""

from __future__ import annotations

import re
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from declog.domain import vocab
from declog.domain.models.base import Handle, IsoDate, Needs, Problem, RecordId, RecordModel, ShortText, Tag, Text
from declog.domain.models.base import field_description as F
from declog.domain.models.mechanism import METRIC_NAME_PATTERN

Status = vocab.NarrativeStatus
STATUSES: tuple[str, ...] = vocab.NARRATIVE_STATUSES
Audience = vocab.FaqAudience
# statuses in which a narrative must already ask both a customer's and the team's questions
ASKED: tuple[str, ...] = vocab.NARRATIVE_ASKED_STATUSES


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FaqEntry(_Part):
    """One question of the FAQ, and its answer."""

    question: Text = F("The question, as the customer (external) or the team (internal) would ask it.")
    answer: Text | None = F("The answer; every question has one before the narrative is approved.", default=None)
    audience: Audience = F("external (a customer asks it) or internal (the team, leaders, stakeholders ask it).",
                           default="external")


class SuccessMetric(_Part):
    """How success will be measured: a mechanism's metric, or a measure in words with its target."""

    metric: Text = F("A metric name of the mechanism named in `mechanism`, or the measure in words.")
    mechanism: RecordId | None = F("The mechanism (M-xxxxxx) whose metric `metric` names.", default=None)
    target: ShortText | None = F(
        "The target, such as '>= 95 percent by Q3'; a measure in words needs one once approved.", default=None)


class NarrativeSection(_Part):
    """A part of the document under a heading of its own (kept word for word by the import)."""

    heading: ShortText = F("The heading, as written.")
    text: Text | None = F("What the section says (none when the heading stands alone).", default=None)


class NarrativeSource(_Part):
    """Where an imported narrative came from."""

    path: ShortText = F("The markdown file, relative to the repository root, as it was when imported.")
    imported_on: IsoDate = F("When `declog import narrative` brought it in.")


class Narrative(RecordModel):
    """A narrative record (PR/FAQ); declog validate enforces its rules."""

    KIND: ClassVar[str] = "narrative"

    id: RecordId = F("Stable ID (N-xxxxxx); never changes, even when the file moves.")
    title: ShortText = F("The headline of the press release.")
    status: Status = F("draft | in-review | approved | shelved.")
    owner: Handle | None = F("The single-threaded owner: handle of one active person. Required once approved.",
                             default=None)
    subtitle: Text | None = F("The sub-heading: who the customer is and what they get, in one sentence.",
                              default=None)
    customer: Text | None = F("Who the customer is.", default=None)
    problem: Text | None = F("The customer's problem, in their terms.", default=None)
    solution: Text | None = F("How the product solves it.", default=None)
    press_release: Text | None = F("The press release itself, written for the customer, as if on launch day.",
                                   default=None)
    quote: Text | None = F("A quote from a customer or a leader.", default=None)
    getting_started: Text | None = F("How a customer gets started.", default=None)
    faq: list[FaqEntry] = F("Questions and answers; once in review or approved, at least one external and one "
                            "internal question.", default_factory=list)
    success_metrics: list[SuccessMetric] = F("How success will be measured; an approved narrative has at least one.",
                                             default_factory=list)
    decisions: list[RecordId] = F("The decisions it led to; each names this narrative in its `narrative` field.",
                                  default_factory=list)
    sections: list[NarrativeSection] = F("Other parts of the document, under their own headings.", default_factory=list)
    related: list[RecordId] = F("Related records.", default_factory=list)
    tags: list[Tag] = F("Free tags for filtering.", default_factory=list)
    source: NarrativeSource | None = F("The markdown file an imported narrative came from.", default=None)

    LIFECYCLE: ClassVar[tuple[Needs, ...]] = (
        Needs("owner", lambda f: f.get("status") == "approved", "an approved narrative names its single-threaded `owner`"),
        Needs("success_metrics", lambda f: f.get("status") == "approved",
              "an approved narrative names at least one of `success_metrics`"),
    )

    def rule_problems(self) -> list[Problem]:
        problems: list[Problem] = self.lifecycle_problems()
        if self.status == "approved":
            for i, entry in enumerate(self.faq):
                if entry.answer is None:
                    problems.append(Problem(("faq", i, "answer"),
                                            "this question has no answer: answer it before approving the narrative"))
            for i, metric in enumerate(self.success_metrics):
                if metric.mechanism is None and metric.target is None:
                    problems.append(Problem(("success_metrics", i, "target"),
                                            "a success metric in words needs a `target` once approved "
                                            "(or name a mechanism's metric with `mechanism`)"))
        if self.status in ASKED:
            audiences = {entry.audience for entry in self.faq}
            for audience, who in (("external", "a customer"), ("internal", "the team")):
                if audience not in audiences:
                    problems.append(Problem(("faq",), f"once {self.status}, a narrative asks at least one {audience} "
                                                      f"question (what {who} would ask)"))
        for i, metric in enumerate(self.success_metrics):
            if metric.mechanism is not None:
                if not re.match(METRIC_NAME_PATTERN, metric.metric):
                    problems.append(Problem(("success_metrics", i, "metric"),
                                            f"'{metric.metric}' is not a metric name of {metric.mechanism}"))
        if len(set(self.decisions)) != len(self.decisions):
            problems.append(Problem(("decisions",), "lists the same decision twice"))
        return problems

