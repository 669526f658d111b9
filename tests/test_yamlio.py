"""yamlio: screening hostile or broken input, and editing fields without touching other bytes."""

from __future__ import annotations

import datetime as dt
import difflib
from pathlib import Path

import pytest

from declog.errors import RecordFileError
from declog.storage import yamlio

RECORD = """\
# yaml-language-server: $schema=.schemas/decision.schema.json
# Written by hand: odd spacing and styles on purpose.
id: D-7k3m9q
title: 'Use Postgres'   # the short form
status: "proposed"  # still open
owner:   alice
door: two-way

# The forces at play
context: |
  Orders need
  transactions.

  And audits.
tags: [db, storage]   # flow style
options:
    -   title: DynamoDB
        why_not: no multi-item transactions
    -   title: MySQL
scope:
- src/orders/**
# a comment inside a block sequence
- src/billing/**
consequences: >-
  A folded
  paragraph.
# trailing comment at the end
"""


def changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    """Lines removed from ``before`` and added in ``after``."""
    removed, added = [], []
    for line in difflib.ndiff(before.splitlines(keepends=True), after.splitlines(keepends=True)):
        if line.startswith("- "):
            removed.append(line[2:])
        elif line.startswith("+ "):
            added.append(line[2:])
    return removed, added


# -- set_fields ------------------------------------------------------------------------------

def test_changing_one_scalar_keeps_every_other_byte() -> None:
    after = yamlio.set_fields(RECORD, "r.yaml", {"owner": "bob"})
    assert changed_lines(RECORD, after) == (["owner:   alice\n"], ["owner: bob\n"])
    assert yamlio.load_record_text(after, "r.yaml")["owner"] == "bob"


def test_a_quoted_scalar_keeps_its_quotes_and_end_of_line_comment() -> None:
    after = yamlio.set_fields(RECORD, "r.yaml", {"status": "accepted", "title": "Use MySQL"})
    removed, added = changed_lines(RECORD, after)
    assert removed == ["title: 'Use Postgres'   # the short form\n", 'status: "proposed"  # still open\n']
    assert added == ["title: 'Use MySQL'   # the short form\n", 'status: "accepted"  # still open\n']


def test_quoting_escapes_what_needs_it() -> None:
    after = yamlio.set_fields(RECORD, "r.yaml", {"title": "it's # not a comment"})
    assert "title: 'it''s # not a comment'   # the short form\n" in after
    assert yamlio.load_record_text(after, "r.yaml")["title"] == "it's # not a comment"


def test_replacing_a_block_scalar_replaces_all_its_lines_only() -> None:
    after = yamlio.set_fields(RECORD, "r.yaml", {"context": "Short now"})
    removed, added = changed_lines(RECORD, after)
    assert removed == ["context: |\n", "  Orders need\n", "  transactions.\n", "\n", "  And audits.\n"]
    assert added == ["context: Short now\n"]
    assert "# The forces at play\n" in after


def test_multi_line_text_is_written_as_a_literal_block() -> None:
    after = yamlio.set_fields(RECORD, "r.yaml", {"consequences": "First line\nSecond line"})
    assert "consequences: |-\n  First line\n  Second line\n" in after  # no final newline: |-
    assert yamlio.load_record_text(after, "r.yaml")["consequences"] == "First line\nSecond line"
    assert after.endswith("# trailing comment at the end\n")


def test_a_flow_list_stays_a_flow_list_with_its_comment() -> None:
    after = yamlio.set_fields(RECORD, "r.yaml", {"tags": ["db", "orders"]})
    assert changed_lines(RECORD, after) == (["tags: [db, storage]   # flow style\n"],
                                            ["tags: [db, orders]   # flow style\n"])


def test_a_block_list_with_a_comment_inside_is_replaced_whole() -> None:
    after = yamlio.set_fields(RECORD, "r.yaml", {"scope": ["lib/**"]})
    removed, added = changed_lines(RECORD, after)
    assert removed == ["- src/orders/**\n", "# a comment inside a block sequence\n", "- src/billing/**\n"]
    assert added == ["  - lib/**\n"]
    assert yamlio.load_record_text(after, "r.yaml")["scope"] == ["lib/**"]


def test_odd_indentation_of_other_fields_is_untouched() -> None:
    after = yamlio.set_fields(RECORD, "r.yaml", {"door": "one-way"})
    assert changed_lines(RECORD, after) == (["door: two-way\n"], ["door: one-way\n"])
    assert "options:\n    -   title: DynamoDB\n        why_not: no multi-item transactions\n" in after


def test_none_removes_a_field_and_only_its_lines() -> None:
    after = yamlio.set_fields(RECORD, "r.yaml", {"options": None, "door": None})
    removed, added = changed_lines(RECORD, after)
    assert added == []
    assert removed == ["door: two-way\n", "options:\n", "    -   title: DynamoDB\n",
                       "        why_not: no multi-item transactions\n", "    -   title: MySQL\n"]
    data = yamlio.load_record_text(after, "r.yaml")
    assert "options" not in data and "door" not in data


