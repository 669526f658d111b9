"""declog edit: $EDITOR until the record is valid; an invalid record is never saved."""

from __future__ import annotations

from pathlib import Path

from tests.cli.helpers import FakeEditor, record_file, snapshot
from tests.conftest import new_decision


def test_an_invalid_edit_reopens_with_the_problems_then_saves_the_fix(log_repo: Path, run, tmp_path: Path) -> None:
    did = new_decision(run, log_repo)
    path = record_file(log_repo, did)
    original = path.read_text(encoding="utf-8")
    fixed = original.replace("status: proposed", "status: rejected") + "# rejected after the load test\n"
    editor = FakeEditor(tmp_path,
                        ("write", original.replace("status: proposed", "status: done") + "colour: red\n"),
                        ("write", fixed))
    res = run(log_repo, "edit", did[2:6], env=editor.env)
    assert res.exit_code == 0, res.output
    assert res.stdout == f"Saved {did}: {path.relative_to(log_repo).as_posix()}\n"
    assert path.read_text(encoding="utf-8") == fixed  # exactly what was written, comments and all
    first, second = editor.seen
    assert first == original
    shown = second.splitlines()
    header = [line for line in shown if line.startswith("# declog: ")]
    assert header[0].startswith("# declog: this record is not valid yet")
    assert header[1].startswith("# declog:   line 7, column 1: status: Input should be")
    assert header[2] == "# declog:   line 11, column 1: colour: unknown field (not part of a decision record; check the spelling)"
    assert (shown[6], shown[10]) == ("status: done", "colour: red")  # the lines named, in what the editor shows
    assert shown[len(header):] == (original.replace("status: proposed", "status: done") + "colour: red\n").splitlines()
    assert run(log_repo, "validate").exit_code == 0


def test_an_editor_that_keeps_writing_the_same_invalid_text_gives_up(log_repo: Path, run, tmp_path: Path) -> None:
    did = new_decision(run, log_repo)
    before = snapshot(log_repo)
    invalid = record_file(log_repo, did).read_text(encoding="utf-8").replace("door: two-way", "door: revolving")
    editor = FakeEditor(tmp_path, ("write", invalid))
    res = run(log_repo, "edit", did, env=editor.env)
    assert res.exit_code == 1
    assert res.stderr.startswith("declog: error: still not valid after editing, nothing was saved (your text is kept in ")
    assert "door: Input should be 'one-way' or 'two-way'" in res.stderr  # the one problem is named
    assert len(editor.seen) == 2
    assert snapshot(log_repo) == before
    assert "Traceback" not in res.output


def test_changing_the_id_is_refused(log_repo: Path, run, tmp_path: Path) -> None:
    did = new_decision(run, log_repo)
    before = snapshot(log_repo)
    renamed = record_file(log_repo, did).read_text(encoding="utf-8").replace(did, "D-000000")
    editor = FakeEditor(tmp_path, ("write", renamed))
    res = run(log_repo, "edit", did, env=editor.env)
    assert res.exit_code == 1
    assert f"the ID never changes (was {did})" in editor.seen[1]
    assert snapshot(log_repo) == before


def test_broken_yaml_in_the_editor_is_shown_back(log_repo: Path, run, tmp_path: Path) -> None:
    did = new_decision(run, log_repo)
    good = record_file(log_repo, did).read_text(encoding="utf-8").replace("Orders need", "Orders really need")
    editor = FakeEditor(tmp_path, ("write", "title: [unclosed\n"), ("write", good))
    res = run(log_repo, "edit", did, env=editor.env)
    assert res.exit_code == 0, res.output
    assert "malformed YAML" in editor.seen[1]
    assert record_file(log_repo, did).read_text(encoding="utf-8") == good


def test_leaving_it_unchanged_saves_nothing(log_repo: Path, run, tmp_path: Path) -> None:
    did = new_decision(run, log_repo)
    before = snapshot(log_repo)
    editor = FakeEditor(tmp_path, ("replace", []))
    res = run(log_repo, "edit", did, env=editor.env)
    assert res.exit_code == 2 and f"no changes saved to {did}" in res.stderr
    assert snapshot(log_repo) == before


def test_an_editor_that_fails(log_repo: Path, run) -> None:
    did = new_decision(run, log_repo)
    before = snapshot(log_repo)
    res = run(log_repo, "edit", did, env={"EDITOR": "false", "VISUAL": ""})
    assert res.exit_code == 1 and "Editing failed" in res.stderr and "Traceback" not in res.output
    assert snapshot(log_repo) == before


def test_edit_an_owner(log_repo: Path, run, tmp_path: Path) -> None:
    path = log_repo / "decisions" / "owners" / "alice.yaml"
    editor = FakeEditor(tmp_path, ("replace", [("name: Alice Example", "name: Alice Renamed")]))
    assert run(log_repo, "edit", "alice", env=editor.env).exit_code == 0
    assert "name: Alice Renamed\n" in path.read_text(encoding="utf-8")


def test_one_round_shows_schema_references_and_lifecycle_problems(log_repo: Path, run, tmp_path: Path) -> None:
    """An unknown field, an unknown owner and a one-way door's missing options and outcome: all
    in the first re-opened text, as `declog validate` would list them."""
    did = new_decision(run, log_repo)
    path = record_file(log_repo, did)
    original = path.read_text(encoding="utf-8")
    broken = (original.replace("owner: alice", "owner: zed").replace("door: two-way", "door: one-way")
              + "colour: red\n")
    editor = FakeEditor(tmp_path, ("write", broken), ("write", original.replace("Orders need", "Orders now need")))
    res = run(log_repo, "edit", did, env=editor.env)
    assert res.exit_code == 0, res.output
    header = "\n".join(line for line in editor.seen[1].splitlines() if line.startswith("# declog: "))
    assert "colour: unknown field" in header
    assert "owner: " in header and "zed" in header
    assert "a one-way door needs at least two `options` weighed" in header
    assert "a one-way door needs an `expected_outcome`" in header


def test_giving_up_keeps_the_refused_text_in_a_named_file(log_repo: Path, run, tmp_path: Path) -> None:
    did = new_decision(run, log_repo)
    invalid = record_file(log_repo, did).read_text(encoding="utf-8").replace("door: two-way", "door: revolving")
    invalid += "# a long comment I typed and do not want to lose\n"
    editor = FakeEditor(tmp_path, ("write", invalid))
    res = run(log_repo, "edit", did, env=editor.env)
    assert res.exit_code == 1
    prefix = "declog: error: still not valid after editing, nothing was saved (your text is kept in "
    assert res.stderr.startswith(prefix), res.stderr
    kept = res.stderr[len(prefix):].split(")", 1)[0]
    assert (log_repo / kept).read_text(encoding="utf-8") == invalid
    assert kept == f".git/declog/unsaved-{did}.yaml"


def test_a_missing_or_broken_editor_says_how_to_set_one(log_repo: Path, run, tmp_path: Path) -> None:
    did = new_decision(run, log_repo)
    res = run(log_repo, "edit", did, env={"EDITOR": str(tmp_path / "no-such-editor"), "VISUAL": ""})
    assert res.exit_code == 1
    assert res.stderr.rstrip().endswith("; set $EDITOR (or $VISUAL) to an editor that works, e.g. EDITOR=nano")
    res = run(log_repo, "edit", did, env={"EDITOR": "false", "VISUAL": ""})
    assert res.exit_code == 1 and "set $EDITOR (or $VISUAL)" in res.stderr
