"""Shared pieces of every record model: strictness, field types, and the rule hook."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from declog.domain.ids import HANDLE_PATTERN, ID_PATTERN

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date(value: Any) -> Any:
    """Accept a YAML date or an ISO ``YYYY-MM-DD`` string; nothing else (no timestamps)."""
    if isinstance(value, dt.datetime):
        raise ValueError("expected a date (YYYY-MM-DD), not a date and time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value.strip()):
        return value.strip()
    raise ValueError("expected an ISO 8601 date such as 2026-03-02")


def _not_blank(value: str) -> str:
    """Required text says something: a value of only spaces (or tabs, newlines) is refused, in
    ``declog new``, ``set``, ``edit`` and ``validate`` alike (they all validate here)."""
    if not value.strip():
        raise ValueError("is blank (only whitespace): write the text")
    return value


_LINE_BREAKS = ("\n", "\r", "\x0b", "\x0c", "\x85", "\u2028", "\u2029")


def _one_line(value: str) -> str:
    """Short text (a title, a name, a path) is one line: a line break inside it would print as
    a second line of its own in every listing and message (trailing ones are a YAML block's)."""
    if any(brk in value.rstrip() for brk in _LINE_BREAKS):
        raise ValueError("holds a line break: short text such as a title is one line")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
RecordId = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Handle = Annotated[str, StringConstraints(pattern=HANDLE_PATTERN, max_length=39)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=100_000), AfterValidator(_not_blank)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=300), AfterValidator(_not_blank),
                     AfterValidator(_one_line)]
Tag = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")]


@dataclass(frozen=True)
class Problem:
    """A rule broken inside one record: where (a field path) and what."""

    loc: tuple[str | int, ...]
    message: str


@dataclass(frozen=True)
class Needs:
    """A lifecycle rule: when ``applies`` to a record's fields (its status, its door), the
    record needs ``field``: a value, or for a list at least ``at_least`` items. Stated once in
    the model's ``LIFECYCLE``: the model checks it (:meth:`RecordModel.rule_problems`) and
    ``declog new`` asks for what it names (``edit.required_fields``), on plain fields, before
    any model is built."""

    field: str
    applies: Callable[[Mapping[str, Any]], bool]
    message: str
    at_least: int = 1

    def unmet(self, fields: Mapping[str, Any]) -> bool:
        if not self.applies(fields):
            return False
        value = fields.get(self.field)
        if isinstance(value, list | tuple):
            return len(value) < self.at_least
        return value is None or value == "" or value == {}


class RecordModel(BaseModel):
    """Base of every record: unknown fields are errors, values are validated on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, use_enum_values=True)

    KIND: ClassVar[str] = ""
    # what the record needs at each point of its lifecycle (see Needs)
    LIFECYCLE: ClassVar[tuple[Needs, ...]] = ()

    @classmethod
    def unmet_needs(cls, fields: Mapping[str, Any]) -> list[Needs]:
        """The lifecycle rules that ``fields`` (plain values or a model's) do not meet yet."""
        return [need for need in cls.LIFECYCLE if need.unmet(fields)]

    def lifecycle_problems(self) -> list[Problem]:
        fields = {name: getattr(self, name) for name in type(self).model_fields}
        return [Problem((need.field,), need.message) for need in self.unmet_needs(fields)]

    def rule_problems(self) -> list[Problem]:
        """Rules that span several fields of this record (the lifecycle). Empty when fine."""
        return self.lifecycle_problems()


def field_description(text: str, **kwargs: Any) -> Any:
    """``Field`` with a description, the form every model field uses (it feeds the schemas)."""
    return Field(description=text, **kwargs)
