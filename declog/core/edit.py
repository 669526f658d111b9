"""Operations that change the log: create a record, set fields, supersede, replace after an
edit. Each validates the would-be record (schema, lifecycle, references) before anything is
written, and writes atomically. Nothing here prints or prompts."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from declog.core.validate import Issue, _located, cross_problems, schema_problems
from declog.domain import clock, ids
from declog.domain.kinds import KINDS, Kind
from declog.errors import InvalidRecord, UsageError
from declog.storage import yamlio
from declog.storage.store import Log, Record, atomic_write
from declog.storage.transaction import Transaction, write_all


def field_names(kind: Kind) -> list[str]:
    return list(kind.model().model_fields)


def required_fields(kind: Kind, fields: Mapping[str, Any], log: Log) -> list[str]:
    """Fields still needed before ``fields`` can be a valid record: the model's, those its
    lifecycle asks for at this status and door (the model's ``LIFECYCLE``, the same rules that
    validation checks), and the repository's own."""
    model = kind.model()
    needed = [name for name, info in model.model_fields.items()
              if info.is_required() and not (kind.letter and name == kind.id_field)]
    unmet = [need.field for need in model.unmet_needs(fields)]
    needed += [need.field for need in model.LIFECYCLE if need.field in unmet]
    needed += log.config.required.get(kind.name, [])
    return list(dict.fromkeys(name for name in needed if name in unmet or fields.get(name) in (None, "", [])))


def schema_path_for(log: Log, kind: Kind, path: Path) -> str:
    """Relative path from a record file to its JSON Schema, for the editor modeline."""
    target = log.config.root_dir / ".schemas" / f"{kind.name}.schema.json"
    return Path(os.path.relpath(target, path.parent)).as_posix()


def _issues_for(log: Log, kind: Kind, fields: dict[str, Any], path: str, text: str | None,
                extra: list[Record] | None = None, *, every: bool = False) -> list[Issue]:
    """Problems of ``fields`` as the record at ``path``. Schema problems alone stop the check,
    unless ``every``: then references and lifecycle rules are checked too, as ``validate``
    does, so that one round of ``declog edit`` shows every problem."""
    required = log.config.required.get(kind.name, [])
    problems = schema_problems(kind, fields, required)
    if problems and every:
        unknown = {loc[0] for loc, _, code in problems if code == "unknown-field" and len(loc) == 1}
        if unknown:  # the lifecycle rules of the record without its unknown fields
            seen = {(loc, message) for loc, message, _ in problems}
            known = {k: v for k, v in fields.items() if k not in unknown}
            problems += [p for p in schema_problems(kind, known, required)
                         if p[2] == "lifecycle" and (p[0], p[1]) not in seen]
    issues = _located(text, path, problems)
    if issues and not every:
        return issues
    candidate = Record(path, kind, "", data=yamlio.to_plain(fields))
    replaced = {r.path for r in (extra or [])} | {path}
    others = [r for r in log.records() if r.path not in replaced]
    pool = [*others, *(extra or []), candidate]
    mine = {path} | {r.path for r in (extra or [])}
    # problems of other records count only when this change causes them (`set bob active=false`
    # while bob still owns decisions); what was already broken elsewhere does not block an edit
    before = {(r.path, tuple(loc), message) for r, loc, message, _, related in cross_problems(log.records())
              if r.path not in mine and related & mine}
    for record, loc, message, code, related in cross_problems(pool):
        if record.path in mine:
            issues.extend(_located(text if record.path == path else None, record.path, [(loc, message, code)]))
        elif related & mine and (record.path, tuple(loc), message) not in before:
            try:
                other_text: str | None = log.text_of(record)
            except Exception:
                other_text = None
            issues.extend(_located(other_text, record.path,
                                   [(loc, f"{message} (this change would break {record.path})", code)]))
    return issues


def check_draft(log: Log, kind: Kind, text: str) -> list[Issue]:
    """Problems of the text of a record that does not exist yet (``new … --edit``)."""
    from declog.errors import RecordFileError

    try:
        data = yamlio.load_record_text(text, "draft")
    except RecordFileError as exc:
        return [Issue("draft", exc.line or 1, exc.column or 1, "", exc.problem, "file")]
    title = data.get(kind.title_field) or data.get(kind.id_field) or ""
    path = log.rel(log.new_path(kind, str(data.get(kind.id_field, "")), str(title)))
    return _issues_for(log, kind, data, path, text, every=True)


