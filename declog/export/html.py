"""``declog export html``: the whole log as a static site that needs no server and no network.

The site is plain files: ``index.html`` (every record, with instant search and a status
filter), a page per record under ``records/`` (a decision reads like a document: what was
decided and why, who decided it and in which commit, the options weighed, then its history
from git as a timeline; its supersede chain both ways and what links to it), ``graph.html``
(supersede and related links as an SVG drawn here), ``mechanisms.html`` (a line chart per
metric, from the inspection readings), ``owners.html`` and ``review.html`` (the weekly review).

The pages are Jinja2 templates under ``declog/export/site/templates/`` with autoescaping on:
record text is escaped by the template engine, never by hand, because records come from anyone
who can open a pull request. Prose fields are CommonMark rendered by markdown-it-py with raw
HTML off and only ``http``, ``https``, ``mailto`` and relative links. Styles and scripts are
the package's own files (``site/style.css``, ``site/site.js``); the search index is a ``.js``
file, because a page opened from ``file://`` cannot fetch JSON. Every page carries a
Content-Security-Policy that allows scripts and styles from the site's own files only, so even
a missed escape could not run an inline script.

:func:`build_site` makes the files in memory (``{relative path: text}``) and runs no git beyond
one :class:`declog.history.History`; :func:`write_site` writes them through
:class:`declog.export.ExportDir` (atomic files, and only into a folder that is new, empty or an earlier export).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache, partial
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from declog.domain import clock
from declog.errors import GitError
from declog.export import ExportDir, safe_name
from declog.history import History
from declog.render.review import number

if TYPE_CHECKING:
    import jinja2
    from markdown_it import MarkdownIt

    from declog.core.facts import LogFacts
    from declog.core.review import WeeklyReview
    from declog.history import Revision
    from declog.history.timeline import Decided, Entry
    from declog.storage.store import Log, Record
    from declog.storage.versions import VersionCache

GENERATOR = "declog export html"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "base-uri 'none'; form-action 'none'")
KIND_ORDER = ("decision", "narrative", "mechanism", "correction", "inspection", "owner")
KIND_TITLES = {"decision": "Decisions", "narrative": "Narratives (PR/FAQ)", "mechanism": "Mechanisms",
               "correction": "Corrections of error",
               "inspection": "Inspections", "owner": "Owners"}
KIND_NAMES = {"decision": "Decision", "narrative": "Narrative (PR/FAQ)", "mechanism": "Mechanism", "correction": "Correction of error",
              "inspection": "Inspection", "owner": "Owner"}
NAV = (("index.html", "Decisions"), ("graph.html", "Graph"), ("mechanisms.html", "Mechanisms"),
       ("owners.html", "Owners"), ("review.html", "Weekly review"))
ASSETS = ("style.css", "site.js")  # declog/export/site/ → assets/
SAFE_SCHEMES = ("http", "https", "mailto")

# The fields each kind's template lays out itself; any other field is shown under "More".
SHOWN: dict[str, frozenset[str]] = {
    "decision": frozenset({"id", "title", "status", "owner", "door", "context", "decision", "rationale", "options",
                           "consequences", "decided_on", "deciders", "consulted", "dissent", "expected_outcome",
                           "review_by", "reviews", "supersedes", "superseded_by", "related", "tags", "scope",
                           "narrative", "aliases", "source", "sections"}),
    "mechanism": frozenset({"id", "name", "owner", "status", "problem", "tool", "adoption", "inspection",
                            "input_metrics", "output_metrics", "origin", "related", "tags"}),
    "correction": frozenset({"id", "title", "owner", "status", "summary", "customer_impact", "occurred_on",
                             "timeline", "five_whys", "root_causes", "lessons", "action_items", "related", "tags"}),
    "inspection": frozenset({"id", "mechanism", "on", "inspector", "verdict", "readings", "note"}),
    "narrative": frozenset({"id", "title", "status", "owner", "subtitle", "customer", "problem", "solution",
                            "press_release", "quote", "getting_started", "faq", "success_metrics", "decisions",
                            "sections", "related", "tags", "source"}),
    "owner": frozenset({"handle", "name", "kind", "email", "team", "lead", "active"}),
}


# -- the records of the site -----------------------------------------------------------------
@dataclass
class Item:
    """One record shown on the site."""

    record: Record
    id: str
    kind: str
    data: dict[str, Any]

    @property
    def page(self) -> str:
        return f"records/{self.id}.html"

    @property
    def label(self) -> str:
        if self.kind == "inspection":
            return f"Inspection of {self.data.get('mechanism', '?')} on {self.data.get('on', '?')}"
        title = self.record.title
        return title if title else self.id

    @property
    def status(self) -> str:
        value = self.data.get("status")
        return value if isinstance(value, str) else ""

    @property
    def kind_name(self) -> str:
        return KIND_NAMES.get(self.kind, self.kind.capitalize())

    def more(self) -> list[tuple[str, Any]]:
        """The fields the kind's template does not lay out, with readable labels."""
        shown = SHOWN.get(self.kind, frozenset({"id"}))
        return [(humanise(k), v) for k, v in self.data.items() if k not in shown and v not in (None, [], {}, "")]


