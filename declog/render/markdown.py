"""Markdown that declog writes: one rule for record text inside a line of Markdown.

A table cell, a heading, a list item's title or a link's text is *inline* text: one line, read
as literal. :func:`cell` makes any value so, the same way for ``list --format markdown``, the
weekly review and its deck, ``declog context`` and ``declog export markdown``:

1. every character Markdown (CommonMark and GitHub's tables) could read as markup is escaped
   with a backslash: ``\\ ` * _ [ ] < > | # !`` — so no value opens a link, emphasis, an HTML
   tag or a heading, and no ``|`` splits a table row;
2. then line breaks, tabs and every other control character are spelled out (``\\n``, ``\\t``,
   ``\\uXXXX``; ``declog.domain.controls.one_line``), so the value stays on its line: no newline in a
   value starts a fake row, no escape sequence reaches a terminal.

Prose fields written as blocks (a decision's context, a rationale) are the author's Markdown and
are not escaped; see ``declog.export.markdown.prose``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from declog.domain.controls import one_line

SPECIAL = "\\`*_[]<>|#!"
_SPECIAL = re.compile("([" + re.escape(SPECIAL) + "])")


def cell(value: Any) -> str:
    """``value`` as literal inline Markdown on one line (the rule of this module)."""
    return one_line(_SPECIAL.sub(r"\\\1", str(value)))


def code(value: Any) -> str:
    """``value`` as an inline code span on one line, safe in a table cell (GitHub reads a ``|``
    in a table row as a cell border even inside a code span, unless it is escaped)."""
    text = one_line(str(value)).replace("|", "\\|")
    ticks = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A GitHub table. Header and cells are Markdown already (made with :func:`cell` or
    :func:`code`)."""
    out = "| " + " | ".join(header) + " |\n|" + "|".join("---" for _ in header) + "|\n"
    for row in rows:
        out += "| " + " | ".join(row) + " |\n"
    return out
