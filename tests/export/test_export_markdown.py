"""``declog export markdown``: a page per record with its git history, an index by status, and
relative links that resolve, in a folder declog owns."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from tests.conftest import Result
from tests.export.conftest import TRICKY_TITLE, ExportLog, ImportedAdr
from tests.history.conftest import commit

LINK = re.compile(r"\]\(([^)\s]+)\)")
CELL_BORDER = re.compile(r"(?<!\\)\|")


def export(run: Callable[..., Result], log: ExportLog, out: Path, *extra: str) -> dict[str, str]:
    res = run(log.repo, "export", "markdown", "--out", str(out), *extra)
    assert res.exit_code == 0, res.output
    return {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8") for p in sorted(out.rglob("*.md"))}


def page(pages: dict[str, str], rid: str) -> str:
    (name,) = [n for n in pages if n.rsplit("/", 1)[-1].startswith(f"{rid}-") or n == f"owners/{rid}.md"]
    return pages[name]


def section(text: str, heading: str) -> str:
    """The body of a ``## heading`` section."""
    match = re.search(rf"^## {re.escape(heading)}\n\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert match, f"no section {heading!r} in:\n{text}"
    return match.group(1)


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def test_a_page_per_record_with_stable_names_and_an_index(export_log: ExportLog, run, tmp_path: Path) -> None:
    out = tmp_path / "site"
    res = run(export_log.repo, "export", "markdown", "--out", str(out))
    assert res.exit_code == 0, res.output
    assert res.stdout == f"wrote 12 markdown file(s) to {out}\n"
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    log = export_log
    assert names == sorted([
        ".declog-export", "index.md", "graph.md",
        f"{log.pg}-use-postgres-for-orders.md", f"{log.cockroach}-use-cockroachdb-for-orders.md",
        f"{log.kafka}-adopt-kafka-for-order-events.md", f"{log.mongo}-use-mongodb-for-orders.md",
        f"{log.tricky}-use-quotes-brackets-pipes-b-tags-b-1-back.md",
        f"{log.adr}-record-architecture-decisions.md",
        f"mechanisms/{log.mechanism}-weekly-deploy-review.md", f"corrections/{log.correction}-orders-down-for-a-day.md",
        "owners/alice.md", "owners/bob.md",
    ])
    index = (out / "index.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", index, re.M)
    assert headings == ["Accepted (2)", "Proposed (2)", "Superseded (1)", "Rejected (1)", "Mechanisms (1)",
                        "Corrections of error (1)", "Owners (2)"]
    assert index.startswith("# Decisions\n\n6 decisions: 2 accepted, 2 proposed, 1 superseded, 1 rejected.\n")
    groups = {h: re.findall(r"^\| \[(D-\w+)\]", section(index, h), re.M) for h in headings[:4]}
    assert groups == {"Accepted (2)": [log.cockroach, log.adr], "Proposed (2)": sorted([log.tricky, log.kafka], reverse=True),
                      "Superseded (1)": [log.pg], "Rejected (1)": [log.mongo]}


def test_every_relative_link_resolves_to_an_exported_file(export_log: ExportLog, run, tmp_path: Path) -> None:
    out = tmp_path / "site"
    pages = export(run, export_log, out)
    checked = 0
    for name, text in pages.items():
        for target in LINK.findall(text):
            assert not target.startswith(("/", "http")), f"{name}: {target} is not relative"
            assert (out / name).parent.joinpath(target).resolve().is_file(), f"{name}: broken link {target}"
            checked += 1
    assert checked > 40
    owner_page = pages["owners/alice.md"]
    assert f"](../{export_log.pg}-use-postgres-for-orders.md) (superseded)" in owner_page


def test_decision_page_has_its_fields_git_facts_chain_and_history(export_log: ExportLog, run, tmp_path: Path) -> None:
    log = export_log
    pg = page(export(run, log, tmp_path / "site"), log.pg)
    assert pg.startswith(f"# {log.pg}: Use Postgres for orders\n")
    crdb_link = f"[{log.cockroach}: Use CockroachDB for orders]({log.cockroach}-use-cockroachdb-for-orders.md)"
    assert f"| **Status** | **superseded** by {crdb_link} |" in pg
    assert "| **Owner** | [Alice Example (alice)](owners/alice.md) |" in pg
    assert "| **Door** | two-way |" in pg
    assert "| **Decided on** | 2026-02-01 |" in pg
    accept = log.commits["accept"][:10]
    assert (f"| **Decided (git)** | 2026-02-01 by Bob Builder in `{accept}` (Accept the orders database decision) |"
            in pg)
    assert "| **Recorded** | 2026-01-10 by Alice Example in" in pg
    assert "| **Last changed** | 2026-03-01 by Carol Chen in" in pg
    # prose is the author's markdown, kept as written
    assert section(pg, "Context") == "Orders need multi-row transactions.\n\nA | pipe and a [bracket] stay as written.\n\n"
    assert section(pg, "Decision") == "Postgres 16 on RDS\n\n"
    assert section(pg, "Rationale") == "Transactions first; the team knows it\n\n"
    options = section(pg, "Options considered")
    assert "### DynamoDB\n\n**Why not:** no multi-item transactions at our scale\n" in options
    assert "### Postgres\n" in options
    chain = section(pg, "Supersede chain")
    assert chain.startswith(f"**{log.pg}** (this decision) → [{log.cockroach}]({log.cockroach}-use-cockroachdb-for-orders.md)")
    assert f"- Superseded by {crdb_link} (accepted)" in chain
    related = section(pg, "Related")
    assert f"[{log.kafka}: Adopt Kafka for order events]({log.kafka}-adopt-kafka-for-order-events.md) (proposed): " \
           "names this as related" in related
    history = section(pg, "History")
    rows = re.findall(r"^\| (\d{4}-\d\d-\d\d) \| ([^|]+) \| `(\w+)` \| ([^|]+) \| (.+) \|$", history, re.M)
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("2026-03-01", "Carol Chen", log.commits["supersede"][:10]),
        ("2026-02-01", "Bob Builder", accept),
        ("2026-01-10", "Alice Example", log.commits["record"][:10]),
    ]
    assert unescape(rows[0][4]) == f"status: accepted → superseded; superseded_by: set to {log.cockroach}"
    assert rows[2][4] == "created as proposed"
    assert f"Commits linked by a `Decision: {log.pg}` trailer (1):\n\n- `{accept}` 2026-02-01 Bob Builder: " \
           "Accept the orders database decision" in history


