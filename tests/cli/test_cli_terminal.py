"""Text from records reaches the terminal as text: an escape sequence in a title cannot retitle
the terminal, move the cursor or write the clipboard (docs/security.md, S-terminal-escapes)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import git

# OSC 0 (set the window title), CSI (colour) as a C1 character, OSC 52 (write the clipboard), BEL
EVIL = "Evil \x1b]0;pwned\x07 title \x9b31m red \x1b]52;c;cm0gLXJmIH4=\x07 end"
EVIL_YAML = r'"Evil \e]0;pwned\a title \x9b31m red \e]52;c;cm0gLXJmIH4=\a end"'
RAW_CONTROLS = [chr(c) for c in [*range(0x00, 0x09), *range(0x0B, 0x0D), *range(0x0E, 0x20), 0x7F, *range(0x80, 0xA0)]]


def _evil_record(repo: Path) -> Path:
    path = repo / "decisions" / "D-aaaaaa-evil.yaml"
    path.write_text(f"id: D-aaaaaa\ntitle: {EVIL_YAML}\nstatus: proposed\nowner: alice\ndoor: two-way\n"
                    f"context: {EVIL_YAML}\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "A title with escape sequences")
    return path


def _no_raw_controls(text: str) -> None:
    found = sorted({f"U+{ord(c):04X}" for c in text if c in RAW_CONTROLS})
    assert not found, f"control characters reached the terminal: {found}"


def test_list_show_why_and_history_print_escape_sequences_as_text(log_repo: Path, run) -> None:
    _evil_record(log_repo)
    for args in (["list"], ["show", "D-aaaaaa"], ["why", "evil title"], ["history", "D-aaaaaa"],
                 ["list", "--format", "markdown"], ["list", "--format", "csv"]):
        res = run(log_repo, *args)
        assert res.exit_code == 0, (args, res.output)
        _no_raw_controls(res.output)
    shown = run(log_repo, "show", "D-aaaaaa").stdout
    assert r"Evil \u001b]0;pwned\u0007 title \u009b31m red" in shown


def test_json_output_still_parses_to_the_exact_text(log_repo: Path, run) -> None:
    _evil_record(log_repo)
    res = run(log_repo, "show", "D-aaaaaa", "--format", "json")
    _no_raw_controls(res.stdout)
    assert json.loads(res.stdout)["title"] == EVIL
    listed = json.loads(run(log_repo, "list", "--format", "json").stdout)
    assert [r["title"] for r in listed if r["id"] == "D-aaaaaa"] == [EVIL]


def test_an_error_message_quoting_a_query_shows_its_controls_as_text(log_repo: Path, run) -> None:
    res = run(log_repo, "show", "D-\x1b]0;x\x07")
    assert res.exit_code == 1 and "no record matches" in res.stderr
    _no_raw_controls(res.output)
    assert r"\u001b" in res.stderr


def test_the_real_executable_on_a_pipe(log_repo: Path) -> None:
    """The same through the installed entry point, bytes as the terminal would receive them."""
    _evil_record(log_repo)
    exe = Path(sys.executable).parent / "declog"
    proc = subprocess.run([str(exe), "show", "D-aaaaaa"], cwd=log_repo, capture_output=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert b"\x1b" not in proc.stdout and b"\x07" not in proc.stdout and b"\xc2\x9b" not in proc.stdout
    assert b"Evil \\u001b]0;pwned" in proc.stdout
