"""``declog graph`` and ``declog.core.graph``: decisions as nodes, supersede and related links as
edges, written as mermaid or Graphviz dot that a parser reads back to the same graph."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from declog.core import graph as graph_mod
from declog.domain.kinds import KINDS
from declog.storage.store import Record
from tests.conftest import Result, new_decision

TRICKY = 'Use "quotes" [brackets] (parens) {braces} | pipe; semi #hash <b>&amp;</b> `tick` \\N back\\'


# -- a small reader for what we write ------------------------------------------------------------

_DOT_TOKEN = re.compile(r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<arrow>->|--)|(?P<punct>[\[\]{};,=])'
                        r'|(?P<id>[A-Za-z_][A-Za-z0-9_.]*|-?\d+(?:\.\d+)?))', re.S)


def _dot_tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        match = _DOT_TOKEN.match(text, pos)
        assert match and match.end() > pos, f"not DOT at {text[pos:pos + 40]!r}"
        pos = match.end()
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "str":
            inner = value[1:-1]
            assert not re.search(r'(?<!\\)(?:\\\\)*"', inner), f"unescaped quote in {value}"
            value = re.sub(r"\\(.)", r"\1", inner)  # \" → ", \\ → \ ; a \n escape comes back as "n"
            kind = "id"
        out.append((kind, value))
    return out


@dataclass
class Dot:
    name: str
    nodes: dict[str, dict[str, str]] = field(default_factory=dict)
    edges: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)


def parse_dot(text: str) -> Dot:
    """A strict reader of the DOT subset declog writes: ``digraph NAME { stmt; ... }`` with node,
    edge and default-attribute statements. Fails on anything else (an unbalanced quote or
    bracket, a missing semicolon)."""
    tokens = _dot_tokens(text)
    pos = 0

    def take(kind: str, value: str | None = None) -> str:
        nonlocal pos
        got = tokens[pos]
        assert got[0] == kind and (value is None or got[1] == value), f"expected {value or kind}, got {got}"
        pos += 1
        return got[1]

    def attrs() -> dict[str, str]:
        out: dict[str, str] = {}
        take("punct", "[")
        while tokens[pos] != ("punct", "]"):
            key = take("id")
            take("punct", "=")
            out[key] = take("id")
            if tokens[pos] == ("punct", ","):
                take("punct", ",")
        take("punct", "]")
        return out

    take("id", "digraph")
    dot = Dot(take("id"))
    take("punct", "{")
    while tokens[pos] != ("punct", "}"):
        first = take("id")
        if tokens[pos] == ("punct", "="):
            take("punct", "=")
            take("id")
        elif tokens[pos][0] == "arrow":
            assert take("arrow") == "->"
            dot.edges.append((first, take("id"), attrs() if tokens[pos] == ("punct", "[") else {}))
        elif first in ("node", "edge", "graph"):
            attrs()
        else:
            dot.nodes[first] = attrs() if tokens[pos] == ("punct", "[") else {}
        take("punct", ";")
    take("punct", "}")
    assert pos == len(tokens)
    return dot


def _mermaid_unescape(text: str) -> str:
    return re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), text)


@dataclass
class Mermaid:
    nodes: dict[str, tuple[str, str]]  # mermaid ID → (label, class)
    edges: list[tuple[str, str, str, str]]  # (src, arrow, label, dst)
    classes: set[str]


def parse_mermaid(text: str) -> Mermaid:
    """Every line of declog's mermaid is one of a few shapes; anything else fails."""
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    nodes: dict[str, tuple[str, str]] = {}
    edges, classes = [], set()
    for line in lines[1:]:
        if m := re.fullmatch(r'    (\w+)\["([^"]*)"\]:::(\w+)', line):
            label = m.group(2)
            bare = re.sub(r"#\d+;", "", label)  # entity codes out: nothing mermaid reads may remain
            assert not re.search(r'[<>`|;#"]', bare), f"raw markup in a mermaid label: {label}"
            nodes[m.group(1)] = (_mermaid_unescape(label), m.group(3))
        elif m := re.fullmatch(r"    (\w+) (-->|-\.-)\|(\w+)\| (\w+)", line):
            edges.append((m.group(1), m.group(2), m.group(3), m.group(4)))
        elif m := re.fullmatch(r"    classDef (\w+) fill:#[0-9a-f]{6},stroke:#[0-9a-f]{6},color:#[0-9a-f]{6}"
                               r"(,stroke-dasharray:4 3)?", line):
            classes.add(m.group(1))
        elif m := re.fullmatch(r'    click (\w+) href "([^"]*)"', line):
            assert m.group(1) in nodes
        else:
            raise AssertionError(f"unexpected mermaid line: {line!r}")
    return Mermaid(nodes, edges, classes)


