"""The fuzz target (fuzz/fuzz_records.py) inside ``make test``, bounded: every file of the seed
corpus and of ``fuzz/corpus/regressions/`` (one per bug the fuzzer or the property tests found)
goes through the loader, the validator and the editor, then a few seconds of random mutations
of the corpus do (``FUZZ_BOUNDED_SECONDS``, default 8; ``FUZZ_SEED`` picks the mutations).
The long, coverage-guided run is ``make fuzz``; see docs/testing.md.

The named tests below pin each bug found, with the input that showed it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from declog.errors import UsageError
from declog.storage import yamlio
from fuzz import fuzz_records
from fuzz.fuzz_records import Harness, corpus_files, guess_kind

FUZZ = Path(__file__).resolve().parent.parent / "fuzz"
CORPUS = FUZZ / "corpus"
FILES = corpus_files([CORPUS])
REGRESSIONS = CORPUS / "regressions"
ORDER = fuzz_records.decision_fields()


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    yield Harness(tmp_path_factory.mktemp("fuzz") / "repo")


def test_the_corpus_has_real_records_hostile_files_and_regressions() -> None:
    folders = {p.parent.name for p in FILES}
    assert {"real", "hostile", "regressions"} <= folders
    assert len(FILES) >= 60


@pytest.mark.parametrize("path", FILES, ids=[p.relative_to(CORPUS).as_posix() for p in FILES])
def test_a_corpus_file_is_loaded_validated_and_edited_without_a_crash(harness: Harness, path: Path) -> None:
    raw = path.read_bytes()
    harness.check(raw, guess_kind(raw), use_cache=len(raw) % 2 == 0)


def test_random_mutations_of_the_corpus_never_crash(harness: Harness) -> None:
    seconds = float(os.environ.get("FUZZ_BOUNDED_SECONDS", "8"))
    fuzz_records._HARNESS = harness
    try:
        runs = fuzz_records.mutate_for(seconds, [CORPUS], seed=int(os.environ.get("FUZZ_SEED", "0")))
    finally:
        fuzz_records._HARNESS = None
    assert runs > 0


# -- one test per bug found ------------------------------------------------------------------

def test_set_after_a_literal_block_ending_the_file_without_a_newline_never_changes_that_block() -> None:
    """Found by atheris: adding ``tags`` after ``rationale: |`` whose last line had no newline
    added one to the file, so rationale read back with a newline more. Every edit is now
    checked to leave the other fields as they were; this one is refused with a declog error."""
    text = (REGRESSIONS / "set-after-a-literal-block-ending-the-file-without-a-newline.yaml").read_text()
    before = yamlio.load_record_text(text, "r.yaml")
    try:
        after = yamlio.set_fields(text, "r.yaml", {"tags": ["a"]}, ORDER)
    except UsageError as exc:
        assert "rationale" in str(exc)
    else:
        assert yamlio.load_record_text(after, "r.yaml")["rationale"] == before["rationale"]


def test_set_after_a_keep_chomping_block_keeps_its_trailing_blank_lines() -> None:
    """Found by the corpus replay: a new field went in before the blank lines that end a
    ``>+`` / ``|+`` block, which are part of its value."""
    text = (REGRESSIONS / "set-after-a-keep-chomping-block-scalar.yaml").read_text()
    before = yamlio.load_record_text(text, "r.yaml")
    for changes in ({"tags": ["a"]}, {"options": [{"title": "o"}]}, {"rationale": "short"}):
        after = yamlio.load_record_text(yamlio.set_fields(text, "r.yaml", changes, ORDER), "r.yaml")
        assert {k: v for k, v in after.items() if k not in changes} == {k: v for k, v in before.items()
                                                                       if k not in changes}


def test_set_on_a_one_line_flow_mapping_keeps_the_digits_of_other_floats() -> None:
    """Found by the property tests: a record written as ``{...}`` is re-dumped whole, and
    ruamel re-dumped 4.767187028938985e+16 as 4.767187028938984e+16."""
    text = (REGRESSIONS / "set-on-a-one-line-flow-mapping-keeps-float-digits.yaml").read_text()
    after = yamlio.set_fields(text, "r.yaml", {"title": "t"}, ORDER)
    assert yamlio.load_record_text(after, "r.yaml") == {"action_items": 4.767187028938985e+16, "x": 0.1, "title": "t"}


def test_locate_on_a_scalar_document_does_not_crash() -> None:
    """Found by the property tests: ``!!str`` alone is a document whose node has no line
    (None), and locate added 1 to it (TypeError)."""
    assert yamlio.locate((REGRESSIONS / "locate-on-a-tagged-scalar-document.yaml").read_text(), ("title",)) == (1, 1)


@pytest.mark.parametrize("name", ["validate-a-file-with-thousands-of-unknown-keys.yaml",
                                  "validate-a-file-with-thousands-of-unknown-owners.yaml"])
def test_validate_parses_a_file_once_however_many_problems_it_has(harness: Harness, name: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Found by the corpus replay: each problem re-parsed the whole file in round-trip mode to
    find its line, so 5,000 unknown keys (44 KB) took minutes and 20,000 (190 KB, under the
    256 KiB limit) hours: a pre-commit hook anyone could stall. Now one parse per file."""
    from declog.core.validate import validate
    from declog.storage.store import Log

    loads = []
    real = yamlio._rt_yaml

    def counting() -> object:
        loads.append(1)
        return real()

    monkeypatch.setattr(yamlio, "_rt_yaml", counting)
    path = harness.log_root / "D-many-problems.yaml"
    path.write_bytes((REGRESSIONS / name).read_bytes())
    try:
        report = validate(Log.open(harness.repo, use_cache=False), [path])
    finally:
        path.unlink()
    assert len(report.issues) >= 2000
    assert len(loads) <= 2, len(loads)  # parsed once or twice, whatever the number of problems
