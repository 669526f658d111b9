"""``declog export html`` in a real headless Chromium (through Playwright, with the system's
Chromium: Playwright never downloads a browser here). The search, the links, the graph and the
charts are checked as a reader sees them, with every network request refused.

The browser is a test prerequisite: ``make test`` installs it (``make browser``). Without it
this test fails, so CI cannot pass without it; a developer without root may set
``DECLOG_SKIP_BROWSER=1`` to skip it on purpose.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from tests.conftest import Result
from tests.export.test_html import ExampleLog, export, local_link_problems, make_example_log

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "build" / "screenshots"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def chromium() -> str:
    """The system Chromium, or a failure that says how to get it (a skip only when asked)."""
    for candidate in (os.environ.get("DECLOG_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file():
            return candidate
    if os.environ.get("DECLOG_SKIP_BROWSER") == "1":
        pytest.skip("no Chromium, and DECLOG_SKIP_BROWSER=1")
    pytest.fail("the browser tests need Chromium: run `make browser` (installs Debian's chromium), "
                "or set DECLOG_SKIP_BROWSER=1 to skip them")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if os.environ.get("DECLOG_SKIP_BROWSER") == "1":
        pytest.skip("DECLOG_SKIP_BROWSER=1")
    executable = chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the browser tests need Playwright for Python: `make test` installs the dev extra")
    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def site(repo: Path, run: Callable[..., Result], tmp_path: Path) -> tuple[ExampleLog, Path]:
    example = make_example_log(run, repo)
    out = tmp_path / "site"
    export(run, example, out)
    return example, out


@pytest.fixture
def page(browser: Any) -> Iterator[tuple[Any, list[str], list[str]]]:
    """A page whose every request other than file:// is aborted and recorded, with console
    errors and page errors recorded too."""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, service_workers="block")
    refused: list[str] = []
    errors: list[str] = []

    def route(r: Any) -> None:
        url = r.request.url
        if url.startswith("file://"):
            r.continue_()
        else:
            refused.append(url)
            r.abort()

    context.route("**/*", route)
    tab = context.new_page()
    tab.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    tab.on("console", lambda msg: errors.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    try:
        yield tab, refused, errors
    finally:
        context.close()


def visible_ids(tab: Any) -> list[str]:
    return list(tab.eval_on_selector_all("li.rec:not([hidden])", "els => els.map(e => e.id.slice(2))"))


def test_search_graph_and_charts_in_a_real_browser(site: tuple[ExampleLog, Path],
                                                    page: tuple[Any, list[str], list[str]], tmp_path: Path) -> None:
    example, out = site
    tab, refused, errors = page
    assert local_link_problems(out) == []

    tab.goto((out / "index.html").as_uri())
    everything = visible_ids(tab)
    assert {example.old, example.mid, example.new, example.other, example.evil, example.mechanism} <= set(everything)
    # the markup title is text on the page, and nothing ran it
    assert tab.locator(f"#r-{example.evil} a.title").inner_text() == "<script>alert(1)</script>"
    assert tab.evaluate("typeof window.DECLOG_INDEX") == "object"

    tab.fill("#q", "managed backups")  # words from the rationale, not the title
    assert visible_ids(tab) == [example.new]
    assert tab.locator("#count").inner_text() == f"1 of {len(everything)} records"
    assert tab.locator("#kind-decision h2 .count").inner_text() == "(1 of 5)"  # the heading's count follows the filter
    assert tab.locator("#kind-mechanism").is_hidden()
    tab.fill("#q", "orders")
    shown = visible_ids(tab)
    assert example.old in shown and example.mid in shown and example.mechanism not in shown
    tab.select_option("#status", "superseded")
    assert sorted(visible_ids(tab)) == sorted([example.old, example.mid])
    tab.fill("#q", "zzz-no-such-thing")
    assert visible_ids(tab) == [] and tab.locator("#nothing").is_visible()
    tab.select_option("#status", "")
    tab.fill("#q", "")
    assert visible_ids(tab) == everything
    assert tab.locator("#kind-decision h2 .count").inner_text() == "(5)"

    # through to a decision page, then along its supersede chain both ways
    tab.fill("#q", "Move orders to Postgres")
    tab.click(f"#r-{example.mid} a.title")
    assert tab.url.endswith(f"/records/{example.mid}.html")
    assert "Move orders to Postgres" in tab.locator("h1").inner_text()
    tab.click(f'ol.chain a[href$="{example.new}.html"]')
    assert tab.url.endswith(f"/records/{example.new}.html")
    tab.go_back()
    tab.click(f'ol.chain a[href$="{example.old}.html"]')
    assert "Store orders in MySQL" in tab.locator("h1").inner_text()
    assert tab.locator("ol.timeline > li.event").count() >= 3  # created, accepted, superseded
    for href in tab.eval_on_selector_all("a[href]", "els => els.map(a => a.href)"):  # as the browser resolves them
        assert href.startswith("file://"), href
        assert Path(unquote(urlsplit(href).path)).is_file(), href

    # the graph: one drawn node per linked decision, each with a real size on screen
    tab.goto((out / "graph.html").as_uri())
    boxes = {n.get_attribute("data-id"): n.locator("rect").bounding_box() for n in tab.locator("a.node").all()}
    assert set(boxes) == {example.old, example.mid, example.new, example.other}
    assert all(b is not None and b["width"] > 50 and b["height"] > 20 for b in boxes.values())
    assert boxes[example.old]["x"] < boxes[example.mid]["x"] < boxes[example.new]["x"]  # type: ignore[index]
    assert tab.locator("path.edge.supersedes").count() == 2
    tab.click(f'a.node[data-id="{example.other}"]')
    assert tab.url.endswith(f"/records/{example.other}.html")

    # the charts: a line through every reading, and the target
    tab.goto((out / "mechanisms.html").as_uri())
    line = tab.locator('svg.chart[data-metric="reviewed_pct"] polyline.series')
    assert len(line.get_attribute("points").split()) == 3
    box = line.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 10
    assert tab.locator('svg.chart[data-metric="reviewed_pct"] line.target').bounding_box() is not None
    shot = tab.screenshot(full_page=True)

    tab.goto((out / "review.html").as_uri())
    assert "reviewed_pct" in tab.locator("main").inner_text()

    assert refused == [], f"the site tried the network: {refused}"
    assert errors == [], errors
    assert shot.startswith(PNG_MAGIC) and len(shot) > 5000
    for folder in (tmp_path, SCREENSHOTS):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "export-html.png").write_bytes(shot)
    assert (SCREENSHOTS / "export-html.png").read_bytes()[:8] == PNG_MAGIC


def test_every_page_loads_without_errors_or_network(site: tuple[ExampleLog, Path],
                                                     page: tuple[Any, list[str], list[str]]) -> None:
    _, out = site
    tab, refused, errors = page
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 10
    for path in pages:
        tab.goto(path.as_uri())
        assert tab.title().endswith("· declog"), path
        # every stylesheet applied: the header is dark, as style.css says
        assert tab.evaluate("getComputedStyle(document.querySelector('header')).backgroundColor") == "rgb(29, 35, 42)"
    assert refused == [] and errors == []


RICH_CONTEXT = ("Our documentation is **static**: it changes only when we merge.\n\n"
                "- builds are cheap\n- [the runbook](https://example.com/runbook) says how to publish\n"
                "- [a trap](javascript:alert(3)) stays text\n\n<script>alert(4)</script> is shown, not run.")


def test_screenshots_of_the_index_a_decision_and_the_review(repo: Path, run: Callable[..., Result],
                                                             page: tuple[Any, list[str], list[str]],
                                                             tmp_path: Path) -> None:
    """The pages as a reader sees them, with prose rendered from markdown; the screenshots are
    written to build/screenshots/ (index.png, decision.png, review.png)."""
    import json

    from tests.history.conftest import commit

    example = make_example_log(run, repo)
    res = run(repo, "new", "decision", "Serve the documentation from object storage", "--owner", "alice",
              "--door", "two-way", "--context", RICH_CONTEXT, "--option", "A VM with nginx: one more server to patch",
              "--option", "S3 behind CloudFront", "--format", "json")
    assert res.exit_code == 0, res.output
    rid = json.loads(res.stdout)["id"]
    commit(repo, "Propose object storage for the docs", "2026-03-17T09:30:00Z")
    res = run(repo, "set", rid, "status=accepted", "decision=Publish the **built site** to S3 behind CloudFront",
              "rationale=Nothing to patch, and a rollback is a copy.\n\nIt costs *cents* a month.",
              "decided_on=2026-03-18")
    assert res.exit_code == 0, res.output
    commit(repo, "Accept object storage for the docs", "2026-03-18T10:00:00Z", author="Bob Builder",
           email="bob@example.com")
    out = tmp_path / "site"
    export(run, example, out)
    tab, refused, errors = page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    tab.goto((out / "index.html").as_uri())
    first = tab.locator("#kind-decision li.rec").first.get_attribute("id")
    assert first == f"r-{rid}"  # newest first: decided on 2026-03-18
    shots = {"index": tab.screenshot(full_page=True)}

    tab.goto((out / "records" / f"{rid}.html").as_uri())
    main = tab.locator("main")
    assert main.locator("section.context strong").inner_text() == "static"
    assert main.locator("section.context ul > li").count() == 3
    assert main.locator('section.context a[href="https://example.com/runbook"]').inner_text() == "the runbook"
    assert "[a trap](javascript:alert(3))" in main.locator("section.context").inner_text()
    assert "<script>alert(4)</script> is shown, not run." in main.locator("section.context").inner_text()
    assert tab.locator("script").count() == 0
    assert main.locator("section.rationale em").inner_text() == "cents"
    byline = main.locator("p.byline").inner_text()
    assert byline.startswith("Decided by Bob Builder on 2026-03-18 in commit ")
    rows = main.locator("table.options tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).locator("td").last.inner_text() == "one more server to patch"
    assert "why_not" not in main.text_content() and "Why not chosen" in main.text_content()
    # the decision and its reasons come before the context, the options and the history
    top = {name: main.locator(sel).bounding_box()["y"] for name, sel in (  # type: ignore[index]
        ("decision", "section.decision-text"), ("why", "section.rationale"), ("context", "section.context"),
        ("options", "section.options"), ("history", "section.history"))}
    assert top["decision"] < top["why"] < top["context"] < top["options"] < top["history"]
    assert tab.locator("ol.timeline > li.event").count() == 2
    shots["decision"] = tab.screenshot(full_page=True)

    tab.goto((out / "review.html").as_uri())
    assert "Weekly review as of 2026-03-20" in tab.locator("h1").inner_text()
    shots["review"] = tab.screenshot(full_page=True)

    assert refused == [] and errors == []
    for name, shot in shots.items():
        assert shot.startswith(PNG_MAGIC) and len(shot) > 5000, name
        (SCREENSHOTS / f"{name}.png").write_bytes(shot)
