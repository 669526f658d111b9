"""Write → read: any valid record of any kind, written the way ``declog new`` writes it
(``yamlio.render_new``, then an atomic write into the log), reads back through the store as the
same data and still validates. Text may hold any Unicode and reads back exactly, a missing or
extra final newline of multi-line text included (``|-`` and ``|+`` blocks)."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from declog.core import edit
from declog.core.validate import check_record
from declog.domain.kinds import KINDS
from declog.errors import UsageError
from declog.storage import yamlio
from declog.storage.store import Log
from tests.properties.strategies import NASTY, RECORDS, any_char, decisions, one_line, one_line_texts, texts


def canonical(value: Any) -> Any:
    """What ``value`` reads back as through the store: plain JSON-like data (dates as text)."""
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [canonical(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def same(a: Any, b: Any) -> bool:
    """Equality that treats NaN as equal to NaN and keeps 1 and 1.0 apart."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True) and _nan_safe_types(a, b)


def _nan_safe_types(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_nan_safe_types(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_nan_safe_types(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def write_and_read(log_dir: Path, kind_name: str, fields: dict[str, Any]) -> tuple[str, dict[str, Any], list[Any]]:
    """Write ``fields`` as ``declog new`` does; return the text, the data read back by the store,
    and the validator's issues for the file."""
    log = Log.open(log_dir, use_cache=False)
    kind = KINDS[kind_name]
    rid = str(fields[kind.id_field])
    path = log.new_path(kind, rid, str(fields.get(kind.title_field) or rid))
    text = yamlio.render_new(fields, edit.schema_path_for(log, kind, path), edit.field_names(kind))
    # the bytes atomic_write would write (without its fsync, which would dominate the run time)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    try:
        record = log.read(path, kind)
        assert record.error is None, record.error
        assert record.data is not None
        return text, record.data, check_record(log, record, {})
    finally:
        path.unlink()


@pytest.mark.parametrize("kind_name", sorted(RECORDS))
def test_any_valid_record_survives_write_then_read_unchanged(log_dir: Path, kind_name: str) -> None:
    @given(RECORDS[kind_name])
    def check(fields: dict[str, Any]) -> None:
        text, data, issues = write_and_read(log_dir, kind_name, fields)
        assert same(data, canonical(fields)), text
        assert issues == [], (issues, text)

    check()


@given(st.one_of(texts(), st.sampled_from(["\n", " ", "\t\n  ", "\u3000"])))
@example("a\x85b")
@example("ab " * 2000 + "\x85")
@example("\ta\nb")
@example("a\r\nb")
@example("a\x07\nb")
@example("\n")
@example(" \n x")
@example("x\u2028y")
@example("\ufeffbom")
@example("x" * 100_000)
def test_any_text_field_round_trips_exactly(log_dir: Path, text: str) -> None:
    """Free text (any Unicode, quotes, colons, dashes, ``#``, tabs, trailing spaces, CR, NEL,
    very long lines) in a top-level field, a list item and a nested mapping reads back as written.
    Text of only whitespace reads back too, and is reported as blank; short text (the title, a
    scope) is given on one line, as the models require."""
    short = one_line(text[:300]) if one_line(text[:300]).strip() else "t"
    fields = {"id": "D-7k3m9q", "title": short, "status": "proposed", "owner": "alice", "door": "two-way",
              "context": text, "scope": [short, "x"], "options": [{"title": "o", "why_not": text}]}
    written, data, issues = write_and_read(log_dir, "decision", fields)
    assert same(data, canonical(fields)), written
    if text.strip():
        assert issues == []
    else:
        assert sorted(i.field for i in issues) == ["context", "options.0.why_not"], issues
        assert all("is blank (only whitespace)" in i.message for i in issues), issues


@pytest.mark.parametrize("text", NASTY)
def test_every_nasty_string_round_trips_in_every_text_position(log_dir: Path, text: str) -> None:
    fields = {"id": "C-7k3m9q", "title": text, "owner": "alice", "status": "open", "summary": text,
              "five_whys": [{"problem": text, "whys": [text, text]}], "root_causes": [text],
              "action_items": [{"description": text, "owner": "alice", "due": dt.date(2026, 1, 2), "type": "fix"}],
              "timeline": [{"at": text, "what": text}]}
    written, data, _ = write_and_read(log_dir, "correction", fields)
    assert same(data, canonical(fields)), written


@given(st.text(any_char, max_size=20), st.sampled_from("\ud800\udbff\udc00\udfff"), st.text(any_char, max_size=20))
def test_text_with_a_lone_surrogate_is_refused_not_written(log_dir: Path, before: str, bad: str, after: str) -> None:
    """Undecodable command-line bytes reach Python as lone surrogates; writing them used to
    produce a ``"\\uD800"`` escape that no YAML reader accepts. Now the write is refused."""
    fields = {"id": "D-7k3m9q", "title": "t", "status": "proposed", "owner": "alice", "door": "two-way",
              "context": before + bad + after}
    with pytest.raises(UsageError, match="not a Unicode character"):
        yamlio.render_new(fields, "x", edit.field_names(KINDS["decision"]))


@given(decisions())
def test_written_text_is_stable_when_written_again(log_dir: Path, fields: dict[str, Any]) -> None:
    """Writing what was read gives the same bytes: the writer has one form for each value."""
    first, _, _ = write_and_read(log_dir, "decision", fields)
    second, _, _ = write_and_read(log_dir, "decision", yamlio.load_record_text(first, "first"))
    assert first == second


@pytest.fixture(scope="module")
def alice_log(log_dir: Path) -> Path:
    log = Log.open(log_dir, use_cache=False)
    if log.find("alice") is None:
        edit.create(log, KINDS["owner"], {"handle": "alice", "name": "Alice Example"})
    return log_dir


@settings(max_examples=max(10, settings.default.max_examples // 4))
@given(one_line_texts(300), texts(), st.lists(one_line_texts(300), max_size=2))
def test_declog_new_and_declog_set_through_the_library_keep_any_text(alice_log: Path, title: str, context: str,
                                                                   scope: list[str]) -> None:
    """The library behind ``declog new decision`` (edit.create) and ``declog set``
    (edit.set_fields), with their validation and atomic writes: any text reads back exactly."""
    log = Log.open(alice_log, use_cache=False)
    record = edit.create(log, KINDS["decision"], {"title": title, "status": "proposed", "owner": "alice",
                                                  "door": "two-way", "context": context, "scope": scope})
    path = log.abs(record.path)
    try:
        assert record.data is not None
        assert same({k: record.data[k] for k in ("title", "context")}, {"title": title, "context": context})
        assert record.data.get("scope", []) == scope
        changed = edit.set_fields(log, record, {"rationale": context, "title": title[::-1]})
        assert changed.data is not None
        assert changed.data["rationale"] == context and changed.data["title"] == title[::-1]
        assert changed.data["context"] == context
    finally:
        path.unlink()
