"""Reading one markdown Architecture Decision Record: adr-tools (Nygard), MADR 2-4, log4brains.

Pure text in, a frozen :class:`ParsedAdr` out: no files, no git. The structure comes from
markdown-it-py's token stream (so headings and front matter inside code blocks are code, either
fence kind), the front matter from declog's safe YAML loader (:mod:`declog.storage.yamlio`). Which
heading feeds which field is :data:`SECTION_FIELDS`, the one table; every other section is kept,
heading and markdown, in ``sections``; sub-sections stay inside their parent's text. Nothing is
written that the file does not say. ``parse`` never raises on odd input; a file that is not an
ADR comes back with ``skip_reason`` set. ``declog import adr`` and the pre-import history of an
imported decision both use it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date as _date
from typing import Any

from declog.domain.vocab import DECISION_STATUSES

__all__ = [
    "AdrLink",
    "ParsedAdr",
    "ParsedOption",
    "SECTION_FIELDS",
    "STATUSES",
    "Section",
    "detect_format",
    "normalize_date",
    "normalize_status",
    "parse",
]

STATUSES = DECISION_STATUSES

# File names that hold an index or a template, never a decision.
NOT_ADR_NAMES = frozenset({
    "readme.md", "index.md", "template.md", "adr-template.md", "0000-template.md", "0000-adr-template.md",
    "_template.md", "toc.md", "summary.md", "changelog.md", "license.md", "contributing.md",
})


@dataclass(frozen=True)
class AdrLink:
    """A link between ADRs, such as ``Superseded by [ADR 15](0015-x.md)``."""

    relation: str  # supersedes | superseded_by | amends | amended_by | related
    text: str  # the whole line, as written
    target: str | None  # the link's file name (``0015-x.md``), when there is one
    number: int | None  # the number of the ADR it names, when one can be read


@dataclass(frozen=True)
class ParsedOption:
    """An option of a MADR or log4brains record."""

    title: str
    description: str | None = None
    pros: tuple[str, ...] = ()
    cons: tuple[str, ...] = ()
    neutral: tuple[str, ...] = ()


@dataclass(frozen=True)
class ParsedAdr:
    """What one markdown ADR says, in declog's terms where the mapping is sure."""

    number: int | None
    title: str
    status_raw: str | None
    status: str | None  # one of STATUSES, or None when the status could not be read
    date: str | None  # ISO date, YYYY-MM-DD
    format: str  # nygard | madr | log4brains
    status_guessed: bool = False
    date_raw: str | None = None
    date_guessed: bool = False  # an ambiguous form such as 03/04/2019 was read month first
    context: str | None = None
    decision: str | None = None
    rationale: str | None = None  # MADR: the "because ..." of the chosen option
    consequences: str | None = None
    chosen_option: str | None = None
    options: tuple[ParsedOption, ...] = ()
    deciders: tuple[str, ...] = ()
    consulted: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    links: tuple[AdrLink, ...] = ()
    filename_date: str | None = None  # log4brains: the YYYYMMDD prefix of the file name
    slug: str | None = None  # the file name without number, date or extension
    skip_reason: str | None = None  # set when the file is not an ADR
    sections: tuple[Section, ...] = ()  # the sections no field takes, in order
    labels: tuple[tuple[str, str], ...] = ()  # (field, the heading or label the ADR used for it)
    title_guess: str | None = None  # set when the title is not the heading as written

    @property
    def is_adr(self) -> bool:
        return self.skip_reason is None

    def links_of(self, relation: str) -> tuple[AdrLink, ...]:
        return tuple(link for link in self.links if link.relation == relation)


# ---------------------------------------------------------------------------------------------
# Status

_EXACT = {s: s for s in STATUSES} | {"superseeded": "superseded", "depreciated": "deprecated"}