@dataclass
class Site:
    """What the pages are made from."""

    items: dict[str, Item]
    as_of: dt.date
    entries: dict[str, list[Entry]] = field(default_factory=dict)  # record ID → timeline, newest first
    linked: dict[str, list[Revision]] = field(default_factory=dict)  # record ID → commits naming it
    decided: dict[str, Decided] = field(default_factory=dict)  # decision ID → who accepted it, in which commit
    created: dict[str, Revision] = field(default_factory=dict)  # record ID → the commit that added it
    ended: dict[str, tuple[str, Revision]] = field(default_factory=dict)  # decision ID → (status, the commit)
    review: WeeklyReview | None = None
    has_history: bool = False
    facts: LogFacts | None = field(default=None, repr=False)  # the one record view (declog.core.facts)
    _owned: dict[str, list[Item]] | None = field(default=None, repr=False)

    @property
    def log_facts(self) -> LogFacts:
        """Links, chains and what git knows, from :mod:`declog.core.facts` (without git when the site
        was made from records alone)."""
        if self.facts is None:
            from declog.core.facts import LogFacts

            self.facts = LogFacts(item.record for item in self.items.values())
        return self.facts

    def backlinks(self, rid: str) -> list[tuple[str, str]]:
        """``(record ID, field)`` of the records whose reference fields name ``rid``
        (:meth:`declog.core.facts.LogFacts.backlinks`: the one definition of "linked from")."""
        return [(other, key) for other, key in self.log_facts.backlinks(rid) if other in self.items]

    def supersede_maps(self) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """Both directions of every supersede link, from either side's fields."""
        return self.log_facts.supersede_maps()

    def of_kind(self, kind: str) -> list[Item]:
        return [i for i in self.items.values() if i.kind == kind]

    def ordered(self, kind: str) -> list[Item]:
        """The records of one kind in the order the site lists them: decisions by ADR number when
        every one was imported with a number, otherwise newest first (the day decided, or else
        the day first committed); inspections by day; everything else by ID."""
        items = self.of_kind(kind)
        if kind != "decision":
            return sorted(items, key=_sort_key)
        numbers = {i.id: _adr_number(i.data) for i in items}
        if items and all(n is not None for n in numbers.values()):
            return sorted(items, key=lambda i: (numbers[i.id], i.id))
        return sorted(items, key=lambda i: (self.day_of(i), numbers[i.id] or 0, i.id), reverse=True)

    def day_of(self, item: Item) -> str:
        """The day a decision was made (``decided_on``), or else the day of its first commit (for
        an imported decision, the first commit to its markdown ADR)."""
        day = item.data.get("decided_on")
        if isinstance(day, str) and day:
            return day
        times = [e.revision.time for e in self.entries.get(item.id, []) if e.revision is not None]
        return clock.day_of(min(times)).isoformat() if times else ""

    def chain(self, rid: str) -> tuple[list[str], list[str]]:
        """The decisions before ``rid`` (oldest first) and after it (nearest first)."""
        return self.log_facts.chain(rid)

    def linked_from(self, rid: str) -> list[tuple[Item, str]]:
        out = [(self.items[other], humanise(key)) for other, key in self.backlinks(rid)]
        return sorted(out, key=lambda pair: (KIND_ORDER.index(pair[0].kind) if pair[0].kind in KIND_ORDER else 9,
                                             pair[0].id))

    def owned_by(self) -> dict[str, list[Item]]:
        """Owner handle → the records they own (worked out once)."""
        if self._owned is None:
            owned: dict[str, list[Item]] = {}
            for item in self.items.values():
                owner = item.data.get("owner")
                if item.kind != "owner" and isinstance(owner, str):
                    owned.setdefault(owner, []).append(item)
            self._owned = {k: sorted(v, key=_sort_key) for k, v in owned.items()}
        return self._owned


def site_items(records: Iterable[Record]) -> dict[str, Item]:
    """The records that get a page: readable, with an ID that is safe as a file name, first
    file wins when two share an ID (``declog validate`` reports that)."""
    out: dict[str, Item] = {}
    for r in records:
        rid = r.id
        if r.data is None or rid is None or not safe_name(rid) or rid in out:
            continue
        out[rid] = Item(r, rid, r.kind.name, r.data)
    return out


# -- the graph -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: str  # supersedes (source is the older decision) | related


