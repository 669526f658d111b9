"""``declog export json``: a line of JSON per record, the stable record shape plus what git knows."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.conftest import git
from tests.export.conftest import ExportLog
from tests.history.conftest import commit

COMMIT_KEYS = ["commit", "author", "email", "date", "subject"]


def lines(stdout: str) -> list[dict[str, Any]]:
    assert stdout.endswith("\n")
    return [json.loads(line) for line in stdout.splitlines()]


def check_commit(value: Any) -> None:
    assert list(value) == COMMIT_KEYS
    assert re.fullmatch(r"[0-9a-f]{40}", value["commit"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", value["date"])
    assert all(isinstance(value[k], str) and value[k] for k in ("author", "email", "subject"))


def test_every_line_is_a_record_with_its_git_object(export_log: ExportLog, run) -> None:
    res = run(export_log.repo, "export", "json", "--out", "-")
    assert res.exit_code == 0, res.output
    assert res.stderr == ""
    records = lines(res.stdout)
    assert len(records) == 11  # 6 decisions, 2 owners, a mechanism, its inspection and a correction
    for body in records:
        assert list(body)[:3] == ["id", "kind", "path"]
        git_facts = body["git"]
        expected = ["created", "last_changed", "changes", "uncommitted"]
        if body["kind"] == "decision":
            expected += ["decided", "ended", "linked_commits"]
        assert list(git_facts) == expected, body["id"]
        check_commit(git_facts["created"])
        check_commit(git_facts["last_changed"])
        assert git_facts["changes"] >= 1 and git_facts["uncommitted"] is False
        if body["kind"] == "decision":
            for linked in git_facts["linked_commits"]:
                check_commit(linked)
            if body["status"] in ("accepted", "superseded"):
                check_commit(git_facts["decided"])
            else:
                assert git_facts["decided"] is None
    # the record part is exactly what `declog list all --format json` gives: the stable shape
    listed = json.loads(run(export_log.repo, "list", "all", "--format", "json").stdout)
    assert [{k: v for k, v in body.items() if k != "git"} for body in records] == sorted(listed, key=lambda b: b["path"])


def test_git_facts_of_a_superseded_decision(export_log: ExportLog, run) -> None:
    log = export_log
    by_id = {body["id"]: body for body in lines(run(log.repo, "export", "json", "--out", "-").stdout)}
    pg = by_id[log.pg]["git"]
    assert pg["created"]["commit"] == log.commits["record"] and pg["created"]["author"] == "Alice Example"
    assert pg["decided"] == {"commit": log.commits["accept"], "author": "Bob Builder", "email": "bob@example.com",
                             "date": "2026-02-01T10:00:00Z", "subject": "Accept the orders database decision"}
    assert pg["last_changed"]["author"] == "Carol Chen"
    assert pg["changes"] == 3
    assert pg["ended"] is not None and (pg["ended"]["status"], pg["ended"]["author"]) == ("superseded", "Carol Chen")
    assert [c["commit"] for c in pg["linked_commits"]] == [log.commits["accept"]]
    crdb = by_id[log.cockroach]["git"]
    assert [(c["author"], c["subject"]) for c in crdb["linked_commits"]] == [("Dave Doe", "Connect orders to CockroachDB")]
    assert by_id[log.cockroach]["supersedes"] == [log.pg]
    assert by_id[log.adr]["aliases"] == ["ADR-0007"]
    assert by_id[log.adr]["source"]["path"] == "doc/adr/0007-record-architecture-decisions.md"
    assert "decided" not in by_id["alice"]["git"]  # trailers link decisions, not owners


def test_uncommitted_changes_and_new_records(export_log: ExportLog, run) -> None:
    log = export_log
    assert run(log.repo, "set", log.kafka, "tags+=events").exit_code == 0
    res = run(log.repo, "new", "decision", "Not committed yet", "--owner", "bob", "--door", "two-way",
              "--context", "c", "--format", "json")
    fresh = json.loads(res.stdout)["id"]
    by_id = {body["id"]: body for body in lines(run(log.repo, "export", "json", "--out", "-").stdout)}
    assert by_id[log.kafka]["git"]["uncommitted"] is True
    assert by_id[log.kafka]["tags"] == ["events"]
    assert by_id[log.pg]["git"]["uncommitted"] is False
    assert by_id[fresh]["git"] == {"created": None, "last_changed": None, "changes": 0, "uncommitted": True,
                                   "decided": None, "ended": None, "linked_commits": []}


def test_out_dir_writes_records_jsonl_atomically(export_log: ExportLog, run, tmp_path: Path) -> None:
    out = tmp_path / "build" / "log"
    res = run(export_log.repo, "export", "json", "--out", str(out))
    assert res.exit_code == 0, res.output
    assert res.stdout == f"wrote 11 record(s) to {out / 'records.jsonl'}\n"
    assert sorted(p.name for p in out.iterdir()) == [".declog-export", "records.jsonl"]
    stdout = run(export_log.repo, "export", "json", "--out", "-").stdout
    assert (out / "records.jsonl").read_text(encoding="utf-8") == stdout
    # again into the same folder: allowed (it is marked), and a markdown export can share it
    assert run(export_log.repo, "export", "json", "--out", str(out)).exit_code == 0
    assert run(export_log.repo, "export", "markdown", "--out", str(out)).exit_code == 0
    assert json.loads((out / ".declog-export").read_text(encoding="utf-8"))["formats"]["json"] == ["records.jsonl"]
    assert (out / "records.jsonl").is_file() and (out / "index.md").is_file()


def test_json_refuses_a_foreign_folder(export_log: ExportLog, run, tmp_path: Path) -> None:
    out = tmp_path / "data"
    out.mkdir()
    (out / "keep.txt").write_text("mine", encoding="utf-8")
    res = run(export_log.repo, "export", "json", "--out", str(out))
    assert res.exit_code == 2 and "was not written by declog export" in res.stderr
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]


def test_a_log_without_commits_exports_with_empty_git_facts(log_repo: Path, run) -> None:
    assert git(log_repo, "rev-list", "--all") == ""
    (body,) = lines(run(log_repo, "export", "json", "--out", "-").stdout)
    assert body["id"] == "alice"
    assert body["git"] == {"created": None, "last_changed": None, "changes": 0, "uncommitted": True}
    commit(log_repo, "First", "2026-01-01T00:00:00Z")
    (body,) = lines(run(log_repo, "export", "json", "--out", "-").stdout)
    assert body["git"]["changes"] == 1 and body["git"]["uncommitted"] is False


def test_an_unreadable_record_is_left_out_and_exits_1(export_log: ExportLog, run) -> None:
    (export_log.repo / "decisions" / "D-zzzzzz-broken.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    res = run(export_log.repo, "export", "json", "--out", "-")
    assert res.exit_code == 1
    assert res.stderr.startswith("declog: skipped decisions/D-zzzzzz-broken.yaml:")
    assert len(lines(res.stdout)) == 11
