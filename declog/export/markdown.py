"""``declog export markdown``: one readable markdown document per record, and an index.

The documents suit a docs site (MkDocs, GitHub's own rendering): every link between records is a
relative link between the exported files, and file names are stable (``<ID>-<slug>.md``)::

    index.md                         decisions grouped by status, then owners, mechanisms, corrections
    graph.md                         the supersede / related graph as a mermaid diagram
    D-573ejx-use-postgres-for-orders.md
    owners/alice.md
    mechanisms/M-dxywdh-weekly-deploy-review.md
    corrections/C-hdwnr5-orders-outage.md

Prose fields (context, decision, rationale …) are markdown already and are written as they
are; only a code fence left open is closed, so it cannot swallow the rest of the page. Titles,
names and values in tables are put on one line and escaped (``|``, ``[``, ``<`` …), so they
never break a table or a link. What git knows (who recorded and accepted a decision, when, and
a short history of its commits) comes from :class:`declog.history.History`: one walk of the
log's history and one ``git cat-file --batch`` for every record version shown, never a git
process per record.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from declog.domain.ids import slug
from declog.export import safe_name
from declog.render.markdown import cell as inline
from declog.render.markdown import code
from declog.render.markdown import table as _table

if TYPE_CHECKING:
    from declog.domain.kinds import Kind
    from declog.errors import RecordFileError
    from declog.history import History, RecordEvent, RecordHistory, Revision
    from declog.history.timeline import Entry
    from declog.storage.store import Log, Record

INDEX = "index.md"
GRAPH = "graph.md"
STATUS_ORDER: tuple[str, ...] = ("accepted", "proposed", "superseded", "deprecated", "rejected")
HISTORY_LIMIT = 20  # commits shown per record; older ones are counted
GRAPH_LIMIT = 300  # decisions drawn in graph.md; a bigger graph is left to `declog graph`
FOLDERS = {"owner": "owners", "mechanism": "mechanisms", "correction": "corrections", "narrative": "narratives"}


# -- text --------------------------------------------------------------------------------------

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def prose(text: Any) -> str:
    """A prose field as a markdown block: the author's markdown, with a code fence left open
    closed again, so nothing after it on the page turns into code."""
    body = str(text).replace("\r\n", "\n").replace("\r", "\n").strip("\n").rstrip()
    open_fence: str | None = None
    for line in body.split("\n"):
        match = _FENCE.match(line)
        if not match:
            continue
        fence = match.group(1)
        if open_fence is None:
            open_fence = fence
        elif fence[0] == open_fence[0] and len(fence) >= len(open_fence) and not line.strip()[len(fence):].strip():
            open_fence = None
    if open_fence is not None:
        body += "\n" + open_fence
    return body + "\n"


def _item(text: Any, bullet: str = "- ") -> str:
    """A list item whose text may have several lines (later lines indented under it)."""
    lines = prose(text).rstrip("\n").split("\n")
    pad = " " * len(bullet)
    return bullet + lines[0] + "".join("\n" + (pad + line if line else "") for line in lines[1:]) + "\n"


def _list(value: Any) -> list[Any]:
    """A list field's items; anything else (a broken record) as no items."""
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _short(text: str, limit: int = 240) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# -- file names and links ------------------------------------------------------------------------


def page_name(record: Record) -> str | None:
    """Where a record's document goes, relative to the output folder (None: no page of its own;
    inspections are listed on their mechanism's page)."""
    kind = record.kind.name
    rid = record.id or ""
    if kind == "inspection" or not rid:
        return None
    name = rid if safe_name(rid) else slug(rid)
    if kind == "owner":
        return f"owners/{name}.md"
    stem = f"{name}-{slug(record.title)}" if record.title else name
    folder = FOLDERS.get(kind)
    return f"{folder}/{stem}.md" if folder else f"{stem}.md"


def relative(from_page: str, to_page: str) -> str:
    """The link from one exported page to another (both relative to the output folder)."""
    here = from_page.split("/")[:-1]
    there = to_page.split("/")
    common = 0
    while common < len(here) and common < len(there) - 1 and here[common] == there[common]:
        common += 1
    return "/".join([".."] * (len(here) - common) + there[common:])


# -- the export ----------------------------------------------------------------------------------


