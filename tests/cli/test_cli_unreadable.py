"""One rule for record files that cannot be read: every command that reads the log names each
one on its own warning line and goes on with the rest; exports exit 1 (0 with --force)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import git, new_decision

BROKEN = ("decisions/D-zzzzz1-broken.yaml", "decisions/D-zzzzz2-also-broken.yaml")


@pytest.fixture
def broken_repo(log_repo: Path, run) -> Path:
    new_decision(run, log_repo, "Use Postgres for orders")
    for rel in BROKEN:
        (log_repo / rel).write_text("id: D-zzzzzz\ntitle: [unclosed\n", encoding="utf-8")
    git(log_repo, "add", "-A")
    git(log_repo, "commit", "-q", "-m", "Two broken records")
    return log_repo


def _warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("declog: warning:")]


@pytest.mark.parametrize("args", [("why", "postgres"), ("review",), ("owners",), ("graph",), ("retro", "--since", "1y"),
                                  ("blame", "decisions"), ("list",)], ids=lambda a: a[0])
def test_each_unreadable_record_gets_one_warning_line(broken_repo: Path, run, args: tuple[str, ...]) -> None:
    res = run(broken_repo, *args)
    assert "Traceback" not in res.output and "internal error" not in res.output
    lines = _warnings(res.stderr)
    assert len(lines) == 2, res.stderr
    for rel, line in zip(BROKEN, lines, strict=True):
        assert line.startswith("declog: warning: ") and f"cannot be read: {rel}:" in line
        assert line.endswith("; run `declog validate`")


def test_export_html_exits_1_unless_forced(broken_repo: Path, run, tmp_path: Path) -> None:
    res = run(broken_repo, "export", "html", "--out", str(tmp_path / "site"))
    assert res.exit_code == 1 and len(_warnings(res.stderr)) == 2
    assert (tmp_path / "site" / "index.html").is_file()  # the rest is written
    res = run(broken_repo, "export", "html", "--out", str(tmp_path / "site"), "--force")
    assert res.exit_code == 0 and len(_warnings(res.stderr)) == 2


def test_export_json_and_markdown_exit_0_with_force(broken_repo: Path, run, tmp_path: Path) -> None:
    assert run(broken_repo, "export", "json", "--out", "-").exit_code == 1
    assert run(broken_repo, "export", "json", "--out", "-", "--force").exit_code == 0
    assert run(broken_repo, "export", "markdown", "--out", str(tmp_path / "md")).exit_code == 1
    assert run(broken_repo, "export", "markdown", "--out", str(tmp_path / "md"), "--force").exit_code == 0