def graph_edges(items: dict[str, Item]) -> list[Edge]:
    """The edges of :func:`declog.core.graph.build` between records the site has a page for, turned
    for drawing: a supersede edge runs from the older decision to the newer one; a pair that is
    both superseded and related is drawn once, as the supersede link."""
    from declog.core.graph import build

    graph = build(item.record for item in items.values())
    supersede = {(edge.dst, edge.src) for edge in graph.edges if edge.kind == "supersedes"}
    pairs = {frozenset(p) for p in supersede}
    related = {(edge.src, edge.dst) for edge in graph.edges
               if edge.kind == "related" and frozenset((edge.src, edge.dst)) not in pairs}
    return ([Edge(a, b, "supersedes") for a, b in sorted(supersede) if a in items and b in items]
            + [Edge(a, b, "related") for a, b in sorted(related) if a in items and b in items])


@dataclass
class Placed:
    id: str
    x: float
    y: float


NODE_W, NODE_H, COL_GAP, ROW_GAP, MARGIN = 230, 46, 90, 18, 20


def layout(nodes: Sequence[str], edges: Sequence[Edge]) -> tuple[dict[str, Placed], float, float]:
    """A layered layout: each connected group of nodes is a block, blocks stacked top to bottom;
    within a block a decision's column is the length of the longest supersede chain before it,
    and each column is ordered by the mean row of the nodes that lead into it."""
    adjacent: dict[str, set[str]] = {n: set() for n in nodes}
    preds: dict[str, list[str]] = {n: [] for n in nodes}
    for edge in edges:
        adjacent[edge.source].add(edge.target)
        adjacent[edge.target].add(edge.source)
        if edge.kind == "supersedes":
            preds[edge.target].append(edge.source)
    seen: set[str] = set()
    groups: list[list[str]] = []
    for start in nodes:
        if start in seen:
            continue
        group, stack = [], [start]
        seen.add(start)
        while stack:
            node = stack.pop()
            group.append(node)
            for other in sorted(adjacent[node]):
                if other not in seen:
                    seen.add(other)
                    stack.append(other)
        groups.append(sorted(group))
    placed: dict[str, Placed] = {}
    top = float(MARGIN)
    width = 0.0
    for group in groups:
        column = _columns(group, preds)
        by_column: dict[int, list[str]] = {}
        for node in group:
            by_column.setdefault(column[node], []).append(node)
        rows: dict[str, float] = {}
        tallest = 0
        for col in sorted(by_column):
            members = by_column[col]
            if col:
                members.sort(key=partial(_barycenter, preds=preds, rows=rows))
            for row, node in enumerate(members):
                rows[node] = row
                placed[node] = Placed(node, MARGIN + col * (NODE_W + COL_GAP), top + row * (NODE_H + ROW_GAP))
            tallest = max(tallest, len(members))
            width = max(width, MARGIN + col * (NODE_W + COL_GAP) + NODE_W + MARGIN)
        top += tallest * (NODE_H + ROW_GAP) + 2 * ROW_GAP
    return placed, max(width, 2 * MARGIN + NODE_W), top + MARGIN


def _barycenter(node: str, preds: dict[str, list[str]], rows: dict[str, float]) -> tuple[float, str]:
    known = [rows[p] for p in preds[node] if p in rows]
    return (sum(known) / len(known) if known else float("inf"), node)


def _columns(group: list[str], preds: dict[str, list[str]]) -> dict[str, int]:
    """Longest supersede path into each node; a cycle (an invalid log) is cut where found."""
    column: dict[str, int] = {}
    visiting: set[str] = set()

    def depth(node: str) -> int:
        if node in column:
            return column[node]
        if node in visiting:
            return 0
        visiting.add(node)
        value = max((depth(p) + 1 for p in preds[node]), default=0)
        visiting.discard(node)
        column[node] = value
        return value

    for node in group:
        stack = [node]  # iterative warm-up from the roots keeps the recursion shallow on long chains
        order = []
        while stack:
            current = stack.pop()
            if current in column or current in order:
                continue
            order.append(current)
            stack.extend(p for p in preds[current] if p not in column)
        for current in reversed(order):
            depth(current)
    return column


@dataclass
class Drawn:
    """The graph as the template draws it."""

    width: float
    height: float
    nodes: list[tuple[Item, Placed]]
    edges: list[tuple[Edge, str]]  # the edge and its SVG path


def graph_drawing(site: Site) -> tuple[Drawn | None, int]:
    """Where each linked decision and each link goes, and how many decisions have no link and
    are not drawn."""
    edges = graph_edges(site.items)
    linked = sorted({n for edge in edges for n in (edge.source, edge.target)})
    alone = sum(1 for i in site.of_kind("decision") if i.id not in linked)
    if not linked:
        return None, alone
    placed, width, height = layout(linked, edges)
    paths: list[tuple[Edge, str]] = []
    for edge in edges:
        a, b = placed[edge.source], placed[edge.target]
        if edge.kind == "supersedes":
            x1, y1, x2, y2 = a.x + NODE_W, a.y + NODE_H / 2, b.x, b.y + NODE_H / 2
            if b.x <= a.x:  # only in a cycle: go round
                x2 = b.x + NODE_W
            mid = (x1 + x2) / 2
            d = f"M{x1:.1f},{y1:.1f} C{mid:.1f},{y1:.1f} {mid:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"
        else:
            x1, y1, x2, y2 = a.x + NODE_W / 2, a.y + NODE_H, b.x + NODE_W / 2, b.y
            if b.y < a.y:
                y1, y2 = a.y, b.y + NODE_H
            if a.x == b.x:  # same column: bow out to the right
                x1 = x2 = a.x + NODE_W
                y1, y2 = a.y + NODE_H / 2, b.y + NODE_H / 2
                bend = NODE_W + COL_GAP / 2 + a.x
                d = f"M{x1:.1f},{y1:.1f} C{bend:.1f},{y1:.1f} {bend:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"
            else:
                d = f"M{x1:.1f},{y1:.1f} L{x2:.1f},{y2:.1f}"
        paths.append((edge, d))
    return Drawn(width, height, [(site.items[n], placed[n]) for n in linked], paths), alone