# Words and phrases that mean a declog status; a match here is reported as a guess.
_SYNONYMS: tuple[tuple[str, str], ...] = (
    ("partly superseded", "accepted"),
    ("partially superseded", "accepted"),
    ("superseded in part", "accepted"),
    ("amended", "accepted"),
    ("approved", "accepted"),
    ("agreed", "accepted"),
    ("adopted", "accepted"),
    ("accept", "accepted"),
    ("decided", "accepted"),
    ("implemented", "accepted"),
    ("done", "accepted"),
    ("active", "accepted"),
    ("in effect", "accepted"),
    ("final", "accepted"),
    ("chosen", "accepted"),
    ("completed", "accepted"),
    ("complete", "accepted"),
    ("ratified", "accepted"),
    ("replaced", "superseded"),
    ("supersede", "superseded"),
    ("obsolete", "deprecated"),
    ("retired", "deprecated"),
    ("outdated", "deprecated"),
    ("deprecate", "deprecated"),
    ("legacy", "deprecated"),
    ("no longer", "deprecated"),
    ("sunset", "deprecated"),
    ("archived", "deprecated"),
    ("declined", "rejected"),
    ("refused", "rejected"),
    ("not accepted", "rejected"),
    ("reject", "rejected"),
    ("abandoned", "rejected"),
    ("withdrawn", "rejected"),
    ("won't do", "rejected"),
    ("wont do", "rejected"),
    ("cancelled", "rejected"),
    ("canceled", "rejected"),
    ("dropped", "rejected"),
    ("draft", "proposed"),
    ("pending", "proposed"),
    ("review", "proposed"),
    ("proposal", "proposed"),
    ("propose", "proposed"),
    ("suggested", "proposed"),
    ("open", "proposed"),
    ("wip", "proposed"),
    ("work in progress", "proposed"),
    ("in progress", "proposed"),
    ("discussion", "proposed"),
    ("discussing", "proposed"),
    ("rfc", "proposed"),
    ("todo", "proposed"),
    ("new", "proposed"),
    ("idea", "proposed"),
)

_LINK_MD = re.compile(r"\[([^\]]*)\]\(([^)\s]*)[^)]*\)")


def _plain(raw: str) -> str:
    """Lower-case words only: no markdown, emoji, HTML comments or punctuation at the ends."""
    text = re.sub(r"<!--.*?-->", " ", raw, flags=re.S)
    text = _LINK_MD.sub(lambda m: m.group(1), text)
    text = re.sub(r"[*_`~]+", "", text)
    kept = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat[0] in ("L", "N") or ch in " '-/":
            kept.append(ch)
        else:
            kept.append(" ")
    return " ".join("".join(kept).lower().split()).strip(" -/'")


def normalize_status(raw: str) -> tuple[str | None, bool]:
    """declog's status for a free-text ADR status, and whether that was a guess.

    ``"Accepted"``, ``"✅ accepted."`` and ``"Superseded by [ADR 15](0015-x.md)"`` are sure;
    ``"Approved"``, ``"Pending review"``, ``"Draft"``, ``"Partly superseded"`` (still in effect:
    accepted) and ``"Amended by ..."`` are guesses. Unreadable text gives ``(None, False)``.
    """
    words = _plain(raw)
    if not words:
        return None, False
    if words in _EXACT:
        return _EXACT[words], False
    first = words.split()[0]
    if first in _EXACT:
        rest = words[len(first):].strip()
        if first == "superseded" and not rest.startswith(("in part", "partly", "partially")):
            return "superseded", False
        # "Accepted on 2019-03-04", "Accepted (2019)": the status word leads, the rest is detail.
        if not rest or re.match(r"^(on|in|at|by|since|as of|\d)", rest):
            return _EXACT[first], False
    padded = f" {words} "
    for phrase, status in _SYNONYMS:
        if f" {phrase}" in padded and re.search(rf"(?<![a-z]){re.escape(phrase)}", words):
            return status, True
    for word in words.split():
        if word in _EXACT:
            return _EXACT[word], True
    return None, False


# ---------------------------------------------------------------------------------------------
# Dates

