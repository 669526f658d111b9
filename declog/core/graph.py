"""The decision graph: decisions as nodes, ``supersedes`` and ``related`` links as edges.

A pure function over records (:func:`build`) and two text renderings of its result
(:func:`to_mermaid`, :func:`to_dot`). Nothing here reads files or runs git, so the command
line (``declog graph``) and the exports (markdown, HTML) share one graph::

    graph = build(log.records(), statuses={"accepted", "superseded"})
    for node in graph.nodes: ...           # Node(id, title, status, owner, path)
    for edge in graph.edges: ...           # Edge(src, dst, kind): kind is "supersedes" or "related"
    text = to_mermaid(graph)               # or to_dot(graph, links={"D-573ejx": "D-573ejx.html"})

Edges run from the newer decision to the one it supersedes (``D-new supersedes D-old``), and
from the decision that names a related one to it. Both sides of a supersede link give one edge;
two decisions naming each other as related give one edge. Links to records that are not
decisions in the graph (unknown IDs, other kinds, decisions left out by a status filter) are
dropped, so the graph never points at a node it does not draw.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from declog.storage.store import Record

STATUSES: tuple[str, ...] = ("accepted", "proposed", "superseded", "deprecated", "rejected")
EDGE_KINDS: tuple[str, ...] = ("supersedes", "related")

# Fill and line colours per status: shared by both renderings (and free for an HTML legend).
STYLES: dict[str, dict[str, str]] = {
    "accepted": {"fill": "#dcfce7", "stroke": "#15803d", "text": "#14532d"},
    "proposed": {"fill": "#fef9c3", "stroke": "#a16207", "text": "#713f12"},
    "superseded": {"fill": "#e5e7eb", "stroke": "#6b7280", "text": "#374151"},
    "deprecated": {"fill": "#f3f4f6", "stroke": "#9ca3af", "text": "#4b5563"},
    "rejected": {"fill": "#fee2e2", "stroke": "#b91c1c", "text": "#7f1d1d"},
    "unknown": {"fill": "#ffffff", "stroke": "#6b7280", "text": "#111827"},
}


@dataclass(frozen=True)
class Node:
    """One decision. ``status`` is one of :data:`STATUSES`, or ``unknown`` for a record whose
    status is missing or not one declog knows."""

    id: str
    title: str
    status: str
    owner: str | None = None
    path: str = ""


@dataclass(frozen=True)
class Edge:
    """``src`` supersedes ``dst`` (``kind == "supersedes"``), or ``src`` names ``dst`` as related."""

    src: str
    dst: str
    kind: str


@dataclass
class Graph:
    """Nodes sorted by ID; edges sorted by kind (supersedes first), then source and target."""

    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)

    def node(self, node_id: str) -> Node | None:
        for node in self.nodes:
            if node.id == node_id:
                return node
        return None

    def edges_of(self, node_id: str) -> list[Edge]:
        """The edges that start or end at ``node_id``."""
        return [e for e in self.edges if node_id in (e.src, e.dst)]

    def as_json(self) -> dict[str, Any]:
        return {"nodes": [{"id": n.id, "title": n.title, "status": n.status, "owner": n.owner, "path": n.path}
                          for n in self.nodes],
                "edges": [{"src": e.src, "dst": e.dst, "kind": e.kind} for e in self.edges]}


def build(records: Iterable[Record], statuses: Collection[str] | None = None) -> Graph:
    """The graph of the decisions among ``records`` (other kinds and unreadable files are
    skipped); with ``statuses``, only decisions with one of those statuses, and the edges
    between them."""
    data: dict[str, dict[str, Any]] = {}
    nodes: dict[str, Node] = {}
    for record in records:
        if record.kind.name != "decision" or record.data is None:
            continue
        rid = record.id
        if rid is None or rid in nodes:
            continue  # a duplicate ID is validate's business: the first file wins here
        status = record.data.get("status")
        status = status if isinstance(status, str) and status in STATUSES else "unknown"
        if statuses is not None and status not in statuses:
            continue
        owner = record.data.get("owner")
        nodes[rid] = Node(rid, _one_line(record.title), status, owner if isinstance(owner, str) else None,
                          record.path)
        data[rid] = record.data
    supersedes: set[tuple[str, str]] = set()
    related: set[tuple[str, str]] = set()
    for rid, fields in data.items():
        for old in _ids(fields.get("supersedes")):
            supersedes.add((rid, old))
        for new in _ids([fields.get("superseded_by")]):
            supersedes.add((new, rid))
        for other in _ids(fields.get("related")):
            related.add((rid, other))
    edges = [Edge(src, dst, "supersedes") for src, dst in supersedes if src in nodes and dst in nodes and src != dst]
    for src, dst in related:
        if src == dst or src not in nodes or dst not in nodes:
            continue
        if (dst, src) in related and dst < src:
            continue  # named from both sides: one edge, from the smaller ID
        edges.append(Edge(src, dst, "related"))
    edges.sort(key=lambda e: (EDGE_KINDS.index(e.kind), e.src, e.dst))
    return Graph(sorted(nodes.values(), key=lambda n: n.id), edges)


def _ids(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, str) and v]


_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def _one_line(text: str) -> str:
    return " ".join(_CONTROL.sub(" ", text).split())


# -- mermaid -------------------------------------------------------------------------------------

_MERMAID_ENTITIES = {'"': "#34;", "#": "#35;", "&": "#38;", ";": "#59;", "<": "#60;", ">": "#62;",
                     "`": "#96;", "|": "#124;", "\\": "#92;"}


def mermaid_text(text: str) -> str:
    """``text`` safe inside a quoted mermaid label: one line, with quotes, ``#``, ``;``, angle
    brackets, backticks, pipes and backslashes as mermaid entity codes (``#34;``); mermaid turns
    them back into the characters, so brackets and quotes in a title show as typed."""
    return "".join(_MERMAID_ENTITIES.get(ch, ch) for ch in _one_line(text))


def _mermaid_ids(graph: Graph) -> dict[str, str]:
    """Mermaid node IDs: the decision ID with anything but letters, digits and ``_`` replaced
    (``D-573ejx`` → ``D_573ejx``; a dash can start an arrow), made unique."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for node in graph.nodes:
        base = "n_" + re.sub(r"[^A-Za-z0-9_]", "_", node.id)
        name, n = base, 1
        while name in used:
            n += 1
            name = f"{base}_{n}"
        used.add(name)
        out[node.id] = name
    return out


def to_mermaid(graph: Graph, links: Mapping[str, str] | None = None, direction: str = "LR") -> str:
    """A mermaid flowchart: each node labelled ``ID: title`` with its status as a class (styled by
    ``classDef``), supersede edges solid and labelled, related edges dashed. ``links`` maps a
    decision ID to a URL its node opens when clicked."""
    ids = _mermaid_ids(graph)
    lines = [f"flowchart {direction}"]
    for node in graph.nodes:
        label = mermaid_text(f"{node.id}: {node.title}" if node.title else node.id)
        lines.append(f'    {ids[node.id]}["{label}"]:::{node.status}')
    for edge in graph.edges:
        if edge.kind == "supersedes":
            lines.append(f"    {ids[edge.src]} -->|supersedes| {ids[edge.dst]}")
        else:
            lines.append(f"    {ids[edge.src]} -.-|related| {ids[edge.dst]}")
    for status in (*STATUSES, "unknown"):
        style = STYLES[status]
        dash = ",stroke-dasharray:4 3" if status in ("superseded", "deprecated") else ""
        lines.append(f"    classDef {status} fill:{style['fill']},stroke:{style['stroke']},color:{style['text']}{dash}")
    for node in graph.nodes:
        url = (links or {}).get(node.id)
        if url:
            lines.append(f'    click {ids[node.id]} href "{mermaid_text(url)}"')
    return "\n".join(lines) + "\n"


# -- graphviz dot --------------------------------------------------------------------------------


def dot_text(text: str) -> str:
    """``text`` for inside a double-quoted DOT string: one line, backslashes and quotes escaped
    (so ``\\n`` or ``\\N`` in a title are not read as DOT's label escapes)."""
    return _one_line(text).replace("\\", "\\\\").replace('"', '\\"')


def to_dot(graph: Graph, links: Mapping[str, str] | None = None, name: str = "decisions") -> str:
    """A Graphviz digraph: boxes labelled ID and title, filled by status (with a ``class``
    attribute for SVG styling), supersede edges solid and labelled, related edges dashed with no
    arrowhead. ``links`` maps a decision ID to a URL (the node's ``URL`` attribute)."""
    lines = [
        f'digraph "{dot_text(name)}" {{',
        "    rankdir=LR;",
        '    node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11];',
        '    edge [fontname="Helvetica", fontsize=9];',
    ]
    for node in graph.nodes:
        style = STYLES[node.status]
        label = f"{dot_text(node.id)}\\n{dot_text(node.title)}" if node.title else dot_text(node.id)
        attrs = [f'label="{label}"', f'class="{node.status}"', f'fillcolor="{style["fill"]}"',
                 f'color="{style["stroke"]}"', f'fontcolor="{style["text"]}"',
                 f'tooltip="{dot_text(node.id)} ({node.status})"']
        if node.status in ("superseded", "deprecated"):
            attrs[-1:-1] = ['style="rounded,filled,dashed"']
        url = (links or {}).get(node.id)
        if url:
            attrs.append(f'URL="{dot_text(url)}"')
        lines.append(f'    "{dot_text(node.id)}" [{", ".join(attrs)}];')
    for edge in graph.edges:
        src, dst = dot_text(edge.src), dot_text(edge.dst)
        if edge.kind == "supersedes":
            lines.append(f'    "{src}" -> "{dst}" [label="supersedes", class="supersedes"];')
        else:
            lines.append(f'    "{src}" -> "{dst}" [label="related", style=dashed, arrowhead=none, class="related"];')
    lines.append("}")
    return "\n".join(lines) + "\n"