# -- metric charts ---------------------------------------------------------------------------
def readings_of(site: Site) -> dict[str, list[tuple[str, str, dict[str, float]]]]:
    """Per mechanism ID: ``(day, inspection ID, readings)``, oldest first."""
    per: dict[str, list[tuple[str, str, dict[str, float]]]] = {}
    for item in site.of_kind("inspection"):
        mechanism, on = item.data.get("mechanism"), item.data.get("on")
        readings = item.data.get("readings")
        if not isinstance(mechanism, str) or not isinstance(on, str):
            continue
        values = {k: float(v) for k, v in (readings or {}).items()
                  if isinstance(k, str) and isinstance(v, int | float) and not isinstance(v, bool)} \
            if isinstance(readings, dict) else {}
        per.setdefault(mechanism, []).append((on, item.id, values))
    for rows in per.values():
        rows.sort()
    return per


CHART_W, CHART_H = 520, 220
PAD_L, PAD_R, PAD_T, PAD_B = 60, 20, 18, 40


@dataclass
class Chart:
    """One metric's readings over time, placed on the chart's canvas."""

    name: str
    unit: str  # " percent", or ""
    points: list[tuple[float, float, str, float]]  # x, y, day, value
    ticks: list[tuple[float, float]]  # y, value
    first: str
    last: str
    target: tuple[float, float] | None  # y, value
    want: str  # "≥ ", "≤ " or ""
    width: int = CHART_W
    height: int = CHART_H
    left: int = PAD_L
    top: int = PAD_T
    right: int = CHART_W - PAD_R
    bottom: int = CHART_H - PAD_B


def chart_of(metric: dict[str, Any], points: Sequence[tuple[str, float]]) -> Chart | None:
    """Where the readings of one metric go on a line chart, with its target (``None``: no readings)."""
    name = str(metric.get("name") or "?")
    unit = metric.get("unit")
    target = metric.get("target")
    target = float(target) if isinstance(target, int | float) and not isinstance(target, bool) else None
    if not points:
        return None
    days = [_day(d) for d, _ in points]
    values = [v for _, v in points]
    lo, hi = min(values + ([target] if target is not None else [])), max(values + ([target] if target is not None else []))
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    ticks = sorted({lo, hi})  # the extremes of the readings and the target, before padding
    span = hi - lo
    lo, hi = lo - span * 0.08, hi + span * 0.08
    first, last = min(days), max(days)
    inner_w, inner_h = CHART_W - PAD_L - PAD_R, CHART_H - PAD_T - PAD_B

    def x(day: dt.date) -> float:
        if first == last:
            return PAD_L + inner_w / 2
        return PAD_L + inner_w * (day - first).days / (last - first).days

    def y(value: float) -> float:
        return PAD_T + inner_h * (hi - value) / (hi - lo)

    return Chart(name, f" {unit}" if isinstance(unit, str) else "",
                 [(x(d), y(v), day, v) for d, (day, v) in zip(days, points, strict=True)],
                 [(y(v), v) for v in ticks], first.isoformat(), last.isoformat(),
                 (y(target), target) if target is not None else None,
                 {"up": "≥ ", "down": "≤ "}.get(str(metric.get("direction")), ""))


def chart_svg(metric: dict[str, Any], points: Sequence[tuple[str, float]]) -> str:
    """A line chart of one metric's readings over time, with its target as a dashed line."""
    name = str(metric.get("name") or "?")
    return str(_macro("chart")(chart_of(metric, points), name)).strip()


def metric_charts(mechanism: Item, readings: Sequence[tuple[str, str, dict[str, float]]]) -> list[dict[str, Any]]:
    """Per metric of the mechanism: its role, the metric, its target in words and its chart."""
    out = []
    for role in ("input", "output"):
        for metric in _list(mechanism.data.get(f"{role}_metrics")):
            if not isinstance(metric, dict):
                continue
            name = metric.get("name")
            points = [(day, values[name]) for day, _, values in readings if isinstance(name, str) and name in values]
            out.append({"role": role, "name": name, "target": _target_text(metric),
                        "chart": chart_of(metric, points)})
    return out


