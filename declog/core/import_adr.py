"""``declog import adr``: a folder of markdown Architecture Decision Records into decisions.

Each ADR (adr-tools/Nygard, MADR 2-4, log4brains; see :mod:`declog.adr.parse`) becomes one
decision with a fresh ID, an alias such as ``ADR-0015`` and a ``source`` naming the markdown file.
What the markdown does not say is filled in and reported as a guess: a status read from free
text, a date from git (the commit that set the status, or the file's first commit), a rationale,
the door, the owner. ``Superseded by`` / ``Supersedes`` links become both sides of declog's
supersede link. Every record is checked (schema, lifecycle, and across the log) before any is
written; one problem and nothing is written. A file imported before (same ``source.path``) is
left alone. Nothing here prints: the command renders :class:`ImportReport`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from declog.adr.parse import ParsedAdr, parse
from declog.domain import clock, ids
from declog.domain.kinds import KINDS
from declog.errors import GitError, InvalidRecord, UsageError
from declog.storage import yamlio
from declog.storage.store import Log, Record
from declog.storage.transaction import Transaction

MARKDOWN_SUFFIXES = (".md", ".markdown")
MAX_MARKDOWN_BYTES = 1024 * 1024
TITLE_MAX = 300
TEXT_MAX = 100_000
TAG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
ALIAS_RE = re.compile(r"^[A-Za-z][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class Guess:
    """A field declog filled in because the ADR did not say it plainly."""

    field: str
    reason: str

    def as_json(self) -> dict[str, str]:
        return {"field": self.field, "reason": self.reason}


@dataclass
class FileOutcome:
    """What happened (or would happen) to one markdown file."""

    path: str  # relative to the repository root
    action: str  # imported | skipped | already-imported
    reason: str | None = None  # why it was skipped, or which record already holds it
    id: str | None = None
    record_path: str | None = None
    title: str | None = None
    format: str | None = None
    number: int | None = None
    alias: str | None = None
    status: str | None = None
    guesses: list[Guess] = field(default_factory=list)
    rationale: bool = False  # the record has one
    changes: list[str] = field(default_factory=list)  # --refresh: field-level changes
    kept: list[str] = field(default_factory=list)  # --refresh: fields changed in declog, left as they are

    def as_json(self) -> dict[str, Any]:
        return {
            "path": self.path, "action": self.action, "reason": self.reason, "id": self.id,
            "record_path": self.record_path, "title": self.title, "format": self.format, "number": self.number,
            "alias": self.alias, "status": self.status, "guesses": [g.as_json() for g in self.guesses],
            "changes": self.changes, "kept": self.kept,
        }


@dataclass
class ImportReport:
    """The outcome of one ``declog import adr``."""

    folder: str
    dry_run: bool
    files: list[FileOutcome] = field(default_factory=list)
    owners: list[dict[str, str]] = field(default_factory=list)  # created: handle, name, reason
    notes: list[str] = field(default_factory=list)  # numbering gaps, duplicates, links not followed
    problems: list[str] = field(default_factory=list)  # validation problems: nothing was written
    updated: list[dict[str, str]] = field(default_factory=list)  # records imported before: id, path, change
    written: bool = False

    @property
    def without_rationale(self) -> list[FileOutcome]:
        """Accepted imports whose ADR gives no rationale: their owners should write one."""
        return [f for f in self.of("imported") if f.status == "accepted" and not f.rationale]

    def of(self, action: str) -> list[FileOutcome]:
        return [f for f in self.files if f.action == action]

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        return {
            "folder": self.folder,
            "dry_run": self.dry_run,
            "written": self.written,
            "ok": self.ok,
            "counts": {a: len(self.of(a)) for a in ("imported", "refreshed", "unchanged", "already-imported",
                                                    "skipped")}
            | {"owners_created": len(self.owners),
               "guessed": sum(len(f.guesses) for f in self.files)},
            "files": [f.as_json() for f in self.files],
            "owners_created": self.owners,
            "updated": self.updated,
            "without_rationale": [f.id for f in self.without_rationale],
            "notes": self.notes,
            "problems": self.problems,
        }


@dataclass
class _Item:
    """A markdown ADR on its way to becoming a decision."""

    rel: str
    adr: ParsedAdr
    outcome: FileOutcome
    rid: str = ""
    status: str = "proposed"
    fields: dict[str, Any] = field(default_factory=dict)
    supersedes: list[str] = field(default_factory=list)
    superseded_by: str | None = None
    related: list[str] = field(default_factory=list)
    existing: Record | None = None  # --refresh: the record this file was imported as

    def guess(self, name: str, reason: str) -> None:
        self.outcome.guesses.append(Guess(name, reason))


# ---------------------------------------------------------------------------------------------


def markdown_files(target: Path) -> list[Path]:
    """The markdown files of ``target`` (a folder, searched recursively, or one file), sorted;
    hidden files and folders are skipped. A symlinked markdown file, and one file that is not
    markdown, are refused by name (a symlink is never followed)."""
    if target.is_symlink() and not target.is_dir():
        raise UsageError(f"{target}: is a symlink; declog imports only regular files: copy the ADR in")
    if target.is_file():
        if not target.name.lower().endswith(MARKDOWN_SUFFIXES):
            raise UsageError(f"{target}: not a markdown file (*.md); give an ADR or the folder that holds them")
        return [target]
    found = []
    for path in sorted(target.rglob("*")):
        parts = path.relative_to(target).parts
        if any(p.startswith(".") for p in parts) or not path.name.lower().endswith(MARKDOWN_SUFFIXES):
            continue
        if path.is_symlink():
            raise UsageError(f"{path}: is a symlink; declog imports only regular files: copy the ADR in")
        if path.is_file():
            found.append(path)
    return found


def alias_for(adr: ParsedAdr, rel: str) -> str | None:
    """``ADR-0015`` for a numbered ADR; for a log4brains file (no number) its file name, which
    is log4brains' own ID (``adr-20200101-use-markdown``)."""
    if adr.number is not None:
        return f"ADR-{adr.number:04d}"
    stem = rel.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-")
    alias = f"adr-{stem}"[:64].rstrip("-.")
    return alias if ALIAS_RE.match(alias) else None


