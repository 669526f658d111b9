"""Several declog processes changing one log at once lose nothing and corrupt nothing.

``declog set`` reads a record, validates the change and writes it back: two of them at once
used to lose one of the two changes (eight ``set ID tags+=tN`` at once kept one tag). Writes now
take turns under ``.git/declog/write.lock`` and a ``set`` whose file changed meanwhile applies
its assignments to the newer version (``store.Log.write_lock``, ``edit.set_fields``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from declog.core import edit
from declog.errors import UsageError
from declog.storage import store
from tests.conftest import new_decision
from tests.safety.conftest import assert_no_crash, declog, finish, spawn


def _ids(repo: Path) -> list[str]:
    res = declog(repo, "list", "--format", "ids")
    assert res.exit_code == 0, res.output
    return res.stdout.split()


def _data(repo: Path, rid: str) -> dict:
    res = declog(repo, "show", rid, "--format", "json")
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_many_processes_creating_and_setting_at_once(log_repo: Path, run) -> None:
    a = new_decision(run, log_repo, "Shared record")
    b = new_decision(run, log_repo, "Another record")
    procs = []
    for i in range(4):
        procs.append(spawn(log_repo, "new", "decision", f"Parallel {i}", "--owner", "alice", "--door", "two-way",
                           "--context", "c", "--no-input", "--format", "json"))
        procs.append(spawn(log_repo, "set", a, f"tags+=t{i}"))
    procs.append(spawn(log_repo, "set", a, "consequences=shared consequences"))
    procs.append(spawn(log_repo, "set", b, "context=changed at the same time"))
    results = finish(procs)
    for res in results:
        assert_no_crash(res)
        assert res.exit_code == 0, res.output
    created = [json.loads(r.stdout)["id"] for r in results if r.stdout.startswith("{")]
    assert len(created) == 4 and len(set(created)) == 4
    ids = _ids(log_repo)
    assert len(ids) == len(set(ids)) == 6 and set(created) <= set(ids)
    shared = _data(log_repo, a)
    assert sorted(shared["tags"]) == ["t0", "t1", "t2", "t3"]  # no lost update
    assert shared["consequences"] == "shared consequences"
    assert _data(log_repo, b)["context"] == "changed at the same time"
    res = declog(log_repo, "validate")
    assert res.exit_code == 0 and "ok: 7 records checked" in res.stderr, res.output
    assert not list(log_repo.rglob(f"{store.TEMP_PREFIX}*"))
    assert not (log_repo / "decisions" / ".gitkeep").exists()


def test_the_same_handle_created_twice_at_once(log_repo: Path) -> None:
    results = finish([spawn(log_repo, "new", "owner", "bob", "--name", f"Bob {i}") for i in range(4)])
    for res in results:
        assert_no_crash(res)
    ok = [r for r in results if r.exit_code == 0]
    assert len(ok) == 1, [r.output for r in results]
    for res in results:
        if res.exit_code != 0:
            assert res.exit_code == 2 and res.stderr.startswith("declog: error: ")
            assert "already exists" in res.stderr or "was taken by another declog process" in res.stderr, res.stderr
    assert declog(log_repo, "validate").exit_code == 0


# -- what each process does when another one wrote first (in process, deterministic) ---------------


def _rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_set_applies_its_change_to_the_version_another_process_wrote(log_repo: Path, run) -> None:
    did = new_decision(run, log_repo)
    log = store.Log.open(log_repo)
    record = log.resolve(did)
    changes = edit.parse_assignments(record.kind, record.data or {}, ["tags+=mine", "consequences=ours"])
    path = log.abs(record.path)
    _rewrite(path, "context: Orders need transactions", "context: theirs\ntags:\n  - theirs")  # meanwhile
    edit.set_fields(log, record, changes)
    data = _data(log_repo, did)
    assert data["context"] == "theirs" and data["tags"] == ["theirs", "mine"] and data["consequences"] == "ours"


def test_accepting_does_not_overwrite_a_decided_on_written_meanwhile(log_repo: Path, run) -> None:
    did = new_decision(run, log_repo)
    log = store.Log.open(log_repo)
    record = log.resolve(did)
    changes = edit.parse_assignments(record.kind, record.data or {}, ["decision=Postgres", "rationale=why"])
    changes["decided_on"] = edit.today()  # what `declog set … status=accepted` adds
    path = log.abs(record.path)
    _rewrite(path, "context: Orders need transactions", "context: c\ndecided_on: 2020-01-02")
    edit.set_fields(log, record, changes)
    assert _data(log_repo, did)["decided_on"] == "2020-01-02"


def test_edit_refuses_to_overwrite_a_change_made_while_the_editor_was_open(log_repo: Path, run) -> None:
    did = new_decision(run, log_repo)
    log = store.Log.open(log_repo)
    record = log.resolve(did)
    mine = log.text_of(record).replace("Orders need transactions", "my edit")
    path = log.abs(record.path)
    _rewrite(path, "Orders need transactions", "their edit")
    with pytest.raises(UsageError, match="changed on disk while it was open in the editor") as err:
        edit.replace_text(log, record, mine)
    assert "their edit" in path.read_text()
    kept = Path(str(err.value).rsplit("Your version is in ", 1)[1])
    assert kept.read_text() == mine and ".git" in kept.parts


def test_supersede_refuses_when_a_file_changed_meanwhile(log_repo: Path, run) -> None:
    old_id = new_decision(run, log_repo, "Old way")
    new_id = new_decision(run, log_repo, "New way")
    log = store.Log.open(log_repo)
    old, new = log.resolve(old_id), log.resolve(new_id)
    _rewrite(log.abs(old.path), "Orders need transactions", "changed meanwhile")
    before = {p: p.read_bytes() for p in (log_repo / "decisions").glob("D-*.yaml")}
    with pytest.raises(UsageError, match="changed on disk while declog was working on it"):
        edit.supersede(log, old, new)
    assert {p: p.read_bytes() for p in before} == before


def test_a_write_waits_for_the_lock_then_says_so_clearly(log_repo: Path, run, monkeypatch) -> None:
    import fcntl

    did = new_decision(run, log_repo)
    lock = log_repo / ".git" / "declog" / "write.lock"
    lock.parent.mkdir(exist_ok=True)
    with open(lock, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # another declog process, stuck in the middle of a write
        monkeypatch.setattr(store, "LOCK_TIMEOUT_SECONDS", 0.3)
        res = run(log_repo, "set", did, "context=x")
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert res.stderr.startswith("declog: error: another declog process has been changing this log"), res.stderr
    assert "Orders need transactions" in next((log_repo / "decisions").glob(f"{did}-*.yaml")).read_text()
    assert run(log_repo, "set", did, "context=x").exit_code == 0  # the lock went with its holder
