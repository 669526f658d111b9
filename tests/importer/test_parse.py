"""declog.adr.parse: markdown ADRs read as text, one format at a time and the messy cases."""

from __future__ import annotations

import pytest

from declog.adr.parse import normalize_date, normalize_status, parse
from tests.importer.conftest import LOG4BRAINS, MADR2, MADR3, nygard


@pytest.mark.parametrize(("raw", "expected"), [
    ("Accepted", ("accepted", False)),
    ("ACCEPTED.", ("accepted", False)),
    ("✅ Accepted", ("accepted", False)),
    ("**Rejected**", ("rejected", False)),
    ("Accepted on 2019-03-04", ("accepted", False)),
    ("Superseded by [ADR 15](0015-x.md)", ("superseded", False)),
    ("superseded by ADR-0005", ("superseded", False)),
    ("Deprecated", ("deprecated", False)),
    ("Approved", ("accepted", True)),
    ("Pending review", ("proposed", True)),
    ("Draft", ("proposed", True)),
    ("Partly superseded", ("accepted", True)),
    ("Amended by [3. Use X](0003-use-x.md)", ("accepted", True)),
    ("Withdrawn", ("rejected", True)),
    ("Obsolete", ("deprecated", True)),
    ("", (None, False)),
    ("Banana", (None, False)),
])
def test_statuses_in_free_text(raw: str, expected: tuple[str | None, bool]) -> None:
    assert normalize_status(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("2018-03-01", ("2018-03-01", False)),
    ("2019/03/04", ("2019-03-04", False)),
    ("March 3, 2019", ("2019-03-03", False)),
    ("3rd March 2019", ("2019-03-03", False)),
    ("13/04/2019", ("2019-04-13", False)),  # day first: 13 is no month
    ("03/04/2019", ("2019-03-04", True)),  # ambiguous: month first, a guess
    ("04.03.2019", ("2019-03-04", False)),  # dotted: day first
    ("2019-02-30", (None, False)),
    ("soon", (None, False)),
])
def test_dates_as_people_write_them(raw: str, expected: tuple[str | None, bool]) -> None:
    assert normalize_date(raw) == expected


def test_nygard() -> None:
    adr = parse(nygard(2, "Use Postgres", "Superseded by [5. Use Cockroach](0005-use-cockroach.md)",
                       date="2018-03-01", extra_status="Amends [1. Record](0001-record.md)"),
                "doc/adr/0002-use-postgres.md")
    assert (adr.format, adr.number, adr.title, adr.status, adr.date) == (
        "nygard", 2, "Use Postgres", "superseded", "2018-03-01")
    assert adr.status_raw == "Superseded by [5. Use Cockroach](0005-use-cockroach.md)"
    assert [(link.relation, link.target, link.number) for link in adr.links] == [
        ("superseded_by", "0005-use-cockroach.md", 5), ("amends", "0001-record.md", 1)]
    assert (adr.context, adr.decision, adr.consequences) == ("Why not.", "We will.", "Some follow.")
    assert adr.is_adr


def test_madr3_front_matter_and_options() -> None:
    adr = parse(MADR3, "0001-use-madr-for-decisions.md")
    assert (adr.format, adr.number, adr.status, adr.date) == ("madr", 1, "accepted", "2022-05-03")
    assert adr.deciders == ("Alice Smith", "bob") and adr.consulted == ("carol@example.com",)
    assert adr.chosen_option == "MADR 3.0.0"
    assert [(o.title, o.pros, o.cons) for o in adr.options] == [
        ("MADR 3.0.0", ("it is lean",), ("few tools read it",)),
        ("Nygard", ("it is simple",), ("options are not listed",)),
        ("Formless prose", (), ("nobody can find anything",)),
    ]


def test_madr2_bullets() -> None:
    adr = parse(MADR2, "0002-use-junit5.md")
    assert (adr.format, adr.number, adr.status, adr.date, adr.deciders) == (
        "madr", 2, "superseded", "2019-03-04", ("Dan Brown",))
    assert [(link.relation, link.number) for link in adr.links] == [("superseded_by", 1)]


def test_log4brains() -> None:
    adr = parse(LOG4BRAINS.format(status="accepted", date="2020-01-01"), "20200101-use-log4brains.md")
    assert (adr.format, adr.number, adr.status, adr.date, adr.filename_date) == (
        "log4brains", None, "accepted", "2020-01-01", "2020-01-01")
    assert adr.tags == ("dev-tools", "doc") and adr.rationale == "it publishes a static site."


@pytest.mark.parametrize(("name", "text"), [
    ("README.md", "# Decisions\n\n## Status\n\nAccepted\n"),
    ("index.md", "# Knowledge base\n"),
    ("template.md", nygard(0, "Title", "Accepted")),
    ("notes.md", "Some notes without a heading.\n"),
])
def test_what_is_not_an_adr(name: str, text: str) -> None:
    adr = parse(text, name)
    assert not adr.is_adr and adr.skip_reason


def test_headings_inside_code_blocks_do_not_count() -> None:
    text = nygard(4, "Use X", "Accepted", context="Example:\n\n```\n## Decision\nnot this\n```")
    assert parse(text, "0004-use-x.md").decision == "We will."


def test_windows_line_endings_and_bold_field_lines() -> None:
    text = "\ufeff# ADR 12: Use Redis\r\n\r\n**Status:** Accepted\r\n**Date:** 2021-06-01\r\n\r\n## Context\r\n\r\nCaching.\r\n"
    adr = parse(text, "adr-12.md")
    assert (adr.number, adr.title, adr.status, adr.date, adr.context) == (
        12, "Use Redis", "accepted", "2021-06-01", "Caching.")
