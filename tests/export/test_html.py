"""``declog export html``: the pages, their links and their escaping, without a browser
(tests/export/test_html_browser.py opens the site in a real one)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import Result, git
from tests.export.conftest import ImportedAdr
from tests.history.conftest import commit

XSS = "<script>alert(1)</script>"


@dataclass
class ExampleLog:
    repo: Path
    old: str  # superseded by mid
    mid: str  # superseded by new
    new: str  # the decision in force
    other: str  # related to new
    evil: str  # a title made of markup
    mechanism: str
    inspections: list[str]


def make_example_log(run: Callable[..., Result], repo: Path) -> ExampleLog:
    """A log with a supersede chain of three, a related link, a decision whose title is markup,
    and a mechanism with three inspections carrying readings, committed on distinct days."""

    def ok(*args: str) -> str:
        res = run(repo, *args)
        assert res.exit_code == 0, res.output
        return res.stdout

    def created(*args: str) -> str:
        return str(json.loads(ok(*args, "--format", "json"))["id"])

    def decision(title: str, context: str) -> str:
        return created("new", "decision", title, "--owner", "alice", "--door", "two-way", "--context", context)

    ok("init")
    ok("new", "owner", "alice", "--name", "Alice Example")
    ok("new", "owner", "bob", "--name", "Bob <b>Bold</b>")
    old = decision("Store orders in MySQL", "Orders need a database")
    other = decision("Queue order events in Kafka", "Order events fan out to many consumers")
    evil = decision(XSS, "Someone typed <img src=x onerror=alert(2)> & more")
    commit(repo, "First decisions", "2026-03-02T10:00:00Z")
    ok("set", old, "status=accepted", "decision=MySQL 8", "rationale=Known to the team", "decided_on=2026-03-02")
    commit(repo, "Accept MySQL", "2026-03-03T10:00:00Z", author="Bob Builder", email="bob@example.com")
    mid = decision("Move orders to Postgres", "MySQL lacks the JSON features we need")
    ok("set", mid, "status=accepted", "decision=Postgres 15", "rationale=JSONB", "decided_on=2026-03-05")
    ok("supersede", old, mid)
    commit(repo, "Postgres replaces MySQL", "2026-03-05T10:00:00Z")
    new = decision("Run Postgres on RDS", "Nobody wants to run databases by hand")
    ok("set", new, "status=accepted", "decision=Postgres 16 on RDS", "rationale=Managed backups",
       "decided_on=2026-03-09", f"related+={other}", "tags+=storage")
    ok("supersede", mid, new)
    commit(repo, "RDS replaces self-run Postgres", "2026-03-09T10:00:00Z")
    mechanism = created("new", "mechanism", "Weekly deploy review", "--owner", "alice",
                        "--problem", "Config changes reach production without review",
                        "--tool", "A checklist the deploy pipeline asks for",
                        "--adoption", "The pipeline blocks a deploy without a completed checklist",
                        "--cadence", "weekly", "--input-metric", "reviewed_pct>=95 percent",
                        "--output-metric", "deploy_incidents<=1 count")
    inspections = []
    for day, pct, incidents in (("2026-03-02", 97, 0), ("2026-03-09", 90, 1), ("2026-03-16", 80, 2)):
        inspections.append(created("inspect", mechanism, "--verdict", "working", "--metric", f"reviewed_pct={pct}",
                                   "--metric", f"deploy_incidents={incidents}", "--on", day))
    commit(repo, "The deploy review mechanism and its inspections", "2026-03-16T10:00:00Z")
    return ExampleLog(repo, old, mid, new, other, evil, mechanism, inspections)


@pytest.fixture
def example(repo: Path, run: Callable[..., Result]) -> ExampleLog:
    return make_example_log(run, repo)


def export(run: Callable[..., Result], example: ExampleLog, out: Path, *extra: str) -> Result:
    res = run(example.repo, "export", "html", "--out", str(out), "--as-of", "2026-03-20", *extra)
    assert res.exit_code == 0, res.output
    return res


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.scripts: list[tuple[str | None, str]] = []  # (src, inline text)
        self._in_script: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("href", "src"):
            if values.get(name):
                self.refs.append(str(values[name]))
        if tag == "script":
            self._in_script = values.get("src") or ""
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._in_script is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._in_script is not None:
            self.scripts.append((self._in_script or None, "".join(self._text)))
            self._in_script = None


def parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def local_link_problems(site: Path) -> list[str]:
    """Every href/src of every page that is not an existing local file (or an anchor in it)."""
    problems = []
    for page in sorted(site.rglob("*.html")):
        for ref in parse(page).refs:
            parts = urlsplit(ref)
            if parts.scheme in ("http", "https"):
                problems.append(f"{page.relative_to(site)}: external {ref}")
                continue
            if parts.scheme or not parts.path:
                if parts.scheme:
                    problems.append(f"{page.relative_to(site)}: {ref}")
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            if not target.is_file() or not target.is_relative_to(site.resolve()):
                problems.append(f"{page.relative_to(site)}: {ref} does not exist")
            elif parts.fragment and f'id="{parts.fragment}"' not in target.read_text(encoding="utf-8"):
                problems.append(f"{page.relative_to(site)}: {ref} has no such anchor")
    return problems


def test_export_writes_every_page_and_every_local_link_resolves(example: ExampleLog, run: Callable[..., Result],
                                                                 tmp_path: Path) -> None:
    site = tmp_path / "site"
    res = export(run, example, site)
    assert "index.html" in res.stdout
    for name in ("index.html", "graph.html", "mechanisms.html", "owners.html", "review.html",
                 "assets/style.css", "assets/site.js", "assets/search-index.js", ".declog-export"):
        assert (site / name).is_file(), name
    for rid in (example.old, example.mid, example.new, example.other, example.evil, example.mechanism,
                *example.inspections, "alice", "bob"):
        assert (site / "records" / f"{rid}.html").is_file(), rid
    assert local_link_problems(site) == []


def test_record_text_is_escaped_everywhere(example: ExampleLog, run: Callable[..., Result], tmp_path: Path) -> None:
    site = tmp_path / "site"
    export(run, example, site)
    pages = {p: p.read_text(encoding="utf-8") for p in site.rglob("*.html")}
    for path, text in pages.items():
        assert XSS not in text, path
        assert "<img src=x" not in text, path
        assert "<b>Bold</b>" not in text, path
        assert all(src for src, _ in parse(path).scripts), f"{path}: an inline script"
    page = pages[site / "records" / f"{example.evil}.html"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(2)&gt; &amp; more" in page
    index = (site / "assets" / "search-index.js").read_text(encoding="utf-8")
    assert "<" not in index and "\\u003cscript\\u003e" in index
    assert "script-src 'self'" in pages[site / "index.html"]


def test_decision_page_has_fields_history_and_the_chain_both_ways(example: ExampleLog, run: Callable[..., Result],
                                                                  tmp_path: Path) -> None:
    site = tmp_path / "site"
    export(run, example, site)
    mid = (site / "records" / f"{example.mid}.html").read_text(encoding="utf-8")
    chain = mid[mid.index('<ol class="chain">'):mid.index("</ol>")]
    assert chain.index(example.old) < chain.index(example.mid) < chain.index(example.new)
    assert f'Supersedes <a href="../records/{example.old}.html"' in mid
    assert f'Superseded by <a href="../records/{example.new}.html"' in mid
    assert "JSONB" in mid and "MySQL lacks the JSON features we need" in mid
    old = (site / "records" / f"{example.old}.html").read_text(encoding="utf-8")
    history = old[old.index('<ol class="timeline">'):]
    assert "Bob Builder" in history and "2026-03-03" in history
    assert "status: proposed → accepted" in history
    assert "status: accepted → superseded" in history
    assert "Accept MySQL" in history
    new = (site / "records" / f"{example.new}.html").read_text(encoding="utf-8")
    assert f'href="../records/{example.other}.html"' in new  # related
    other = (site / "records" / f"{example.other}.html").read_text(encoding="utf-8")
    assert "Linked from" in other and f"../records/{example.new}.html" in other


def test_graph_has_a_node_per_linked_decision_and_an_edge_per_link(example: ExampleLog, run: Callable[..., Result],
                                                                  tmp_path: Path) -> None:
    site = tmp_path / "site"
    export(run, example, site)
    graph = (site / "graph.html").read_text(encoding="utf-8")
    nodes = re.findall(r'<a class="node" href="records/([^"]+)\.html"', graph)
    assert sorted(nodes) == sorted([example.old, example.mid, example.new, example.other])
    assert graph.count('class="edge supersedes"') == 2
    assert graph.count('class="edge related"') == 1
    assert "1 decision with no supersede or related link" in graph  # the one with the markup title
    xs = {rid: float(x) for rid, x in re.findall(r'data-id="([^"]+)"><rect[^>]* x="([\d.]+)"', graph)}
    assert xs[example.old] < xs[example.mid] < xs[example.new]  # older to newer, left to right


def test_mechanism_charts_plot_every_reading_and_the_target(example: ExampleLog, run: Callable[..., Result],
                                                            tmp_path: Path) -> None:
    site = tmp_path / "site"
    export(run, example, site)
    page = (site / "mechanisms.html").read_text(encoding="utf-8")
    charts = re.findall(r'<svg class="chart".*?</svg>', page, re.S)
    assert len(charts) == 2
    pct = next(c for c in charts if 'data-metric="reviewed_pct"' in c)
    points = re.search(r'<polyline class="series" points="([^"]+)"', pct)
    assert points is not None
    coords = [tuple(map(float, p.split(","))) for p in points.group(1).split()]
    assert len(coords) == 3
    assert coords[0][0] < coords[1][0] < coords[2][0]  # time runs left to right
    assert coords[0][1] < coords[1][1] < coords[2][1]  # 97, 90, 80: falling, so lower on the page
    assert "target ≥ 95 percent" in pct
    assert "2026-03-16: 80 percent" in pct
    assert "last inspected 2026-03-16" in page


def test_review_page_flags_the_off_target_metrics(example: ExampleLog, run: Callable[..., Result],
                                                  tmp_path: Path) -> None:
    site = tmp_path / "site"
    export(run, example, site)
    review = (site / "review.html").read_text(encoding="utf-8")
    assert "Weekly review as of 2026-03-20" in review
    assert "<strong>reviewed_pct</strong>: 80 percent on 2026-03-16" in review
    assert "<strong>deploy_incidents</strong>: 2 count" in review
    assert f'href="records/{example.evil}.html"' in review  # awaiting a decision, linked
    assert "&lt;script&gt;" in review


def test_search_index_has_every_record_with_its_text(example: ExampleLog, run: Callable[..., Result],
                                                     tmp_path: Path) -> None:
    site = tmp_path / "site"
    export(run, example, site)
    text = (site / "assets" / "search-index.js").read_text(encoding="utf-8")
    prefix = "window.DECLOG_INDEX = "
    assert text.startswith(prefix)
    entries = {e["id"]: e for e in json.loads(text[len(prefix):].rstrip().rstrip(";"))}
    assert entries[example.new]["status"] == "accepted"
    assert "managed backups" in entries[example.new]["text"]
    assert entries["bob"]["kind"] == "owner"
    index = (site / "index.html").read_text(encoding="utf-8")
    assert all(f'id="r-{rid}"' in index for rid in entries)


def test_refuses_a_folder_with_other_files_unless_forced(example: ExampleLog, run: Callable[..., Result],
                                                         tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "notes.txt").write_text("mine\n")
    res = run(example.repo, "export", "html", "--out", str(site))
    assert res.exit_code == 2
    assert "folder is not empty and was not written by declog export" in res.stderr and "--force" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in site.iterdir()) == ["notes.txt"]
    export(run, example, site, "--force")
    assert (site / "index.html").is_file() and (site / "notes.txt").read_text() == "mine\n"


def test_a_second_export_replaces_the_first_and_drops_pages_of_deleted_records(
        example: ExampleLog, run: Callable[..., Result], tmp_path: Path) -> None:
    site = tmp_path / "site"
    export(run, example, site)
    assert (site / "records" / f"{example.evil}.html").is_file()
    (site / "mine.txt").write_text("kept\n")
    git(example.repo, "rm", "-q", next(str(p) for p in (example.repo / "decisions").glob(f"{example.evil}-*.yaml")))
    commit(example.repo, "Drop it", "2026-03-17T10:00:00Z")
    export(run, example, site)  # the marker says it is ours: no --force needed
    assert not (site / "records" / f"{example.evil}.html").exists()
    assert (site / "mine.txt").read_text() == "kept\n"
    assert local_link_problems(site) == []


def test_a_log_with_no_commits_still_exports(log_repo: Path, run: Callable[..., Result], tmp_path: Path) -> None:
    site = tmp_path / "site"
    res = run(log_repo, "export", "html", "--out", str(site))
    assert res.exit_code == 0, res.output
    alice = (site / "records" / "alice.html").read_text(encoding="utf-8")
    assert "No git history to read." in alice
    assert "No decision supersedes or relates to another yet." in (site / "graph.html").read_text(encoding="utf-8")


def test_bad_as_of_is_a_one_line_usage_error(log_repo: Path, run: Callable[..., Result], tmp_path: Path) -> None:
    res = run(log_repo, "export", "html", "--out", str(tmp_path / "site"), "--as-of", "soon")
    assert res.exit_code == 2
    assert res.stderr.strip() == "declog: error: --as-of takes an ISO date such as 2026-03-02, not 'soon'"
    assert not (tmp_path / "site").exists()


def test_help_has_examples(run: Callable[..., Result]) -> None:
    res = run(None, "export", "html", "--help")
    assert res.exit_code == 0
    assert "Examples:" in res.stdout and "--out DIR" in res.stdout and "--force" in res.stdout


def test_layout_survives_a_supersede_cycle_and_keeps_groups_apart() -> None:
    from declog.export.html import NODE_H, Edge, layout

    edges = [Edge("D-aaaaaa", "D-bbbbbb", "supersedes"), Edge("D-bbbbbb", "D-aaaaaa", "supersedes"),
             Edge("D-cccccc", "D-dddddd", "related")]
    placed, width, height = layout(["D-aaaaaa", "D-bbbbbb", "D-cccccc", "D-dddddd"], edges)
    assert set(placed) == {"D-aaaaaa", "D-bbbbbb", "D-cccccc", "D-dddddd"}
    spots = {(p.x, p.y) for p in placed.values()}
    assert len(spots) == 4  # no two nodes on top of each other
    cycle_bottom = max(placed[n].y for n in ("D-aaaaaa", "D-bbbbbb")) + NODE_H
    assert min(placed[n].y for n in ("D-cccccc", "D-dddddd")) > cycle_bottom
    assert all(p.x + 1 < width and p.y + NODE_H < height for p in placed.values())


def test_a_chart_of_one_reading_without_target_has_one_point() -> None:
    from declog.export.html import chart_svg

    svg = chart_svg({"name": "lead_time", "unit": "days"}, [("2026-03-02", 4.5)])
    points = re.search(r'<polyline class="series" points="([^"]+)"', svg)
    assert points is not None and len(points.group(1).split()) == 1
    assert 'class="target"' not in svg and "2026-03-02: 4.5 days" in svg
    assert chart_svg({"name": "x<y>"}, []) == '<p class="empty">x&lt;y&gt;: no readings yet.</p>'


def test_refuses_a_file_or_a_symlink_as_the_folder(log_repo: Path, run: Callable[..., Result], tmp_path: Path) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("mine\n")
    res = run(log_repo, "export", "html", "--out", str(target), "--force")
    assert res.exit_code == 2 and "exists and is not a folder" in res.stderr
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    res = run(log_repo, "export", "html", "--out", str(tmp_path / "link"))
    assert res.exit_code == 2 and "is a symlink" in res.stderr
    assert target.read_text() == "mine\n" and not any((tmp_path / "real").iterdir())


def test_an_imported_decision_page_shows_the_history_of_its_markdown_adr(imported_adr: ImportedAdr,
                                                                         run: Callable[..., Result],
                                                                         tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert run(imported_adr.repo, "export", "html", "--out", str(site)).exit_code == 0
    page = (site / "records" / f"{imported_adr.rid}.html").read_text(encoding="utf-8")
    history = page[page.index('<ol class="timeline">'):page.index("</ol>")]
    rows = history.split('<li class="event')[1:]  # newest first
    assert [re.search(r'class="date">(\d{4}-\d\d-\d\d)', r).group(1) for r in rows] == [  # type: ignore[union-attr]
        "2026-03-02", "2024-05-09", "2024-05-02"]
    assert "Carol Chen" in rows[1] and "status: Proposed → Accepted" in rows[1]
    assert "Bob Builder" in rows[2] and "in <code>doc/adr/0003-use-kafka.md</code> as Proposed" in rows[2]


def test_prose_is_markdown_without_raw_html_or_unsafe_links() -> None:
    from declog.export.html import inline, prose

    html = str(prose("A **bold** claim.\n\n- one\n- [two](https://example.com/a?b=1&c=2)\n\n<b>raw</b> & <img src=x>"))
    assert "<strong>bold</strong>" in html and "<li>one</li>" in html
    assert '<a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer">two</a>' in html
    assert "&lt;b&gt;raw&lt;/b&gt; &amp; &lt;img src=x&gt;" in html and "<b>" not in html
    for bad in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,x", "vbscript:x", "file:///etc/passwd",
                "//evil.example/x"):
        out = str(inline(f"[x]({bad})"))
        assert "<a" not in out, bad
    assert str(inline("[ok](mailto:a@example.com)")) == '<a href="mailto:a@example.com">ok</a>'
    assert str(inline("[next](0002-use-kafka.md)")) == '<a href="0002-use-kafka.md">next</a>'
    assert "<img" not in str(inline("![a tracker](https://example.com/t.gif)"))  # nothing loads from elsewhere


def test_decision_page_reads_like_a_document(export_log: Any, run: Callable[..., Result], tmp_path: Path) -> None:
    site = tmp_path / "site"
    res = run(export_log.repo, "export", "html", "--out", str(site), "--as-of", "2026-03-20")
    assert res.exit_code == 0, res.output
    pg = (site / "records" / f"{export_log.pg}.html").read_text(encoding="utf-8")
    short = export_log.commits["accept"][:10]
    assert re.search(rf"Decided by <strong>Bob Builder</strong> on 2026-02-01 in commit <code>{short}</code>", pg)
    show = run(export_log.repo, "show", export_log.pg)  # the same line the CLI shows
    assert f"decided: 2026-02-01 by Bob Builder ({short})" in show.stdout
    body = pg[pg.index("<main"):]
    order = [body.index(f"<h2>{h}</h2>") for h in ("Decision", "Why", "Context", "Options considered", "History")]
    assert order == sorted(order)
    options = body[body.index('<table class="options">'):body.index("</table>")]
    assert "<th>Why not chosen</th>" in options
    assert '<th scope="row">DynamoDB</th>' in options and "no multi-item transactions at our scale" in options
    for raw in ("why_not", "decided_on", "<dt>context</dt>", "<dt>rationale</dt>"):
        assert raw not in body.split('<section class="history">')[0], raw  # labels, not field names
    context = body[body.index('<section class="context">'):]
    assert "<p>Orders need multi-row transactions.</p>" in context  # paragraphs, not raw text
    tricky = (site / "records" / f"{export_log.tricky}.html").read_text(encoding="utf-8")
    assert "<pre><code class=\"language-python\">print(&#x27;an unclosed fence&#x27;)" in tricky \
        or "<pre><code class=\"language-python\">print('an unclosed fence')" in tricky


def test_index_lists_decisions_newest_first_and_counts_what_the_filter_shows(
        example: ExampleLog, run: Callable[..., Result], tmp_path: Path) -> None:
    site = tmp_path / "site"
    export(run, example, site)
    index = (site / "index.html").read_text(encoding="utf-8")
    decisions = index[index.index('id="kind-decision"'):index.index('id="kind-mechanism"')]
    listed = re.findall(r'<li class="rec" id="r-([^"]+)"', decisions)
    assert listed[:2] == [example.new, example.mid]  # decided on 03-09, 03-05
    assert set(listed[2:]) == {example.old, example.other, example.evil}  # decided, or first committed, on 03-02
    assert '<span class="count" data-total="5">(5)</span>' in decisions  # site.js rewrites it as "(1 of 5)"


def test_imported_decisions_are_listed_by_adr_number(log_repo: Path, run: Callable[..., Result],
                                                      tmp_path: Path) -> None:
    adr = log_repo / "doc" / "adr"
    adr.mkdir(parents=True)
    for n, title in ((1, "Record architecture decisions"), (2, "Use Kafka"), (10, "Use Postgres")):
        (adr / f"{n:04d}-{title.lower().replace(' ', '-')}.md").write_text(
            f"# {n}. {title}\n\nDate: 2024-0{1 + n % 9}-01\n\n## Status\n\nAccepted\n\n## Context\n\nC.\n\n"
            "## Decision\n\nD.\n\n## Consequences\n\nE.\n", encoding="utf-8")
    assert run(log_repo, "import", "adr", "doc/adr", "--owner", "alice").exit_code == 0
    commit(log_repo, "Import ADRs", "2026-03-02T10:00:00Z")
    site = tmp_path / "site"
    assert run(log_repo, "export", "html", "--out", str(site)).exit_code == 0
    index = (site / "index.html").read_text(encoding="utf-8")
    titles = re.findall(r'<a class="title" href="records/D-[^"]+">([^<]+)</a>', index)
    assert titles == ["Record architecture decisions", "Use Kafka", "Use Postgres"]


def test_every_template_and_asset_is_package_data() -> None:
    """A wheel carries declog/export/site/ only through pyproject's package-data globs."""
    import fnmatch
    import tomllib

    root = Path(__file__).resolve().parents[2]
    globs = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"]["declog"]
    files = [p.relative_to(root / "declog").as_posix() for p in (root / "declog" / "export" / "site").rglob("*")
             if p.is_file()]
    assert len(files) > 5
    assert [f for f in files if not any(fnmatch.fnmatch(f, g) and f.count("/") == g.count("/") for g in globs)] == []