# -- templates and prose ---------------------------------------------------------------------
@cache
def environment() -> jinja2.Environment:
    """The templates of the site, autoescaped (Jinja2 is imported here, not with the module)."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("declog.export", "site/templates"),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True, auto_reload=False,
                             undefined=jinja2.StrictUndefined, extensions=["jinja2.ext.do"])
    env.filters.update(prose=prose, inline=inline, num=number, days=_days, plural=_plural)
    env.globals.update(NAV=NAV, CSP=CSP, GENERATOR=GENERATOR, KIND_TITLES=KIND_TITLES, humanise=humanise,
                       NODE_W=NODE_W, NODE_H=NODE_H, clip=_clip, safe_url=safe_url)
    env.globals.update(_page_helpers())
    return env


def _page_helpers() -> dict[str, Any]:
    """The small pieces of macros.html that every page calls for every record it names, in
    Python (``py_link`` …, which macros.html names ``link`` …): what the Jinja macros of the
    same names made, escaped the same way (markupsafe), without the cost of a macro call. Each
    takes the template's context (``site`` and ``prefix``)."""
    import jinja2
    from markupsafe import Markup, escape

    empty = Markup("")

    def link(ctx: Any, rid: Any, text: Any = None) -> Markup:
        """A link to the page of record ``rid`` (its label as the title), or the plain text when
        the site has no such page; ``text`` instead of the ID."""
        items = ctx["site"].items
        if isinstance(rid, str) and rid in items:
            it = items[rid]
            return Markup(f'<a href="{escape(ctx["prefix"])}{escape(it.page)}" title="{escape(it.label)}">'
                          f'{escape(rid if text is None else text)}</a>')
        return escape((rid if rid is not None else "?") if text is None else text)

    def badge(ctx: Any, status: Any) -> Markup:
        if not status:
            return empty
        shown = escape(status)
        return Markup(f'<span class="badge status-{shown}">{shown}</span>')

    def status_of(ctx: Any, rid: Any) -> Markup:
        items = ctx["site"].items
        return badge(ctx, items[rid].status) if isinstance(rid, str) and rid in items else empty

    def ref(ctx: Any, rid: Any) -> Markup:
        """The link to ``rid`` and its label after it (when the label is not the ID)."""
        items = ctx["site"].items
        if isinstance(rid, str) and rid in items and items[rid].label != rid:
            return Markup(f"{link(ctx, rid)} {escape(items[rid].label)}")
        return link(ctx, rid)

    def refs(ctx: Any, ids: Any) -> Markup:
        return Markup(", ").join(link(ctx, rid) for rid in ids)

    return {f"py_{f.__name__}": jinja2.pass_context(f) for f in (link, badge, status_of, ref, refs)}


def _macro(name: str) -> Any:
    return getattr(environment().get_template("macros.html").module, name)


def render(template: str, site: Site, prefix: str = "", **context: Any) -> str:
    """One page: ``prefix`` leads from the page back to the site's root (``../`` for records)."""
    context.setdefault("current", "")
    return environment().get_template(template).render(site=site, prefix=prefix, **context)


def safe_link(url: str) -> bool:
    """Links that prose may carry: http, https, mailto, or relative to the page (no other
    scheme, no ``//host``)."""
    url = url.strip()
    if url.startswith("//") or url.startswith("\\"):
        return False
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", url)
    return scheme is None or scheme.group(1).lower() in SAFE_SCHEMES


def safe_url(value: object) -> str | None:
    """``value`` when it is an http(s) address that may be a link, else ``None``."""
    if isinstance(value, str) and value.startswith(("https://", "http://")) and \
            not any(c in value for c in "\"'<> \n"):
        return value
    return None


