"""The renderers agree: the same log through ``show`` (text and JSON), ``why``, ``review``,
``export json``, ``export markdown`` and ``export html``, each output parsed back for the facts it
shows — who created and decided each decision, who superseded it, its supersede chain both ways,
what links to it, when a proposed decision was proposed, a reading on the review — and compared
with each other and with :class:`declog.core.facts.RecordFacts` (issue 13: these were worked out five
times, and the copies disagreed).

The log is the golden files' (``fixed_log``): built through the real command line in a real git
repository, with pinned commit dates and clock.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import Result
from tests.golden.test_golden import fixed_log, ok  # noqa: F401 (fixed_log is a fixture)

ID = r"[A-Z]-[0-9a-z]{6}"

Fact = tuple[str, str, str]  # (author, day, commit: the first 10 characters)


def stamp(author: str, day: str, commit: str) -> Fact:
    return (author, day[:10], commit[:10])


def section(text: str, heading: str) -> str:
    """The markdown section under ``## heading`` (to the next ``## ``)."""
    start = text.find(f"\n## {heading}\n")
    if start < 0:
        return ""
    rest = text[start + len(heading) + 5:]
    end = rest.find("\n## ")
    return rest if end < 0 else rest[:end]


# -- each renderer, parsed back ----------------------------------------------------------------
def from_show(run: Callable[..., Result], repo: Path, rid: str) -> dict[str, Any]:
    body = json.loads(ok(run(repo, "show", rid, "--format", "json")).stdout)["git"]
    text = ok(run(repo, "show", rid)).stdout
    facts: dict[str, Any] = {"created": stamp(body["created"]["by"], body["created"]["on"], body["created"]["commit"])}
    if "decided" in body:
        facts["decided"] = stamp(body["decided"]["by"], body["decided"]["on"], body["decided"]["commit"])
    for status in ("rejected", "superseded", "deprecated"):
        if status in body:
            facts["ended"] = (status, stamp(body[status]["by"], body[status]["on"], body[status]["commit"]))
    # the text says the same as the JSON
    said = re.search(r"^created: (\S+) by (.+) \((\w+)\)$", text, re.M)
    assert said and stamp(said[2], said[1], said[3]) == facts["created"], text
    said = re.search(r"^decided: (\S+) by (.+) \((\w+)\)$", text, re.M)
    assert (stamp(said[2], said[1], said[3]) if said else None) == facts.get("decided"), text
    said = re.search(r"^(rejected|superseded|deprecated): (\S+) by (.+?) \((\w+) ", text, re.M)
    assert ((said[1], stamp(said[3], said[2], said[4])) if said else None) == facts.get("ended"), text
    return facts


def from_jsonl(body: dict[str, Any]) -> dict[str, Any]:
    git = body["git"]

    def of(c: dict[str, Any]) -> Fact:
        return stamp(c["author"], c["date"], c["commit"])

    facts: dict[str, Any] = {"created": of(git["created"])}
    if git.get("decided"):
        facts["decided"] = of(git["decided"])
    if git.get("ended"):
        facts["ended"] = (git["ended"]["status"], of(git["ended"]))
    facts["superseded_by"] = [body["superseded_by"]] if body.get("superseded_by") else []
    return facts


def from_markdown(page: str, rid: str) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    row = r"\| \*\*{}\*\* \| (\S+) by (.+?) in `(\w+)`"
    found = re.search(row.format(r"Recorded"), page)
    assert found, page
    facts["created"] = stamp(found[2], found[1], found[3])
    found = re.search(row.format(r"Decided \(git\)"), page)
    if found:
        facts["decided"] = stamp(found[2], found[1], found[3])
    found = re.search(row.format(r"(Rejected|Superseded|Deprecated) \(git\)"), page)
    if found:
        facts["ended"] = (found[1].lower(), stamp(found[3], found[2], found[4]))
    chain = section(page, "Supersede chain").strip().split("\n")[0] if "## Supersede chain" in page else ""
    steps = re.findall(ID, re.sub(r"\]\([^)]*\)", "]", chain))  # link texts, not their targets
    facts["before"] = steps[: steps.index(rid)] if steps else []
    facts["after"] = steps[steps.index(rid) + 1:] if steps else []
    facts["backlinks"] = set(re.findall(rf"^- \[?({ID})[^\n]*: names this", section(page, "Related"), re.M))
    return facts