def test_the_newer_decision_links_back_and_names_its_linked_commits(export_log: ExportLog, run, tmp_path: Path) -> None:
    log = export_log
    pages = export(run, log, tmp_path / "site")
    crdb = page(pages, log.cockroach)
    assert section(crdb, "Supersede chain").startswith(
        f"[{log.pg}]({log.pg}-use-postgres-for-orders.md) → **{log.cockroach}** (this decision)")
    assert f"- `{log.commits['linked'][:10]}` 2026-03-05 Dave Doe: Connect orders to CockroachDB" in crdb
    assert f"(mechanisms/{log.mechanism}-weekly-deploy-review.md) (active): names this as its origin" in crdb
    mechanism = page(pages, log.mechanism)
    assert f"| **Origin** | [{log.cockroach}: Use CockroachDB for orders](../{log.cockroach}-use-cockroachdb-for-orders.md) |" \
        in mechanism
    assert "| 2026-03-09 | working | [alice](../owners/alice.md) | reviewed\\_pct=97, incidents=0 | All \\| good |" in mechanism


def test_a_correction_page_has_its_whys_and_action_items(export_log: ExportLog, run, tmp_path: Path) -> None:
    log = export_log
    pages = export(run, log, tmp_path / "site")
    coe = page(pages, log.correction)
    assert coe.startswith(f"# {log.correction}: Orders down \\| for a day\n")
    assert "| **Owner** | [Bob Builder (bob)](../owners/bob.md) |" in coe
    assert section(coe, "Five whys") == ("- **Orders failed**\n  1. The primary was in one region\n"
                                         "  2. Failover is manual\n\n")
    assert section(coe, "Root causes") == "- Failover is manual\n\n"
    assert (f"| Adopt the deploy review ([{log.mechanism}](../mechanisms/{log.mechanism}-weekly-deploy-review.md)) "
            "| [alice](../owners/alice.md) | 2026-04-01 | mechanism | open |") in section(coe, "Action items")
    assert f"corrections/{log.correction}-orders-down-for-a-day.md" in pages["owners/bob.md"]


