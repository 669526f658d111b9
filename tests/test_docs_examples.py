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


def fenced_block(text: str, heading: str) -> list[str]:
    """The first fenced code block after ``heading``, as lines."""
    section = text.split(heading, 1)[1]
    match = re.search(r"^```\w*\n(.*?)^```", section, re.MULTILINE | re.DOTALL)
    assert match, f"no code block after {heading!r}"
    return match.group(1).rstrip("\n").splitlines()


def _normal(text: str) -> str:
    text = re.sub(r"\bD-[0-9a-z]{6}\b", "D-ID", text)
    text = re.sub(r"\b\d{4}-\d{2}-\d{2}\b", "DATE", text)
    return text


def test_the_first_ten_minutes_work_pasted_as_they_stand(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = fenced_block(readme, "## A first ten minutes")
    assert block and not any(re.search(r"\bD-[0-9a-z]{3,6}\b", line) for line in block), \
        "the block must not depend on a hard-coded ID"
    script = "set -e\n" + "\n".join(block) + "\n"
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    proc = subprocess.run(["bash", "--norc", "--noprofile", "-c", script], cwd=tmp_path, capture_output=True,
                          text=True, env=env, timeout=120, check=False)
    assert proc.returncode == 0, f"the README block failed:\n{proc.stdout}\n{proc.stderr}"
    shown = fenced_block(readme, "What you see:")
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


def console_commands(text: str) -> list[str]:
    """The ``$ `` commands of the ```console blocks of a doc, continuation lines joined."""
    commands: list[str] = []
    for block in re.findall(r"```console\n(.*?)```", text, re.DOTALL):
        current: str | None = None
        for line in block.splitlines():
            if current is not None:
                current += "\n" + line
            elif line.startswith("$ "):
                current = line[2:]
            if current is not None and not current.endswith("\\"):
                commands.append(current)
                current = None
    return commands


def run_guide(repo: Path, commands: list[str]) -> list[tuple[str, int, str]]:
    """Run ``commands`` one after the other in one bash (variables carry over); each one's exit
    status and output."""
    marker = "::declog-guide-step::"
    script = "".join(f"{c}\necho \"{marker}$?\"\n" for c in commands)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    proc = subprocess.run(["bash", "--norc", "--noprofile", "-c", script], cwd=repo, capture_output=True, text=True,
                          env=env, timeout=300, check=False)
    parts = proc.stdout.split(marker)
    out = []
    for command, part, rest in zip(commands, parts, parts[1:], strict=False):
        code = int(rest.split("\n", 1)[0])
        out.append((command, code, part.split("\n", 1)[1] if part.startswith(tuple("0123456789")) else part))
    assert len(out) == len(commands), proc.stderr
    return out


def _ok(steps: list[tuple[str, int, str]], allowed: dict[str, tuple[int, ...]] | None = None) -> None:
    for command, code, output in steps:
        codes = next((v for k, v in (allowed or {}).items() if command.startswith(k)), (0,))
        assert code in codes, f"`{command}` exited {code}:\n{output}"


def test_the_correction_guide_can_be_followed_to_the_end(log_repo: Path, run) -> None:
    steps = run_guide(log_repo, console_commands((ROOT / "docs/guides/coe-to-mechanism.md").read_text(encoding="utf-8")))
    _ok(steps, {"declog review": (0, 1)})
    closing = [s for s in steps if s[0].startswith('declog close "$C" 1 --done')]
    assert closing and "closed (no action item is open)" in closing[0][2]
    import json

    (cid,) = [line for line in run(log_repo, "list", "corrections", "--format", "ids").stdout.splitlines() if line]
    data = json.loads(run(log_repo, "show", cid, "--format", "json").stdout)
    assert data["status"] == "closed" and [i["status"] for i in data["action_items"]] == ["done", "done"]
    assert run(log_repo, "validate").exit_code == 0


def test_the_weekly_review_guide_can_be_followed_to_the_end(log_repo: Path, run) -> None:
    assert run(log_repo, "new", "owner", "bob", "--name", "Bob").exit_code == 0
    res = run(log_repo, "new", "mechanism", "Weekly deploy review", "--owner", "alice", "--problem", "p",
              "--tool", "t", "--adoption", "a", "--cadence", "weekly", "--input-metric", "reviewed_pct>=95 percent",
              "--output-metric", "deploy_incidents<=1 count", "--no-input")
    assert res.exit_code == 0, res.output
    res = run(log_repo, "new", "correction", "Checkout down", "--owner", "alice", "--summary", "s",
              "--why", "Checkout failed > Bad config", "--root-cause", "Bad config",
              "--action", "Roll back; owner=alice; due=2026-03-03; type=fix", "--no-input")
    assert res.exit_code == 0, res.output
    res = run(log_repo, "new", "decision", "Use Postgres", "--owner", "alice", "--door", "two-way", "--context", "c",
              "--status", "accepted", "--decision", "d", "--rationale", "r", "--expected-outcome", "No lost orders")
    assert res.exit_code == 0, res.output
    text = (ROOT / "docs/guides/weekly-review.md").read_text(encoding="utf-8")
    steps = run_guide(log_repo, console_commands(text))
    _ok(steps, {"declog review": (0, 1), "declog retro": (0, 1)})
    import json

    decision = json.loads(run(log_repo, "list", "--status", "accepted", "--format", "json").stdout)[0]
    assert decision["owner"] == "bob"
    assert decision["reviews"][0]["actual_outcome"] == "No order was lost this quarter"
    corrections = json.loads(run(log_repo, "list", "corrections", "--format", "json").stdout)
    assert corrections[0]["status"] == "closed"


def console_blocks_after(doc: str, heading: str) -> list[list[str]]:
    text = (ROOT / doc).read_text(encoding="utf-8").split(heading, 1)[1].split("\n## ", 1)[0]
    return [block.splitlines() for block in re.findall(r"```console\n(.*?)```", text, re.DOTALL)]


def run_console(repo: Path, lines: list[str], replace: dict[str, str]) -> None:
    """Run each ``$ `` command of ``lines`` in ``repo`` and compare what it prints with the lines
    shown below it (after ``replace`` is applied to the shown text)."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "DECLOG_PAGER": "cat"}
    i = 0
    while i < len(lines):
        assert lines[i].startswith("$ "), lines[i]
        command = lines[i][2:]
        shown = []
        i += 1
        while i < len(lines) and not lines[i].startswith("$ "):
            shown.append(lines[i])
            i += 1
        proc = subprocess.run(["bash", "--norc", "--noprofile", "-c", command], cwd=repo, capture_output=True,
                              text=True, env=env, timeout=60, check=False)
        cut = bool(shown) and shown[-1] == "…"  # the docs show the beginning of a long output
        expected = "\n".join(shown[:-1] if cut else shown)
        for old, new in replace.items():
            expected = expected.replace(old, new)
        printed = (proc.stdout + proc.stderr).rstrip("\n")
        assert (printed.startswith(expected + "\n") if cut else printed == expected), \
            f"`{command}` printed:\n{proc.stdout}{proc.stderr}"


def test_init_and_schema_print_what_the_docs_show(repo: Path) -> None:
    for block in console_blocks_after("docs/commands.md", "## declog init"):
        run_console(repo, block, {"/tmp/s/my-repo": str(repo)})
    blocks = console_blocks_after("docs/commands.md", "## declog schema")
    out_block = next(b for b in blocks if any(line.startswith("$ declog schema --out") for line in b))
    check_block = next(b for b in blocks if any("--check" in line for line in b))
    run_console(repo, out_block, {})
    # the --check block follows an edit of owner.schema.json: make that edit
    (repo / "schemas" / "owner.schema.json").write_text("{}\n", encoding="utf-8")
    run_console(repo, check_block, {})
