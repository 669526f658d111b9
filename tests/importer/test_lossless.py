"""Lossless import: every heading and its text lands in the record, nothing the ADR did not say
is written, titles lose their numbers, sign-posts are imported. One fixture ADR per quirk."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from declog.adr.parse import parse, strip_number
from tests.conftest import Result
from tests.history.conftest import commit
from tests.importer.conftest import by_path, guessed, imported, show, write

SUBSECTIONS = """\
# 4. Split the billing service

Date: 2021-02-03

## Status

Accepted

## Context

Billing and invoicing share one database.

### Load

Invoices spike at month end.

#### Month-end numbers

Ten times the usual writes.

## Decision

We split invoicing out.

## Reasoning

Month-end load no longer slows billing.

## Migration path

Copy the invoice tables first.

### Step two

Switch the readers.

## Appendix: original request for comment

Can we stop the month-end slowdowns?
"""

SIGNPOST = """\
# 12. Queue choice moved

Date: 2022-07-01

See [the platform log](https://example.com/platform/adr/7) for this decision.
"""

TEMPLATE_TITLE = """\
# Decision Record Title (a description of the decision, not the problem)

## Context

Teams copy the template and forget the heading.

## Decision

We keep audit logs for a year.
"""

MADR_FRONT = """\
---
parent: Decisions
nav_order: 8
status: "accepted; supersedes ADR-0003"
date: 2023-04-05
deciders: ["Smith, John", "Doe, Jane"]
consulted: [ops]
summary: >
  A folded
  scalar in the front matter.
---
<!-- markdownlint-disable-next-line MD025 -->
# Use `tokio` for the agent

## Context and Problem Statement

The agent blocks on slow sockets.

## Considered Options

* tokio
* threads

## Decision Outcome

Chosen option: "tokio", because it handles ten thousand sockets.

## Pros and Cons of the Options

### tokio

* Good, because it is fast
* Neutral, because it is big
* Bad, because it is async

### threads

* Good, because they are simple

## More Information

> [!NOTE]
> Benchmarks live in the agent repository.
"""

OLD_MADR = """\
# Use threads for the agent

## Status

Accepted

## Context

One socket at first.

## Decision

Threads.
"""

FENCES = """\
# 9. Show examples in ADRs

## Context

An example ADR in backticks:

```markdown
---
status: rejected
---
# Not a title

## Decision

Not this one.
```

A tilde fence with a brace info string:

~~~{json}
## not a heading either
~~~

```{
"key": "value"
```

```inlineSpan```: a line that starts with an inline triple-backtick span.

## Decision

Examples stay as code.
"""

NO_SPACE = """\
#25. Use a shared runner

**Date**: 2020-05-06

## Decision

One runner for every repository.
"""

H2_TITLE = """\
## 33. Cache the sessions <!-- optional -->

- Status: proposed

## Proposal

Keep sessions in memory.
"""


@pytest.fixture
def quirks_repo(repo: Path, run: Callable[..., Result]) -> Path:
    adr = "docs/adr/"
    write(repo, adr + "0004-split-billing.md", SUBSECTIONS)
    write(repo, adr + "0012-queue-choice.md", SIGNPOST)
    write(repo, adr + "0013-keep-audit-logs.md", TEMPLATE_TITLE)
    write(repo, adr + "0003-use-threads.md", OLD_MADR)
    write(repo, adr + "0008-use-tokio.md", MADR_FRONT)
    write(repo, adr + "0009-show-examples.md", FENCES)
    write(repo, adr + "0025-shared-runner.md", NO_SPACE)
    write(repo, adr + "0033-cache-sessions.md", H2_TITLE)
    write(repo, adr + "README.md", "# Decisions\n\n* [4](0004-split-billing.md)\n")
    write(repo, adr + "adr-template.md", "# {short title}\n\n## Context\n\n{context}\n")
    commit(repo, "ADRs", "2023-04-05T09:00:00Z")
    assert run(repo, "init").exit_code == 0
    return repo


def words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[^\W\d_]{4,}", text)}


def record_words(data: Any) -> set[str]:
    if isinstance(data, str):
        return words(data)
    if isinstance(data, dict):
        return {w for v in data.values() for w in record_words(v)} | {w for k in data for w in words(str(k))}
    if isinstance(data, list):
        return {w for v in data for w in record_words(v)}
    return set()


def test_sub_sections_unknown_sections_and_appendices_are_kept(quirks_repo: Path,
                                                              run: Callable[..., Result]) -> None:
    imported(run, quirks_repo, "docs/adr", "--owner", "ann")
    d = show(run, quirks_repo, "ADR-4")
    assert d["title"] == "Split the billing service"
    assert d["context"] == ("Billing and invoicing share one database.\n\n### Load\n\nInvoices spike at month end."
                            "\n\n#### Month-end numbers\n\nTen times the usual writes.")
    assert d["decision"] == "We split invoicing out."
    assert d["rationale"] == "Month-end load no longer slows billing."  # "Reasoning" is the rationale
    assert d["sections"] == [
        {"heading": "Migration path", "text": "Copy the invoice tables first.\n\n### Step two\n\nSwitch the readers."},
        {"heading": "Appendix: original request for comment", "text": "Can we stop the month-end slowdowns?"},
    ]
    assert d["source"]["labels"] == {"decided_on": "Date", "rationale": "Reasoning"}
    missing = words(SUBSECTIONS) - record_words(d) - {"date"}
    assert not missing


def test_a_numbered_sign_post_is_imported_with_its_text(quirks_repo: Path, run: Callable[..., Result]) -> None:
    files = by_path(imported(run, quirks_repo, "docs/adr", "--owner", "ann"))
    entry = files["docs/adr/0012-queue-choice.md"]
    assert entry["action"] == "imported"
    assert guessed(entry, "status") == ["the ADR states no status; imported as proposed"]
    d = show(run, quirks_repo, "ADR-12")
    assert d["title"] == "Queue choice moved" and d["status"] == "proposed"
    assert d["context"] == "See [the platform log](https://example.com/platform/adr/7) for this decision."
    assert {f["path"] for f in files.values() if f["action"] == "skipped"} == {
        "docs/adr/README.md", "docs/adr/adr-template.md"}


def test_numbers_and_template_placeholders_leave_the_title(quirks_repo: Path, run: Callable[..., Result]) -> None:
    files = by_path(imported(run, quirks_repo, "docs/adr", "--owner", "ann"))
    assert show(run, quirks_repo, "ADR-13")["title"] == "Keep audit logs"
    assert "template placeholder" in guessed(files["docs/adr/0013-keep-audit-logs.md"], "title")[0]
    assert show(run, quirks_repo, "ADR-25")["title"] == "Use a shared runner"  # `#25.` without a space
    assert "left out" in guessed(files["docs/adr/0025-shared-runner.md"], "title")[0]
    sessions = show(run, quirks_repo, "ADR-33")  # an H2 title, a comment after it
    assert (sessions["title"], sessions["status"], sessions["decision"]) == (
        "Cache the sessions", "proposed", "Keep sessions in memory.")
    titles = [show(run, quirks_repo, f["id"])["title"] for f in files.values() if f["action"] == "imported"]
    assert not [t for t in titles if re.match(r"^\W*\d", t)]


@pytest.mark.parametrize(("written", "number", "title"), [
    ("23 Logging", 23, "Logging"),
    ("37. Use Redis", 37, "Use Redis"),
    ("ADR034: Pick a queue", 34, "Pick a queue"),
    ("ADR-12 - Use gRPC", 12, "Use gRPC"),
    ("ADD037: Implement review apps", 37, "Implement review apps"),
    ("25. Shared runner", 25, "Shared runner"),
    ("Decision 5: Keep it", 5, "Keep it"),
    ("2FA for admins", None, "2FA for admins"),
    ("Use HTTP/2", None, "Use HTTP/2"),
])
def test_number_prefixes_in_every_spelling(written: str, number: int | None, title: str) -> None:
    assert strip_number(written) == (number, title)


def test_madr_front_matter_flow_lists_folded_scalars_and_admonitions(quirks_repo: Path,
                                                                    run: Callable[..., Result]) -> None:
    report = imported(run, quirks_repo, "docs/adr", "--owner", "ann")
    d = show(run, quirks_repo, "ADR-8")
    assert d["title"] == "Use `tokio` for the agent"
    assert d["status"] == "accepted" and d["decided_on"] == "2023-04-05"
    assert d["deciders"] == ["smith-john", "doe-jane"]  # a quoted flow list: commas inside names
    assert {o["handle"]: o["name"] for o in report["owners_created"]}["smith-john"] == "Smith, John"
    assert d["source"]["status"] == "accepted; supersedes ADR-0003"
    old = show(run, quirks_repo, "ADR-3")
    assert (old["status"], old["superseded_by"]) == ("superseded", d["id"])
    assert d["rationale"] == "it handles ten thousand sockets."
    assert d["options"] == [{"title": "tokio", "pros": ["it is fast"], "cons": ["it is async"]},
                            {"title": "threads", "pros": ["they are simple"]}]
    headings = [s["heading"] for s in d["sections"]]
    assert headings == ["Considered Options", "Pros and Cons of the Options", "More Information"]
    assert d["sections"][2]["text"] == "> [!NOTE]\n> Benchmarks live in the agent repository."
    assert "markdownlint" not in json.dumps(d)  # HTML comments are not text


def test_front_matter_through_the_safe_loader() -> None:
    adr = parse(MADR_FRONT, "0008-use-tokio.md")
    assert adr.deciders == ("Smith, John", "Doe, Jane") and adr.consulted == ("ops",)
    bad = parse("---\nstatus: [unclosed\n---\n# Use X\n\n## Context\n\nWhy.\n", "0001-use-x.md")
    assert bad.is_adr and bad.status is None and bad.context == "Why."  # bad YAML: no front matter, no crash


def test_fenced_headings_and_front_matter_are_code(quirks_repo: Path, run: Callable[..., Result]) -> None:
    imported(run, quirks_repo, "docs/adr", "--owner", "ann")
    d = show(run, quirks_repo, "ADR-9")
    assert d["title"] == "Show examples in ADRs" and d["status"] == "proposed"  # not the fenced `rejected`
    assert d["decision"] == "Examples stay as code."
    assert "# Not a title\n\n## Decision\n\nNot this one.\n```" in d["context"]
    assert "~~~{json}\n## not a heading either\n~~~" in d["context"]
    assert '```{\n"key": "value"\n```' in d["context"]
    assert d["context"].endswith("```inlineSpan```: a line that starts with an inline triple-backtick span.")
    assert "sections" not in d


def test_no_filler_and_review_lists_imports_without_a_rationale(quirks_repo: Path,
                                                                run: Callable[..., Result]) -> None:
    report = imported(run, quirks_repo, "docs/adr", "--owner", "ann")
    files = by_path(report)
    for entry in files.values():
        if entry["action"] != "imported":
            continue
        text = json.dumps(show(run, quirks_repo, entry["id"]))
        assert "Not stated separately" not in text and "which has no Context section" not in text
        assert "was chosen because" not in text and "(neutral)" not in text
    runner = show(run, quirks_repo, "ADR-25")
    assert "rationale" not in runner and runner["context"] == "Use a shared runner"  # no other text to stand in
    assert run(quirks_repo, "validate").exit_code == 0
    without = report["without_rationale"]
    assert show(run, quirks_repo, "ADR-3")["id"] not in without  # superseded, not accepted
    text = run(quirks_repo, "import", "adr", "docs/adr", "--owner", "ann", "--dry-run")
    assert "Nothing new to import" in text.stdout
    review = run(quirks_repo, "review", "--format", "json")
    assert review.exit_code == 0, review.output
    listed = {d["id"] for d in json.loads(review.stdout)["imported_without_rationale"]}
    assert listed == set(without)


def test_show_and_every_export_render_the_sections(quirks_repo: Path, run: Callable[..., Result],
                                                   tmp_path: Path) -> None:
    imported(run, quirks_repo, "docs/adr", "--owner", "ann")
    rid = show(run, quirks_repo, "ADR-4")["id"]
    text = run(quirks_repo, "show", rid)
    assert text.exit_code == 0
    assert "  ## Migration path\n    Copy the invoice tables first.\n\n    ### Step two\n" in text.stdout
    md_out = tmp_path / "md"
    assert run(quirks_repo, "export", "markdown", "--out", str(md_out)).exit_code == 0
    (page,) = [p.read_text(encoding="utf-8") for p in md_out.rglob(f"{rid}*.md")]
    assert "## Migration path\n\nCopy the invoice tables first.\n\n### Step two" in page
    assert page.index("## Migration path") < page.index("## Appendix: original request for comment")
    res = run(quirks_repo, "export", "json", "--out", "-")
    (line,) = [json.loads(x) for x in res.stdout.splitlines() if json.loads(x).get("id") == rid]
    assert line["sections"][1]["heading"] == "Appendix: original request for comment"
    html_out = tmp_path / "html"
    assert run(quirks_repo, "export", "html", "--out", str(html_out)).exit_code == 0
    (html,) = [p.read_text(encoding="utf-8") for p in html_out.rglob(f"{rid}*.html")]
    assert '<section class="adr-section"><h2>Migration path</h2><p>Copy the invoice tables first.' in html


def test_headings_inside_quotes_and_lists_are_text() -> None:
    adr = parse("# 5. Use X\n\n## Context\n\n> ## Quoted heading\n> quoted text\n\n- ## listed\n\n## Decision\n\nX.\n",
                "0005-use-x.md")
    assert adr.context == "> ## Quoted heading\n> quoted text\n\n- ## listed" and adr.decision == "X."
    assert not adr.sections
