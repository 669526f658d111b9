"""Checking records: per file (YAML, schema, lifecycle, required fields) and across the log
(duplicate IDs, references, supersede links). Returns a :class:`Report`; prints nothing.

Per-file results are cached by blob OID (see ``declog.storage.cache``), so a warm run re-checks only
files whose content changed. Cross-record checks always read the whole log; when paths are
given (as the pre-commit hook does, possibly in batches) they only decide which problems are
reported: those in the given files and those that point at them, and records that cannot
produce such problems are skipped. On a big log the schema checks of the given files run in a
forked process meanwhile (see :class:`_CheckInParallel`).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from declog.domain.kinds import KINDS, Kind
from declog.storage import forking, yamlio
from declog.storage.cache import blob_oid, quiet_gc
from declog.storage.forking import Forked
from declog.storage.store import Log, Record


@dataclass(frozen=True)
class Issue:
    """One problem, pointing at a file, a 1-based line and column, and a field."""

    path: str
    line: int
    column: int
    field: str
    message: str
    code: str

    def format(self) -> str:
        where = f"{self.path}:{self.line}:{self.column}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Report:
    checked: int = 0
    issues: list[Issue] = field(default_factory=list)
    # paths given to check that are no record file of the log (outside its root, not .yaml, behind
    # a symlinked folder, not tracked by git where only tracked files count): repository-relative
    unchecked: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.issues

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "problem_count": len(self.issues),
            "problems": [i.as_json() for i in self.issues],
        }


def dotted(loc: Iterable[str | int]) -> str:
    return ".".join(str(p) for p in loc)


# -- per-record checks ---------------------------------------------------------------------

def _friendly(error: dict[str, Any], kind: Kind) -> str:
    etype = error.get("type", "")
    if etype == "missing":
        return "required field is missing"
    if etype == "extra_forbidden":
        return f"unknown field (not part of a {kind.name} record; check the spelling)"
    if etype == "string_pattern_mismatch":
        name = str(error["loc"][-1]) if error.get("loc") else ""
        if name in {"id", "supersedes", "superseded_by", "related"} or isinstance(error["loc"][-1], int):
            return f"{error.get('input')!r} is not a valid ID or handle"
        return f"{error.get('input')!r} has the wrong shape ({error.get('msg', '')})"
    msg = str(error.get("msg", "invalid value"))
    return msg.removeprefix("Value error, ")


def schema_problems(kind: Kind, typed: dict[str, Any], required: Sequence[str]) -> list[tuple[tuple[Any, ...], str, str]]:
    """Problems inside one parsed record: ``(loc, message, code)``. Imports the models."""
    from pydantic import ValidationError

    _check_required(kind.name, required)
    model = kind.model()
    out: list[tuple[tuple[Any, ...], str, str]] = []
    try:
        instance = model.model_validate(typed)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            code = "unknown-field" if err["type"] == "extra_forbidden" else "schema"
            out.append((tuple(err["loc"]), _friendly(dict(err), kind), code))
        instance = None
    if instance is not None:
        for problem in instance.rule_problems():
            out.append((problem.loc, problem.message, "lifecycle"))
        letter = kind.letter
        rid = typed.get(kind.id_field)
        if letter and isinstance(rid, str) and not rid.startswith(f"{letter}-"):
            out.append(((kind.id_field,), f"a {kind.name} ID starts with {letter}- (this file is in the {kind.name} folder)", "kind"))
    for name in required:
        value = typed.get(name)
        if value is None or value == [] or value == "":
            out.append(((name,), "required by this repository's configuration (.declog.yaml)", "required"))
    return out


def _located(text: str | None, path: str, problems: list[tuple[tuple[Any, ...], str, str]]) -> list[Issue]:
    """Issues for ``problems`` of one file, positioned with one parse of its text."""
    locs = [loc for loc, _, _ in problems]
    positions = yamlio.locate_many(text, locs) if text is not None else [(1, 1)] * len(locs)
    return [Issue(path, line, col, dotted(loc), message, code)
            for (loc, message, code), (line, col) in zip(problems, positions, strict=True)]


def _problem_key(record: Record) -> str:
    return f"{record.kind.name}:{record.oid}"


def check_record(log: Log, record: Record, known: dict[str, list[Any]] | None = None) -> list[Issue]:
    """File-level problems of one record (cached by OID and kind; ``known`` holds cached rows
    already fetched for a batch of records)."""
    if record.error is not None:
        err = record.error
        return [Issue(record.path, err.line or 1, err.column or 1, "", err.problem, "file")]
    key = _problem_key(record)
    if known is None:
        known = log.cache.problems_for([key])
    cached = known.get(key)
    if cached is not None:
        return [Issue(record.path, *row) for row in cached]
    typed = record.typed
    text: str | None = None
    if typed is None:
        try:
            text = log.text_of(record)
            typed = yamlio.load_record_text(text, record.path)
        except Exception as exc:  # changed under us: report it rather than crash
            return [Issue(record.path, 1, 1, "", str(exc), "file")]
    required = log.config.required.get(record.kind.name, [])
    problems = schema_problems(record.kind, typed, required)
    if problems and text is None:
        try:
            text = log.text_of(record)
        except Exception:
            text = None
    issues = _located(text, record.path, problems)
    if record.oid:
        log.cache.remember_problems(key, [[i.line, i.column, i.field, i.message, i.code] for i in issues])
    return issues


# -- cross-record checks --------------------------------------------------------------------

def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def cross_problems(records: Sequence[Record], focus: Collection[str] | None = None,
                   ) -> list[tuple[Record, tuple[Any, ...], str, str, set[str]]]:
    """Problems that need more than one record: ``(record, loc, message, code, related_paths)``.

    Reads only :attr:`Record.links` / :meth:`Record.link` (a record's fields without the prose
    of ``declog.storage.cache.HEAVY_FIELDS``), so that light records served from the cache give the same
    answers as freshly parsed ones; a check that needs one of those fields must take it out of
    HEAVY_FIELDS. With ``focus`` (paths),
    the records outside it that do not mention the ID of a record inside it are not examined
    (apart from supersede cycles): none of their problems is in or points at a focused file."""
    out: list[tuple[Record, tuple[Any, ...], str, str, set[str]]] = []
    by_id: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        if (rid := r.id) is not None:
            by_id[rid].append(r)
    focus_ids: set[str] = set()
    if focus is not None:
        focus_ids = {rid for r in records if r.path in focus and (rid := r.id) is not None}
    needles = [json.dumps(i) for i in focus_ids]
    for rid, group in by_id.items():
        if len(group) > 1:
            for r in group:
                others = [o.path for o in group if o is not r]
                out.append((r, (r.kind.id_field,), f"duplicate ID {rid}: also used by {', '.join(others)}",
                            "duplicate", set(others)))

    def one(rid: Any) -> Record | None:
        group = by_id.get(rid) if isinstance(rid, str) else None
        return group[0] if group else None

    owner_kind = KINDS["owner"]
    decision_kind = KINDS["decision"]
    mechanism_kind = KINDS["mechanism"]
    inspection_kind = KINDS["inspection"]
    correction_kind = KINDS["correction"]
    narrative_kind = KINDS["narrative"]

    def person_ref(r: Record, loc: tuple[Any, ...], handle: Any, *, accountable: bool) -> None:
        if not isinstance(handle, str):
            return
        target = one(handle)
        if target is None or target.kind is not owner_kind:
            out.append((r, loc, f"unknown owner '{handle}': add it with `declog new owner {handle} --name ...`",
                        "reference", set()))
            return
        data = target.links
        if accountable and data.get("kind") == "team":
            lead = data.get("lead")
            hint = f"name its lead, {lead}" if isinstance(lead, str) else "name one person"
            out.append((r, loc, f"'{handle}' is a team; a single person must own this ({hint})", "ownership",
                        {target.path}))
        elif accountable and data.get("active") is False:
            out.append((r, loc, f"owner '{handle}' is inactive: hand this record to an active person",
                        "ownership", {target.path}))

    def kind_ref(r: Record, loc: tuple[Any, ...], rid: Any, kinds: tuple[Kind, ...], what: str) -> Record | None:
        if not isinstance(rid, str):
            return None
        target = one(rid)
        if target is None or target.kind not in kinds:
            out.append((r, loc, f"'{rid}' does not resolve to any {what}", "reference",
                        {target.path} if target else set()))
            return None
        return target

    for r in records:
        if focus is not None and r.path not in focus:
            if not focus_ids:
                continue
            text = r.light_json
            if r.light is None and text is not None:  # most records: search the JSON text as is
                for needle in needles:
                    if needle in text:
                        break
                else:
                    continue
            if not r.mentions(focus_ids, needles):
                continue
        data = r.links
        if r.kind is owner_kind:
            team = data.get("team")
            if isinstance(team, str):
                t = one(team)
                if t is None or t.kind is not owner_kind or t.links.get("kind") != "team":
                    out.append((r, ("team",), f"'{team}' is not a team in this log", "reference",
                                {t.path} if t else set()))
            lead = data.get("lead")
            if isinstance(lead, str):
                person_ref(r, ("lead",), lead, accountable=True)
            continue
        if "owner" in data:
            person_ref(r, ("owner",), data.get("owner"), accountable=True)
        for name in ("deciders", "consulted"):
            for i, h in enumerate(_as_list(data.get(name))):
                person_ref(r, (name, i), h, accountable=False)
        for i, d in enumerate(_as_list(data.get("dissent"))):
            if isinstance(d, dict):
                person_ref(r, ("dissent", i, "who"), d.get("who"), accountable=False)
        for i, rv in enumerate(_as_list(data.get("reviews"))):
            if isinstance(rv, dict):
                person_ref(r, ("reviews", i, "reviewer"), rv.get("reviewer"), accountable=False)
        for i, rid in enumerate(_as_list(data.get("related"))):
            if isinstance(rid, str) and one(rid) is None:
                out.append((r, ("related", i), f"'{rid}' does not resolve to any record", "reference", set()))
        for i, origin in enumerate(_as_list(data.get("origin"))):
            kind_ref(r, ("origin", i), origin, (decision_kind, correction_kind), "decision or correction")
        for i, item in enumerate(_as_list(data.get("action_items"))):
            if isinstance(item, dict):
                person_ref(r, ("action_items", i, "owner"), item.get("owner"), accountable=True)
                kind_ref(r, ("action_items", i, "mechanism"), item.get("mechanism"), (mechanism_kind,), "mechanism")
        if r.kind is inspection_kind:
            person_ref(r, ("inspector",), data.get("inspector"), accountable=False)
            mechanism = kind_ref(r, ("mechanism",), data.get("mechanism"), (mechanism_kind,), "mechanism")
            readings = data.get("readings")
            if mechanism is not None and isinstance(readings, dict):
                names = [m.get("name") for group in ("input_metrics", "output_metrics")
                         for m in _as_list(mechanism.links.get(group)) if isinstance(m, dict)]
                for name in readings:
                    if name not in names:
                        known = ", ".join(str(n) for n in names) or "none"
                        out.append((r, ("readings", name), f"'{name}' is not a metric of {mechanism.id} "
                                    f"(its metrics: {known})", "reference", {mechanism.path}))
        if r.kind is narrative_kind:
            _narrative_links(r, data, one, kind_ref, out)
            continue
        if r.kind is not decision_kind:
            continue
        nid = data.get("narrative")
        if isinstance(nid, str) and _ID_SHAPE.match(nid):  # otherwise a path or URL, not checked
            story = one(nid)
            if story is None or story.kind is not narrative_kind:
                out.append((r, ("narrative",), f"'{nid}' does not resolve to any narrative (a narrative's ID, "
                            "or a path or URL of a document)", "reference", {story.path} if story else set()))
            elif r.id not in _as_list(story.links.get("decisions")):
                out.append((r, ("narrative",), f"one-sided link: {nid} does not list {r.id} in `decisions` "
                            f"(run `declog link {nid} {r.id}`)", "link", {story.path}))
        for i, old_id in enumerate(_as_list(data.get("supersedes"))):
            if not isinstance(old_id, str):
                continue
            old = one(old_id)
            if old is None or old.kind is not decision_kind:
                out.append((r, ("supersedes", i), f"'{old_id}' does not resolve to any decision", "reference", set()))
            elif old.links.get("superseded_by") != r.id:
                out.append((r, ("supersedes", i),
                            f"one-sided link: {old_id} does not say `superseded_by: {r.id}` "
                            f"(run `declog supersede {old_id} {r.id}`)", "link", {old.path}))
        new_id = data.get("superseded_by")
        if isinstance(new_id, str):
            new = one(new_id)
            if new is None or new.kind is not decision_kind:
                out.append((r, ("superseded_by",), f"'{new_id}' does not resolve to any decision", "reference", set()))
            elif r.id not in _as_list(new.links.get("supersedes")):
                out.append((r, ("superseded_by",),
                            f"one-sided link: {new_id} does not list {r.id} in `supersedes` "
                            f"(run `declog supersede {r.id} {new_id}`)", "link", {new.path}))
    out.extend(_cycles(records, by_id))
    return out


_ID_SHAPE = re.compile(r"^[A-Z]-[0-9a-z]{6}$")


def _narrative_links(r: Record, data: dict[str, Any], one: Any, kind_ref: Any,
                     out: list[tuple[Record, tuple[Any, ...], str, str, set[str]]]) -> None:
    """A narrative's links: each decision it led to names it back; each success metric that
    names a mechanism names one of that mechanism's metrics."""
    decision_kind, mechanism_kind = KINDS["decision"], KINDS["mechanism"]
    for i, did in enumerate(_as_list(data.get("decisions"))):
        target = kind_ref(r, ("decisions", i), did, (decision_kind,), "decision")
        if target is not None and target.links.get("narrative") != r.id:
            out.append((r, ("decisions", i), f"one-sided link: {did} does not say `narrative: {r.id}` "
                        f"(run `declog link {r.id} {did}`)", "link", {target.path}))
    for i, metric in enumerate(_as_list(data.get("success_metrics"))):
        if not isinstance(metric, dict) or metric.get("mechanism") is None:
            continue
        mechanism = kind_ref(r, ("success_metrics", i, "mechanism"), metric.get("mechanism"), (mechanism_kind,),
                             "mechanism")
        if mechanism is None:
            continue
        names = [m.get("name") for group in ("input_metrics", "output_metrics")
                 for m in _as_list(mechanism.links.get(group)) if isinstance(m, dict)]
        if metric.get("metric") not in names:
            known = ", ".join(str(n) for n in names) or "none"
            out.append((r, ("success_metrics", i, "metric"), f"'{metric.get('metric')}' is not a metric of "
                        f"{mechanism.id} (its metrics: {known})", "reference", {mechanism.path}))


