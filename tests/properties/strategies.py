"""Hypothesis strategies for declog records, built from the models' constraints
(declog/domain/models/, schemas/*.json): every record they draw is valid, lifecycle rules included."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from hypothesis import strategies as st

from declog.domain.ids import ALPHABET, HANDLE_RE

# -- text -----------------------------------------------------------------------------------

# Strings people (and tools) actually paste, and the ones YAML treats specially.
NASTY = [
    "yes", "no", "on", "off", "null", "Null", "~", "true", "False", "0x1F", "0o17", "1e3", ".inf", "-.nan", "012",
    "1_000", "2026-01-01", "2026-02-30", "2026-01-01T10:00:00Z", "12:30:00", "- item", "-", "--", "---", "...",
    "? key", ": value", "key: value", "a: b: c", "#hash", "a #b", "a# b", "'single'", '"double"', "it's", "\\",
    "\\n", "%TAG", "@at", "`tick", "!tag", "!!python/object:os.system", "&anchor", "*alias", "<<", "{a: b}",
    "[a, b]", "|", ">", "|-", ">+", "a\tb", "\ttab first", "trailing space ", " leading space", "  ", " ",
    "\u00a0nbsp", "\ufeffbom", "x\ufeff", "\u200b", "\u202eRTL override", "שלום עולם", "مرحبا", "日本語",
    "\U0001F600 emoji", "\U0001F1E9\U0001F1EA", "\U00010000", "\U0010FFFF", "\ue000", "\ufffd", "\ufffe",
    "\uffff", "\x00", "a\x00b", "\x07bell", "\x1b[31mred", "\x7f", "\x85", "a\x85b", "\u2028", "a\u2029b",
    "\r", "a\rb", "a\r\nb", "line\nline", "a\n\nb", "\n", "\n\n", "x\n", "x\n\n\n", " \n x", "a \nb ",
    "\ta\nb", "a\n\tb", "a\n\x85b", "  indented\n  block", "- a\n- b", "# not\n# comments", "é" * 200,
    "word " * 900, "x" * 5000, ("ab " * 2000) + "\x85", "a'b\"c", "'", '"', "''", '""',
]

# Any code point but lone surrogates (declog refuses those: they are not text).
any_char = st.characters(blacklist_categories=("Cs",))


def texts(max_size: int = 100_000) -> st.SearchStrategy[str]:
    """Non-empty text: any Unicode, the nasty cases above, and mixtures of both."""
    small = min(max_size, 400)
    pieces = st.one_of(st.sampled_from(NASTY), st.text(any_char, min_size=1, max_size=40))
    mixed = st.lists(pieces, min_size=1, max_size=6).map("".join)
    # long lines, but kept to a few thousand characters: the writer is pure Python and the
    # default run must stay quick (the 100,000-character case is an explicit example)
    long = st.builds(lambda s, n: (s * n)[:max_size], st.text(any_char, min_size=1, max_size=30),
                     st.integers(1, max(1, min(max_size, 6000) // 30)))
    out = st.one_of(
        st.text(any_char, min_size=1, max_size=small),
        st.sampled_from(NASTY),
        mixed,
        long,
        st.text(st.sampled_from("ab :#-'\"\t\n\r\x85\u2028 "), min_size=1, max_size=60),
    )
    # required text says something: the models refuse text of only whitespace
    return out.map(lambda s: s[:max_size]).filter(lambda s: bool(s.strip()))


# what the models count as a line break inside short text (declog.domain.models.base._one_line)
LINE_BREAKS = ("\n", "\r", "\x0b", "\x0c", "\x85", "\u2028", "\u2029")


def one_line(text: str) -> str:
    """``text`` with its line breaks made spaces: short text (a title, a name) is one line."""
    for brk in LINE_BREAKS:
        text = text.replace(brk, " ")
    return text


def one_line_texts(max_size: int = 300) -> st.SearchStrategy[str]:
    """Short text: any Unicode and the nasty cases, on one line, not blank."""
    return texts(max_size).map(one_line).filter(lambda s: bool(s.strip()))


short_texts = one_line_texts(300)
long_texts = texts(100_000)
# a source.path: a file inside the repository (declog.domain.ids.inside_repository)
repo_paths = st.from_regex(re.compile(r"[A-Za-z0-9_][A-Za-z0-9_ .-]{0,30}(/[A-Za-z0-9_][A-Za-z0-9_ .-]{0,30}){0,3}"),
                           fullmatch=True).filter(lambda p: ".." not in p.split("/"))

# -- identifiers ----------------------------------------------------------------------------

handles = st.from_regex(HANDLE_RE, fullmatch=True).filter(lambda h: len(h) <= 39)


def record_ids(letter: str) -> st.SearchStrategy[str]:
    return st.text(st.sampled_from(ALPHABET), min_size=6, max_size=6).map(lambda s: f"{letter}-{s}")


tags = st.from_regex(re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,63}"), fullmatch=True)
aliases = st.from_regex(re.compile(r"[A-Za-z][A-Za-z0-9._-]{0,63}"), fullmatch=True)
dates = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))
cadences = st.one_of(
    st.sampled_from(["daily", "weekly", "fortnightly", "monthly", "quarterly", "yearly", "Weekly", " monthly "]),
    st.builds(lambda n, u: f"{n}{u}", st.integers(1, 999), st.sampled_from("dwm")),
)
numbers = st.one_of(st.integers(-(10**30), 10**30), st.floats(allow_nan=True, allow_infinity=True))


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


def small_lists(strategy: st.SearchStrategy[Any], min_size: int = 0, max_size: int = 3) -> st.SearchStrategy[Any]:
    return st.lists(strategy, min_size=min_size, max_size=max_size)


def _drop_empty(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None and v != [] and v != {}}


# -- records --------------------------------------------------------------------------------

@st.composite
def owners(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["person", "team", None]))
    handle = draw(handles)
    fields = {
        "handle": handle,
        "name": draw(short_texts),
        "kind": kind,
        "email": draw(maybe(st.from_regex(re.compile(r"[^@\s]{1,20}@[^@\s]{1,20}"), fullmatch=True, alphabet=any_char))),
        "team": draw(maybe(handles.filter(lambda t: t != handle))),
        "lead": draw(handles) if kind == "team" else None,
        "active": draw(maybe(st.booleans())),
    }
    return _drop_empty(fields)


options = st.fixed_dictionaries({"title": short_texts},
                                optional={"pros": small_lists(long_texts, 1), "cons": small_lists(long_texts, 1),
                                          "why_not": long_texts})
dissents = st.fixed_dictionaries({"who": handles, "position": long_texts}, optional={"committed": st.booleans()})
reviews = st.fixed_dictionaries(
    {"on": dates, "reviewer": handles, "actual_outcome": long_texts,
     "vs_expected": st.sampled_from(["better", "as-expected", "worse"])},
    optional={"process_quality": st.sampled_from(["good", "fair", "poor"])})
sources = st.fixed_dictionaries(
    {"path": repo_paths, "format": st.sampled_from(["nygard", "madr", "log4brains"]), "imported_on": dates},
    optional={"number": st.integers(0, 10**12)})


@st.composite
def decisions(draw: st.DrawFn) -> dict[str, Any]:
    rid = draw(record_ids("D"))
    status = draw(st.sampled_from(["proposed", "accepted", "rejected", "superseded", "deprecated"]))
    door = draw(st.sampled_from(["one-way", "two-way"]))
    other_ids = record_ids("D").filter(lambda x: x != rid)
    accepted = status == "accepted"
    fields = {
        "id": rid,
        "title": draw(short_texts),
        "status": status,
        "owner": draw(handles),
        "door": door,
        "context": draw(long_texts),
        "decision": draw(long_texts) if accepted else draw(maybe(long_texts)),
        "rationale": draw(long_texts) if accepted else draw(maybe(long_texts)),
        "options": draw(small_lists(options, 2 if door == "one-way" else 0)),
        "consequences": draw(maybe(long_texts)),
        "decided_on": draw(dates) if accepted else draw(maybe(dates)),
        "deciders": draw(small_lists(handles)),
        "consulted": draw(small_lists(handles)),
        "dissent": draw(small_lists(dissents, max_size=2)),
        "expected_outcome": draw(long_texts) if door == "one-way" else draw(maybe(long_texts)),
        "review_by": draw(maybe(dates)),
        "reviews": draw(small_lists(reviews, max_size=2)),
        "supersedes": draw(st.lists(other_ids, max_size=3, unique=True)),
        "superseded_by": draw(other_ids) if status == "superseded" else None,
        "related": draw(small_lists(st.one_of(*(record_ids(x) for x in "DMCI")))),
        "tags": draw(small_lists(tags)),
        "scope": draw(small_lists(short_texts)),
        "narrative": draw(maybe(short_texts)),
        "aliases": draw(small_lists(aliases)),
        "source": draw(maybe(sources)),
    }
    return _drop_empty(fields)


@st.composite
def metrics(draw: st.DrawFn, name: str) -> dict[str, Any]:
    fields: dict[str, Any] = {"name": name, "unit": draw(maybe(short_texts))}
    if draw(st.booleans()):
        fields["target"] = draw(numbers)
        fields["direction"] = draw(st.sampled_from(["up", "down"]))
    return _drop_empty(fields)


@st.composite
def mechanisms(draw: st.DrawFn) -> dict[str, Any]:
    rid = draw(record_ids("M"))
    status = draw(st.sampled_from(["piloting", "active", "retired"]))
    active = status == "active"
    names = draw(st.lists(tags, min_size=2 if active else 0, max_size=4, unique=True))
    split = draw(st.integers(1 if active else 0, max(len(names) - 1, 0) if active else len(names)))
    plan = st.fixed_dictionaries({"cadence": cadences}, optional={"method": long_texts})
    fields = {
        "id": rid,
        "name": draw(short_texts),
        "owner": draw(handles),
        "status": status,
        "problem": draw(long_texts),
        "tool": draw(long_texts) if active else draw(maybe(long_texts)),
        "adoption": draw(long_texts) if active else draw(maybe(long_texts)),
        "inspection": draw(plan) if active else draw(maybe(plan)),
        "input_metrics": [draw(metrics(n)) for n in names[:split]],
        "output_metrics": [draw(metrics(n)) for n in names[split:]],
        "origin": draw(small_lists(st.one_of(record_ids("D"), record_ids("C")))),
        "related": draw(small_lists(record_ids("D"))),
        "tags": draw(small_lists(tags)),
    }
    return _drop_empty(fields)


@st.composite
def inspections(draw: st.DrawFn) -> dict[str, Any]:
    fields = {
        "id": draw(record_ids("I")),
        "mechanism": draw(record_ids("M")),
        "on": draw(dates),
        "inspector": draw(handles),
        "verdict": draw(st.sampled_from(["working", "degraded", "broken"])),
        "readings": draw(st.dictionaries(tags, numbers, max_size=4)),
        "note": draw(maybe(long_texts)),
    }
    return _drop_empty(fields)


@st.composite
def action_items(draw: st.DrawFn, closed: bool) -> dict[str, Any]:
    kind = draw(st.sampled_from(["fix", "systemic", "mechanism"]))
    status = draw(st.sampled_from(["done", "wont-do"] if closed else ["open", "done", "wont-do", None]))
    fields = {
        "description": draw(long_texts),
        "owner": draw(handles),
        "due": draw(dates),
        "type": kind,
        "mechanism": draw(record_ids("M")) if kind == "mechanism" else None,
        "status": status,
        "reason": draw(long_texts) if status == "wont-do" else None,
    }
    return _drop_empty(fields)


@st.composite
def corrections(draw: st.DrawFn) -> dict[str, Any]:
    status = draw(st.sampled_from(["draft", "open", "closed"]))
    need = 0 if status == "draft" else 1
    chains = st.fixed_dictionaries({"problem": long_texts, "whys": small_lists(long_texts, 1)})
    timeline = st.fixed_dictionaries({"at": short_texts, "what": long_texts})
    fields = {
        "id": draw(record_ids("C")),
        "title": draw(short_texts),
        "owner": draw(handles),
        "status": status,
        "summary": draw(long_texts),
        "customer_impact": draw(maybe(long_texts)),
        "occurred_on": draw(maybe(dates)),
        "timeline": draw(small_lists(timeline)),
        "five_whys": draw(small_lists(chains, need, 2)),
        "root_causes": draw(small_lists(long_texts, need)),
        "lessons": draw(small_lists(long_texts)),
        "action_items": draw(small_lists(action_items(status == "closed"), need, 2)),
        "related": draw(small_lists(record_ids("D"))),
        "tags": draw(small_lists(tags)),
    }
    return _drop_empty(fields)


RECORDS = {
    "owner": owners(),
    "decision": decisions(),
    "mechanism": mechanisms(),
    "inspection": inspections(),
    "correction": corrections(),
}
