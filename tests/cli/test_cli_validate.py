"""declog validate: the command (the checks themselves are in tests/test_validate.py)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import git, new_decision


def test_a_fresh_log_is_valid(log_repo: Path, run) -> None:
    new_decision(run, log_repo)
    res = run(log_repo, "validate")
    assert (res.exit_code, res.stdout, res.stderr) == (0, "", "ok: 2 records checked\n")


def test_problems_are_listed_one_per_line_and_exit_1(log_repo: Path, run) -> None:
    did = new_decision(run, log_repo)
    (path,) = (log_repo / "decisions").glob(f"{did}-*.yaml")
    path.write_text(path.read_text().replace("owner: alice", "owner: ghost") + "colour: red\n")
    (log_repo / "decisions" / "broken.yaml").write_text("title: [x\n")
    res = run(log_repo, "validate")
    assert res.exit_code == 1
    rel = path.relative_to(log_repo).as_posix()
    lines = res.stdout.splitlines()
    assert lines == [
        f"{rel}:5:1: owner: unknown owner 'ghost': add it with `declog new owner ghost --name ...`",
        f"{rel}:8:1: colour: unknown field (not part of a decision record; check the spelling)",
        lines[2],
    ]
    assert lines[2].startswith("decisions/broken.yaml:2:1: malformed YAML: ")
    assert res.stderr == "3 problem(s) in 3 records checked\n"
    body = json.loads(run(log_repo, "validate", "--format", "json").stdout)
    assert [(p["path"], p["line"], p["column"], p["field"], p["code"]) for p in body["problems"]] == [
        (rel, 5, 1, "owner", "reference"), (rel, 8, 1, "colour", "unknown-field"),
        ("decisions/broken.yaml", 2, 1, "", "file")]


def test_validate_only_some_paths(log_repo: Path, run) -> None:
    good = new_decision(run, log_repo, "Good")
    (log_repo / "decisions" / "broken.yaml").write_text("title: [x\n")
    (path,) = (log_repo / "decisions").glob(f"{good}-*.yaml")
    res = run(log_repo, "validate", str(path))
    assert (res.exit_code, res.stdout) == (0, "")
    assert res.stderr == "ok: 1 record checked\n"
    res = run(log_repo, "validate", "decisions/broken.yaml", str(path))
    assert res.exit_code == 1 and res.stdout.startswith("decisions/broken.yaml:2:1:")


def test_a_path_that_does_not_exist_is_a_usage_error(log_repo: Path, run) -> None:
    res = run(log_repo, "validate", "decisions/D-typo00-nope.yaml")
    assert res.exit_code == 2
    assert "decisions/D-typo00-nope.yaml: no such file" in res.stderr


def test_files_in_the_mechanisms_folder_are_checked_as_mechanisms(log_repo: Path, run) -> None:
    (log_repo / "decisions" / "mechanisms" / "M-abc123-weekly-review.yaml").write_text(
        "id: M-abc123\nname: Weekly review\n", encoding="utf-8")
    res = run(log_repo, "validate")
    assert res.exit_code == 1, res.output
    assert "decisions/mechanisms/M-abc123-weekly-review.yaml:1:1: owner: required field is missing" in res.output
    assert "decision record" not in res.output


def test_tracked_leaves_out_files_git_does_not_track(log_repo: Path, run) -> None:
    git(log_repo, "add", "-A")
    git(log_repo, "commit", "-qm", "log with alice")
    (log_repo / "decisions" / "owners" / "carol.yaml").write_text("handle: carol\nname: Carol\n", encoding="utf-8")
    res = run(log_repo, "new", "decision", "Carol's call", "--owner", "carol", "--door", "two-way",
              "--context", "c", "--format", "json")
    assert res.exit_code == 0, res.output
    path = json.loads(res.stdout)["path"]
    git(log_repo, "add", path)  # the decision is staged, carol's file is not
    assert run(log_repo, "validate").exit_code == 0  # the working tree is consistent
    res = run(log_repo, "validate", "--tracked", path)
    assert res.exit_code == 1
    assert f"{path}:5:1: owner: unknown owner 'carol'" in res.stdout


def test_tracked_files_are_the_merged_entries_of_the_index(log_repo: Path, run) -> None:
    from declog.history.git import Git

    rid = new_decision(run, log_repo, "Use Postgres for orders")
    git(log_repo, "add", "-A")
    git(log_repo, "commit", "-qm", "one decision")
    path = next((log_repo / "decisions").glob(f"{rid}-*.yaml"))
    for branch, word in (("left", "Postgres"), ("right", "MySQL")):
        git(log_repo, "checkout", "-q", "-b", branch, "main" if branch == "left" else "left~1")
        path.write_text(path.read_text(encoding="utf-8").replace("Use Postgres", f"Use {word} now"), encoding="utf-8")
        git(log_repo, "commit", "-qam", word)
    git(log_repo, "checkout", "-q", "left")
    proc = subprocess.run(["git", "merge", "-q", "right"], cwd=log_repo, capture_output=True, text=True)
    assert proc.returncode != 0  # a conflict: the record has stages 1 to 3, none at 0
    files = Git(log_repo).index_files_later("decisions")()
    listed = set(files.blobs)
    assert listed == set(Git(log_repo).index_entries("decisions"))
    assert not files.vouched  # nor are the files taken from the index: the log is walked
    assert path.relative_to(log_repo).as_posix() not in listed and "decisions/owners/alice.yaml" in listed


def test_a_path_given_that_is_no_record_of_the_log_is_named_not_skipped_silently(log_repo: Path, run) -> None:
    (log_repo / "README.md").write_text("# notes\n", encoding="utf-8")
    res = run(log_repo, "validate", "README.md")
    assert (res.exit_code, res.stdout) == (0, "")
    assert res.stderr == ("declog: warning: README.md: not checked: not a record file of the log (decisions/, "
                          ".yaml or .yml)\nok: 0 records checked\n")
    draft = log_repo / "decisions" / "D-aaaa00-draft.yaml"  # a record file, but git does not track it
    draft.write_text("id: D-aaaa00\ntitle: Draft\n", encoding="utf-8")
    res = run(log_repo, "validate", "--tracked", "decisions/D-aaaa00-draft.yaml", "--format", "json")
    assert res.exit_code == 0 and json.loads(res.stdout)["checked"] == 0
    assert res.stderr == ("declog: warning: decisions/D-aaaa00-draft.yaml: not checked: git does not track it "
                          "(--tracked checks what git tracks)\n")