def _cycles(records: Sequence[Record], by_id: dict[str, list[Record]]) -> list[tuple[Record, tuple[Any, ...], str, str, set[str]]]:
    edges: dict[str, list[str]] = {}
    decision_kind = KINDS["decision"]
    # An empty entry only matters when it replaces the links of another record with the same ID.
    unique = all(len(group) == 1 for group in by_id.values())
    for r in records:
        if r.kind is not decision_kind:
            continue
        if unique and r.light is None and r.light_json is not None and '"supersedes":' not in r.light_json:
            continue  # a light record that supersedes nothing: not even decoded
        if rid := r.id:
            edges[rid] = [x for x in _as_list(r.link("supersedes")) if isinstance(x, str) and x in by_id]
    out = []
    state: dict[str, int] = {}
    reported: set[frozenset[str]] = set()
    for start, first in edges.items():
        if not first or state.get(start):  # a decision that supersedes nothing is on no cycle
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        path: list[str] = []
        while stack:
            node, idx = stack.pop()
            if idx == 0:
                state[node] = 1
                path.append(node)
            nexts = edges.get(node, [])
            if idx < len(nexts):
                stack.append((node, idx + 1))
                nxt = nexts[idx]
                if state.get(nxt) == 1:
                    cycle = path[path.index(nxt):]
                    key = frozenset(cycle)
                    if key not in reported:
                        reported.add(key)
                        chain = " → ".join([*cycle, nxt])
                        members = {by_id[c][0].path for c in cycle}
                        for c in cycle:
                            rec = by_id[c][0]
                            out.append((rec, ("supersedes",), f"supersede cycle: {chain}", "cycle", members))
                elif not state.get(nxt):
                    stack.append((nxt, 0))
            else:
                state[node] = 2
                path.pop()
    return out


