"""The Pydantic models: every field, strictness, and the lifecycle rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from declog.domain.models import Decision, Dissent, Option, Owner, Review

BASE: dict[str, Any] = {
    "id": "D-7k3m9q", "title": "Use Postgres for orders", "status": "proposed", "owner": "alice",
    "door": "two-way", "context": "Orders need transactions",
}

FULL: dict[str, Any] = {
    **BASE,
    "status": "accepted",
    "decision": "Postgres 16",
    "rationale": "Transactions matter most",
    "options": [
        {"title": "Postgres", "pros": ["transactions"], "cons": ["ops work"]},
        {"title": "DynamoDB", "pros": ["managed"], "cons": ["no joins"], "why_not": "no multi-item transactions"},
    ],
    "consequences": "We run a database",
    "sections": [{"heading": "Migration path", "text": "Copy the orders table, then switch reads."}],
    "decided_on": dt.date(2026, 3, 2),
    "deciders": ["alice", "bob"],
    "consulted": ["carol"],
    "dissent": [{"who": "bob", "position": "Prefer DynamoDB", "committed": True}],
    "expected_outcome": "No lost orders",
    "review_by": "2026-09-01",
    "reviews": [{"on": "2026-09-02", "reviewer": "carol", "actual_outcome": "None lost",
                 "vs_expected": "as-expected", "process_quality": "good"}],
    "supersedes": ["D-x10zzz"],
    "related": ["D-abcdef"],
    "tags": ["storage", "orders/db"],
    "scope": ["src/orders/**"],
    "narrative": "https://example.com/prfaq",
    "aliases": ["ADR-0007"],
    "source": {"path": "doc/adr/0007-use-postgres.md", "format": "nygard", "number": 7, "imported_on": "2026-03-03",
               "status": "Approved", "labels": {"context": "Background"}},
}


def errors(model: Any, data: dict[str, Any]) -> dict[tuple[Any, ...], str]:
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    return {tuple(e["loc"]): e["msg"] for e in info.value.errors()}


def rules(data: dict[str, Any]) -> dict[tuple[Any, ...], str]:
    return {p.loc: p.message for p in Decision.model_validate(data).rule_problems()}


# -- Decision fields -------------------------------------------------------------------------

def test_a_full_decision_uses_every_field() -> None:
    decision = Decision.model_validate(FULL)
    assert set(FULL) == set(Decision.model_fields) - {"superseded_by"}
    assert decision.rule_problems() == []
    assert decision.decided_on == dt.date(2026, 3, 2)
    assert decision.review_by == dt.date(2026, 9, 1)
    assert decision.options[1] == Option(title="DynamoDB", pros=["managed"], cons=["no joins"],
                                         why_not="no multi-item transactions")
    assert decision.dissent == [Dissent(who="bob", position="Prefer DynamoDB", committed=True)]
    assert decision.reviews[0].vs_expected == "as-expected"
    assert isinstance(decision.reviews[0], Review)


def test_a_minimal_decision_defaults_the_rest() -> None:
    decision = Decision.model_validate(BASE)
    assert decision.options == [] and decision.tags == [] and decision.supersedes == []
    assert decision.decided_on is None and decision.superseded_by is None
    assert decision.rule_problems() == []


@pytest.mark.parametrize("name", ["id", "title", "status", "owner", "door", "context"])
def test_required_decision_fields(name: str) -> None:
    data = {k: v for k, v in BASE.items() if k != name}
    assert errors(Decision, data) == {(name,): "Field required"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", "D-7K3M9Q"), ("id", "D-7k3m9"), ("id", "D-7k3m9u"), ("id", "../x"), ("id", 12),
        ("title", ""), ("title", "x" * 301), ("title", 2026),
        ("status", "done"), ("status", "Accepted"),
        ("owner", "Alice"), ("owner", "../alice"), ("owner", "--alice"),
        ("door", "revolving"),
        ("context", ""),
        ("options", [{"title": "x", "colour": "red"}]), ("options", [{"pros": ["no title"]}]),
        ("dissent", [{"who": "bob"}]),
        ("reviews", [{"on": "2026-01-01", "reviewer": "bob", "actual_outcome": "x", "vs_expected": "meh"}]),
        ("supersedes", ["not-an-id"]), ("superseded_by", "D-12"), ("related", ["x"]),
        ("tags", ["two words"]), ("tags", "storage"),
        ("deciders", ["Bob"]),
        ("narrative", ""),
    ],
)
def test_bad_decision_values(field: str, value: Any) -> None:
    problems = errors(Decision, {**BASE, field: value})
    assert all(loc[0] == field for loc in problems), problems


def test_unknown_fields_are_forbidden_everywhere() -> None:
    assert errors(Decision, {**BASE, "colour": "red"}) == {("colour",): "Extra inputs are not permitted"}
    assert errors(Decision, {**BASE, "options": [{"title": "x", "votes": 3}]}) == {
        ("options", 0, "votes"): "Extra inputs are not permitted"}
    assert errors(Owner, {"handle": "alice", "name": "A", "nick": "al"}) == {
        ("nick",): "Extra inputs are not permitted"}


@pytest.mark.parametrize("status", ["proposed", "accepted", "rejected", "superseded", "deprecated"])
def test_every_status_is_known(status: str) -> None:
    assert Decision.model_validate({**BASE, "status": status}).status == status


# -- dates -----------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["2026-03-02", dt.date(2026, 3, 2), " 2026-03-02 "])
def test_iso_dates_are_accepted(value: Any) -> None:
    assert Decision.model_validate({**BASE, "review_by": value}).review_by == dt.date(2026, 3, 2)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (dt.datetime(2026, 3, 2, 10, 0), "not a date and time"),
        ("2026-03-02T10:00:00", "ISO 8601 date"),
        ("2026-03-02 10:00", "ISO 8601 date"),
        ("2026-02-30", "day value is outside expected range"),
        ("2026-3-2", "ISO 8601 date"),
        ("02/03/2026", "ISO 8601 date"),
        ("next week", "ISO 8601 date"),
        (20260302, "ISO 8601 date"),
        (1772409600.0, "ISO 8601 date"),
    ],
)
def test_anything_but_an_iso_date_is_refused(value: Any, words: str) -> None:
    problems = errors(Decision, {**BASE, "decided_on": value})
    assert list(problems) == [("decided_on",)]
    assert words in problems[("decided_on",)]
    assert ("reviews", 0, "on") in errors(Decision, {**BASE, "reviews": [
        {"on": value, "reviewer": "bob", "actual_outcome": "x", "vs_expected": "worse"}]})


# -- lifecycle rules -------------------------------------------------------------------------

def test_accepted_needs_decision_rationale_and_date() -> None:
    assert rules({**BASE, "status": "accepted"}) == {
        ("decision",): "an accepted decision needs `decision`",
        ("rationale",): "an accepted decision needs `rationale`",
        ("decided_on",): "an accepted decision needs `decided_on`",
    }
    assert rules({**BASE, "status": "accepted", "decision": "d", "rationale": "r", "decided_on": "2026-03-02"}) == {}


def test_superseded_needs_superseded_by_and_the_other_way_round() -> None:
    assert list(rules({**BASE, "status": "superseded"})) == [("superseded_by",)]
    assert rules({**BASE, "superseded_by": "D-x10zzz"}) == {
        ("status",): "`superseded_by` is set, so status must be superseded, not proposed"}
    assert rules({**BASE, "status": "superseded", "superseded_by": "D-x10zzz"}) == {}


def test_a_one_way_door_needs_two_options_and_an_expected_outcome() -> None:
    one_way = {**BASE, "door": "one-way"}
    assert set(rules(one_way)) == {("options",), ("expected_outcome",)}
    assert set(rules({**one_way, "options": [{"title": "a"}], "expected_outcome": "x"})) == {("options",)}
    assert rules({**one_way, "options": [{"title": "a"}, {"title": "b"}], "expected_outcome": "x"}) == {}
    assert rules({**BASE, "options": [{"title": "a"}]}) == {}  # a two-way door may weigh one


def test_a_decision_cannot_supersede_itself_or_list_one_twice() -> None:
    assert rules({**BASE, "supersedes": ["D-7k3m9q"]}) == {("supersedes",): "a decision cannot supersede itself"}
    assert rules({**BASE, "supersedes": ["D-x10zzz", "D-x10zzz"]}) == {("supersedes",): "lists the same decision twice"}


# -- Owner -----------------------------------------------------------------------------------

def test_an_owner_with_every_field() -> None:
    owner = Owner.model_validate({"handle": "alice", "name": "Alice Example", "kind": "person",
                                  "email": "alice@example.com", "team": "platform", "active": False})
    assert (owner.kind, owner.email, owner.team, owner.active) == ("person", "alice@example.com", "platform", False)
    assert owner.rule_problems() == []
    team = Owner.model_validate({"handle": "platform", "name": "Platform", "kind": "team", "lead": "alice"})
    assert team.lead == "alice" and team.active is True and team.rule_problems() == []


def test_owner_defaults_to_an_active_person() -> None:
    owner = Owner.model_validate({"handle": "alice", "name": "Alice"})
    assert (owner.kind, owner.active, owner.email, owner.team, owner.lead) == ("person", True, None, None, None)


@pytest.mark.parametrize(
    ("field", "value"),
    [("handle", "../x"), ("handle", "--x"), ("handle", "Alice"), ("name", ""), ("kind", "robot"),
     ("email", "not-an-address"), ("team", "Platform Team"), ("active", "maybe"), ("active", None)],
)
def test_bad_owner_values(field: str, value: Any) -> None:
    assert list(errors(Owner, {"handle": "alice", "name": "Alice", field: value})) == [(field,)]


@pytest.mark.parametrize("name", ["handle", "name"])
def test_required_owner_fields(name: str) -> None:
    data = {k: v for k, v in {"handle": "alice", "name": "Alice"}.items() if k != name}
    assert errors(Owner, data) == {(name,): "Field required"}


def test_team_rules() -> None:
    def owner_rules(**data: Any) -> dict[tuple[Any, ...], str]:
        return {p.loc: p.message for p in Owner.model_validate({"handle": "x", "name": "X", **data}).rule_problems()}

    assert owner_rules(kind="team") == {("lead",): "a team needs a `lead`: the one accountable person"}
    assert owner_rules(lead="alice") == {("lead",): "only a team has a `lead`"}
    assert owner_rules(team="x") == {("team",): "an owner cannot be its own team"}


def test_declog_new_asks_for_what_the_models_lifecycle_needs(log_repo) -> None:  # type: ignore[no-untyped-def]
    """edit.required_fields reads the lifecycle from the models (``LIFECYCLE``), the same rules
    validation checks: what one says is needed, the other reports as missing."""
    from declog.core import edit
    from declog.domain.kinds import KINDS
    from declog.storage.store import Log

    log = Log.open(log_repo)
    decision = {"title": "T", "owner": "alice", "status": "accepted", "door": "one-way", "context": "c",
                "options": [{"title": "only one"}]}
    assert edit.required_fields(KINDS["decision"], decision, log) == [
        "decision", "rationale", "decided_on", "options", "expected_outcome"]
    imported = {**decision, "source": {"path": "doc/adr/0001-x.md", "format": "nygard", "imported_on": "2026-01-01"}}
    assert edit.required_fields(KINDS["decision"], imported, log) == ["decided_on"]
    mechanism = {"name": "M", "owner": "alice", "status": "active", "problem": "p", "tool": "t"}
    assert edit.required_fields(KINDS["mechanism"], mechanism, log) == [
        "adoption", "inspection", "input_metrics", "output_metrics"]
    assert edit.required_fields(KINDS["correction"], {"status": "open"}, log)[-3:] == [
        "five_whys", "root_causes", "action_items"]
    assert edit.required_fields(KINDS["narrative"], {"title": "N", "status": "approved"}, log) == [
        "owner", "success_metrics"]
    for kind in ("decision", "mechanism", "correction", "narrative"):  # and validation says the same
        model = KINDS[kind].model()
        for need in model.LIFECYCLE:
            assert need.message and need.field in model.model_fields
