"""The loader and the validator never crash: on arbitrary bytes, arbitrary YAML documents and
valid records with a field mangled, they answer with data, a validation report or a
``DeclogError``, through the same entry the pre-commit hook uses (``validate(log, [path])`` on a
file in a log) and through ``yamlio`` directly. Accepted edits of any loadable file keep every
other field. The checks themselves live in ``fuzz/fuzz_records.py``, shared with the fuzzer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from declog.storage import yamlio
from fuzz.fuzz_records import KIND_NAMES, Harness, check_loader
from tests.properties.strategies import RECORDS, any_char, dates, handles, numbers, record_ids, tags


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    yield Harness(tmp_path_factory.mktemp("validator") / "repo")


def _field_names() -> list[str]:
    from declog.domain.kinds import KINDS

    return sorted({name for kind in KINDS.values() for name in kind.model().model_fields})


FIELDS = _field_names()
REFERENCES = st.sampled_from(["alice", "platform", "gone", "nobody", "D-573ejx", "M-dxywdh", "C-hdwnr5", "D-j7vaxc"])

scalars = st.one_of(
    st.none(), st.booleans(), numbers, st.text(any_char, max_size=30), dates, REFERENCES, handles, tags,
    record_ids("D"), st.sampled_from(["proposed", "accepted", "superseded", "active", "team", "mechanism",
                                      "wont-do", "closed", "one-way", "up", "weekly", "0d", ""]),
)
keys = st.one_of(st.sampled_from(FIELDS), st.text(any_char, max_size=10), st.integers(), st.booleans(), dates)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.one_of(st.sampled_from(FIELDS), st.text(any_char, max_size=8)),
                                            inner, max_size=4)),
    max_leaves=12,
)
documents = st.dictionaries(keys, values, max_size=10)
yaml_fragments = st.sampled_from([
    "id: ", "D-573ejx", "title: ", "status: ", "owner: ", "alice", "context: ", "options:", "supersedes: ",
    "readings: ", "action_items:", "\n", "\n", "\n  ", "  ", "- ", "[", "]", "{", "}", ", ", ": ", "'", '"', "|",
    "|-", ">+", "#", " # c", "&a ", "*a", "!!str ", "!!python/object:x ", "!x ", "? ", "---\n", "...\n", "\t",
    "%YAML 1.1\n", "<<: ", "~", "null", "2026-01-01", "2026-02-30", ".nan", "1e999", "0x1F", "\ufeff", "\r\n",
    "\x85", "\u2028", "\\u0000", "\\", "@", "`", "%",
])
yaml_texts = st.lists(st.one_of(yaml_fragments, st.text(any_char, max_size=5)), max_size=40).map("".join)


def dump(document: Any, flow: bool | None) -> bytes:
    """A document as YAML the way a person or another tool might write it."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = flow
    yaml.allow_unicode = True
    import io

    buf = io.StringIO()
    yaml.dump(document, buf)
    return buf.getvalue().encode("utf-8", "surrogatepass")


@given(st.binary(max_size=3000))
def test_the_loader_answers_arbitrary_bytes_with_data_or_a_declog_error(raw: bytes) -> None:
    check_loader(raw)


@given(yaml_texts)
def test_the_loader_answers_yaml_like_text_with_data_or_a_declog_error(text: str) -> None:
    check_loader(text.encode("utf-8"))


@given(documents, st.sampled_from([None, True, False]), st.sampled_from(KIND_NAMES))
def test_the_validator_reports_arbitrary_yaml_documents_without_crashing(
        harness: Harness, document: dict[Any, Any], flow: bool | None, kind: str) -> None:
    harness.check(dump(document, flow), kind)


@given(st.sampled_from(sorted(RECORDS)).flatmap(lambda k: st.tuples(st.just(k), RECORDS[k])), st.data())
def test_the_validator_reports_valid_records_with_a_field_mangled(harness: Harness, drawn: tuple[str, dict[str, Any]],
                                                                   data: st.DataObject) -> None:
    """Type confusion where the cross-record checks look: a list where a handle was, a mapping
    where a list of IDs was, numbers as metric names, and so on, at any depth."""
    kind, fields = drawn
    target: Any = fields
    while True:  # walk down to a random container, then replace one of its values
        if isinstance(target, dict) and target:
            key = data.draw(st.sampled_from(sorted(target, key=str)))
        elif isinstance(target, list) and target:
            key = data.draw(st.integers(0, len(target) - 1))
        else:
            break
        if isinstance(target[key], dict | list) and data.draw(st.booleans()):
            target = target[key]
            continue
        target[key] = data.draw(values)
        break
    harness.check(dump(fields, data.draw(st.sampled_from([None, False]))), kind, use_cache=data.draw(st.booleans()))


@pytest.mark.parametrize("kind", KIND_NAMES)
def test_a_record_dated_before_year_1000_or_with_a_nan_reading_is_handled(harness: Harness, kind: str) -> None:
    harness.check(b"id: I-4eeecn\nmechanism: M-dxywdh\non: 0001-01-01\ninspector: alice\nverdict: working\n"
                  b"readings: {reviewed_pct: .nan}\n", kind, use_cache=True)
    assert yamlio.load_record_text("on: 0001-01-01\n", "x")["on"] == dt.date(1, 1, 1)