def handle_for(name: str) -> str | None:
    """An owner handle for a name as an ADR writes it: ``Alice Smith`` → ``alice-smith``,
    ``@bob`` → ``bob``, ``carol@example.com`` → ``carol``; None for nothing usable."""
    text = name.strip().strip("[]{}()<>\"'`")
    if not text or text.startswith(("{", "[")):
        return None
    if "@" in text and not text.startswith("@"):
        text = text.split("@", 1)[0]
    text = text.lstrip("@")
    handle = ids.slug(text, max_length=ids.HANDLE_MAX)
    if handle == "untitled" or not handle[:1].isalpha():
        handle = f"p-{handle}" if handle != "untitled" else ""
    handle = handle[: ids.HANDLE_MAX].rstrip("-.")
    return handle if handle and ids.HANDLE_RE.match(handle) else None


def import_adrs(log: Log, target: Path, *, owner: str | None = None, door: str = "two-way",
                dry_run: bool = False, today: dt.date | None = None,
                tags: Sequence[str] = ("imported",), refresh: bool = False) -> ImportReport:
    """Import the ADRs under ``target``; with ``dry_run`` plan everything and write nothing.
    With ``refresh``, a file imported before updates its record where the markdown changed
    (:func:`_merge`): fields changed in declog since the import, the ID and aliases stay.

    Raises UsageError for bad input (no such folder, no owner to give the decisions);
    validation problems of the records it would write are in ``report.problems`` (nothing
    written)."""
    today = today or clock.today()
    for tag in tags:
        if not TAG_RE.match(tag):
            raise UsageError(f"--tag '{tag}' is not a tag: 1-64 letters, digits, '.', '_', '/' or '-', "
                             "starting with a letter or digit")
    target = target if target.is_absolute() else Path.cwd() / target
    if not target.exists():
        raise UsageError(f"{target}: no such folder or file; give the folder of your ADRs, e.g. doc/adr")
    try:
        target.resolve().relative_to(log.repo.resolve())
    except ValueError:
        raise UsageError(f"{target} is outside this repository; copy the ADRs in first so their history "
                         "and source paths stay with the log") from None
    report = ImportReport(folder=log.rel(target), dry_run=dry_run)
    files = markdown_files(target)
    if not files:
        raise UsageError(f"no markdown files (*.md) in {report.folder}: give the folder that holds your ADRs")

    decision_kind, owner_kind = KINDS["decision"], KINDS["owner"]
    records = log.records()
    by_source: dict[str, Record] = {}
    moved: dict[tuple[str, str, Any], list[Record]] = {}  # (file name, format, number): after a folder move
    for record in records:
        source = (record.data or {}).get("source") if record.kind is decision_kind else None
        if isinstance(source, dict) and isinstance(source.get("path"), str):
            by_source[source["path"]] = record
            key = (source["path"].rsplit("/", 1)[-1], str(source.get("format")), source.get("number"))
            moved.setdefault(key, []).append(record)
    owners = {r.id: r for r in records if r.kind is owner_kind and r.id}

    items: list[_Item] = []
    for path in files:
        rel = log.rel(path)
        outcome = FileOutcome(rel, "imported")
        report.files.append(outcome)
        if log.kind_of(path) is not None or _inside(path, log.config.root_dir):
            outcome.action, outcome.reason = "skipped", "inside the declog log folder"
            continue
        try:
            raw = path.read_bytes()
        except OSError as exc:
            outcome.action, outcome.reason = "skipped", f"cannot read it: {exc.strerror or exc}"
            continue
        if len(raw) > MAX_MARKDOWN_BYTES:
            outcome.action, outcome.reason = "skipped", f"{len(raw)} bytes: too big for an ADR"
            continue
        adr = parse(raw.decode("utf-8", "replace"), rel)
        outcome.title, outcome.format, outcome.number = adr.title or None, adr.format, adr.number
        if not adr.is_adr:
            outcome.action, outcome.reason = "skipped", adr.skip_reason
            continue
        outcome.alias = alias_for(adr, rel)
        previous = by_source.get(rel)
        if previous is None:  # the same file, in a folder that moved since it was imported
            same = moved.get((rel.rsplit("/", 1)[-1], adr.format, adr.number), [])
            if len(same) == 1 and not (log.repo / _source_path(same[0])).is_file():
                previous = same[0]
        if previous is not None and refresh and previous.id and previous.error is None:
            outcome.action, outcome.id, outcome.record_path = "unchanged", previous.id, previous.path
            items.append(_Item(rel, adr, outcome, rid=previous.id, existing=previous))
            continue
        if previous is not None:
            outcome.action, outcome.id, outcome.record_path = "already-imported", previous.id, previous.path
            outcome.reason = f"already imported as {previous.id} ({previous.path}); left alone"
            if _source_path(previous) != rel:
                outcome.reason += f"; it was {_source_path(previous)} then"
            continue
        items.append(_Item(rel, adr, outcome))

    _number_notes(report, [f for f in report.files if f.action != "skipped" and f.format != "log4brains"])
    if not items:
        return report

    taken = set(log.by_id())
    refreshed = {i.existing.path for i in items if i.existing is not None}
    if refreshed:  # linked as items, with their own IDs
        by_source = {p: r for p, r in by_source.items() if r.path not in refreshed}
    for item in items:
        if item.existing is not None:
            continue
        item.rid = ids.mint("D", taken)
        taken.add(item.rid)
        item.outcome.id = item.rid

    _statuses(items)
    _dates(log, items, today)
    new_owners = _owners(log, items, owners, owner, report)
    updates = _links(log, items, by_source, report)

    for item in items:
        item.fields = _fields(item, door, today, tags)
        item.outcome.status = item.fields["status"]
        item.outcome.rationale = "rationale" in item.fields
        if item.existing is None:
            path = log.new_path(decision_kind, item.rid, item.fields["title"])
            item.outcome.record_path = log.rel(path)

    owner_fields = [{"handle": h, "name": n} for h, n, _ in new_owners]
    changed = _changed_texts(log, updates, {r.id: r for r in by_source.values() if r.id})
    old = [i for i in items if i.existing is not None]
    items = [i for i in items if i.existing is None]
    changed += _refreshed(log, old)
    if not items and not changed:  # --refresh, and every record already says what its markdown says
        return report
    report.problems = _problems(log, items, owner_fields, changed)
    if report.problems or dry_run:
        return report
    _write(log, items, owner_fields, changed)
    report.written = True
    return report


