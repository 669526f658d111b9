"""Every export renders narratives, and the site's narrative and review pages are checked in a
real headless Chromium (the fixtures of tests/export/test_html_browser.py), with screenshots in
build/screenshots/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import git, new_decision
from tests.export.test_html import local_link_problems
from tests.export.test_html_browser import PNG_MAGIC, SCREENSHOTS, browser, page  # noqa: F401 (fixtures)
from tests.narratives.conftest import PRFAQ, StoryRepo
from tests.narratives.test_deck import AS_OF, READINGS


@pytest.fixture
def exported(story_repo: StoryRepo, run) -> dict[str, Any]:
    repo = story_repo.path
    (repo / "docs").mkdir()
    (repo / "docs" / "reorder.md").write_text(PRFAQ, encoding="utf-8")
    report = json.loads(run(repo, "import", "narrative", "docs/reorder.md", "--owner", "alice",
                            "--format", "json").stdout)
    nid = report["files"][0]["id"]
    did = new_decision(run, repo, "Reuse the cart API for reorders", "--narrative", nid)
    for day, reorders, abandonment, note in READINGS:
        assert run(repo, "inspect", story_repo.mechanism, "--verdict", "working", "--on", day,
                   "--metric", f"reorders_per_week={reorders}", "--metric", f"abandonment={abandonment}",
                   *(["--note", note] if note else [])).exit_code == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "The reorder PR/FAQ, its decision and inspections")
    out = repo.parent / "out"
    for fmt in ("markdown", "json"):
        res = run(repo, "export", fmt, "--out", str(out / fmt))
        assert res.exit_code == 0, res.output
    res = run(repo, "export", "html", "--out", str(out / "html"), "--as-of", AS_OF)
    assert res.exit_code == 0, res.output
    return {"repo": repo, "out": out, "narrative": nid, "decision": did, "mechanism": story_repo.mechanism}


def test_markdown_reads_as_a_press_release_then_the_faq(exported: dict[str, Any]) -> None:
    out: Path = exported["out"] / "markdown"
    (doc,) = (out / "narratives").glob(f"{exported['narrative']}-*.md")
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# Orders launches one-click reorder\n\n*Weekly shoppers get their basket back in one click*")
    order = ["## Press release", "> \"I do my weekly shop", "## The customer", "## The problem", "## FAQ: customers",
             "### What if an item is sold out?", "## FAQ: internal", "### Who owns the substitutes model?",
             "*Not answered yet.*", "## Success metrics", "## Decisions it led to", "## Background"]
    assert [text.index(s) for s in order] == sorted(text.index(s) for s in order)
    assert f"[{exported['decision']}: Reuse the cart API for reorders](../{exported['decision']}-" in text
    index = (out / "index.md").read_text(encoding="utf-8")
    assert "## Narratives (PR/FAQ) (1)" in index
    (decision,) = out.glob(f"{exported['decision']}-*.md")
    assert f"| **Narrative** | [{exported['narrative']}: Orders launches one-click reorder](narratives/" in \
        decision.read_text(encoding="utf-8")


def test_json_lines_carry_the_narrative(exported: dict[str, Any]) -> None:
    rows = [json.loads(line) for line in (exported["out"] / "json" / "records.jsonl").read_text().splitlines()]
    (story,) = [r for r in rows if r.get("kind") == "narrative"]
    assert story["id"] == exported["narrative"] and story["decisions"] == [exported["decision"]]
    assert len(story["faq"]) == 4 and story["source"]["path"] == "docs/reorder.md"


def test_the_site_has_a_narrative_page_and_a_deck(exported: dict[str, Any]) -> None:
    site: Path = exported["out"] / "html"
    assert local_link_problems(site) == []
    page_html = (site / "records" / f"{exported['narrative']}.html").read_text(encoding="utf-8")
    assert '<article class="prfaq">' in page_html and "Not answered yet." in page_html
    assert page_html.index("Press release") < page_html.index("FAQ: customers") < page_html.index("FAQ: internal")
    review = (site / "review.html").read_text(encoding="utf-8")
    assert review.count('<svg class="spark"') == 4  # two metrics, 6 weeks and 12 months each
    assert 'id="kind-narrative"' in (site / "index.html").read_text(encoding="utf-8")


def test_narrative_and_review_pages_in_a_real_browser(exported: dict[str, Any], page: tuple[Any, list[str], list[str]],  # noqa: F811
                                                     tmp_path: Path) -> None:
    site: Path = exported["out"] / "html"
    tab, refused, errors = page
    tab.goto((site / "records" / f"{exported['narrative']}.html").as_uri())
    headings = tab.eval_on_selector_all("article.prfaq h2", "els => els.map(e => e.textContent)")
    assert headings == ["Press release", "FAQ: customers", "FAQ: internal", "Success metrics",
                        "Decisions it led to", "Background"]
    assert tab.locator("article.prfaq .subtitle").inner_text() == "Weekly shoppers get their basket back in one click"
    assert tab.locator('section.faq[data-audience="external"] dt.question').count() == 2
    unanswered = tab.locator('section.faq[data-audience="internal"] dd.answer').nth(1)
    assert unanswered.inner_text() == "Not answered yet."
    box = tab.locator("blockquote.quote").bounding_box()
    assert box is not None and box["height"] > 10
    narrative_shot = tab.screenshot(full_page=True)
    tab.click(f'section.led-to a[href$="{exported["decision"]}.html"]')
    assert tab.url.endswith(f"/records/{exported['decision']}.html")

    tab.goto((site / "review.html").as_uri())
    slide = tab.locator(f"#deck-{exported['mechanism']}")
    weeks = slide.locator('svg.spark[data-metric="reorders_per_week"][data-window="6 weeks"]')
    assert weeks.locator("polyline.series").count() == 2  # the week without a reading breaks the line
    assert weeks.locator("circle.point").count() == 5 and weeks.locator("circle.gap").count() == 1
    assert weeks.locator("path.event").count() == 3
    target = weeks.locator("line.target").bounding_box()
    assert target is not None and target["width"] > 100
    for line in weeks.locator("polyline.series").all():
        b = line.bounding_box()
        assert b is not None and b["width"] > 20
    caption = slide.locator('figure.trend[data-metric="reorders_per_week"] figcaption').inner_text()
    assert "week over week +30 (+6.2%)" in caption and "target at least 500 count" in caption
    assert slide.locator("figure.trend").nth(0).get_attribute("data-metric") == "reorders_per_week"  # inputs first
    assert slide.locator("table.events tbody tr").count() == 3
    review_shot = tab.screenshot(full_page=True)

    assert refused == [], refused
    assert errors == [], errors
    for name, shot in (("narrative.png", narrative_shot), ("review-deck.png", review_shot)):
        assert shot.startswith(PNG_MAGIC) and len(shot) > 5000
        for folder in (tmp_path, SCREENSHOTS):
            folder.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(shot)
