"""The shell examples of the README run as they stand: the first ten minutes block is pasted
into a real bash in an empty folder, with this virtualenv's declog on PATH, and must succeed;
what the README shows of its output must match what declog prints (IDs and dates aside)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def indented_block(text: str, heading: str) -> list[str]:
    """The first indented code block after ``heading``, as lines without the indent."""
    section = text.split(heading, 1)[1]
    lines: list[str] = []
    for line in section.splitlines()[1:]:
        if line.startswith("    "):
            lines.append(line[4:])
        elif lines and not line.strip():
            lines.append("")
        elif lines:
            break
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _normal(text: str) -> str:
    text = re.sub(r"\bD-[0-9a-z]{6}\b", "D-ID", text)
    text = re.sub(r"\b\d{4}-\d{2}-\d{2}\b", "DATE", text)
    return text


def test_the_first_ten_minutes_work_pasted_as_they_stand(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = indented_block(readme, "## A first ten minutes")
    assert block and not any(re.search(r"\bD-[0-9a-z]{3,6}\b", line) for line in block), \
        "the block must not depend on a hard-coded ID"
    script = "set -e\n" + "\n".join(block) + "\n"
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    proc = subprocess.run(["bash", "--norc", "--noprofile", "-c", script], cwd=tmp_path, capture_output=True,
                          text=True, env=env, timeout=120, check=False)
    assert proc.returncode == 0, f"the README block failed:\n{proc.stdout}\n{proc.stderr}"
    shown = indented_block(readme, "What you see:")
    # every output line the README shows (not the `$ ` command lines) is printed by the block
    printed = _normal(proc.stdout + proc.stderr)
    for line in shown:
        if line.startswith("$ ") or not line.strip():
            continue
        if line.startswith("ok: "):
            assert "ok: " in printed
            continue
        assert _normal(line).rstrip() in printed, f"the README shows {line!r}; declog printed:\n{proc.stdout}"
    repo = tmp_path / "my-repo"
    assert (repo / ".declog.yaml").is_file()
    assert "status: accepted" in next((repo / "decisions").glob("D-*.yaml")).read_text(encoding="utf-8")


@pytest.mark.parametrize("doc", ["docs/guides/weekly-review.md", "docs/guides/coe-to-mechanism.md"])
def test_guides_use_commands_that_exist(doc: str) -> None:
    """Every `declog …` command a guide names is a command of this declog."""
    from click.testing import CliRunner

    from declog.cli import cli

    text = (ROOT / doc).read_text(encoding="utf-8")
    names = set(re.findall(r"`declog ([a-z][a-z-]+)", text)) | set(re.findall(r"^\$? ?declog ([a-z][a-z-]+)", text,
                                                                              re.MULTILINE))
    assert names
    listed = CliRunner().invoke(cli, ["--help"]).output
    for name in names:
        assert re.search(rf"^  {re.escape(name)}\s", listed, re.MULTILINE), f"{doc} uses `declog {name}`"
