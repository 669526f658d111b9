"""Aliases resolve wherever an ID does: case-insensitive, numbers with or without zeros."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from declog.domain.ids import alias_key
from tests.cli.helpers import record_file
from tests.conftest import Result, new_decision


def _alias(repo: Path, rid: str, *aliases: str) -> None:
    path = record_file(repo, rid)
    path.write_text(path.read_text() + "aliases: [" + ", ".join(aliases) + "]\n")


def test_alias_keys() -> None:
    assert alias_key("ADR-15") == alias_key("adr-0015") == alias_key("ADR0015") == "adr-15"
    assert alias_key("adr-20200101-use-x") == "adr-20200101-use-x"


def test_show_by_alias_and_ambiguity(log_repo: Path, run: Callable[..., Result]) -> None:
    one = new_decision(run, log_repo, "Use Postgres")
    two = new_decision(run, log_repo, "Use Kafka")
    _alias(log_repo, one, "ADR-0015")
    assert run(log_repo, "show", "adr-15").stdout.startswith(f"{one}  Use Postgres")
    assert run(log_repo, "set", "ADR-15", "tags+=db").exit_code == 0
    _alias(log_repo, two, "ADR-015")
    res = run(log_repo, "show", "ADR-15")
    assert res.exit_code == 2
    assert "'ADR-15' is an alias of 2 records: " in res.stderr
    assert one in res.stderr and two in res.stderr
    res = run(log_repo, "show", "ADR-16")
    assert res.exit_code == 1  # not found, as for an unknown ID


def test_an_exact_id_wins_over_an_alias(log_repo: Path, run: Callable[..., Result]) -> None:
    one = new_decision(run, log_repo, "Use Postgres")
    two = new_decision(run, log_repo, "Use Kafka")
    _alias(log_repo, two, one)
    assert run(log_repo, "show", one).stdout.startswith(f"{one}  Use Postgres")
