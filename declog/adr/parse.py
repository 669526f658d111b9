"""Reading one markdown Architecture Decision Record: adr-tools (Nygard), MADR 2-4, log4brains.

Pure text in, a frozen :class:`ParsedAdr` out: no files, no git, nothing from declog but errors.
``parse`` never raises on odd input; a file that is not an ADR comes back with ``skip_reason``
set. ``declog import adr`` and the pre-import history of an imported decision both use it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date as _date

__all__ = [
    "AdrLink",
    "ParsedAdr",
    "ParsedOption",
    "STATUSES",
    "detect_format",
    "normalize_date",
    "normalize_status",
    "parse",
]

STATUSES = ("proposed", "accepted", "rejected", "superseded", "deprecated")

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
# Markdown structure


@dataclass
class _Section:
    level: int
    title: str
    lines: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return _plain(self.title)

    def text(self) -> str:
        return _clean_block("\n".join(self.lines))


def _clean_block(text: str) -> str:
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    lines = [line.rstrip() for line in text.split("\n")]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    out: list[str] = []
    for line in lines:
        if not line.strip() and out and not out[-1].strip():
            continue
        out.append(line)
    return "\n".join(out)


_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


def _split_front_matter(text: str) -> tuple[dict[str, str | list[str]], str]:
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        return {}, text
    data: dict[str, str | list[str]] = {}
    key: str | None = None
    for line in lines[1:end]:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        item = re.match(r"^\s+-\s+(.*)$|^-\s+(.*)$", line)
        if item and key is not None:
            value = _unquote(item.group(1) or item.group(2) or "")
            current = data.get(key)
            data[key] = [*current, value] if isinstance(current, list) else [value]
            continue
        m = re.match(r"^([A-Za-z0-9_-]+)\s*:\s*(.*)$", line)
        if m:
            key = m[1].lower()
            data[key] = _unquote(m[2])
            if data[key] == "":
                data[key] = []
    return data, "\n".join(lines[end + 1:])


def _unquote(value: str) -> str:
    value = re.sub(r"\s+#.*$", "", value.strip()) if not value.strip().startswith(("'", '"')) else value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _as_list(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [v for v in (_unquote(x) for x in value) if v]
    value = value.strip()
    if value.startswith("[") and value.endswith("]"):
        value = value[1:-1]
    return [v for v in (_unquote(x) for x in value.split(",")) if v]


def _sections(body: str) -> tuple[list[str], list[_Section]]:
    """The lines before the first heading, and every heading with the lines under it."""
    preamble: list[str] = []
    sections: list[_Section] = []
    fenced = False
    for line in body.split("\n"):
        if _FENCE.match(line):
            fenced = not fenced
        m = None if fenced else _HEADING.match(line)
        if m:
            sections.append(_Section(len(m[1]), m[2].strip()))
        elif sections:
            sections[-1].lines.append(line)
        else:
            preamble.append(line)
    return preamble, sections


def _find(sections: list[_Section], *names: str, level: int | None = None) -> _Section | None:
    for name in names:
        for section in sections:
            if (level is None or section.level == level) and section.key == name:
                return section
    for name in names:
        for section in sections:
            if (level is None or section.level == level) and section.key.startswith(name):
                return section
    return None


def _with_children(sections: list[_Section], start: _Section) -> list[_Section]:
    """A section and those nested under it."""
    i = sections.index(start)
    out = [start]
    for section in sections[i + 1:]:
        if section.level <= start.level:
            break
        out.append(section)
    return out


_FIELD_LINE = re.compile(
    r"^\s*(?:[-*+]\s+)?(?:\*\*|__)?(status|date|deciders|decision-makers|decision makers|consulted|"
    r"informed|tags|technical story)(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*(.*)$",
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
)

_NUMBER_IN_TEXT = re.compile(r"(?:adr|decision|record)?[\s#-]*0*(\d{1,6})\b", re.I)


def _relation(line: str) -> AdrLink | None:
    stripped = re.sub(r"^\s*(?:[-*+]\s+)?(?:\*\*|__)?", "", line).strip()
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
            return AdrLink(relation, line.strip(), target, number)
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


# ---------------------------------------------------------------------------------------------
# The file


def detect_format(text: str, filename: str) -> str:
    """nygard, madr or log4brains, from the file name and the shape of the text."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    _, body = _split_front_matter(text)
    if re.match(r"^\d{8}-.+\.md$", name, re.I):
        return "log4brains"
    plain = body.lower()
    if text.startswith("---") or re.search(r"^#+\s*(context and problem statement|decision outcome|"
                                           r"considered options|pros and cons of the options)\b", plain, re.M):
        return "madr"
    if re.search(r"^\s*[-*]\s+(?:\*\*)?status(?:\*\*)?\s*:", plain, re.M):
        return "madr"
    return "nygard"