def _source_path(record: Record) -> str:
    source = (record.data or {}).get("source")
    return str(source.get("path") or "") if isinstance(source, dict) else ""


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def _number_notes(report: ImportReport, numbered: list[FileOutcome]) -> None:
    by_number: dict[int, list[str]] = {}
    for f in numbered:
        if f.number is not None:
            by_number.setdefault(f.number, []).append(f.path)
    for number, paths in sorted(by_number.items()):
        if len(paths) > 1:
            report.notes.append(f"ADR {number} is used by {len(paths)} files ({', '.join(paths)}): each is imported, "
                                f"and the alias ADR-{number:04d} names all of them (use their IDs)")
    numbers = sorted(by_number)
    gaps = [n for n in range(numbers[0], numbers[-1] + 1) if n not in by_number] if numbers else []
    if gaps:
        shown = ", ".join(str(n) for n in gaps[:20]) + (" …" if len(gaps) > 20 else "")
        report.notes.append(f"numbering gap: no ADR {shown} (between {numbers[0]} and {numbers[-1]})")


def _statuses(items: list[_Item]) -> None:
    for item in items:
        adr = item.adr
        if adr.status is None:
            item.status = "proposed"
            if adr.status_raw:
                item.guess("status", f"'{adr.status_raw}' is not a status declog knows; imported as proposed")
            else:
                item.guess("status", "the ADR states no status; imported as proposed")
        else:
            item.status = adr.status
            if adr.status_guessed:
                item.guess("status", f"'{adr.status_raw}' read as {adr.status}")


