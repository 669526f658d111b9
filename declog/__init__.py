"""declog: decisions, owners, mechanisms and corrections of error as YAML records in git.

The Python API (see docs/python-api.md)::

    import declog

    log = declog.open_log(".")
    for d in log.records("decision", status=["accepted"]):
        print(d.id, d.title, d.model.owner)

Names are imported on first use, so ``import declog`` (and ``declog --help``) stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_WHERE = {
    "open_log": "declog.api", "DecisionLog": "declog.api", "TypedRecord": "declog.api",
    "DeclogError": "declog.errors", "UsageError": "declog.errors", "InvalidRecord": "declog.errors",
    "RecordNotFound": "declog.errors", "RecordFileError": "declog.errors",
    "Report": "declog.core.validate", "Issue": "declog.core.validate",
    "Answer": "declog.core.answers", "Entry": "declog.history.timeline",
    "main": "declog.cli",
    # the record models (a TypedRecord's .model); they live in declog.domain.models
    "Owner": "declog.domain.models", "Decision": "declog.domain.models", "Mechanism": "declog.domain.models",
    "Inspection": "declog.domain.models", "Correction": "declog.domain.models", "Narrative": "declog.domain.models",
}

__all__ = [
    "Answer", "Correction", "Decision", "DecisionLog", "DeclogError", "Entry", "Inspection", "InvalidRecord", "Issue",
    "Mechanism", "Narrative", "Owner", "RecordFileError", "RecordNotFound", "Report", "TypedRecord", "UsageError",
    "__version__", "main", "open_log",
]

if TYPE_CHECKING:
    from declog.api import DecisionLog, TypedRecord, open_log
    from declog.cli import main
    from declog.core.answers import Answer
    from declog.core.validate import Issue, Report
    from declog.domain.models import Correction, Decision, Inspection, Mechanism, Narrative, Owner
    from declog.errors import DeclogError, InvalidRecord, RecordFileError, RecordNotFound, UsageError
    from declog.history.timeline import Entry


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'declog' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