@dataclass
class Pages:
    """The documents of an export (relative path → markdown) and the files left out."""

    pages: dict[str, str] = field(default_factory=dict)
    skipped: list[RecordFileError] = field(default_factory=list)


def _needs_diff(event: RecordEvent) -> bool:
    return event.action in ("changed", "moved") and event.old_oid != event.new_oid


def _summary(event: RecordEvent, data: dict[str, dict[str, Any] | None]) -> str | None:
    """What one commit did to a record, on one line (None: a merge that only combined both
    sides' edits, which the branch commits already show)."""
    from declog.domain.diff import field_changes, merge_changes

    if event.action == "created":
        return f"created as {event.status}" if event.status else "created"
    if event.action == "deleted":
        return "deleted"
    parts = []
    if event.old_path and event.old_path != event.path:
        parts.append(f"moved from {event.old_path}")
    if _needs_diff(event):
        old = data.get(event.old_oid) if event.old_oid else None
        new = data.get(event.new_oid) if event.new_oid else None
        if event.revision.is_merge and event.other_oids:
            changes = merge_changes(old, new, [data.get(o) for o in event.other_oids if o])
            if not changes and not parts:
                return None
        else:
            changes = field_changes(old, new)
        parts += [c.text() for c in changes]
    return "; ".join(parts) if parts else "comments or layout only"


def _source_summary(entry: Entry) -> str:
    """A commit to an imported decision's markdown ADR, in a few words."""
    what = "; ".join(change.text() for change in entry.changes)
    if entry.action == "created":
        what = "created" + (f" as {entry.status_raw}" if entry.status_raw else "")
    elif entry.action == "renamed":
        what = f"renamed from {entry.old_path}" + (f"; {what}" if what else "")
    elif entry.action == "deleted":
        what = "deleted"
    return f"[{entry.path}] {what or 'edited'}"


def _names_this(key: str) -> str:
    """How a record that links here names this one: ``names this as related``, ``… as its origin``."""
    if key == "related":
        return "names this as related"
    if key in ("supersedes", "superseded_by", "deciders", "consulted", "decisions"):
        return f"names this in {code(key)}"
    return f"names this as its {key.replace('_', ' ')}"


def _commit(rev: Revision) -> str:
    return f"{rev.date} by {inline(rev.author)} in `{rev.short}` ({inline(rev.subject)})"