def _dates(log: Log, items: list[_Item], today: dt.date) -> None:
    """``decided_on`` for every status but proposed: the ADR's date, else from git (the commit
    that set the current status, else the file's first commit), else today."""
    wanted = [i for i in items if i.status != "proposed" and (i.adr.date is None or i.adr.date_guessed)]
    found: dict[str, tuple[str, str]] = {}
    if wanted:
        found = _git_dates(log, wanted)
    for item in items:
        adr = item.adr
        if item.status == "proposed":
            continue
        if adr.date is not None and not adr.date_guessed:
            item.fields["decided_on"] = dt.date.fromisoformat(adr.date)
            continue
        if adr.date is not None:
            item.fields["decided_on"] = dt.date.fromisoformat(adr.date)
            item.guess("decided_on", f"'{adr.date_raw}' is ambiguous; read month first as {adr.date}")
            continue
        if item.rel in found:
            day, how = found[item.rel]
            item.fields["decided_on"] = dt.date.fromisoformat(day)
            what = f"no readable date in the ADR ('{adr.date_raw}')" if adr.date_raw else "the ADR has no date"
            item.guess("decided_on", f"{what}; {how}")
        elif adr.filename_date:
            item.fields["decided_on"] = dt.date.fromisoformat(adr.filename_date)
            item.guess("decided_on", "the ADR has no date; taken from its file name")
        else:
            item.fields["decided_on"] = today
            item.guess("decided_on", "the ADR has no date and git has no commit of it; today's date")


def _git_dates(log: Log, items: list[_Item]) -> dict[str, tuple[str, str]]:
    """``rel → (ISO date, how it was found)`` from ONE walk of the files' history."""
    try:
        from declog.history.git import Git
        from declog.history.source import source_histories

        git = Git(log.repo)
        histories = source_histories(git, git.head(), [i.rel for i in items])
    except (GitError, ImportError):
        return {}
    out: dict[str, tuple[str, str]] = {}
    for item in items:
        hist = histories.get(item.rel)
        if hist is None:
            continue
        versions = []  # newest first: (event, status of that version)
        for event in hist.events:
            content = hist.content(event.oid)
            if content is not None:
                versions.append((event, parse(content.decode("utf-8", "replace"), event.path).status or "proposed"))
        if not versions:
            continue
        # a superseded or deprecated decision was decided when it was accepted, if it ever was
        wanted = ["accepted", item.status] if item.status in ("superseded", "deprecated") else [item.status]
        chosen = None
        for status in wanted:
            newest = next((i for i, (_, s) in enumerate(versions) if s == status), None)
            if newest is None:
                continue
            oldest = newest
            while oldest + 1 < len(versions) and versions[oldest + 1][1] == status:
                oldest += 1
            chosen = (versions[oldest][0], status, oldest == len(versions) - 1)
            break
        if chosen is None:  # the status was set after the last commit
            chosen = (versions[-1][0], item.status, True)
        event, status, first = chosen
        rev = event.revision
        how = f"the file's first commit ({rev.short}, {rev.date})" if first \
            else f"the commit that made it {status} ({rev.short}, {rev.date}, {rev.author})"
        out[item.rel] = (rev.date, how)
    return out


