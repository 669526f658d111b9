"""The status table that `declog list --status` checks against agrees with the models."""

from __future__ import annotations

import typing

from declog.core.query import STATUSES, statuses
from declog.domain.kinds import KINDS


def test_the_status_table_is_the_models_literals() -> None:
    for kind in KINDS.values():
        field = kind.model().model_fields.get("status")
        if field is None:
            assert kind.name not in STATUSES
            continue
        assert STATUSES[kind.name] == typing.get_args(field.annotation), kind.name
    assert statuses(KINDS["decision"])[0] == "proposed"


def _args(model: typing.Any, name: str) -> tuple[str, ...]:
    annotation = model.model_fields[name].annotation
    args = typing.get_args(annotation)
    if type(None) in args:  # Optional[Literal[...]]
        args = typing.get_args(next(a for a in args if a is not type(None)))
    return args


def test_every_vocabulary_is_the_models_literals() -> None:
    from declog.domain import vocab
    from declog.domain.models import ActionItem, Decision, Inspection, Metric, Owner, Review, Source
    from declog.domain.models.narrative import FaqEntry

    assert _args(Decision, "status") == vocab.DECISION_STATUSES
    assert _args(Decision, "door") == vocab.DOORS
    assert _args(Review, "vs_expected") == vocab.REVIEW_OUTCOMES
    assert _args(Review, "process_quality") == vocab.PROCESS_QUALITIES
    assert _args(Source, "format") == vocab.IMPORT_FORMATS
    assert _args(Owner, "kind") == vocab.OWNER_KINDS
    assert _args(Metric, "direction") == vocab.METRIC_DIRECTIONS
    assert _args(Inspection, "verdict") == vocab.VERDICTS
    assert _args(ActionItem, "status") == vocab.ACTION_ITEM_STATUSES
    assert _args(ActionItem, "type") == vocab.ACTION_ITEM_TYPES
    assert _args(FaqEntry, "audience") == vocab.FAQ_AUDIENCES
    assert set(vocab.LIVE_DECISION_STATUSES) | set(vocab.ENDED_DECISION_STATUSES) == set(vocab.DECISION_STATUSES)


def test_the_command_lines_choices_are_the_vocabularies() -> None:
    import click

    from declog.cli import cli
    from declog.domain import vocab

    ctx = click.Context(cli)
    wanted = {
        ("new", "decision", "status"): vocab.DECISION_STATUSES, ("new", "decision", "door"): vocab.DOORS,
        ("new", "mechanism", "status"): vocab.MECHANISM_STATUSES, ("new", "correction", "status"):
        vocab.CORRECTION_STATUSES, ("new", "owner", "owner_kind"): vocab.OWNER_KINDS,
        ("list", None, "door"): vocab.DOORS, ("inspect", None, "verdict"): vocab.VERDICTS,
        ("import", "adr", "door"): vocab.DOORS,
    }
    for (group, sub, param), choices in wanted.items():
        command = cli.get_command(ctx, group)
        assert command is not None
        if sub is not None:
            assert isinstance(command, click.Group)
            command = command.get_command(ctx, sub)
            assert command is not None
        option = next(p for p in command.params if p.name == param)
        assert isinstance(option.type, click.Choice)
        assert tuple(option.type.choices) == choices, (group, sub, param)


def test_the_graph_draws_every_decision_status() -> None:
    from declog.core import graph
    from declog.domain import vocab

    assert sorted(graph.STATUSES) == sorted(vocab.DECISION_STATUSES)
