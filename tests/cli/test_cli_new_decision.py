"""declog new decision: flags per field, prompts on a terminal, $EDITOR, --from-file."""

from __future__ import annotations

import datetime as dt
import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from declog.core import edit
from tests.cli.helpers import FakeEditor, load, record_file, snapshot

BASICS = ("--owner", "alice", "--door", "two-way", "--context", "Orders need transactions")


def create(run, repo: Path, *args: str) -> dict:
    res = run(repo, "new", "decision", *args, "--format", "json")
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_flags_for_every_field(log_repo: Path, run) -> None:
    other = create(run, log_repo, "Pick a region", *BASICS)["id"]
    body = create(
        run, log_repo, "Use Postgres for orders", *BASICS,
        "--status", "accepted", "--decision", "Postgres 16", "--rationale", "Transactions matter most",
        "--option", "Postgres", "--option", "DynamoDB: no multi-item transactions",
        "--consequences", "We run a database", "--expected-outcome", "No lost orders",
        "--decided-on", "2026-03-02", "--review-by", "2026-09-01",
        "--tag", "storage", "--tag", "orders", "--scope", "src/orders/**", "--scope", "migrations/*.sql",
        "--related", other, "--narrative", "docs/prfaq.md",
    )
    rid = body["id"]
    path = record_file(log_repo, rid)
    assert body["path"] == path.relative_to(log_repo).as_posix() == f"decisions/{rid}-use-postgres-for-orders.yaml"
    assert body["kind"] == "decision"
    assert load(log_repo, rid) == {
        "id": rid, "title": "Use Postgres for orders", "status": "accepted", "owner": "alice", "door": "two-way",
        "context": "Orders need transactions", "decision": "Postgres 16", "rationale": "Transactions matter most",
        "options": [{"title": "Postgres"}, {"title": "DynamoDB", "why_not": "no multi-item transactions"}],
        "consequences": "We run a database", "decided_on": "2026-03-02", "expected_outcome": "No lost orders",
        "review_by": "2026-09-01", "related": [other], "tags": ["storage", "orders"],
        "scope": ["src/orders/**", "migrations/*.sql"], "narrative": "docs/prfaq.md",
    }
    assert run(log_repo, "validate").exit_code == 0


def test_text_output_and_the_schema_modeline(log_repo: Path, run) -> None:
    res = run(log_repo, "new", "decision", "Use Postgres", *BASICS)
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("Created decision D-") and res.stdout.rstrip().endswith("-use-postgres.yaml")
    rid = res.stdout.split()[2].rstrip(":")
    path = record_file(log_repo, rid)
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=.schemas/decision.schema.json"
    schema_file = (path.parent / first.split("$schema=", 1)[1]).resolve()
    assert schema_file.is_file() and json.loads(schema_file.read_text())["$id"].endswith("decision.schema.json")


def test_the_modeline_resolves_from_another_root(repo: Path, run) -> None:
    assert run(repo, "init", "--root", "docs/adr").exit_code == 0
    assert run(repo, "new", "owner", "alice", "--name", "A").exit_code == 0
    body = create(run, repo, "T", *BASICS)
    path = repo / body["path"]
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert (path.parent / first.split("$schema=", 1)[1]).resolve() == (
        repo / "docs" / "adr" / ".schemas" / "decision.schema.json").resolve()