def parse(text: str, filename: str) -> ParsedAdr:
    """What the ADR in ``text`` says; ``filename`` (a name or path) helps find its number and format."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    fmt = detect_format(text, name)
    front, body = _split_front_matter(text)
    preamble, sections = _sections(body)

    filename_number: int | None = None
    filename_date: str | None = None
    slug = re.sub(r"\.(md|markdown)$", "", name, flags=re.I)
    m = re.match(r"^(\d{8})-(.+)$", slug)
    if m:
        filename_date, _ = normalize_date(m[1])
        slug = m[2]
    else:
        m = re.match(r"^(?:adr[-_]?)?(\d{1,6})[-_.\s]+(.*)$", slug, re.I)
        if m:
            filename_number, slug = int(m[1]), m[2]

    # Title: the first level-1 heading (or the first heading at all), or `title:` in front matter.
    title_section = next((s for s in sections if s.level == 1), sections[0] if sections else None)
    raw_title = title_section.title if title_section else str(front.get("title") or "")
    if isinstance(front.get("title"), str) and front["title"]:
        raw_title = raw_title or str(front["title"])
    number = filename_number
    m = re.match(r"^(?:ADR|Decision|Record)?\s*[#-]?\s*0*(\d{1,6})\s*[.:)\-–—]\s*(.+)$", raw_title, re.I)
    if m:
        number = int(m[1]) if number is None or fmt == "nygard" else number
        raw_title = m[2]
    title = _option_title(raw_title) if raw_title else ""
    title = " ".join(title.split())

    # Field lines: `Date: ...` (Nygard), `* Status: ...` (MADR 2), `- Status: ...` (log4brains).
    fields: dict[str, str] = {}
    header_lines = list(preamble)
    if title_section is not None:
        header_lines += title_section.lines
    for line in header_lines:
        fm = _FIELD_LINE.match(line)
        if fm and fm[1].lower() not in fields and fm[2].strip():
            fields[fm[1].lower()] = fm[2].strip()

    links: list[AdrLink] = []
    status_raw: str | None = None
    status_section = _find(sections, "status")
    if isinstance(front.get("status"), str) and front["status"]:
        status_raw = str(front["status"])
    elif "status" in fields:
        status_raw = fields["status"]
    elif status_section is not None:
        words: list[str] = []
        link_lines: list[str] = []
        for line in status_section.text().split("\n"):
            if not line.strip():
                continue
            link = _relation(line)
            if link is not None:
                link_lines.append(line.strip())
            else:
                words.append(re.sub(r"^\s*[-*+]\s+", "", line).strip())
        status_raw = words[0] if words else (link_lines[0] if link_lines else None)
    if status_raw is not None:
        status_raw = _clean_block(status_raw).strip() or None
    status, status_guessed = normalize_status(status_raw) if status_raw else (None, False)
    if status_raw and status == "superseded" and re.match(r"^\s*(partly|partially)", _plain(status_raw)):
        status, status_guessed = "accepted", True

    # Links anywhere outside code: the status, the status section, lines of text.
    seen: set[str] = set()
    candidates = [status_raw or ""] + [line for line in body.split("\n")]
    for line in candidates:
        link = _relation(line)
        if link is not None and link.text not in seen:
            seen.add(link.text)
            links.append(link)

    front_date = front.get("date")
    raw_date = (front_date if isinstance(front_date, str) else None) or fields.get("date")
    iso_date, date_guessed = normalize_date(raw_date) if raw_date else (None, False)

    deciders = _as_list(front.get("deciders") or front.get("decision-makers") or front.get("decision_makers")
                        or fields.get("deciders") or fields.get("decision-makers") or fields.get("decision makers"))
    consulted = _as_list(front.get("consulted") or fields.get("consulted"))
    tags = _as_list(front.get("tags") or fields.get("tags"))

    # Body sections.
    context_parts: list[str] = []
    ctx = _find(sections, "context and problem statement", "context", "problem statement", "background")
    if ctx is not None and ctx.text():
        context_parts.append(ctx.text())
    if fields.get("technical story"):
        context_parts.append(f"Technical story: {fields['technical story']}")
    drivers = _find(sections, "decision drivers")
    if drivers is not None and drivers.text():
        context_parts.append("Decision drivers:\n\n" + drivers.text())

    considered = _find(sections, "considered options", "options considered", "options")
    pros_cons = _find(sections, "pros and cons of the options", "pros and cons")
    outcome = _find(sections, "decision outcome")
    decision_section = outcome or _find(sections, "decision", level=2) or _find(sections, "decision")

    options = _options(sections, considered, pros_cons)
    decision_text: str | None = None
    rationale: str | None = None
    chosen: str | None = None
    consequence_parts: list[str] = []
    if decision_section is not None:
        own = decision_section.text()
        cm = _CHOSEN.search(own)
        if cm:
            chosen = _option_title(next(g for g in cm.groups()[:5] if g))
            after = cm[6].strip()
            because = re.match(r"^because\s*:?\s*(.*)$", after, re.I | re.S)
            rest_of_outcome = own[: cm.start()].strip()
            if because:
                reason, _, more = because[1].partition("\n\n")
                rationale = " ".join(reason.split()).strip() or None
                if rationale and rationale.startswith("{"):
                    rationale = None
                tail = more.strip()
            else:
                tail = after
            decision_text = "\n\n".join(x for x in (f"Chosen option: {chosen}", rest_of_outcome, tail) if x)
        else:
            decision_text = own or None
        for child in _with_children(sections, decision_section)[1:]:
            if child.key.startswith(("positive consequences", "negative consequences", "consequences")):
                if child.text():
                    heading = child.title if child.key != "consequences" else None
                    consequence_parts.append(f"{heading}:\n\n{child.text()}" if heading else child.text())
    cons_section = _find(sections, "consequences", level=2)
    if cons_section is not None and cons_section.text():
        consequence_parts.insert(0, cons_section.text())
    if chosen and options:
        known = {_norm(o.title): o.title for o in options}
        match = known.get(_norm(chosen)) or next(
            (title for key, title in known.items() if key.startswith(_norm(chosen)) or _norm(chosen).startswith(key)),
            None,
        )
        chosen = match or chosen

    skip: str | None = None
    has_body = bool(context_parts or decision_text or options)
    if name.lower() in NOT_ADR_NAMES or "template" in name.lower():
        skip = f"{name} is an index or a template, not a decision"
    elif not title:
        skip = "no title (a level-1 heading)"
    elif status_raw is None and not has_body:
        skip = "no status and no ADR sections (Context, Decision)"
    elif title.startswith("{") or title.startswith("[short title"):
        skip = "an unfilled template"

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
        context="\n\n".join(context_parts) or None,
        decision=decision_text,
        rationale=rationale,
        consequences="\n\n".join(consequence_parts) or None,
        chosen_option=chosen,
        options=tuple(options),
        deciders=tuple(deciders),
        consulted=tuple(consulted),
        tags=tuple(tags),
        links=tuple(links),
        filename_date=filename_date,
        slug=slug or None,
        skip_reason=skip,
    )


def _options(
    sections: list[_Section], considered: _Section | None, pros_cons: _Section | None
) -> list[ParsedOption]:
    order: list[str] = []
    if considered is not None:
        order = [_option_title(item) for item in _bullets(considered.lines)]
        if not order:  # numbered lists
            order = [_option_title(m[1]) for m in
                     (re.match(r"^\s*\d+[.)]\s+(.*)$", line) for line in considered.lines) if m]
    detail: dict[str, ParsedOption] = {}
    detail_order: list[str] = []
    if pros_cons is not None:
        for child in _with_children(sections, pros_cons)[1:]:
            if child.level != pros_cons.level + 1:
                continue
            pros: list[str] = []
            cons: list[str] = []
            neutral: list[str] = []
            description: list[str] = []
            for item_line in child.lines:
                item = _BULLET.match(item_line)
                text = item[1].strip() if item else item_line.strip()
                verdict = re.match(r"^(good|bad|neutral|pro|con)\b\s*,?\s*(?:because\s*)?(.*)$", text, re.I)
                if item and verdict:
                    kind, what = verdict[1].lower(), verdict[2].strip()
                    if what:
                        (pros if kind in ("good", "pro") else cons if kind in ("bad", "con") else neutral).append(what)
                elif text:
                    description.append(text)
            title = _option_title(child.title)
            detail[_norm(title)] = ParsedOption(
                title, " ".join(description) or None, tuple(pros), tuple(cons), tuple(neutral)
            )
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
            out.append(ParsedOption(title, found.description, found.pros, found.cons, found.neutral))
        elif title:
            out.append(ParsedOption(title))
    for title in detail_order:
        if _norm(title) not in used and _norm(title) not in {_norm(o.title) for o in out}:
            out.append(detail[_norm(title)])
    return [o for o in out if o.title]