# -- the pure graph ------------------------------------------------------------------------------


def decision(rid: str, title: str, status: str = "accepted", **links: object) -> Record:
    data = {"id": rid, "title": title, "status": status, "owner": "alice", "door": "two-way", "context": "c", **links}
    return Record(f"decisions/{rid}.yaml", KINDS["decision"], "0" * 40, data=data)


def test_build_makes_one_edge_per_link_whichever_side_names_it() -> None:
    records = [
        decision("D-aaaaaa", "Old", "superseded", superseded_by="D-bbbbbb", related=["D-cccccc"]),
        decision("D-bbbbbb", "New", supersedes=["D-aaaaaa"], related=["D-zzzzzz", "M-aaaaaa"]),
        decision("D-cccccc", "Side", "proposed", related=["D-aaaaaa"]),
        decision("D-dddddd", "Half-linked", "deprecated", superseded_by="D-eeeeee"),
        decision("D-eeeeee", "Names it only from one side"),
        Record("decisions/owners/alice.yaml", KINDS["owner"], "1" * 40, data={"handle": "alice", "name": "A"}),
    ]
    graph = graph_mod.build(records)
    assert [n.id for n in graph.nodes] == ["D-aaaaaa", "D-bbbbbb", "D-cccccc", "D-dddddd", "D-eeeeee"]
    assert graph.node("D-aaaaaa") == graph_mod.Node("D-aaaaaa", "Old", "superseded", "alice", "decisions/D-aaaaaa.yaml")
    assert graph.edges == [
        graph_mod.Edge("D-bbbbbb", "D-aaaaaa", "supersedes"),  # named on both sides: one edge
        graph_mod.Edge("D-eeeeee", "D-dddddd", "supersedes"),  # named by the old side only
        graph_mod.Edge("D-aaaaaa", "D-cccccc", "related"),  # both name each other: one edge
    ]  # links to unknown IDs and to a mechanism are dropped


def test_a_status_filter_keeps_only_edges_between_kept_nodes() -> None:
    records = [decision("D-aaaaaa", "Old", "superseded", superseded_by="D-bbbbbb"),
               decision("D-bbbbbb", "New", supersedes=["D-aaaaaa"], related=["D-cccccc"]),
               decision("D-cccccc", "Idea", "proposed")]
    graph = graph_mod.build(records, statuses={"accepted", "proposed"})
    assert [n.id for n in graph.nodes] == ["D-bbbbbb", "D-cccccc"]
    assert graph.edges == [graph_mod.Edge("D-bbbbbb", "D-cccccc", "related")]


def test_a_broken_status_is_drawn_as_unknown() -> None:
    graph = graph_mod.build([decision("D-aaaaaa", "Odd", "maybe")])
    assert graph.nodes[0].status == "unknown"
    assert 'class="unknown"' in graph_mod.to_dot(graph)


def test_dot_and_mermaid_escape_titles_so_they_read_back_unchanged() -> None:
    graph = graph_mod.build([decision("D-aaaaaa", TRICKY, related=["D-bbbbbb"]),
                             decision("D-bbbbbb", "Line one\nline two", "rejected")])
    dot = parse_dot(graph_mod.to_dot(graph, links={"D-aaaaaa": 'a "page".html'}))
    label = dot.nodes["D-aaaaaa"]["label"]
    # the DOT reader turns "\n" (DOT's line break between ID and title) into "n"
    assert label == "D-aaaaaan" + TRICKY
    assert dot.nodes["D-bbbbbb"]["label"] == "D-bbbbbbnLine one line two"
    assert dot.nodes["D-aaaaaa"]["URL"] == 'a "page".html'
    mermaid = parse_mermaid(graph_mod.to_mermaid(graph, links={"D-aaaaaa": "x.html"}))
    assert mermaid.nodes["n_D_aaaaaa"] == (f"D-aaaaaa: {TRICKY}", "accepted")
    assert mermaid.nodes["n_D_bbbbbb"] == ("D-bbbbbb: Line one line two", "rejected")


