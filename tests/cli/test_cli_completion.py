"""`declog completion bash|zsh|fish`: the script is sourced in a real bash and its completion
function called, as bash does when Tab is pressed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import new_decision

BIN = Path(sys.executable).parent


def complete(repo: Path, script: str, *words: str) -> list[str]:
    """What bash offers for the last of ``words`` (``""`` for an empty word after a space)."""
    array = " ".join(f"'{w}'" for w in ("declog", *words))
    program = (f"source {script}\nCOMP_WORDS=({array}); COMP_CWORD={len(words)}; COMPREPLY=()\n"
               "_declog_completion declog\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    proc = subprocess.run(["bash", "--norc", "--noprofile", "-c", program], cwd=repo, capture_output=True,
                          text=True, env=env, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    return [line for line in proc.stdout.splitlines() if line]


@pytest.fixture
def script(log_repo: Path, run, tmp_path: Path) -> str:
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    res = run(log_repo, "completion", "bash")
    assert res.exit_code == 0, res.output
    assert "_declog_completion()" in res.stdout and "complete -o nosort -F _declog_completion declog" in res.stdout
    path = tmp_path / "declog-completion.bash"
    path.write_text(res.stdout, encoding="utf-8")
    return str(path)


def test_commands_options_and_choices(log_repo: Path, script: str) -> None:
    assert complete(log_repo, script, "rev") == ["review", "review-decision"]
    assert "completion" in complete(log_repo, script, "")
    assert complete(log_repo, script, "list", "--st") == ["--status"]
    assert complete(log_repo, script, "list", "--door", "") == ["one-way", "two-way"]
    assert complete(log_repo, script, "list", "--status", "acc") == ["accepted"]
    assert complete(log_repo, script, "list", "") == ["owners", "decisions", "mechanisms", "inspections",
                                                      "corrections", "narratives", "all"]
    assert complete(log_repo, script, "completion", "") == ["bash", "zsh", "fish"]


def test_record_ids_and_handles(log_repo: Path, run, script: str) -> None:
    first = new_decision(run, log_repo, "Use Postgres for orders")
    second = new_decision(run, log_repo, "Use Redis for sessions")
    assert complete(log_repo, script, "show", "D-") == sorted([first, second])
    assert complete(log_repo, script, "show", first[:4]) in ([first], sorted([first, second]))
    assert complete(log_repo, script, "supersede", first, "") == sorted([first, second])
    assert complete(log_repo, script, "list", "--owner", "") == ["alice"]
    assert complete(log_repo, script, "show", "") == sorted(["alice", first, second])


def test_outside_a_log_it_completes_commands_and_no_ids(tmp_path: Path, script: str) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    assert complete(plain, script, "show", "") == []
    assert complete(plain, script, "sh") == ["show"]


def test_zsh_and_fish_scripts(log_repo: Path, run) -> None:
    zsh = run(log_repo, "completion", "zsh")
    assert zsh.exit_code == 0 and "#compdef declog" in zsh.stdout and "_DECLOG_COMPLETE=zsh_complete" in zsh.stdout
    fish = run(log_repo, "completion", "fish")
    assert fish.exit_code == 0 and "complete --no-files --command declog" in fish.stdout
    assert run(log_repo, "completion", "tcsh").exit_code == 2


def test_the_installed_executable_prints_the_script(log_repo: Path) -> None:
    """The crash this replaces: `_DECLOG_COMPLETE=bash_source declog` was an internal error."""
    env = {**os.environ, "_DECLOG_COMPLETE": "bash_source"}
    proc = subprocess.run([str(BIN / "declog")], cwd=log_repo, capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0 and "_declog_completion()" in proc.stdout, proc.stderr
