"""One Markdown escaping rule (``declog.render.markdown``): what it writes reads back as the literal
text in a real Markdown parser (markdown-it-py), and every Markdown writer of declog uses it."""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from declog.domain.controls import one_line
from declog.render.markdown import cell, code, table
from tests.conftest import Result, git

NASTY = [
    "Use *fast* [db](http://x) <b>|x|</b> #1 ! \\back_slash",
    "`code` and ``two`` ticks",
    "# not a heading",
    "![image](x.png) and <script>alert(1)</script>",
    "a | b || c",
    "two\nlines\tand a tab\r\x1b[31m red \u202e bidi",
    "trailing backslash \\",
    "_under_ **strong** ~~gone~~",
]


@pytest.mark.parametrize("text", NASTY)
def test_a_cell_reads_back_as_the_literal_text(text: str) -> None:
    rendered = MarkdownIt("commonmark").renderInline(cell(text))
    assert "<" not in rendered.replace("&lt;", "")  # no tag of any kind: no emphasis, link, image, HTML
    assert html.unescape(rendered) == one_line(text)  # the text itself, its controls spelled out
    assert "\n" not in cell(text)


@pytest.mark.parametrize("text", NASTY)
def test_a_table_keeps_its_columns_and_its_text(text: str) -> None:
    md = MarkdownIt("commonmark").enable("table")
    page = table(["id", "title", "code"], [["D-1", cell(text), code(text)], ["D-2", "", code("a|b")]])
    out = md.render(page)
    assert out.count("<tr>") == 3 and out.count("<td>") + out.count("<td ") == 6, out
    first_row = out.split("<tr>")[2]
    assert html.unescape(first_row.split("<td>")[2].split("</td>")[0]) == one_line(text)


def test_every_markdown_writer_escapes_a_title_the_same_way(log_repo: Path, run: Callable[..., Result],
                                                            tmp_path: Path) -> None:
    title = NASTY[0]
    res = run(log_repo, "new", "decision", title, "--owner", "alice", "--door", "two-way", "--context", "c",
              "--scope", "src/**", "--format", "json")
    assert res.exit_code == 0, res.output
    rid = json.loads(res.stdout)["id"]
    git(log_repo, "add", "-A")
    git(log_repo, "commit", "-qm", "Record a decision")
    escaped = cell(title)
    outputs = {
        "list": run(log_repo, "list", "--format", "markdown").stdout,
        "review": run(log_repo, "review", "--format", "markdown").stdout,
        "context": run(log_repo, "context", "--format", "markdown", "src/app.py").stdout,
    }
    assert run(log_repo, "export", "markdown", "--out", str(tmp_path / "md")).exit_code == 0
    outputs["export index"] = (tmp_path / "md" / "index.md").read_text(encoding="utf-8")
    (page,) = (tmp_path / "md").glob(f"{rid}-*.md")
    outputs["export page"] = page.read_text(encoding="utf-8")
    for name, text in outputs.items():
        assert escaped in text, f"{name} does not write the title as markdown_out.cell does:\n{text}"
        assert title not in text, name
