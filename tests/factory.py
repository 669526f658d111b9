"""One record factory for the tests: the YAML text of records written by hand into a log, as a
person (or another tool) would write them, so tests can set up what the CLI would refuse to
write (a broken record, a duplicate ID, a file in an odd place).

``decision_yaml("D-aaaaaa", "Use Postgres")`` is a proposed two-way decision owned by ``alice``
(valid once ``alice`` exists: see the ``log_repo`` fixture). Keyword arguments change a field or
add one after the others; ``None`` leaves a field out. Values are written as given: a string is
YAML text (``supersedes="[D-zzzzzz]"``).
"""

from __future__ import annotations

from typing import Any

DECISION_DEFAULTS: dict[str, Any] = {"status": "proposed", "owner": "alice", "door": "two-way", "context": "c"}


def decision_yaml(rid: str, title: str = "T", **fields: Any) -> str:
    """The YAML text of a decision (see the module's doc)."""
    return _yaml({"id": rid, "title": title, **DECISION_DEFAULTS, **fields})


def owner_yaml(handle: str = "alice", name: str = "Alice Example", **fields: Any) -> str:
    """The YAML text of an owner (an active person unless ``fields`` say otherwise)."""
    return _yaml({"handle": handle, "name": name, **fields})


def _yaml(values: dict[str, Any]) -> str:
    return "".join(f"{key}: {value}\n" for key, value in values.items() if value is not None)
