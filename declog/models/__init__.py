"""Pydantic v2 models of every record kind. Importing this package imports Pydantic; the CLI
does so only inside commands that validate or write records."""

from declog.models.base import Problem, RecordModel
from declog.models.correction import ActionItem, Correction, TimelineEntry, WhyChain
from declog.models.decision import Decision, Dissent, Option, Review
from declog.models.inspection import Inspection
from declog.models.mechanism import InspectionPlan, Mechanism, Metric
from declog.models.owner import Owner

__all__ = ["ActionItem", "Correction", "Decision", "Dissent", "Inspection", "InspectionPlan", "Mechanism", "Metric",
           "Option", "Owner", "Problem", "RecordModel", "Review", "TimelineEntry", "WhyChain"]
