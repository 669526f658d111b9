"""`declog import adr` on MADR 2-4 and log4brains folders."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import Result
from tests.importer.conftest import by_path, guessed, imported, show


def test_madr_options_outcome_and_deciders(madr_repo: Path, run: Callable[..., Result]) -> None:
    report = imported(run, madr_repo, "docs/adr", "--owner", "bob")
    files = by_path(report)
    assert files["docs/adr/adr-template.md"]["action"] == "skipped"
    madr = show(run, madr_repo, "ADR-1")
    assert madr["source"] == {"path": "docs/adr/0001-use-madr-for-decisions.md", "format": "madr", "number": 1,
                              "imported_on": madr["source"]["imported_on"],
                              "labels": {"context": "Context and Problem Statement", "decided_on": "date", "decision": "Decision Outcome",
                                         "rationale": "because"}}
    assert (madr["status"], madr["decided_on"]) == ("accepted", "2022-05-03")
    assert madr["rationale"] == "it is lean and gives options their pros and cons."
    # the outcome as written, its sub-section inside it as markdown
    assert madr["decision"] == ('Chosen option: "MADR 3.0.0", because it is lean and gives options their pros and '
                                "cons.\n\n### Consequences\n\n* Good, because options are compared\n"
                                "* Bad, because it is longer")
    assert madr["context"] == "We want to record decisions in a structured way."
    assert madr["sections"][0] == {"heading": "Decision Drivers", "text": "* Easy to write\n* Easy to review"}
    assert [s["heading"] for s in madr["sections"]] == [
        "Decision Drivers", "Considered Options", "Pros and Cons of the Options"]
    assert "* Neutral, because it is new" in madr["sections"][2]["text"]
    assert madr["options"] == [  # pros and cons as the ADR words them; no why_not it did not write
        {"title": "MADR 3.0.0", "pros": ["it is lean"], "cons": ["few tools read it"]},
        {"title": "Nygard", "pros": ["it is simple"], "cons": ["options are not listed"]},
        {"title": "Formless prose", "cons": ["nobody can find anything"]},
    ]
    assert "consequences" not in madr
    # deciders become handles; the first who is an owner of the log owns it; the others are created
    assert madr["deciders"] == ["alice-smith", "bob"] and madr["owner"] == "bob"
    assert madr["consulted"] == ["carol"]
    created = {o["handle"]: o["name"] for o in report["owners_created"]}
    assert created == {"alice-smith": "Alice Smith", "carol": "carol@example.com", "dan-brown": "Dan Brown"}
    assert not guessed(files["docs/adr/0001-use-madr-for-decisions.md"], "rationale")
    assert run(madr_repo, "validate").exit_code == 0


def test_madr2_without_front_matter_and_madr4(madr_repo: Path, run: Callable[..., Result]) -> None:
    files = by_path(imported(run, madr_repo, "docs/adr", "--owner", "bob"))
    junit, madr = show(run, madr_repo, "ADR-0002"), show(run, madr_repo, "ADR-0001")
    assert (junit["status"], junit["superseded_by"]) == ("superseded", madr["id"])
    assert madr["supersedes"] == [junit["id"]]
    assert junit["decided_on"] == "2019-03-04"  # 2019/03/04
    assert junit["deciders"] == ["dan-brown"] and junit["owner"] == "bob"
    assert guessed(files["docs/adr/0002-use-junit5.md"], "owner") == [
        "the ADR names no owner of this log; the default owner bob"]
    assert junit["context"] == "Technical Story: [ticket 42](https://example.com/42)\n\nHow do we test?"
    assert junit["decision"].endswith("### Positive Consequences\n\n* Fewer dependencies")
    otel = show(run, madr_repo, "ADR-3")
    assert (otel["status"], otel["deciders"], otel["owner"]) == ("proposed", ["bob"], "bob")
    assert "decided_on" not in otel
    assert [o["title"] for o in otel["options"]] == ["OpenTelemetry", "Vendor agent"]


def test_log4brains_folder(log4brains_repo: Path, run: Callable[..., Result]) -> None:
    report = imported(run, log4brains_repo, "docs/adr", "--owner", "thomas")
    files = by_path(report)
    assert {p: f["action"] for p, f in files.items() if f["action"] == "skipped"} == {
        "docs/adr/README.md": "skipped", "docs/adr/index.md": "skipped", "docs/adr/template.md": "skipped"}
    first = show(run, log4brains_repo, "adr-20200101-use-log4brains-to-manage-the-adrs")
    assert first["aliases"] == ["adr-20200101-use-log4brains-to-manage-the-adrs"]
    assert first["source"]["format"] == "log4brains" and "number" not in first["source"]
    assert (first["status"], first["decided_on"], first["tags"]) == ("accepted", "2020-01-01",
                                                                    ["imported", "dev-tools", "doc"])
    assert first["rationale"] == "it publishes a static site."
    assert first["deciders"] == ["thomas-vaillant"]
    draft = files["docs/adr/20200315-use-markdown-architectural-decision-records.md"]
    assert draft["status"] == "proposed"
    assert guessed(draft, "status") == ["'draft' read as proposed"]
    assert {o["handle"] for o in report["owners_created"]} == {"thomas-vaillant", "thomas"}
    assert not report["notes"]  # no numbers, so no gaps
    assert run(log4brains_repo, "validate").exit_code == 0
