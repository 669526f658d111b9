"""``declog export html``: the whole log as a static site that needs no server and no network.

The site is plain files: ``index.html`` (every record, with instant search and a status
filter), a page per record under ``records/`` (every field, the record's history from git, its
supersede chain both ways, what links to it), ``graph.html`` (supersede and related links as an
SVG drawn here), ``mechanisms.html`` (a line chart per metric, from the inspection readings),
``owners.html`` and ``review.html`` (the weekly review). Styles and scripts are local files
under ``assets/``; the search index is a ``.js`` file, because a page opened from ``file://``
cannot fetch JSON.

Every piece of record text goes through :func:`html.escape`: records come from anyone who can
open a pull request. The pages carry a Content-Security-Policy that allows scripts and styles
from the site's own files only, so even a missed escape could not run an inline script.

:func:`build_site` makes the files in memory (``{relative path: text}``) and runs no git beyond
one :class:`declog.history.History`; :func:`write_site` writes them through
:class:`declog.export.ExportDir` (atomic files, and only into a folder that is new, empty or an earlier export).
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from declog import clock
from declog.errors import GitError
from declog.export import ExportDir
from declog.export.assets_html import SCRIPT, STYLE
from declog.history import History

if TYPE_CHECKING:
    from declog.history import Revision
    from declog.review import WeeklyReview
    from declog.store import Log, Record
    from declog.timeline import Entry

GENERATOR = "declog export html"
SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "base-uri 'none'; form-action 'none'")
KIND_ORDER = ("decision", "mechanism", "correction", "inspection", "owner")
KIND_TITLES = {"decision": "Decisions", "mechanism": "Mechanisms", "correction": "Corrections of error",
               "inspection": "Inspections", "owner": "Owners"}
NAV = (("index.html", "Decisions"), ("graph.html", "Graph"), ("mechanisms.html", "Mechanisms"),
       ("owners.html", "Owners"), ("review.html", "Weekly review"))


def e(value: object) -> str:
    """Record text made safe for HTML text and attribute values."""
    return html.escape(str(value), quote=True)


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


@dataclass
class Site:
    """What the pages are made from."""

    items: dict[str, Item]
    as_of: dt.date
    entries: dict[str, list[Entry]] = field(default_factory=dict)  # record ID → timeline, newest first
    linked: dict[str, list[Revision]] = field(default_factory=dict)  # record ID → commits naming it
    review: WeeklyReview | None = None
    has_history: bool = False
    _backlinks: dict[str, list[tuple[str, str]]] | None = field(default=None, repr=False)
    _older: dict[str, list[str]] | None = field(default=None, repr=False)  # ID → the decisions it replaced
    _newer: dict[str, list[str]] | None = field(default=None, repr=False)  # ID → the decisions that replaced it

    def backlinks(self, rid: str) -> list[tuple[str, str]]:
        """``(record ID, field)`` of the records whose fields name ``rid`` (one pass over the log)."""
        if self._backlinks is None:
            found: dict[str, list[tuple[str, str]]] = {}
            for other in self.items.values():
                for key, value in other.data.items():
                    if key in ("id", "handle"):
                        continue
                    for target in _strings_deep(value):
                        if target in self.items and target != other.id:
                            pairs = found.setdefault(target, [])
                            if not pairs or pairs[-1][0] != other.id:
                                pairs.append((other.id, key))
            self._backlinks = found
        return self._backlinks.get(rid, [])

    def supersede_maps(self) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """Both directions of every supersede link, from either side's fields."""
        if self._older is None or self._newer is None:
            older: dict[str, set[str]] = {}
            newer: dict[str, set[str]] = {}
            for item in self.of_kind("decision"):
                for old in _strings(item.data.get("supersedes")):
                    older.setdefault(item.id, set()).add(old)
                    newer.setdefault(old, set()).add(item.id)
                by = item.data.get("superseded_by")
                if isinstance(by, str):
                    newer.setdefault(item.id, set()).add(by)
                    older.setdefault(by, set()).add(item.id)
            self._older = {k: sorted(v) for k, v in older.items()}
            self._newer = {k: sorted(v) for k, v in newer.items()}
        return self._older, self._newer

    def of_kind(self, kind: str) -> list[Item]:
        return [i for i in self.items.values() if i.kind == kind]

    def link(self, rid: object, prefix: str, text: str | None = None) -> str:
        """A link to the record ``rid`` when the site has a page for it, else its escaped text."""
        shown = e(text if text is not None else rid)
        if isinstance(rid, str) and rid in self.items:
            item = self.items[rid]
            return f'<a href="{e(prefix + item.page)}" title="{e(item.label)}">{shown}</a>'
        return shown


