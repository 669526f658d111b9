"""A warm ``declog review`` reads the parse cache's snapshot in place (``Log.view``,
``declog.core.review.review_view``): decisions from one joined JSON text, inspections as their
readings, and as records only where the deck may show a note; drift's decisions and the retro's
imported ones from the view too. Its output is the output of the light records' path
(``review_records``) byte for byte, in every format, on a log with every kind the review reads;
and when the snapshot is replaced while the review reads it, the review reads the light records
instead and says the same."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Result, git
from tests.test_mechanisms import CORRECTION, MECHANISM, write

DAY = "2026-03-11"  # a Wednesday: the deck's weeks start on 2026-02-02, the week reviewed on 2026-03-05
FORMATS = ("text", "json", "markdown")
BASE = {"owner": "alice", "door": "two-way", "context": "c"}


def _inspection(rid: str | None, on: str, note: str | None = None, **readings: float) -> dict[str, Any]:
    data: dict[str, Any] = {"id": rid, "mechanism": "M-7k3m9q", "on": on, "inspector": "alice",
                            "verdict": "working", "readings": readings}
    if rid is None:
        del data["id"]
    return {**data, "note": note} if note else data


def _commit(repo: Path, monkeypatch: Any, when: str, message: str) -> None:
    monkeypatch.setenv("GIT_AUTHOR_DATE", when)
    monkeypatch.setenv("GIT_COMMITTER_DATE", when)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)


@pytest.fixture
def every_kind(log_repo: Path, run: Callable[..., Result], monkeypatch: Any) -> Path:
    """A log with every kind the review reads, committed in the week reviewed, and trusted at
    once (no racy window), so that a run saves the snapshot the next one reads in place."""
    monkeypatch.setattr("declog.storage.store.RACY_NS", 0)
    repo = log_repo
    # owners: alice (the fixture's), an inactive person, a team with a lead
    assert run(repo, "new", "owner", "bob", "--name", "Bob").exit_code == 0
    assert run(repo, "set", "bob", "active=false").exit_code == 0
    assert run(repo, "new", "owner", "platform", "--kind", "team", "--name", "Platform", "--lead", "alice").exit_code == 0
    # mechanisms with metrics: one inspected, one never (owned by the inactive person), one owned
    # by the team, one retired
    write(repo, "mechanisms/M-7k3m9q-weekly-deploy-review.yaml", MECHANISM)
    write(repo, "mechanisms/M-nnnnnn-never.yaml", {**MECHANISM, "id": "M-nnnnnn", "name": "Never inspected",
                                                   "owner": "bob"})
    write(repo, "mechanisms/M-tttttt-team.yaml", {**MECHANISM, "id": "M-tttttt", "name": "The team's",
                                                  "owner": "platform", "inspection": {"cadence": "monthly"}})
    write(repo, "mechanisms/M-rrrrrr-retired.yaml", {**MECHANISM, "id": "M-rrrrrr", "name": "Retired one",
                                                     "status": "retired"})
    # inspections: in the deck's weeks (some with a note), before them (a note the deck does not
    # show, a reading the twelve months do), after the day reviewed (not a reading yet)
    for rid, on, pct, inc, note in (
            ("I-aaaaa1", "2026-02-16", 96, 0, None),
            ("I-aaaaa2", "2026-02-23", 93, 1, "Two reviews skipped in the freeze"),
            ("I-aaaaa3", "2026-03-02", 90, 2, None),
            ("I-aaaaa4", "2026-03-09", 91, 3, "Reviews slipped again"),
            ("I-aaaaa5", "2025-06-02", 97, 0, "An old note, outside the deck's weeks"),
            ("I-aaaaa6", "2025-12-01", 94, 1, None),
            ("I-aaaaa7", "2026-03-20", 50, 9, "A note from after the day reviewed")):
        write(repo, f"inspections/{rid}-{on}.yaml", _inspection(rid, on, note, reviewed_pct=pct, deploy_incidents=inc))
    write(repo, "inspections/I-tttttt-2026-03-04.yaml",
          {**_inspection("I-tttttt", "2026-03-04", reviewed_pct=99), "mechanism": "M-tttttt"})
    # corrections: an overdue action item, one not due yet owned by the inactive person
    write(repo, "corrections/C-7k3m9q-checkout-down.yaml", {
        **CORRECTION, "action_items": [{**CORRECTION["action_items"][0], "due": "2026-03-01"},
                                       {**CORRECTION["action_items"][0], "due": "2026-04-01", "owner": "bob",
                                        "type": "fix", "mechanism": None}]})
    # a narrative
    write(repo, "narratives/N-7k3m9q-reorder.yaml", {
        "id": "N-7k3m9q", "title": "Orders launches one-click reorder", "status": "draft", "owner": "alice",
        "press_release": "Today Orders launches one-click reorder.", "success_metrics": [
            {"metric": "reviewed_pct", "mechanism": "M-7k3m9q", "target": "95"}]})
    # decisions: proposed (its history gives the day it was proposed), accepted and due for
    # review (with a scope no file matches), imported from an ADR without a rationale and with one
    write(repo, "D-ddddd1-old-proposal.yaml", {"id": "D-ddddd1", "title": "Old proposal", "status": "proposed",
                                               **BASE, "door": "one-way", "expected_outcome": "x"})
    write(repo, "D-ddddd2-due.yaml", {"id": "D-ddddd2", "title": "Review me", "status": "accepted", **BASE,
                                      "decision": "d", "rationale": "r", "decided_on": "2025-09-01",
                                      "review_by": "2026-03-01", "scope": ["src/missing/**"]})
    (repo / "docs" / "adr").mkdir(parents=True)
    for n, name in ((1, "x"), (2, "y")):
        (repo / "docs" / "adr" / f"000{n}-{name}.md").write_text(f"# {n}. ADR {name}\n\nStatus: Proposed\n",
                                                                encoding="utf-8")
    write(repo, "D-ddddd4-imported.yaml", {
        "id": "D-ddddd4", "title": "Imported, no rationale", "status": "accepted", "owner": "bob", "door": "two-way",
        "context": "c", "decision": "d", "decided_on": "2022-04-01",
        "source": {"path": "docs/adr/0001-x.md", "format": "nygard", "imported_on": "2026-03-09"}})
    write(repo, "D-ddddd5-imported.yaml", {
        "id": "D-ddddd5", "title": "Imported, with one", "status": "proposed", "owner": "alice", "door": "two-way",
        "context": "c", "decision": "d", "rationale": "because",
        "source": {"path": "docs/adr/0002-y.md", "format": "nygard", "imported_on": "2026-03-09"}})
    # two files with one ID: the first in the log's order wins where one must (decisions/a/x.yaml
    # comes before decisions/a-b/x.yaml part by part, after it as plain text)
    (repo / "decisions" / "a").mkdir()
    (repo / "decisions" / "a-b").mkdir()
    write(repo, "a/x.yaml", {"id": "D-aaaa77", "title": "The first file", "status": "proposed", **BASE})
    write(repo, "a-b/x.yaml", {"id": "D-aaaa77", "title": "The second file", "status": "rejected", **BASE,
                               "decision": "d", "rationale": "r"})
    # code that cites decisions: drift reads the log's decisions (from the view too)
    (repo / "src").mkdir()
    (repo / "src" / "app.py").write_text("# D-aaaa77, D-ddddd2 and D-zzzzzz (no such decision)\n", encoding="utf-8")
    # an unreadable file
    (repo / "decisions" / "D-broken-file.yaml").write_text("id: [D-bbbbbb\ntitle: broken\n", encoding="utf-8")
    _commit(repo, monkeypatch, "2026-03-06T12:00:00+00:00", "the log")
    # the week's changes: an ADR accepted, a proposal accepted, a correction closed
    adr = repo / "docs" / "adr" / "0001-x.md"
    adr.write_text(adr.read_text(encoding="utf-8").replace("Proposed", "Accepted"), encoding="utf-8")
    path = repo / "decisions" / "D-ddddd5-imported.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("status: proposed", "status: accepted"),
                    encoding="utf-8")
    _commit(repo, monkeypatch, "2026-03-10T12:00:00+00:00", "the week")
    return repo


@contextmanager
def _light_path(monkeypatch: Any) -> Iterator[None]:
    """The review as it reads the light records: no view of the snapshot."""
    from declog.storage.store import Log

    with monkeypatch.context() as patched:
        patched.setattr(Log, "view", lambda self: None)
        yield


@contextmanager
def _view_path(monkeypatch: Any) -> Iterator[list[Any]]:
    """The review from the snapshot in place, watched: what ``review_view`` gave, each time it ran;
    the light records are not read at all."""
    from declog.core import review as review_mod
    from declog.storage.store import Log

    ran: list[Any] = []
    real = review_mod.review_view

    def review_view(*args: Any, **kwargs: Any) -> Any:
        found = real(*args, **kwargs)
        ran.append(found)
        return found

    def light_records(self: Log) -> list[Any]:
        raise AssertionError("the review read the light records")

    with monkeypatch.context() as patched:
        patched.setattr(review_mod, "review_view", review_view)
        patched.setattr(Log, "light_records", light_records)
        yield ran


def _review(run: Callable[..., Result], repo: Path, fmt: str) -> Result:
    res = run(repo, "review", "--as-of", DAY, "--format", fmt)
    assert res.exit_code == 0, res.output
    return res


def _both_ways(run: Callable[..., Result], repo: Path, monkeypatch: Any) -> tuple[dict[str, Result], list[Any]]:
    """The review in every format from the light records, then from the snapshot in place (each
    run of it reading the snapshot), the same standard output both ways: the latter, and what
    ``review_view`` gave each time."""
    with _light_path(monkeypatch):
        light = {fmt: _review(run, repo, fmt) for fmt in FORMATS}
    with _view_path(monkeypatch) as ran:
        view = {fmt: _review(run, repo, fmt) for fmt in FORMATS}
    assert len(ran) == len(FORMATS)
    for fmt in FORMATS:
        assert view[fmt].stdout == light[fmt].stdout, fmt
    return view, ran


@pytest.mark.parametrize(("direct_reads", "per_query"), [(40, 900), (0, 1)],
                         ids=["prose-parsed-from-files", "prose-from-the-cache-one-row-a-statement"])
def test_a_review_from_the_snapshot_in_place_prints_what_one_from_the_light_records_does(
        every_kind: Path, run: Callable[..., Result], monkeypatch: Any, direct_reads: int, per_query: int) -> None:
    from declog.storage import stateview, store

    monkeypatch.setattr(store, "DIRECT_READS", direct_reads)  # 0: Log.with_prose asks the cache for them all
    monkeypatch.setattr(stateview, "PER_QUERY", per_query)  # 1: StateView.noted in as many statements
    repo = every_kind
    cold = {fmt: _review(run, repo, fmt) for fmt in FORMATS}  # no parse cache yet: the light records
    light: dict[str, Result] = {}
    with _light_path(monkeypatch):
        for fmt in FORMATS:
            light[fmt] = _review(run, repo, fmt)  # warm, from the light records: the snapshot is saved
    with _view_path(monkeypatch) as ran:
        view = {fmt: _review(run, repo, fmt) for fmt in FORMATS}
    assert len(ran) == len(FORMATS)  # each run read the snapshot in place
    for fmt in FORMATS:
        assert (view[fmt].stdout, view[fmt].stderr) == (light[fmt].stdout, light[fmt].stderr) \
            == (cold[fmt].stdout, cold[fmt].stderr), fmt

    # what the log holds shows in the review (else the comparison proves little)
    data = json.loads(view["json"].stdout)
    assert "D-broken-file.yaml" in view["text"].stderr
    assert [o["mechanism"] for o in data["overdue_inspections"]] == ["M-nnnnnn"]  # M-7k3m9q inspected on 2026-03-09, due on the 16th
    assert [o["latest"] for o in data["off_target"]["input"]] == [91]  # not I-aaaaa7's, after the day
    assert [o["latest"] for o in data["off_target"]["output"]] == [3]
    awaiting = {a["id"]: a for a in data["awaiting_decision"]}
    assert sorted(awaiting) == ["D-aaaa77", "D-ddddd1"]
    assert awaiting["D-aaaa77"]["title"] == "The first file"
    assert awaiting["D-aaaa77"]["proposed_on"] == "2026-03-06"  # the first file's facts (first file wins)
    assert awaiting["D-ddddd1"]["proposed_on"] == "2026-03-06"
    assert [d["id"] for d in data["due_for_review"]] == ["D-ddddd2"]
    assert [d["id"] for d in data["imported_without_rationale"]] == ["D-ddddd4"]
    assert [a["due"] for a in data["overdue_action_items"]] == ["2026-03-01"]
    assert {(u["id"], u["reason"]) for u in data["owner_load"]["unowned"]} >= {
        ("D-ddddd4", "inactive"), ("M-nnnnnn", "inactive"), ("M-tttttt", "team")}
    assert data["changed"]["inspections"] == 1  # I-aaaaa4 (since 2026-03-05); not I-aaaaa7
    changed = json.dumps(data["changed"]["groups"])
    assert "D-ddddd4" in changed and "D-ddddd5" in changed  # the imported ones, from the view's decisions with a source
    refs = {(r["reference"], r["problem"]) for r in data["drift"]["references"]}
    assert refs == {("D-aaaa77", "rejected"), ("D-zzzzzz", "unknown")}  # drift: the last file of an ID wins
    assert [s["glob"] for s in data["drift"]["dead_scopes"]] == ["src/missing/**"]
    deck = json.dumps(data["deck"])
    assert "Reviews slipped again" in deck and "Two reviews skipped in the freeze" in deck
    assert "An old note" not in deck and "after the day reviewed" not in deck


def test_the_view_reads_the_decisions_inspections_and_notes_as_the_light_records_have_them(
        every_kind: Path, run: Callable[..., Result], monkeypatch: Any) -> None:
    """``review_view`` against ``review_records`` on the same log: the same records where the
    review reads records, and the readings ``weekly_review`` would work out from all of them."""
    import datetime as dt

    from declog.core import deck
    from declog.core.review import _Log, review_records, review_view, weekly_review
    from declog.storage.store import Log

    with _light_path(monkeypatch):
        _review(run, every_kind, "json")  # the snapshot
    day = dt.date.fromisoformat(DAY)
    light_log = Log.open(every_kind)
    light = review_records(light_log.light_records(), day, light_log.with_prose)
    view_log = Log.open(every_kind)
    view = view_log.view()
    assert view is not None
    records, readings = review_view(view, day, view_log.with_prose)

    def shown(found: list[Any]) -> list[tuple[str, str, Any]]:
        return [(r.path, r.kind.name, r.data) for r in found if r.data is not None and r.id is not None]

    expected = _Log.of(light)
    assert readings == deck.readings_of(expected.inspections, day)
    assert shown([r for r in records if r.kind.name != "inspection"]) == \
        shown([r for r in light if r.kind.name != "inspection"])
    # the inspections as records: only those the deck may show a note of, whole
    assert [r.id for r in _Log.of(records).inspections] == ["I-aaaaa2", "I-aaaaa4", "I-aaaaa7"]
    assert all(r.data is not None and r.data.get("note") for r in _Log.of(records).inspections)
    assert weekly_review(records, day, readings=readings).as_json() == weekly_review(light, day).as_json()


def test_an_inspection_without_an_id_counts_as_no_reading_in_either_path(
        every_kind: Path, run: Callable[..., Result], monkeypatch: Any) -> None:
    """The review leaves out a record without an ID (``_Log.of``): an inspection's readings too,
    whether they come from its record or from the snapshot's rows."""
    write(every_kind, "inspections/no-id-2026-03-10.yaml",
          _inspection(None, "2026-03-10", "No ID here", reviewed_pct=99, deploy_incidents=0))
    write(every_kind, "inspections/odd-id-2026-03-10.yaml",
          {**_inspection("I-cccccc", "2026-03-10", reviewed_pct=98, deploy_incidents=0), "id": 7})
    view, _ = _both_ways(run, every_kind, monkeypatch)
    data = json.loads(view["json"].stdout)
    assert [o["latest"] for o in data["off_target"]["input"]] == [91]  # not 99 nor 98
    assert data["changed"]["inspections"] == 1