def test_new_fields_are_appended_at_the_end() -> None:
    after = yamlio.set_fields(RECORD, "r.yaml", {"rationale": "Because", "decided_on": dt.date(2026, 3, 2)})
    assert after == RECORD + "rationale: Because\ndecided_on: 2026-03-02\n"
    assert yamlio.load_record_text(after, "r.yaml")["decided_on"] == dt.date(2026, 3, 2)


def test_appending_to_a_file_without_a_final_newline() -> None:
    assert yamlio.set_fields("id: D-7k3m9q\ntitle: x", "r.yaml", {"status": "proposed"}) == (
        "id: D-7k3m9q\ntitle: x\nstatus: proposed\n"
    )


def test_crlf_files_keep_crlf() -> None:
    text = "id: D-7k3m9q\r\ntitle: x   # note\r\nstatus: proposed\r\n"
    after = yamlio.set_fields(text, "r.yaml", {"status": "accepted", "title": "y", "rationale": "r"})
    assert after == "id: D-7k3m9q\r\ntitle: y   # note\r\nstatus: accepted\r\nrationale: r\r\n"


def test_an_indented_top_level_mapping_stays_valid() -> None:
    text = "  id: D-7k3m9q\n  tags:\n    - a\n  title: x\n"
    after = yamlio.set_fields(text, "r.yaml", {"tags": ["b"], "status": "proposed"})
    assert yamlio.load_record_text(after, "r.yaml") == {"id": "D-7k3m9q", "tags": ["b"], "title": "x",
                                                        "status": "proposed"}


def test_a_one_line_flow_mapping_record_is_edited_without_losing_fields() -> None:
    after = yamlio.set_fields("{id: D-7k3m9q, title: x}\n", "r.yaml", {"title": "y", "status": "proposed"})
    assert yamlio.load_record_text(after, "r.yaml") == {"id": "D-7k3m9q", "title": "y", "status": "proposed"}


def test_set_fields_refuses_a_broken_file() -> None:
    with pytest.raises(RecordFileError):
        yamlio.set_fields("id: [D-7k3m9q\n", "r.yaml", {"title": "x"})


# -- screening and loading -----------------------------------------------------------------

def test_a_good_record_loads_as_plain_data() -> None:
    data = yamlio.load_record_text(RECORD, "r.yaml")
    assert data["title"] == "Use Postgres"
    assert data["tags"] == ["db", "storage"]
    assert data["options"][0] == {"title": "DynamoDB", "why_not": "no multi-item transactions"}
    assert yamlio.to_plain({"d": dt.date(2026, 3, 2), "n": [1, True, None]}) == {"d": "2026-03-02",
                                                                               "n": [1, True, None]}


def test_dates_load_as_dates_and_impossible_ones_as_text() -> None:
    for load in (yamlio.load_record_text, yamlio.load_roundtrip):
        data = load("a: 2026-03-02\nb: 2026-02-30\nc: 2026-13-01T10:00:00\n", "r.yaml")
        assert data["a"] == dt.date(2026, 3, 2)
        assert (data["b"], data["c"]) == ("2026-02-30", "2026-13-01T10:00:00")  # the model reports them


def test_yaml_1_2_keeps_norway_a_string() -> None:
    assert yamlio.load_record_text("country: NO\nflag: yes\n", "r.yaml") == {"country": "NO", "flag": "yes"}