def test_an_imported_decision_shows_its_aliases_and_source(export_log: ExportLog, run, tmp_path: Path) -> None:
    adr = page(export(run, export_log, tmp_path / "site"), export_log.adr)
    assert "| **Also known as** | ADR-0007 |" in adr
    assert "| **Source** | `doc/adr/0007-record-architecture-decisions.md` (nygard, number 7, imported 2026-03-06) |" in adr
    assert section(adr, "Decision") == "We will use Architecture Decision Records.\n\n"


def test_titles_are_escaped_and_no_table_loses_a_column(export_log: ExportLog, run, tmp_path: Path) -> None:
    pages = export(run, export_log, tmp_path / "site")
    tricky = page(pages, export_log.tricky)
    heading = tricky.splitlines()[0]
    assert heading == f"# {export_log.tricky}: " + r'Use "quotes" \[brackets\] \| pipes & \<b\>tags\</b\> \#1 \\ back'
    assert unescape(heading) == f"# {export_log.tricky}: {TRICKY_TITLE}"
    tables = 0
    for name, text in pages.items():
        for block in re.findall(r"(?:^\|.*\|\n)+", text, re.M):
            rows = block.splitlines()
            widths = {len(CELL_BORDER.findall(row)) for row in rows}
            assert len(widths) == 1, f"{name}: a row with a different number of cells:\n{block}"
            assert re.fullmatch(r"\|(?:-{3}\|)+", rows[1]), f"{name}: no header rule:\n{block}"
            tables += 1
    assert tables > 15


def test_an_unclosed_code_fence_in_prose_is_closed(export_log: ExportLog, run, tmp_path: Path) -> None:
    tricky = page(export(run, export_log, tmp_path / "site"), export_log.tricky)
    assert section(tricky, "Context") == "```python\nprint('an unclosed fence')\n```\n\n"
    fences = [line for line in tricky.splitlines() if line.startswith("```")]
    assert len(fences) % 2 == 0
    assert "\n## Related\n" in tricky and "\n## History\n" in tricky


def test_no_history_leaves_git_out(export_log: ExportLog, run, tmp_path: Path) -> None:
    pg = page(export(run, export_log, tmp_path / "site", "--no-history"), export_log.pg)
    assert "## History" not in pg and "**Recorded**" not in pg and "**Decided (git)**" not in pg
    assert "| **Decided on** | 2026-02-01 |" in pg


def test_refuses_a_folder_it_did_not_write_unless_forced(export_log: ExportLog, run, tmp_path: Path) -> None:
    out = tmp_path / "docs"
    out.mkdir()
    (out / "guide.md").write_text("my own notes\n", encoding="utf-8")
    res = run(export_log.repo, "export", "markdown", "--out", str(out))
    assert res.exit_code == 2
    assert res.stderr == (f"declog: error: {out}: folder is not empty and was not written by declog export; "
                          "choose a new or empty folder, or pass --force to write into it anyway\n")
    assert sorted(p.name for p in out.iterdir()) == ["guide.md"]
    export(run, export_log, out, "--force")
    assert (out / "guide.md").read_text(encoding="utf-8") == "my own notes\n"
    assert (out / "index.md").is_file()
    file_out = tmp_path / "a-file"
    file_out.write_text("x", encoding="utf-8")
    res = run(export_log.repo, "export", "markdown", "--out", str(file_out))
    assert res.exit_code == 2 and "exists and is not a folder" in res.stderr


def test_a_second_export_replaces_the_first_and_removes_only_its_own_stale_pages(
        export_log: ExportLog, run, tmp_path: Path) -> None:
    log = export_log
    out = tmp_path / "site"
    first = export(run, log, out)
    (out / "notes.md").write_text("added by hand after the export\n", encoding="utf-8")
    assert run(log.repo, "set", log.kafka, "title=Adopt Redpanda for order events").exit_code == 0
    (next((log.repo / "decisions").glob(f"{log.mongo}-*.yaml"))).unlink()
    commit(log.repo, "Rename and drop", "2026-03-10T10:00:00Z", author="Bob Builder", email="bob@example.com")
    second = export(run, log, out)
    gone = set(first) - set(second)
    assert gone == {f"{log.kafka}-adopt-kafka-for-order-events.md", f"{log.mongo}-use-mongodb-for-orders.md"}
    assert f"{log.kafka}-adopt-redpanda-for-order-events.md" in second
    assert second["notes.md"] == "added by hand after the export\n"
    assert not list(out.rglob(".declog-*.tmp"))
    history = section(page(second, log.kafka), "History")
    assert "| 2026-03-10 | Bob Builder |" in history and "title: Adopt Kafka for order events → Adopt Redpanda" in history