# -- the whole run --------------------------------------------------------------------------

def validate(log: Log, paths: Sequence[Path] | None = None,
             only: Collection[str] | Callable[[], Collection[str]] | None = None) -> Report:
    """Check the log. With ``paths``, report only problems in or pointing at those files.

    With ``only`` (repository-relative paths, e.g. the files git tracks, or what gives them
    once the log is read), every other file is left out of the log, as if it did not exist.
    """
    check_settings(log)
    with quiet_gc():
        return _validate(log, paths, only)


def check_settings(log: Log) -> None:
    """The field names that ``.declog.yaml`` lists (``required``, ``protect_accepted``) are
    fields of their record kinds, even for a log with no record yet. Checked against the plain
    table :data:`declog.domain.fieldnames.FIELDS`, so Pydantic is not imported for it."""
    from declog.domain.fieldnames import FIELDS
    from declog.errors import UsageError

    for kind_name, names in log.config.required.items():
        _check_required(kind_name, names)
    decision = FIELDS["decision"]
    unknown = [name for name in log.config.protect_accepted if name not in decision]
    if unknown:
        raise UsageError(f".declog.yaml: protect_accepted: a decision has no field {', '.join(map(repr, unknown))} "
                         f"(fields: {', '.join(decision)})")


def _check_required(kind_name: str, names: Sequence[str]) -> None:
    from declog.domain.fieldnames import FIELDS
    from declog.errors import UsageError

    fields = FIELDS[kind_name]
    unknown = [name for name in names if name not in fields]
    if unknown:
        raise UsageError(f".declog.yaml: required: {kind_name} has no field {', '.join(map(repr, unknown))} "
                         f"(fields: {', '.join(fields)})")