def _replace_snapshot(repo: Path) -> None:
    """What another declog process does when the log changed: its snapshot replaces ours."""
    conn = sqlite3.connect(repo / ".git" / "declog" / "parse-cache.sqlite")
    try:
        with conn:
            conn.execute("update snapshot set state = state || '-elsewhere' where key = 'light'")
    finally:
        conn.close()


@pytest.mark.parametrize("where", ["decisions", "inspections", "notes", "imported", "drift"])
def test_a_snapshot_replaced_while_the_review_reads_it_sends_it_to_the_light_records(
        every_kind: Path, run: Callable[..., Result], monkeypatch: Any, where: str) -> None:
    """``StaleView`` at any of the view's reads: the review (or the retro's imported decisions,
    or drift's decisions) reads the light records instead, and prints the same."""
    from declog.core import review as review_mod
    from declog.storage.stateview import StateView

    with _light_path(monkeypatch):
        expected = {fmt: _review(run, every_kind, fmt) for fmt in ("json", "text")}
    method, kind = {"decisions": ("light_data", "decision"), "inspections": ("numbered_data", "inspection"),
                    "notes": ("noted", None), "imported": ("containing", "decision"),
                    "drift": ("of_kind", "decision")}[where]
    real = getattr(StateView, method)
    stale: list[str] = []

    def replaced(self: StateView, *args: Any) -> Any:
        if kind is None or kind in args:
            _replace_snapshot(every_kind)
            stale.append(method)
        return real(self, *args)

    ran: list[Any] = []
    real_review_view = review_mod.review_view

    def review_view(*args: Any) -> Any:
        ran.append(args)
        return real_review_view(*args)

    for fmt in ("json", "text"):
        run(every_kind, "review", "--as-of", DAY, "--format", "json")  # the snapshot again, for this state
        with monkeypatch.context() as patched:
            patched.setattr(StateView, method, replaced)
            patched.setattr(review_mod, "review_view", review_view)
            res = _review(run, every_kind, fmt)
        assert (res.stdout, res.stderr) == (expected[fmt].stdout, expected[fmt].stderr), fmt
    assert stale == [method, method] and len(ran) == 2


