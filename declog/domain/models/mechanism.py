"""Mechanism: a complete loop of a tool, its adoption and regular inspection, which turns
controllable inputs into the outputs we want (good intentions don't work, mechanisms do)."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

from declog.domain import cadence as cadence_mod
from declog.domain import vocab
from declog.domain.models.base import Handle, Needs, Problem, RecordId, RecordModel, ShortText, Tag, Text
from declog.domain.models.base import field_description as F

Status = vocab.MechanismStatus
STATUSES: tuple[str, ...] = vocab.MECHANISM_STATUSES
METRIC_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$"
MetricName = Annotated[str, StringConstraints(pattern=METRIC_NAME_PATTERN)]


def _cadence(value: str) -> str:
    cadence_mod.parse(value)  # raises ValueError with the accepted forms
    return value


Cadence = Annotated[str, StringConstraints(min_length=1, max_length=20), AfterValidator(_cadence)]


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Metric(_Part):
    """A metric the mechanism moves: an input (controllable) or an output (the result wanted)."""

    name: MetricName = F("Short name, used as the key of inspection readings (letters, digits, '.', '_', '/', '-').")
    unit: ShortText | None = F("Unit of the readings, such as percent, minutes or count.", default=None)
    target: float | None = F("The value the metric should reach; needs a direction.", default=None)
    direction: vocab.MetricDirection | None = F(
        "up: higher is better (off target below the target); down: lower is better (off target above it).",
        default=None,
    )


class InspectionPlan(_Part):
    """How and how often the mechanism is inspected."""

    cadence: Cadence = F("How often: daily, weekly, fortnightly, monthly, quarterly, yearly, or a count such as 14d or 2w.")
    method: Text | None = F("How the inspection is done: the meeting, the dashboard, the audit.", default=None)


class Mechanism(RecordModel):
    """A mechanism record; an active one names its tool, adoption, cadence and metrics."""

    KIND: ClassVar[str] = "mechanism"

    id: RecordId = F("Stable ID (M-xxxxxx); never changes, even when the file moves.")
    name: ShortText = F("The mechanism in a few words.")
    owner: Handle = F("The single accountable owner: handle of one active person.")
    status: Status = F("piloting | active | retired. Retired mechanisms are no longer inspected.")
    problem: Text = F("The recurring problem: the good intention this mechanism replaces.")
    tool: Text | None = F("The tool: what turns inputs into outputs. Required once active.", default=None)
    adoption: Text | None = F("How the people who must use the tool come to use it. Required once active.",
                              default=None)
    inspection: InspectionPlan | None = F("How and how often it is inspected. Required once active.", default=None)
    input_metrics: list[Metric] = F("Controllable inputs; an active mechanism has at least one.",
                                    default_factory=list)
    output_metrics: list[Metric] = F("The outputs wanted; an active mechanism has at least one.",
                                     default_factory=list)
    origin: list[RecordId] = F("The decisions or corrections of error that created it.", default_factory=list)
    related: list[RecordId] = F("Related records.", default_factory=list)
    tags: list[Tag] = F("Free tags for filtering.", default_factory=list)

    LIFECYCLE: ClassVar[tuple[Needs, ...]] = (
        *(Needs(name, lambda f: f.get("status") == "active", f"an active mechanism needs `{name}`")
          for name in ("tool", "adoption", "inspection")),
        *(Needs(name, lambda f: f.get("status") == "active", f"an active mechanism needs at least one of `{name}`")
          for name in ("input_metrics", "output_metrics")),
    )

    def metric_names(self) -> list[str]:
        return [m.name for m in (*self.input_metrics, *self.output_metrics)]

    def rule_problems(self) -> list[Problem]:
        problems: list[Problem] = self.lifecycle_problems()
        seen: set[str] = set()
        for group in ("input_metrics", "output_metrics"):
            for i, metric in enumerate(getattr(self, group)):
                if metric.name in seen:
                    problems.append(Problem((group, i, "name"), f"metric '{metric.name}' is named twice"))
                seen.add(metric.name)
                if metric.target is not None and metric.direction is None:
                    problems.append(Problem((group, i, "direction"),
                                            "a metric with a `target` needs a `direction` (up or down)"))
                if metric.direction is not None and metric.target is None:
                    problems.append(Problem((group, i, "target"), "a metric with a `direction` needs a `target`"))
        if self.id in self.origin:
            problems.append(Problem(("origin",), "a mechanism cannot be its own origin"))
        return problems
