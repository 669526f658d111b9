"""Validation: per-file problems with exact positions, cross-record checks, the pass-filenames
mode of the pre-commit hook, and the parse cache."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from declog.core import validate as validate_mod
from declog.core.validate import validate
from declog.storage import store as store_mod
from declog.storage.store import Log
from tests.factory import decision_yaml


def good_text(rid: str, title: str = "T") -> str:
    return decision_yaml(rid, title, context="Orders need transactions")


def write(repo: Path, rel: str, text: str) -> Path:
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def good(repo: Path, rid: str, extra: str = "", title: str = "T") -> str:
    rel = f"decisions/{rid}-t.yaml"
    write(repo, rel, good_text(rid, title) + extra)
    return rel


def owner(repo: Path, handle: str, extra: str = "") -> str:
    rel = f"decisions/owners/{handle}.yaml"
    write(repo, rel, f"handle: {handle}\nname: {handle.title()}\n{extra}")
    return rel


def problems(repo: Path, *paths: str) -> list[str]:
    report = validate(Log.open(repo), [repo / p for p in paths] or None)
    return [i.format() for i in report.issues]


def test_a_clean_log_has_no_problems(log_repo: Path) -> None:
    good(log_repo, "D-aaaaaa")
    report = validate(Log.open(log_repo))
    assert report.ok and report.checked == 2 and report.issues == []


def test_every_problem_of_a_hand_written_file_points_at_its_key(log_repo: Path) -> None:
    write(log_repo, "decisions/D-aaaaaa-bad.yaml", """\
# yaml-language-server: $schema=.schemas/decision.schema.json
id: D-aaaaaa
title: Bad one
status: done
owner: bob
door: two-way
colour: red
options:
  - title: A
    votes: 3
decided_on: 2026-02-30
""")
    found = problems(log_repo)
    path = "decisions/D-aaaaaa-bad.yaml"
    assert found[0] == f"{path}:2:1: context: required field is missing"  # missing: the mapping, after line 1
    assert found[1].startswith(f"{path}:4:1: status: Input should be 'proposed', 'accepted'")
    assert found[2] == f"{path}:5:1: owner: unknown owner 'bob': add it with `declog new owner bob --name ...`"
    assert found[3] == f"{path}:7:1: colour: unknown field (not part of a decision record; check the spelling)"
    assert found[4] == f"{path}:10:5: options.0.votes: unknown field (not part of a decision record; check the spelling)"
    assert found[5].startswith(f"{path}:11:1: decided_on: ")
    assert len(found) == 6


def test_lifecycle_problems_point_at_the_field_or_the_mapping(log_repo: Path) -> None:
    rel = good(log_repo, "D-aaaaaa", "decision: Postgres\n")
    write(log_repo, rel, (log_repo / rel).read_text().replace("status: proposed", "status: accepted"))
    assert problems(log_repo) == [
        f"{rel}:1:1: decided_on: an accepted decision needs `decided_on`",
        f"{rel}:1:1: rationale: an accepted decision needs `rationale`",
    ]


def test_a_one_way_door_with_one_option(log_repo: Path) -> None:
    rel = good(log_repo, "D-aaaaaa", "options:\n  - title: Only one\n")
    write(log_repo, rel, (log_repo / rel).read_text().replace("two-way", "one-way"))
    assert problems(log_repo) == [
        f"{rel}:1:1: expected_outcome: a one-way door needs an `expected_outcome`",
        f"{rel}:7:1: options: a one-way door needs at least two `options` weighed",
    ]


def test_an_id_of_the_wrong_kind(log_repo: Path) -> None:
    write(log_repo, "decisions/M-aaaaaa-t.yaml", good_text("M-aaaaaa", "T"))
    assert problems(log_repo) == [
        "decisions/M-aaaaaa-t.yaml:1:1: id: a decision ID starts with D- (this file is in the decision folder)"]


def test_duplicate_ids_across_two_files_are_reported_in_both(log_repo: Path) -> None:
    first = good(log_repo, "D-aaaaaa")
    second = write(log_repo, "decisions/sub/copy.yaml", good_text("D-aaaaaa", "Copy"))
    assert second.exists()
    assert problems(log_repo) == [
        f"{first}:1:1: id: duplicate ID D-aaaaaa: also used by decisions/sub/copy.yaml",
        f"decisions/sub/copy.yaml:1:1: id: duplicate ID D-aaaaaa: also used by {first}",
    ]


def test_references_that_do_not_resolve(log_repo: Path) -> None:
    rel = good(log_repo, "D-aaaaaa", """\