def _raise(issues: list[Issue], what: str) -> None:
    if issues:
        first = issues[0]
        detail = f"{first.field}: {first.message}" if first.field else first.message
        more = f" (and {len(issues) - 1} more)" if len(issues) > 1 else ""
        raise InvalidRecord(f"{what} is not valid: {detail}{more}", [i.format() for i in issues])


@dataclass
class Change:
    """One change to the log, written or only previewed: the record after it, its
    repository-relative path, the unified diff of its file, and whether it was written."""

    record: Record
    path: str
    diff: str
    written: bool



def unified_diff(path: str, before: str | None, after: str) -> str:
    """The unified diff of one file (``before`` None: a new file)."""
    import difflib

    lines = difflib.unified_diff((before or "").splitlines(keepends=True), after.splitlines(keepends=True),
                                 "/dev/null" if before is None else f"a/{path}", f"b/{path}")
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def create_change(log: Log, kind: Kind, fields: dict[str, Any], *, preview: bool = False) -> Change:
    """:func:`create`, or with ``preview`` only the file it would write and its diff: the same
    validation either way (a preview that passes is a write that passes, unless the log changes)."""
    if not preview:
        record = create(log, kind, fields)
        return Change(record, record.path, unified_diff(record.path, None, log.text_of(record)), True)
    path, text, _ = _planned(log, kind, fields, ())
    rel = log.rel(path)
    after = Record(rel, kind, "", data=yamlio.to_plain(yamlio.load_record_text(text, rel)))
    return Change(after, rel, unified_diff(rel, None, text), False)


def create(log: Log, kind: Kind, fields: dict[str, Any], supersedes: Sequence[Record] = ()) -> Record:
    """Validate and write a new record; mints its ID. Returns the record as written.

    With ``supersedes`` (decisions the new one replaces) both sides are linked, and every file
    involved is checked before any is written: a refused link leaves no new record behind."""
    path, text, olds = _planned(log, kind, fields, supersedes)
    rid = str(yamlio.load_record_text(text, log.rel(path))[kind.id_field])
    minted = bool(kind.letter) and fields.get("id") in (None, "")
    with Transaction(log) as tx:
        # another declog may have written meanwhile: a given ID or handle (a random one minted here
        # cannot meet another process's but by a one-in-a-billion chance, which `validate` reports:
        # not worth reading a 100,000-record log again for); the transaction checks the files
        # this one rewrites
        log.invalidate()
        if not minted and any(r.id == rid for r in log.light_records()):
            raise UsageError(f"ID {rid} was taken by another declog process meanwhile; nothing was written: "
                             "run the command again")
        tx.create(path, text)
        for old, old_text in olds:
            tx.replace(old, old_text)
    return log.read(path, kind)


def create_all(log: Log, kind: Kind, many: Sequence[dict[str, Any]]) -> list[Record]:
    """Validate and write several new records of ``kind`` in one transaction: every file is
    written, or none is (``declog import narrative``)."""
    plans = [_planned(log, kind, fields, ()) for fields in many]
    with Transaction(log) as tx:
        log.invalidate()
        taken = {r.id for r in log.light_records()}
        for path, text, _ in plans:
            rid = str(yamlio.load_record_text(text, log.rel(path))[kind.id_field])
            if rid in taken:
                raise UsageError(f"ID {rid} was taken by another declog process meanwhile; nothing was written: "
                                 "run the command again")
            tx.create(path, text)
    return [log.read(path, kind) for path, _, _ in plans]


