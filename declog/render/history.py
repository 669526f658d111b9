"""Rendering what git knows: history timelines, ``why`` answers, blame, retro, and the git facts
``show`` adds. Every function writes to the stream it is given; nothing here runs git."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from declog.core.facts import RecordFacts
    from declog.history import Revision
    from declog.history.timeline import Entry


def _dump(value: Any, out: TextIO) -> None:
    json.dump(value, out, ensure_ascii=False, indent=2)
    out.write("\n")


def revision_line(rev: Revision) -> str:
    return f"{rev.short}  {rev.date}  {rev.author}  {rev.subject}"


def source_entry_lines(entry: Entry, indent: str = "    ") -> list[str]:
    """A commit to the markdown file an imported record came from: ``[path] status: A → B``."""
    tag = f"{indent}[{entry.path}]"
    lines = []
    if entry.action == "created":
        lines.append(f"{tag} created" + (f" as {entry.status_raw}" if entry.status_raw else ""))
    elif entry.action == "deleted":
        lines.append(f"{tag} deleted")
    elif entry.action == "renamed":
        lines.append(f"{tag} renamed from {entry.old_path}")
    lines += [f"{tag} {change.text()}" for change in entry.changes]
    if entry.action == "changed" and not entry.changes:
        lines.append(f"{tag} edited" + (f" (status {entry.status_raw})" if entry.status_raw else ""))
    if entry.merge:
        lines.insert(0, f"{indent}(in the merge)")
    return lines


def entry_lines(entry: Entry, indent: str = "    ") -> list[str]:
    if entry.source:
        return source_entry_lines(entry, indent)
    lines = []
    if entry.action == "created":
        status = f" as {entry.status}" if entry.status else ""
        lines.append(f"{indent}created{status} ({entry.path})")
    elif entry.action == "boundary":
        status = f" as {entry.status}" if entry.status else ""
        lines.append(f"{indent}already here{status} at the shallow clone's boundary ({entry.path}): "
                     "earlier history is not in this clone")
    elif entry.action == "deleted":
        lines.append(f"{indent}deleted ({entry.path})")
    if entry.old_path and entry.old_path != entry.path and entry.action in ("moved", "changed"):
        lines.append(f"{indent}moved: {entry.old_path} → {entry.path}")
    if entry.unreadable is not None:
        lines.append(f"{indent}this version cannot be read as a record: {entry.unreadable}")
    elif entry.old_unreadable is not None:
        lines.append(f"{indent}the version before cannot be read as a record ({entry.old_unreadable}); "
                     "this one sets:")
    for change in entry.changes:
        lines.append(f"{indent}{change.text()}")
    if not lines and entry.action == "changed":
        lines.append(f"{indent}(no field changed: comments or layout only)")
    if entry.merge and entry.changes:
        lines.insert(0, f"{indent}(resolved in the merge)")
    return lines


def entry_heading(entry: Entry) -> str:
    if entry.revision is None:
        return "uncommitted (working tree)" if entry.stage == "uncommitted" else "staged (not committed yet)"
    return revision_line(entry.revision)


def history_text(rid: str, title: str, path: str | None, entries: Sequence[Entry], linked: Sequence[Revision],
                 trailer: str, out: TextIO, partial: str | None = None) -> None:
    out.write(f"{rid}  {title}\n")
    if path:
        out.write(f"  {path}\n")
    if partial:
        out.write(f"  (partial: {partial})\n")
    out.write("\n")
    if not entries:
        out.write("  no commits have touched this record yet\n")
    for entry in entries:
        out.write(entry_heading(entry) + "\n")
        for line in entry_lines(entry):
            out.write(line + "\n")
    out.write(f"\nLinked commits ({trailer}: {rid}): {len(linked)}\n")
    for rev in linked:
        out.write(f"  {revision_line(rev)}\n")


def history_json(rid: str, title: str, path: str | None, entries: Sequence[Entry], linked: Sequence[Revision],
                 out: TextIO, partial: str | None = None) -> None:
    doc: dict[str, Any] = {"id": rid, "title": title, "path": path, "changes": [e.as_json() for e in entries],
                           "linked_commits": [r.as_json() for r in linked]}
    if partial:
        doc["partial"] = partial  # only in a shallow clone whose history stops before the record began
    _dump(doc, out)


def git_facts(f: RecordFacts) -> dict[str, Any]:
    """What ``show`` adds: created by/when, decided by/when (``source``: the markdown file of an
    imported decision, when its history says who accepted it), who rejected, superseded or
    deprecated it, last changed, linked commits (records with a letter ID: trailers name those)."""
    facts: dict[str, Any] = {}
    if f.created is not None:
        facts["created"] = {"by": f.created.author, "on": f.created.date, "commit": f.created.oid}
    if f.decided is not None:
        facts["decided"] = {"by": f.decided.author, "on": f.decided.date, "commit": f.decided.oid}
        if f.decided_in:
            facts["decided"]["source"] = f.decided_in
    if f.ended is not None and f.ended_as:  # who rejected, superseded or deprecated it, and when
        facts[f.ended_as] = {"by": f.ended.author, "on": f.ended.date, "commit": f.ended.oid,
                             "subject": f.ended.subject}
    if f.last_changed is not None:
        facts["last_changed"] = {"by": f.last_changed.author, "on": f.last_changed.date,
                                 "commit": f.last_changed.oid, "subject": f.last_changed.subject}
    if f.record.kind.letter:
        facts["linked_commits"] = len(f.linked)
    facts["uncommitted_changes"] = f.uncommitted
    if f.partial:
        facts["history_partial"] = f.partial  # a shallow clone: where the record began is not known
    return facts


def git_facts_text(facts: dict[str, Any], out: TextIO) -> None:
    out.write("\n")
    created = facts.get("created")
    if created:
        out.write(f"created: {created['on']} by {created['by']} ({created['commit'][:10]})\n")
    elif facts.get("history_partial"):
        out.write("created: before this shallow clone's history begins (fetch more with git fetch --unshallow)\n")
    else:
        out.write("created: not committed yet\n")
    decided = facts.get("decided")
    if decided:
        source = f" in {decided['source']}" if decided.get("source") else ""
        out.write(f"decided: {decided['on']} by {decided['by']} ({decided['commit'][:10]}){source}\n")
    for status in ("rejected", "superseded", "deprecated"):
        ended = facts.get(status)
        if ended:
            out.write(f"{status}: {ended['on']} by {ended['by']} ({ended['commit'][:10]} {ended['subject']})\n")
    changed = facts.get("last_changed")
    if changed:
        out.write(f"last changed: {changed['on']} by {changed['by']} ({changed['commit'][:10]} {changed['subject']})\n")
    if "linked_commits" in facts:
        out.write(f"linked commits: {facts['linked_commits']}\n")
    if facts.get("uncommitted_changes"):
        out.write("uncommitted changes: yes\n")


# -- why -------------------------------------------------------------------------------------

def _wrap(text: str, indent: str, width: int = 96, first: str | None = None) -> list[str]:
    import textwrap

    # lines of one paragraph are joined before wrapping (block scalars keep the author's line
    # breaks); blank lines and list items ("- ", "* ", "1. ") start a new paragraph
    paragraphs: list[str] = []
    joinable = False
    for line in str(text).strip().splitlines() or [""]:
        stripped = line.strip()
        item = stripped[:2] in ("- ", "* ") or (stripped.split(". ", 1)[0].isdigit() and ". " in stripped)
        if stripped and joinable and not item:
            paragraphs[-1] += " " + stripped
        else:
            paragraphs.append(stripped)
        joinable = bool(stripped)
    lines: list[str] = []
    for para in paragraphs:
        lead = first if (first is not None and not lines) else indent
        lines.extend(textwrap.wrap(para, width=width, initial_indent=lead, subsequent_indent=indent) or [lead])
    return lines


def why_text(query: str, found: Sequence[Any], out: TextIO) -> None:
    for n, a in enumerate(found, 1):
        d = a.data
        r = a.record
        if not a.detailed:
            out.write(f"{n}. {r.id}  {r.title}  [{d.get('status')}, owner {d.get('owner')}]\n")
            for nxt in a.replaced_by[:1]:
                out.write(f"     superseded by {nxt.id}  {nxt.title} [{(nxt.data or {}).get('status')}]\n")
            continue
        out.write(f"{n}. {r.id}  {r.title}\n")
        out.write(f"   status {d.get('status')} · owner {d.get('owner')} · {d.get('door')} door · {r.path}\n")
        if a.decided is not None:
            source = f" [{a.decided_in}]" if a.decided_in else ""
            out.write(f"   decided {a.decided.date} by {a.decided.author} in {a.decided.short}"
                      f" ({a.decided.subject}){source}\n")
        elif d.get("decided_on"):
            out.write(f"   decided on {d.get('decided_on')}\n")
        ended = getattr(a, "ended", None)
        if ended is not None:
            out.write(f"   {d.get('status')} {ended.date} by {ended.author} in {ended.short} ({ended.subject})\n")
        if a.created is not None:
            out.write(f"   recorded {a.created.date} by {a.created.author}\n")
        for nxt in a.replaced_by:
            out.write(f"   superseded by {nxt.id}  {nxt.title} [{(nxt.data or {}).get('status')}]\n")
            if (nxt.data or {}).get("decision"):
                out.writelines(line + "\n" for line in _wrap(f"now: {(nxt.data or {}).get('decision')}", "     "))
            if (nxt.data or {}).get("rationale"):
                out.writelines(line + "\n" for line in _wrap(f"because: {(nxt.data or {}).get('rationale')}", "     "))
        for old in a.supersedes:
            out.write(f"   supersedes {old.id}  {old.title}\n")
        if d.get("decision"):
            out.write("   decision:\n")
            out.writelines(line + "\n" for line in _wrap(d["decision"], "     "))
        if d.get("rationale"):
            out.write("   why:\n")
            out.writelines(line + "\n" for line in _wrap(d["rationale"], "     "))
        rejected = a.rejected()
        if rejected:
            out.write("   rejected:\n")
            for o in rejected:
                out.writelines(line + "\n" for line in _wrap(f"{o.get('title')}: {o.get('why_not')}", "       ",
                                                                first="     - "))
        if a.linked:
            out.write(f"   linked commits ({len(a.linked)}):\n")
            for rev in a.linked[:5]:
                out.write(f"     {revision_line(rev)}\n")
            if len(a.linked) > 5:
                out.write(f"     … and {len(a.linked) - 5} more (declog history {r.id})\n")
        out.write("\n")


def why_json(query: str, found: Sequence[Any], out: TextIO, narratives: Sequence[Any] = (),
             ranker: str = "lexical") -> None:
    _dump({"query": query, "ranker": ranker, "results": [a.as_json() for a in found],
           "narratives": [n.as_json() for n in narratives]}, out)


def why_narratives_text(found: Sequence[Any], out: TextIO) -> None:
    """The narratives (PR/FAQs) behind a question, before the decisions."""
    if not found:
        return
    out.write("Narratives (PR/FAQ):\n")
    for n in found:
        d = n.record.data or {}
        out.write(f"  {n.record.id}  {n.record.title}\n")
        out.write(f"     status {d.get('status')} · owner {d.get('owner') or '?'} · {n.record.path}\n")
        for name in ("subtitle", "problem"):
            if d.get(name):
                out.writelines(line + "\n" for line in _wrap(f"{name}: {d[name]}", "       ", first="     "))
        for r in n.decisions:
            out.write(f"     led to {r.id}  {r.title} [{(r.data or {}).get('status')}]\n")
    out.write("\n")


# -- blame -----------------------------------------------------------------------------------

def blame_text(result: Any, out: TextIO) -> None:
    out.write(f"{result.target}\n")
    if result.note:
        out.write(f"  ({result.note})\n")
    if result.files and len(result.files) > 1:
        out.write(f"  {len(result.files)} files changed\n")
    out.write("\n")
    for g in result.decisions:
        data = g.fields
        title = g.title if g.record else "(not in the log)"
        status = f"  [{data.get('status')}, owner {data.get('owner')}]" if data else ""
        replaced = data.get("superseded_by") if isinstance(data.get("superseded_by"), str) else None
        out.write(f"{g.record_id}  {title}{status}{f'  → replaced by {replaced}' if replaced else ''}\n")
        for reason in g.reasons:
            out.write(f"    {reason.text}\n")


def blame_json(result: Any, out: TextIO) -> None:
    _dump(result.as_json(), out)


# -- retro -----------------------------------------------------------------------------------

def _retro_line(item: Any, titles: dict[str, str]) -> str:
    parts = [f"{item.record_id} {item.title}"]
    who = f"owner {item.owner}" if item.owner else ""
    if item.group in ("changed", "deleted"):
        what = f"{', '.join(item.fields)} changed" if item.fields and item.group == "changed" else item.group
        by = " and ".join(item.authors) if item.authors else "someone"
        parts.append(f"{what} by {by}, {item.commits} commit{'s' if item.commits != 1 else ''}")
    else:
        verb = {"decided": "accepted", "proposed": "proposed", "superseded": "superseded", "rejected": "rejected",
                "deprecated": "deprecated"}[item.group]
        was = f" (was {item.start_status})" if item.start_status and not item.created else ""
        new = "new, " if item.created and item.group != "proposed" else ""
        parts.append(f"{new}{verb} on {item.when.date} by {item.when.author}{was}")
    if item.replaced_by:
        parts.append(f"replaced by {item.replaced_by} {titles.get(item.replaced_by, '')}".rstrip())
    if who:
        parts.append(who)
    return " — ".join(parts)


def retro_text(result: Any, out: TextIO, titles: dict[str, str], markdown: bool = False) -> None:
    span = f"{result.since.isoformat()} to {result.until.isoformat()}"
    out.write(f"# Decisions from {span}\n\n" if markdown else f"Decisions from {span}\n")
    if result.empty:
        out.write("Nothing was decided or changed in this window.\n")
        return
    for key, label in result.labels:
        items = result.groups.get(key) or []
        if not items:
            continue
        if markdown:
            out.write(f"## {label} ({len(items)})\n\n")
            for item in items:
                line = _retro_line(item, titles).replace(f"{item.record_id} {item.title}",
                                                         f"**{item.record_id}** {item.title}", 1)
                out.write(f"- {line}\n")
                if item.group == "decided" and item.decision:
                    out.write(f"  - Decision: {' '.join(item.decision.split())}\n")
            out.write("\n")
        else:
            out.write(f"\n{label} ({len(items)})\n")
            for item in items:
                out.write(f"  {_retro_line(item, titles)}\n")
    handovers = [(item, h) for key, _ in result.labels for item in result.groups.get(key) or []
                 for h in getattr(item, "handovers", [])]
    if handovers:  # who now answers for what: read aloud with the rest
        out.write(f"## Owner handovers ({len(handovers)})\n\n" if markdown else f"\nOwner handovers ({len(handovers)})\n")
        for item, (old, new, rev) in sorted(handovers, key=lambda p: (p[1][2].time, p[0].record_id)):
            name = f"**{item.record_id}**" if markdown else item.record_id
            line = f"{name} {item.title} — {old} → {new} on {rev.date} by {rev.author}"
            out.write(f"- {line}\n" if markdown else f"  {line}\n")
        if markdown:
            out.write("\n")


def retro_json(result: Any, out: TextIO) -> None:
    _dump(result.as_json(), out)