def test_the_view_follows_the_log_once_it_changes(every_kind: Path, run: Callable[..., Result],
                                                  monkeypatch: Any) -> None:
    """An edit since the snapshot: no view of it (the light records, refreshed), then a view of
    the new snapshot, both with the edit."""
    with _light_path(monkeypatch):
        _review(run, every_kind, "json")
    path = every_kind / "decisions" / "D-ddddd1-old-proposal.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Old proposal", "Old proposal, retitled"),
                    encoding="utf-8")
    shutil.copy(every_kind / "decisions" / "inspections" / "I-aaaaa4-2026-03-09.yaml",
                every_kind / "decisions" / "inspections" / "I-aaaaa4-copy.yaml")  # a second file of one ID
    first = _review(run, every_kind, "json")
    with _view_path(monkeypatch) as ran:
        second = _review(run, every_kind, "json")
    assert len(ran) == 1 and second.stdout == first.stdout
    data = json.loads(second.stdout)
    assert "Old proposal, retitled" in [a["title"] for a in data["awaiting_decision"]]
    assert data["changed"]["inspections"] == 2


def test_an_inspection_that_shares_a_proposed_decisions_id_hides_it_from_history_in_either_path(
        every_kind: Path, run: Callable[..., Result], monkeypatch: Any) -> None:
    """The first file of an ID wins for the history's facts (``LogFacts.by_id``), whatever its
    kind: an inspection (no note the deck shows) before a proposed decision of its ID, which
    ``validate`` reports, leaves the decision without the day it was proposed, from the
    snapshot as from the light records."""
    (every_kind / "decisions" / "zz").mkdir()
    write(every_kind, "zz/D-eeeee1.yaml", {"id": "D-eeeee1", "title": "After the inspections", "status": "proposed",
                                           **BASE})
    write(every_kind, "inspections/I-dddddd-2025-06-09.yaml", _inspection("D-eeeee1", "2025-06-09", reviewed_pct=97))
    _commit(every_kind, monkeypatch, "2026-03-10T13:00:00+00:00", "an ID twice")
    view, _ = _both_ways(run, every_kind, monkeypatch)
    awaiting = {a["id"]: a for a in json.loads(view["json"].stdout)["awaiting_decision"]}
    assert awaiting["D-eeeee1"]["proposed_on"] is None


def test_a_log_of_one_owner_reviews_the_same_from_the_snapshot(log_repo: Path, run: Callable[..., Result],
                                                               monkeypatch: Any) -> None:
    """No decision, no inspection: the view's joined JSON texts are empty lists."""
    monkeypatch.setattr("declog.storage.store.RACY_NS", 0)
    _commit(log_repo, monkeypatch, "2026-03-06T12:00:00+00:00", "alice")
    _, ran = _both_ways(run, log_repo, monkeypatch)
    assert ran[0][1] == {}