def _validate(log: Log, paths: Sequence[Path] | None,
              only: Collection[str] | Callable[[], Collection[str]] | None = None) -> Report:
    helper = _CheckInParallel.start(log, paths) if paths else None
    if not paths and only is None:
        _parse_in_parallel(log)
    records = log.light_records()
    if only is not None:
        tracked = only() if callable(only) else only
        records = [r for r in records if r.path in tracked]
    if paths:
        wanted = {log.rel(p) for p in paths}
        targets = [r for r in records if r.path in wanted]
    else:
        wanted = None
        targets = list(records)
    report = Report(checked=len(targets))
    if wanted is not None:
        report.unchecked = sorted(wanted - {r.path for r in targets})
    # the checks across records first: the forked child's schema checks (helper) run meanwhile
    found: dict[str, tuple[Record, list[tuple[tuple[Any, ...], str, str]]]] = {}
    for record, loc, message, code, related in cross_problems(records, wanted):
        if wanted is not None and record.path not in wanted and not (related & wanted):
            continue
        found.setdefault(record.path, (record, []))[1].append((loc, message, code))
    for path, (record, problems) in found.items():  # each file parsed once, however many problems
        try:
            text: str | None = log.text_of(record)
        except Exception:
            text = None
        report.issues.extend(_located(text, path, problems))
    if helper is not None:
        helper.collect(log)
    known = log.cache.problems_for(_problem_key(r) for r in targets if r.error is None)
    for record in targets:
        report.issues.extend(check_record(log, record, known))
    log.cache.save()
    report.issues.sort(key=lambda i: (i.path, i.line, i.column, i.field))
    return report