class _Export:
    def __init__(self, log: Log, history: History | None, history_limit: int) -> None:
        self.log = log
        self.history = history
        self.limit = history_limit
        self.records: list[Record] = []
        self.skipped: list[RecordFileError] = []
        for record in log.records():
            if record.error is not None:
                self.skipped.append(record.error)
            elif record.id is not None:
                self.records.append(record)
        self.by_id: dict[str, Record] = {}
        self.page: dict[str, str] = {}
        taken: set[str] = set()
        for record in self.records:
            rid = record.id or ""
            if rid in self.by_id:
                continue  # a duplicate ID: validate reports it; the first file wins here
            self.by_id[rid] = record
            name = page_name(record)
            if name is None:
                continue
            stem, n = name[:-3], 1
            while name.lower() in taken:
                n += 1
                name = f"{stem}-{n}.md"
            taken.add(name.lower())
            self.page[rid] = name
        # who owns or decided what, found once for the whole log; links, chains, inspections and
        # what git knows come from the one record view (declog.core.facts)
        from declog.core.facts import LogFacts

        self.facts = LogFacts(self.by_id.values(), history)
        self.owned: dict[str, list[Record]] = {}
        self.decider_on: dict[str, list[Record]] = {}
        for record in self.by_id.values():
            d = record.data or {}
            if record.kind.name == "inspection":
                continue
            if record.kind.name != "owner" and isinstance(d.get("owner"), str):
                self.owned.setdefault(d["owner"], []).append(record)
            if record.kind.name == "decision":
                for who in dict.fromkeys(w for w in _list(d.get("deciders")) if isinstance(w, str)):
                    self.decider_on.setdefault(who, []).append(record)
        self.hist: dict[str, RecordHistory] = {}
        self.sources: dict[str, list[Entry]] = {}  # imported decision → commits to its markdown ADR
        self.entries: dict[str, list[tuple[Revision, str]]] = {}  # record ID → (commit, what changed)
        if history is not None:
            self._read_history(history)

    # -- git -------------------------------------------------------------------------------
    def _read_history(self, history: History) -> None:
        """Each record's history from the index, and a one-line summary of what each of its
        last commits changed. Only versions that a field-level comparison needs are read (the
        working tree's, already parsed, are reused): one ``git cat-file --batch`` for all."""
        shown: dict[str, list[RecordEvent]] = {}
        for rid, record in self.by_id.items():
            if record.kind.name == "inspection":
                continue
            rh = self.facts.of(rid).history
            assert rh is not None
            self.hist[rid] = rh
            if record.kind.name in ("decision", "mechanism", "correction", "narrative"):
                shown[rid] = rh.events[: self.limit]
        data: dict[str, dict[str, Any] | None] = {r.oid: r.data for r in self.records if r.oid and r.data is not None}
        wanted: dict[str, tuple[str, Kind]] = {}  # oid → the path and kind to parse it as
        for rid, events in shown.items():
            kind = self.by_id[rid].kind
            for e in events:
                if _needs_diff(e):
                    for oid in (e.old_oid, e.new_oid, *(e.other_oids if e.revision.is_merge else ())):
                        if oid and oid not in data:
                            wanted.setdefault(oid, (e.path, kind))
        raw = history.blobs(list(wanted))
        for oid, (path, kind) in wanted.items():
            content = raw.get(oid)
            data[oid] = self.log.parse_bytes(path, kind, oid, content).data if content is not None else None
        for rid, events in shown.items():
            rows = []
            for e in events:
                summary = _summary(e, data)
                if summary is not None:
                    rows.append((e.revision, summary))
            self.entries[rid] = rows
        self._read_sources(history)

    def _read_sources(self, history: History) -> None:
        """Imported records (decisions from ADRs, narratives from PR/FAQs, as on the site): the
        commits to their markdown file (one pass for all of them), in time order among the
        record's own rows."""
        self.sources = self.facts.sources()
        for rid, entries in self.sources.items():
            rows = [(e.revision, _source_summary(e)) for e in entries if e.revision is not None]
            merged = sorted([*self.entries.get(rid, []), *rows], key=lambda row: -row[0].time)
            self.entries[rid] = merged[: self.limit]

    # -- helpers ---------------------------------------------------------------------------
    def link(self, from_page: str, rid: Any, *, title: bool = True, status: bool = False) -> str:
        """A link to the record ``rid`` (plain text when it has no page here)."""
        if not isinstance(rid, str):
            return inline(rid)
        record = self.by_id.get(rid)
        target = self.page.get(rid)
        text = inline(rid)
        if record is not None and title and record.title and record.kind.name != "owner":
            text += ": " + inline(record.title)
        elif record is not None and record.kind.name == "owner" and title and record.title and record.title != rid:
            text = f"{inline(record.title)} ({inline(rid)})"
        out = f"[{text}]({relative(from_page, target)})" if target else text
        if status and record is not None and (record.data or {}).get("status"):
            out += f" ({inline((record.data or {})['status'])})"
        return out

    def links(self, from_page: str, values: Any, **kwargs: Any) -> str:
        if not isinstance(values, list):
            values = [values] if values else []
        return ", ".join(self.link(from_page, v, **kwargs) for v in values)

    def _related(self, page: str, rid: str, d: dict[str, Any]) -> str:
        """Records this one names as related, then the records that link to it
        (:func:`declog.core.facts.references`: the same "linked from" as the site's)."""
        names = [r for r in _list(d.get("related")) if isinstance(r, str)]
        back = [(other, key) for other, key in self.facts.backlinks(rid) if other not in names]
        if not names and not back:
            return ""
        out = "## Related\n\n" + "".join(f"- {self.link(page, r, status=True)}\n" for r in names)
        for other, key in back:
            out += f"- {self.link(page, other, status=True)}: {_names_this(key)}\n"
        return out + "\n"

    def _history_section(self, page: str, rid: str, kind: str) -> str:
        rh = self.hist.get(rid)
        if rh is None:
            return ""
        out = "## History\n\n"
        entries = self.entries.get(rid, [])
        if not rh.events:
            out += "Not committed yet.\n\n"
        else:
            rows = [[rev.date, inline(rev.author), f"`{rev.short}`", inline(rev.subject), inline(_short(summary))]
                    for rev, summary in entries]
            if rows:
                out += _table(["date", "author", "commit", "message", "change"], rows) + "\n"
            older = len(rh.events) - self.limit
            if older > 0:
                out += f"… and {older} older commit{'s' if older != 1 else ''} (`declog history {rid}`).\n\n"
        if kind == "decision" and rh.linked:
            out += f"Commits linked by a {code(self.log.config.trailer + ': ' + rid)} trailer ({len(rh.linked)}):\n\n"
            for rev in rh.linked[: self.limit]:
                out += f"- `{rev.short}` {rev.date} {inline(rev.author)}: {inline(rev.subject)}\n"
            if len(rh.linked) > self.limit:
                out += f"- … and {len(rh.linked) - self.limit} more\n"
            out += "\n"
        return out

    def _git_rows(self, rid: str, decision: bool) -> list[tuple[str, str]]:
        if rid not in self.hist:
            return []
        f = self.facts.of(rid)
        rows = []
        if decision and f.decided is not None:
            where = f", in `{f.decided_in}`" if f.decided_in else ""
            rows.append(("Decided (git)", _commit(f.decided) + where))
        if decision and f.ended is not None and f.ended_as:
            rows.append((f"{f.ended_as.capitalize()} (git)", _commit(f.ended)))
        if f.created is not None:
            rows.append(("Recorded", _commit(f.created)))
        else:
            rows.append(("Recorded", "not committed yet"))
        if f.last_changed is not None and (f.created is None or f.last_changed.oid != f.created.oid):
            rows.append(("Last changed", _commit(f.last_changed)))
        return rows

    @staticmethod
    def _facts(rows: Sequence[tuple[str, str]]) -> str:
        rows = [(k, v) for k, v in rows if v]
        if not rows:
            return ""
        return _table(["", ""], [(f"**{k}**", v) for k, v in rows]) + "\n"

    @staticmethod
    def _section(title: str, text: Any) -> str:
        if not isinstance(text, str) or not text.strip():
            return ""
        return f"## {title}\n\n{prose(text)}\n"

    # -- decisions -------------------------------------------------------------------------
    def _chain(self, rid: str) -> list[str]:
        """The supersede chain through ``rid``, oldest first: every link, both ways
        (:meth:`declog.core.facts.LogFacts.chain`)."""
        return self.facts.of(rid).chain

    def decision(self, record: Record) -> str:
        rid = record.id or ""
        page = self.page[rid]
        d = record.data or {}
        out = f"# {inline(rid)}: {inline(record.title)}\n\n"
        status = inline(d.get("status", "unknown"))
        if d.get("superseded_by"):
            status = f"**{status}** by {self.link(page, d['superseded_by'])}"
        else:
            status = f"**{status}**"
        rows: list[tuple[str, str]] = [
            ("Status", status),
            ("Owner", self.link(page, d.get("owner")) if d.get("owner") else ""),
            ("Door", inline(d.get("door", ""))),
            ("Decided on", inline(d.get("decided_on", ""))),
            ("Deciders", self.links(page, d.get("deciders"))),
            ("Consulted", self.links(page, d.get("consulted"))),
        ]
        rows += self._git_rows(rid, decision=True)
        rows += [
            ("Review by", inline(d.get("review_by", ""))),
            ("Tags", ", ".join(code(t) for t in _list(d.get("tags")))),
            ("Scope", ", ".join(code(s) for s in _list(d.get("scope")))),
            ("Also known as", ", ".join(inline(a) for a in _list(d.get("aliases")))),
            ("Narrative", self.link(page, d["narrative"]) if d.get("narrative") in self.by_id
             else inline(d.get("narrative", ""))),
        ]
        source = d.get("source")
        if isinstance(source, dict) and source.get("path"):
            what = [inline(source.get("format", ""))]
            if source.get("number") is not None:
                what.append(f"number {inline(source['number'])}")
            if source.get("imported_on"):
                what.append(f"imported {inline(source['imported_on'])}")
            rows.append(("Source", f"{code(source['path'])} ({', '.join(w for w in what if w)})"))
        out += self._facts(rows)
        out += self._section("Context", d.get("context"))
        out += self._section("Decision", d.get("decision"))
        out += self._section("Rationale", d.get("rationale"))
        out += self._options(d.get("options"))
        out += self._section("Consequences", d.get("consequences"))
        for section in _list(d.get("sections")):  # an imported ADR's other sections, in its order
            if isinstance(section, dict) and isinstance(section.get("heading"), str):
                out += self._section(inline(section["heading"]), section.get("text"))
        out += self._section("Expected outcome", d.get("expected_outcome"))
        out += self._dissent(page, d.get("dissent"))
        out += self._reviews(page, d.get("reviews"))
        out += self._supersede(page, rid, d)
        out += self._related(page, rid, d)
        out += self._history_section(page, rid, "decision")
        return out

    def _options(self, options: Any) -> str:
        if not isinstance(options, list) or not options:
            return ""
        out = "## Options considered\n\n"
        for opt in options:
            if not isinstance(opt, dict):
                continue
            out += f"### {inline(opt.get('title', ''))}\n\n"
            for label, key in (("Pros", "pros"), ("Cons", "cons")):
                items = opt.get(key)
                if isinstance(items, list) and items:
                    out += f"**{label}:**\n\n" + "".join(_item(i) for i in items) + "\n"
            if opt.get("why_not"):
                out += "**Why not:** " + prose(opt["why_not"]) + "\n"
        return out

    def _dissent(self, page: str, dissent: Any) -> str:
        if not isinstance(dissent, list) or not dissent:
            return ""
        out = "## Dissent\n\n"
        for item in dissent:
            if isinstance(item, dict):
                committed = " (disagreed and committed)" if item.get("committed") else ""
                out += _item(f"{self.link(page, item.get('who'))}{committed}: {item.get('position', '')}")
        return out + "\n"

    def _reviews(self, page: str, reviews: Any) -> str:
        if not isinstance(reviews, list) or not reviews:
            return ""
        out = "## Reviews\n\n"
        for item in reviews:
            if isinstance(item, dict):
                quality = f", process {inline(item['process_quality'])}" if item.get("process_quality") else ""
                out += _item(f"{inline(item.get('on', ''))}, {self.link(page, item.get('reviewer'))}: "
                             f"{inline(item.get('vs_expected', ''))} than expected{quality}. "
                             f"{item.get('actual_outcome', '')}".replace("as-expected than expected", "as expected"))
        return out + "\n"

    def _supersede(self, page: str, rid: str, d: dict[str, Any]) -> str:
        if not d.get("supersedes") and not d.get("superseded_by"):
            return ""
        out = "## Supersede chain\n\n"
        chain = self._chain(rid)
        if len(chain) > 1:
            steps = [f"**{inline(step)}** (this decision)" if step == rid else self.link(page, step, title=False)
                     for step in chain]
            out += " → ".join(steps) + "\n\n"
        for old in _list(d.get("supersedes")):
            out += f"- Supersedes {self.link(page, old, status=True)}\n"
        if d.get("superseded_by"):
            out += f"- Superseded by {self.link(page, d['superseded_by'], status=True)}\n"
        return out + "\n"

    # -- other kinds -----------------------------------------------------------------------
    def owner(self, record: Record) -> str:
        rid = record.id or ""
        page = self.page[rid]
        d = record.data or {}
        out = f"# {inline(record.title or rid)} ({inline(rid)})\n\n"
        rows = [("Handle", code(rid)), ("Kind", inline(d.get("kind", "person"))),
                ("Email", inline(d.get("email", ""))), ("Team", self.link(page, d.get("team")) if d.get("team") else ""),
                ("Lead", self.link(page, d.get("lead")) if d.get("lead") else ""),
                ("Active", "yes" if d.get("active", True) is not False else "no (left)")]
        out += self._facts(rows)
        owned = [r for r in self.owned.get(rid, []) if r.id in self.page]
        for kind, label in (("decision", "Decisions owned"), ("mechanism", "Mechanisms owned"),
                            ("correction", "Corrections of error owned")):
            mine = [r for r in owned if r.kind.name == kind]
            if mine:
                out += f"## {label}\n\n" + "".join(f"- {self.link(page, r.id, status=True)}\n" for r in mine) + "\n"
        decided = self.decider_on.get(rid, [])
        if decided:
            out += "## Decider on\n\n" + "".join(f"- {self.link(page, r.id, status=True)}\n" for r in decided) + "\n"
        return out

    def mechanism(self, record: Record) -> str:
        rid = record.id or ""
        page = self.page[rid]
        d = record.data or {}
        out = f"# {inline(rid)}: {inline(record.title)}\n\n"
        raw_plan = d.get("inspection")
        plan: dict[str, Any] = raw_plan if isinstance(raw_plan, dict) else {}
        rows = [("Status", f"**{inline(d.get('status', ''))}**"),
                ("Owner", self.link(page, d.get("owner")) if d.get("owner") else ""),
                ("Inspected", inline(plan.get("cadence", ""))),
                ("Origin", self.links(page, d.get("origin"))),
                ("Tags", ", ".join(code(t) for t in _list(d.get("tags"))))]
        rows += self._git_rows(rid, decision=False)
        out += self._facts(rows)
        out += self._section("Problem", d.get("problem"))
        out += self._section("Tool", d.get("tool"))
        out += self._section("Adoption", d.get("adoption"))
        out += self._section("Inspection", plan.get("method"))
        metrics = ([("input", m) for m in _list(d.get("input_metrics"))]
                   + [("output", m) for m in _list(d.get("output_metrics"))])
        if metrics:
            out += "## Metrics\n\n" + _table(
                ["metric", "kind", "unit", "target"],
                [[inline(m.get("name", "")), kind, inline(m.get("unit", "")),
                  f"{'≥' if m.get('direction') == 'up' else '≤'} {inline(m['target'])}" if m.get("target") is not None else ""]
                 for kind, m in metrics if isinstance(m, dict)]) + "\n"
        inspections = list(reversed(self.facts.of(rid).inspections))  # newest first
        if inspections:
            out += "## Inspections\n\n" + _table(
                ["on", "verdict", "inspector", "readings", "note"],
                [[inline(i.data.get("on", "")), inline(i.data.get("verdict", "")), self.link(page, i.data.get("inspector"), title=False),
                  inline(", ".join(f"{k}={v}" for k, v in _dict(i.data.get("readings")).items())),
                  inline(_short(" ".join(str(i.data.get("note", "")).split()), 160))]
                 for i in inspections[: self.limit] if i.data is not None]) + "\n"
            if len(inspections) > self.limit:
                out += f"… and {len(inspections) - self.limit} earlier inspections.\n\n"
        out += self._related(page, rid, d)
        out += self._history_section(page, rid, "mechanism")
        return out

    def correction(self, record: Record) -> str:
        rid = record.id or ""
        page = self.page[rid]
        d = record.data or {}
        out = f"# {inline(rid)}: {inline(record.title)}\n\n"
        rows = [("Status", f"**{inline(d.get('status', ''))}**"),
                ("Owner", self.link(page, d.get("owner")) if d.get("owner") else ""),
                ("Occurred on", inline(d.get("occurred_on", ""))),
                ("Tags", ", ".join(code(t) for t in _list(d.get("tags"))))]
        rows += self._git_rows(rid, decision=False)
        out += self._facts(rows)
        out += self._section("Summary", d.get("summary"))
        out += self._section("Customer impact", d.get("customer_impact"))
        timeline = [t for t in _list(d.get("timeline")) if isinstance(t, dict)]
        if timeline:
            out += "## Timeline\n\n" + _table(["when", "what"], [[inline(t.get("at", "")), inline(t.get("what", ""))]
                                                                 for t in timeline]) + "\n"
        chains = [c for c in _list(d.get("five_whys")) if isinstance(c, dict)]
        if chains:
            out += "## Five whys\n\n"
            for chain in chains:
                out += _item(f"**{inline(chain.get('problem', ''))}**")
                for n, why in enumerate(_list(chain.get("whys")), 1):
                    out += "  " + _item(why, f"{n}. ").replace("\n", "\n  ").rstrip(" ")
                out += "\n"
        for title, key in (("Root causes", "root_causes"), ("Lessons", "lessons")):
            items = d.get(key)
            if isinstance(items, list) and items:
                out += f"## {title}\n\n" + "".join(_item(i) for i in items) + "\n"
        items = [i for i in _list(d.get("action_items")) if isinstance(i, dict)]
        if items:
            out += "## Action items\n\n" + _table(
                ["action", "owner", "due", "type", "status"],
                [[inline(i.get("description", "")) + (f" ({self.link(page, i['mechanism'], title=False)})" if i.get("mechanism") else ""),
                  self.link(page, i.get("owner"), title=False), inline(i.get("due", "")), inline(i.get("type", "")),
                  inline(i.get("status", "open")) + (f": {inline(i['reason'])}" if i.get("reason") else "")]
                 for i in items]) + "\n"
        out += self._related(page, rid, d)
        out += self._history_section(page, rid, "correction")
        return out

    def narrative(self, record: Record) -> str:
        """A PR/FAQ: the press release first, then the FAQ (customers', then the team's), how
        success is measured, and the decisions it led to."""
        rid = record.id or ""
        page = self.page[rid]
        d = record.data or {}
        out = f"# {inline(record.title)}\n\n"
        if d.get("subtitle"):
            out += f"*{inline(d['subtitle'])}*\n\n"
        rows = [("ID", code(rid)), ("Status", f"**{inline(d.get('status', ''))}**"),
                ("Owner", self.link(page, d.get("owner")) if d.get("owner") else ""),
                ("Tags", ", ".join(code(t) for t in _list(d.get("tags")))),
                ("Source", code(d["source"]["path"]) if isinstance(d.get("source"), dict)
                 and d["source"].get("path") else "")]
        rows += self._git_rows(rid, decision=False)
        out += self._facts(rows)
        out += self._section("Press release", d.get("press_release"))
        if isinstance(d.get("quote"), str) and d["quote"].strip():
            out += "".join(f"> {line}".rstrip() + "\n" for line in prose(d["quote"]).rstrip("\n").split("\n")) + "\n"
        for title, key in (("The customer", "customer"), ("The problem", "problem"), ("The solution", "solution"),
                           ("Getting started", "getting_started")):
            out += self._section(title, d.get(key))
        faq = [q for q in _list(d.get("faq")) if isinstance(q, dict)]
        for audience, title in (("external", "FAQ: customers"), ("internal", "FAQ: internal")):
            entries = [q for q in faq if q.get("audience", "external") == audience]
            if not entries:
                continue
            out += f"## {title}\n\n"
            for q in entries:
                out += f"### {inline(q.get('question', ''))}\n\n"
                out += (prose(q["answer"]) if isinstance(q.get("answer"), str) else "*Not answered yet.*\n") + "\n"
        metrics = [m for m in _list(d.get("success_metrics")) if isinstance(m, dict)]
        if metrics:
            out += "## Success metrics\n\n" + "".join(
                _item(f"**{inline(m.get('metric', ''))}**"
                      + (f" ({self.link(page, m['mechanism'], title=False)})" if m.get("mechanism") else "")
                      + (f": target {inline(m['target'])}" if m.get("target") else "")) for m in metrics) + "\n"
        decisions = [x for x in _list(d.get("decisions")) if isinstance(x, str)]
        if decisions:
            out += "## Decisions it led to\n\n" + "".join(_item(self.link(page, x, status=True)) for x in decisions) \
                + "\n"
        for section in _list(d.get("sections")):
            if isinstance(section, dict):
                text = section.get("text")
                out += f"## {inline(section.get('heading', ''))}\n\n" + (prose(text) + "\n" if isinstance(text, str)
                                                                            else "")
        out += self._related(page, rid, d)
        out += self._history_section(page, rid, "narrative")
        return out

    # -- index and graph -------------------------------------------------------------------
    def index(self, with_graph: bool) -> str:
        decisions = [r for r in self.by_id.values() if r.kind.name == "decision"]
        out = "# Decisions\n\n"
        counts = []
        groups: dict[str, list[Record]] = {}
        for record in decisions:
            status = (record.data or {}).get("status")
            groups.setdefault(status if status in STATUS_ORDER else "other", []).append(record)
        for status in (*STATUS_ORDER, "other"):
            if groups.get(status):
                counts.append(f"{len(groups[status])} {status}")
        out += (f"{len(decisions)} decision{'s' if len(decisions) != 1 else ''}"
                + (f": {', '.join(counts)}." if counts else ".") + "\n\n")
        if with_graph:
            out += f"See also [the decision graph]({GRAPH}).\n\n"
        for status in (*STATUS_ORDER, "other"):
            members = groups.get(status)
            if not members:
                continue
            members.sort(key=lambda r: (str((r.data or {}).get("decided_on") or ""), r.id or ""), reverse=True)
            out += f"## {status.capitalize()} ({len(members)})\n\n"
            rows = []
            for r in members:
                d = r.data or {}
                rows.append([self.link(INDEX, r.id, title=False), inline(r.title),
                             self.link(INDEX, d.get("owner"), title=False) if d.get("owner") else "",
                             inline(d.get("door", "")), inline(d.get("decided_on", "")),
                             self.link(INDEX, d.get("superseded_by"), title=False) if d.get("superseded_by") else ""])
            out += _table(["ID", "title", "owner", "door", "decided on", "superseded by"], rows) + "\n"
        for kind, label in (("narrative", "Narratives (PR/FAQ)"), ("mechanism", "Mechanisms"),
                            ("correction", "Corrections of error"), ("owner", "Owners")):
            members = sorted((r for r in self.by_id.values() if r.kind.name == kind), key=lambda r: r.id or "")
            if not members:
                continue
            out += f"## {label} ({len(members)})\n\n"
            if kind == "owner":
                rows = [[self.link(INDEX, r.id, title=False), inline(r.title), inline((r.data or {}).get("kind", "person")),
                         "yes" if (r.data or {}).get("active", True) is not False else "no"] for r in members]
                out += _table(["handle", "name", "kind", "active"], rows) + "\n"
            else:
                rows = [[self.link(INDEX, r.id, title=False), inline(r.title), inline((r.data or {}).get("status", "")),
                         self.link(INDEX, (r.data or {}).get("owner"), title=False)] for r in members]
                out += _table(["ID", "title", "status", "owner"], rows) + "\n"
        return out

    def graph(self) -> str | None:
        from declog.core import graph as graph_mod

        graph = graph_mod.build(self.by_id.values())
        linked = {e.src for e in graph.edges} | {e.dst for e in graph.edges}
        if not linked:
            return None
        out = "# Decision graph\n\n"
        out += ("Solid arrows: the newer decision supersedes the older one. Dashed lines: related "
                f"decisions. Decisions with no link are left out. Back to [the index]({INDEX}).\n\n")
        graph.nodes = [n for n in graph.nodes if n.id in linked]
        if len(graph.nodes) > GRAPH_LIMIT:
            return out + (f"The graph has {len(graph.nodes)} linked decisions, too many to draw here; "
                          "run `declog graph --format dot` and render it with Graphviz.\n")
        out += "```mermaid\n" + graph_mod.to_mermaid(graph) + "```\n\n"
        out += "| decision | links |\n|---|---|\n"
        for node in graph.nodes:
            parts = [f"supersedes {self.link(GRAPH, e.dst, title=False)}" for e in graph.edges
                     if e.kind == "supersedes" and e.src == node.id]
            parts += [f"related to {self.link(GRAPH, e.dst if e.src == node.id else e.src, title=False)}"
                      for e in graph.edges if e.kind == "related" and node.id in (e.src, e.dst)]
            if parts:
                out += f"| {self.link(GRAPH, node.id)} | {', '.join(parts)} |\n"
        return out + "\n"

    def pages(self) -> Pages:
        out = Pages(skipped=list(self.skipped))
        render = {"decision": self.decision, "owner": self.owner, "mechanism": self.mechanism,
                  "correction": self.correction, "narrative": self.narrative}
        for rid, name in self.page.items():
            record = self.by_id[rid]
            make = render.get(record.kind.name)
            if make is not None:
                out.pages[name] = make(record)
        graph = self.graph()
        if graph is not None:
            out.pages[GRAPH] = graph
        out.pages[INDEX] = self.index(graph is not None)
        return out


def export(log: Log, history: History | None, *, history_limit: int = HISTORY_LIMIT) -> Pages:
    """The markdown documents of the whole log. ``history`` None leaves out what git knows."""
    return _Export(log, history, history_limit).pages()