def site_items(records: Iterable[Record]) -> dict[str, Item]:
    """The records that get a page: readable, with an ID that is safe as a file name, first
    file wins when two share an ID (``declog validate`` reports that)."""
    out: dict[str, Item] = {}
    for r in records:
        rid = r.id
        if r.data is None or rid is None or not SAFE_ID.match(rid) or rid in out:
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
    """The edges of :func:`declog.graph.build` between records the site has a page for, turned
    for drawing: a supersede edge runs from the older decision to the newer one; a pair that is
    both superseded and related is drawn once, as the supersede link."""
    from declog.graph import build

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


def graph_svg(site: Site, prefix: str = "") -> tuple[str, int]:
    """The decision graph as inline SVG, and how many decisions have no link and are not drawn."""
    edges = graph_edges(site.items)
    linked = sorted({n for edge in edges for n in (edge.source, edge.target)})
    alone = sum(1 for i in site.of_kind("decision") if i.id not in linked)
    if not linked:
        return '<p class="empty">No decision supersedes or relates to another yet.</p>', alone
    placed, width, height = layout(linked, edges)
    parts = [f'<svg class="graph" xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
             f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="Decision graph">',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" '
             'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrowhead"/></marker></defs>']
    for edge in edges:
        a, b = placed[edge.source], placed[edge.target]
        if edge.kind == "supersedes":
            x1, y1, x2, y2 = a.x + NODE_W, a.y + NODE_H / 2, b.x, b.y + NODE_H / 2
            if b.x <= a.x:  # only in a cycle: go round
                x2 = b.x + NODE_W
            mid = (x1 + x2) / 2
            parts.append(f'<path class="edge supersedes" d="M{x1:.1f},{y1:.1f} C{mid:.1f},{y1:.1f} {mid:.1f},{y2:.1f} '
                         f'{x2:.1f},{y2:.1f}" marker-end="url(#arrow)"><title>{e(edge.target)} supersedes '
                         f'{e(edge.source)}</title></path>')
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
            parts.append(f'<path class="edge related" d="{d}"><title>{e(edge.source)} is related to '
                         f'{e(edge.target)}</title></path>')
    for node in linked:
        p = placed[node]
        item = site.items[node]
        status = re.sub(r"[^a-z-]", "", item.status)
        parts.append(
            f'<a class="node" href="{e(prefix + item.page)}" data-id="{e(node)}">'
            f'<rect class="node status-{status}" x="{p.x:.1f}" y="{p.y:.1f}" width="{NODE_W}" height="{NODE_H}" rx="6"/>'
            f'<text x="{p.x + 10:.1f}" y="{p.y + 18:.1f}" class="node-id">{e(node)}'
            f'{(" · " + e(item.status)) if item.status else ""}</text>'
            f'<text x="{p.x + 10:.1f}" y="{p.y + 36:.1f}" class="node-title">{e(_clip(item.label, 32))}</text>'
            f'<title>{e(node)} {e(item.label)}</title></a>')
    parts.append("</svg>")
    return "".join(parts), alone


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


