"""Pydantic v2 models of every record kind. Importing this package imports Pydantic; the CLI
does so only inside commands that validate or write records."""

from declog.models.base import Problem, RecordModel
from declog.models.decision import Decision, Dissent, Option, Review
from declog.models.owner import Owner

__all__ = ["Decision", "Dissent", "Option", "Owner", "Problem", "RecordModel", "Review"]
