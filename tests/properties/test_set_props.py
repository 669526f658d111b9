"""``declog set`` (``yamlio.set_fields``): changing, adding or removing one field leaves every
other line of the file byte-identical, comments, blank lines, quoting styles, block scalars and
line endings included, and the changed field reads back as the value given."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from declog.core import edit
from declog.domain.kinds import KINDS
from declog.errors import DeclogError
from declog.storage import yamlio
from tests.properties.strategies import dates, texts

ORDER = edit.field_names(KINDS["decision"])

# printable in every YAML style: no controls, no line breaks other than LF, no BOM or non-characters
safe_char = st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\ufeff\ufffe\uffff")
plain_values = st.from_regex(r"[A-Za-z][A-Za-z0-9 ._/-]{0,30}[A-Za-z0-9]", fullmatch=True)
comment_texts = st.text(safe_char, max_size=30)


@dataclass
class Field:
    key: str
    lines: list[str]  # without line endings; the first holds the key


@st.composite
def field_lines(draw: st.DrawFn, key: str, indent: str) -> list[str]:
    style = draw(st.sampled_from(["plain", "single", "double", "literal", "folded", "flow", "block_list",
                                  "block_list_same_indent", "mapping_list"]))
    comment = ""
    if style in ("plain", "single", "double", "flow") and draw(st.booleans()):
        comment = " " * draw(st.integers(1, 4)) + "#" + draw(comment_texts)
    gap = " " * draw(st.integers(1, 3))
    if style == "plain":
        return [f"{indent}{key}:{gap}{draw(plain_values)}{comment}"]
    if style == "single":
        text = draw(st.text(safe_char, max_size=40))
        return [f"{indent}{key}:{gap}'{text.replace(chr(39), chr(39) * 2)}'{comment}"]
    if style == "double":
        return [f"{indent}{key}:{gap}{json.dumps(draw(st.text(safe_char, max_size=40)), ensure_ascii=False)}{comment}"]
    if style == "flow":
        items = draw(st.lists(plain_values, max_size=4))
        return [f"{indent}{key}:{gap}[{', '.join(items)}]{comment}"]
    deeper = indent + " " * draw(st.integers(1, 4))
    if style in ("literal", "folded"):
        first = draw(st.text(safe_char, min_size=1, max_size=40).filter(lambda s: not s[0].isspace()))
        rest = draw(st.lists(st.text(safe_char, max_size=40), max_size=4))
        head = draw(st.sampled_from(["|", "|-", "|+", ">", ">-"] if style == "literal" else [">", ">-"]))
        out = [f"{indent}{key}: {head}", *(deeper + line if line else "" for line in [first, *rest])]
        while not out[-1]:  # blank lines at the end separate fields (or, after |+, span_of counts them)
            out.pop()
        return out
    if style == "mapping_list":
        out = [f"{indent}{key}:"]
        for title in draw(st.lists(plain_values, min_size=1, max_size=3)):
            out += [f"{deeper}- title: {title}", f"{deeper}  why_not: {draw(plain_values)}"]
        return out
    item_indent = indent if style == "block_list_same_indent" else deeper
    items = draw(st.lists(plain_values, min_size=1, max_size=4))
    out = [f"{indent}{key}:"]
    for i, item in enumerate(items):
        if i and draw(st.integers(0, 4)) == 0:
            out.append(f"{item_indent}# between items: {draw(comment_texts)}")
        out.append(f"{item_indent}- {item}")
    return out


@st.composite
def record_files(draw: st.DrawFn) -> tuple[str, str, list[Field]]:
    """A hand-written-looking record: (text, line ending, fields with their lines)."""
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    indent = draw(st.sampled_from(["", "", "  "]))
    keys = draw(st.lists(st.sampled_from(ORDER), min_size=1, max_size=8, unique=True))
    lines: list[str] = []
    if draw(st.booleans()):
        lines.append("# yaml-language-server: $schema=.schemas/decision.schema.json")
    fields = []
    for key in keys:
        for _ in range(draw(st.integers(0, 2))):  # comments and blank lines between fields
            lines.append(draw(st.sampled_from(["", "#" + draw(comment_texts), "# " + draw(comment_texts)])))
        field = Field(key, draw(field_lines(key, indent)))
        fields.append(field)
        lines.extend(field.lines)
    if draw(st.booleans()):
        lines.append("# the end" + draw(comment_texts))
    return "".join(line + nl for line in lines), nl, fields


new_values = st.one_of(
    texts(300),
    st.lists(texts(100), min_size=1, max_size=3),
    st.lists(plain_values, min_size=1, max_size=3),
    dates,
    st.just(None),
)


def span_of(text: str, fields: list[Field], key: str) -> tuple[int, int]:
    """First line and the line after the last of field ``key`` in ``text``."""
    lines = text.splitlines(keepends=True)
    stripped = [line.rstrip("\r\n") for line in lines]
    field = next(f for f in fields if f.key == key)
    start = stripped.index(field.lines[0])
    end = start + len(field.lines)
    if field.lines[0].endswith(("|+", ">+")):  # the blank lines after a keep block are its value
        while end < len(stripped) and not stripped[end].strip():
            end += 1
    return start, end


@given(record_files(), st.data())
@example(("id: D-7k3m9q\ncontext: |\n  a\n# between\ntitle: 'x'  # note\n", "\n",
          [Field("id", ["id: D-7k3m9q"]), Field("context", ["context: |", "  a"]),
           Field("title", ["title: 'x'  # note"])]), None).via("a block scalar then a quoted one")
def test_set_changes_only_the_lines_of_the_field_it_sets(file: tuple[str, str, list[Field]], data: Any) -> None:
    text, nl, fields = file
    try:
        before = yamlio.load_record_text(text, "r.yaml")
    except DeclogError:
        return  # a generated combination YAML itself refuses (such as a key repeated by a folded line)
    keys = [f.key for f in fields]
    if data is None:
        key, value = "title", "y"
    else:
        key = data.draw(st.one_of(st.sampled_from(keys), st.sampled_from(ORDER)), label="key")
        value = data.draw(new_values, label="value")
    assume(not (value is None and keys == [key]))  # removing every field leaves no record
    after = yamlio.set_fields(text, "r.yaml", {key: value}, ORDER)

    old_lines = text.splitlines(keepends=True)
    new_lines = after.splitlines(keepends=True)
    assert all(line.endswith(nl) for line in new_lines), "every line keeps the file's line ending"
    if key in keys:
        start, end = span_of(text, fields, key)
        assert new_lines[:start] == old_lines[:start], "lines before the field changed"
        tail = old_lines[end:]
        assert new_lines[len(new_lines) - len(tail):] == tail, "lines after the field changed"
        if value is None:
            assert new_lines == old_lines[:start] + tail
    else:
        if value is None:
            assert after == text
        grown = len(new_lines) - len(old_lines)
        same = 0
        while same < len(old_lines) and old_lines[same] == new_lines[same]:
            same += 1
        assert new_lines[same + grown:] == old_lines[same:], "a new field is one block of inserted lines"

    loaded = yamlio.load_record_text(after, "r.yaml")
    if value is None:
        assert key not in loaded
    else:
        assert json.dumps(yamlio.to_plain(loaded[key])) == json.dumps(yamlio.to_plain(value))
    for other in before:
        if other != key:
            assert json.dumps(yamlio.to_plain(loaded[other])) == json.dumps(yamlio.to_plain(before[other]))


@pytest.mark.parametrize("value", ["a\x85b", "ab " * 2000 + "\x85", "a\r\nb", "x\u2028", "\x07", "\ta\nb",
                                   "\n", "\n\n", "a\n\n"])
@pytest.mark.parametrize("old", ["title: 'quoted'", 'title: "dq"', "title: plain", "title: |\n  block\n",
                                 "title: >-\n  folded\n"])
def test_set_text_that_no_quoting_style_of_the_old_value_can_carry(old: str, value: str) -> None:
    """Regressions: setting a field that was single-quoted to text with NEL (U+0085) wrote
    ``'a\\x85b'``, which reads back as ``a b``; CR inside multi-line text was lost in a literal
    block; text ending in blank lines (``"\\n"``, ``"a\\n\\n"``) became a ``|+`` block that ruamel
    followed with a document end (``...``) in the middle of the file, which then failed to load.
    Such text is now written double-quoted, with escapes."""
    text = f"id: D-7k3m9q\n{old.rstrip()}\nstatus: proposed\n"
    after = yamlio.set_fields(text, "r.yaml", {"title": value}, ORDER)
    assert yamlio.load_record_text(after, "r.yaml")["title"] == value
    assert after.startswith("id: D-7k3m9q\n") and after.endswith("status: proposed\n")


def test_set_a_date_then_read_it_back() -> None:
    after = yamlio.set_fields("id: D-7k3m9q\n", "r.yaml", {"decided_on": dt.date(2026, 3, 2)}, ORDER)
    assert yamlio.load_record_text(after, "r.yaml")["decided_on"] == dt.date(2026, 3, 2)