def _owners(log: Log, items: list[_Item], owners: dict[str, Record], default: str | None,
            report: ImportReport) -> list[tuple[str, str, str]]:
    """Set owner, deciders and consulted on each item; return the owners to create."""
    create: dict[str, tuple[str, str]] = {}  # handle → (name, reason)

    def person(handle: str) -> bool:
        data = owners[handle].data or {}
        return data.get("kind", "person") == "person" and data.get("active", True) is not False

    need_default: list[_Item] = []
    for item in items:
        for name, values in (("deciders", item.adr.deciders), ("consulted", item.adr.consulted)):
            handles: list[str] = []
            for raw in values:
                handle = handle_for(raw)
                if handle is None:
                    continue
                if handle not in handles:
                    handles.append(handle)
                if handle not in owners and handle not in create:
                    create[handle] = (raw.strip()[:300] or handle, f"named in {name} of {item.rel}")
                if handle != raw.strip():
                    item.guess(name, f"'{raw.strip()}' as handle {handle}")
            if handles:
                item.fields[name] = handles
        chosen = next((h for h in item.fields.get("deciders", []) if h in owners and person(h)), None)
        if item.existing is not None:  # --refresh: the owner is declog's, never the markdown's
            item.fields["owner"] = (item.existing.data or {}).get("owner")
        elif chosen is not None:
            item.fields["owner"] = chosen
            item.guess("owner", f"the first of its deciders who is an owner in this log: {chosen}")
        else:
            need_default.append(item)
    if need_default:
        if default is None:
            raise UsageError(f"{len(need_default)} ADR(s) name no owner of this log (e.g. {need_default[0].rel}); "
                             "pass --owner HANDLE: the person who owns what the ADRs do not assign")
        handle = ids.check_handle(default.strip().lower() if default.strip() else default)
        if handle in owners:
            data = owners[handle].data or {}
            if data.get("kind") == "team":
                raise UsageError(f"--owner {handle} is a team; a single person must own each decision "
                                 f"(name its lead{', ' + str(data['lead']) if data.get('lead') else ''})")
            if data.get("active", True) is False:
                raise UsageError(f"--owner {handle} is no longer active; pass an active person")
        elif handle not in create:
            create[handle] = (handle, "the default owner (--owner) had no owner record")
        for item in need_default:
            item.fields["owner"] = handle
            item.guess("owner", f"the ADR names no owner of this log; the default owner {handle}")
    for handle, (name, reason) in create.items():
        report.owners.append({"handle": handle, "name": name, "reason": reason})
    return [(h, n, r) for h, (n, r) in create.items()]


def _links(log: Log, items: list[_Item], by_source: dict[str, Record],
           report: ImportReport) -> dict[str, dict[str, Any]]:
    """Supersede and other links between the imported ADRs and those imported before; returns
    the changes that records imported before need (ID → fields) for both sides to agree."""
    by_existing = {r.id: r for r in by_source.values() if r.id}
    updates: dict[str, dict[str, Any]] = {}
    by_name: dict[str, list[str]] = {}  # file name → IDs
    by_number: dict[tuple[str, int], list[str]] = {}  # (folder, number) → IDs
    new_ids = {i.rid: i for i in items}
    for item in items:
        _index(by_name, by_number, item.rel, item.adr.number, item.rid)
    for path, record in by_source.items():
        source = (record.data or {}).get("source") or {}
        if record.id:
            _index(by_name, by_number, path, source.get("number"), record.id)

    def target(item: _Item, name: str | None, number: int | None) -> str | None:
        folder = item.rel.rsplit("/", 1)[0] if "/" in item.rel else ""
        if name:
            base = name.split("#", 1)[0].rsplit("/", 1)[-1]
            found = by_name.get(base.lower(), [])
            if len(found) == 1:
                return found[0]
        if number is not None:
            found = by_number.get((folder, number), [])
            if len(found) == 1:
                return found[0]
        return None

    pairs: list[tuple[str, str, _Item, str]] = []  # (old, new, item whose text said so, the line)
    for item in items:
        for link in item.adr.links:
            other = target(item, link.target, link.number)
            if other is None or other == item.rid:
                if other is None:
                    report.notes.append(f"{item.rel}: '{link.text}' names no imported ADR; the link was not kept")
                continue
            if link.relation == "superseded_by":
                pairs.append((item.rid, other, item, link.text))
            elif link.relation == "supersedes":
                pairs.append((other, item.rid, item, link.text))
            elif other not in item.related:
                item.related.append(other)
    seen: set[tuple[str, str]] = set()
    for old, new, item, line in pairs:
        if (old, new) in seen:
            continue
        seen.add((old, new))
        old_item, new_item = new_ids.get(old), new_ids.get(new)
        if (new, old) in seen:
            report.notes.append(f"{item.rel}: '{line}' contradicts the link the other way; kept as related")
            _relate(item, new if item.rid == old else old)
            continue
        if old_item is None and new_item is not None:  # a new ADR replaces one imported before
            earlier = by_existing[old]
            data = earlier.data or {}
            if data.get("superseded_by") not in (None, new) or "superseded_by" in updates.get(old, {}):
                report.notes.append(f"{item.rel}: '{line}' names {old}, which is already superseded; "
                                    "kept as related")
                _relate(new_item, old)
                continue
            updates.setdefault(old, {}).update({"superseded_by": new, "status": "superseded"})
            if old not in new_item.supersedes:
                new_item.supersedes.append(old)
            report.updated.append({"id": old, "path": earlier.path,
                                   "change": f"superseded by {new} ({new_item.rel})"})
            continue
        if new_item is None and old_item is not None:  # a new ADR replaced by one imported before
            earlier = by_existing[new]
            if old_item.superseded_by not in (None, new):
                _relate(old_item, new)
                continue
            change = updates.setdefault(new, {})
            change["supersedes"] = [*change.get("supersedes", (earlier.data or {}).get("supersedes") or []), old]
            old_item.superseded_by = new
            if old_item.status != "superseded":
                old_item.guess("status", f"{earlier.path} supersedes it; status {old_item.status} → superseded")
                old_item.status = "superseded"
            report.updated.append({"id": new, "path": earlier.path, "change": f"supersedes {old} ({old_item.rel})"})
            continue
        if old_item is None or new_item is None:
            continue
        if old_item.superseded_by not in (None, new):
            report.notes.append(f"{old_item.rel}: also superseded by {new_item.rel}; "
                                f"kept as related (a decision has one superseded_by)")
            _relate(old_item, new)
            continue
        old_item.superseded_by = new
        if old not in new_item.supersedes:
            new_item.supersedes.append(old)
        if old_item.status != "superseded":
            old_item.guess("status", f"{new_item.rel} supersedes it; status {old_item.status} → superseded")
            old_item.status = "superseded"
    for item in items:
        if item.status == "superseded" and item.superseded_by is None:
            item.status = "deprecated"
            item.guess("status", "superseded, but by no ADR among the imported files; imported as deprecated")
        item.related = [r for r in item.related if r not in item.supersedes and r != item.superseded_by]
    return updates


