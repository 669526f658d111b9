"""`declog new decision` on a real terminal: each answer is checked where it is typed and asked
again, and whatever fails after the first answer (Ctrl-C included) keeps the answers in a draft
that `--from-file` continues from."""

from __future__ import annotations

import re
from pathlib import Path

from tests.cli.helpers import load
from tests.terminal import Terminal


def _team(run, repo: Path) -> None:
    assert run(repo, "new", "owner", "bob", "--name", "Bob").exit_code == 0
    assert run(repo, "new", "owner", "platform", "--kind", "team", "--name", "Platform", "--lead", "bob").exit_code == 0


def test_owner_and_door_are_checked_where_typed(log_repo: Path, run) -> None:
    _team(run, log_repo)
    t = Terminal(log_repo, "new", "decision", "Use Postgres for orders")
    t.expect("Owner (handle of one active person):")
    t.send("platform")
    t.expect("platform is a team; a single person is accountable: use its lead, bob?")
    t.expect("Owner (handle of one active person):")
    t.send("alcie")
    t.expect("no owner 'alcie' in this log: did you mean alice?")
    t.send("alice")
    door = t.expect("Door (one-way: hard to reverse; two-way: reversible) [one-way/two-way]:")
    assert "((" not in door and "(one-way, two-way)" not in door
    t.send("twoway")
    t.expect("'twoway' is not one of one-way, two-way: did you mean two-way?")
    t.send("two-way")
    t.expect("Context:")
    t.send("Orders need transactions")
    code, rest = t.wait()
    assert code == 0, rest
    rid = re.search(r"Created decision (D-[0-9a-z]{6})", rest)
    assert rid, rest
    data = load(log_repo, rid.group(1))
    assert (data["owner"], data["door"], data["context"]) == ("alice", "two-way", "Orders need transactions")


def _draft_line(text: str, what: str = "decision", then: str = "") -> str:
    """The draft that ``text`` says the answers of ``declog new WHAT`` are kept in, checking that
    the command it gives to continue names the same file (followed by ``then``)."""
    match = re.search(rf"declog: your answers are kept in (\S+); continue with "
                      rf"`declog new {what} --from-file (\S+){re.escape(then)}`", text)
    assert match, text
    assert match.group(1) == match.group(2) and ".git/declog/drafts/" in match.group(1)
    return match.group(1)


def test_ctrl_c_keeps_the_answers_and_from_file_continues(log_repo: Path, run) -> None:
    t = Terminal(log_repo, "new", "decision", "Adopt Kafka for order events")
    t.expect("Owner (handle of one active person) [alice]:")
    t.send("alice")
    t.expect("[one-way/two-way]:")
    t.send("one-way")
    t.expect("Context:")
    t.send("Billing and shipping need order events in order")
    t.expect("Option 1 weighed (TITLE[: WHY NOT]):")
    t.send("Kafka")
    t.expect("Option 2 weighed (TITLE[: WHY NOT]):")
    t.interrupt()
    code, rest = t.wait()
    assert code == 130, rest
    assert "\ndeclog: interrupted\n" in rest  # on its own line, not after the prompt
    draft = _draft_line(rest)
    path = log_repo / draft
    assert path.is_file() and ".git/declog/drafts/" in path.as_posix()
    text = path.read_text(encoding="utf-8")
    assert "Billing and shipping need order events in order" in text and "Kafka" in text
    assert not list((log_repo / "decisions").glob("D-*.yaml"))  # nothing recorded yet

    t = Terminal(log_repo, "new", "decision", "--from-file", draft)
    t.expect("Option 2 weighed (TITLE[: WHY NOT]):")  # only what is still missing is asked
    t.send("SQS: no ordering across consumers")
    t.expect("Expected outcome:")
    t.send("No order event is lost or reordered")
    code, rest = t.wait()
    assert code == 0, rest
    (record,) = (log_repo / "decisions").glob("D-*.yaml")
    data = load(log_repo, record.name[:8])
    assert data["title"] == "Adopt Kafka for order events"
    assert [o["title"] for o in data["options"]] == ["Kafka", "SQS"]
    assert data["expected_outcome"] == "No order event is lost or reordered"


def test_a_failure_after_the_answers_keeps_them(log_repo: Path, run) -> None:
    """The record is refused when it is created (it links a record that does not exist): the
    answers typed before are kept."""
    t = Terminal(log_repo, "new", "decision", "Use Redis for sessions", "--door", "two-way", "--related", "D-zzzzzz")
    t.expect("[alice]:")
    t.send("")
    t.expect("Context:")
    t.send("Sessions must survive a deploy")
    code, rest = t.wait()
    assert code == 1, rest
    assert "declog: error: the new decision is not valid: related" in rest
    text = (log_repo / _draft_line(rest)).read_text(encoding="utf-8")
    assert "Sessions must survive a deploy" in text and "owner: alice" in text and "D-zzzzzz" in text


def test_no_draft_when_nothing_was_typed(log_repo: Path, run) -> None:
    res = run(log_repo, "new", "decision", "Use Redis", "--owner", "alice", "--door", "two-way", "--context", "c",
              "--related", "D-zzzzzz")
    assert res.exit_code == 1 and "answers are kept" not in res.stderr
    assert not (log_repo / ".git" / "declog" / "drafts").exists()
