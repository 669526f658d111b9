"""Every closed vocabulary of the record model, spelled once and readable without Pydantic.

The models type their fields with ``Literal[...]`` built from these tuples, the command line
offers them as choices, and the ADR importer, the graph and the exports name statuses from
here. ``tests/domain/test_vocab.py`` checks that the models, the JSON Schemas and the command
line's choices say exactly what this module says.
"""

from __future__ import annotations

DECISION_STATUSES: tuple[str, ...] = ("proposed", "accepted", "rejected", "superseded", "deprecated")
# decisions still in play: waiting for a call, or in force
LIVE_DECISION_STATUSES: tuple[str, ...] = ("proposed", "accepted")
# decisions that ended, and the field or status that says how
ENDED_DECISION_STATUSES: tuple[str, ...] = ("rejected", "superseded", "deprecated")
DOORS: tuple[str, ...] = ("one-way", "two-way")
REVIEW_OUTCOMES: tuple[str, ...] = ("better", "as-expected", "worse")
PROCESS_QUALITIES: tuple[str, ...] = ("good", "fair", "poor")
IMPORT_FORMATS: tuple[str, ...] = ("nygard", "madr", "log4brains")
OWNER_KINDS: tuple[str, ...] = ("person", "team")
MECHANISM_STATUSES: tuple[str, ...] = ("piloting", "active", "retired")
METRIC_DIRECTIONS: tuple[str, ...] = ("up", "down")
VERDICTS: tuple[str, ...] = ("working", "degraded", "broken")
CORRECTION_STATUSES: tuple[str, ...] = ("draft", "open", "closed")
ACTION_ITEM_STATUSES: tuple[str, ...] = ("open", "done", "wont-do")
ACTION_ITEM_TYPES: tuple[str, ...] = ("fix", "systemic", "mechanism")
NARRATIVE_STATUSES: tuple[str, ...] = ("draft", "in-review", "approved", "shelved")
FAQ_AUDIENCES: tuple[str, ...] = ("external", "internal")

# the statuses of each record kind that has one (``declog list --status``, completion)
STATUSES: dict[str, tuple[str, ...]] = {
    "decision": DECISION_STATUSES,
    "mechanism": MECHANISM_STATUSES,
    "correction": CORRECTION_STATUSES,
    "narrative": NARRATIVE_STATUSES,
}