deciders:
  - alice
  - ghost
supersedes: [D-zzzzzz]
related:
  - D-yyyyyy
dissent:
  - who: nobody
    position: No
""")
    assert problems(log_repo) == [
        f"{rel}:9:5: deciders.1: unknown owner 'ghost': add it with `declog new owner ghost --name ...`",
        f"{rel}:10:14: supersedes.0: 'D-zzzzzz' does not resolve to any decision",
        f"{rel}:12:5: related.0: 'D-yyyyyy' does not resolve to any record",
        f"{rel}:14:5: dissent.0.who: unknown owner 'nobody': add it with `declog new owner nobody --name ...`",
    ]


def test_superseded_by_that_does_not_resolve(log_repo: Path) -> None:
    rel = good(log_repo, "D-aaaaaa", "superseded_by: D-zzzzzz\n")
    write(log_repo, rel, (log_repo / rel).read_text().replace("proposed", "superseded"))
    assert problems(log_repo) == [f"{rel}:7:1: superseded_by: 'D-zzzzzz' does not resolve to any decision"]


def test_an_owner_that_is_a_team_names_its_lead(log_repo: Path) -> None:
    owner(log_repo, "platform", "kind: team\nlead: alice\n")
    rel = good(log_repo, "D-aaaaaa")
    write(log_repo, rel, (log_repo / rel).read_text().replace("owner: alice", "owner: platform"))
    assert problems(log_repo) == [
        f"{rel}:4:1: owner: 'platform' is a team; a single person must own this (name its lead, alice)"]


def test_an_inactive_owner(log_repo: Path) -> None:
    owner(log_repo, "bob", "active: false\n")
    rel = good(log_repo, "D-aaaaaa")
    write(log_repo, rel, (log_repo / rel).read_text().replace("owner: alice", "owner: bob"))
    assert problems(log_repo) == [
        f"{rel}:4:1: owner: owner 'bob' is inactive: hand this record to an active person"]


def test_owner_records_are_cross_checked(log_repo: Path) -> None:
    bob = owner(log_repo, "bob", "team: nosuchteam\n")
    team = owner(log_repo, "platform", "kind: team\nlead: ghost\n")
    assert problems(log_repo) == [
        f"{bob}:3:1: team: 'nosuchteam' is not a team in this log",
        f"{team}:4:1: lead: unknown owner 'ghost': add it with `declog new owner ghost --name ...`",
    ]


def test_one_sided_supersede_links_are_reported_on_each_side(log_repo: Path) -> None:
    old = good(log_repo, "D-aaaaaa", "superseded_by: D-bbbbbb\n")
    write(log_repo, old, (log_repo / old).read_text().replace("proposed", "superseded"))
    new = good(log_repo, "D-bbbbbb")
    newer = good(log_repo, "D-cccccc", "supersedes:\n  - D-bbbbbb\n")
    assert problems(log_repo) == [
        f"{old}:7:1: superseded_by: one-sided link: D-bbbbbb does not list D-aaaaaa in `supersedes` "
        "(run `declog supersede D-aaaaaa D-bbbbbb`)",
        f"{newer}:8:5: supersedes.0: one-sided link: D-bbbbbb does not say `superseded_by: D-cccccc` "
        "(run `declog supersede D-bbbbbb D-cccccc`)",
    ]
    assert new not in "".join(problems(log_repo))


def test_a_supersede_cycle(log_repo: Path) -> None:
    link = "status: superseded\nsuperseded_by: {by}\nsupersedes: [{other}]\n"
    a = good(log_repo, "D-aaaaaa", link.format(by="D-bbbbbb", other="D-bbbbbb"))
    b = good(log_repo, "D-bbbbbb", link.format(by="D-aaaaaa", other="D-aaaaaa"))
    for rel in (a, b):
        write(log_repo, rel, (log_repo / rel).read_text().replace("status: proposed\n", ""))
    found = problems(log_repo)
    cycles = [p for p in found if "supersede cycle" in p]
    assert len(cycles) == 2
    assert cycles[0].startswith(f"{a}:8:1: supersedes: supersede cycle: D-aaaaaa → D-bbbbbb → D-aaaaaa")
    assert cycles[1].startswith(f"{b}:8:1: supersedes: supersede cycle: ")


def test_fields_required_by_the_repository(log_repo: Path) -> None:
    cfg = log_repo / ".declog.yaml"
    cfg.write_text(cfg.read_text().replace("required: {}", "required: {decision: [tags, review_by]}"))
    rel = good(log_repo, "D-aaaaaa", "tags: []\n")
    assert problems(log_repo) == [
        f"{rel}:1:1: review_by: required by this repository's configuration (.declog.yaml)",  # missing
        f"{rel}:7:1: tags: required by this repository's configuration (.declog.yaml)",  # empty
    ]
    write(log_repo, rel, good_text("D-aaaaaa", "T") + "tags: [db]\nreview_by: 2027-01-01\n")
    assert problems(log_repo) == []


def test_every_broken_file_is_reported(log_repo: Path) -> None:
    write(log_repo, "decisions/a.yaml", "id: [x\n")
    write(log_repo, "decisions/b.yaml", "- a list\n")
    (log_repo / "decisions" / "c.yaml").write_bytes(b"id: \x00\x01\x02")
    (log_repo / "decisions" / "d.yaml").write_bytes(b"title: caf\xe9\n")
    write(log_repo, "decisions/e.yaml", "")
    write(log_repo, "decisions/f.yaml", "a: &x 1\n")
    rel = good(log_repo, "D-aaaaaa", "colour: red\n")
    found = problems(log_repo)
    assert [p.split(":")[0] for p in found] == [
        rel, "decisions/a.yaml", "decisions/b.yaml", "decisions/c.yaml", "decisions/d.yaml", "decisions/e.yaml",
        "decisions/f.yaml"]
    assert found[1].startswith("decisions/a.yaml:2:1: malformed YAML: ")
    assert "binary content" in found[3] and "invalid UTF-8" in found[4] and "empty file" in found[5]


# -- through the CLI -------------------------------------------------------------------------

def test_cli_output_and_exit_codes(log_repo: Path, run) -> None:
    good(log_repo, "D-aaaaaa")
    res = run(log_repo, "validate")
    assert (res.exit_code, res.stdout) == (0, "")
    assert "ok: 2 records checked" in res.stderr
    rel = good(log_repo, "D-bbbbbb", "colour: red\n")
    res = run(log_repo, "validate")
    assert res.exit_code == 1
    assert res.stdout == f"{rel}:7:1: colour: unknown field (not part of a decision record; check the spelling)\n"
    assert "1 problem(s) in 3 records checked" in res.stderr


def test_cli_json_report(log_repo: Path, run) -> None:
    rel = good(log_repo, "D-bbbbbb", "colour: red\n")
    res = run(log_repo, "validate", "--format", "json")
    assert res.exit_code == 1
    assert json.loads(res.stdout) == {
        "ok": False, "checked": 2, "problem_count": 1,
        "problems": [{"path": rel, "line": 7, "column": 1, "field": "colour",
                      "message": "unknown field (not part of a decision record; check the spelling)",
                      "code": "unknown-field"}],
    }
    write(log_repo, rel, good_text("D-bbbbbb", "T"))
    res = run(log_repo, "validate", "--format", "json")
    assert res.exit_code == 0
    assert json.loads(res.stdout) == {"ok": True, "checked": 2, "problem_count": 0, "problems": []}


# -- pass-filenames mode (the pre-commit hook) -------------------------------------------------

def test_given_paths_still_see_the_whole_log(log_repo: Path, run) -> None:
    unrelated = good(log_repo, "D-aaaaaa", "colour: red\n")  # broken, but not part of this commit
    new = good(log_repo, "D-bbbbbb")
    write(log_repo, new, (log_repo / new).read_text().replace("owner: alice", "owner: ghost"))
    res = run(log_repo, "validate", new)
    assert res.exit_code == 1
    assert res.stdout == f"{new}:4:1: owner: unknown owner 'ghost': add it with `declog new owner ghost --name ...`\n"
    assert unrelated not in res.output
    assert "in 1 record checked" in res.stderr


def test_a_given_file_pointing_at_a_missing_record(log_repo: Path, run) -> None:
    good(log_repo, "D-aaaaaa", "colour: red\n")
    new = good(log_repo, "D-bbbbbb", "related: [D-zzzzzz]\nsupersedes: [D-aaaaaa]\n")
    found = problems(log_repo, new)
    assert found == [
        f"{new}:7:11: related.0: 'D-zzzzzz' does not resolve to any record",
        f"{new}:8:14: supersedes.0: one-sided link: D-aaaaaa does not say `superseded_by: D-bbbbbb` "
        "(run `declog supersede D-aaaaaa D-bbbbbb`)",
    ]


def test_problems_only_in_unrelated_files_are_not_reported(log_repo: Path, run) -> None:
    good(log_repo, "D-aaaaaa", "colour: red\nrelated: [D-zzzzzz]\n")
    fine = good(log_repo, "D-bbbbbb")
    res = run(log_repo, "validate", fine)
    assert (res.exit_code, res.stdout) == (0, "")


def test_a_given_file_is_told_about_records_that_point_at_it(log_repo: Path) -> None:
    owner_rel = owner(log_repo, "bob", "active: false\n")
    rel = good(log_repo, "D-aaaaaa")
    write(log_repo, rel, (log_repo / rel).read_text().replace("owner: alice", "owner: bob"))
    # committing only bob's record (he left) reports the decision he still owns
    assert problems(log_repo, owner_rel) == [
        f"{rel}:4:1: owner: owner 'bob' is inactive: hand this record to an active person"]


def test_paths_relative_to_a_subfolder(log_repo: Path, run) -> None:
    rel = good(log_repo, "D-aaaaaa", "colour: red\n")
    res = run(log_repo / "decisions", "validate", Path(rel).name)
    assert res.exit_code == 1
    # paths as seen from the current folder, as git prints them (issue 11, point 9)
    assert res.stdout.startswith(f"{Path(rel).name}:7:1: colour: ")
    assert run(log_repo, "validate").stdout.startswith(f"{rel}:7:1: colour: ")  # from the top: as before


# -- the parse cache -------------------------------------------------------------------------

def cache(repo: Path) -> Path:
    return repo / ".git" / "declog" / "parse-cache.sqlite"


def messy_log(repo: Path) -> None:
    good(repo, "D-aaaaaa", "colour: red\nrelated: [D-zzzzzz]\n")
    good(repo, "D-bbbbbb")
    write(repo, "decisions/broken.yaml", "id: [x\n")


def test_results_are_identical_with_and_without_the_cache(log_repo: Path) -> None:
    messy_log(log_repo)
    cold = problems(log_repo)
    assert cache(log_repo).is_file()
    warm = problems(log_repo)
    cache(log_repo).unlink()
    rebuilt = problems(log_repo)
    uncached = [i.format() for i in validate(Log.open(log_repo, use_cache=False)).issues]
    assert len(cold) == 3
    assert cold == warm == rebuilt == uncached


def test_a_warm_run_does_not_check_unchanged_files_again(log_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    messy_log(log_repo)
    cold = problems(log_repo)

    def no_checking(*args: object) -> None:
        raise AssertionError("an unchanged file was checked again")

    monkeypatch.setattr(validate_mod, "schema_problems", no_checking)
    assert problems(log_repo) == cold


def test_an_edited_file_is_checked_again(log_repo: Path) -> None:
    rel = good(log_repo, "D-aaaaaa", "colour: red\n")
    assert len(problems(log_repo)) == 1
    path = log_repo / rel
    st = path.stat()
    path.write_text(path.read_text().replace("colour: red", "title2: red"))  # same size
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert problems(log_repo) == [
        f"{rel}:7:1: title2: unknown field (not part of a decision record; check the spelling)"]
    path.write_text(good_text("D-aaaaaa", "T"))
    assert problems(log_repo) == []


def test_changing_the_configuration_invalidates_cached_results(log_repo: Path) -> None:
    rel = good(log_repo, "D-aaaaaa")
    assert problems(log_repo) == []
    cfg = log_repo / ".declog.yaml"
    cfg.write_text(cfg.read_text().replace("required: {}", "required: {decision: [tags]}"))
    assert problems(log_repo) == [f"{rel}:1:1: tags: required by this repository's configuration (.declog.yaml)"]


def test_cache_deleted_between_cli_runs(log_repo: Path, run) -> None:
    messy_log(log_repo)
    first = run(log_repo, "validate")
    cache(log_repo).unlink()
    second = run(log_repo, "validate")
    assert first.exit_code == second.exit_code == 1
    assert first.stdout == second.stdout and first.stdout.count("\n") == 3
    assert cache(log_repo).is_file()


def test_a_cold_whole_log_check_on_two_cores_finds_what_one_core_finds(log_repo: Path, run, forks: list[int],
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Log.parse_in_parallel, as validate runs it: a forked child reads and checks half the files of a cold log;
    the report, and the warm run after it, are those of the check on one core."""
    for i in range(12):
        good(log_repo, f"D-aaaa{i:02d}", "colour: red\n" if i % 5 == 0 else "")
    good(log_repo, "D-bbbb00", "related: [D-zzzzzz]\n")
    write(log_repo, "decisions/broken.yaml", "id: [x\n")
    owner(log_repo, "team-x", "kind: team\n")
    serial = run(log_repo, "validate", "--format", "json")
    import shutil
    shutil.rmtree(log_repo / ".git" / "declog")
    monkeypatch.setattr(store_mod, "PARALLEL_MIN_FILES", 4)
    cold = run(log_repo, "validate", "--format", "json")
    assert forks, "the cold whole-log check did not run on two cores"
    warm = run(log_repo, "validate", "--format", "json")
    assert serial.exit_code == cold.exit_code == warm.exit_code == 1
    assert json.loads(cold.stdout) == json.loads(serial.stdout) == json.loads(warm.stdout)
    found = json.loads(cold.stdout)["problems"]
    assert {p["code"] for p in found} >= {"unknown-field", "file", "reference"}


