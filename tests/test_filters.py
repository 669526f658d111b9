"""The status table that `declog list --status` checks against agrees with the models."""

from __future__ import annotations

import typing

from declog.kinds import KINDS
from declog.query import STATUSES, statuses


def test_the_status_table_is_the_models_literals() -> None:
    for kind in KINDS.values():
        field = kind.model().model_fields.get("status")
        if field is None:
            assert kind.name not in STATUSES
            continue
        assert STATUSES[kind.name] == typing.get_args(field.annotation), kind.name
    assert statuses(KINDS["decision"])[0] == "proposed"