def _planned(log: Log, kind: Kind, fields: dict[str, Any], supersedes: Sequence[Record]
             ) -> tuple[Path, str, list[tuple[Record, str]]]:
    """The path and text of a new record (its ID minted), and the new texts of the decisions it
    supersedes, all validated against the whole log; nothing is written."""
    fields = {k: v for k, v in fields.items() if v is not None and v != [] and v != ""}
    taken = set(log.by_id())
    if kind.letter:
        given = fields.get("id")
        if given is None:
            fields = {"id": ids.mint(kind.letter, taken), **fields}
        elif given in taken:
            raise UsageError(f"ID {given} is already taken in this log; leave `id` out to mint a new one")
    else:
        handle = fields.get(kind.id_field)
        if not isinstance(handle, str):
            raise UsageError(f"{_a(kind.name)} needs a `{kind.id_field}`")
        ids.check_handle(handle)
        if handle in taken:
            raise UsageError(f"'{handle}' already exists in this log; pick another handle")
    rid = str(fields[kind.id_field])
    path = log.new_path(kind, rid, str(fields.get(kind.title_field) or rid))
    rel = log.rel(path)
    missing = required_fields(kind, fields, log)
    if missing:
        raise InvalidRecord(f"missing required field(s) for {_a(kind.name)}: {', '.join(missing)}",
                            [f"{rel}: {m}: required field is missing" for m in missing])
    olds = _superseded(log, rid, supersedes)
    if olds:
        fields["supersedes"] = [*fields.get("supersedes", []), *(o.id for o, _ in olds if o.id not in
                                                               fields.get("supersedes", []))]
    olds = [*olds, *_narrative_backlinks(log, kind, rid, fields)]
    olds_after = [Record(o.path, o.kind, "", data=yamlio.to_plain(yamlio.load_record_text(t, o.path)))
                  for o, t in olds]
    _raise(_issues_for(log, kind, fields, rel, None, olds_after), f"the new {kind.name}")
    new_after = Record(rel, kind, "", data=yamlio.to_plain(fields))
    for (old, old_text), after in zip(olds, olds_after, strict=True):
        others = [new_after, *(a for a in olds_after if a is not after)]
        _raise(_issues_for(log, old.kind, yamlio.load_record_text(old_text, old.path), old.path, old_text, others),
               f"{old.id}")
    text = yamlio.render_new(fields, schema_path_for(log, kind, path), field_names(kind))
    return path, text, olds


def _superseded(log: Log, new_id: str, olds: Sequence[Record]) -> list[tuple[Record, str]]:
    """The new text of each decision that ``new_id`` replaces: superseded, and by whom."""
    out = []
    for old in olds:
        if old.kind is not KINDS["decision"]:
            raise UsageError("only decisions supersede decisions")
        current = (old.data or {}).get("superseded_by")
        if current and current != new_id:
            raise UsageError(f"{old.id} is already superseded by {current}; supersede {current} instead")
        if old.error is not None:
            raise UsageError(f"cannot change {old.path}: {old.error.problem}")
        text = yamlio.set_fields(log.text_of(old), old.path, {"superseded_by": new_id, "status": "superseded"},
                              field_names(old.kind))
        out.append((old, text))
    return out


def _narrative_backlinks(log: Log, kind: Kind, rid: str, fields: Mapping[str, Any]) -> list[tuple[Record, str]]:
    """A new decision whose `narrative` names a narrative by ID is added to that narrative's
    `decisions` in the same change (the link is checked both ways)."""
    nid = fields.get("narrative")
    if kind is not KINDS["decision"] or not isinstance(nid, str) or not ids.ID_RE.match(nid):
        return []
    story = log.find(nid, KINDS["narrative"])
    if story is None or story.error is not None or story.id != nid:
        return []  # validation reports what it does not resolve to
    listed = list((story.data or {}).get("decisions") or [])
    if rid in listed:
        return []
    text = yamlio.set_fields(log.text_of(story), story.path, {"decisions": [*listed, rid]}, field_names(story.kind))
    return [(story, text)]


def link_narrative(log: Log, narrative: Record, decisions: Sequence[Record]) -> list[Record]:
    """Link both sides: ``narrative.decisions += decision`` and ``decision.narrative = narrative``
    for each decision; every file is checked before any is written."""
    if narrative.kind is not KINDS["narrative"]:
        raise UsageError(f"{narrative.id} is not a narrative: `declog link` links a narrative (N-…) to the "
                         "decisions it led to")
    for d in (narrative, *decisions):
        if d.error is not None:
            raise UsageError(f"cannot change {d.path}: {d.error.problem}")
    listed = list((narrative.data or {}).get("decisions") or [])
    changed: list[tuple[Record, str]] = []
    for d in decisions:
        if d.kind is not KINDS["decision"]:
            raise UsageError(f"{d.id} is not a decision: a narrative leads to decisions")
        current = (d.data or {}).get("narrative")
        if isinstance(current, str) and current and current != narrative.id and ids.ID_RE.match(current):
            raise UsageError(f"{d.id} already names narrative {current}; a decision comes from one narrative")
        if isinstance(current, str) and current and current != narrative.id:
            raise UsageError(f"{d.id} already links a document as its narrative ({current}); a decision comes "
                             f"from one narrative: clear it first (`declog set {d.id} narrative=`)")
        if d.id not in listed:
            listed.append(str(d.id))
        if current != narrative.id:
            changed.append((d, yamlio.set_fields(log.text_of(d), d.path, {"narrative": narrative.id},
                                                 field_names(d.kind))))
    if listed != list((narrative.data or {}).get("decisions") or []):
        changed.insert(0, (narrative, yamlio.set_fields(log.text_of(narrative), narrative.path,
                                                        {"decisions": listed}, field_names(narrative.kind))))
    afters = [Record(r.path, r.kind, "", data=yamlio.to_plain(yamlio.load_record_text(t, r.path))) for r, t in changed]
    for (record, text), after in zip(changed, afters, strict=True):
        _raise(_issues_for(log, record.kind, yamlio.load_record_text(text, record.path), record.path, text,
                           [a for a in afters if a is not after]), f"{record.id}")
    write_all(log, replaces=changed)
    return [log.read(log.abs(r.path), r.kind) for r, _ in changed]


