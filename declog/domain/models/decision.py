"""Decision: a call, its single owner, the options weighed and the reason why."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

from declog.domain import vocab
from declog.domain.ids import inside_repository
from declog.domain.models.base import (
    Handle,
    IsoDate,
    Needs,
    Problem,
    RecordId,
    RecordModel,
    ShortText,
    Tag,
    Text,
)
from declog.domain.models.base import (
    field_description as F,
)


def _inside(path: str) -> str:
    if not inside_repository(path):
        raise ValueError(f"{path!r} is not a path inside the repository (relative to its root, without ..)")
    return path


Alias = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9._-]{0,63}$")]

Status = vocab.DecisionStatus
Door = vocab.Door
STATUSES: tuple[str, ...] = vocab.DECISION_STATUSES


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Option(_Part):
    """An option that was weighed."""

    title: ShortText = F("The option in a few words.")
    pros: list[Text] = F("What speaks for it.", default_factory=list)
    cons: list[Text] = F("What speaks against it.", default_factory=list)
    why_not: Text | None = F("Why it was not chosen (empty for the chosen one).", default=None)


class Dissent(_Part):
    """Disagree and commit: who disagreed, with what, and whether they committed."""

    who: Handle = F("Handle of the person who disagreed.")
    position: Text = F("What they argued.")
    committed: bool = F("True once they committed to the decision anyway.", default=False)


class Review(_Part):
    """A look back at a decision once its outcome is known."""

    on: IsoDate = F("When the review happened.")
    reviewer: Handle = F("Who reviewed it.")
    actual_outcome: Text = F("What actually happened.")
    vs_expected: vocab.ReviewOutcome = F("Outcome against `expected_outcome`.")
    process_quality: vocab.ProcessQuality | None = F(
        "Was it a good decision process, whatever the outcome?", default=None
    )


class Section(_Part):
    """A section of an imported ADR that no other field holds, such as "Options considered"."""

    heading: ShortText = F("The heading, as the ADR wrote it.")
    text: Text = F("What the section says, as markdown (its sub-sections' headings included).")


ImportFormat = vocab.ImportFormat


class Source(_Part):
    """Where an imported decision came from: the file whose git history declog keeps showing."""

    path: Annotated[ShortText, AfterValidator(_inside)] = F("The source file, relative to the repository root, as it was when imported.")
    format: ImportFormat = F("nygard (adr-tools) | madr | log4brains.")
    number: int | None = F("The ADR's original number, when it had one.", default=None, ge=0)
    imported_on: IsoDate = F("When `declog import` brought it in.")
    status: ShortText | None = F("The status as the ADR wrote it, when declog's reads differently.", default=None)
    labels: dict[str, ShortText] = F(
        "The headings or labels the ADR used for declog's fields (context: Context and Problem Statement).",
        default_factory=dict,
    )


class Decision(RecordModel):
    """A decision record; declog validate enforces its lifecycle rules."""

    KIND: ClassVar[str] = "decision"

    id: RecordId = F("Stable ID (D-xxxxxx); never changes, even when the file moves.")
    title: ShortText = F("The decision as a short phrase.")
    status: Status = F("proposed | accepted | rejected | superseded | deprecated.")
    owner: Handle = F("The single accountable owner: handle of one active person.")
    door: Door = F("one-way (hard to reverse: decide slowly) or two-way (reversible: decide fast).")
    context: Text = F("The forces at play: what made a decision necessary.")
    decision: Text | None = F("What was decided. Required once accepted.", default=None)
    rationale: Text | None = F("Why this option. Required once accepted.", default=None)
    options: list[Option] = F("Options weighed; a one-way door needs at least two.", default_factory=list)
    consequences: Text | None = F("What follows from the decision, good and bad.", default=None)
    sections: list[Section] = F("An imported ADR's other sections (heading and markdown), in the ADR's order.",
                                default_factory=list)
    decided_on: IsoDate | None = F("When it was decided. Required once accepted.", default=None)
    deciders: list[Handle] = F("Who made the call.", default_factory=list)
    consulted: list[Handle] = F("Who was consulted.", default_factory=list)
    dissent: list[Dissent] = F("Recorded disagreement.", default_factory=list)
    expected_outcome: Text | None = F("What we expect to see if this was right.", default=None)
    review_by: IsoDate | None = F("When to look back at the outcome.", default=None)
    reviews: list[Review] = F("Looks back at the outcome.", default_factory=list)
    supersedes: list[RecordId] = F("Decisions this one replaces.", default_factory=list)
    superseded_by: RecordId | None = F("The decision that replaced this one.", default=None)
    related: list[RecordId] = F("Related records.", default_factory=list)
    tags: list[Tag] = F("Free tags for filtering.", default_factory=list)
    scope: list[ShortText] = F("Path globs of the code this decision governs.", default_factory=list)
    narrative: ShortText | None = F(
        "The narrative (N-xxxxxx) it came from, listing it back in `decisions`; or a path or URL of a PR/FAQ, "
        "memo or design document.", default=None)
    aliases: list[Alias] = F(
        "Other names `show` and `why` accept, such as an imported ADR's number (ADR-0015).", default_factory=list
    )
    source: Source | None = F("The markdown file an imported decision came from (set by `declog import`).",
                              default=None)

    @property
    def imported(self) -> bool:
        """An imported decision says what its ADR said: the rules asking for text the ADR may not
        have (decision, rationale; a one-way door's options and expected outcome) do not
        apply to it. `declog review` lists those that lack a rationale."""
        return self.source is not None

    # deciding (accepting or rejecting) a decision that has no `decided_on` dates it today: the one
    # rule behind `declog new`, `declog set` and the Python API (core.edit.date_the_decision)
    DATED_BY: ClassVar[tuple[str, ...]] = ("accepted", "rejected")

    # an imported decision says what its ADR said: the rules asking for text the ADR may not
    # have (decision, rationale; a one-way door's options and expected outcome) skip it
    LIFECYCLE: ClassVar[tuple[Needs, ...]] = (
        Needs("decision", lambda f: f.get("status") == "accepted" and f.get("source") is None,
              "an accepted decision needs `decision`"),
        Needs("rationale", lambda f: f.get("status") == "accepted" and f.get("source") is None,
              "an accepted decision needs `rationale`"),
        Needs("decided_on", lambda f: f.get("status") == "accepted", "an accepted decision needs `decided_on`"),
        Needs("options", lambda f: f.get("door") == "one-way" and f.get("source") is None,
              "a one-way door needs at least two `options` weighed", at_least=2),
        Needs("expected_outcome", lambda f: f.get("door") == "one-way" and f.get("source") is None,
              "a one-way door needs an `expected_outcome`"),
    )

    def rule_problems(self) -> list[Problem]:
        problems: list[Problem] = self.lifecycle_problems()
        if self.status == "superseded" and not self.superseded_by:
            problems.append(
                Problem(("superseded_by",), "a superseded decision needs `superseded_by`: the decision that replaced it")
            )
        if self.superseded_by and self.status != "superseded":
            problems.append(
                Problem(("status",), f"`superseded_by` is set, so status must be superseded, not {self.status}")
            )
        if self.id in self.supersedes or self.superseded_by == self.id:
            problems.append(Problem(("supersedes",), "a decision cannot supersede itself"))
        if len(set(self.supersedes)) != len(self.supersedes):
            problems.append(Problem(("supersedes",), "lists the same decision twice"))
        return problems