def test_an_imported_decision_page_shows_its_other_sections_as_rendered_prose(
        log_repo: Path, run: Callable[..., Result], tmp_path: Path) -> None:
    adr = log_repo / "doc" / "adr" / "0004-use-postgres.md"
    adr.parent.mkdir(parents=True)
    adr.write_text("# 4. Use Postgres\n\nDate: 2024-05-02\n\n## Status\n\nAccepted\n\n## Context\n\nOrders.\n\n"
                   "## Decision\n\nPostgres.\n\n## Areas of impact\n\n- the **API**\n- the <i>jobs</i>\n",
                   encoding="utf-8")
    assert run(log_repo, "import", "adr", "doc/adr", "--owner", "alice").exit_code == 0
    commit(log_repo, "Import ADRs", "2026-03-02T10:00:00Z")
    rid = json.loads(run(log_repo, "show", "ADR-4", "--format", "json").stdout)["id"]
    site = tmp_path / "site"
    assert run(log_repo, "export", "html", "--out", str(site)).exit_code == 0
    page = (site / "records" / f"{rid}.html").read_text(encoding="utf-8")
    review = (site / "review.html").read_text(encoding="utf-8")  # accepted, imported with no rationale
    assert f'<a href="records/{rid}.html" title="Use Postgres">{rid}</a> Use Postgres (owner' in review
    assert "from <code>doc/adr/0004-use-postgres.md</code>" in review
    section = page[page.index('<section class="adr-section">'):]
    assert section.startswith('<section class="adr-section"><h2>Areas of impact</h2>')
    assert "<li>the <strong>API</strong></li>" in section and "<li>the &lt;i&gt;jobs&lt;/i&gt;</li>" in section
    assert page.index("<h2>Decision</h2>") < page.index("<h2>Areas of impact</h2>") < page.index("<h2>History</h2>")


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab Z09.,:;?()/+-=#|%éü→\\`*_[]<>&!~\"'\n\t")), max_size=16))
def test_plain_text_shortcut_renders_as_markdown_it_does(text: str) -> None:
    """prose() and inline() skip the parser for plain text; the HTML must be what it would make."""
    from declog.export.html import _markdown, inline, prose

    assert str(prose(text)) == _markdown().render(text)
    assert str(inline(text)) == _markdown().renderInline(text)


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("ab Z09.):-=#>+|é\u00a0\u2003\u2028\x00\x85\t\r*")), max_size=12),
                max_size=6))