def test_dot_backslash_escapes_in_titles_are_not_label_escapes() -> None:
    text = graph_mod.to_dot(graph_mod.build([decision("D-aaaaaa", r"a\N b\l c\"")]))
    assert r'label="D-aaaaaa\na\\N b\\l c\\\""' in text


# -- the command ---------------------------------------------------------------------------------


@pytest.fixture
def linked(log_repo: Path, run: Callable[..., Result]) -> dict[str, str]:
    ids = {"pg": new_decision(run, log_repo, "Use Postgres for orders"),
           "kafka": new_decision(run, log_repo, "Adopt Kafka for order events")}
    ids["crdb"] = new_decision(run, log_repo, "Use CockroachDB for orders", "--related", ids["kafka"])
    ids["odd"] = new_decision(run, log_repo, TRICKY)
    for did in (ids["pg"], ids["crdb"]):
        res = run(log_repo, "set", did, "status=accepted", "decision=Yes", "rationale=Because", "decided_on=2026-03-01")
        assert res.exit_code == 0, res.output
    assert run(log_repo, "supersede", ids["pg"], ids["crdb"]).exit_code == 0
    return ids


def test_graph_mermaid_on_stdout(log_repo: Path, run: Callable[..., Result], linked: dict[str, str]) -> None:
    res = run(log_repo, "graph")
    assert res.exit_code == 0, res.output
    mermaid = parse_mermaid(res.stdout)
    by_id = {label.split(": ", 1)[0]: (mid, label.split(": ", 1)[1], cls) for mid, (label, cls) in mermaid.nodes.items()}
    assert set(by_id) == set(linked.values())
    assert by_id[linked["pg"]][2] == "superseded" and by_id[linked["crdb"]][2] == "accepted"
    assert by_id[linked["odd"]][1:] == (TRICKY, "proposed")
    mid = {rid: node[0] for rid, node in by_id.items()}
    assert sorted(mermaid.edges) == sorted([
        (mid[linked["crdb"]], "-->", "supersedes", mid[linked["pg"]]),
        (mid[linked["crdb"]], "-.-", "related", mid[linked["kafka"]]),
    ])
    assert {"accepted", "proposed", "superseded", "deprecated", "rejected"} <= mermaid.classes


def test_graph_dot_to_a_file_with_a_status_filter(log_repo: Path, run: Callable[..., Result],
                                                  linked: dict[str, str], tmp_path: Path) -> None:
    target = tmp_path / "out" / "graph.dot"
    res = run(log_repo, "graph", "--format", "dot", "--status", "accepted", "--status", "superseded",
              "--out", str(target))
    assert res.exit_code == 0, res.output
    assert res.stdout == f"wrote 2 decision(s) and 1 link(s) to {target}\n"
    dot = parse_dot(target.read_text(encoding="utf-8"))
    assert set(dot.nodes) == {linked["pg"], linked["crdb"]}
    assert dot.nodes[linked["pg"]]["class"] == "superseded"
    assert dot.nodes[linked["crdb"]]["label"] == f"{linked['crdb']}nUse CockroachDB for orders"
    assert dot.edges == [(linked["crdb"], linked["pg"], {"label": "supersedes", "class": "supersedes"})]
    assert not list(target.parent.glob(".declog-*"))  # no temp file left beside it


def test_graph_related_edges_are_dashed_in_dot(log_repo: Path, run: Callable[..., Result],
                                               linked: dict[str, str]) -> None:
    dot = parse_dot(run(log_repo, "graph", "--format", "dot").stdout)
    related = [(s, d, a) for s, d, a in dot.edges if a.get("class") == "related"]
    assert related == [(linked["crdb"], linked["kafka"],
                        {"label": "related", "style": "dashed", "arrowhead": "none", "class": "related"})]


def test_graph_of_no_decisions_exits_1(log_repo: Path, run: Callable[..., Result]) -> None:
    res = run(log_repo, "graph", "--format", "dot")
    assert res.exit_code == 1
    assert parse_dot(res.stdout).nodes == {}
    assert "no decisions in the log" in res.stderr


def test_graph_rejects_an_unknown_format(log_repo: Path, run: Callable[..., Result]) -> None:
    res = run(log_repo, "graph", "--format", "svg")
    assert res.exit_code == 2
    assert "'svg' is not one of 'mermaid', 'dot'" in res.stderr
