"""Fuzz target: bytes → a record file in a throwaway log → declog's loader, validator and editor.

Whatever the bytes, declog must answer with a validation report or one of its own errors
(``declog.errors.DeclogError``); any other exception is a crash. On top of that, an edit that
``yamlio.set_fields`` accepts must produce text that loads again, with the field changed and
every other field as it was.

Run it:

* coverage-guided, with atheris: ``make fuzz`` (``FUZZ_SECONDS=600`` by default), or
  ``.venv/bin/python fuzz/fuzz_records.py fuzz/corpus -max_total_time=60``;
* bounded, inside ``make test``: ``tests/test_fuzz_bounded.py`` replays ``fuzz/corpus/`` (the
  regressions in ``fuzz/corpus/regressions/`` included) and runs a short hypothesis-driven
  mutation of it.

An input is the file's content; the kind (the folder it is written to) is guessed from it
(:func:`guess_kind`), so the corpus holds plain YAML files. Crashes found by atheris land in ``fuzz/crashes/``: turn each into a file
in ``fuzz/corpus/regressions/`` (named after the bug) once it is fixed.
"""

from __future__ import annotations

import atexit
import gc
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any

KIND_NAMES = ("decision", "owner", "mechanism", "inspection", "correction")

# Records the fuzzed file can point at, so cross-record checks have something to chew on.
SEED_RECORDS = {
    "owners/alice.yaml": "handle: alice\nname: Alice Example\n",
    "owners/platform.yaml": "handle: platform\nname: Platform\nkind: team\nlead: alice\n",
    "owners/gone.yaml": "handle: gone\nname: Gone\nactive: false\n",
    "D-573ejx-orders.yaml": (
        "id: D-573ejx\ntitle: Use Postgres\nstatus: superseded\nowner: alice\ndoor: two-way\n"
        "context: c\nsuperseded_by: D-j7vaxc\n"),
    "mechanisms/M-dxywdh-review.yaml": (
        "id: M-dxywdh\nname: Review\nowner: alice\nstatus: piloting\nproblem: p\n"
        "input_metrics: [{name: reviewed_pct, target: 95, direction: up}]\n"),
    "corrections/C-hdwnr5-outage.yaml": (
        "id: C-hdwnr5\ntitle: Outage\nowner: alice\nstatus: draft\nsummary: s\n"),
}
FILE_NAMES = {
    "decision": "D-fuzzed-record.yaml",
    "owner": "owners/fuzzed.yaml",
    "mechanism": "mechanisms/M-fuzzed.yaml",
    "inspection": "inspections/I-fuzzed.yaml",
    "correction": "corrections/C-fuzzed.yaml",
}
EDITS: tuple[dict[str, Any], ...] = (
    {"title": "Fuzzed title: with # and 'quotes'"},
    {"status": "accepted", "rationale": "line one\nline two"},
    {"tags": ["a", "b/c"]},
    {"context": None},
)


class Harness:
    """A git repository with a declog log, made once per process."""

    def __init__(self, root: Path | None = None) -> None:
        from declog.storage import store

        if root is None:
            temp = tempfile.mkdtemp(prefix="declog-fuzz-")
            atexit.register(shutil.rmtree, temp, ignore_errors=True)
            root = Path(temp) / "repo"
        root.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
        subprocess.run(["git", "init", "-q", str(root)], check=True, env=env, capture_output=True)
        store.init(root)
        self.repo = root
        self.log_root = root / "decisions"
        for rel, text in SEED_RECORDS.items():
            (self.log_root / rel).parent.mkdir(parents=True, exist_ok=True)
            (self.log_root / rel).write_text(text, encoding="utf-8")

    def check(self, raw: bytes, kind_name: str = "decision", use_cache: bool = False) -> None:
        """Run ``raw`` as a record of ``kind_name`` through everything that reads records.
        Raises AssertionError (or the unexpected exception itself) on a crash."""
        check_loader(raw)
        path = self.log_root / FILE_NAMES[kind_name]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw)
        try:
            check_validator(self.repo, path, use_cache)
        finally:
            path.unlink()


def check_loader(raw: bytes) -> None:
    """yamlio on its own: screening, the safe loader, the round-trip loader, locate, set_fields."""
    from declog.storage import yamlio
    from declog.errors import DeclogError

    try:
        text = yamlio.decode(raw, "fuzzed.yaml")
    except DeclogError:
        return
    try:
        data = yamlio.load_record_text(text, "fuzzed.yaml")
    except DeclogError:
        data = None
    if data is not None:
        assert isinstance(data, dict)
        json.dumps(yamlio.to_plain(data))  # the cache and --format json need plain data
    try:
        yamlio.load_roundtrip(text, "fuzzed.yaml")
    except DeclogError:
        pass
    line, col = yamlio.locate(text, ("options", 0, "title"))
    assert line >= 1 and col >= 1
    if data is None:
        return
    for changes in EDITS:
        try:
            after = yamlio.set_fields(text, "fuzzed.yaml", changes, decision_fields())
        except DeclogError:
            continue
        check_edit(data, after, changes)