def from_html(page: str) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    found = re.search(r"<dt>Recorded</dt><dd>(\S+) by (.+?)</dd>", page)  # a decision's facts box
    if found:
        facts["created"] = (found[2], found[1])  # who and when, not the commit
    byline = page[page.index('<p class="byline">'):page.index("</p>", page.index('<p class="byline">'))]
    found = re.search(r"Decided by <strong>(.+?)</strong> on (\S+) in commit <code>(\w+)</code>", byline)
    if found:
        facts["decided"] = stamp(found[1], found[2], found[3])
    found = re.search(r"(Rejected|Superseded|Deprecated)\b.*? on (\S+) \(commit <code>(\w+)</code> by "
                      r"<strong>(.+?)</strong>\)", byline)
    if found:
        facts["ended"] = (found[1].lower(), stamp(found[4], found[2], found[3]))
    facts["before"] = re.findall(rf'<li class="before"><a href="\.\./records/({ID})\.html"', page)
    facts["after"] = re.findall(rf'<li class="after"><a href="\.\./records/({ID})\.html"', page)
    back = page[page.index('<section class="backlinks">'):] if '<section class="backlinks">' in page else ""
    back = back[: back.find("</section>")]
    facts["backlinks"] = set(re.findall(rf'<li><a href="\.\./records/({ID})\.html"', back))
    return facts


def from_why(text: str) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for block in re.split(r"\n(?=\d+\. )", text.strip()):
        head = re.match(rf"\d+\. ({ID})  ", block)
        assert head, block
        facts: dict[str, Any] = {}
        found = re.search(r"^   recorded (\S+) by (.+)$", block, re.M)
        if found:
            facts["created"] = (found[2], found[1])
        found = re.search(r"^   decided (\S+) by (.+?) in (\w+) ", block, re.M)
        if found:
            facts["decided"] = stamp(found[2], found[1], found[3])
        found = re.search(r"^   (rejected|superseded|deprecated) (\d\S+) by (.+?) in (\w+) ", block, re.M)
        if found:
            facts["ended"] = (found[1], stamp(found[3], found[2], found[4]))
        facts["after"] = re.findall(rf"^   superseded by ({ID})  ", block, re.M)
        facts["supersedes"] = re.findall(rf"^   supersedes ({ID})  ", block, re.M)
        out[head[1]] = facts
    return out