def test_the_hooks_forked_check_hands_its_parse_over_and_reports_as_one_core(
        log_repo: Path, run, forks: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    """The pre-commit hook on a big log (validate_mod._CheckInParallel): the forked child parses
    the changed files and hands the parse over at once, so this process parses none of them,
    then schema-checks them; the report is that of the check on one core."""
    for i in range(8):
        good(log_repo, f"D-cccc{i:02d}")
    assert run(log_repo, "validate").exit_code == 0  # a warm cache, as before any commit
    edited = [good(log_repo, "D-cccc01", "colour: red\n", title="Changed"), good(log_repo, "D-cccc02", title="Also")]
    serial = run(log_repo, "validate", "--format", "json", *edited)

    good(log_repo, "D-cccc01", "colour: blue\n", title="Changed again")  # new content: not cached yet
    good(log_repo, "D-cccc02", title="Also again")
    monkeypatch.setattr(validate_mod, "PARALLEL_MIN_RECORDS", 0)
    monkeypatch.setattr(validate_mod, "_pydantic_loaded", lambda: False)  # as in a fresh hook process
    here = os.getpid()
    real_parse = Log.parse_bytes

    def parse_bytes(self: Log, *args: object) -> object:
        if os.getpid() == here:
            raise AssertionError("the hook parsed a changed file the child had parsed")
        return real_parse(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(Log, "parse_bytes", parse_bytes)
    forked = validate(Log.open(log_repo), [log_repo / p for p in edited])
    assert forks, "the changed files were not checked in a forked child"
    monkeypatch.undo()
    assert [i.as_json() for i in forked.issues] == [
        i.as_json() for i in validate(Log.open(log_repo, use_cache=False), [log_repo / p for p in edited]).issues]
    assert {i.code for i in forked.issues} == {"unknown-field"}
    assert json.loads(serial.stdout)["problems"][0]["field"] == "colour"