# -- the pre-commit hook on a big log -------------------------------------------------------

PARALLEL_MIN_RECORDS = 2000


def _pydantic_loaded() -> bool:
    import sys

    return "pydantic" in sys.modules


class _CheckInParallel:
    """Schema checks of the given files in a forked process while this one reads the log.

    On a 10,000-record log the hook spends about as long importing Pydantic and checking a few
    changed files as reading and cross-checking the whole log; side by side on two cores they
    take the time of the longer one. The child checks exactly the bytes this process hashed, with
    the same :func:`check_record`, and hands back the problem rows that would be cached for their
    OIDs; a file changed in between simply has another OID and is checked here. Only where a
    fork is safe and has a core to run on (:func:`declog.storage.forking.can_fork`), on a log of
    at least PARALLEL_MIN_RECORDS records, Pydantic not imported yet (else the parent is as fast).
    Any failure of the child only means the checks run here, as without it.
    """

    def __init__(self, child: Forked) -> None:
        self.child = child

    @classmethod
    def start(cls, log: Log, paths: Sequence[Path]) -> _CheckInParallel | None:
        import os

        if _pydantic_loaded() or not forking.can_fork() or log.cache.file_count() < PARALLEL_MIN_RECORDS:
            return None

        todo: list[tuple[str, Kind, str, bytes]] = []
        for path in paths:
            try:
                if os.stat(path).st_size > log.config.max_file_bytes:
                    continue
                with open(path, "rb") as handle:
                    raw = handle.read()
            except OSError:
                continue
            todo.append((log.rel(path), log.kind_of(path) or KINDS["decision"], blob_oid(raw, log.cache.object_format), raw))
        cached = log.cache.problems_for(f"{kind.name}:{oid}" for _, kind, oid, _ in todo)
        todo = [t for t in todo if f"{t[1].name}:{t[2]}" not in cached]
        if not todo:
            return None

        parsed: list[Record] = []

        def parse_todo() -> list[Any]:  # in the child, first: what the parent's light read takes
            parsed.extend(log.parse_bytes(rel, kind, oid, raw) for rel, kind, oid, raw in todo)
            return [[r.oid, Log.entry_of(r)] for r in parsed]

        def check_todo() -> list[Any]:  # in the child, then: while the parent reads the log
            rows = []
            for record in parsed:
                if record.error is None:
                    issues = check_record(log, record, {})
                    rows.append([_problem_key(record), [[i.line, i.column, i.field, i.message, i.code]
                                                        for i in issues]])
            return rows

        child = forking.fork(check_todo, first=parse_todo)
        if child is None:
            return None
        helper = cls(child)
        log.cache.expect_blobs({oid for _, _, oid, _ in todo}, helper.parsed)
        return helper

    def parsed(self) -> dict[str, dict[str, Any]]:
        """OID → the parse cache's entry of each file the child parsed (nothing if it failed)."""
        body = self.child.first()
        try:
            return {str(oid): entry for oid, entry in json.loads(body)
                    if isinstance(entry, dict) and ("data" in entry or "error" in entry)} if body else {}
        except (ValueError, TypeError):
            return {}

    def collect(self, log: Log) -> None:
        """Wait for the child and cache what it found (nothing, if it failed)."""
        body = self.child.output()
        if body is None:
            return
        try:
            for key, rows in json.loads(body):
                log.cache.remember_problems(key, rows)
        except (ValueError, TypeError):
            return


# -- the whole log, cold ---------------------------------------------------------------------

def _parse_in_parallel(log: Log) -> None:
    """A cold check of the whole log on two cores (:meth:`Log.parse_in_parallel`), the forked
    child schema-checking what it parses too, so the check then runs as on a warm cache."""
    def check(record: Record) -> tuple[str, Any]:
        return _problem_key(record), [[i.line, i.column, i.field, i.message, i.code]
                                      for i in check_record(log, record, {})]

    log.parse_in_parallel(check=check, prepare=KINDS["decision"].model)  # Pydantic imported once, for both