BAD = {
    "malformed": ("id: D-7k3m9q\ntitle: [unclosed\nstatus: x\n", "malformed YAML", (3, 7)),
    "bad indentation": ("id: x\n  title: y\n", "malformed YAML", (2, 8)),
    "anchor": ("id: &a D-7k3m9q\ntitle: x\n", "anchors", (1, 5)),
    "alias": ("title: x\nrelated:\n  - *a\n", "aliases", (3, 5)),
    "merge key": ("title: x\n<<: {status: proposed}\n", "merge keys", (2, 1)),
    "nested merge key": ("options:\n  - <<: {title: x}\n", "merge keys", (2, 5)),
    "python tag": ("title: !!python/object/apply:os.system [echo hi]\n", "!!python/object/apply:os.system", (1, 8)),
    "custom tag": ("title: !shout x\n", "tag !shout", (1, 8)),
    "set tag": ("tags: !!set {a: null}\n", "!!set", (1, 7)),
    "two documents": ("id: a\n---\nid: b\n", "more than one YAML document", (2, 1)),
    "duplicate key": ("id: a\ntitle: x\nid: b\n", "duplicate key", (3, 1)),
    "list document": ("- id: a\n- id: b\n", "is a list, not a mapping", (1, 1)),
    "scalar document": ("just some words\n", "single str value", (1, 1)),
    "deep flow nesting": ("a: " + "[" * 40 + "]" * 40 + "\n", "nesting deeper than 32", None),
    "deep block nesting": ("".join("  " * i + f"k{i}:\n" for i in range(40)) + "  " * 40 + "v\n",
                           "nesting deeper than 32", None),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_documents_are_refused_with_a_position(name: str) -> None:
    text, words, position = BAD[name]
    for load in (yamlio.load_record_text, yamlio.load_roundtrip):
        with pytest.raises(RecordFileError) as info:
            load(text, "decisions/r.yaml")
        err = info.value
        assert words in err.problem, (load.__name__, err.message)
        assert err.message.startswith("decisions/r.yaml")
        assert "\n" not in err.message
        if position is not None and load is yamlio.load_record_text:
            assert (err.line, err.column) == position
            assert err.message.startswith(f"decisions/r.yaml:{position[0]}:{position[1]}: ")


def test_quoted_lt_lt_values_are_fine() -> None:
    assert yamlio.load_record_text('a: "<<"\nb: "x <<"\n', "r.yaml") == {"a": "<<", "b": "x <<"}


def test_core_tags_are_allowed() -> None:
    assert yamlio.load_record_text("title: !!str 2026\n", "r.yaml") == {"title": "2026"}


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty_files_are_refused(text: str) -> None:
    with pytest.raises(RecordFileError, match="empty file"):
        yamlio.load_record_text(text, "r.yaml")


def test_a_pathological_nesting_depth_is_refused_without_crashing() -> None:
    # 100k levels crashed the C parser (segfault) before the screen
    text = "a: " + "[" * 100_000 + "]" * 100_000 + "\n"
    with pytest.raises(RecordFileError, match="nesting deeper than 32"):
        yamlio.load_record_text(text, "r.yaml")
    text = "a:\n" + "- " * 100_000 + "x\n"
    with pytest.raises(RecordFileError, match="nesting deeper than 32"):
        yamlio.load_record_text(text, "r.yaml")


def test_the_depth_limit_is_the_same_for_every_loader() -> None:
    fits = "a: " + "[" * 30 + "x" + "]" * 30 + "\n"  # 32 levels: the mapping, 30 lists, the scalar
    too_deep = "a: " + "[" * 31 + "x" + "]" * 31 + "\n"
    long_comment = "# " + "=" * 9000 + "\n"  # long files are screened event by event before loading
    for prefix in ("", long_comment):
        for load in (yamlio.load_record_text, yamlio.load_roundtrip):
            assert load(prefix + fits, "r.yaml")["a"] is not None
            with pytest.raises(RecordFileError, match="nesting deeper than 32"):
                load(prefix + too_deep, "r.yaml")


def test_one_failed_parse_does_not_poison_the_next() -> None:
    for _ in range(50):  # each aborted parse used to leave the composer's depth counter raised
        with pytest.raises(RecordFileError):
            yamlio.load_roundtrip("a: 1\nb: [1, 2\nc: 3\n", "r.yaml")
    with pytest.raises(RecordFileError):
        yamlio.load_roundtrip("a: " + "[" * 40 + "]" * 40 + "\n", "r.yaml")
    assert yamlio.load_roundtrip("a: 1\n", "r.yaml") == {"a": 1}
    assert yamlio.locate("a: 1\nb: 2\n", ("b",)) == (2, 1)


def test_decode_refuses_binary_bad_utf8_and_oversize() -> None:
    with pytest.raises(RecordFileError, match="NUL bytes"):
        yamlio.decode(b"id: x\x00\n", "r.yaml")
    with pytest.raises(RecordFileError, match="invalid UTF-8") as info:
        yamlio.decode(b"id: x\ntitle: caf\xe9\n", "r.yaml")
    assert info.value.line == 2
    with pytest.raises(RecordFileError, match="over the 1024-byte limit"):
        yamlio.decode(b"a" * 1025, "r.yaml", max_bytes=1024)
    assert yamlio.decode("\ufeffid: x\n".encode(), "r.yaml") == "id: x\n"  # a BOM is dropped


def test_read_text_checks_the_size_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"context: " + b"x" * 300_000 + b"\n")
    with pytest.raises(RecordFileError, match="over the 262144-byte limit"):
        yamlio.read_text(big, "big.yaml")
    with pytest.raises(RecordFileError, match="cannot read file"):
        yamlio.read_text(tmp_path / "missing.yaml", "missing.yaml")


# -- locating fields -----------------------------------------------------------------------

def test_locate_gives_one_based_positions_of_keys_items_and_mappings() -> None:
    assert yamlio.locate(RECORD, ("status",)) == (5, 1)
    assert yamlio.locate(RECORD, ("options", 1)) == (19, 9)
    assert yamlio.locate(RECORD, ("options", 0, "why_not")) == (18, 9)
    assert yamlio.locate(RECORD, ("tags", 1)) == (15, 12)
    assert yamlio.locate(RECORD, ("rationale",)) == (3, 1)  # missing: the mapping (after the comments)
    assert yamlio.locate(RECORD, ("options", 1, "why_not")) == (19, 9)  # missing in an item: the item
    assert yamlio.locate("{broken", ("x",)) == (1, 1)


def test_render_new_writes_the_modeline_and_fields_in_model_order() -> None:
    text = yamlio.render_new({"title": "T", "id": "D-7k3m9q", "context": "a\nb", "tags": [], "x": None},
                             ".schemas/decision.schema.json", ["id", "title", "context", "tags"])
    assert text == ("# yaml-language-server: $schema=.schemas/decision.schema.json\n"
                    "id: D-7k3m9q\ntitle: T\ncontext: |-\n  a\n  b\n")