def test_plain_paragraphs_shortcut_renders_as_markdown_it_does(lines: list[str]) -> None:
    """Prose of several lines (a YAML block scalar) skips the parser when it is only plain
    paragraphs; the HTML must be what markdown-it makes of it, block starts and odd spaces too."""
    from declog.export.html import _markdown, _plain_paragraphs, prose

    text = "\n".join(lines)
    shortcut = _plain_paragraphs(text)
    assert shortcut is None or shortcut == _markdown().render(text)
    if "\n" in text:
        assert str(prose(text)) == _markdown().render(text)


def test_plain_paragraphs_shortcut_takes_wrapped_prose_and_leaves_markup_to_the_parser() -> None:
    from declog.export.html import _plain_paragraphs

    assert _plain_paragraphs("Quarter hides the traffic.\nSchema fewer blocks.\n\nA second one.\n") == \
        "<p>Quarter hides the traffic.\nSchema fewer blocks.</p>\n<p>A second one.</p>\n"
    for text in ("One line.\n- a list\n", "Title\n===\n", "R&D costs.\nmore\n", "a\n    code\n", "a  \nb\n"):
        assert _plain_paragraphs(text) is None, text


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


class _MadeInWorker:
    """Stands for ``html._child_make`` in the forked worker (sent to it by name, so a class of
    this module): what the worker made goes to a file the test reads."""

    real: Any = None  # the real one, set by the test before the fork

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __call__(self) -> int:
        from declog.export import html

        n = int(type(self).real())
        self.marker.write_text(" ".join(sorted(html._MADE)), encoding="utf-8")
        return n


