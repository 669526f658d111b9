"""`declog import narrative`: PR/FAQ markdown into narratives, word for word, in real repositories."""

from __future__ import annotations

import json
import re
from collections import Counter

from tests.conftest import git
from tests.narratives.conftest import PRFAQ, StoryRepo

MARKUP = re.compile(r"^\s*(?:#+|[-*+]|Q:|A:)\s*|\*\*|`{3}")


def _words(text: str) -> Counter[str]:
    return Counter(re.findall(r"[\w'’\-—.,;\"]+", text.replace("**", "")))


def _record_text(value: object) -> str:
    if isinstance(value, dict):
        return "\n".join(_record_text(v) for k, v in value.items() if k not in ("audience", "source", "status", "id",
                                                                                "owner"))
    if isinstance(value, list):
        return "\n".join(_record_text(v) for v in value)
    return str(value)


KNOWN_HEADINGS = {"Customer", "The Problem", "Quote", "FAQ", "External FAQ", "Internal FAQ", "Success metrics"}


def _import(story_repo: StoryRepo, run, *extra: str) -> dict:
    repo = story_repo.path
    (repo / "docs").mkdir(exist_ok=True)
    (repo / "docs" / "reorder.md").write_text(PRFAQ, encoding="utf-8")
    res = run(repo, "import", "narrative", "docs/reorder.md", "--format", "json", *extra)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_import_reads_the_headline_parts_and_questions(story_repo: StoryRepo, run) -> None:
    report = _import(story_repo, run, "--owner", "alice")
    (item,) = report["files"]
    assert item["action"] == "imported" and item["questions"] == 4 and item["unanswered"] == 1
    assert [g["field"] for g in item["guesses"]] == ["subtitle"]
    shown = json.loads(run(story_repo.path, "show", item["id"], "--format", "json").stdout)
    assert shown["title"] == "Orders launches one-click reorder"
    assert shown["subtitle"] == "Weekly shoppers get their basket back in one click"
    assert shown["owner"] == "alice" and shown["status"] == "draft"
    assert shown["customer"] == "Shoppers who buy the same groceries every week."
    assert shown["problem"].startswith("Reordering a past basket")
    assert shown["press_release"].startswith("SEATTLE — Today Orders launches one-click reorder.")
    assert shown["press_release"].endswith("Substitutes are offered for the rest.")
    assert shown["faq"] == [
        {"question": "What if an item is sold out?", "answer": "The cart offers the closest substitute and marks it.",
         "audience": "external"},
        {"question": "Does it cost anything?", "answer": "No.", "audience": "external"},
        {"question": "Does this need a new service?",
         "answer": "No; it reuses the cart API and the order history service.", "audience": "internal"},
        {"question": "Who owns the substitutes model?", "audience": "internal"},
    ]
    assert [m["metric"] for m in shown["success_metrics"]] == [
        "Share of weekly baskets started from a past order reaches 30 percent", "Cart abandonment falls by a tenth"]
    (section,) = shown["sections"]
    assert section["heading"] == "Background" and "# a comment in a code block, not a heading" in section["text"]
    assert shown["source"]["path"] == "docs/reorder.md"
    assert run(story_repo.path, "validate").exit_code == 0


def test_import_is_lossless_and_adds_no_words(story_repo: StoryRepo, run) -> None:
    """Every word of the file is in the record, and every word of the record is in the file."""
    report = _import(story_repo, run)
    shown = json.loads(run(story_repo.path, "show", report["files"][0]["id"], "--format", "json").stdout)
    body = {k: v for k, v in shown.items() if k not in ("id", "kind", "path", "git")}
    kept = _words(_record_text(body))
    source_lines = [line for line in PRFAQ.splitlines()
                    if line.lstrip("# ").strip() not in KNOWN_HEADINGS]  # known headings become field names
    source = _words("\n".join(MARKUP.sub("", line) for line in source_lines))
    assert not source - kept, f"words lost: {source - kept}"
    assert not kept - source, f"words added: {kept - source}"


def test_import_again_leaves_the_record_alone(story_repo: StoryRepo, run) -> None:
    first = _import(story_repo, run)
    git(story_repo.path, "add", "-A")
    git(story_repo.path, "commit", "-q", "-m", "Import the reorder PR/FAQ")
    res = run(story_repo.path, "import", "narrative", "docs/reorder.md")
    assert res.exit_code == 0
    assert f"docs/reorder.md: already imported as {first['files'][0]['id']}" in res.stdout
    assert git(story_repo.path, "status", "--porcelain") == ""


def test_dry_run_writes_nothing_and_question_headings_are_questions(story_repo: StoryRepo, run) -> None:
    repo = story_repo.path
    (repo / "faq.md").write_text(
        "# Reorder in one click\n\nToday we launch reorder.\n\n## Frequently asked questions\n\n"
        "### How do I reorder?\n\nOpen a past order and press Reorder.\n\n## Internal FAQ\n\n"
        "### What does it cost to run?\n\nNothing new: it reuses the cart.\n", encoding="utf-8")
    res = run(repo, "import", "narrative", "faq.md", "--dry-run")
    assert res.exit_code == 0 and "Dry run: nothing was written." in res.stdout
    assert "guessed faq: 'How do I reorder?' names no audience: taken as external" in res.stdout
    assert not list((repo / "decisions" / "narratives").glob("N-*.yaml"))
    made = json.loads(run(repo, "import", "narrative", "faq.md", "--format", "json").stdout)["files"][0]
    data = json.loads(run(repo, "show", made["id"], "--format", "json").stdout)
    assert data["press_release"] == "Today we launch reorder."
    assert data["faq"] == [
        {"question": "How do I reorder?", "answer": "Open a past order and press Reorder.", "audience": "external"},
        {"question": "What does it cost to run?", "answer": "Nothing new: it reuses the cart.",
         "audience": "internal"}]


def test_an_import_that_would_be_invalid_writes_nothing(story_repo: StoryRepo, run) -> None:
    repo = story_repo.path
    (repo / "docs").mkdir()
    (repo / "docs" / "reorder.md").write_text(PRFAQ, encoding="utf-8")
    res = run(repo, "import", "narrative", "docs/reorder.md", "--status", "approved")
    assert res.exit_code == 1
    assert "nothing was written: docs/reorder.md: owner: an approved narrative names" in res.stderr
    assert not list((repo / "decisions" / "narratives").glob("N-*.yaml"))
