"""`declog review` as a deck: six weeks and twelve months of each metric, through the real
command line, with inspections logged by `declog inspect` in a real git repository."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import git
from tests.narratives.conftest import StoryRepo

AS_OF = "2026-11-27"  # a Friday of 2026-W48
READINGS = (  # day, reorders_per_week, abandonment, note
    ("2026-10-20", 310, 25, "Baseline week"),
    ("2026-10-27", 340, 24, None),
    ("2026-11-03", 400, 22, "Reorder button moved above the fold"),
    # no inspection in 2026-W46
    ("2026-11-17", 480, 21, None),
    ("2026-11-24", 510, 19, "Substitutes shipped"),
)


@dataclass
class DeckRepo(StoryRepo):
    rarely: str = ""  # a mechanism inspected weekly on paper, read once a month


@pytest.fixture
def deck_repo(story_repo: StoryRepo, run) -> DeckRepo:
    for day, reorders, abandonment, note in READINGS:
        args = ["inspect", story_repo.mechanism, "--verdict", "working", "--on", day,
                "--metric", f"reorders_per_week={reorders}", "--metric", f"abandonment={abandonment}"]
        res = run(story_repo.path, *args, *(["--note", note] if note else []))
        assert res.exit_code == 0, res.output
    # a second mechanism read once a month though it says weekly
    res = run(story_repo.path, "new", "mechanism", "Monthly-read review", "--owner", "bob", "--problem", "p",
              "--tool", "t", "--adoption", "a", "--cadence", "weekly", "--input-metric", "coverage>=90 percent",
              "--output-metric", "incidents<=2 count", "--format", "json", "--no-input")
    rarely = json.loads(res.stdout)["id"]
    for day, value in (("2026-09-30", 70), ("2026-10-30", 80)):
        assert run(story_repo.path, "inspect", rarely, "--verdict", "degraded", "--on", day,
                   "--metric", f"coverage={value}").exit_code == 0
    git(story_repo.path, "add", "-A")
    git(story_repo.path, "commit", "-q", "-m", "Inspections")
    return DeckRepo(story_repo.path, story_repo.mechanism, rarely)


def _deck(run, repo: Path) -> dict:
    res = run(repo, "review", "--as-of", AS_OF, "--format", "json")
    assert res.exit_code == 0, res.output
    return dict(json.loads(res.stdout)["deck"])


def test_six_weeks_twelve_months_inputs_before_outputs(deck_repo: DeckRepo, run) -> None:
    deck = _deck(run, deck_repo.path)
    assert deck["weeks"] == ["2026-W43", "2026-W44", "2026-W45", "2026-W46", "2026-W47", "2026-W48"]
    assert deck["months"][0] == "2025-12" and deck["months"][-1] == "2026-11" and len(deck["months"]) == 12
    slide = next(s for s in deck["mechanisms"] if s["mechanism"] == deck_repo.mechanism)
    reorders, abandonment = slide["metrics"]
    assert (reorders["metric"], reorders["role"], abandonment["metric"], abandonment["role"]) == (
        "reorders_per_week", "input", "abandonment", "output")
    assert reorders["weeks"] == [310, 340, 400, None, 480, 510]  # a gap, not 400 carried on
    assert reorders["months"][-2:] == [340, 510] and reorders["months"][:10] == [None] * 10
    assert reorders["week_over_week"] == 30 and round(reorders["week_over_week_pct"], 1) == 6.2
    assert abandonment["week_over_week"] == -2
    assert (reorders["target"], reorders["direction"], reorders["on_target"]) == (500, "up", True)
    assert reorders["readings"]["six_weeks"] == 5 and reorders["readings"]["cadence_asks_six_weeks"] == 6
    assert [(ev["week"], ev["note"]) for ev in slide["events"]] == [
        ("2026-W43", "Baseline week"), ("2026-W45", "Reorder button moved above the fold"),
        ("2026-W48", "Substitutes shipped")]


def test_the_terminal_shows_sparklines_and_says_when_a_metric_is_read_too_rarely(deck_repo: DeckRepo, run) -> None:
    text = run(deck_repo.path, "review", "--as-of", AS_OF).stdout
    line = next(x for x in text.splitlines() if "input reorders_per_week" in x)
    assert "6 weeks ▁▂▄·▇█ 310 340 400 – 480 510" in line
    assert "week over week +30 (+6.2%)" in line and "target at least 500 count" in line
    assert text.index("input reorders_per_week") < text.index("output abandonment")
    assert "noteworthy, 2026-W45 (2026-11-03, I-" in text and "Reorder button moved above the fold" in text
    deck = text[text.index("Metrics deck"):]
    block = deck[deck.index(deck_repo.rarely):]
    assert "input coverage (percent): 6 weeks ·▄···· – 80 – – – –" in block  # one reading, no line through it
    assert "read 1 time in the last 6 weeks; its cadence (weekly) asks for 6" in block
    assert text.index("Output metrics off target") < text.index("Metrics deck") < text.index(
        "Decisions awaiting a decision")


def test_markdown_puts_each_week_in_a_column_with_its_events(deck_repo: DeckRepo, run) -> None:
    md = run(deck_repo.path, "review", "--as-of", AS_OF, "--format", "markdown").stdout
    assert "## Metrics deck: each mechanism's inputs, then outputs, over 6 weeks and 12 months" in md
    assert ("| metric | last 6 weeks | 2026-W43 | 2026-W44 | 2026-W45 | 2026-W46 | 2026-W47 | 2026-W48 | "
            "week over week | target | last 12 months |") in md
    assert ("| input `reorders_per_week` (count) | ▁▂▄·▇█ | 310 | 340 | 400 | – | 480 | 510 | +30 (+6.2%) | "
            "at least 500 count | ··········▁█ |") in md
    events = next(x for x in md.splitlines() if x.startswith("| noteworthy events |"))
    cells = [c.strip() for c in events.strip("|").split("|")]
    assert cells[2].startswith("Baseline week (2026-10-20, I-") and cells[3] == "" and cells[5] == ""
    assert cells[4].startswith("Reorder button moved above the fold")


def test_a_deck_as_of_an_earlier_day_ignores_later_readings(deck_repo: DeckRepo, run) -> None:
    res = run(deck_repo.path, "review", "--as-of", "2026-11-04", "--format", "json")
    slide = next(s for s in json.loads(res.stdout)["deck"]["mechanisms"] if s["mechanism"] == deck_repo.mechanism)
    assert slide["metrics"][0]["weeks"] == [None, None, None, 310, 340, 400]