def test_two_processes_write_the_same_site_as_one(example: ExampleLog, run: Callable[..., Result], tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A big log is made and written by this process and a forked worker: byte for byte the
    site one process writes, the marker's list of files too, and a re-export into it changes nothing."""
    from declog.export import html

    monkeypatch.setattr(html, "PARALLEL_FROM", 10**9)
    export(run, example, tmp_path / "one")
    monkeypatch.setattr(html, "PARALLEL_FROM", 0)
    monkeypatch.setattr(html, "_cpus", lambda: 2)
    made = tmp_path / "made-by-the-worker"
    monkeypatch.setattr(_MadeInWorker, "real", html._child_make)
    monkeypatch.setattr(html, "_child_make", _MadeInWorker(made))
    export(run, example, tmp_path / "two")
    assert "index.html" in made.read_text(encoding="utf-8").split()  # the worker made the index page
    assert _tree(tmp_path / "two") == _tree(tmp_path / "one")
    export(run, example, tmp_path / "two")
    assert _tree(tmp_path / "two") == _tree(tmp_path / "one")


def test_a_page_the_worker_cannot_make_fails_the_export_before_any_page_is_written(
        example: ExampleLog, run: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from declog.errors import UsageError
    from declog.export import html

    monkeypatch.setattr(html, "PARALLEL_FROM", 0)
    monkeypatch.setattr(html, "_cpus", lambda: 2)
    files = [rel for rel, _ in html.site_files(html.Site({}, html.dt.date(2026, 3, 20)))]
    worker_makes = files[0]  # the worker makes the first file (the index page)
    real = getattr(html, worker_makes.removesuffix(".html") + "_page")

    def broken(*args: Any) -> str:
        raise UsageError(f"cannot make {worker_makes}")

    monkeypatch.setattr(html, real.__name__, broken)
    site = tmp_path / "site"
    res = run(example.repo, "export", "html", "--out", str(site), "--as-of", "2026-03-20")
    assert res.exit_code == 2 and f"cannot make {worker_makes}" in res.output
    assert sorted(p.name for p in site.iterdir()) == [".declog-export"]  # no page, only the folder's marker


def test_older_versions_are_parsed_once_across_exports(example: ExampleLog, run: Callable[..., Result],
                                                       tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second export takes the older versions of records (a broken one too) from
    .git/declog/versions.sqlite instead of parsing their YAML again, and writes the same site;
    the store deleted or damaged, the export parses them again, with the same pages."""
    from declog.history import History

    path = next((example.repo / "decisions").glob(f"{example.new}-*.yaml"))
    good = path.read_text(encoding="utf-8")
    path.write_text(good + "oops: [unclosed\n", encoding="utf-8")
    commit(example.repo, "Break it", "2026-03-18T10:00:00Z")
    path.write_text(good, encoding="utf-8")
    commit(example.repo, "Mend it", "2026-03-19T10:00:00Z")
    parsed: list[str] = []
    real = History.record_from

    def counting(self: History, rel: str, oid: str, content: bytes) -> Any:
        parsed.append(oid)
        return real(self, rel, oid, content)

    monkeypatch.setattr(History, "record_from", counting)
    export(run, example, tmp_path / "first")
    first = len(parsed)
    store = example.repo / ".git" / "declog" / "versions.sqlite"
    assert first > 0 and store.is_file()
    page = (tmp_path / "first" / "records" / f"{example.new}.html").read_text(encoding="utf-8")
    assert "Break it" in page and "Mend it" in page
    export(run, example, tmp_path / "second")
    assert len(parsed) == first  # no version parsed again
    assert _tree(tmp_path / "second") == _tree(tmp_path / "first")
    store.write_bytes(b"not a database")
    export(run, example, tmp_path / "third")
    assert len(parsed) == 2 * first
    assert _tree(tmp_path / "third") == _tree(tmp_path / "first")
