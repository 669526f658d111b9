"""declog list: filters and output formats."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.cli.helpers import load, record_file


@pytest.fixture
def three(log_repo: Path, run) -> dict[str, str]:
    """accepted A (alice, storage+db, 2026-01-10), proposed one-way B (bob, db), rejected C (alice, 2025-12-01)."""
    assert run(log_repo, "new", "owner", "bob", "--name", "Bob").exit_code == 0

    def make(title: str, *args: str) -> str:
        res = run(log_repo, "new", "decision", title, "--context", "c", "--format", "json", *args)
        assert res.exit_code == 0, res.output
        return str(json.loads(res.stdout)["id"])

    return {
        "A": make("Use Postgres", "--owner", "alice", "--door", "two-way", "--status", "accepted", "--decision", "d",
                  "--rationale", "r", "--decided-on", "2026-01-10", "--tag", "storage", "--tag", "db"),
        "B": make("Adopt Kafka", "--owner", "bob", "--door", "one-way", "--option", "Kafka", "--option", "SQS: no replay",
                  "--expected-outcome", "replays", "--tag", "db"),
        "C": make("Use Mongo", "--owner", "alice", "--door", "two-way", "--status", "rejected",
                  "--decided-on", "2025-12-01"),
    }


def ids(run, repo: Path, *args: str) -> list[str]:
    res = run(repo, "list", "--format", "ids", *args)
    return res.stdout.split()


def test_everything_newest_decided_first(log_repo: Path, run, three: dict[str, str]) -> None:
    assert ids(run, log_repo) == [three["A"], three["C"], three["B"]]


FILTERS: list[tuple[tuple[str, ...], str]] = [
    (("--status", "accepted"), "A"),
    (("--status", "accepted", "--status", "rejected"), "AC"),
    (("--owner", "bob"), "B"),
    (("--owner", "alice"), "AC"),
    (("--tag", "db"), "AB"),
    (("--tag", "db", "--tag", "storage"), "A"),
    (("--door", "one-way"), "B"),
    (("--door", "two-way"), "AC"),
    (("--since", "2026-01-01"), "A"),
    (("--since", "2025-12-01"), "AC"),
    (("--owner", "alice", "--tag", "db", "--status", "accepted"), "A"),
]


def test_filters(log_repo: Path, run, three: dict[str, str]) -> None:
    for args, expected in FILTERS:  # one log for all of them: building it is the slow part
        assert sorted(ids(run, log_repo, *args)) == sorted(three[k] for k in expected), args


def test_nothing_matches_exits_1(log_repo: Path, run, three: dict[str, str]) -> None:
    res = run(log_repo, "list", "--status", "deprecated")
    assert res.exit_code == 1 and "no records match" in res.stderr
    res = run(log_repo, "list", "--tag", "nosuchtag", "--format", "json")
    assert res.exit_code == 1 and json.loads(res.stdout) == []


def test_an_empty_log_lists_nothing(log_repo: Path, run) -> None:
    assert run(log_repo, "list").exit_code == 1


def test_json_records_carry_id_kind_path_and_fields(log_repo: Path, run, three: dict[str, str]) -> None:
    res = run(log_repo, "list", "--format", "json")
    assert res.exit_code == 0
    body = json.loads(res.stdout)
    assert [r["id"] for r in body] == [three["A"], three["C"], three["B"]]
    for record in body:
        path = record_file(log_repo, record["id"])
        assert record["kind"] == "decision"
        assert record["path"] == path.relative_to(log_repo).as_posix()
        assert {k: v for k, v in record.items() if k not in ("kind", "path")} == load(log_repo, record["id"])
    assert body[0]["decided_on"] == "2026-01-10" and body[0]["tags"] == ["storage", "db"]


def test_csv(log_repo: Path, run, three: dict[str, str]) -> None:
    res = run(log_repo, "list", "--format", "csv", "--owner", "alice")
    rows = list(csv.reader(io.StringIO(res.stdout)))
    assert rows == [
        ["id", "status", "door", "owner", "decided_on", "title"],
        [three["A"], "accepted", "two-way", "alice", "2026-01-10", "Use Postgres"],
        [three["C"], "rejected", "two-way", "alice", "2025-12-01", "Use Mongo"],
    ]


def test_markdown(log_repo: Path, run, three: dict[str, str]) -> None:
    res = run(log_repo, "list", "--format", "markdown", "--status", "proposed")
    assert res.stdout.splitlines() == [
        "| id | status | door | owner | decided_on | title |",
        "|---|---|---|---|---|---|",
        f"| {three['B']} | proposed | one-way | bob |  | Adopt Kafka |",
    ]


def test_table(log_repo: Path, run, three: dict[str, str]) -> None:
    res = run(log_repo, "list")
    lines = res.stdout.splitlines()
    assert lines[0].split() == ["id", "status", "door", "owner", "decided_on", "title"]
    assert set(lines[1]) <= {"-", " "}
    assert lines[2].split() == [three["A"], "accepted", "two-way", "alice", "2026-01-10", "Use", "Postgres"]
    assert len(lines) == 5


def test_owners_and_everything(log_repo: Path, run, three: dict[str, str]) -> None:
    assert run(log_repo, "new", "owner", "platform", "--kind", "team", "--name", "Platform",
               "--lead", "alice").exit_code == 0
    res = run(log_repo, "list", "owners", "--format", "csv")
    rows = list(csv.reader(io.StringIO(res.stdout)))
    assert rows[0] == ["id", "kind", "name", "team", "active"]
    kinds = {r[0]: r[1] for r in rows[1:]}
    assert kinds["platform"] == "team" and "owner" not in kinds.values()  # the owner's kind, not the record's
    assert ids(run, log_repo, "owner") == ["alice", "bob", "platform"]
    everything = json.loads(run(log_repo, "list", "all", "--format", "json").stdout)
    assert sorted((r["kind"], r["id"]) for r in everything) == sorted(
        [("decision", i) for i in three.values()] + [("owner", h) for h in ("alice", "bob", "platform")])
    mixed = list(csv.reader(io.StringIO(run(log_repo, "list", "all", "--format", "csv").stdout)))
    assert mixed[0] == ["id", "kind", "status", "owner", "title"]


def test_broken_records_are_left_out_of_lists(log_repo: Path, run, three: dict[str, str]) -> None:
    (log_repo / "decisions" / "broken.yaml").write_text("id: [x\n", encoding="utf-8")
    assert sorted(ids(run, log_repo)) == sorted(three.values())


def test_list_all_shows_each_owners_name(log_repo: Path, run, three: dict[str, str]) -> None:
    """The mixed table's title column holds an owner's name (its title field), not nothing."""
    res = run(log_repo, "list", "all")
    assert res.exit_code == 0, res.output
    rows = {line.split()[0]: line for line in res.stdout.splitlines()[2:]}
    assert rows["alice"].split()[1:] == ["owner", "Alice", "Example"]
    assert rows["bob"].split()[1:] == ["owner", "Bob"]
    assert rows[three["A"]].split()[1:] == ["decision", "accepted", "alice", "Use", "Postgres"]
    mixed = list(csv.reader(io.StringIO(run(log_repo, "list", "all", "--format", "csv").stdout)))
    assert ["alice", "owner", "", "", "Alice Example"] in mixed


def test_ties_break_by_id_in_every_format(log_repo: Path, run, tmp_path: Path) -> None:
    """Decisions decided on the same day (or not yet) come in ID order, whatever the order
    they were written in, in every format and at an earlier commit."""
    from tests.conftest import git

    made = ["D-zz0001", "D-aa0001", "D-mm0001", "D-yy0002", "D-bb0002"]
    for rid in made:
        dated = rid.endswith("1")
        body = (f"id: {rid}\ntitle: Decision {rid}\nowner: alice\ndoor: two-way\ncontext: c\n"
                + ("status: accepted\ndecision: d\nrationale: r\ndecided_on: 2026-03-02\n" if dated else ""))
        (tmp_path / "in.yaml").write_text(body, encoding="utf-8")
        assert run(log_repo, "new", "decision", "--from-file", str(tmp_path / "in.yaml")).exit_code == 0
    expected = ["D-aa0001", "D-mm0001", "D-zz0001", "D-bb0002", "D-yy0002"]  # dated first, then undated
    git(log_repo, "add", "-A")
    git(log_repo, "commit", "-qm", "decisions")
    for args in ((), ("--at", "HEAD")):
        assert ids(run, log_repo, *args) == expected
        assert [r["id"] for r in json.loads(run(log_repo, "list", "--format", "json", *args).stdout)] == expected
        assert [r[0] for r in csv.reader(io.StringIO(run(log_repo, "list", "--format", "csv", *args).stdout))][1:] \
            == expected
        table = run(log_repo, "list", *args).stdout.splitlines()[2:]
        assert [line.split()[0] for line in table] == expected
        markdown = run(log_repo, "list", "--format", "markdown", *args).stdout.splitlines()[2:]
        assert [line.split("|")[1].strip() for line in markdown] == expected
