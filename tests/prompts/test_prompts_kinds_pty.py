"""`declog new mechanism|correction|owner|narrative` and `declog inspect` on a real terminal:
each answer is checked where it is typed and asked again, and whatever fails after the first
answer (Ctrl-C included) keeps the answers in a draft that `--from-file` continues from, as
`declog new decision` does (tests/prompts/test_prompts_pty.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.cli.helpers import FakeEditor
from tests.prompts.test_prompts_pty import _draft_line
from tests.terminal import Terminal


def _records(repo: Path, folder: str) -> list[Path]:
    return sorted((repo / "decisions" / folder).glob("*.yaml"))


def test_mechanism_answers_are_checked_and_kept_on_ctrl_c(log_repo: Path, run) -> None:
    assert run(log_repo, "new", "owner", "platform", "--kind", "team", "--name", "Platform", "--lead",
               "alice").exit_code == 0
    t = Terminal(log_repo, "new", "mechanism", "Weekly deploy review")
    t.expect("Owner (handle of one active person):")
    t.send("platform")
    t.expect("platform is a team; a single person is accountable: use its lead, alice?")
    t.send("alice")
    t.expect("Problem (the good intention it replaces):")
    t.send("   ")
    t.expect("an answer is needed here")
    t.send("Risky deploys reach production")
    t.expect("Tool:")
    t.send("A checklist the pipeline asks for")
    t.expect("Adoption (how people come to use it):")
    t.send("The pipeline blocks a deploy without one")
    t.expect("Inspection cadence (weekly, monthly, 14d …):")
    t.send("every tuesday")
    t.expect("'every tuesday' is not a cadence")
    t.expect("Inspection cadence (weekly, monthly, 14d …):")
    t.send("weekly")
    t.expect("Input metric (NAME>=TARGET UNIT):")
    t.send(">=95 percent")
    t.expect("is not NAME[>=|<=TARGET] [UNIT]")
    t.expect("Input metric (NAME>=TARGET UNIT):")
    t.send("reviewed_pct>=95 percent")
    t.expect("Output metric (NAME<=TARGET UNIT):")
    t.interrupt()
    code, rest = t.wait()
    assert code == 130, rest
    assert "\ndeclog: interrupted\n" in rest
    draft = _draft_line(rest, "mechanism")
    text = (log_repo / draft).read_text(encoding="utf-8")
    assert "Risky deploys reach production" in text and "cadence: weekly" in text and "reviewed_pct" in text
    assert not _records(log_repo, "mechanisms")  # nothing recorded yet

    t = Terminal(log_repo, "new", "mechanism", "--from-file", draft, "--format", "json")
    t.expect("Output metric (NAME<=TARGET UNIT):")  # only what is still missing is asked
    t.send("deploy_incidents<=1 count")
    code, rest = t.wait()
    assert code == 0, rest
    body = json.loads(rest[rest.index("{"):])
    assert (body["owner"], body["problem"], body["inspection"]["cadence"]) == (
        "alice", "Risky deploys reach production", "weekly")
    assert [m["name"] for m in body["input_metrics"]] == ["reviewed_pct"]
    assert [m["name"] for m in body["output_metrics"]] == ["deploy_incidents"]
    assert run(log_repo, "validate").exit_code == 0


def test_correction_asks_title_and_owner_then_the_template(log_repo: Path, run, tmp_path: Path) -> None:
    t = Terminal(log_repo, "new", "correction")
    t.expect("Title (the event in a few words):")
    t.send("Checkout down after a config push")
    t.expect("Owner (handle of one active person) [alice]:")
    t.send("alcie")
    t.expect("no owner 'alcie' in this log: did you mean alice?")
    t.interrupt()
    code, rest = t.wait()
    assert code == 130, rest
    draft = _draft_line(rest, "correction")
    assert "title: Checkout down after a config push" in (log_repo / draft).read_text(encoding="utf-8")
    assert not _records(log_repo, "corrections")

    editor = FakeEditor(tmp_path, ("replace", [
        ('summary: ""', 'summary: "Checkout failed for 40 minutes"'),
        ('timeline:\n  - at: ""\n    what: ""', "timeline: []"),
        ('problem: ""', 'problem: "A bad config shipped"'),
        ('      - ""', '      - "Config changes skip review"'),
        ('root_causes:\n  - ""', 'root_causes:\n  - "Config changes skip review"'),
        ('description: ""', 'description: "Review config changes"'),
        ('due: ""', "due: 2026-04-01"),
    ]))
    t = Terminal(log_repo, "new", "correction", "--from-file", draft, env=editor.env)
    t.expect("Owner (handle of one active person) [alice]:")  # the title is kept, the owner still missing
    t.send("alice")
    code, rest = t.wait()
    assert code == 0, rest
    assert "Checkout down after a config push" in editor.seen[0]  # the template starts from the draft
    (path,) = _records(log_repo, "corrections")
    data = json.loads(run(log_repo, "show", path.name[:8], "--format", "json").stdout)
    assert (data["title"], data["owner"], data["root_causes"]) == (
        "Checkout down after a config push", "alice", ["Config changes skip review"])


def test_a_correction_refused_after_the_template_keeps_the_text(log_repo: Path, run, tmp_path: Path) -> None:
    editor = FakeEditor(tmp_path, ("replace", [('summary: ""', 'summary: "Checkout failed"')]), ("replace", []))
    t = Terminal(log_repo, "new", "correction", "Checkout down", "--owner", "alice", env=editor.env)
    code, rest = t.wait()
    assert code == 1, rest
    match = re.search(r"your text is kept in (\S+)\)", rest)
    assert match, rest
    assert "summary: \"Checkout failed\"" in (log_repo / match.group(1)).read_text(encoding="utf-8")
    assert "your answers are kept" not in rest  # one file, not two
    assert not _records(log_repo, "corrections")


def test_owner_name_is_checked_and_kept_when_the_owner_is_refused(log_repo: Path, run) -> None:
    t = Terminal(log_repo, "new", "owner", "bob", "--team", "nosuch")
    t.expect("Name:")
    t.send("  ")
    t.expect("an answer is needed here")
    t.send("Bob Builder")
    code, rest = t.wait()
    assert code == 1, rest
    draft = _draft_line(rest, "owner")
    text = (log_repo / draft).read_text(encoding="utf-8")
    assert "handle: bob" in text and "name: Bob Builder" in text and "team: nosuch" in text
    (draft_file := log_repo / draft).write_text(text.replace("team: nosuch\n", ""), encoding="utf-8")
    res = run(log_repo, "new", "owner", "--from-file", str(draft_file))
    assert res.exit_code == 0 and res.stdout == "Created owner bob: decisions/owners/bob.yaml\n", res.output


def test_narrative_owner_is_checked_and_kept_with_edit_to_continue(log_repo: Path, run, tmp_path: Path) -> None:
    unchanged = FakeEditor(tmp_path / "a", ("replace", []))
    t = Terminal(log_repo, "new", "narrative", env=unchanged.env)
    t.expect("Headline (what the customer gets):")
    t.send("Orders ships one-click reorder")
    t.expect("Owner (handle of one person) [alice]:")
    t.send("bob")
    t.expect("no owner 'bob' in this log")
    t.send("alice")
    code, rest = t.wait()
    assert code == 2, rest  # the template came back unchanged: nothing recorded
    draft = _draft_line(rest, "narrative", " --edit")
    text = (log_repo / draft).read_text(encoding="utf-8")
    assert "title: Orders ships one-click reorder" in text and "owner: alice" in text

    editor = FakeEditor(tmp_path / "b", ("replace", [("subtitle: \n", "subtitle: For people who order the same\n")]))
    res = Terminal(log_repo, "new", "narrative", "--from-file", draft, "--edit", env=editor.env).wait()
    assert res[0] == 0, res[1]
    assert "Orders ships one-click reorder" in editor.seen[0]
    (path,) = _records(log_repo, "narratives")
    assert "owner: alice" in path.read_text(encoding="utf-8")


def test_inspect_verdict_is_checked_where_typed(log_repo: Path, run) -> None:
    res = run(log_repo, "new", "mechanism", "Weekly deploy review", "--owner", "alice", "--status", "piloting",
              "--problem", "Risky deploys", "--no-input")
    assert res.exit_code == 0, res.output
    mid = res.stdout.split()[2].rstrip(":")
    t = Terminal(log_repo, "inspect", mid)
    t.expect("Verdict [working/degraded/broken]:")
    t.send("workng")
    t.expect("'workng' is not one of working, degraded, broken: did you mean working?")
    t.send("working")
    code, rest = t.wait()
    assert code == 0, rest
    assert "Created inspection" in rest and mid in rest
