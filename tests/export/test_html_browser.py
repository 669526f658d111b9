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
