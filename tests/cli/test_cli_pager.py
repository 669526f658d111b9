"""Long output on a terminal goes through a pager as git does ($DECLOG_PAGER, $PAGER, less -FRX),
never with --no-pager and never when piped. Through a real pseudo-terminal."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

from tests.conftest import new_decision
from tests.terminal import DECLOG, Terminal

PAGER_SCRIPT = "import sys, pathlib\npathlib.Path(sys.argv[1]).write_text(sys.stdin.read())\nprint('[paged]')\n"


def _pager(tmp_path: Path, name: str) -> tuple[str, Path]:
    script = tmp_path / f"{name}.py"
    script.write_text(PAGER_SCRIPT, encoding="utf-8")
    out = tmp_path / f"{name}.txt"
    return f"{shlex.quote(sys.executable)} {shlex.quote(str(script))} {shlex.quote(str(out))}", out


def test_list_on_a_terminal_goes_through_declog_pager(log_repo: Path, run, tmp_path: Path) -> None:
    rid = new_decision(run, log_repo)
    mine, mine_out = _pager(tmp_path, "mine")
    theirs, theirs_out = _pager(tmp_path, "theirs")
    code, shown = Terminal(log_repo, "list", env={"DECLOG_PAGER": mine, "PAGER": theirs}).wait()
    assert code == 0 and "[paged]" in shown
    assert rid in mine_out.read_text(encoding="utf-8") and not theirs_out.exists()
    env = {k: v for k, v in os.environ.items() if k != "DECLOG_PAGER"}
    code, shown = Terminal(log_repo, "show", rid, env={**env, "PAGER": theirs}).wait()
    assert code == 0 and "Use Postgres for orders" in theirs_out.read_text(encoding="utf-8")


def test_no_pager_flag_cat_and_pipes_print_directly(log_repo: Path, run, tmp_path: Path) -> None:
    rid = new_decision(run, log_repo)
    mine, mine_out = _pager(tmp_path, "mine")
    code, shown = Terminal(log_repo, "--no-pager", "list", env={"DECLOG_PAGER": mine}).wait()
    assert code == 0 and rid in shown and "[paged]" not in shown and not mine_out.exists()
    code, shown = Terminal(log_repo, "list", env={"DECLOG_PAGER": "cat"}).wait()
    assert code == 0 and rid in shown
    proc = subprocess.run([str(DECLOG), "list"], cwd=log_repo, capture_output=True, text=True, check=False,
                          env={**os.environ, "DECLOG_PAGER": mine})
    assert proc.returncode == 0 and rid in proc.stdout and not mine_out.exists()
    code, shown = Terminal(log_repo, "list", "--format", "json", env={"DECLOG_PAGER": mine}).wait()
    assert code == 0 and not mine_out.exists()  # output for tools is never paged


def test_a_pager_that_is_not_installed_prints_directly(log_repo: Path, run) -> None:
    rid = new_decision(run, log_repo)
    code, shown = Terminal(log_repo, "list", env={"DECLOG_PAGER": "no-such-pager-here -R"}).wait()
    assert code == 0 and rid in shown