def _relate(item: _Item, other: str) -> None:
    if other != item.rid and other not in item.related:
        item.related.append(other)


def _index(by_name: dict[str, list[str]], by_number: dict[tuple[str, int], list[str]], rel: str,
           number: Any, rid: str) -> None:
    by_name.setdefault(rel.rsplit("/", 1)[-1].lower(), []).append(rid)
    if isinstance(number, int):
        folder = rel.rsplit("/", 1)[0] if "/" in rel else ""
        by_number.setdefault((folder, number), []).append(rid)


def _clip(text: str | None, limit: int = TEXT_MAX) -> str | None:
    if text is None:
        return None
    text = text.strip()
    if not text:
        return None
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _fields(item: _Item, door: str, today: dt.date, tags: Sequence[str]) -> dict[str, Any]:
    """The record of one ADR: only what the ADR says (no filler), sections kept in order."""
    adr = item.adr
    title = " ".join(adr.title.split())
    if adr.title_guess:
        item.guess("title", adr.title_guess)
    if len(title) > TITLE_MAX:
        title = title[: TITLE_MAX - 1].rstrip() + "…"
        item.guess("title", f"shortened to {TITLE_MAX} characters")
    sections = [{"heading": _clip(s.heading, TITLE_MAX), "text": _clip(s.text)} for s in adr.sections]
    sections = [s for s in sections if s["heading"] and s["text"]]
    context = _clip(adr.context)
    if context is None and sections:  # a record needs a context: the ADR's first section is it
        first = sections.pop(0)
        context = _clip(f"## {first['heading']}\n\n{first['text']}")
        item.guess("context", f"the ADR has no Context section; its first section, '{first['heading']}'")
    elif context is None:
        context = title
        item.guess("context", "the ADR has no Context section, and no other section to take its place; its title")
    decision = _clip(adr.decision)
    rationale = _clip(adr.rationale)
    item.guess("door", f"ADRs do not record reversibility; {door}")
    options = []
    for opt in adr.options:
        entry: dict[str, Any] = {"title": _clip(opt.title, TITLE_MAX)}
        pros = [p for p in (_clip(x) for x in opt.pros) if p]
        cons = [c for c in (_clip(x) for x in opt.cons) if c]
        if pros:
            entry["pros"] = pros
        if cons:
            entry["cons"] = cons
        options.append(entry)
    tag_list = [t for t in tags if TAG_RE.match(t)]
    for raw in adr.tags:
        tag = re.sub(r"[^A-Za-z0-9._/-]+", "-", raw.strip()).strip("-")[:64]
        if tag and TAG_RE.match(tag) and tag not in tag_list:
            tag_list.append(tag)
    source: dict[str, Any] = {"path": item.rel, "format": adr.format}
    if adr.number is not None:
        source["number"] = adr.number
    source["imported_on"] = today
    if adr.status_raw and _plain_status(adr.status_raw) != item.status:
        source["status"] = _clip(" ".join(adr.status_raw.split()), TITLE_MAX)
    labels = {k: _clip(v, TITLE_MAX) for k, v in adr.labels if k != v.lower() and _clip(v, TITLE_MAX)}
    if labels:
        source["labels"] = labels
    out: dict[str, Any] = {
        "id": item.rid,
        "title": title,
        "status": item.status,
        "owner": item.fields.get("owner"),
        "door": door,
        "context": context,
        "decision": decision,
        "rationale": rationale,
        "options": options,
        "consequences": _clip(adr.consequences),
        "sections": sections,
        "decided_on": item.fields.get("decided_on"),
        "deciders": item.fields.get("deciders", []),
        "consulted": item.fields.get("consulted", []),
        "supersedes": item.supersedes,
        "superseded_by": item.superseded_by,
        "related": item.related,
        "tags": tag_list,
        "aliases": [item.outcome.alias] if item.outcome.alias else [],
        "source": source,
    }
    return {k: v for k, v in out.items() if v is not None and v != [] and v != ""}


