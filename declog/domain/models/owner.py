"""Owner: a person or a team that can be named as the single owner of a record."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import StringConstraints

from declog.domain import vocab
from declog.domain.models.base import Handle, Problem, RecordModel, ShortText
from declog.domain.models.base import field_description as F

# one line, no blanks, at most 300 characters: the pattern says all of it
Email = Annotated[str, StringConstraints(min_length=1, max_length=300, pattern=r"^[^@\s]+@[^@\s]+$")]


class Owner(RecordModel):
    """A person or a team. The owner field of every other record must name one active person."""

    KIND: ClassVar[str] = "owner"

    handle: Handle = F("The owner's ID: lower-case letters, digits, '.', '_' or '-'.")
    name: ShortText = F("Display name.")
    kind: vocab.OwnerKind = F("A person, or a team (a team names its lead).", default="person")
    email: Email | None = F("Contact address.", default=None)
    team: Handle | None = F("Handle of the team this person belongs to.", default=None)
    lead: Handle | None = F("For a team: the one accountable person's handle.", default=None)
    active: bool = F("False once the person has left or the team is dissolved.", default=True)

    def rule_problems(self) -> list[Problem]:
        problems = []
        if self.kind == "team" and not self.lead:
            problems.append(Problem(("lead",), "a team needs a `lead`: the one accountable person"))
        if self.kind == "person" and self.lead:
            problems.append(Problem(("lead",), "only a team has a `lead`"))
        if self.team and self.team == self.handle:
            problems.append(Problem(("team",), "an owner cannot be its own team"))
        return problems
