"""Pydantic v2 models of every record kind.

Importing this package is cheap: each model module (and Pydantic with it) is imported on first
use of its name, so checking a decision never builds the correction models. The CLI imports
models only inside commands that validate or write records.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "Problem": "base", "RecordModel": "base",
    "ActionItem": "correction", "Correction": "correction", "TimelineEntry": "correction", "WhyChain": "correction",
    "Decision": "decision", "Dissent": "decision", "Option": "decision", "Review": "decision", "Section": "decision",
    "Source": "decision",
    "Inspection": "inspection",
    "InspectionPlan": "mechanism", "Mechanism": "mechanism", "Metric": "mechanism",
    "Owner": "owner",
    "FaqEntry": "narrative", "Narrative": "narrative", "NarrativeSection": "narrative", "NarrativeSource": "narrative",
    "SuccessMetric": "narrative",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'declog.domain.models' has no attribute {name!r}")
    return getattr(importlib.import_module(f"declog.domain.models.{module}"), name)