# What `declog import adr --refresh` may update, when the record still holds what the import
# wrote there (or filler an earlier import wrote): everything the markdown says.
MANAGED = ("title", "status", "context", "decision", "rationale", "options", "consequences", "sections",
           "decided_on", "deciders", "consulted", "supersedes", "superseded_by", "related", "tags", "source")
# Text earlier versions of the importer wrote that the ADR never said.
FILLER = (re.compile(r"^Not stated separately in .*; see the decision text\.$", re.S),
          re.compile(r"^Imported from .*, which has no Context section\.$", re.S))


def _same(a: Any, b: Any) -> bool:
    import json

    return json.dumps(yamlio.to_plain(a), sort_keys=True, default=str) == \
        json.dumps(yamlio.to_plain(b), sort_keys=True, default=str)


def _filler(name: str, value: Any, data: dict[str, Any]) -> bool:
    if isinstance(value, str):
        return any(f.match(value.strip()) for f in FILLER) or (name == "decision" and value == data.get("title"))
    if name == "options" and isinstance(value, list):
        return any(isinstance(o, dict) and (str(o.get("why_not") or "").endswith(" was chosen.")
                                            or " was chosen because " in str(o.get("why_not") or "")
                                            or any(str(p).startswith("(neutral) ") for p in o.get("pros") or []))
                   for o in value)
    return False


def _imported_versions(log: Log, rids: list[str]) -> dict[str, dict[str, Any]]:
    """``ID → the record as the import first committed it``, for the records git has."""
    try:
        from declog.history import History

        hist = History(log)
    except (GitError, ImportError):
        return {}
    out: dict[str, dict[str, Any]] = {}
    try:
        oids: dict[str, str] = {}
        for rid in rids:
            created = hist.record(rid).created
            if created is not None and created.new_oid:
                oids[rid] = created.new_oid
        data = hist.data_of(list(oids.values())) if oids else {}
        out = {rid: d for rid, oid in oids.items() if (d := data.get(oid)) is not None}
    except GitError:
        return {}
    finally:
        hist.close()
    return out


def _merge(item: _Item, base: dict[str, Any] | None) -> dict[str, Any]:
    """The changes ``--refresh`` makes to a record imported before (field → new value, None to
    remove): a field the markdown now says otherwise, unless it was changed in declog since the
    import (then it is kept, and named in ``outcome.kept``); filler an earlier import wrote goes."""
    assert item.existing is not None
    current = dict(item.existing.data or {})
    planned = dict(item.fields)
    if isinstance(planned.get("source"), dict) and isinstance(current.get("source"), dict):
        planned["source"] = {**planned["source"], "imported_on": current["source"].get("imported_on")}
    changes: dict[str, Any] = {}
    for name in MANAGED:
        now, new = current.get(name), planned.get(name)
        if _same(now, new):
            continue
        if base is None or _same(now, base.get(name)) or _filler(name, now, current):
            changes[name] = new  # as the import wrote it: the markdown's say
        elif not _same(new, base.get(name)):  # changed on both sides: declog's stays, and is named
            item.outcome.kept.append(name)
    if "status" in changes and changes["status"] != "superseded" and "superseded_by" not in changes \
            and current.get("superseded_by"):
        changes["superseded_by"] = None
    return changes


def _refreshed(log: Log, items: list[_Item]) -> list[tuple[Record, str, str]]:
    """``(record, text now, text after)`` of the records ``--refresh`` changes; each outcome says
    what changes (field by field) and what is kept."""
    from declog.core.edit import field_names
    from declog.domain.diff import field_changes

    if not items:
        return []
    bases = _imported_versions(log, [i.rid for i in items])
    out = []
    for item in items:
        record = item.existing
        assert record is not None
        changes = _merge(item, bases.get(item.rid))
        if not changes:
            continue
        text = log.text_of(record)
        after = yamlio.set_fields(text, record.path, changes, field_names(record.kind))
        new_data = yamlio.to_plain(yamlio.load_record_text(after, record.path))
        item.outcome.action = "refreshed"
        item.outcome.changes = [c.text() for c in field_changes(yamlio.to_plain(record.data or {}), new_data)]
        out.append((record, text, after))
    return out