def check_edit(before: dict[str, Any], after_text: str, changes: dict[str, Any]) -> None:
    """An accepted edit loads again, with the changed fields as given and the others as they were."""
    from declog.storage import yamlio

    after = yamlio.load_record_text(after_text, "edited.yaml")
    for key, value in changes.items():
        if value is None:
            assert key not in after, f"{key} was not removed"
        else:
            assert _same(yamlio.to_plain(after.get(key)), yamlio.to_plain(value)), (key, after.get(key))
    for key, value in before.items():
        if key not in changes:
            assert key in after, f"{key} was lost by an edit of {list(changes)}"
            assert _same(yamlio.to_plain(after[key]), yamlio.to_plain(value)), f"{key} changed by an edit of {list(changes)}"


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def check_validator(repo: Path, path: Path, use_cache: bool) -> None:
    """What the pre-commit hook runs: ``declog validate PATH`` on a log holding the file."""
    from declog.errors import DeclogError
    from declog.storage.store import Log
    from declog.core.validate import Report, validate

    try:
        log = Log.open(repo, use_cache=use_cache)
        report = validate(log, [path])
    except DeclogError:
        return
    assert isinstance(report, Report)
    json.dumps(report.as_json())
    for issue in report.issues:
        assert issue.line >= 1 and issue.column >= 1, issue
        issue.format()
    for record in log.records():  # what list, show and why read
        json.dumps(record.as_json())


_ORDER: list[str] = []
_HARNESS: Harness | None = None


def decision_fields() -> list[str]:
    """The decision model's field order (where set_fields puts a new field)."""
    if not _ORDER:
        from declog.core import edit
        from declog.domain.kinds import KINDS

        _ORDER.extend(edit.field_names(KINDS["decision"]))
    return _ORDER


def harness() -> Harness:
    global _HARNESS
    if _HARNESS is None:
        _HARNESS = Harness()
    return _HARNESS


def guess_kind(raw: bytes) -> str:
    """The kind whose folder a file goes to: the one its ID names (``id: M-...``), an owner for
    a ``handle:``, else one picked by a checksum of the bytes (so each input always gets the same)."""
    match = re.search(rb"^\s*id:\s*['\"]?([DMIC])-", raw, re.M)
    if match:
        return {b"D": "decision", b"M": "mechanism", b"I": "inspection", b"C": "correction"}[match.group(1)]
    if re.search(rb"^\s*handle:", raw, re.M):
        return "owner"
    return KIND_NAMES[zlib.crc32(raw) % len(KIND_NAMES)]


_RUNS = [0]


def one_input(data: bytes) -> None:
    """The fuzz entry: ``data`` is the file; its kind is guessed from it."""
    harness().check(data, guess_kind(data))
    _RUNS[0] += 1
    if _RUNS[0] % 100 == 0:
        # validate() freezes what it has loaded (declog.storage.cache.settle_gc) and unfreezes it at the
        # end, into the oldest generation, which then is rarely collected: in a process that
        # validates thousands of times, collect now and then or the garbage piles up
        gc.collect()


def main() -> None:
    try:
        import atheris
    except ImportError:  # no wheel for this platform: a plain random-mutation loop instead
        mutate_for(_seconds_from(sys.argv), [Path(a) for a in sys.argv[1:] if not a.startswith("-")])
        return

    with atheris.instrument_imports(include=["declog", "ruamel"]):
        import ruamel.yaml
        import ruamel.yaml.composer
        import ruamel.yaml.constructor
        import ruamel.yaml.parser
        import ruamel.yaml.scanner  # noqa: F401

        from declog.storage import cache, store, yamlio  # noqa: F401
        from declog.core import edit, validate
        from declog.domain.models import correction, decision, inspection, mechanism, owner  # noqa: F401
    harness()
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


def corpus_files(folders: list[Path]) -> list[Path]:
    return sorted(p for folder in folders if folder.is_dir() for p in folder.rglob("*") if p.is_file())


def mutate(rng: random.Random, seeds: list[bytes]) -> bytes:
    """One random mutation of one seed: flip, insert, delete, duplicate or splice bytes."""
    data = bytearray(rng.choice(seeds))
    for _ in range(rng.randint(1, 8)):
        op = rng.randrange(6)
        pos = rng.randint(0, len(data))
        if op == 0 and data:
            data[min(pos, len(data) - 1)] = rng.randrange(256)
        elif op == 1:
            data[pos:pos] = bytes([rng.choice(b"\n\r\t :-#'\"[]{}|>&*!%@`?,\\\x00\x85\xef\xbb\xbf")])
        elif op == 2:
            del data[pos:pos + rng.randint(1, 16)]
        elif op == 3:
            data[pos:pos] = data[pos:pos + rng.randint(1, 64)]
        elif op == 4:
            other = rng.choice(seeds)
            start = rng.randint(0, len(other))
            data[pos:pos] = other[start:start + rng.randint(1, 200)]
        else:
            data[pos:pos] = rng.choice([b"\n  - ", b": ", b"\n# c\n", b"  ", b"|-\n", b">+\n", b"\r\n", b"\t"])
    return bytes(data)


def mutate_for(seconds: float, folders: list[Path], seed: int = 0) -> int:
    """Run random mutations of the corpus for ``seconds``; returns how many inputs ran."""
    rng = random.Random(seed)
    seeds = [p.read_bytes() for p in corpus_files(folders) if p.stat().st_size <= 20_000] or [b"id: D-573ejx\n"]
    deadline = time.monotonic() + seconds
    runs = 0
    while time.monotonic() < deadline:
        data = mutate(rng, seeds)
        try:
            one_input(data)
        except BaseException:
            crash = Path(__file__).resolve().parent / "crashes" / f"crash-{zlib.crc32(data):08x}"
            crash.parent.mkdir(parents=True, exist_ok=True)
            crash.write_bytes(data)
            print(f"crash: input written to {crash}", file=sys.stderr)
            raise
        runs += 1
    print(f"{runs} inputs in {seconds:.0f} s, no crash", file=sys.stderr)
    return runs


def _seconds_from(argv: list[str]) -> float:
    for arg in argv:
        if arg.startswith("-max_total_time="):
            return float(arg.partition("=")[2])
    return 60.0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
