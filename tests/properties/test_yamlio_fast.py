"""``yamlio.render_new``'s fast path (:func:`declog.storage.yamlio._fast_render`) writes exactly the bytes
ruamel's emitter writes for the same fields, or leaves the record to ruamel.

Values are drawn where the two could part: text near YAML's indicators (``: ``, `` #``, a
leading ``-``, ``?``, quotes, backticks), text that reads as another type (``true``, ``1.5``,
``2026-01-02``, ``null``, ``~``), padding, tabs, line breaks of every kind, blank lines and
markdown, nested in mappings and lists as imported ADRs nest them (options, sections, source).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from declog.storage import yamlio

TRICKY = ["true", "False", "yes", "null", "~", "1", "-2", "1.5", ".inf", "0x1F", "1e3", "2026-01-02",
          "2026-01-02 10:00", "=", "<<", "-", "?", ":", "- a", "? b", ": c", "a: b", "a:", "a #b", "a#b", "#c",
          "'q'", '"q"', "it's", "`code`", "*bold*", "&x", "!tag", "|", ">", "%d", "@me", "[x]", "{y}", "a, b",
          "---", "...", "--- x", " lead", "trail ", "tab\there", "ü ñ", "😀", "\u2028", "\x85", "\ufeff",
          "a\nb", "a\n", "a\n\nb", "\nlead", " x\ny", "x\n  indented\n", "a\r\nb", "", "plain words"]
words = st.text("abcXYZ019 .,;()/-_:#'`*\n", min_size=1, max_size=20)
pieces = st.one_of(st.sampled_from(TRICKY), words, words,
                   st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8))
texts = st.lists(pieces, min_size=1, max_size=4).map("".join) | st.sampled_from(TRICKY)
scalars = st.one_of(texts, texts, texts, st.integers(-5, 10**6), st.booleans(),
                    st.dates(dt.date(1990, 1, 1), dt.date(2040, 1, 1)), st.none() | st.floats(allow_nan=False))
keys = st.sampled_from(["title", "text", "heading", "pros", "cons", "path", "a-b", "x_y", "true", "1", "k y"]) | texts


# mostly text the fast path writes itself (so that most examples compare bytes), some of anything
friendly = st.one_of(words, words, st.sampled_from(TRICKY), st.integers(0, 99), st.dates())


def nested(depth: int, leaf: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    if depth == 0:
        return leaf
    inner = nested(depth - 1, leaf)
    return leaf | st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3)


names = st.sampled_from(["id", "title", "context", "options", "sections", "tags", "source", "decided_on", "extra"])
records = st.dictionaries(names | keys, nested(3, scalars), min_size=1, max_size=6) \
    | st.dictionaries(names, nested(2, friendly), min_size=1, max_size=4)
ORDER = ("id", "title", "context", "options", "sections", "decided_on", "tags", "source")


def slow(fields: dict[str, Any]) -> str | None:
    original = yamlio._fast_render
    yamlio._fast_render = lambda fields, order: None  # type: ignore[assignment]
    try:
        return yamlio.render_new(fields, "x.json", ORDER)
    except Exception:
        return None  # what ruamel cannot write, the fast path must not write either (checked below)
    finally:
        yamlio._fast_render = original  # type: ignore[assignment]


@given(records)
def test_fast_render_writes_what_ruamel_writes(fields: dict[str, Any]) -> None:
    try:
        fast = yamlio._fast_render(fields, ORDER)
    except Exception as exc:  # it refuses only what the slow path refuses too
        assert slow(fields) is None, exc
        return
    if fast is None:
        return
    assert "# yaml-language-server: $schema=x.json\n" + fast[0] == slow(fields)


def test_fast_render_takes_the_shapes_of_an_imported_adr() -> None:
    fields = {"id": "D-7k3m9q", "title": "Use `Kafka`: fast", "context": "Line one\n\n- a list\n",
              "options": [{"title": "Kafka", "pros": ["fast", "true"], "cons": ["1.5"]}],
              "sections": [{"heading": "Notes", "text": "a\n  b"}], "decided_on": dt.date(2026, 1, 2),
              "tags": ["imported"], "source": {"path": "doc/adr/0001-x.md", "number": 1, "labels": {"a": "b: c"}}}
    fast = yamlio._fast_render(fields, ORDER)
    assert fast is not None
    assert "# yaml-language-server: $schema=x.json\n" + fast[0] == slow(fields)
    assert "title: 'Use `Kafka`: fast'\n" in fast[0] and "      - '1.5'\n" in fast[0]
    fields["title"] = "Use `Kafka`: it's fast"  # ruamel double-quotes this one: left to it
    assert yamlio._fast_render(fields, ORDER) is None
