"""The record kinds declog knows, described without importing Pydantic.

The store, the CLI and the hook need to know where each kind lives and how its IDs look long
before they need a model; the models themselves are imported only when something is validated.
Adding a kind is one entry here plus its model module.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Kind:
    name: str  # "decision"
    plural: str  # "decisions"
    folder: str  # sub-folder of the log root; "" means the root itself
    letter: str | None  # ID letter ("D"); None for kinds identified by a handle
    id_field: str  # "id" or "handle"
    model_path: str  # "declog.domain.models.decision:Decision"
    title_field: str  # the field shown as a record's title

    def model(self) -> Any:
        module, _, attr = self.model_path.partition(":")
        return getattr(importlib.import_module(module), attr)


OWNER = Kind("owner", "owners", "owners", None, "handle", "declog.domain.models.owner:Owner", "name")
DECISION = Kind("decision", "decisions", "", "D", "id", "declog.domain.models.decision:Decision", "title")
MECHANISM = Kind("mechanism", "mechanisms", "mechanisms", "M", "id", "declog.domain.models.mechanism:Mechanism", "name")
INSPECTION = Kind("inspection", "inspections", "inspections", "I", "id", "declog.domain.models.inspection:Inspection", "on")
CORRECTION = Kind("correction", "corrections", "corrections", "C", "id", "declog.domain.models.correction:Correction", "title")
NARRATIVE = Kind("narrative", "narratives", "narratives", "N", "id", "declog.domain.models.narrative:Narrative", "title")

KINDS: dict[str, Kind] = {k.name: k for k in (OWNER, DECISION, MECHANISM, INSPECTION, CORRECTION, NARRATIVE)}
BY_FOLDER: dict[str, Kind] = {k.folder: k for k in KINDS.values() if k.folder}
BY_LETTER: dict[str, Kind] = {k.letter: k for k in KINDS.values() if k.letter}
# the status a new record starts with when none is given
DEFAULT_STATUS: dict[str, str] = {"decision": "proposed", "mechanism": "active", "correction": "open"}


def kind_named(name: str) -> Kind:
    """The kind for a name or plural (``decision``, ``decisions``, ``owner`` …)."""
    from declog.errors import UsageError

    key = name.lower()
    for kind in KINDS.values():
        if key in (kind.name, kind.plural):
            return kind
    raise UsageError(f"unknown record kind '{name}': use one of {', '.join(KINDS)}")


def kind_for_path(relative_parts: tuple[str, ...]) -> Kind | None:
    """The kind of a record file from its path inside the log root (``owners/alice.yaml``)."""
    if len(relative_parts) > 1 and relative_parts[0] in BY_FOLDER:
        return BY_FOLDER[relative_parts[0]]
    return DECISION
