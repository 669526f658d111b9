"""A warm ``declog why`` reads its answers from the parse cache's snapshot in place
(``declog.storage.stateview``): the same answers as a cold run, no read of the whole log, and
never stale."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli.helpers import record_file
from tests.conftest import Result, git, new_decision


@pytest.fixture
def chained_log(log_repo: Path, run: Callable[..., Result], monkeypatch: Any) -> dict[str, str]:
    """Three decisions on the orders database, the first replaced by the second, the third with
    an alias; committed, and trusted at once (no racy window)."""
    monkeypatch.setattr("declog.storage.store.RACY_NS", 0)
    old = new_decision(run, log_repo, "Use MySQL for the orders database")
    new = new_decision(run, log_repo, "Use Postgres for the orders database")
    other = new_decision(run, log_repo, "Keep a read replica of the orders database")
    for i in range(4):
        new_decision(run, log_repo, f"Use Kafka for event stream {i}")
    assert run(log_repo, "supersede", old, new).exit_code == 0
    assert run(log_repo, "set", other, "aliases=[ADR-0007]").exit_code == 0
    git(log_repo, "add", "-A")
    git(log_repo, "commit", "-qm", "decisions")
    return {"old": old, "new": new, "other": other}


def _why(run: Callable[..., Result], repo: Path, *query: str) -> list[dict[str, Any]]:
    res = run(repo, "why", *query, "--format", "json")
    assert res.exit_code == 0, res.output
    return list(json.loads(res.stdout)["results"])


def _cold(run: Callable[..., Result], repo: Path, *query: str) -> list[dict[str, Any]]:
    saved = repo.parent / "saved-cache"
    shutil.rmtree(saved, ignore_errors=True)
    shutil.copytree(repo / ".git" / "declog", saved)
    shutil.rmtree(repo / ".git" / "declog")
    try:
        return _why(run, repo, *query)
    finally:
        shutil.rmtree(repo / ".git" / "declog")
        shutil.copytree(saved, repo / ".git" / "declog")


def _unscored(answers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in a.items() if k != "score"} for a in answers]


def _synced_state(repo: Path) -> str | None:
    conn = sqlite3.connect(repo / ".git" / "declog" / "search.sqlite")
    try:
        row = conn.execute("select value from meta where key = 'state'").fetchone()
    finally:
        conn.close()
    return None if row is None else str(row[0])


def test_a_warm_why_reads_only_its_answers_and_answers_as_a_cold_one(
        chained_log: dict[str, str], log_repo: Path, run: Callable[..., Result], monkeypatch: Any) -> None:
    from declog.core.answers import answers
    from declog.storage.store import Log

    first = _why(run, log_repo, "orders", "database")  # reads the log, keeps its state with the index
    state = Log.open(log_repo).state()
    assert state is not None and _synced_state(log_repo) == state[0]

    def whole_log(self: Log) -> list[Any]:
        raise AssertionError("a warm why read every record")

    with monkeypatch.context() as patched:
        patched.setattr(Log, "light_records", whole_log)
        found = answers(Log.open(log_repo), "orders database")
        aliased = answers(Log.open(log_repo), "ADR-7")
    assert [a.as_json() for a in found] == first
    assert [a.record.id for a in aliased][:1] == [chained_log["other"]]  # the alias, from the snapshot's keys

    warm = _why(run, log_repo, "orders", "database")
    assert warm == first == _cold(run, log_repo, "orders", "database")
    by_id = {a["id"]: a for a in warm}
    # the supersede chain both ways, read through the snapshot's links
    assert [s["id"] for s in by_id[chained_log["old"]]["superseded_by"]] == [chained_log["new"]]
    assert [s["id"] for s in by_id[chained_log["new"]]["supersedes"]] == [chained_log["old"]]
    assert [a["id"] for a in warm].index(chained_log["new"]) < [a["id"] for a in warm].index(chained_log["old"])


def test_a_warm_why_sees_every_edit(chained_log: dict[str, str], log_repo: Path, run: Callable[..., Result]) -> None:
    _why(run, log_repo, "orders", "database")
    _why(run, log_repo, "orders", "database")
    path = record_file(log_repo, chained_log["other"])
    path.write_text(path.read_text(encoding="utf-8").replace("read replica", "hot standby"), encoding="utf-8")
    edited = _why(run, log_repo, "orders", "database")
    assert {a["id"]: a["title"] for a in edited}[chained_log["other"]] == "Keep a hot standby of the orders database"
    # the same answers as a cold run; BM25's figures differ, as the index still holds the old
    # version of the edited record (SearchIndex.sync forgets old versions only now and then)
    assert _unscored(edited) == _unscored(_why(run, log_repo, "orders", "database")) \
        == _unscored(_cold(run, log_repo, "orders", "database"))
    assert _why(run, log_repo, "standby")[0]["id"] == chained_log["other"]

    added = new_decision(run, log_repo, "Shard the orders database by region")
    assert _why(run, log_repo, "shard", "region")[0]["id"] == added
    record_file(log_repo, added).unlink()
    assert run(log_repo, "why", "shard", "region").exit_code == 1  # gone: never answered from the index


def test_a_view_whose_snapshot_was_replaced_says_so_and_why_reads_the_log(
        chained_log: dict[str, str], log_repo: Path, run: Callable[..., Result]) -> None:
    from declog.core.answers import answers
    from declog.storage.stateview import StaleView
    from declog.storage.store import Log

    expected = _why(run, log_repo, "orders", "database")
    log = Log.open(log_repo)
    view = log.view()
    assert view is not None
    assert {r.id for r in view.chained({chained_log["new"]})} == {chained_log["new"], chained_log["old"]}
    conn = sqlite3.connect(log_repo / ".git" / "declog" / "parse-cache.sqlite")
    with conn:  # another process saved a snapshot of another state meanwhile
        conn.execute("update snapshot set state = 'another' where key = 'light'")
    conn.close()
    with pytest.raises(StaleView):
        view.with_ids({chained_log["new"]})
    assert [a.as_json() for a in answers(log, "orders database")] == expected


def test_derived_rows_are_the_alias_keys_and_the_supersede_links_read_from_either_side() -> None:
    from declog.storage.stateview import derived_rows

    rows = [
        ["decisions/a.yaml", "decision", "o1", json.dumps({"data": {"id": "D-aaaaaa", "aliases": ["ADR-0015", "adr-15"],
                                                                    "supersedes": ["D-bbbbbb", "D-aaaaaa"]}}), "D-aaaaaa"],
        ["decisions/b.yaml", "decision", "o2", json.dumps({"data": {"id": "D-cccccc", "superseded_by": "D-dddddd"}}),
         "D-cccccc"],
        ["decisions/c.yaml", "decision", "o3", json.dumps({"error": ["broken", 1, 1]}), None],
        ["owners/x.yaml", "owner", "o4", json.dumps({"data": {"handle": "x", "supersedes": ["D-eeeeee"]}}), "x"],
    ]
    aliases, links = derived_rows(rows)
    assert aliases == [("adr-15", 0)]  # one key per record, however it is spelled
    assert links == [("D-aaaaaa", "D-bbbbbb", 0), ("D-dddddd", "D-cccccc", 1)]  # no self-link; decisions only
    assert derived_rows(rows[1:2], [7]) == ([], [("D-dddddd", "D-cccccc", 7)])  # a row at another position


def test_a_warm_blame_reads_the_decisions_its_trailers_and_scopes_name_and_blames_as_a_cold_one(
        chained_log: dict[str, str], log_repo: Path, run: Callable[..., Result], monkeypatch: Any) -> None:
    from declog.core.blame import blame_path
    from declog.storage.store import Log

    assert run(log_repo, "set", chained_log["old"], "scope=[src/orders/**]").exit_code == 0
    code = log_repo / "src" / "orders" / "db.py"
    code.parent.mkdir(parents=True)
    code.write_text("connect()\n", encoding="utf-8")
    git(log_repo, "add", "-A")
    git(log_repo, "commit", "-qm", f"Connect to the orders database\n\nDecision: {chained_log['new']}")

    def blamed() -> Result:
        res = run(log_repo, "blame", "src/orders/db.py", "--format", "json")
        assert res.exit_code == 0, res.output
        return res

    cold = blamed()
    warm = blamed()  # the snapshot of this state is there now
    assert warm.stdout == cold.stdout
    found = {d["id"]: [r["via"] for r in d["reasons"]] for d in json.loads(warm.stdout)["decisions"]}
    assert found == {chained_log["new"]: ["trailer"], chained_log["old"]: ["scope"]}

    def whole_log(self: Log) -> list[Any]:
        raise AssertionError("a warm blame of one file read every record")

    with monkeypatch.context() as patched:
        patched.setattr(Log, "light_records", whole_log)
        in_place = blame_path(Log.open(log_repo), str(code), prose=False)
    assert sorted(g.record_id for g in in_place.decisions) == sorted(found)


def _in_python(repo: Path, query: str) -> list[tuple[str, float, bool]]:
    """The best hits of the synced state as rank() works them out in Python: its scores of every
    indexed document, kept to the current decisions, sorted by score and then ID."""
    from declog.core import search

    index = search.SearchIndex(repo / ".git" / "declog" / "search.sqlite")
    try:
        raw, phrase = search._lexical(index, query, search.query_terms(query))
        current = dict(index.conn.execute("select oid, rid from current").fetchall())
    finally:
        index.close()
    best = sorted((oid for oid in raw if oid in current), key=lambda oid: (-raw[oid], current[oid] or ""))
    return [(oid, raw[oid], oid in phrase) for oid in best[:search.ORDERED]]


@pytest.mark.parametrize("query", ["orders database", "what did we first use for the orders database",
                                   "postgres", "event stream", "switching off the replica", "nothing like this"])
def test_the_one_statement_of_a_warm_why_scores_as_the_python_path_does(
        chained_log: dict[str, str], log_repo: Path, run: Callable[..., Result], query: str) -> None:
    from declog.core import search

    for i in range(6):  # ties: the same text under other IDs, which the ID orders
        new_decision(run, log_repo, "Use Kafka for event stream 0" if i % 2 else f"Partition the orders table {i}")
    _why(run, log_repo, "orders")  # syncs the index at this state
    index = search.SearchIndex(log_repo / ".git" / "declog" / "search.sqlite")
    try:
        best = search._best_current(index.conn, query, search.query_terms(query))
        titles = dict(index.conn.execute("select k.oid, d.title from known k join docs d on d.rowid = k.docid"))
    finally:
        index.close()
    # the same documents, in the same order, with scores equal to the last bit
    assert [(oid, score, phrase) for oid, score, _, _, phrase, _ in best] == _in_python(log_repo, query)
    assert all(title == titles[oid] for oid, _, _, _, _, title in best)
    assert bool(best) == (query != "nothing like this")


def test_scores_worked_out_early_are_taken_for_their_state_only(
        chained_log: dict[str, str], log_repo: Path, run: Callable[..., Result], monkeypatch: Any) -> None:
    from declog.core import search
    from declog.storage.store import Log

    _why(run, log_repo, "orders", "database")
    path = log_repo / ".git" / "declog" / "search.sqlite"
    log = Log.open(log_repo)
    view = log.view()
    assert view is not None
    expected = search.rank_in_view(view, "orders database", path)
    assert expected

    early = search.EarlyLexical(path, "orders database")
    assert early.result("another state") is None  # the index was synced at the log's state, not that one
    other = search.EarlyLexical(path, "kafka")
    assert other.result(view.state)  # (its own question's hits)
    stale = search.EarlyLexical(path, "orders database")
    stale.wait()
    stale._found[:] = [("another state", [])]  # as if the index had been synced at another state
    asked: list[str] = []
    with monkeypatch.context() as patched:
        real = search._best_current
        patched.setattr(search, "_best_current", lambda *a: asked.append("query") or real(*a))
        taken = search.rank_in_view(view, "orders database", path, early)
        assert asked == []  # the thread's hits were taken: no query of its own
        again = search.rank_in_view(view, "orders database", path, stale)
        assert asked == ["query"]  # another state's hits are never taken
        assert search.rank_in_view(view, "orders database", path, other) is not None
        assert asked == ["query", "query"]  # nor another question's
    assert [(h.record.id, h.score, h.phrase) for h in taken] == [(h.record.id, h.score, h.phrase) for h in expected]
    assert [h.record.id for h in again] == [h.record.id for h in expected]


def test_a_probed_why_starts_git_and_its_scores_early_and_answers_as_a_cold_one(
        chained_log: dict[str, str], log_repo: Path, run: Callable[..., Result], monkeypatch: Any) -> None:
    from declog.core import answers as answers_module
    from declog.history.worktree import IndexProbe
    from declog.storage.store import Log

    monkeypatch.setattr("declog.storage.store.PROBE_MIN_FILES", 0)
    monkeypatch.setattr("declog.history.worktree.RACY_NS", 0)
    first = _why(run, log_repo, "orders", "database")
    assert _why(run, log_repo, "orders", "database") == first  # keeps the probe's digest

    def opened() -> Log:
        log = Log.open(log_repo)
        log.probe = IndexProbe(log)
        return log

    log = opened()
    begun = answers_module.begin(log, "orders database")
    assert begun is not None and log.view_pending()  # git runs; the view waits for it
    found = answers_module.answers(log, "orders database", begun=begun)
    assert [a.as_json() for a in found] == first == _cold(run, log_repo, "orders", "database")

    # an edit: the index is still synced at the state before it, so the early hits are not taken
    path = record_file(log_repo, chained_log["other"])
    path.write_text(path.read_text(encoding="utf-8").replace("read replica", "hot standby"), encoding="utf-8")
    log = opened()
    begun = answers_module.begin(log, "orders database")
    assert begun is not None
    edited = [a.as_json() for a in answers_module.answers(log, "orders database", begun=begun)]
    assert "Keep a hot standby of the orders database" in [a["title"] for a in edited]
    assert _unscored(edited) == _unscored(_cold(run, log_repo, "orders", "database"))
