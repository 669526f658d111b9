"""What only CI (or the pre-push stage) can see: this branch against the branch it will merge
into (``declog validate --against REF``).

* IDs and owner handles that REF took after this branch forked, which this branch took too;
* records this branch deleted that REF still has (and still points at, or changed meanwhile);
* with ``protect_accepted`` in the configuration: decisions accepted at the fork point whose
  substance this branch rewrote instead of superseding them.
"""

from __future__ import annotations

from collections.abc import Sequence

from declog.core.validate import Issue
from declog.domain.diff import substance_rewritten
from declog.history.git import Git
from declog.history.snapshot import TreeLog
from declog.storage import yamlio
from declog.storage.store import Log, Record


def _recreate(record: Record) -> str:
    """How to give a record a new identity (``set`` and ``edit`` never change one)."""
    if record.kind.id_field == "handle":
        return (f"re-create it under another handle (`declog new owner NEW-HANDLE --from-file {record.path}`), "
                "point its records at the new handle, then delete this file")
    return (f"re-create it with a fresh ID (delete its `id:` line, run `declog new {record.kind.name} "
            f"--from-file {record.path}`), then delete this file")


def _at(log: Log, record: Record, loc: Sequence[str | int], message: str, code: str) -> Issue:
    try:
        text = log.text_of(record)
        line, col = yamlio.locate(text, loc)
    except Exception:
        line, col = 1, 1
    return Issue(record.path, line, col, ".".join(map(str, loc)), message, code)


def _refs(record: Record) -> set[str]:
    data = record.data or {}
    out: set[str] = set()
    for key in ("supersedes", "related"):
        value = data.get(key)
        if isinstance(value, list):
            out.update(v for v in value if isinstance(v, str))
    if isinstance(data.get("superseded_by"), str):
        out.add(data["superseded_by"])
    return out


def against(log: Log, ref: str) -> list[Issue]:
    git = Git(log.repo)
    target = git.verify_commit(ref, "--against")
    head = git.head()
    base = git.merge_base(target, head) if head else None
    ours = [r for r in log.records() if r.id]
    theirs = [r for r in TreeLog(log, target, git).records() if r.id]
    base_log = TreeLog(log, base, git) if base else None
    at_base = {str(r.id): r for r in (base_log.records() if base_log else []) if r.id}
    their = {str(r.id): r for r in theirs}
    mine = {str(r.id): r for r in ours}
    issues: list[Issue] = []

    for rid, record in mine.items():
        if rid in at_base or rid not in their:
            continue
        other = their[rid]
        if other.path == record.path and other.oid == record.oid:
            continue  # the very same record arrived on both sides
        noun = "handle" if record.kind.id_field == "handle" else "ID"
        issues.append(_at(log, record, (record.kind.id_field,),
                          f"{noun} {rid} was also taken on {ref} after this branch forked ({other.path}); "
                          f"merging would duplicate it: {_recreate(record)}", "taken-on-target"))

    for rid, old in at_base.items():
        if rid in mine or rid not in their:
            continue
        other = their[rid]
        why = []
        if other.oid != old.oid:
            why.append(f"{ref} changed it since this branch forked")
        pointing = sorted(r.id or "" for r in theirs if rid in _refs(r) and r.id not in mine)
        if pointing:
            why.append(f"{ref}'s {', '.join(pointing)} still point at it")
        extra = f" ({'; '.join(why)})" if why else ""
        issues.append(Issue(old.path, 1, 1, "", f"{rid} is deleted on this branch but {ref} still has it{extra}; "
                            "deprecate or supersede it instead of deleting it", "deleted-here"))

    fields = log.config.protect_accepted
    if fields:
        for rid, record in mine.items():
            base_rec = at_base.get(rid)
            if base_rec is None or (base_rec.data or {}).get("status") != "accepted":
                continue
            if (record.data or {}).get("status") not in ("accepted", None):
                continue
            changed = substance_rewritten(base_rec.data, record.data, fields)
            if changed:
                issues.append(_at(log, record, (changed[0],),
                                  f"accepted decision rewritten ({', '.join(changed)} changed since {ref}); "
                                  f"record a new decision that supersedes {rid} instead "
                                  f"(declog new decision ... --supersedes {rid})", "rewritten"))
    return issues
