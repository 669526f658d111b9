"""The small ones of issue 11: `show D` is ambiguous like `show D-`, blame of an untracked file
says so plainly, the weekly review does not nest parentheses."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import git, new_decision


def test_a_bare_kind_letter_is_an_ambiguous_prefix(log_repo: Path, run) -> None:
    first = new_decision(run, log_repo, "Use Postgres for orders")
    second = new_decision(run, log_repo, "Use Redis for sessions")
    if first[2] == "d" or second[2] == "d":  # a random part starting with d would be matched first
        return
    both = ", ".join(sorted([first, second]))
    for query in ("D", "d", "D-"):
        res = run(log_repo, "show", query)
        assert res.exit_code == 2, (query, res.output)
        assert res.stderr == f"declog: error: '{query}' is ambiguous: it matches 2 records ({both}); type more characters\n"


def test_blame_of_an_untracked_file_says_so(log_repo: Path, run) -> None:
    git(log_repo, "add", "-A")
    git(log_repo, "commit", "-q", "-m", "init")
    (log_repo / "new.py").write_text("x = 1\n", encoding="utf-8")
    res = run(log_repo, "blame", "new.py")
    assert "  (new.py is not tracked by git (never committed), so no commit is behind its lines)" in res.stdout
    assert "no such path" not in res.output


def test_review_does_not_nest_parentheses(log_repo: Path, run) -> None:
    new_decision(run, log_repo, "Use Postgres for orders")
    git(log_repo, "add", "-A")
    git(log_repo, "commit", "-q", "-m", "Propose")
    text = run(log_repo, "review").stdout
    line = next(line for line in text.splitlines() if "Use Postgres for orders" in line)
    assert "((" not in line and "))" not in line and line.count("(") == 1, line
    assert ", proposed " in line and line.endswith("today)")