def test_accepted_gets_todays_date(log_repo: Path, run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(edit, "today", lambda: dt.date(2026, 4, 1))
    body = create(run, log_repo, "T", *BASICS, "--status", "accepted", "--decision", "d", "--rationale", "r")
    assert body["decided_on"] == "2026-04-01"


def test_owner_by_prefix_and_unique_ids(log_repo: Path, run) -> None:
    made = {create(run, log_repo, f"Decision {n}", "--owner", "ali", "--door", "two-way",
                   "--context", "c")["id"] for n in range(5)}
    assert len(made) == 5
    assert {load(log_repo, rid)["owner"] for rid in made} == {"alice"}


def test_supersedes_links_both_sides(log_repo: Path, run) -> None:
    old = create(run, log_repo, "Use MySQL", *BASICS)["id"]
    new = create(run, log_repo, "Use Postgres", *BASICS, "--supersedes", old[2:5])
    assert new["supersedes"] == [old]
    assert load(log_repo, old)["superseded_by"] == new["id"]
    assert load(log_repo, old)["status"] == "superseded"
    assert run(log_repo, "validate").exit_code == 0
    res = run(log_repo, "new", "decision", "Use SQLite", *BASICS, "--supersedes", old)
    assert res.exit_code == 2 and f"{old} is already superseded by {new['id']}" in res.stderr


def test_a_refused_supersede_leaves_no_new_record(log_repo: Path, run) -> None:
    old = create(run, log_repo, "Use MySQL", *BASICS)["id"]
    path = record_file(log_repo, old)
    path.write_text(path.read_text(encoding="utf-8") + "colour: red\n", encoding="utf-8")  # old is invalid
    before = snapshot(log_repo)
    res = run(log_repo, "new", "decision", "Use Postgres", *BASICS, "--supersedes", old)
    assert res.exit_code == 1 and f"{old} is not valid: colour: unknown field" in res.stderr
    assert snapshot(log_repo) == before


def test_no_input_names_every_missing_field(log_repo: Path, run) -> None:
    before = snapshot(log_repo)
    res = run(log_repo, "new", "decision", "--no-input")
    assert res.exit_code == 2
    assert "missing required field(s): title, owner, door, context;" in res.stderr
    assert "pass TITLE, --owner, --door, --context" in res.stderr
    res = run(log_repo, "new", "decision", "T", "--owner", "alice", "--door", "one-way", "--status", "accepted",
              "--no-input")
    assert res.exit_code == 2
    assert "missing required field(s): context, decision, rationale, options, expected_outcome;" in res.stderr
    res = run(log_repo, "new", "decision", "T", *BASICS, "--door", "one-way", "--option", "Only one",
              "--expected-outcome", "x", "--no-input")
    assert res.exit_code == 2 and "missing required field(s): options;" in res.stderr
    assert "--option (at least two)" in res.stderr
    assert snapshot(log_repo) == before


def test_without_a_terminal_missing_fields_fail_too(log_repo: Path, run) -> None:
    res = run(log_repo, "new", "decision", "T", "--owner", "alice", input="two-way\nctx\n")
    assert res.exit_code == 2 and "missing required field(s): door, context" in res.stderr


def test_fields_required_by_the_repository(log_repo: Path, run) -> None:
    cfg = log_repo / ".declog.yaml"
    cfg.write_text(cfg.read_text().replace("required: {}", "required: {decision: [tags, review_by]}"))
    res = run(log_repo, "new", "decision", "T", *BASICS, "--no-input")
    assert res.exit_code == 2 and "missing required field(s): tags, review_by; pass --tag, --review-by" in res.stderr
    assert create(run, log_repo, "T", *BASICS, "--tag", "x", "--review-by", "2027-01-01")["tags"] == ["x"]


def test_invalid_values_are_refused_before_writing(log_repo: Path, run) -> None:
    before = snapshot(log_repo)
    for extra, words in ((("--tag", "two words"),), "tags.0"), ((("--owner", "ghost"),), "no owner 'ghost': add one with `declog new owner ghost"):
        res = run(log_repo, "new", "decision", "T", *BASICS, *[a for pair in extra for a in pair])
        assert res.exit_code in (1, 2) and words in res.stderr, res.output
    assert snapshot(log_repo) == before


def test_a_team_cannot_own_a_decision(log_repo: Path, run) -> None:
    assert run(log_repo, "new", "owner", "platform", "--kind", "team", "--name", "P", "--lead", "alice").exit_code == 0
    res = run(log_repo, "new", "decision", "T", "--owner", "platform", "--door", "two-way", "--context", "c")
    assert res.exit_code == 1 and "'platform' is a team" in res.stderr and "alice" in res.stderr


def test_from_file(log_repo: Path, run, tmp_path: Path) -> None:
    draft = tmp_path / "draft.yaml"
    draft.write_text("# a draft\ntitle: From a file\nowner: alice\ndoor: two-way\ncontext: |\n  Line one\n"
                     "  Line two\ntags: [imported]\n", encoding="utf-8")
    body = create(run, log_repo, "--from-file", str(draft), "--tag", "extra")
    assert body["title"] == "From a file"
    assert body["context"] == "Line one\nLine two\n"
    assert body["tags"] == ["imported", "extra"]
    assert body["status"] == "proposed"
    text = record_file(log_repo, body["id"]).read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=") and "context: |\n  Line one\n  Line two\n" in text


def test_from_file_with_a_taken_id(log_repo: Path, run, tmp_path: Path) -> None:
    rid = create(run, log_repo, "First", *BASICS)["id"]
    draft = tmp_path / "draft.yaml"
    draft.write_text(record_file(log_repo, rid).read_text(encoding="utf-8"), encoding="utf-8")
    res = run(log_repo, "new", "decision", "--from-file", str(draft))
    assert res.exit_code == 2 and f"ID {rid} is already taken" in res.stderr


def test_edit_opens_the_draft_in_the_editor(log_repo: Path, run, tmp_path: Path) -> None:
    editor = FakeEditor(tmp_path, ("replace", [("context:   # required", "context: Written in the editor")]))
    res = run(log_repo, "new", "decision", "Edited", "--owner", "alice", "--door", "two-way", "--edit",
              "--format", "json", env=editor.env)
    assert res.exit_code == 0, res.output
    body = json.loads(res.stdout)
    assert body["context"] == "Written in the editor"
    (draft,) = editor.seen
    assert f"id: {body['id']}\ntitle: Edited\n" in draft and "context:   # required\n" in draft
    assert record_file(log_repo, body["id"]).read_text(encoding="utf-8").startswith("# yaml-language-server: ")


def test_edit_reopens_an_invalid_draft_with_its_problems(log_repo: Path, run, tmp_path: Path) -> None:
    editor = FakeEditor(tmp_path, ("replace", [("context:   # required", "context: ok\ncolour: red")]),
                        ("replace", [("colour: red\n", "")]))
    res = run(log_repo, "new", "decision", "Edited", "--owner", "alice", "--door", "two-way", "--edit", env=editor.env)
    assert res.exit_code == 0, res.output
    first, second = editor.seen
    assert second.startswith("# declog: this record is not valid yet")
    assert "colour: unknown field" in second
    assert "colour" not in record_file(log_repo, res.stdout.split()[2].rstrip(":")).read_text(encoding="utf-8")


def test_edit_left_unchanged_records_nothing(log_repo: Path, run, tmp_path: Path) -> None:
    editor = FakeEditor(tmp_path, ("replace", []))
    before = snapshot(log_repo)
    res = run(log_repo, "new", "decision", "Edited", "--owner", "alice", "--door", "two-way", "--edit", env=editor.env)
    assert res.exit_code == 2 and "no decision recorded" in res.stderr
    assert snapshot(log_repo) == before


# -- prompts on a real terminal --------------------------------------------------------------

def declog_command() -> list[str]:
    script = Path(sys.executable).parent / "declog"
    return [str(script)] if script.exists() else [sys.executable, "-m", "declog"]


def converse(repo: Path, args: list[str], answers: list[tuple[str, str]], timeout: float = 20.0) -> tuple[int, str]:
    """Run declog on a pseudo-terminal, answering each prompt as it appears."""
    pty = pytest.importorskip("pty")
    try:
        leader, follower = pty.openpty()
    except OSError:
        pytest.skip("no pseudo-terminal available")
    proc = subprocess.Popen([*declog_command(), "-C", str(repo), *args], stdin=follower, stdout=follower,
                            stderr=follower, close_fds=True, env={**os.environ, "TERM": "dumb"})
    os.close(follower)
    transcript = b""
    pending = list(answers)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(leader, 4096)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                transcript += chunk
            while pending and pending[0][0].encode() in transcript.split(b"\n")[-1]:
                prompt, answer = pending.pop(0)
                os.write(leader, answer.encode() + b"\n")
                transcript += b"\n"
            if proc.poll() is not None and not ready:
                break
        code = proc.wait(timeout=5)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(leader)
    assert not pending, f"never asked {pending}: {transcript.decode(errors='replace')}"
    return code, transcript.decode(errors="replace")


def test_prompts_for_missing_fields_on_a_terminal(log_repo: Path) -> None:
    code, transcript = converse(log_repo, ["new", "decision", "Prompted decision"], [
        ("Owner (handle of one active person) [alice]", ""),
        ("Door", "two-way"),
        ("Context", "Asked on a terminal"),
    ])
    assert code == 0, transcript
    assert "Created decision D-" in transcript
    (path,) = (log_repo / "decisions").glob("D-*-prompted-decision.yaml")
    text = path.read_text(encoding="utf-8")
    assert "owner: alice\ndoor: two-way\ncontext: Asked on a terminal\n" in text


def test_a_one_way_door_chosen_at_the_prompt_asks_for_what_it_needs(log_repo: Path) -> None:
    code, transcript = converse(log_repo, ["new", "decision", "Big bet", "--owner", "alice", "--context", "c"], [
        ("Door", "one-way"),
        ("Option 1 weighed", "Kafka"),
        ("Option 2 weighed", "SQS: no replay"),
        ("Expected outcome", "Replays work"),
    ])
    assert code == 0, transcript
    (path,) = (log_repo / "decisions").glob("D-*-big-bet.yaml")
    text = path.read_text(encoding="utf-8")
    assert "options:\n  - title: Kafka\n  - title: SQS\n    why_not: no replay\n" in text
    assert "expected_outcome: Replays work\n" in text


def test_no_input_never_prompts_even_on_a_terminal(log_repo: Path) -> None:
    code, transcript = converse(log_repo, ["new", "decision", "Quiet", "--no-input"], [])
    assert code == 2
    assert "missing required field(s): owner, door, context" in transcript
    assert "Owner (handle)" not in transcript
