"""The weekly review and owner load, as pure functions over records (and, for what changed,
the history layer through ``declog.history.retro``). Nothing here prints; ``declog.render.review``
turns a :class:`WeeklyReview` into text, Markdown or JSON.

The sections always come in the same order, so the review reads the same way every week:
overdue inspections, input metrics then output metrics off target, decisions awaiting a
decision, decisions due for review, overdue action items, owner load, what changed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from declog.core import deck as deck_mod
from declog.domain import cadence as cadence_mod
from declog.domain import vocab
from declog.storage.store import Record, decode_links, log_order

if TYPE_CHECKING:
    from declog.history.retro import Retro
    from declog.storage.stateview import StateView

TREND_LENGTH = 5  # readings shown per off-target metric, oldest first
DEFAULT_LOAD_LIMIT = 12
LIVE_DECISIONS = vocab.LIVE_DECISION_STATUSES
LIVE_MECHANISMS = ("piloting", "active")


@dataclass
class OverdueInspection:
    mechanism: str
    name: str
    owner: str | None
    cadence: str
    last_inspected: dt.date | None  # None: never inspected
    due: dt.date | None
    days_overdue: int | None  # 0: due today; None: never inspected


@dataclass
class OffTarget:
    mechanism: str
    mechanism_name: str
    owner: str | None
    metric: str
    role: str  # input | output
    unit: str | None
    target: float
    direction: str  # up | down
    latest: float
    latest_on: dt.date
    trend: list[float]  # the last TREND_LENGTH readings, oldest first


@dataclass
class AwaitingDecision:
    id: str
    title: str
    owner: str | None
    door: str | None
    proposed_on: dt.date | None  # from git history, when known
    days_waiting: int | None


@dataclass
class DueForReview:
    id: str
    title: str
    owner: str | None
    review_by: dt.date
    days_overdue: int


@dataclass
class ImportedWithoutRationale:
    id: str
    title: str
    owner: str | None
    source: str  # the markdown ADR it came from


@dataclass
class OverdueAction:
    correction: str
    correction_title: str
    index: int
    description: str
    owner: str | None
    due: dt.date
    days_overdue: int
    type: str | None
    mechanism: str | None


@dataclass
class OwnerLoad:
    handle: str
    name: str
    active: bool
    decisions: int = 0
    mechanisms: int = 0
    action_items: int = 0
    over_limit: bool = False

    @property
    def total(self) -> int:
        return self.decisions + self.mechanisms + self.action_items


@dataclass
class Unowned:
    """A live record whose owner is not an active person of this log."""

    id: str
    kind: str
    owner: str
    reason: str  # inactive | team | unknown


@dataclass
class Load:
    limit: int
    owners: list[OwnerLoad]
    unowned: list[Unowned]

    def as_json(self) -> dict[str, Any]:
        return {"limit": self.limit,
                "owners": [{**asdict(o), "total": o.total} for o in self.owners],
                "unowned": [asdict(u) for u in self.unowned]}


@dataclass
class WeeklyReview:
    as_of: dt.date
    overdue_inspections: list[OverdueInspection] = field(default_factory=list)
    off_target: list[OffTarget] = field(default_factory=list)  # inputs first, then outputs
    awaiting: list[AwaitingDecision] = field(default_factory=list)
    due_for_review: list[DueForReview] = field(default_factory=list)
    overdue_actions: list[OverdueAction] = field(default_factory=list)
    load: Load = field(default_factory=lambda: Load(DEFAULT_LOAD_LIMIT, [], []))
    changes: Retro | None = None  # None: no history to read
    inspections_this_week: int = 0
    imported_without_rationale: list[ImportedWithoutRationale] = field(default_factory=list)
    drift: Any = None  # declog.core.drift.Drift, when the command read it (None: not read)
    deck: deck_mod.Deck | None = None  # every live mechanism's metrics, 6 weeks and 12 months

    @property
    def since(self) -> dt.date:
        return self.as_of - dt.timedelta(days=6)

    @property
    def attention(self) -> bool:
        """True when anything needs someone's attention."""
        return bool(self.overdue_inspections or self.off_target or self.awaiting or self.due_for_review
                    or self.overdue_actions or any(o.over_limit for o in self.load.owners) or self.load.unowned)

    def as_json(self) -> dict[str, Any]:
        def plain(items: Sequence[Any]) -> list[dict[str, Any]]:
            return [_jsonable(asdict(i)) for i in items]

        return {
            "as_of": self.as_of.isoformat(),
            "overdue_inspections": plain(self.overdue_inspections),
            "off_target": {"input": plain([o for o in self.off_target if o.role == "input"]),
                           "output": plain([o for o in self.off_target if o.role == "output"])},
            "awaiting_decision": plain(self.awaiting),
            "due_for_review": plain(self.due_for_review),
            "overdue_action_items": plain(self.overdue_actions),
            "owner_load": self.load.as_json(),
            "changed": ({"since": self.since.isoformat(), "inspections": self.inspections_this_week,
                         **self.changes.as_json()} if self.changes is not None else None),
            "imported_without_rationale": plain(self.imported_without_rationale),
            **({"drift": self.drift.as_json()} if self.drift is not None else {}),
            "deck": self.deck.as_json() if self.deck is not None else None,
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


@dataclass
class _Log:
    """The records of a review, sorted by kind once."""

    owners: list[Record] = field(default_factory=list)
    decisions: list[Record] = field(default_factory=list)
    mechanisms: list[Record] = field(default_factory=list)
    inspections: list[Record] = field(default_factory=list)
    corrections: list[Record] = field(default_factory=list)
    narratives: list[Record] = field(default_factory=list)

    @classmethod
    def of(cls, records: Sequence[Record]) -> _Log:
        out = cls()
        lists = {"owner": out.owners, "decision": out.decisions, "mechanism": out.mechanisms,
                 "inspection": out.inspections, "correction": out.corrections, "narrative": out.narratives}
        for r in records:
            if r.data is not None and r.id is not None:
                lists[r.kind.name].append(r)
        return out


def overdue_inspections(log: _Log, per: Mapping[str, list[tuple[dt.date, str, dict[str, Any]]]],
                        as_of: dt.date) -> list[OverdueInspection]:
    """Live mechanisms with a cadence whose next inspection is due on or before ``as_of``, and
    those never inspected; never inspected first, then most overdue first."""
    out = []
    for m in log.mechanisms:
        data = m.data or {}
        plan = data.get("inspection")
        cadence = _str(plan.get("cadence")) if isinstance(plan, dict) else None
        if data.get("status") not in LIVE_MECHANISMS or cadence is None or not cadence_mod.is_valid(cadence):
            continue
        seen = per.get(m.id or "", [])
        name, owner = str(data.get("name") or ""), _str(data.get("owner"))
        if not seen:
            out.append(OverdueInspection(m.id or "", name, owner, cadence, None, None, None))
            continue
        last = seen[-1][0]
        due = cadence_mod.next_due(last, cadence)
        if due <= as_of:
            out.append(OverdueInspection(m.id or "", name, owner, cadence, last, due, (as_of - due).days))
    out.sort(key=lambda o: (o.days_overdue is not None, -(o.days_overdue or 0), o.mechanism))
    return out


def off_target(log: _Log, per: Mapping[str, list[tuple[dt.date, str, dict[str, Any]]]]) -> list[OffTarget]:
    """Metrics whose latest reading is on the wrong side of their target: inputs, then outputs."""
    found: dict[str, list[OffTarget]] = {"input": [], "output": []}
    for m in sorted(log.mechanisms, key=lambda r: r.id or ""):
        data = m.data or {}
        if data.get("status") not in LIVE_MECHANISMS:
            continue
        seen = per.get(m.id or "", [])
        for role in ("input", "output"):
            for metric in _list(data.get(f"{role}_metrics")):
                if not isinstance(metric, dict):
                    continue
                name, target, direction = metric.get("name"), _number(metric.get("target")), metric.get("direction")
                if not isinstance(name, str) or target is None or direction not in ("up", "down"):
                    continue
                values = _last_values(seen, name)
                if not values:
                    continue
                latest_on, latest = values[-1]
                if (direction == "up" and latest < target) or (direction == "down" and latest > target):
                    found[role].append(OffTarget(
                        m.id or "", str(data.get("name") or ""), _str(data.get("owner")), name, role,
                        _str(metric.get("unit")), target, direction, latest, latest_on,
                        [v for _, v in values]))
    return [*found["input"], *found["output"]]


def _last_values(seen: Sequence[tuple[dt.date, str, dict[str, Any]]], name: str) -> list[tuple[dt.date, float]]:
    """The last TREND_LENGTH numeric readings of the metric ``name`` in ``seen`` (oldest first),
    as ``(on, value)``: read from the newest back, so a long history costs what is shown."""
    out = []
    for on, _, readings in reversed(seen):
        if (v := _number(readings.get(name))) is not None:
            out.append((on, v))
            if len(out) == TREND_LENGTH:
                break
    out.reverse()
    return out


def awaiting(log: _Log, as_of: dt.date, proposed_on: Mapping[str, dt.date]) -> list[AwaitingDecision]:
    """Proposed decisions, oldest first (by when they were proposed, when history knows)."""
    out = []
    for d in log.decisions:
        data = d.data or {}
        if data.get("status") != "proposed":
            continue
        since = proposed_on.get(d.id or "")
        if since is not None and since > as_of:  # first committed after the day reviewed
            since = None
        out.append(AwaitingDecision(d.id or "", d.title, _str(data.get("owner")), _str(data.get("door")), since,
                                    (as_of - since).days if since else None))
    out.sort(key=lambda a: (a.proposed_on is None, a.proposed_on or as_of, a.id))
    return out


def due_for_review(log: _Log, as_of: dt.date) -> list[DueForReview]:
    """Accepted decisions whose ``review_by`` has come and that have no review since."""
    out = []
    for d in log.decisions:
        data = d.data or {}
        review_by = deck_mod.as_date(data.get("review_by"))
        if review_by is None or review_by > as_of or data.get("status") != "accepted":
            continue
        reviewed = [on for rv in _list(data.get("reviews")) if isinstance(rv, dict)
                    and (on := deck_mod.as_date(rv.get("on"))) is not None and on >= review_by]
        if reviewed:
            continue
        out.append(DueForReview(d.id or "", d.title, _str(data.get("owner")), review_by, (as_of - review_by).days))
    out.sort(key=lambda x: (x.review_by, x.id))
    return out


def imported_without_rationale(log: _Log) -> list[ImportedWithoutRationale]:
    """Accepted decisions imported from an ADR that gives no rationale (declog writes none for
    them): their owners should say why."""
    out = []
    for d in log.decisions:
        data = d.data or {}
        source = data.get("source")
        if not isinstance(source, dict) or data.get("status") != "accepted" or _str(data.get("rationale")):
            continue
        out.append(ImportedWithoutRationale(d.id or "", d.title, _str(data.get("owner")), str(source.get("path") or "")))
    out.sort(key=lambda x: (x.owner or "", x.id))
    return out


def overdue_actions(log: _Log, as_of: dt.date) -> list[OverdueAction]:
    """Open action items of corrections whose due date has passed, most overdue first."""
    out = []
    for c in log.corrections:
        data = c.data or {}
        for i, item in enumerate(_list(data.get("action_items"))):
            if not isinstance(item, dict) or item.get("status", "open") != "open":
                continue
            due = deck_mod.as_date(item.get("due"))
            if due is None or due >= as_of:
                continue
            out.append(OverdueAction(c.id or "", c.title, i, str(item.get("description") or ""),
                                     _str(item.get("owner")), due, (as_of - due).days, _str(item.get("type")),
                                     _str(item.get("mechanism"))))
    out.sort(key=lambda a: (a.due, a.correction, a.index))
    return out


def owner_load(records: Sequence[Record], limit: int = DEFAULT_LOAD_LIMIT, *, _log: _Log | None = None) -> Load:
    """Per person: live decisions (proposed or accepted), live mechanisms and open action items,
    heaviest first, flagging anyone past ``limit``; and live records whose owner is inactive,
    a team or unknown. ``declog review`` and ``declog owners`` share this."""
    log = _log or _Log.of(records)
    owners: dict[str, OwnerLoad] = {}
    teams: set[str] = set()
    for o in log.owners:
        data = o.data or {}
        if data.get("kind") == "team":
            teams.add(o.id or "")
            continue
        owners[o.id or ""] = OwnerLoad(o.id or "", str(data.get("name") or o.id), data.get("active") is not False)
    unowned: list[Unowned] = []

    def count(rid: str, kind: str, owner: Any, what: str) -> None:
        if not isinstance(owner, str):
            return
        person = owners.get(owner)
        if person is None:
            unowned.append(Unowned(rid, kind, owner, "team" if owner in teams else "unknown"))
            return
        setattr(person, what, getattr(person, what) + 1)
        if not person.active:
            unowned.append(Unowned(rid, kind, owner, "inactive"))

    for d in log.decisions:
        if (d.data or {}).get("status") in LIVE_DECISIONS:
            count(d.id or "", "decision", (d.data or {}).get("owner"), "decisions")
    for m in log.mechanisms:
        if (m.data or {}).get("status") in LIVE_MECHANISMS:
            count(m.id or "", "mechanism", (m.data or {}).get("owner"), "mechanisms")
    for c in log.corrections:
        for i, item in enumerate(_list((c.data or {}).get("action_items"))):
            if isinstance(item, dict) and item.get("status", "open") == "open":
                count(f"{c.id} action_items.{i}", "action item", item.get("owner"), "action_items")
    people = sorted(owners.values(), key=lambda o: (-o.total, o.handle))
    for person in people:
        person.over_limit = person.total > limit
    unowned.sort(key=lambda u: (u.owner, u.id))
    return Load(limit, people, unowned)


def review_records(records: Sequence[Record], as_of: dt.date,
                   with_prose: Callable[[list[Record]], list[Record]]) -> list[Record]:
    """What :func:`weekly_review` as of ``as_of`` reads, from light records (``Log.light_records``):
    each record as its data without prose, but whole (through ``with_prose``, e.g.
    ``Log.with_prose``) where the review reads prose: the rationale of accepted imported
    decisions and the notes of the deck's inspections. On a big log that is a small share of it,
    and the rest need not be loaded whole."""
    out: list[Record | None] = []
    needed: list[Record] = []
    places: list[int] = []
    decode_links(records)
    since = deck_mod.first_week(as_of).isoformat()
    for r in records:
        if r.data is not None or r.error is not None:
            out.append(r)
        elif _reads_prose(r, since):
            places.append(len(out))
            needed.append(r)
            out.append(None)
        else:
            out.append(Record(r.path, r.kind, r.oid, data=r.links))
    for place, whole in zip(places, with_prose(needed), strict=True):
        out[place] = whole
    return [r for r in out if r is not None]


LIGHT_KINDS = ("owner", "mechanism", "correction", "narrative")  # few records: made whole from light


def review_view(view: StateView, as_of: dt.date,
                with_prose: Callable[[list[Record]], list[Record]]) -> tuple[list[Record], deck_mod.Readings]:
    """What :func:`review_records` gives, from the parse cache's snapshot queried in place
    (``Log.view``) instead of every light record, with the inspections' readings: the records
    of :func:`weekly_review` with ``readings``. Owners, mechanisms, corrections, narratives and
    decisions come as records (whole where the review reads their prose); inspections only as
    their readings, and as records only where the deck may show a note: those of the deck's
    weeks whose whole parse result names one (or that the cache has none of), and any that
    shares a proposed decision's ID (it may stand for that ID in the history's facts). Raises
    ``StaleView`` when the snapshot was replaced meanwhile."""
    from declog.domain.kinds import KINDS

    out: list[Record] = []
    for name in LIGHT_KINDS:
        out += [r if r.data is not None or r.error is not None else Record(r.path, r.kind, r.oid, data=r.links)
                for r in view.of_kind(name)]
    kind = KINDS["decision"]
    decisions = [Record(path, kind, oid, data=data) for path, oid, _, data in view.light_data("decision")]
    # _reads_prose of a decision, on its data (which holds no prose: no light copy to make)
    prose = [i for i, d in enumerate(decisions) if d.data is not None and d.data.get("status") == "accepted"
             and isinstance(d.data.get("source"), dict)]
    for i, whole in zip(prose, with_prose([_light(decisions[i]) for i in prose]), strict=True):
        decisions[i] = whole
    since = deck_mod.first_week(as_of).isoformat()
    rows = view.numbered_data("inspection")
    noted = [r for r in view.noted([seq for seq, data in rows if str(data.get("on")) >= since], "note")
             if r.id is not None and _reads_prose(r, since)]
    # the ID of a light record is its data's (Record.id): no other column is read; one without
    # an ID is no record of the review (_Log.of), and its readings none of readings_of
    per = deck_mod.readings_from(((data.get("on"), data.get("mechanism"), rid, data.get("readings"))
                                  for _, data in rows if isinstance(rid := data.get("id"), str)), as_of)
    # an inspection of a proposed decision's ID (which validate reports) that comes first in the
    # log's order is the record of that ID for the history's facts (LogFacts.by_id, first file
    # wins, whatever the kind): kept as records, as the light records keep every inspection
    proposed = {rid for d in decisions if d.data is not None and d.data.get("status") == "proposed"
                and isinstance(rid := d.data.get("id"), str)}
    shared = {rid for _, data in rows if isinstance(rid := data.get("id"), str) and rid in proposed}
    kept = {r.path for r in noted}
    shadows = [r if r.data is not None or r.error is not None else Record(r.path, r.kind, r.oid, data=r.links)
               for r in view.with_ids(shared) if r.kind.name == "inspection" and r.path not in kept] if shared else []
    records = [*out, *decisions, *with_prose(noted), *shadows]
    # in the log's order, as the light records come (the snapshot's is the walk's: by path, part
    # by part), for the first-file-wins readers of the history's facts (LogFacts.by_id)
    records.sort(key=lambda r: log_order(r.path))
    return records, per


def _light(record: Record) -> Record:
    """A record of its light data (:func:`review_view`) as a light one, for ``Log.with_prose``."""
    return Record(record.path, record.kind, record.oid, light=record.data)


def _reads_prose(record: Record, notes_since: str) -> bool:
    kind = record.kind.name
    if kind == "decision":
        return record.link("status") == "accepted" and isinstance(record.link("source"), dict)
    return kind == "inspection" and deck_mod.shows_note(record, notes_since)


def weekly_review(records: Sequence[Record], as_of: dt.date, *, load_limit: int = DEFAULT_LOAD_LIMIT,
                  proposed_on: Mapping[str, dt.date] | None = None, changes: Retro | None = None,
                  readings: deck_mod.Readings | None = None) -> WeeklyReview:
    """The whole review as of ``as_of``. ``proposed_on`` (decision ID → the day it was first
    committed) orders the decisions awaiting a decision; ``changes`` is what git history says
    changed in the week up to ``as_of`` (``declog.history.retro``), when there is history.
    ``readings``: the inspections' readings as of ``as_of`` (``deck.readings_from``), when they
    were read without records (:func:`review_view`); then ``records`` need hold only the
    inspections whose notes the deck may show."""
    log = _Log.of(records)
    per = readings if readings is not None else deck_mod.readings_of(log.inspections, as_of)
    result = WeeklyReview(as_of)
    result.overdue_inspections = overdue_inspections(log, per, as_of)
    result.off_target = off_target(log, per)
    result.awaiting = awaiting(log, as_of, proposed_on or {})
    result.due_for_review = due_for_review(log, as_of)
    result.overdue_actions = overdue_actions(log, as_of)
    result.imported_without_rationale = imported_without_rationale(log)
    result.load = owner_load(records, load_limit, _log=log)
    result.changes = changes
    week_start = result.since
    result.inspections_this_week = sum(1 for items in per.values() for on, _, _ in items if on >= week_start)
    result.deck = deck_mod.build(log.mechanisms, log.inspections, as_of, per)
    return result

