"""`declog import adr` on an adr-tools (Nygard) folder with years of git history."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.cli.helpers import snapshot
from tests.conftest import Result, git
from tests.importer.conftest import by_path, guessed, imported, show

D = "docs/decisions/"


def test_every_adr_becomes_a_valid_decision_and_the_rest_is_reported(
        adr_tools_repo: Path, run: Callable[..., Result]) -> None:
    report = imported(run, adr_tools_repo, "docs/decisions", "--owner", "ann")
    files = by_path(report)
    assert report["written"] is True
    assert sorted(p for p, f in files.items() if f["action"] == "imported") == [
        D + "0001-record-architecture-decisions.md", D + "0002-use-postgres.md", D + "0003-use-kafka.md",
        D + "0005-use-cockroachdb.md", D + "0006-use-grpc.md", D + "0006-use-rest.md", D + "0007-use-terraform.md"]
    assert files[D + "README.md"]["action"] == "skipped"
    assert files[D + "template.md"]["action"] == "skipped"
    assert "template" in files[D + "template.md"]["reason"]
    assert report["owners_created"] == [
        {"handle": "ann", "name": "ann", "reason": "the default owner (--owner) had no owner record"}]
    assert any("no ADR 4" in n for n in report["notes"])
    assert any("ADR 6 is used by 2 files" in n for n in report["notes"])
    res = run(adr_tools_repo, "validate")
    assert res.exit_code == 0, res.output


def test_statuses_dates_and_supersede_links(adr_tools_repo: Path, run: Callable[..., Result]) -> None:
    files = by_path(imported(run, adr_tools_repo, "docs/decisions", "--owner", "ann"))
    old, new = show(run, adr_tools_repo, "ADR-2"), show(run, adr_tools_repo, "ADR-5")
    # "Superseded by [5. ...]" and "Supersedes [2. ...]": both sides of one link
    assert old["status"] == "superseded" and old["superseded_by"] == new["id"]
    assert new["supersedes"] == [old["id"]]
    # no Date: decided when git saw it accepted (Bob's commit), through the folder's rename
    assert old["decided_on"] == "2018-05-10"
    assert "the commit that made it accepted" in guessed(files[D + "0002-use-postgres.md"], "decided_on")[0]
    kafka = show(run, adr_tools_repo, "ADR-3")
    assert (kafka["status"], kafka["decided_on"]) == ("accepted", "2018-05-10")
    assert new["decided_on"] == "2019-03-03"  # "March 3, 2019"
    assert show(run, adr_tools_repo, "ADR-1")["decided_on"] == "2018-03-01"
    assert not guessed(files[D + "0001-record-architecture-decisions.md"], "decided_on")
    assert not guessed(files[D + "0003-use-kafka.md"], "status")  # "✅ Accepted" is plainly accepted
    # messy statuses are mapped and reported
    assert show(run, adr_tools_repo, files[D + "0006-use-grpc.md"]["id"])["status"] == "proposed"
    assert guessed(files[D + "0006-use-grpc.md"], "status") == ["'Pending review' read as proposed"]
    assert show(run, adr_tools_repo, files[D + "0006-use-rest.md"]["id"])["status"] == "accepted"
    terraform = show(run, adr_tools_repo, "ADR-7")
    assert (terraform["status"], terraform["decided_on"]) == ("accepted", "2019-03-04")
    terraform_file = files[D + "0007-use-terraform.md"]
    assert guessed(terraform_file, "status") == ["'Approved.' read as accepted"]
    assert "ambiguous" in guessed(terraform_file, "decided_on")[0]
    # no Context section and nothing else to stand in: the title, not a sentence the ADR lacks
    assert guessed(terraform_file, "context") and terraform["context"] == "Use Terraform"


def test_each_decision_keeps_its_alias_and_source(adr_tools_repo: Path, run: Callable[..., Result]) -> None:
    imported(run, adr_tools_repo, "docs/decisions", "--owner", "ann")
    record = show(run, adr_tools_repo, "adr-0001")
    assert record["aliases"] == ["ADR-0001"]
    assert record["source"]["path"] == D + "0001-record-architecture-decisions.md"
    assert (record["source"]["format"], record["source"]["number"]) == ("nygard", 1)
    assert record["owner"] == "ann" and record["door"] == "two-way" and record["tags"] == ["imported"]
    assert record["decision"].startswith("We will use Architecture Decision Records")
    assert "rationale" not in record  # the ADR gives none: no filler, and validate accepts it
    assert run(adr_tools_repo, "validate").exit_code == 0
    for query in ("ADR-1", "ADR-0001", "adr1", "ADR0001"):
        assert show(run, adr_tools_repo, query)["id"] == record["id"]


def test_a_duplicate_number_is_ambiguous_as_an_alias(adr_tools_repo: Path, run: Callable[..., Result]) -> None:
    files = by_path(imported(run, adr_tools_repo, "docs/decisions", "--owner", "ann"))
    res = run(adr_tools_repo, "show", "ADR-6")
    assert res.exit_code == 2
    assert "'ADR-6' is an alias of 2 records" in res.stderr
    assert files[D + "0006-use-grpc.md"]["id"] in res.stderr and files[D + "0006-use-rest.md"]["id"] in res.stderr


def test_why_puts_the_decision_an_alias_names_first(adr_tools_repo: Path, run: Callable[..., Result]) -> None:
    imported(run, adr_tools_repo, "docs/decisions", "--owner", "ann")
    kafka = show(run, adr_tools_repo, "ADR-3")["id"]
    res = run(adr_tools_repo, "why", "ADR-0003", "--format", "json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["results"][0]["id"] == kafka
    res = run(adr_tools_repo, "why", "adr-3")
    assert res.stdout.startswith(f"1. {kafka}  Use Kafka for events")


def test_dry_run_writes_nothing_and_says_what_would_happen(adr_tools_repo: Path, run: Callable[..., Result]) -> None:
    before = snapshot(adr_tools_repo)
    res = run(adr_tools_repo, "import", "adr", "docs/decisions", "--owner", "ann", "--dry-run")
    assert res.exit_code == 0, res.output
    assert snapshot(adr_tools_repo) == before
    assert res.stdout.startswith("Would import 7 ADR(s) from docs/decisions (0 already imported, 2 skipped, "
                                 "1 owner(s) to create).")
    assert f"  {D}0003-use-kafka.md → D-" in res.stdout
    assert "guessed status: 'Pending review' read as proposed" in res.stdout
    assert "Guessed for every imported ADR:\n  door: ADRs do not record reversibility; two-way" in res.stdout
    assert f"  {D}README.md: README.md is an index or a template, not a decision" in res.stdout
    assert res.stdout.rstrip().endswith("Dry run: nothing was written.")


def test_running_it_again_changes_nothing(adr_tools_repo: Path, run: Callable[..., Result]) -> None:
    first = by_path(imported(run, adr_tools_repo, "docs/decisions", "--owner", "ann"))
    before = snapshot(adr_tools_repo)
    again = imported(run, adr_tools_repo, "docs/decisions", "--owner", "ann")
    assert snapshot(adr_tools_repo) == before
    assert again["counts"]["imported"] == 0 and again["counts"]["already-imported"] == 7
    for path, entry in by_path(again).items():
        if entry["action"] == "already-imported":
            assert entry["id"] == first[path]["id"]


def test_an_invalid_record_means_nothing_is_written(adr_tools_repo: Path, run: Callable[..., Result]) -> None:
    config = adr_tools_repo / ".declog.yaml"
    config.write_text(config.read_text().replace("required: {}", "required:\n  decision: [review_by]"))
    before = snapshot(adr_tools_repo)
    res = run(adr_tools_repo, "import", "adr", "docs/decisions", "--owner", "ann")
    assert res.exit_code == 1
    assert snapshot(adr_tools_repo) == before
    assert "problem(s) in the records the import would write; nothing was written" in res.stderr
    assert f"{D}0001-record-architecture-decisions.md: review_by: required by this repository's configuration" \
        in res.stderr


def test_without_an_owner_it_asks_for_one(adr_tools_repo: Path, run: Callable[..., Result]) -> None:
    before = snapshot(adr_tools_repo)
    res = run(adr_tools_repo, "import", "adr", "docs/decisions")
    assert res.exit_code == 2
    assert "pass --owner HANDLE" in res.stderr
    assert snapshot(adr_tools_repo) == before
    res = run(adr_tools_repo, "import", "adr", "no/such/folder", "--owner", "ann")
    assert res.exit_code == 2 and "no such folder" in res.stderr


def test_the_default_owner_can_come_from_the_configuration(adr_tools_repo: Path, run: Callable[..., Result]) -> None:
    config = adr_tools_repo / ".declog.yaml"
    config.write_text(config.read_text() + "import_owner: cat\n")
    report = imported(run, adr_tools_repo, "docs/decisions")
    assert {o["handle"] for o in report["owners_created"]} == {"cat"}
    assert show(run, adr_tools_repo, "ADR-1")["owner"] == "cat"
    assert imported(run, adr_tools_repo, "docs/decisions/0001-record-architecture-decisions.md")["counts"][
        "already-imported"] == 1


def test_a_folder_moved_after_the_import_is_still_already_imported(
        adr_tools_repo: Path, run: Callable[..., Result]) -> None:
    imported(run, adr_tools_repo, "docs/decisions", "--owner", "ann")
    git(adr_tools_repo, "mv", "docs/decisions", "docs/adr")
    again = imported(run, adr_tools_repo, "docs/adr", "--owner", "ann")
    assert again["counts"]["imported"] == 0 and again["counts"]["already-imported"] == 7


def test_a_new_adr_that_supersedes_one_imported_before_links_both_sides(
        adr_tools_repo: Path, run: Callable[..., Result]) -> None:
    first = imported(run, adr_tools_repo, D + "0002-use-postgres.md", "--owner", "ann")
    (postgres,) = first["files"]
    assert postgres["status"] == "deprecated"  # its successor was not imported (yet)
    assert any("names no imported ADR" in n for n in first["notes"])
    text_before = (adr_tools_repo / postgres["record_path"]).read_text()
    later = imported(run, adr_tools_repo, "docs/decisions", "--owner", "ann")
    cockroach = by_path(later)[D + "0005-use-cockroachdb.md"]["id"]
    assert later["updated"] == [{"id": postgres["id"], "path": postgres["record_path"],
                                 "change": f"superseded by {cockroach} ({D}0005-use-cockroachdb.md)"}]
    old = show(run, adr_tools_repo, postgres["id"])
    assert (old["status"], old["superseded_by"]) == ("superseded", cockroach)
    assert show(run, adr_tools_repo, cockroach)["supersedes"] == [postgres["id"]]
    # only the two fields changed: the rest of the file is as it was
    text_after = (adr_tools_repo / postgres["record_path"]).read_text()
    assert text_after.replace("status: superseded", "status: deprecated").replace(
        f"superseded_by: {cockroach}\n", "") == text_before
    assert run(adr_tools_repo, "validate").exit_code == 0
