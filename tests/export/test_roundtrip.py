"""From markdown ADRs to declog and back to markdown: ``declog import adr`` then ``declog export
markdown`` keeps every ADR's context and decision, its number as an alias, and its supersede link
as a working relative link."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from tests.conftest import Result
from tests.history.conftest import commit

ADRS = {
    "0001-record-architecture-decisions.md": """\
# 1. Record architecture decisions

Date: 2026-01-05

## Status

Accepted

## Context

We need to record the architectural decisions made on this project.

## Decision

We will use Architecture Decision Records, as
[described by Michael Nygard](http://thinkrelevance.com/blog/2011/11/15/documenting-architecture-decisions).

## Consequences

See Michael Nygard's article, linked above.
""",
    "0002-use-postgres-for-orders.md": """\
# 2. Use Postgres for orders

Date: 2026-01-10

## Status

Superseded by [3. Use CockroachDB for orders](0003-use-cockroachdb-for-orders.md)

## Context

Orders need multi-row transactions: an order, its lines and the
stock reservation change together | or not at all.

## Decision

Postgres 16 on RDS, with `pgbouncer` in front.

## Consequences

We run one primary and two replicas.
""",
    "0003-use-cockroachdb-for-orders.md": """\
# 3. Use CockroachDB for orders

Date: 2026-03-01

## Status

Accepted

Supersedes [2. Use Postgres for orders](0002-use-postgres-for-orders.md)

## Context

A region outage took orders down for a day.

* Postgres failover is manual
* Customers noticed

## Decision

CockroachDB across three regions.

```sql
ALTER DATABASE orders SURVIVE REGION FAILURE;
```

## Consequences

Higher write latency (about 20 ms).
""",
}


def adr_section(text: str, name: str) -> str:
    match = re.search(rf"^## {name}\n\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert match
    return match.group(1).strip()


def words(text: str) -> str:
    return " ".join(text.split())


def test_imported_adrs_come_out_with_their_text_and_links(repo: Path, run: Callable[..., Result],
                                                          tmp_path: Path) -> None:
    folder = repo / "doc" / "adr"
    folder.mkdir(parents=True)
    for name, text in ADRS.items():
        (folder / name).write_text(text, encoding="utf-8")
    commit(repo, "Three ADRs", "2026-03-01T10:00:00Z", author="Alice Example", email="alice@example.com")
    assert run(repo, "init").exit_code == 0
    res = run(repo, "import", "adr", "doc/adr", "--owner", "alice")
    assert res.exit_code == 0, res.output
    commit(repo, "Import the ADRs into declog", "2026-03-02T10:00:00Z", author="Bob Builder", email="bob@example.com")

    out = tmp_path / "site"
    res = run(repo, "export", "markdown", "--out", str(out))
    assert res.exit_code == 0, res.output
    records = [json.loads(line) for line in run(repo, "export", "json", "--out", "-").stdout.splitlines()]
    by_alias = {r["aliases"][0]: r for r in records if r["kind"] == "decision"}
    assert sorted(by_alias) == ["ADR-0001", "ADR-0002", "ADR-0003"]

    pages = {}
    for name, text in ADRS.items():
        record = by_alias[f"ADR-{name[:4]}"]
        (page,) = out.glob(f"{record['id']}-*.md")
        body = page.read_text(encoding="utf-8")
        pages[name] = body
        assert body.startswith(f"# {record['id']}: {text.splitlines()[0].split('. ', 1)[1]}\n")
        for section in ("Context", "Decision"):
            original = adr_section(text, section)
            exported = re.search(rf"^## {section}\n\n(.*?)(?=^## |\Z)", body, re.S | re.M)
            assert exported, f"{name}: no {section} section"
            assert words(original) in words(exported.group(1)), f"{name}: {section} lost text"
        assert f"| **Also known as** | ADR-{name[:4]} |" in body
        assert f"| **Source** | `doc/adr/{name}` (nygard, number {int(name[:4])}," in body
    # the ADRs' own supersede link is now a link between the exported pages
    old, new = by_alias["ADR-0002"], by_alias["ADR-0003"]
    (new_page,) = out.glob(f"{new['id']}-*.md")
    assert f"**superseded** by [{new['id']}: Use CockroachDB for orders]({new_page.name})" in pages[
        "0002-use-postgres-for-orders.md"]
    assert "```sql\nALTER DATABASE orders SURVIVE REGION FAILURE;\n```" in pages["0003-use-cockroachdb-for-orders.md"]
    index = (out / "index.md").read_text(encoding="utf-8")
    assert re.search(rf"^## Superseded \(1\)\n\n.*\[{old['id']}\]", index, re.S | re.M)
