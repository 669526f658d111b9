"""Reading one PR/FAQ written in markdown (Working Backwards): the headline, the parts under
their usual headings (customer, problem, solution, quote, getting started, success metrics), and
the questions and answers of the FAQ, from ``Q:``/``A:`` lines, bold questions or question
headings. No I/O; markdown-it-py finds the headings (so a ``#`` inside a code block is text).

Lossless: every line of the file that is not a heading or a ``Q:``/``A:`` marker ends up in a
field, word for word; a part under a heading declog does not know is kept in ``sections`` with
its heading. Nothing is written that the file does not say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from declog.errors import UsageError

# Usual headings of each part, compared case-folded without punctuation around them.
PARTS: dict[str, tuple[str, ...]] = {
    "customer": ("customer", "customers", "the customer", "who is the customer", "target customer", "audience"),
    "problem": ("problem", "the problem", "customer problem", "problem statement", "the customer problem"),
    "solution": ("solution", "the solution", "our solution", "the product"),
    "press_release": ("press release", "the press release", "pr"),
    "quote": ("quote", "quotes", "customer quote", "leader quote", "internal quote", "what customers say"),
    "getting_started": ("getting started", "how to get started", "get started", "call to action",
                        "how it works"),
    "success_metrics": ("success metrics", "metrics", "measuring success", "how we will measure success",
                        "success criteria", "measures of success", "key metrics"),
}
FAQ_HEADINGS: dict[str, str | None] = {
    "faq": None, "faqs": None, "frequently asked questions": None, "questions": None, "q&a": None,
    "external faq": "external", "external faqs": "external", "customer faq": "external",
    "customer faqs": "external", "external questions": "external", "customer questions": "external",
    "external": "external",
    "internal faq": "internal", "internal faqs": "internal", "stakeholder faq": "internal",
    "internal questions": "internal", "stakeholder questions": "internal", "internal": "internal",
}
_Q = re.compile(r"^\s*(?:[*_]{2})?\s*(?:Q|Question)\s*(?:\d+\s*)?[:.)]\s*(?:[*_]{2})?\s*(?P<rest>.*)$", re.I)
_A = re.compile(r"^\s*(?:[*_]{2})?\s*(?:A|Answer)\s*[:.)]\s*(?:[*_]{2})?\s*(?P<rest>.*)$", re.I)
_BOLD_QUESTION = re.compile(r"^\s*(?:\*\*|__)(?P<q>[^*_].*\?)(?:\*\*|__)\s*$")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?P<rest>.*)$")


@dataclass
class Guess:
    field: str
    reason: str


@dataclass
class ParsedNarrative:
    fields: dict[str, Any] = field(default_factory=dict)
    guesses: list[Guess] = field(default_factory=list)


def _key(heading: str) -> str:
    text = re.sub(r"[*_`]", "", heading).casefold().strip()
    text = re.sub(r"^[\d.)\s]+", "", text)  # "3. Problem"
    return text.strip(" :.-–—?!").strip()


def _blocks(text: str) -> list[tuple[int, str, list[str]]]:
    """``(level, heading, body lines)`` in order; level 0 holds the lines before any heading."""
    from markdown_it import MarkdownIt

    lines = text.splitlines()
    tokens = MarkdownIt("commonmark").parse(text)
    heads: list[tuple[int, int, int, str]] = []  # start line, end line, level, heading text
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.map is not None:
            inline = tokens[i + 1]
            heads.append((tok.map[0], tok.map[1], int(tok.tag[1]), inline.content.strip()))
    out: list[tuple[int, str, list[str]]] = []
    start = heads[0][0] if heads else len(lines)
    out.append((0, "", lines[:start]))
    for n, (_, end, level, heading) in enumerate(heads):
        stop = heads[n + 1][0] if n + 1 < len(heads) else len(lines)
        out.append((level, heading, lines[end:stop]))
    return out


def _prose(lines: list[str]) -> str | None:
    """The lines as one text, without blank lines around it (None when empty)."""
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    if not lines:
        return None
    indent = min(len(line) - len(line.lstrip()) for line in lines if line.strip())
    return "\n".join(line[indent:].rstrip() for line in lines)


def _faq_from_lines(lines: list[str], audience: str | None) -> tuple[list[dict[str, Any]], list[str]]:
    """Questions and answers written as ``Q:``/``A:`` lines or bold questions; and the lines
    outside any pair (an introduction), kept as they are."""
    entries: list[dict[str, Any]] = []
    loose: list[str] = []
    current: dict[str, list[str]] | None = None
    part = ""

    def close() -> None:
        if current is None:
            return
        entry: dict[str, Any] = {"question": _prose(current["question"]) or ""}
        answer = _prose(current["answer"])
        if answer:
            entry["answer"] = answer
        entry["audience"] = audience or "external"
        if entry["question"]:
            entries.append(entry)

    for line in lines:
        q = _Q.match(line) or _BOLD_QUESTION.match(line)
        a = _A.match(line) if current is not None else None
        if q is not None:
            close()
            current = {"question": [q.group("rest") if "rest" in q.groupdict() else q.group("q")], "answer": []}
            part = "question"
        elif a is not None and current is not None:
            part = "answer"
            current["answer"].append(a.group("rest"))
        elif current is not None:
            if part == "question" and not line.strip():
                part = "answer"  # a bold question, then its answer in the next paragraph
            current[part].append(line)
        else:
            loose.append(line)
    close()
    return entries, loose


def parse(text: str, display: str) -> ParsedNarrative:
    """The fields of a narrative record from the text of one PR/FAQ markdown file."""
    blocks = _blocks(text)
    out = ParsedNarrative()
    f = out.fields
    titled = [b for b in blocks if b[0] > 0]
    if not titled:
        raise UsageError(f"{display}: no headline: a PR/FAQ starts with a heading (`# Headline`)")
    top = min(level for level, _, _ in titled)
    before = _prose(blocks[0][2])
    title_at = blocks.index(titled[0])
    f["title"] = titled[0][1]
    sections: list[dict[str, str]] = []
    release: list[str] = []
    if before:
        sections.append({"heading": "(before the headline)", "text": before})
    faq: list[dict[str, Any]] = []
    faq_level: int | None = None  # inside an FAQ part opened at this level
    audience: str | None = None
    press_open = True  # still in the press release: right after the headline, before any known part
    i = title_at
    body = blocks[i][2]
    release += body
    i += 1
    while i < len(blocks):
        level, heading, lines = blocks[i]
        key = _key(heading)
        if faq_level is not None and level <= faq_level and key not in FAQ_HEADINGS:
            faq_level, audience = None, None
        if key in FAQ_HEADINGS:
            press_open = False
            if faq_level is None or level <= faq_level:
                faq_level = level
            audience = FAQ_HEADINGS[key] or audience
            entries, loose = _faq_from_lines(lines, audience)
            if FAQ_HEADINGS[key] is None and entries and audience is None:
                out.guesses.append(Guess("faq", f"questions under '{heading}' name no audience: taken as external"))
            faq += entries
            intro = _prose(loose)
            if intro:
                sections.append({"heading": heading, "text": intro})
        elif faq_level is not None and level > faq_level:
            entries, loose = _faq_from_lines(lines, audience)
            if entries:  # a sub-heading holding Q:/A: pairs: its heading is kept as a section
                faq += entries
                sections.append(_section(heading, _prose(loose)))
            else:  # the heading is the question, the text under it the answer
                entry: dict[str, Any] = {"question": heading}
                answer = _prose(lines)
                if answer:
                    entry["answer"] = answer
                entry["audience"] = audience or "external"
                if audience is None:
                    out.guesses.append(Guess("faq", f"'{heading}' names no audience: taken as external"))
                faq.append(entry)
        else:
            part = next((name for name, names in PARTS.items() if key in names), None)
            if part == "success_metrics":
                press_open = False
                _metrics(f, heading, lines, sections)
            elif part is not None and part not in f and part != "press_release":
                press_open = False
                value = _prose(lines)
                if value:
                    f[part] = value
            elif part == "press_release" and not release_has_text(release):
                press_open = False
                release = list(lines)
            elif press_open and level > top and "subtitle" not in f and not release_has_text(release):
                f["subtitle"] = heading  # "## Sub-heading" right under the headline
                out.guesses.append(Guess("subtitle", f"'{heading}', the heading right under the headline, "
                                                     "taken as its sub-heading"))
                release += lines
            else:
                sections.append(_section(heading, _prose(lines)))
        i += 1
    pr = _prose(release)
    if pr:
        f["press_release"] = pr
    if faq:
        f["faq"] = faq
    if sections:
        f["sections"] = sections
    return out


def _section(heading: str, text: str | None) -> dict[str, str]:
    return {"heading": heading, "text": text} if text else {"heading": heading}


def release_has_text(lines: list[str]) -> bool:
    return any(line.strip() for line in lines)


def _metrics(f: dict[str, Any], heading: str, lines: list[str], sections: list[dict[str, str]]) -> None:
    """Success metrics: one per bullet (its continuation lines kept), or the text as one."""
    items: list[list[str]] = []
    loose: list[str] = []
    for line in lines:
        m = _BULLET.match(line)
        if m:
            items.append([m.group("rest")])
        elif items and line.strip():
            items[-1].append(line.strip())
        elif line.strip():
            loose.append(line)
    metrics = f.setdefault("success_metrics", [])
    intro = _prose(loose)
    if intro and not items:
        metrics.append({"metric": intro})
        return
    if intro:
        sections.append({"heading": heading, "text": intro})
    for item in items:
        metrics.append({"metric": " ".join(p.strip() for p in item)})
