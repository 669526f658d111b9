"""What git users expect of a command line, and filters that say why they match nothing:
`declog help CMD`, did-you-mean, choices of --status, suggestions for --owner, retro windows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.conftest import git, new_decision


def test_help_cmd_is_cmd_help(log_repo: Path, run) -> None:
    assert run(log_repo, "help", "set").stdout == run(log_repo, "set", "--help").stdout
    assert run(log_repo, "help", "new", "decision").stdout == run(log_repo, "new", "decision", "--help").stdout
    assert run(log_repo, "help").stdout == run(log_repo, "--help").stdout
    res = run(log_repo, "help", "sett")
    assert res.exit_code == 2 and "Error: No such command 'sett'. Did you mean 'set'?" in res.stderr


def test_a_mistyped_command_gets_a_suggestion(log_repo: Path, run) -> None:
    res = run(log_repo, "lsit")
    assert res.exit_code == 2
    assert res.stderr.splitlines()[-1] == "Error: No such command 'lsit'. Did you mean 'list'? (`declog --help` lists them.)"
    res = run(log_repo, "zzzz")
    assert res.stderr.splitlines()[-1] == "Error: No such command 'zzzz'. (`declog --help` lists them.)"


def test_list_status_is_checked_against_the_kind(log_repo: Path, run) -> None:
    new_decision(run, log_repo)
    res = run(log_repo, "list", "--status", "acepted")
    assert (res.exit_code, res.stdout) == (2, "")
    assert res.stderr == ("declog: error: --status 'acepted' is not a decision status (did you mean accepted?): "
                          "use one of proposed, accepted, rejected, superseded, deprecated\n")
    res = run(log_repo, "list", "mechanisms", "--status", "accepted")
    assert res.exit_code == 2 and "use one of piloting, active, retired" in res.stderr
    assert run(log_repo, "list", "--status", "proposed").exit_code == 0


def test_list_owner_suggests_close_handles(log_repo: Path, run) -> None:
    new_decision(run, log_repo)
    res = run(log_repo, "list", "--owner", "alcie")
    assert res.exit_code == 2
    assert res.stderr == "declog: error: --owner 'alcie' is not an owner in this log: did you mean alice?\n"
    res = run(log_repo, "list", "--owner", "nobody")
    assert res.stderr == "declog: error: --owner 'nobody' is not an owner in this log (owners: alice)\n"
    assert run(log_repo, "list", "--owner", "alice").exit_code == 0


def _commit_on(repo: Path, day: str, message: str) -> None:
    env_date = f"{day}T12:00:00+00:00"
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-m", message,
        "--date", env_date)


def test_retro_defaults_to_the_last_7_days_and_takes_spans(log_repo: Path, run, monkeypatch) -> None:
    today = dt.datetime.now(dt.UTC).date()
    old = (today - dt.timedelta(days=20)).isoformat()
    recent = (today - dt.timedelta(days=2)).isoformat()
    monkeypatch.setenv("GIT_COMMITTER_DATE", f"{old}T12:00:00+00:00")
    new_decision(run, log_repo, "Use Postgres for orders")
    _commit_on(log_repo, old, "old decision")
    monkeypatch.setenv("GIT_COMMITTER_DATE", f"{recent}T12:00:00+00:00")
    new_decision(run, log_repo, "Use Redis for sessions")
    _commit_on(log_repo, recent, "recent decision")
    res = run(log_repo, "retro")
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith(f"Decisions from {(today - dt.timedelta(days=7)).isoformat()} to {today}\n")
    assert "Use Redis for sessions" in res.stdout and "Use Postgres for orders" not in res.stdout
    three = run(log_repo, "retro", "--since", "3w").stdout
    assert "Use Redis for sessions" in three and "Use Postgres for orders" in three
    month = run(log_repo, "retro", "--since", "1m").stdout
    assert "Use Postgres for orders" in month
    assert run(log_repo, "retro", "--since", "1d").exit_code == 1  # nothing in the last day
    res = run(log_repo, "retro", "--since", "lastweek")
    assert res.exit_code == 2 and "or a span back from today such as 7d, 2w or 1m, not 'lastweek'" in res.stderr