# -- the test ----------------------------------------------------------------------------------
def test_the_renderers_agree_with_each_other_and_with_record_facts(
        fixed_log: dict[str, Any], run: Callable[..., Result], tmp_path: Path) -> None:  # noqa: F811
    from declog.core.facts import LogFacts
    from declog.history import History
    from declog.storage.store import Log

    repo = fixed_log["repo"]
    decisions = [fixed_log[k] for k in ("pg", "kafka", "cockroach")]
    mechanism = fixed_log["mechanism"]
    ok(run(repo, "export", "markdown", "--out", str(tmp_path / "md")))
    ok(run(repo, "export", "html", "--out", str(tmp_path / "site"), "--as-of", "2026-03-12"))
    lines = {b["id"]: b for b in map(json.loads, ok(run(repo, "export", "json", "--out", "-")).stdout.splitlines())}
    why = from_why(ok(run(repo, "why", "orders")).stdout)
    log = Log.open(repo)
    history = History(log)
    try:
        view = LogFacts(log.records(), history)
        truth = {rid: view.with_backlinks(rid) for rid in [*decisions, mechanism]}
        proposed = view.proposed_days()
    finally:
        history.close()

    for rid in decisions:
        f = truth[rid]
        assert f.created is not None
        want: dict[str, Any] = {
            "created": stamp(f.created.author, f.created.date, f.created.oid),
            "decided": stamp(f.decided.author, f.decided.date, f.decided.oid) if f.decided else None,
            "ended": (f.ended_as, stamp(f.ended.author, f.ended.date, f.ended.oid)) if f.ended else None,
            "before": f.before, "after": f.after,
            "backlinks": {other for other, _ in f.backlinks},
        }
        (md_page,) = (tmp_path / "md").glob(f"{rid}-*.md")
        shown = {
            "show": from_show(run, repo, rid),
            "export json": from_jsonl(lines[rid]),
            "export markdown": from_markdown(md_page.read_text(encoding="utf-8"), rid),
            "export html": from_html((tmp_path / "site" / "records" / f"{rid}.html").read_text(encoding="utf-8")),
            "why": why[rid],
        }
        for renderer, facts in shown.items():
            for key, value in want.items():
                if key == "created" and renderer in ("export html", "why"):  # who and when only
                    assert facts["created"] == value[:2], (renderer, rid)
                elif key in facts or key in ("decided", "ended"):
                    assert facts.get(key) == value, (renderer, rid, key, facts.get(key), value)
        # JSON lines carry the stored link; why lists the whole chain after it, nearest first
        assert shown["export json"]["superseded_by"] == f.superseded_by
        assert shown["why"]["supersedes"] == f.supersedes
    # the facts are the ones this log was built to have, so agreeing is not agreeing on nothing
    pg, kafka, cockroach = (truth[r] for r in decisions)
    assert pg.decided is not None and pg.decided.author == "Bob Builder"
    assert pg.ended is not None and (pg.ended_as, pg.ended.author) == ("superseded", "Carol Chen")
    assert pg.after == [cockroach.id] and cockroach.before == [pg.id] and kafka.decided is None
    assert {o for o, _ in pg.backlinks} == {kafka.id, cockroach.id}
    assert {o for o, _ in cockroach.backlinks} == {pg.id, mechanism}
    # a mechanism's backlinks (its inspections) and inspections, on both pages
    m = truth[mechanism]
    assert [i.id for i in m.inspections] == [o for o, key in m.backlinks if key == "mechanism"]
    (md_page,) = (tmp_path / "md" / "mechanisms").glob(f"{mechanism}-*.md")
    html_page = (tmp_path / "site" / "records" / f"{mechanism}.html").read_text(encoding="utf-8")
    assert from_markdown(md_page.read_text(encoding="utf-8"), mechanism)["backlinks"] == \
        from_html(html_page)["backlinks"] == {o for o, _ in m.backlinks}
    # the day a proposed decision was proposed: review's text, the site's review page and the facts
    assert proposed == {kafka.id: proposed[kafka.id]}
    day = proposed[kafka.id].isoformat()
    review = ok(run(repo, "review", "--as-of", "2026-03-12")).stdout
    assert f"{kafka.id} Adopt Kafka for order events [ONE-WAY DOOR] (owner bob, proposed {day}," in review
    site_review = (tmp_path / "site" / "review.html").read_text(encoding="utf-8")
    assert f"proposed {day}, " in site_review


def test_the_review_prints_a_number_one_way_in_text_and_on_the_site(
        fixed_log: dict[str, Any], run: Callable[..., Result], tmp_path: Path) -> None:  # noqa: F811
    """123456.7 was 123457 in the text review and 1.235e+05 on the site's review page."""
    repo, mechanism = fixed_log["repo"], fixed_log["mechanism"]
    ok(run(repo, "inspect", mechanism, "--verdict", "degraded", "--metric", "reviewed_pct=12.5",
           "--metric", "incidents=123456.7", "--on", "2026-03-11", "--note", "A bad week"))
    text = ok(run(repo, "review", "--as-of", "2026-03-12")).stdout
    ok(run(repo, "export", "html", "--out", str(tmp_path / "site"), "--as-of", "2026-03-12"))
    page = (tmp_path / "site" / "review.html").read_text(encoding="utf-8")
    assert "incidents: 123456.7 count on 2026-03-11" in text, text
    assert "reviewed_pct: 12.5 percent on 2026-03-11" in text, text
    assert "123456.7" in page and "e+05" not in page and "123457" not in page
    assert "12.5" in page