def chart_svg(metric: dict[str, Any], points: Sequence[tuple[str, float]]) -> str:
    """A line chart of one metric's readings over time, with its target as a dashed line."""
    name = str(metric.get("name") or "?")
    unit = metric.get("unit")
    target = metric.get("target")
    target = float(target) if isinstance(target, int | float) and not isinstance(target, bool) else None
    if not points:
        return f'<p class="empty">{e(name)}: no readings yet.</p>'
    days = [_day(d) for d, _ in points]
    values = [v for _, v in points]
    lo, hi = min(values + ([target] if target is not None else [])), max(values + ([target] if target is not None else []))
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    ticks = {lo, hi}  # the extremes of the readings and the target, before padding
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

    unit_text = f" {unit}" if isinstance(unit, str) else ""
    coords = [(x(d), y(v)) for d, v in zip(days, values, strict=True)]
    parts = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{CHART_W}" height="{CHART_H}" '
             f'viewBox="0 0 {CHART_W} {CHART_H}" role="img" aria-label="{e(name)} over time" data-metric="{e(name)}">',
             f"<title>{e(name)}{e(unit_text)}: {len(points)} reading{'s' * (len(points) != 1)}</title>",
             f'<line class="axis" x1="{PAD_L}" y1="{PAD_T}" x2="{PAD_L}" y2="{PAD_T + inner_h}"/>',
             f'<line class="axis" x1="{PAD_L}" y1="{PAD_T + inner_h}" x2="{PAD_L + inner_w}" y2="{PAD_T + inner_h}"/>']
    for value in sorted(ticks):
        parts.append(f'<text class="tick" x="{PAD_L - 6}" y="{y(value) + 4:.1f}" text-anchor="end">{_num(value)}</text>')
    parts.append(f'<text class="tick" x="{PAD_L}" y="{CHART_H - 14}" text-anchor="start">{first.isoformat()}</text>')
    if last != first:
        parts.append(f'<text class="tick" x="{PAD_L + inner_w}" y="{CHART_H - 14}" text-anchor="end">'
                     f"{last.isoformat()}</text>")
    if target is not None:
        ty = y(target)
        want = {"up": "≥ ", "down": "≤ "}.get(str(metric.get("direction")), "")
        parts.append(f'<line class="target" x1="{PAD_L}" y1="{ty:.1f}" x2="{PAD_L + inner_w}" y2="{ty:.1f}"/>'
                     f'<text class="target-label" x="{PAD_L + inner_w - 4}" y="{ty - 5:.1f}" text-anchor="end">'
                     f"target {want}{_num(target)}{e(unit_text)}</text>")
    parts.append('<polyline class="series" points="' + " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in coords) + '"/>')
    for (cx, cy), (day, value) in zip(coords, points, strict=True):
        parts.append(f'<circle class="point" cx="{cx:.1f}" cy="{cy:.1f}" r="3.5"><title>{e(day)}: {_num(value)}'
                     f"{e(unit_text)}</title></circle>")
    parts.append("</svg>")
    return "".join(parts)


def metric_charts(site: Site, mechanism: Item, readings: Sequence[tuple[str, str, dict[str, float]]]) -> str:
    out = []
    for role in ("input", "output"):
        for metric in _list(mechanism.data.get(f"{role}_metrics")):
            if not isinstance(metric, dict):
                continue
            name = metric.get("name")
            points = [(day, values[name]) for day, _, values in readings if isinstance(name, str) and name in values]
            out.append(f'<figure class="metric"><figcaption>{e(role)} metric <strong>{e(name)}</strong>'
                       f"{_target_text(metric)}</figcaption>{chart_svg(metric, points)}</figure>")
    return "".join(out) or '<p class="empty">This mechanism has no metrics.</p>'


# -- pages -----------------------------------------------------------------------------------
def page(title: str, body: str, prefix: str = "", *, current: str = "", scripts: Sequence[str] = ()) -> str:
    mark = ' aria-current="page"'
    nav = "".join(f'<a href="{prefix}{href}"{mark if href == current else ""}>{label}</a>' for href, label in NAV)
    tags = "".join(f'<script src="{prefix}{s}"></script>' for s in scripts)
    return ("<!DOCTYPE html>\n"
            f'<html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="generator" content="{GENERATOR}">'
            f"<title>{e(title)} · declog</title>"
            f'<link rel="stylesheet" href="{prefix}assets/style.css"></head>'
            f'<body><header><nav>{nav}</nav></header><main>{body}</main>'
            "<footer>Exported by declog. Static pages: nothing here talks to a server.</footer>"
            f"{tags}</body></html>\n")


def index_page(site: Site) -> str:
    statuses = sorted({i.status for i in site.items.values() if i.status and i.kind != "owner"})
    options = "".join(f'<option value="{e(s)}">{e(s)}</option>' for s in statuses)
    sections = []
    for kind in KIND_ORDER:
        items = sorted(site.of_kind(kind), key=_sort_key)
        if not items:
            continue
        rows = "".join(_index_row(site, i) for i in items)
        sections.append(f'<section class="kind" data-kind="{kind}" id="kind-{kind}"><h2>{KIND_TITLES[kind]} '
                        f'<span class="count">({len(items)})</span></h2><ul class="records">{rows}</ul></section>')
    body = ('<h1>Decision log</h1>'
            '<div class="search"><label for="q">Search</label> '
            '<input id="q" type="search" autocomplete="off" placeholder="Search titles, context, rationale, owners…">'
            '<label for="status">Status</label> <select id="status"><option value="">any</option>'
            f'{options}</select> <span id="count" aria-live="polite">{len(site.items)} records</span></div>'
            '<p id="nothing" class="empty" hidden>Nothing matches.</p>' + "".join(sections))
    return page("Decision log", body, current="index.html", scripts=("assets/search-index.js", "assets/site.js"))


def _index_row(site: Site, item: Item) -> str:
    data = item.data
    bits = []
    if item.status:
        bits.append(f'<span class="badge status-{e(item.status)}">{e(item.status)}</span>')
    owner = data.get("owner") if item.kind != "owner" else None
    if isinstance(owner, str):
        bits.append(f'<span class="owner">{site.link(owner, "")}</span>')
    for key in ("decided_on", "on"):
        if isinstance(data.get(key), str):
            bits.append(f'<span class="date">{e(data[key])}</span>')
    return (f'<li class="rec" id="r-{e(item.id)}" data-status="{e(item.status)}" data-kind="{item.kind}">'
            f'<a class="rid" href="{e(item.page)}">{e(item.id)}</a> '
            f'<a class="title" href="{e(item.page)}">{e(item.label)}</a> {" ".join(bits)}</li>')


def search_index_js(site: Site) -> str:
    entries = []
    for item in sorted(site.items.values(), key=_sort_key):
        words = " ".join(_flatten(item.data))
        entries.append({"id": item.id, "kind": item.kind, "status": item.status,
                        "text": f"{item.id} {item.label} {words}".lower()})
    return "window.DECLOG_INDEX = " + _js_json(entries) + ";\n"


def record_page(site: Site, item: Item, readings: dict[str, list[tuple[str, str, dict[str, float]]]]) -> str:
    prefix = "../"
    data = item.data
    head = (f'<p class="kind">{e(item.kind)} <code>{e(item.id)}</code>'
            + (f' <span class="badge status-{e(item.status)}">{e(item.status)}</span>' if item.status else "")
            + f'</p><h1>{e(item.label)}</h1><p class="path">File: <code>{e(item.record.path)}</code></p>')
    parts = [head]
    if item.kind == "decision":
        parts.append(_chain_section(site, item, prefix))
    if item.kind == "mechanism":
        parts.append(f"<section><h2>Metrics</h2>{metric_charts(site, item, readings.get(item.id, []))}</section>")
    parts.append("<section><h2>Fields</h2>" + _fields_html(site, data, prefix, item.id) + "</section>")
    back = _backlinks(site, item)
    if back:
        parts.append("<section><h2>Linked from</h2><ul>" + "".join(
            f"<li>{site.link(other.id, prefix)} {e(other.label)} <span class=\"why\">({e(how)})</span></li>"
            for other, how in back) + "</ul></section>")
    parts.append(_history_section(site, item))
    return page(f"{item.id} {item.label}", "".join(parts), prefix)


def _chain_section(site: Site, item: Item, prefix: str) -> str:
    older, newer = site.supersede_maps()
    before = _walk(site, item.id, lambda i: older.get(i.id, []))
    after = _walk(site, item.id, lambda i: newer.get(i.id, []))
    if not before and not after:
        return ""
    rows = []
    for rid in reversed(before):
        rows.append(f'<li class="before">{site.link(rid, prefix)} {e(_label(site, rid))} {_status_badge(site, rid)}</li>')
    rows.append(f'<li class="this"><strong>{e(item.id)} {e(item.label)}</strong> (this decision)</li>')
    for rid in after:
        rows.append(f'<li class="after">{site.link(rid, prefix)} {e(_label(site, rid))} {_status_badge(site, rid)}</li>')
    direct = []
    sup = _strings(item.data.get("supersedes"))
    if sup:
        direct.append("Supersedes " + ", ".join(site.link(r, prefix) for r in sup) + ".")
    by = item.data.get("superseded_by")
    if isinstance(by, str):
        direct.append(f"Superseded by {site.link(by, prefix)}.")
    return (f'<section class="chain"><h2>Supersede chain</h2><p>{" ".join(direct)}</p>'
            f'<ol class="chain">{"".join(rows)}</ol></section>')


def _walk(site: Site, start: str, step: Any) -> list[str]:
    """IDs reachable from ``start`` by ``step``, nearest first (each once; cycles stop)."""
    out: list[str] = []
    seen = {start}
    frontier = [start]
    while frontier:
        nxt = []
        for rid in frontier:
            item = site.items.get(rid)
            if item is None:
                continue
            for other in step(item):
                if other not in seen:
                    seen.add(other)
                    out.append(other)
                    nxt.append(other)
        frontier = nxt
    return out


def _backlinks(site: Site, item: Item) -> list[tuple[Item, str]]:
    out = [(site.items[rid], key) for rid, key in site.backlinks(item.id)]
    return sorted(out, key=lambda pair: (KIND_ORDER.index(pair[0].kind) if pair[0].kind in KIND_ORDER else 9,
                                         pair[0].id))


def _history_section(site: Site, item: Item) -> str:
    if not site.has_history:
        return '<section class="history"><h2>History</h2><p class="empty">No git history to read.</p></section>'
    entries = site.entries.get(item.id, [])
    rows = []
    for entry in entries:
        rev = entry.revision
        when = e(rev.when) if rev else e(entry.stage or "")
        who = e(rev.author) if rev else "(not committed)"
        subject = f'<div class="subject"><code>{e(rev.short)}</code> {e(rev.subject)}</div>' if rev else ""
        changes = "".join(f"<li>{e(c.text())}</li>" for c in entry.changes)
        moved = (f"<li>moved from <code>{e(entry.old_path)}</code></li>"
                 if entry.old_path and entry.old_path != entry.path else "")
        if entry.source:  # a commit to the markdown ADR this record was imported from
            status = f" as {e(entry.status_raw)}" if entry.action == "created" and entry.status_raw else ""
            moved = f'<li class="source">in <code>{e(entry.path)}</code>{status}</li>' + moved
        rows.append(f'<tr><td class="date">{when}</td><td>{who}</td><td>{e(entry.action)}</td>'
                    f'<td>{subject}<ul>{changes}{moved}</ul></td></tr>')
    table = ('<table class="history"><thead><tr><th>when (UTC)</th><th>author</th><th>what</th><th>changes</th>'
             f'</tr></thead><tbody>{"".join(rows)}</tbody></table>') if rows else \
        '<p class="empty">Not committed yet.</p>'
    linked = site.linked.get(item.id, [])
    more = ""
    if linked:
        more = ("<h3>Commits that name it in a trailer</h3><ul>" + "".join(
            f"<li><code>{e(r.short)}</code> {e(r.date)} {e(r.author)}: {e(r.subject)}</li>" for r in linked)
            + "</ul>")
    return f'<section class="history"><h2>History</h2>{table}{more}</section>'


def _fields_html(site: Site, data: dict[str, Any], prefix: str, own_id: str = "") -> str:
    rows = "".join(f"<dt>{e(key)}</dt><dd>{f'<code>{e(value)}</code>' if value == own_id else _value_html(site, value, prefix)}</dd>"
                   for key, value in data.items() if key != "sections")
    return f'<dl class="fields">{rows}</dl>' + _sections_html(data.get("sections"))


def _sections_html(sections: Any) -> str:
    """An imported ADR's other sections: a heading and the text of each, in the ADR's order."""
    parts = [f'<section class="adr-section"><h3>{e(s.get("heading"))}</h3><div class="prose">{e(s.get("text"))}</div>'
             "</section>" for s in _list(sections) if isinstance(s, dict)]
    return "".join(parts)


def _value_html(site: Site, value: Any, prefix: str) -> str:
    if isinstance(value, dict):
        return "<dl>" + "".join(f"<dt>{e(k)}</dt><dd>{_value_html(site, v, prefix)}</dd>"
                                for k, v in value.items()) + "</dl>"
    if isinstance(value, list):
        if not value:
            return '<span class="empty">none</span>'
        return "<ul>" + "".join(f"<li>{_value_html(site, v, prefix)}</li>" for v in value) + "</ul>"
    if isinstance(value, str):
        if value in site.items:
            return site.link(value, prefix)
        if value.startswith(("https://", "http://")) and not any(c in value for c in "\"'<> \n"):
            return f'<a href="{e(value)}" rel="noopener noreferrer">{e(value)}</a>'
        css = ' class="prose"' if "\n" in value else ""
        return f"<span{css}>{e(value)}</span>"
    if value is None:
        return '<span class="empty">–</span>'
    return e(json.dumps(value))


def graph_page(site: Site) -> str:
    svg, alone = graph_svg(site)
    note = (f'<p class="note">{alone} decision{"s" * (alone != 1)} with no supersede or related link '
            f'{"is" if alone == 1 else "are"} not drawn; see <a href="index.html">the list</a>.</p>') if alone else ""
    legend = ('<p class="legend"><span class="key supersedes"></span> supersedes (older → newer) '
              '<span class="key related"></span> related. Click a decision to open it.</p>')
    return page("Decision graph", f'<h1>Decision graph</h1>{legend}{note}<div class="graph-box">{svg}</div>',
                current="graph.html")


def mechanisms_page(site: Site, readings: dict[str, list[tuple[str, str, dict[str, float]]]]) -> str:
    parts = ["<h1>Mechanisms</h1>"]
    mechanisms = sorted(site.of_kind("mechanism"), key=_sort_key)
    if not mechanisms:
        parts.append('<p class="empty">No mechanisms yet.</p>')
    for m in mechanisms:
        rows = readings.get(m.id, [])
        plan = m.data.get("inspection")
        cadence = plan.get("cadence") if isinstance(plan, dict) else None
        facts = [f"owner {site.link(m.data.get('owner'), '')}"]
        if cadence:
            facts.append(f"inspected {e(cadence)}")
        facts.append(f"last inspected {e(rows[-1][0])}" if rows else "never inspected")
        inspections = "".join(
            f"<tr><td>{site.link(iid, '')}</td><td>{e(day)}</td>"
            f"<td>{e(site.items[iid].data.get('verdict', ''))}</td>"
            f"<td>{e(', '.join(f'{k}={_num(v)}' for k, v in values.items()))}</td></tr>"
            for day, iid, values in reversed(rows))
        table = ('<table><thead><tr><th>inspection</th><th>on</th><th>verdict</th><th>readings</th></tr></thead>'
                 f"<tbody>{inspections}</tbody></table>") if rows else ""
        parts.append(f'<section class="mechanism" id="{e(m.id)}"><h2>{site.link(m.id, "")} {e(m.label)} '
                     f'<span class="badge status-{e(m.status)}">{e(m.status)}</span></h2>'
                     f'<p>{", ".join(facts)}</p>{metric_charts(site, m, rows)}{table}</section>')
    return page("Mechanisms", "".join(parts), current="mechanisms.html")


def owners_page(site: Site) -> str:
    parts = ["<h1>Owners</h1>"]
    load = {o.handle: o for o in site.review.load.owners} if site.review else {}
    owned: dict[str, list[Item]] = {}
    for item in site.items.values():
        owner = item.data.get("owner")
        if item.kind != "owner" and isinstance(owner, str):
            owned.setdefault(owner, []).append(item)
    nothing = '<li class="empty">owns nothing</li>'
    for person in sorted(site.of_kind("owner"), key=lambda i: i.id):
        data = person.data
        facts = [e(data.get("kind") or "person")]
        if data.get("active") is False:
            facts.append("inactive")
        if isinstance(data.get("team"), str):
            facts.append(f"team {site.link(data['team'], '')}")
        if person.id in load:
            ol = load[person.id]
            facts.append(f"load {ol.total} ({ol.decisions} decisions, {ol.mechanisms} mechanisms, "
                         f"{ol.action_items} open action items){' — over the limit' if ol.over_limit else ''}")
        things = "".join(f'<li>{site.link(i.id, "")} {e(i.label)} '
                         f'{_status_badge(site, i.id)}</li>' for i in sorted(owned.get(person.id, []), key=_sort_key))
        parts.append(f'<section class="owner" id="{e(person.id)}"><h2>{site.link(person.id, "")} {e(person.label)}</h2>'
                     f'<p>{", ".join(facts)}</p><ul>{things or nothing}</ul></section>')
    return page("Owners", "".join(parts), current="owners.html")


def review_page(site: Site) -> str:
    from declog.render_review import SECTIONS

    review = site.review
    if review is None:
        return page("Weekly review", '<h1>Weekly review</h1><p class="empty">No review.</p>', current="review.html")
    L = site.link
    sections: list[tuple[str, list[str]]] = []
    sections.append((SECTIONS[0], [
        f"{L(o.mechanism, '')} {e(o.name)} ({e(o.cadence)}, owner {L(o.owner, '')}): "
        + ("never inspected" if o.days_overdue is None else
           f"{_days(o.days_overdue)}, last inspected {e(o.last_inspected)}")
        for o in review.overdue_inspections]))
    for index, role in ((1, "input"), (2, "output")):
        sections.append((SECTIONS[index], [
            f"<strong>{e(o.metric)}</strong>: {_num(o.latest)}{e(_unit(o.unit))} on {e(o.latest_on)}, target "
            f"{'at least' if o.direction == 'up' else 'at most'} {_num(o.target)}{e(_unit(o.unit))} "
            f"(trend {' → '.join(_num(v) for v in o.trend)}) — {L(o.mechanism, '')} {e(o.mechanism_name)}, "
            f"owner {L(o.owner, '')}" for o in review.off_target if o.role == role]))
    sections.append((SECTIONS[3], [
        f"{L(a.id, '')} {e(a.title)}{' <strong>[one-way door]</strong>' if a.door == 'one-way' else ''} "
        f"(owner {L(a.owner, '')}"
        + (f", proposed {e(a.proposed_on)}, {a.days_waiting} days ago" if a.proposed_on else "") + ")"
        for a in review.awaiting]))
    sections.append((SECTIONS[4], [f"{L(d.id, '')} {e(d.title)} (owner {L(d.owner, '')}): review by {e(d.review_by)}"
                                   for d in review.due_for_review]))
    sections.append((SECTIONS[5], [
        f"{L(a.correction, '')} {e(a.correction_title)}: {e(a.description)} (owner {L(a.owner, '')}, due {e(a.due)}, "
        f"{_days(a.days_overdue)})" for a in review.overdue_actions]))
    load_rows = [f"{L(o.handle, '')}: {o.decisions} decisions, {o.mechanisms} mechanisms, {o.action_items} open "
                 f"action items{' <strong>[over the limit]</strong>' if o.over_limit else ''}"
                 f"{' <strong>[inactive]</strong>' if not o.active else ''}"
                 for o in review.load.owners if o.total or not o.active]
    load_rows += [f"needs a new owner: {e(u.kind)} {L(u.id, '')}: owner {e(u.owner)} ({e(u.reason)})"
                  for u in review.load.unowned]
    sections.append((SECTIONS[6], load_rows))
    changed = [f"{review.inspections_this_week} inspection{'s' * (review.inspections_this_week != 1)} logged since "
               f"{e(review.since)}"]
    if review.changes is None:
        changed.append("(no git history to compare with)")
    else:
        for key, label in review.changes.labels:
            for it in review.changes.groups.get(key, []):
                changed.append(f"{e(label.lower())}: {L(it.record_id, '')} {e(it.title)} ({e(it.when.date)}, "
                               f"{e(it.when.author)})")
    sections.append((SECTIONS[7], changed))
    body = [f"<h1>Weekly review as of {e(review.as_of)}</h1>"]
    for title, lines in sections:
        body.append(f'<section class="review"><h2>{e(title)} <span class="count">({len(lines)})</span></h2>'
                    + ("<ul>" + "".join(f"<li>{line}</li>" for line in lines) + "</ul>" if lines
                       else '<p class="empty">None.</p>') + "</section>")
    return page(f"Weekly review {review.as_of}", "".join(body), current="review.html")


# -- building and writing --------------------------------------------------------------------
def load_site(log: Log, as_of: dt.date) -> Site:
    """Read the log, its history (one :class:`History`: one ``git log`` pass, one batch of
    blobs) and the weekly review as of ``as_of``."""
    from declog.review import weekly_review

    records = log.records()
    site = Site(site_items(records), as_of)
    proposed_on: dict[str, dt.date] = {}
    changes = None
    history = _open_history(log)
    if history is not None:
        try:
            site.has_history = True
            _read_history(site, history, proposed_on)
            from declog.retro import retro

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

    def data_of(self, oids: list[str | None], path: str = "") -> dict[str, dict[str, Any] | None]:
        out: dict[str, dict[str, Any] | None] = {o: self.known[o] for o in oids if o and o in self.known}
        rest: list[str | None] = [o for o in oids if o and o not in out]
        if rest:
            out.update(super().data_of(rest, path))
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
    from declog.timeline import entries_for, merge_by_time, source_path, source_timelines

    history.known = {item.record.oid: item.data for item in site.items.values() if item.record.oid}
    per = {rid: history.record(rid) for rid in site.items}
    oids = [o for rh in per.values() for ev in rh.events for o in (ev.old_oid, ev.new_oid, *ev.other_oids)
            if o and o not in history.known]
    history.blobs(list(dict.fromkeys(oids)))  # every older version of every record: one `git cat-file --batch`
    # imported ADRs: the commits to their markdown file before (and after) the import, one pass for all
    sources = {rid: path for rid, item in site.items.items() if (path := source_path(item.data))}
    before = source_timelines(history, sources) if sources else {}
    for rid, rh in per.items():
        site.entries[rid] = merge_by_time(entries_for(history, rh.events), before.get(rid, []))
        site.linked[rid] = list(rh.linked)
        item = site.items[rid]
        times = [e.revision.time for e in site.entries[rid] if e.revision is not None]  # an ADR's commits too
        if item.kind == "decision" and item.status == "proposed" and times:
            proposed_on[rid] = clock.day_of(min(times))


def build_site(site: Site) -> dict[str, str]:
    """Every file of the site: relative path → text."""
    readings = readings_of(site)
    files = {
        "index.html": index_page(site),
        "graph.html": graph_page(site),
        "mechanisms.html": mechanisms_page(site, readings),
        "owners.html": owners_page(site),
        "review.html": review_page(site),
        "assets/style.css": STYLE,
        "assets/site.js": SCRIPT,
        "assets/search-index.js": search_index_js(site),
    }
    for item in site.items.values():
        files[item.page] = record_page(site, item, readings)
    return files


def write_site(out: ExportDir, files: dict[str, str]) -> int:
    """Write ``files`` into the export folder ``out`` (see :class:`declog.export.ExportDir`:
    each file atomically, unchanged files left alone, pages of the previous export that this
    one no longer has removed). Returns the number of files of the site."""
    for rel, text in sorted(files.items()):
        out.write(rel, text)
    out.finish()
    return len(files)


def export_html(log: Log, out: Path, *, as_of: dt.date, force: bool = False) -> int:
    """The whole export: checks ``out`` first, so a refused folder costs no work."""
    folder = ExportDir.open(out, "html", force=force)
    return write_site(folder, build_site(load_site(log, as_of)))


# -- small helpers ---------------------------------------------------------------------------
def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _strings_deep(value: Any) -> set[str]:
    out: set[str] = set()
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            out.add(v)
        elif isinstance(v, list):
            stack.extend(v)
        elif isinstance(v, dict):
            stack.extend(v.values())
    return out


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


def _label(site: Site, rid: str) -> str:
    return site.items[rid].label if rid in site.items else ""


def _status_badge(site: Site, rid: str) -> str:
    item = site.items.get(rid)
    if item is None or not item.status:
        return ""
    return f'<span class="badge status-{e(item.status)}">{e(item.status)}</span>'


def _target_text(metric: dict[str, Any]) -> str:
    target, direction = metric.get("target"), metric.get("direction")
    if not isinstance(target, int | float) or isinstance(target, bool):
        return ""
    want = "at least" if direction == "up" else "at most" if direction == "down" else ""
    return f": target {want} {_num(float(target))}{e(_unit(metric.get('unit')))}"


def _unit(unit: Any) -> str:
    return f" {unit}" if isinstance(unit, str) and unit else ""


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.4g}"


def _days(n: int) -> str:
    return "due today" if n == 0 else f"{n} day{'s' * (n != 1)} overdue"


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