def test_an_unreadable_record_is_left_out_and_exits_1(export_log: ExportLog, run, tmp_path: Path) -> None:
    bad = export_log.repo / "decisions" / "D-zzzzzz-broken.yaml"
    bad.write_text("id: D-zzzzzz\ntitle: [unclosed\n", encoding="utf-8")
    out = tmp_path / "site"
    res = run(export_log.repo, "export", "markdown", "--out", str(out))
    assert res.exit_code == 1
    assert res.stderr.startswith("declog: skipped decisions/D-zzzzzz-broken.yaml:")
    assert (out / "index.md").is_file() and not list(out.glob("D-zzzzzz*"))


def test_export_markdown_needs_out(export_log: ExportLog, run) -> None:
    res = run(export_log.repo, "export", "markdown")
    assert res.exit_code == 2
    assert "Missing option '--out'" in res.stderr


def test_a_record_with_fields_of_the_wrong_type_still_exports(export_log: ExportLog, run, tmp_path: Path) -> None:
    odd = export_log.repo / "decisions" / "D-0dd0dd-odd.yaml"
    odd.write_text("id: D-0dd0dd\ntitle: Odd shapes\nstatus: maybe\nowner: [alice]\ndoor: 3\ncontext: 42\n"
                   f"related: {export_log.pg}\ntags: storage\noptions: just one\nsupersedes: {export_log.mongo}\n"
                   "dissent: [nobody]\nsource: doc/adr/1.md\n", encoding="utf-8")
    assert run(export_log.repo, "validate").exit_code == 1
    pages = export(run, export_log, tmp_path / "site")
    text = page(pages, "D-0dd0dd")
    assert text.startswith("# D-0dd0dd: Odd shapes\n")
    assert "| **Status** | **maybe** |" in text
    assert "## Related" not in text and "## Options considered" not in text
    assert "## Other (1)" in pages["index.md"]


def test_an_imported_decision_names_who_accepted_its_markdown_adr_in_markdown_and_json(
        imported_adr: ImportedAdr, run, tmp_path: Path) -> None:
    log_repo = imported_adr.repo
    out = tmp_path / "md"
    assert run(log_repo, "export", "markdown", "--out", str(out)).exit_code == 0
    (doc,) = [p.read_text(encoding="utf-8") for p in out.rglob("*use-kafka.md")]
    assert "| **Decided (git)** | 2024-05-09 by Carol Chen in " in doc and ", in `doc/adr/0003-use-kafka.md` |" in doc
    history = section(doc, "History")
    assert history.index("Import ADRs") < history.index("ADR 3: accepted") < history.index("ADR 3: propose Kafka")
    assert r"\[doc/adr/0003-use-kafka.md\] status: Proposed → Accepted" in history  # \[ renders as [
    assert r"\[doc/adr/0003-use-kafka.md\] created as Proposed" in history
    res = run(log_repo, "export", "json", "--out", "-")
    (line,) = [json.loads(x) for x in res.stdout.splitlines() if json.loads(x).get("aliases") == ["ADR-0003"]]
    decided = line["git"]["decided"]
    assert (decided["author"], decided["date"][:10], decided["source"]) == (
        "Carol Chen", "2024-05-09", "doc/adr/0003-use-kafka.md")



def test_an_export_file_is_replaced_atomically_with_the_mode_of_any_new_file(tmp_path: Path) -> None:
    import os

    from declog.export import ExportDir

    target = tmp_path / "page.html"
    target.write_text("old", encoding="utf-8")
    stale = tmp_path / ".declog-killed.tmp"  # left by a killed export
    stale.write_text("left over", encoding="utf-8")
    umask = os.umask(0o027)
    try:
        ExportDir(tmp_path, "html", {}).write("page.html", "new ✓")
    finally:
        os.umask(umask)
    assert target.read_text(encoding="utf-8") == "new ✓"
    assert target.stat().st_mode & 0o777 == 0o640  # 0o666 less the umask, as any new file
    assert sorted(p.name for p in tmp_path.iterdir()) == [stale.name, "page.html"]  # not reused, not clobbered
    assert stale.read_text(encoding="utf-8") == "left over"
