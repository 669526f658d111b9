"""`make demo` runs scripts/demo.py: it must keep working, and keep showing the main job."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "scripts" / "demo.py"


@pytest.fixture(scope="module")
def demo_output() -> Iterator[str]:
    if not (Path(sys.executable).parent / "declog").exists():
        pytest.skip("the demo needs the declog executable next to this Python (run the tests from .venv)")
    proc = subprocess.run([sys.executable, str(DEMO), "--keep"], capture_output=True, text=True, timeout=900,
                          check=False)
    assert proc.returncode == 0, f"demo failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    kept = re.search(r"^Kept the repository: cd (.+)$", proc.stdout, re.MULTILINE)
    if kept:  # the --keep run is checked by test_keep_keeps_the_repository_and_the_site; clean up after it
        import shutil

        _KEPT.append((Path(kept.group(1)), proc.stdout))
        yield proc.stdout
        shutil.rmtree(Path(kept.group(1)).parent, ignore_errors=True)
        return
    yield proc.stdout


_KEPT: list[tuple[Path, str]] = []


def test_keep_keeps_the_repository_and_the_site(demo_output: str) -> None:
    assert _KEPT, "the demo run with --keep did not print `Kept the repository: cd PATH`"
    repo, out = _KEPT[0]
    assert (repo / ".declog.yaml").is_file() and (repo / ".git").is_dir()
    site = re.search(r"^Kept the site: (.+)$", out, re.MULTILINE)
    assert site and Path(site.group(1)).is_file() and Path(site.group(1)).name == "index.html"


def test_make_demo_keep_passes_keep() -> None:
    proc = subprocess.run(["make", "-n", "-o", ".venv/.installed", "demo", "KEEP=1"], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "scripts/demo.py --keep" in proc.stdout
    plain = subprocess.run(["make", "-n", "-o", ".venv/.installed", "demo"], cwd=ROOT, capture_output=True,
                           text=True, check=False).stdout
    assert "scripts/demo.py" in plain and "--keep" not in plain


def test_demo_records_owners_and_decisions(demo_output: str) -> None:
    assert "$ declog init" in demo_output
    assert "Created owner alice: decisions/owners/alice.yaml" in demo_output
    assert "Created owner platform: decisions/owners/platform.yaml" in demo_output
    assert re.search(r"^Created decision D-[0-9a-z]{6}: decisions/D-[0-9a-z]{6}-use-postgres-for-orders\.yaml$",
                     demo_output, re.MULTILINE)
    assert re.search(r"^D-[0-9a-z]{6}: status: proposed → accepted$", demo_output, re.MULTILINE)


def test_demo_shows_a_problem_with_its_location_and_exit_1(demo_output: str) -> None:
    problem = re.compile(r"^decisions/D-[0-9a-z]{6}-[a-z0-9-]+\.yaml:\d+:\d+: reviewed_by: unknown field", re.MULTILINE)
    assert problem.search(demo_output)
    assert "[exit 1]" in demo_output
    assert demo_output.count("ok: ") >= 3  # valid before, after the fix, and after superseding


def test_demo_lists_shows_and_supersedes(demo_output: str) -> None:
    assert "$ declog list --format json" in demo_output
    assert '"kind": "decision"' in demo_output
    assert re.search(r"^\$ declog show [0-9a-z]{3,6}$", demo_output, re.MULTILINE)
    assert re.search(r"^D-[0-9a-z]{6} is superseded by D-[0-9a-z]{6}$", demo_output, re.MULTILINE)
    assert re.search(r"^D-[0-9a-z]{6}\s+superseded\s+two-way\s+alice", demo_output, re.MULTILINE)


def test_demo_runs_or_skips_the_history_commands(demo_output: str) -> None:
    for name in ("why", "history", "blame", "retro", "review"):
        assert f"$ declog {name}" in demo_output or f"this declog has no `{name}` command yet" in demo_output


def test_demo_imports_an_adr_with_its_history_and_exports_a_site(demo_output: str) -> None:
    assert "$ declog import adr doc/adr --owner alice" in demo_output
    assert re.search(r"^decided: \S+ by Bob Builder \([0-9a-f]{10}\) in doc/adr/0001-use-kafka-for-order-events\.md$",
                     demo_output, re.MULTILINE)
    assert "[doc/adr/0001-use-kafka-for-order-events.md] status: Proposed → ✅ Accepted" in demo_output
    assert "flowchart LR" in demo_output and "-->|supersedes|" in demo_output
    assert re.search(r"^Wrote \d+ files to \S+/site", demo_output, re.MULTILINE)