def parse_value(kind: Kind, name: str, raw: str) -> Any:
    """A command-line value for field ``name`` of ``kind``, typed the way the model expects."""
    model = kind.model()
    if name not in model.model_fields:
        known = ", ".join(model.model_fields)
        raise UsageError(f"'{name}' is not a field of a {kind.name} (fields: {known})")
    if name == kind.id_field:
        raise UsageError(f"`{name}` never changes: it is how declog follows the record through git")
    schema = model.model_json_schema()
    return _typed_value(name, schema["properties"][name], schema.get("$defs", {}), raw)


def _resolved(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with a ``$ref`` (to ``#/$defs/…``) followed, and an optional (``anyOf`` with
    null) unwrapped when one other type is left."""
    if "$ref" in schema:
        return _resolved(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
    members = [s for s in schema.get("anyOf", []) if s.get("type") != "null"]
    if len(members) == 1:
        return _resolved(members[0], defs)
    return schema


def _typed_value(name: str, schema: dict[str, Any], defs: dict[str, Any], raw: str) -> Any:
    schema = _resolved(schema, defs)
    types = {s.get("type") for s in schema.get("anyOf", [schema])}
    if raw == "":
        return None
    if "enum" in schema and raw not in schema["enum"]:
        choices = ", ".join(map(str, schema["enum"]))
        raise UsageError(f"{name} takes one of {choices}, not '{raw}'")
    if "array" in types:
        text = raw.strip()
        if text.startswith("{"):  # one item of a list of mappings: options+={title: X, why_not: Y}
            return [yamlio.load_record_text(f"v: {text}\n", f"--set {name}")["v"]]
        if text.startswith("["):
            value = yamlio.load_record_text(f"v: {text}\n", f"--set {name}")["v"]
            return value
        return [part.strip() for part in raw.split(",") if part.strip()]
    if "boolean" in types:
        lowered = raw.strip().lower()
        if lowered in ("true", "yes", "on", "1"):
            return True
        if lowered in ("false", "no", "off", "0"):
            return False
        raise UsageError(f"{name} takes true or false, not '{raw}'")
    if "object" in types or (not types - {None} and "$ref" in str(schema)):
        return yamlio.load_record_text(f"v: {raw}\n", f"--set {name}")["v"]
    if schema.get("format") == "date" or any(s.get("format") == "date" for s in schema.get("anyOf", [])):
        try:
            return dt.date.fromisoformat(raw.strip())
        except ValueError:
            raise UsageError(f"{name} takes an ISO date such as 2026-03-02, not '{raw}'") from None
    return raw


_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PART = re.compile(r"\[(\d+)\]|\.([A-Za-z_][A-Za-z0-9_]*)")


def parse_path(kind: Kind, text: str) -> tuple[str | int, ...]:
    """A field path such as ``action_items[0].status`` (0-based indexes, jq style) as a tuple
    ``("action_items", 0, "status")``, checked against the model: every name is a field where
    it stands, every index stands on a list."""
    text = text.strip()
    head = _PATH.match(text)
    if head is None:
        raise UsageError(f"'{text}' is not a field path: write fields as .name and list items as [0] "
                         "(e.g. action_items[0].status)")
    loc: list[str | int] = [head.group()]
    pos = head.end()
    while pos < len(text):
        part = _PART.match(text, pos)
        if part is None:
            raise UsageError(f"'{text}' is not a field path: write fields as .name and list items as [0] "
                             "(e.g. action_items[0].status)")
        loc.append(int(part.group(1)) if part.group(1) is not None else part.group(2))
        pos = part.end()
    leaf_schema(kind, tuple(loc))
    return tuple(loc)


def leaf_schema(kind: Kind, loc: tuple[str | int, ...]) -> dict[str, Any]:
    """The JSON Schema of the value at ``loc`` in a record of ``kind``; a usage error naming the
    fields that exist when a part of the path does not."""
    model = kind.model()
    top = str(loc[0])
    if top not in model.model_fields:
        raise UsageError(f"'{top}' is not a field of a {kind.name} (fields: {', '.join(model.model_fields)})")
    if top == kind.id_field:
        raise UsageError(f"`{top}` never changes: it is how declog follows the record through git")
    full = model.model_json_schema()
    defs = full.get("$defs", {})
    schema: dict[str, Any] = full["properties"][top]
    where = top
    for part in loc[1:]:
        schema = _resolved(schema, defs)
        if isinstance(part, int):
            if schema.get("type") != "array":
                raise UsageError(f"{where} is not a list: it has no item [{part}]")
            schema = schema.get("items", {})
            where += f"[{part}]"
        else:
            props = schema.get("properties")
            if schema.get("type") != "object" or not props:
                raise UsageError(f"{where} has no fields: '{part}' cannot be set in it")
            if part not in props:
                raise UsageError(f"'{part}' is not a field of {where} (fields: {', '.join(props)})")
            schema = props[part]
            where += f".{part}"
    return _resolved(schema, defs)


def parse_path_value(kind: Kind, loc: tuple[str | int, ...], raw: str) -> Any:
    """A command-line value for the field at ``loc``, typed the way the model expects."""
    defs = kind.model().model_json_schema().get("$defs", {})
    return _typed_value(yamlio.path_text(loc), leaf_schema(kind, loc), defs, raw)


class Changes(dict[str, Any]):
    """New top-level values of a record, and the assignments (``ops``: field, ``""``/``+``/``-``,
    parsed value) they came from, so that :func:`set_fields` can apply them again to a version of
    the record another process wrote meanwhile (``tags+=x`` adds to *that* version's tags)."""

    def __init__(self, ops: Sequence[tuple[str, str, Any]] = ()) -> None:
        super().__init__()
        self.ops = list(ops)


def parse_assignments(kind: Kind, current: Mapping[str, Any], assignments: list[str]) -> Changes:
    """``FIELD=VALUE``, ``FIELD+=ITEM`` and ``FIELD-=ITEM`` into new top-level values."""
    ops: list[tuple[str, str, Any]] = []
    for item in assignments:
        if "=" not in item:
            raise UsageError(f"'{item}' is not FIELD=VALUE (e.g. status=accepted, tags+=storage)")
        name, _, raw = item.partition("=")
        op = ""
        if name.endswith(("+", "-")):
            name, op = name[:-1], name[-1]
        name = name.strip()
        if "[" in name or "." in name:
            if op:
                raise UsageError(f"'{item}': += and -= take a top-level list field (tags+=x); "
                                 "set one item with FIELD[N].SUB=VALUE")
            loc = parse_path(kind, name)
            ops.append((str(loc[0]), "path", (loc, parse_path_value(kind, loc, raw))))
            continue
        ops.append((name, op, parse_value(kind, name, raw)))
    return apply_ops(current, ops)


def apply_ops(current: Mapping[str, Any], ops: Sequence[tuple[str, str, Any]]) -> Changes:
    """The new values that assignments give, starting from the record's ``current`` fields."""
    changes = Changes(ops)
    for name, op, value in ops:
        if op == "path":
            loc, leaf = value
            holder = {name: changes.get(name, current.get(name))}
            changes[name] = yamlio.apply_path(holder, loc, yamlio.to_plain(leaf), append=False)[name]
            continue
        if op:
            base = changes.get(name, current.get(name))
            base = list(base) if isinstance(base, list) else []
            items = value if isinstance(value, list) else [value]
            if op == "+":
                value = base + [v for v in items if v not in base]
            else:
                value = [v for v in base if v not in items]
            value = value or None
        changes[name] = value
    return changes


def update(log: Log, record: Record, changes: dict[str, Any], *, extra: list[Record] | None = None) -> str:
    """New text of ``record`` with ``changes`` applied, validated (not yet written)."""
    if record.error is not None:
        raise UsageError(f"cannot change {record.path}: {record.error.problem}")
    text = log.text_of(record)
    order = field_names(record.kind)
    ops = changes.ops if isinstance(changes, Changes) else []
    whole = {name for name, op, _ in ops if op != "path"}
    by_path = {name for name, op, _ in ops if op == "path"} - whole
    plain = {k: v for k, v in changes.items() if k not in by_path}
    new_text = yamlio.set_fields(text, record.path, plain, order) if plain else text
    for name, op, value in ops:  # one item's field: only its lines change
        if op == "path" and name in by_path and name in changes:
            new_text = yamlio.set_path(new_text, record.path, value[0], value[1], order)
    typed = yamlio.load_record_text(new_text, record.path)
    _raise(_issues_for(log, record.kind, typed, record.path, new_text, extra), f"{record.id}")
    return new_text


def set_fields(log: Log, record: Record, changes: dict[str, Any]) -> Record:
    """Apply ``changes`` under the log's write lock. If another process changed the file since
    ``record`` was read, the changes are applied to that newer version (assignments of
    :class:`Changes` again, other values only where the newer version left the field as it was)
    and validated again: concurrent ``declog set`` commands never lose each other's changes."""
    path = log.abs(record.path)
    with Transaction(log) as tx:
        current = log.read(path, record.kind)
        if current.oid != record.oid:
            changes = _rebased(record, current, changes)
            log.invalidate()
            record = current
        tx.replace(record, update(log, record, changes))
    return log.read(path, record.kind)


PathPlan = Callable[[Record], Sequence[tuple[tuple[str | int, ...], Any]]]


def edit_paths(log: Log, record: Record, plan: PathPlan, *, write: bool = True) -> tuple[str, str, Record]:
    """Apply the field-path changes ``plan`` gives for a record (``(("action_items", 0, "status"),
    "done")``; an index equal to a list's length appends), changing only their lines, and
    validate the result against the whole log. With ``write`` the file is written under the
    write lock; if another process changed it meanwhile, ``plan`` runs again on that newer
    version. Returns the old text, the new text and the record after the change (as it would
    be, when not written)."""
    order = field_names(record.kind)

    def build(rec: Record) -> tuple[str, str, dict[str, Any]]:
        if rec.error is not None:
            raise UsageError(f"cannot change {rec.path}: {rec.error.problem}")
        text = log.text_of(rec)
        new_text = text
        for loc, value in plan(rec):
            new_text = yamlio.set_path(new_text, rec.path, loc, value, order)
        typed = yamlio.load_record_text(new_text, rec.path)
        _raise(_issues_for(log, rec.kind, typed, rec.path, new_text), f"{rec.id}")
        return text, new_text, typed

    old_text, new_text, typed = build(record)
    if not write:
        return old_text, new_text, Record(record.path, record.kind, "", data=yamlio.to_plain(typed))
    path = log.abs(record.path)
    with Transaction(log) as tx:
        current = log.read(path, record.kind)
        if current.oid != record.oid:
            log.invalidate()
            old_text, new_text, typed = build(current)
        if new_text != old_text:
            tx.replace(current, new_text)
    return old_text, new_text, log.read(path, record.kind)


def _rebased(stale: Record, fresh: Record, changes: dict[str, Any]) -> dict[str, Any]:
    if fresh.error is not None:
        return changes  # update() refuses it with the file's problem
    base, theirs = stale.data or {}, fresh.data or {}
    ops = changes.ops if isinstance(changes, Changes) else []
    again = apply_ops(theirs, ops)
    out = Changes(ops)
    for name, value in changes.items():
        if name in again:
            out[name] = again[name]
        elif theirs.get(name) == base.get(name):
            out[name] = value  # derived from a field nobody else touched (decided_on on accepting)
    return out


def supersede(log: Log, old: Record, new: Record, status: str = "superseded") -> tuple[Record, Record]:
    """Link both sides: ``new.supersedes += old`` and ``old.superseded_by = new``."""
    if old.kind is not KINDS["decision"] or new.kind is not KINDS["decision"]:
        raise UsageError("only decisions supersede decisions")
    if old.id == new.id:
        raise UsageError("a decision cannot supersede itself")
    old_data, new_data = old.data or {}, new.data or {}
    current = old_data.get("superseded_by")
    if current and current != new.id:
        raise UsageError(f"{old.id} is already superseded by {current}; supersede {current} instead")
    supersedes = list(new_data.get("supersedes") or [])
    if old.id not in supersedes:
        supersedes.append(old.id)
    new_changes = {"supersedes": supersedes}
    old_changes = {"superseded_by": new.id, "status": status}
    new_text = yamlio.set_fields(log.text_of(new), new.path, new_changes, field_names(new.kind))
    old_text = yamlio.set_fields(log.text_of(old), old.path, old_changes, field_names(old.kind))
    new_after = Record(new.path, new.kind, "", data=yamlio.to_plain(yamlio.load_record_text(new_text, new.path)))
    old_after = Record(old.path, old.kind, "", data=yamlio.to_plain(yamlio.load_record_text(old_text, old.path)))
    _raise(_issues_for(log, new.kind, yamlio.load_record_text(new_text, new.path), new.path, new_text, [old_after]),
           f"{new.id}")
    _raise(_issues_for(log, old.kind, yamlio.load_record_text(old_text, old.path), old.path, old_text, [new_after]),
           f"{old.id}")
    write_all(log, replaces=[(new, new_text), (old, old_text)])
    return log.read(log.abs(old.path), old.kind), log.read(log.abs(new.path), new.kind)


def check_text(log: Log, record: Record, text: str) -> list[Issue]:
    """Problems of ``text`` as the new content of ``record`` (for ``declog edit``)."""
    from declog.errors import RecordFileError

    try:
        raw = text.encode("utf-8")
        typed = yamlio.load_record_text(yamlio.decode(raw, record.path, log.config.max_file_bytes), record.path)
    except RecordFileError as exc:
        return [Issue(record.path, exc.line or 1, exc.column or 1, "", exc.problem, "file")]
    issues = _issues_for(log, record.kind, typed, record.path, text, every=True)
    old_id = record.id
    new_id = typed.get(record.kind.id_field)
    if old_id and new_id != old_id:
        issues.insert(0, Issue(record.path, *yamlio.locate(text, (record.kind.id_field,)), record.kind.id_field,
                               f"the ID never changes (was {old_id}): it is how declog follows the record", "id"))
    return issues


def replace_text(log: Log, record: Record, text: str) -> Record:
    """Write ``text`` over ``record`` if it is valid; raise with the problems otherwise."""
    _raise(check_text(log, record, text), f"{record.id}")
    path = log.abs(record.path)
    with Transaction(log) as tx:
        current = log.read(path, record.kind)
        if current.oid != record.oid:
            kept = _keep_unsaved(log, record, text)
            raise UsageError(f"{record.path} changed on disk while it was open in the editor (another declog "
                             f"process, an editor or git); not overwriting that change. Your version is in {kept}")
        tx.replace(current, text)
    return log.read(path, record.kind)


def _keep_unsaved(log: Log, record: Record, text: str) -> str:
    """Where the text of a refused ``declog edit`` was kept (so no typing is lost)."""
    target = (log.private_dir() or log.repo) / f"unsaved-{record.id or 'record'}.yaml"
    try:
        atomic_write(target, text)
    except OSError:
        return "no file (it could not be written): nothing was saved"
    return str(target)


def load_file_fields(path: Path, max_bytes: int) -> dict[str, Any]:
    """Fields from a YAML file given with ``--from-file`` (screened like any record)."""
    display = str(path)
    if path.is_dir():
        raise UsageError(f"{display} is a folder: give a YAML record file")
    if not path.is_file():
        raise UsageError(f"{display}: no such file")
    text = yamlio.read_text(path, display, max_bytes)
    return dict(yamlio.load_record_text(text, display))


def _a(noun: str) -> str:
    """``a decision``, ``an owner``."""
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def today() -> dt.date:
    return clock.today()


def date_the_decision(kind: Kind, current: Mapping[str, Any], changes: dict[str, Any]) -> None:
    """Deciding a decision dates it: when ``changes`` accept or reject a decision that has no
    ``decided_on`` (in ``current`` or in ``changes``), ``decided_on`` becomes today. ``current``
    is the record as it is (``{}`` for a new one)."""
    from declog.domain.models import Decision

    if kind.name == "decision" and changes.get("status") in Decision.DATED_BY \
            and "decided_on" not in changes and not current.get("decided_on"):
        changes["decided_on"] = today()
