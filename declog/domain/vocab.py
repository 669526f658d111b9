"""Every closed vocabulary of the record model, spelled once and readable without Pydantic.

Each is spelled once, as a ``Literal`` alias the models type their fields with; its tuple of
values comes from it (``typing.get_args``). The command line offers the tuples as choices, and
the ADR importer, the graph and the exports name statuses from here. ``tests/test_filters.py``
checks that the models and the command line's choices say exactly what this module says.
"""

from __future__ import annotations

from typing import Literal, get_args

# Each vocabulary is a ``Literal`` type, which the models use as the type of their fields, and
# the tuple of its values (``typing.get_args``), which everything else uses: one spelling each.
DecisionStatus = Literal["proposed", "accepted", "rejected", "superseded", "deprecated"]
Door = Literal["one-way", "two-way"]
ReviewOutcome = Literal["better", "as-expected", "worse"]
ProcessQuality = Literal["good", "fair", "poor"]
ImportFormat = Literal["nygard", "madr", "log4brains"]
OwnerKind = Literal["person", "team"]
MechanismStatus = Literal["piloting", "active", "retired"]
MetricDirection = Literal["up", "down"]
Verdict = Literal["working", "degraded", "broken"]
CorrectionStatus = Literal["draft", "open", "closed"]
ActionItemStatus = Literal["open", "done", "wont-do"]
ActionItemType = Literal["fix", "systemic", "mechanism"]
NarrativeStatus = Literal["draft", "in-review", "approved", "shelved"]
FaqAudience = Literal["external", "internal"]

DECISION_STATUSES: tuple[str, ...] = get_args(DecisionStatus)
# decisions still in play: waiting for a call, or in force
LIVE_DECISION_STATUSES: tuple[str, ...] = ("proposed", "accepted")
# decisions that ended, and the field or status that says how
ENDED_DECISION_STATUSES: tuple[str, ...] = ("rejected", "superseded", "deprecated")
DOORS: tuple[str, ...] = get_args(Door)
REVIEW_OUTCOMES: tuple[str, ...] = get_args(ReviewOutcome)
PROCESS_QUALITIES: tuple[str, ...] = get_args(ProcessQuality)
IMPORT_FORMATS: tuple[str, ...] = get_args(ImportFormat)
OWNER_KINDS: tuple[str, ...] = get_args(OwnerKind)
MECHANISM_STATUSES: tuple[str, ...] = get_args(MechanismStatus)
METRIC_DIRECTIONS: tuple[str, ...] = get_args(MetricDirection)
VERDICTS: tuple[str, ...] = get_args(Verdict)
CORRECTION_STATUSES: tuple[str, ...] = get_args(CorrectionStatus)
ACTION_ITEM_STATUSES: tuple[str, ...] = get_args(ActionItemStatus)
ACTION_ITEM_TYPES: tuple[str, ...] = get_args(ActionItemType)
NARRATIVE_STATUSES: tuple[str, ...] = get_args(NarrativeStatus)
FAQ_AUDIENCES: tuple[str, ...] = get_args(FaqAudience)
# statuses in which a narrative must already ask both a customer's and the team's questions
NARRATIVE_ASKED_STATUSES: tuple[str, ...] = ("in-review", "approved")

# the statuses of each record kind that has one (``declog list --status``, completion)
STATUSES: dict[str, tuple[str, ...]] = {
    "decision": DECISION_STATUSES,
    "mechanism": MECHANISM_STATUSES,
    "correction": CORRECTION_STATUSES,
    "narrative": NARRATIVE_STATUSES,
}