@cache
def _markdown() -> MarkdownIt:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False})
    md.disable("image")  # the site loads nothing from elsewhere; an image stays as its text
    md.validateLink = safe_link  # type: ignore[method-assign]

    def link_open(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
        href = tokens[idx].attrGet("href") or ""
        if re.match(r"(?i)https?:", href):
            tokens[idx].attrSet("rel", "noopener noreferrer")
        return str(self.renderToken(tokens, idx, options, env))

    md.add_render_rule("link_open", link_open)
    return md


# Text with none of these is plain text to CommonMark: no markup, no entity, nothing to escape.
_MARKUP = re.compile(r"[\\`*_\[\]<>&!~\"'\n\t\r]|^\s|\s$|  ")
_BLOCK_START = re.compile(r"[#>+=|-]|\d{1,9}[.)]")


# What a line of a paragraph may not hold for :func:`_plain_paragraphs` to stand in for markdown-it:
# the markup characters of _MARKUP and any control character (markdown-it turns NUL into U+FFFD).
_NOT_PLAIN = re.compile(r"[\\`*_\[\]<>&!~\"'\x00-\x1f\x7f-\x9f]")


def prose(text: object) -> Any:
    """Record prose (CommonMark) as HTML: raw HTML is shown as text, links only of safe schemes."""
    from markupsafe import Markup

    value = str(text)
    if value and not _MARKUP.search(value) and not _BLOCK_START.match(value):
        return Markup(f"<p>{value}</p>\n")  # what markdown-it makes of one plain line, without parsing it
    plain = _plain_paragraphs(value)
    if plain is not None:
        return Markup(plain)
    return Markup(_markdown().render(value))


def _plain_paragraphs(value: str) -> str | None:
    """What markdown-it makes of ``value`` when it is only paragraphs of plain lines (a block
    scalar of wrapped prose, paragraphs apart by empty lines): each paragraph's lines joined by
    line breaks inside ``<p>``; ``None`` for anything else, which markdown-it then parses.
    ``tests/export/test_html.py`` checks it against markdown-it."""
    if "\n" not in value:
        return None
    out: list[str] = []
    lines: list[str] = []
    for line in value.split("\n"):
        if not line:
            if lines:
                out.append("<p>" + "\n".join(lines) + "</p>\n")
                lines = []
            continue
        if line != line.strip() or _NOT_PLAIN.search(line) or _BLOCK_START.match(line):
            return None
        lines.append(line)
    if lines:
        out.append("<p>" + "\n".join(lines) + "</p>\n")
    return "".join(out) if out else None


def inline(text: object) -> Any:
    """One line of prose (a table cell, a list item) as inline HTML."""
    from markupsafe import Markup

    value = str(text)
    if not _MARKUP.search(value):
        return Markup(value)
    return Markup(_markdown().renderInline(value))


def humanise(key: str) -> str:
    """A field name as a label: ``why_not`` → ``Why not``."""
    words = str(key).replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]


# -- pages -----------------------------------------------------------------------------------
def index_page(site: Site) -> str:
    statuses = sorted({i.status for i in site.items.values() if i.status and i.kind != "owner"})
    sections = [(kind, site.ordered(kind)) for kind in KIND_ORDER if site.of_kind(kind)]
    return render("index.html", site, current="index.html", statuses=statuses, sections=sections)


def search_index_js(site: Site) -> str:
    entries = []
    for item in sorted(site.items.values(), key=_sort_key):
        words = " ".join(_flatten(item.data))
        entries.append({"id": item.id, "kind": item.kind, "status": item.status,
                        "text": f"{item.id} {item.label} {words}".lower()})
    return "window.DECLOG_INDEX = " + _js_json(entries) + ";\n"


def record_page(site: Site, item: Item, readings: dict[str, list[tuple[str, str, dict[str, float]]]]) -> str:
    template = f"{item.kind}.html" if item.kind in SHOWN else "record.html"
    before, after = site.chain(item.id) if item.kind == "decision" else ([], [])
    charts = metric_charts(item, readings.get(item.id, [])) if item.kind == "mechanism" else []
    inspections = list(reversed(readings.get(item.id, []))) if item.kind == "mechanism" else []
    return render(template, site, "../", item=item, d=item.data, before=before, after=after, charts=charts,
                  inspections=inspections, entries=site.entries.get(item.id, []),
                  linked=site.linked.get(item.id, []), decided=site.decided.get(item.id),
                  created=site.created.get(item.id), owned=site.owned_by().get(item.id, []),
                  ended=site.ended.get(item.id, (None, None))[1], ended_as=site.ended.get(item.id, (None, None))[0])


def graph_page(site: Site) -> str:
    drawn, alone = graph_drawing(site)
    return render("graph.html", site, current="graph.html", drawn=drawn, alone=alone)


def mechanisms_page(site: Site, readings: dict[str, list[tuple[str, str, dict[str, float]]]]) -> str:
    mechanisms = [(m, list(reversed(readings.get(m.id, []))), metric_charts(m, readings.get(m.id, [])))
                  for m in sorted(site.of_kind("mechanism"), key=_sort_key)]
    return render("mechanisms.html", site, current="mechanisms.html", mechanisms=mechanisms)


def owners_page(site: Site) -> str:
    load = {o.handle: o for o in site.review.load.owners} if site.review else {}
    people = sorted(site.of_kind("owner"), key=lambda i: i.id)
    return render("owners.html", site, current="owners.html", people=people, load=load, owned=site.owned_by())


def review_page(site: Site) -> str:
    from declog.export.html_deck import slides
    from declog.render.review import DECK_TITLE, SECTIONS

    deck = site.review.deck if site.review is not None else None
    return render("review.html", site, current="review.html", review=site.review, SECTIONS=SECTIONS,
                  deck=deck, slides=slides(deck) if deck is not None else [], DECK_TITLE=DECK_TITLE)


# -- building and writing --------------------------------------------------------------------
def load_site(log: Log, as_of: dt.date) -> Site:
    """Read the log, its history (one :class:`History`: one ``git log`` pass, one batch of
    blobs) and the weekly review as of ``as_of``."""
    from declog.core.review import weekly_review

    records = log.records()
    site = Site(site_items(records), as_of)
    proposed_on: dict[str, dt.date] = {}
    changes = None
    history = _open_history(log)
    if history is not None:
        try:
            site.has_history = True
            _read_history(site, history, proposed_on)
            from declog.history.retro import retro

            changes = retro(history, as_of - dt.timedelta(days=6), as_of)
        finally:
            history.close()
    site.review = weekly_review(records, as_of, load_limit=log.config.owner_load_limit,
                                proposed_on=proposed_on, changes=changes)
    return site


