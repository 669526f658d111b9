"""`make demo` runs scripts/demo.py: it must keep working, and keep showing the main job."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "scripts" / "demo.py"


@pytest.fixture(scope="module")
def demo_output() -> str:
    if not (Path(sys.executable).parent / "declog").exists():
        pytest.skip("the demo needs the declog executable next to this Python (run the tests from .venv)")
    proc = subprocess.run([sys.executable, str(DEMO)], capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, f"demo failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


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