_MONTHS = {
    name: i
    for i, names in enumerate(
        (
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
            ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
            ("oct", "october"), ("nov", "november"), ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return _date(year, month, day).isoformat()
    except ValueError:
        return None


def normalize_date(raw: str) -> tuple[str | None, bool]:
    """An ISO date for a date as people write it, and whether the reading was a guess.

    Reads 2019-03-04, 2019/03/04, 2019.03.04, 20190304, March 3, 2019, 3 March 2019, Mar 3rd 2019
    and 04.03.2019 (day first, as written in Europe). 03/04/2019 is ambiguous: read month first
    (US) and reported as a guess, unless one part is over 12.
    """
    text = _plain(raw.replace(",", " ").replace(".", "/")) if raw else ""
    text = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text)
    if not text:
        return None, False
    m = re.search(r"\b(\d{4})[-/](\d{1,2})[-/](\d{1,2})\b", text)
    if m:
        return _iso(int(m[1]), int(m[2]), int(m[3])), False
    m = re.search(r"\b(\d{4})(\d{2})(\d{2})\b", text)
    if m:
        return _iso(int(m[1]), int(m[2]), int(m[3])), False
    m = re.search(r"\b([a-z]+) (\d{1,2}) (\d{4})\b", text)
    if m and m[1] in _MONTHS:
        return _iso(int(m[3]), _MONTHS[m[1]], int(m[2])), False
    m = re.search(r"\b(\d{1,2}) ([a-z]+) (\d{4})\b", text)
    if m and m[2] in _MONTHS:
        return _iso(int(m[3]), _MONTHS[m[2]], int(m[1])), False
    m = re.search(r"\b([a-z]+) (\d{4})\b", text)
    if m and m[1] in _MONTHS:
        return _iso(int(m[2]), _MONTHS[m[1]], 1), True
    dotted = re.search(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b", raw)
    if dotted:  # 04.03.2019: day first
        return _iso(int(dotted[3]), int(dotted[2]), int(dotted[1])), False
    m = re.search(r"\b(\d{1,2})[-/](\d{1,2})[-/](\d{4})\b", text)
    if m:
        a, b, year = int(m[1]), int(m[2]), int(m[3])
        if a > 12 >= b:
            return _iso(year, b, a), False
        if b > 12 >= a:
            return _iso(year, a, b), False
        return _iso(year, a, b), a != b
    return None, False


# ---------------------------------------------------------------------------------------------
# Which heading means which field: the ONE table. Keys are headings as _heading_key() reads them
# (lower case, no markdown, no trailing colon, no "1." numbering).

SECTION_FIELDS: dict[str, tuple[str, ...]] = {
    "status": ("status", "state", "current status"),
    "context": (
        "context and problem statement", "context", "background", "problem", "problem statement",
        "the problem", "context and problem", "introduction", "motivation", "issue", "situation",
    ),
    "decision": (
        "decision outcome", "decision", "the decision", "what's proposed", "whats proposed", "what is proposed",
        "proposal", "proposed decision", "chosen option", "outcome", "resolution", "solution",
    ),
    "rationale": ("rationale", "reasoning", "reasons", "justification", "why"),
    "consequences": ("consequences", "implications", "impact", "results"),
    "options": (
        "considered options", "options", "options considered", "alternatives", "alternatives considered",
        "other options considered", "pros and cons of the options", "pros and cons",
        "pros and cons of the alternatives",
    ),
}
FIELD_OF_HEADING: dict[str, str] = {h: f for f, headings in SECTION_FIELDS.items() for h in headings}

# Template placeholder titles: the heading of a template nobody filled in.
_PLACEHOLDER = re.compile(
    r"^\s*[\[{<]|^(?:adr |decision record |decision |record )?title\b|short title of solved problem|"
    r"^(?:name|title) of (?:the )?(?:adr|decision)", re.I)

# A number in front of a title, in every spelling seen: `23 `, `37. `, `ADR034: `, `ADR-12 - `,
# `ADD037:`, `[ADR-7] `, `Decision 5: `.
_TITLE_NUMBER = re.compile(
    r"^\s*\[?\s*(?:(?:adr|add|rfc|dr|decision|record)\s*[-_#]?\s*)?#?\s*0*(\d{1,6})\s*\]?"
    r"(?:\s*[.:)\]–—-]+\s*|\s+)(?=\S)(.+)$", re.I)


def strip_number(title: str) -> tuple[int | None, str]:
    """``(number, title)`` without the number prefix (``ADR-12 - Use X`` → ``(12, "Use X")``)."""
    m = _TITLE_NUMBER.match(title)
    if not m or not re.search(r"[^\W\d_]", m[2]):
        return None, title
    return int(m[1]), m[2].strip()


def is_placeholder(title: str) -> bool:
    return bool(_PLACEHOLDER.search(title.strip()))


# ---------------------------------------------------------------------------------------------
# Markdown structure, from markdown-it-py's token stream


@dataclass(frozen=True)
class Section:
    """A section of the ADR that no field takes: its heading and its markdown, as written."""

    heading: str
    text: str


@dataclass
class _Heading:
    level: int
    title: str
    start: int  # first line of the heading
    end: int  # the line after it


_MD: Any = None


def _markdown() -> Any:
    global _MD
    if _MD is None:
        from markdown_it import MarkdownIt
        from mdit_py_plugins.front_matter import front_matter_plugin

        # blocks only: headings, fences and front matter are all this reads (no inline parsing)
        _MD = MarkdownIt("commonmark").use(front_matter_plugin).enable("table").disable("inline")
    return _MD


_COMMENT = re.compile(r"<!--.*?-->", re.S)
_NO_SPACE_HEADING = re.compile(r"^(#{1,6})(\d[^\s#]*)[ \t]*(.*)$")  # `#25. Title`: no space after the #


@dataclass
class _Doc:
    lines: list[str]
    front: dict[str, Any]
    front_end: int  # the first line after the front matter
    headings: list[_Heading]
    code: set[int]  # lines inside fenced or indented code

    def text(self, start: int, end: int, drop: set[int] | None = None) -> str:
        """Lines ``start``..``end`` as markdown: HTML comments outside code removed, blank runs
        outside code collapsed, trimmed."""
        out: list[str] = []
        pending: list[str] = []  # prose lines, so comments spanning lines go as one
        blank = False

        def flush() -> None:
            nonlocal blank
            if not pending:
                return
            for line in _COMMENT.sub("", "\n".join(pending)).split("\n"):
                line = line.rstrip()
                if not line.strip():
                    if out and not blank:
                        out.append("")
                    blank = True
                    continue
                out.append(line)
                blank = False
            pending.clear()

        for i in range(start, min(end, len(self.lines))):
            if drop and i in drop:
                continue
            if i in self.code:
                flush()
                out.append(self.lines[i].rstrip())
                blank = not self.lines[i].strip()
            else:
                pending.append(self.lines[i])
        flush()
        while out and not out[-1].strip():
            out.pop()
        while out and not out[0].strip():
            out.pop(0)
        return "\n".join(out)


def _front_matter(content: str) -> dict[str, Any]:
    """The front matter through declog's safe YAML loader; anything that is not a mapping of
    plain values reads as no front matter."""
    from declog.errors import DeclogError
    from declog.storage import yamlio

    try:
        data = yamlio.load_record_text(content, "front matter")
    except (DeclogError, ValueError, TypeError):
        return {}
    return {str(k).lower(): v for k, v in data.items()}


def _read(text: str) -> _Doc:
    tokens = _markdown().parse(text)
    lines = text.split("\n")
    front: dict[str, Any] = {}
    front_end = 0
    headings: list[_Heading] = []
    code: set[int] = set()
    for i, tok in enumerate(tokens):
        if tok.type == "front_matter" and tok.map:
            front = _front_matter(tok.content)
            front_end = tok.map[1]
        elif tok.type in ("fence", "code_block") and tok.map:
            code.update(range(tok.map[0], tok.map[1]))
        elif tok.type == "heading_open" and tok.map and tok.level == 0 and i + 1 < len(tokens):
            title = _COMMENT.sub("", tokens[i + 1].content).strip()
            headings.append(_Heading(int(tok.tag[1]), title, tok.map[0], tok.map[1]))
        elif tok.type == "paragraph_open" and tok.map and tok.level == 0 and i + 1 < len(tokens):
            m = _NO_SPACE_HEADING.match(lines[tok.map[0]].strip())
            if m:
                title = _COMMENT.sub("", f"{m[2]} {m[3]}").strip()
                headings.append(_Heading(len(m[1]), title, tok.map[0], tok.map[0] + 1))
    return _Doc(lines, front, front_end, headings, code)


def _heading_key(title: str) -> str:
    words = _plain(re.sub(r"^\s*(?:\d+(?:\.\d+)*[.)]?|[ivx]+\.)\s+", "", title))
    return words.rstrip(":").strip()


_FIELD_LINE = re.compile(
    r"^\s*(?:[-*+]\s+)?(?:\*\*|__)?(status|date|introduced|deciders|decision-makers|decision makers|consulted|"
    r"tags)(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*(.*?)\s*$",
    re.I,
)

_RELATIONS: tuple[tuple[str, str], ...] = (
    ("superseded by", "superseded_by"),
    ("supersedes", "supersedes"),
    ("supercedes", "supersedes"),
    ("superceded by", "superseded_by"),
    ("replaced by", "superseded_by"),
    ("replaces", "supersedes"),
    ("amended by", "amended_by"),
    ("amends", "amends"),
    ("clarified by", "related"),
    ("clarifies", "related"),
    ("extended by", "related"),
    ("extends", "related"),
    ("relates to", "related"),
    ("related to", "related"),
    ("see also", "related"),
    # prose: "This decision has been superseded by decision: [0022 ...](...)"
    ("this decision has been superseded by decision", "superseded_by"),
    ("this decision has been superseded by", "superseded_by"),
    ("this decision supersedes decision", "supersedes"),
    ("this decision supersedes", "supersedes"),
)


_RELATION_WORD = re.compile(r"supe[rs]|replace|amend|clarif|extend|relate|see also", re.I)


def _relation(line: str) -> AdrLink | None:
    if not _RELATION_WORD.search(line):
        return None
    stripped = re.sub(r"^\s*(?:>\s*)*(?:[-*+]\s+)?(?:\*\*|__)?", "", line).strip()
    words = _plain(stripped)
    for phrase, relation in _RELATIONS:
        if words.startswith(phrase) or words.startswith(f"partly {phrase}") or words.startswith(
            f"partially {phrase}"
        ):
            if words.startswith(("partly", "partially")) and relation == "superseded_by":
                relation = "related"
            link = _LINK_MD.search(stripped)
            target = link.group(2) if link else None
            number = _number_of(target, link.group(1) if link else stripped[len(phrase):])
            if target is None and number is None:
                return None
            return AdrLink(relation, line.strip().lstrip("> ").strip(), target, number)
    return None


def _number_of(target: str | None, text: str) -> int | None:
    if target:
        name = target.rsplit("/", 1)[-1].split("#", 1)[0]
        m = re.match(r"^(?:adr[-_]?)?(\d{1,6})[-_.]", name, re.I)
        if m and not re.match(r"^\d{8}-", name):
            return int(m[1])
    m = re.search(r"\b(?:adr|decision|record)[\s#-]*0*(\d{1,6})\b", text, re.I) or re.match(
        r"^\s*\[?\s*0*(\d{1,6})\b", text
    )
    return int(m[1]) if m else None


_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")


def _bullets(lines: list[str]) -> list[str]:
    items: list[str] = []
    for line in lines:
        m = _BULLET.match(line)
        if m and not line.startswith((" " * 4, "\t")):
            items.append(m[1].strip())
        elif items and line.strip() and line.startswith((" ", "\t")):
            items[-1] += " " + line.strip()
    return items


def _option_title(text: str) -> str:
    text = _LINK_MD.sub(lambda m: m.group(1), text).strip()
    text = re.sub(r"^(?:\*\*|__)(.*?)(?:\*\*|__)", r"\1", text)
    return text.strip().strip("\"'“”").strip()


def _norm(text: str) -> str:
    return _plain(_option_title(text))


_CHOSEN = re.compile(
    r"chosen\s+option\s*:?\s*(?:\*\*|__)?\s*(?:\"([^\"]+)\"|“([^”]+)”|'([^']+)'|\[([^\]]+)\]\([^)]*\)|([^,\n]+))"
    r"(?:\*\*|__)?\s*,?\s*(.*)",
    re.I | re.S,
)


def _as_list(value: Any) -> list[str]:
    """Names from a front-matter value or a field line: a YAML list, or one comma-separated string."""
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if v is not None and str(v).strip()]
    text = str(value).strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    return [v.strip().strip("'\"").strip() for v in text.split(",") if v.strip().strip("'\"").strip()]


def _scalar(value: Any) -> str | None:
    if value is None or isinstance(value, (list, dict)):
        return None
    text = str(value).strip()
    return text or None


# ---------------------------------------------------------------------------------------------
# The file


def detect_format(text: str, filename: str) -> str:
    """nygard, madr or log4brains, from the file name and the shape of the text."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    if re.match(r"^\d{8}-.+\.md$", name, re.I):
        return "log4brains"
    plain = text.lower()
    if text.startswith("---") or re.search(r"^#+\s*(context and problem statement|decision outcome|"
                                           r"considered options|pros and cons of the options)\b", plain, re.M):
        return "madr"
    if re.search(r"^\s*[-*]\s+(?:\*\*)?status(?:\*\*)?\s*:", plain, re.M):
        return "madr"
    return "nygard"


def _humanize(slug: str) -> str:
    words = re.sub(r"[-_]+", " ", slug).strip()
    return words[:1].upper() + words[1:]


def parse(text: str, filename: str) -> ParsedAdr:
    """What the ADR in ``text`` says; ``filename`` (a name or path) helps find its number and format."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    fmt = detect_format(text, name)
    doc = _read(text)
    front = doc.front

    filename_number: int | None = None
    filename_date: str | None = None
    slug = re.sub(r"\.(md|markdown)$", "", name, flags=re.I)
    m = re.match(r"^(\d{8})-(.+)$", slug)
    if m:
        filename_date, _ = normalize_date(m[1])
        slug = m[2]
    else:
        m = re.match(r"^(?:adr[-_]?)?(\d{1,6})(?:[-_.\s]+(.*))?$", slug, re.I)
        if m:
            filename_number, slug = int(m[1]), m[2] or ""

    # Title: the first level-1 heading, else the first heading unless it names a known section.
    headings = doc.headings
    title_heading = next((h for h in headings if h.level == 1), None)
    if title_heading is None and headings and _heading_key(headings[0].title) not in FIELD_OF_HEADING:
        title_heading = headings[0]
    front_title = _scalar(front.get("title"))
    raw_title = title_heading.title if title_heading is not None else (front_title or "")
    title_number, raw_title = strip_number(raw_title)
    number = filename_number if filename_number is not None else title_number
    title = " ".join(_option_title(raw_title).split()) if raw_title else ""
    title_guess: str | None = None
    if title_number is not None:
        title_guess = f"the number in the heading ('{title_heading.title if title_heading else raw_title}') left out"
    if not title or is_placeholder(title):
        fallback = _humanize(slug) if slug else name
        title_guess = (f"the heading '{title}' is a template placeholder; the file name" if title
                       else "the ADR has no title heading; the file name")
        title = fallback

    # The sections: headings after the title, at the shallowest level among them.
    after = [h for h in headings if h is not title_heading and (title_heading is None or h.start > title_heading.start)]
    top_level = min((h.level for h in after), default=0)
    tops = [h for h in after if h.level == top_level]
    body_start = title_heading.end if title_heading is not None else doc.front_end
    intro_end = tops[0].start if tops else len(doc.lines)
    if title_heading is not None and title_heading.start > doc.front_end:
        intro_lines = list(range(doc.front_end, title_heading.start)) + list(range(body_start, intro_end))
    else:
        intro_lines = list(range(body_start, intro_end))

    # Field lines before the first section: `Date: ...`, `* Status: ...`, `- Deciders: ...`.
    fields: dict[str, str] = {}
    labels: dict[str, str] = {}
    dropped: set[int] = set()
    for i in intro_lines:
        if i in doc.code:
            continue
        fm = _FIELD_LINE.match(doc.lines[i])
        if fm and fm[2].strip():
            key = fm[1].lower()
            key = "date" if key == "introduced" else key
            if key not in fields:
                fields[key] = fm[2].strip()
                labels[key] = fm[1]
                dropped.add(i)
    intro = _clean(doc, intro_lines, dropped)

    # Each top section to its field, or to `sections`.
    texts: dict[str, str] = {}
    sections: list[Section] = []
    status_text: str | None = None
    option_ranges: list[tuple[_Heading, int]] = []
    for n, h in enumerate(tops):
        end = tops[n + 1].start if n + 1 < len(tops) else len(doc.lines)
        body = doc.text(h.end, end)
        target = FIELD_OF_HEADING.get(_heading_key(h.title))
        if target == "status" and status_text is None:
            status_text = body
            labels.setdefault("status", h.title)
            continue
        if target == "options":
            option_ranges.append((h, end))
            if body:
                sections.append(Section(h.title, body))
            continue
        if target is not None and target not in texts and body:
            texts[target] = body
            labels[target] = h.title
            continue
        if body:
            sections.append(Section(h.title, body))

    links: list[AdrLink] = []
    status_raw: str | None = _scalar(front.get("status")) or fields.get("status")
    if status_raw is not None:
        labels["status"] = "status" if _scalar(front.get("status")) else labels.get("status", "Status")
    extra_status: str | None = None
    if status_raw is None and status_text:
        words: list[str] = []
        for line in status_text.split("\n"):
            if line.strip() and _relation(line) is None:
                words.append(re.sub(r"^\s*[-*+]\s+", "", line).strip())
        status_raw = words[0] if words else next((ln.strip() for ln in status_text.split("\n") if ln.strip()), None)
        if status_raw is not None and status_text.strip() != status_raw:
            extra_status = status_text
    status, status_guessed = (None, False)
    if status_raw:
        first = status_raw.split(";", 1)[0]
        status, status_guessed = normalize_status(first)
        if status == "superseded" and re.match(r"^\s*(partly|partially)", _plain(first)):
            status, status_guessed = "accepted", True
    if extra_status:
        sections.insert(0, Section(labels.get("status", "Status"), extra_status))

    # Links: the status, and every line of prose (not code).
    seen: set[str] = set()
    candidates = [p for p in (status_raw or "").split(";")]
    candidates += [doc.lines[i] for i in range(doc.front_end, len(doc.lines)) if i not in doc.code]
    for line in candidates:
        link = _relation(line)
        if link is not None and link.text not in seen:
            seen.add(link.text)
            links.append(link)

    raw_date = _scalar(front.get("date")) or fields.get("date")
    if _scalar(front.get("date")):
        labels["decided_on"] = "date"
    elif "date" in labels:
        labels["decided_on"] = labels.pop("date")
    iso_date, date_guessed = normalize_date(raw_date) if raw_date else (None, False)

    deciders = _as_list(front.get("deciders") or front.get("decision-makers") or front.get("decision_makers")
                        or fields.get("deciders") or fields.get("decision-makers") or fields.get("decision makers"))
    consulted = _as_list(front.get("consulted") or fields.get("consulted"))
    tags = _as_list(front.get("tags") or fields.get("tags"))
    for key in ("deciders", "decision-makers", "decision makers", "consulted", "tags"):
        if key in labels:
            labels[key.replace("decision-makers", "deciders").replace("decision makers", "deciders")] = labels.pop(key)

    context = texts.get("context")
    if intro:
        context = f"{intro}\n\n{context}" if context else intro
    decision = texts.get("decision")
    rationale = texts.get("rationale")
    chosen: str | None = None
    if decision:
        cm = _CHOSEN.search(decision)
        if cm:
            chosen = _option_title(next(g for g in cm.groups()[:5] if g))
            because = re.match(r"^because\s*:?\s*(.*)$", cm[6].strip(), re.I | re.S)
            if because and rationale is None:
                reason = because[1].split("\n\n", 1)[0].strip()
                if reason and not reason.startswith("{"):
                    rationale = reason
                    labels.setdefault("rationale", "because")
    options = _options(doc, option_ranges)
    if chosen and options:
        known = {_norm(o.title): o.title for o in options}
        match = known.get(_norm(chosen)) or next(
            (t for key, t in known.items() if key.startswith(_norm(chosen)) or _norm(chosen).startswith(key)),
            None,
        )
        chosen = match or chosen

    skip: str | None = None
    # "template" in the name of a numbered ADR is its subject ("0039-use-a-template-engine.md")
    if name.lower() in NOT_ADR_NAMES or ("template" in name.lower() and filename_number is None
                                         and filename_date is None):
        skip = f"{name} is an index or a template, not a decision"
    elif not text.strip():
        skip = "an empty file"
    elif title_heading is None and not front_title and filename_number is None and filename_date is None:
        skip = "no heading and no number in the file name: not an ADR"

    return ParsedAdr(
        number=number,
        title=title,
        status_raw=status_raw,
        status=status,
        date=iso_date,
        format=fmt,
        status_guessed=status_guessed,
        date_raw=raw_date,
        date_guessed=date_guessed,
        context=context or None,
        decision=decision or None,
        rationale=rationale or None,
        consequences=texts.get("consequences") or None,
        chosen_option=chosen,
        options=tuple(options),
        deciders=tuple(deciders),
        consulted=tuple(consulted),
        tags=tuple(tags),
        links=tuple(links),
        filename_date=filename_date,
        slug=slug or None,
        skip_reason=skip,
        sections=tuple(sections),
        labels=tuple(sorted(labels.items())),
        title_guess=title_guess,
    )


def _clean(doc: _Doc, lines: list[int], dropped: set[int]) -> str:
    """The text of ``lines`` (two runs at most) without the ``dropped`` field lines."""
    if not lines:
        return ""
    parts: list[str] = []
    run_start = prev = lines[0]
    for i in [*lines[1:], None]:
        if i is None or i != prev + 1:
            part = doc.text(run_start, prev + 1, dropped)
            if part:
                parts.append(part)
            if i is not None:
                run_start = i
        if i is not None:
            prev = i
    return "\n\n".join(parts)


def _options(doc: _Doc, ranges: list[tuple[_Heading, int]]) -> list[ParsedOption]:
    """Options from `Considered Options` (a list) and `Pros and Cons of the Options` (a heading
    per option with Good/Bad bullets)."""
    order: list[str] = []
    detail: dict[str, ParsedOption] = {}
    detail_order: list[str] = []
    for heading, end in ranges:
        inner = [h for h in doc.headings if heading.end <= h.start < end]
        prose = [doc.lines[i] for i in range(heading.end, inner[0].start if inner else end) if i not in doc.code]
        if not inner:
            listed = [_option_title(item) for item in _bullets(prose)]
            if not listed:
                listed = [_option_title(m[1]) for m in (re.match(r"^\s*\d+[.)]\s+(.*)$", ln) for ln in prose) if m]
            order += [t for t in listed if t and t not in order]
            continue
        level = min(h.level for h in inner)
        kids = [h for h in inner if h.level == level]
        for n, child in enumerate(kids):
            child_end = kids[n + 1].start if n + 1 < len(kids) else end
            pros: list[str] = []
            cons: list[str] = []
            for line in doc.lines[child.end:child_end]:
                item = _BULLET.match(line)
                verdict = re.match(r"^(good|bad|pro|con)\b\s*,?\s*(?:because\s*)?(.*)$", item[1].strip(), re.I) \
                    if item else None
                if verdict and verdict[2].strip():
                    (pros if verdict[1].lower() in ("good", "pro") else cons).append(verdict[2].strip())
            title = _option_title(child.title)
            if title:
                detail[_norm(title)] = ParsedOption(title, None, tuple(pros), tuple(cons))
                detail_order.append(title)
    out: list[ParsedOption] = []
    used: set[str] = set()
    for title in order:
        key = _norm(title)
        found = detail.get(key) or next(
            (opt for k, opt in detail.items() if k not in used and (k.startswith(key) or key.startswith(k))), None
        )
        if found is not None:
            used.add(_norm(found.title))
            out.append(ParsedOption(title, None, found.pros, found.cons))
        elif title:
            out.append(ParsedOption(title))
    for title in detail_order:
        if _norm(title) not in used and _norm(title) not in {_norm(o.title) for o in out}:
            out.append(detail[_norm(title)])
    return [o for o in out if o.title]