class _SiteHistory(History):
    """A :class:`History` that takes the versions of records still in the work tree from the log
    already read (through the parse cache) instead of parsing their blobs again."""

    known: dict[str, dict[str, Any]]
    versions: VersionCache | None = None  # older versions parsed by an earlier export
    stored: dict[str, dict[str, Any]]  # their entries, read once (:meth:`prefetch`)

    def prefetch(self, oids: list[str]) -> None:
        """Before the timelines: the older versions an earlier export parsed come from the
        version store; the others' blobs are read with one ``git cat-file --batch``."""
        from declog.storage.versions import VersionCache

        path = self.log.cache.path
        self.versions = VersionCache(path.with_name("versions.sqlite") if path is not None else None,
                                     f"{self.log.config.fingerprint()}")
        self.stored = self.versions.get(oids)
        self.blobs([o for o in oids if o not in self.stored])

    def data_of(self, oids: list[str | None], path: str = "") -> dict[str, dict[str, Any] | None]:
        out: dict[str, dict[str, Any] | None] = {o: self.known[o] for o in oids if o and o in self.known}
        stored = getattr(self, "stored", {})
        for oid in oids:
            entry = stored.get(oid) if oid and oid not in out else None
            if oid and entry is not None:
                out[oid] = entry.get("data")
                if "error" in entry:
                    self.unreadable[oid] = str(entry["error"])
        rest: list[str | None] = [o for o in oids if o and o not in out]
        if rest:
            parsed = super().data_of(rest, path)
            out.update(parsed)
            for oid in rest:
                if oid is None or self.versions is None or oid in self._too_big:
                    continue
                data = parsed.get(oid)
                if data is not None:
                    self.versions.put(oid, {"data": data})
                elif oid in self.unreadable:
                    self.versions.put(oid, {"error": self.unreadable[oid]})
        return out


def _open_history(log: Log) -> _SiteHistory | None:
    try:
        history = _SiteHistory(log)
    except GitError:
        return None
    if not history.head:
        history.close()
        return None
    return history


def _read_history(site: Site, history: _SiteHistory, proposed_on: dict[str, dt.date]) -> None:
    from declog.core.facts import LogFacts
    from declog.history.timeline import Decided, entries_for, merge_by_time

    history.known = {item.record.oid: item.data for item in site.items.values() if item.record.oid}
    facts = site.facts = LogFacts((item.record for item in site.items.values()), history)
    with history.index.reading():
        history.index.preload(site.items)  # every record's events in one query, not three queries each
        per = {rid: facts.of(rid) for rid in site.items}
    oids = [o for f in per.values() if f.history for ev in f.history.events
            for o in (ev.old_oid, ev.new_oid, *ev.other_oids) if o and o not in history.known]
    history.prefetch(list(dict.fromkeys(oids)))  # every older version of every record: stored, or one `git cat-file --batch`
    # imported ADRs: the commits to their markdown file before (and after) the import, one pass for all
    before = facts.sources()
    for rid, f in per.items():
        assert f.history is not None
        site.entries[rid] = merge_by_time(entries_for(history, f.history.events), before.get(rid, []))
        site.linked[rid] = list(f.linked)
        if f.created is not None:
            site.created[rid] = f.created
        if f.decided is not None:  # who decided, as `declog show` says it
            site.decided[rid] = Decided(f.decided, f.decided_in)
        if f.ended is not None and f.ended_as:  # who rejected, superseded or deprecated it
            site.ended[rid] = (f.ended_as, f.ended)
    proposed_on.update(facts.proposed_days())
    if history.versions is not None:
        history.versions.save()


def site_files(site: Site) -> list[tuple[str, Callable[[], str]]]:
    """Every file of the site, each with what makes its text: ``(relative path, maker)``."""
    readings = readings_of(site)
    folder = resources.files("declog.export").joinpath("site")
    files: list[tuple[str, Callable[[], str]]] = [
        ("index.html", partial(index_page, site)),
        ("graph.html", partial(graph_page, site)),
        ("mechanisms.html", partial(mechanisms_page, site, readings)),
        ("owners.html", partial(owners_page, site)),
        ("review.html", partial(review_page, site)),
        ("assets/search-index.js", partial(search_index_js, site)),
    ]
    files += [(f"assets/{name}", partial(folder.joinpath(name).read_text, encoding="utf-8")) for name in ASSETS]
    files += [(item.page, partial(record_page, site, item, readings)) for item in site.items.values()]
    return files


def build_site(site: Site) -> dict[str, str]:
    """Every file of the site: relative path → text."""
    return {rel: make() for rel, make in site_files(site)}


