"""``declog import narrative FILE…``: PR/FAQ markdown files into narrative records (read by
``declog.adr.prfaq``), each remembering its source file; every record is checked before any is
written, and a file imported before is left alone, so running it again is safe."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from declog.adr import prfaq
from declog.core import edit
from declog.domain import clock, ids
from declog.domain.kinds import KINDS
from declog.errors import UsageError
from declog.storage import yamlio
from declog.storage.store import Log, Record


@dataclass
class ImportedFile:
    path: str  # the markdown file, relative to the repository
    action: str  # imported | already-imported
    id: str = ""
    record_path: str = ""
    title: str = ""
    questions: int = 0
    unanswered: int = 0
    guesses: list[prfaq.Guess] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path, "action": self.action, "id": self.id, "record_path": self.record_path,
                "title": self.title, "questions": self.questions, "unanswered": self.unanswered,
                "guesses": [{"field": g.field, "reason": g.reason} for g in self.guesses]}


@dataclass
class NarrativeImport:
    files: list[ImportedFile] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    dry_run: bool = False
    written: bool = False

    def of(self, action: str) -> list[ImportedFile]:
        return [f for f in self.files if f.action == action]

    def as_json(self) -> dict[str, Any]:
        return {"dry_run": self.dry_run, "written": self.written, "files": [f.as_json() for f in self.files],
                "problems": self.problems}


def _repo_path(log: Log, path: Path) -> str:
    try:
        return path.resolve().relative_to(log.repo.resolve()).as_posix()
    except ValueError:
        raise UsageError(f"{path} is outside this repository: import a PR/FAQ kept in it") from None


def import_narratives(log: Log, paths: Sequence[Path], *, owner: str | None = None, status: str = "draft",
                      dry_run: bool = False, today: dt.date | None = None) -> NarrativeImport:
    """Import each markdown file of ``paths`` as a narrative (``status``, ``owner`` when given)."""
    report = NarrativeImport(dry_run=dry_run)
    if owner is not None:
        owner = log.resolve(owner, KINDS["owner"]).id
    kind = KINDS["narrative"]
    done: dict[str, Record] = {}
    for r in log.records():
        if r.kind is kind and isinstance(src := (r.data or {}).get("source"), dict) and isinstance(src.get("path"), str):
            done[src["path"]] = r
    taken = set(log.by_id())
    pending: list[tuple[ImportedFile, dict[str, Any]]] = []
    seen: set[str] = set()
    for path in paths:
        if path.is_dir():
            raise UsageError(f"{path} is a folder: give the PR/FAQ markdown files (e.g. docs/prfaq/*.md)")
        if not path.is_file():
            raise UsageError(f"{path}: no such file")
        rel = _repo_path(log, path)
        if rel in seen:
            continue
        seen.add(rel)
        if rel in done:
            old = done[rel]
            report.files.append(ImportedFile(rel, "already-imported", old.id or "", old.path, old.title))
            continue
        text = yamlio.read_text(path, rel, log.config.max_file_bytes)
        parsed = prfaq.parse(text, rel)
        rid = ids.mint("N", taken)
        taken.add(rid)
        fields: dict[str, Any] = {"id": rid, "title": parsed.fields["title"], "status": status}
        if owner is not None:
            fields["owner"] = owner
        fields.update({k: v for k, v in parsed.fields.items() if k != "title"})
        fields["source"] = {"path": rel, "imported_on": (today or clock.today()).isoformat()}
        faq = fields.get("faq") or []
        item = ImportedFile(rel, "imported", rid, log.rel(log.new_path(kind, rid, str(fields["title"]))),
                            str(fields["title"]), len(faq), sum(1 for q in faq if "answer" not in q),
                            parsed.guesses)
        pending.append((item, fields))
        report.files.append(item)
    for item, fields in pending:
        issues = edit._issues_for(log, kind, fields, item.record_path, None)
        report.problems += [f"{item.path}: {i.field}: {i.message}" if i.field else f"{item.path}: {i.message}"
                            for i in issues]
    if report.problems or dry_run:
        return report
    for (item, _), record in zip(pending, edit.create_all(log, kind, [f for _, f in pending]), strict=True):
        item.record_path = record.path
    report.written = bool(pending)
    return report