def _plain_status(raw: str) -> str:
    return " ".join(re.sub(r"[^\w\s-]", " ", raw).lower().split())


def _changed_texts(log: Log, updates: dict[str, dict[str, Any]],
                   existing: dict[str, Record]) -> list[tuple[Record, str, str]]:
    """``(record, text now, text after)`` of each record imported before that a link changes;
    only the fields named change (comments and layout stay)."""
    from declog.core.edit import field_names

    out = []
    for rid, changes in updates.items():
        record = existing[rid]
        if record.error is not None:
            raise UsageError(f"cannot link {rid}: {record.path}: {record.error.problem}")
        text = log.text_of(record)
        out.append((record, text, yamlio.set_fields(text, record.path, changes, field_names(record.kind))))
    return out


def _problems(log: Log, items: list[_Item], owner_fields: list[dict[str, Any]],
              changed: Sequence[tuple[Record, str, str]] = ()) -> list[str]:
    """Every problem of the would-be records, checked together against the whole log."""
    from declog.core.validate import cross_problems, schema_problems

    decision_kind, owner_kind = KINDS["decision"], KINDS["owner"]
    candidates: list[tuple[Record, str]] = []  # (record, markdown file it comes from)
    problems: list[str] = []
    for record, _, after in changed:
        data = yamlio.to_plain(yamlio.load_record_text(after, record.path))
        candidates.append((Record(record.path, record.kind, "", data=data), f"{record.path} ({record.id})"))
    for fields in owner_fields:
        rel = log.rel(log.new_path(owner_kind, fields["handle"], fields["handle"]))
        candidates.append((Record(rel, owner_kind, "", data=yamlio.to_plain(fields)), f"owner {fields['handle']}"))
    for item in items:
        assert item.outcome.record_path is not None
        candidates.append((Record(item.outcome.record_path, decision_kind, "", data=yamlio.to_plain(item.fields)),
                           item.rel))
    for record, origin in candidates:
        required = log.config.required.get(record.kind.name, [])
        for loc, message, _ in schema_problems(record.kind, dict(record.data or {}), required):
            where = ".".join(str(p) for p in loc)
            problems.append(f"{origin}: {where}: {message}" if where else f"{origin}: {message}")
    if problems:
        return problems
    origin_of = {r.path: o for r, o in candidates}
    pool = [*(r for r in log.records() if r.path not in origin_of), *(r for r, _ in candidates)]
    for record, loc, message, _code, _related in cross_problems(pool):
        if record.path in origin_of:
            where = ".".join(str(p) for p in loc)
            problems.append(f"{origin_of[record.path]}: {where}: {message}")
    return problems


def _write(log: Log, items: list[_Item], owner_fields: list[dict[str, Any]],
           changed: Sequence[tuple[Record, str, str]] = ()) -> None:
    """Write every record, or none, in one transaction (``declog.storage.transaction``): a record file
    changed since it was read, or a failure part-way, writes nothing."""
    from declog.core.edit import field_names, schema_path_for

    decision_kind, owner_kind = KINDS["decision"], KINDS["owner"]
    planned: list[tuple[Path, str]] = []
    for fields in owner_fields:
        path = log.new_path(owner_kind, fields["handle"], fields["handle"])
        planned.append((path, yamlio.render_new(fields, schema_path_for(log, owner_kind, path),
                                                field_names(owner_kind))))
    for item in items:
        path = log.new_path(decision_kind, item.rid, item.fields["title"])
        planned.append((path, yamlio.render_new(item.fields, schema_path_for(log, decision_kind, path),
                                                field_names(decision_kind))))
    with Transaction(log) as tx:
        log.invalidate()
        taken = set(log.by_id())
        clash = [i.rid for i in items if i.rid in taken] + [f["handle"] for f in owner_fields if f["handle"] in taken]
        if clash:
            raise UsageError(f"{', '.join(clash)} appeared in the log while importing (another declog process); "
                             "nothing was written: run the command again")
        for path, text in planned:
            tx.create(path, text)
        for record, _, after in changed:
            tx.replace(record, after)


def raise_problems(report: ImportReport) -> None:
    """An InvalidRecord naming the problems, for callers that want an exception."""
    if report.problems:
        raise InvalidRecord(f"{len(report.problems)} problem(s) in the records the import would write; "
                            f"nothing was written: {report.problems[0]}", report.problems)