def write_site(out: ExportDir, files: dict[str, str]) -> int:
    """Write ``files`` into the export folder ``out`` (see :class:`declog.export.ExportDir`:
    each file atomically, unchanged files left alone, pages of the previous export that this
    one no longer has removed). Returns the number of files of the site."""
    for rel, text in sorted(files.items()):
        out.write(rel, text)
    out.finish()
    return len(files)


# A site of fewer files than this is made in one process: forking a second one costs more than it saves.
PARALLEL_FROM = 400


def export_html(log: Log, out: Path, *, as_of: dt.date, force: bool = False, workers: int | None = None) -> int:
    """The whole export: checks ``out`` first, so a refused folder costs no work. ``workers``: the
    processes that make and write the files (default: two on a machine with two cores or more,
    for a site of at least :data:`PARALLEL_FROM` files, else one)."""
    folder = ExportDir.open(out, "html", force=force)
    site = load_site(log, as_of)
    files = site_files(site)
    if workers is None:
        workers = 2 if len(files) >= PARALLEL_FROM and _cpus() >= 2 and _can_fork() else 1
    if workers < 2:
        return write_site(folder, {rel: make() for rel, make in files})
    return _export_in_two(folder, files)


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


# The files of the export under way, for the forked worker: a fork shares them (the log, its
# history, the compiled templates) without pickling anything; only paths come back. The worker
# makes the first file (the index page, which lists every record: the heaviest), then each
# process takes the next file not taken yet (_NEXT, a counter in shared memory), so the pages
# that list the whole log do not all fall to one of them.
_FILES: list[tuple[str, Callable[[], str]]] = []
_FOLDER: list[ExportDir] = []
_MADE: dict[str, str] = {}
_NEXT: list[Any] = []


def _export_in_two(folder: ExportDir, files: list[tuple[str, Callable[[], str]]]) -> int:
    """Make and write the files with one forked worker beside this process. As in one process,
    nothing is written before every file has been made (a failure writes no page), and each
    file is written atomically; the worker's failure is raised here. The caller flushes its
    output streams first (the worker flushes its copy of them when it ends)."""
    import multiprocessing

    global _FILES
    context = multiprocessing.get_context("fork")
    _FILES = files
    _FOLDER[:] = [folder]
    _NEXT[:] = [context.Value("l", 1)]  # the first file is the worker's
    try:
        with context.Pool(1) as pool:
            made = pool.apply_async(_child_make)
            mine = dict(_make_next())
            made.get()
            written = pool.apply_async(_child_write)
            for rel, text in sorted(mine.items()):
                folder.write(rel, text)
            folder.written.extend(written.get())
    finally:
        _FILES = []
        _FOLDER.clear()
        _NEXT.clear()
    folder.finish()
    return len(files)


def _make_next() -> Iterator[tuple[str, str]]:
    """The files this process makes: each next one no process has taken yet."""
    counter = _NEXT[0]
    while True:
        with counter.get_lock():
            n = counter.value
            counter.value = n + 1
        if n >= len(_FILES):
            return
        rel, make = _FILES[n]
        yield rel, make()


def _child_make() -> int:
    _MADE.clear()
    if _FILES:
        rel, make = _FILES[0]
        _MADE[rel] = make()
    _MADE.update(_make_next())
    return len(_MADE)


def _child_write() -> list[str]:
    done = []
    for rel, text in sorted(_MADE.items()):
        _FOLDER[0].write(rel, text)
        done.append(rel)
    _MADE.clear()
    return done


# -- small helpers ---------------------------------------------------------------------------
def _flatten(value: Any) -> list[str]:
    out: list[str] = []
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            stack.extend(reversed(list(v.values())))
        elif isinstance(v, list):
            stack.extend(reversed(v))
        elif v is not None:
            out.append(str(v))
    return out


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _sort_key(item: Item) -> tuple[str, str]:
    day = item.data.get("decided_on") or item.data.get("on") or ""
    return (str(day), item.id) if item.kind == "inspection" else ("", item.id)


def _adr_number(data: dict[str, Any]) -> int | None:
    source = data.get("source")
    number = source.get("number") if isinstance(source, dict) else None
    return number if isinstance(number, int) and not isinstance(number, bool) else None


def _target_text(metric: dict[str, Any]) -> str:
    target, direction = metric.get("target"), metric.get("direction")
    if not isinstance(target, int | float) or isinstance(target, bool):
        return ""
    want = "at least" if direction == "up" else "at most" if direction == "down" else ""
    return f"target {want} {number(float(target))}{_unit(metric.get('unit'))}"


def _unit(unit: Any) -> str:
    return f" {unit}" if isinstance(unit, str) and unit else ""


def _days(n: int) -> str:
    return "due today" if n == 0 else f"{n} day{'s' * (n != 1)} overdue"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return dt.date.min


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _js_json(value: Any) -> str:
    """JSON that is safe inside any HTML or script context."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") \
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
