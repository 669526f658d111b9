"""Mechanisms, inspections and corrections of error: models, validation rules (in one record and
across records, with path:line:col messages), and the commands that write them."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from declog.domain import cadence
from declog.domain.models import Correction, Inspection, Mechanism
from tests.conftest import git

MECHANISM: dict[str, Any] = {
    "id": "M-7k3m9q", "name": "Weekly deploy review", "owner": "alice", "status": "active",
    "problem": "Risky deploys reach production unreviewed", "tool": "A checklist the pipeline asks for",
    "adoption": "The pipeline blocks a deploy without one", "inspection": {"cadence": "weekly"},
    "input_metrics": [{"name": "reviewed_pct", "unit": "percent", "target": 95, "direction": "up"}],
    "output_metrics": [{"name": "deploy_incidents", "target": 1, "direction": "down"}],
}
CORRECTION: dict[str, Any] = {
    "id": "C-7k3m9q", "title": "Checkout down", "owner": "alice", "status": "open", "summary": "Checkout failed",
    "five_whys": [{"problem": "Checkout failed", "whys": ["Bad config", "No review"]}],
    "root_causes": ["Config changes skip review"],
    "action_items": [{"description": "Review config", "owner": "alice", "due": "2026-04-01", "type": "mechanism",
                      "mechanism": "M-7k3m9q"}],
}


def rule_messages(model: Any, data: dict[str, Any]) -> list[str]:
    return [f"{'.'.join(map(str, p.loc))}: {p.message}" for p in model.model_validate(data).rule_problems()]


# -- cadences --------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "last", "due"), [
    ("daily", "2026-03-02", "2026-03-03"), ("weekly", "2026-03-02", "2026-03-09"),
    ("14d", "2026-03-02", "2026-03-16"), ("2w", "2026-03-02", "2026-03-16"),
    ("monthly", "2026-01-31", "2026-02-28"), ("quarterly", "2026-11-30", "2027-02-28"),
    ("fortnightly", "2026-03-02", "2026-03-16"),
])
def test_cadences(text: str, last: str, due: str) -> None:
    assert cadence.next_due(dt.date.fromisoformat(last), text) == dt.date.fromisoformat(due)


@pytest.mark.parametrize("text", ["", "sometimes", "0d", "14", "2x", "weekly!"])
def test_bad_cadences(text: str) -> None:
    assert not cadence.is_valid(text)


# -- models ----------------------------------------------------------------------------------

def test_an_active_mechanism_is_complete() -> None:
    assert rule_messages(Mechanism, MECHANISM) == []
    bare = {k: MECHANISM[k] for k in ("id", "name", "owner", "status", "problem")}
    assert rule_messages(Mechanism, bare) == [
        "tool: an active mechanism needs `tool`", "adoption: an active mechanism needs `adoption`",
        "inspection: an active mechanism needs `inspection`",
        "input_metrics: an active mechanism needs at least one of `input_metrics`",
        "output_metrics: an active mechanism needs at least one of `output_metrics`",
    ]
    assert rule_messages(Mechanism, {**bare, "status": "piloting"}) == []


def test_mechanism_metric_rules() -> None:
    data = {**MECHANISM, "output_metrics": [{"name": "reviewed_pct", "target": 3}]}
    assert rule_messages(Mechanism, data) == [
        "output_metrics.0.name: metric 'reviewed_pct' is named twice",
        "output_metrics.0.direction: a metric with a `target` needs a `direction` (up or down)",
    ]
    with pytest.raises(Exception, match="not a cadence"):
        Mechanism.model_validate({**MECHANISM, "inspection": {"cadence": "sometimes"}})
    with pytest.raises(Exception, match="extra"):
        Mechanism.model_validate({**MECHANISM, "cost": 3})


def test_inspection_model() -> None:
    data = {"id": "I-7k3m9q", "mechanism": "M-7k3m9q", "on": "2026-03-02", "inspector": "alice",
            "verdict": "working", "readings": {"reviewed_pct": 97.5}}
    assert Inspection.model_validate(data).readings == {"reviewed_pct": 97.5}
    with pytest.raises(ValidationError):
        Inspection.model_validate({**data, "verdict": "fine"})
    with pytest.raises(ValidationError):
        Inspection.model_validate({**data, "readings": {"reviewed_pct": "high"}})


def test_correction_rules() -> None:
    assert rule_messages(Correction, CORRECTION) == []
    bare = {k: CORRECTION[k] for k in ("id", "title", "owner", "status", "summary")}
    assert rule_messages(Correction, bare) == [
        "five_whys: a correction needs at least one chain of whys (`five_whys`) unless it is a draft",
        "root_causes: a correction needs at least one root cause (`root_causes`) unless it is a draft",
        "action_items: a correction needs at least one action item (`action_items`) unless it is a draft",
    ]
    assert rule_messages(Correction, {**bare, "status": "draft"}) == []
    item = CORRECTION["action_items"][0]
    closed = {**CORRECTION, "status": "closed"}
    assert rule_messages(Correction, closed) == [
        "action_items.0.status: the correction is closed but this action item is open: "
        "mark it done, or wont-do with a reason"]
    wont = {**closed, "action_items": [{**item, "status": "wont-do"}]}
    assert rule_messages(Correction, wont) == ["action_items.0.reason: a wont-do action item needs a `reason`"]
    assert rule_messages(Correction, {**closed, "action_items": [{**item, "status": "wont-do", "reason": "moot"}]}) == []
    assert rule_messages(Correction, {**closed, "action_items": [{**item, "status": "done"}]}) == []
    no_link = {**CORRECTION, "action_items": [{k: v for k, v in item.items() if k != "mechanism"}]}
    assert rule_messages(Correction, no_link) == [
        "action_items.0.mechanism: an action item of type mechanism links the mechanism (M-xxxxxx)"]
    with pytest.raises(ValidationError):  # one owner and a due date on every item
        Correction.model_validate({**CORRECTION, "action_items": [{k: v for k, v in item.items() if k != "due"}]})


# -- validation across records, through the CLI ---------------------------------------------

def write(repo: Path, rel: str, data: dict[str, Any]) -> str:
    from declog.storage import yamlio

    path = repo / "decisions" / rel
    path.write_text(yamlio.dump_roundtrip(data), encoding="utf-8")
    return f"decisions/{rel}"


@pytest.fixture
def coe_repo(log_repo: Path, run) -> Path:
    """alice (active), bob (inactive), team platform (lead alice), a mechanism and a correction."""
    assert run(log_repo, "new", "owner", "bob", "--name", "Bob").exit_code == 0
    assert run(log_repo, "set", "bob", "active=false").exit_code == 0
    assert run(log_repo, "new", "owner", "platform", "--kind", "team", "--name", "Platform", "--lead", "alice").exit_code == 0
    write(log_repo, "mechanisms/M-7k3m9q-weekly-deploy-review.yaml", MECHANISM)
    write(log_repo, "corrections/C-7k3m9q-checkout-down.yaml", CORRECTION)
    return log_repo


def test_a_valid_log_of_every_kind(coe_repo: Path, run) -> None:
    res = run(coe_repo, "validate")
    assert res.exit_code == 0, res.output


def test_owners_everywhere_are_single_active_persons(coe_repo: Path, run) -> None:
    write(coe_repo, "mechanisms/M-7k3m9q-weekly-deploy-review.yaml", {**MECHANISM, "owner": "platform"})
    item = {**CORRECTION["action_items"][0], "owner": "bob"}
    write(coe_repo, "corrections/C-7k3m9q-checkout-down.yaml", {**CORRECTION, "action_items": [item]})
    res = run(coe_repo, "validate")
    assert res.exit_code == 1
    assert ("decisions/mechanisms/M-7k3m9q-weekly-deploy-review.yaml:3:1: owner: 'platform' is a team; "
            "a single person must own this (name its lead, alice)") in res.stdout
    assert ("decisions/corrections/C-7k3m9q-checkout-down.yaml:15:5: action_items.0.owner: owner 'bob' is "
            "inactive: hand this record to an active person") in res.stdout


def test_an_action_item_of_type_mechanism_links_an_existing_mechanism(coe_repo: Path, run) -> None:
    item = {**CORRECTION["action_items"][0], "mechanism": "M-zzzzzz"}
    write(coe_repo, "corrections/C-7k3m9q-checkout-down.yaml", {**CORRECTION, "action_items": [item]})
    res = run(coe_repo, "validate")
    assert res.exit_code == 1
    assert "action_items.0.mechanism: 'M-zzzzzz' does not resolve to any mechanism" in res.stdout


def test_an_inspection_names_an_existing_mechanism_and_only_its_metrics(coe_repo: Path, run) -> None:
    good = {"id": "I-aaaaaa", "mechanism": "M-7k3m9q", "on": "2026-03-02", "inspector": "alice",
            "verdict": "working", "readings": {"reviewed_pct": 97}}
    write(coe_repo, "inspections/I-aaaaaa-2026-03-02.yaml", good)
    assert run(coe_repo, "validate").exit_code == 0
    write(coe_repo, "inspections/I-bbbbbb-2026-03-03.yaml",
          {**good, "id": "I-bbbbbb", "readings": {"coverage": 3}, "inspector": "zed"})
    write(coe_repo, "inspections/I-cccccc-2026-03-03.yaml", {**good, "id": "I-cccccc", "mechanism": "C-7k3m9q"})
    res = run(coe_repo, "validate")
    assert res.exit_code == 1
    assert ("decisions/inspections/I-bbbbbb-2026-03-03.yaml:7:3: readings.coverage: 'coverage' is not a metric of "
            "M-7k3m9q (its metrics: reviewed_pct, deploy_incidents)") in res.stdout
    assert "I-bbbbbb-2026-03-03.yaml:4:1: inspector: unknown owner 'zed'" in res.stdout
    assert "I-cccccc-2026-03-03.yaml:2:1: mechanism: 'C-7k3m9q' does not resolve to any mechanism" in res.stdout
    # the hook on the mechanism alone still reports inspections that a renamed metric breaks
    renamed = {**MECHANISM, "input_metrics": [{**MECHANISM["input_metrics"][0], "name": "reviewed"}]}
    path = write(coe_repo, "mechanisms/M-7k3m9q-weekly-deploy-review.yaml", renamed)
    (coe_repo / "decisions" / "inspections" / "I-bbbbbb-2026-03-03.yaml").unlink()
    (coe_repo / "decisions" / "inspections" / "I-cccccc-2026-03-03.yaml").unlink()
    res = run(coe_repo, "validate", path)
    assert res.exit_code == 1
    assert "I-aaaaaa-2026-03-02.yaml:7:3: readings.reviewed_pct: 'reviewed_pct' is not a metric" in res.stdout


def test_in_record_rules_have_locations(coe_repo: Path, run) -> None:
    write(coe_repo, "corrections/C-7k3m9q-checkout-down.yaml", {**CORRECTION, "status": "closed"})
    write(coe_repo, "mechanisms/M-7k3m9q-weekly-deploy-review.yaml", {**MECHANISM, "tool": None})
    res = run(coe_repo, "validate")
    assert res.exit_code == 1
    assert "C-7k3m9q-checkout-down.yaml:14:5: action_items.0.status: the correction is closed" in res.stdout
    assert "M-7k3m9q-weekly-deploy-review.yaml:6:1: tool:" in res.stdout


# -- commands ----------------------------------------------------------------------------------

def new_mechanism(run, repo: Path, name: str = "Weekly deploy review", *extra: str) -> str:
    res = run(repo, "new", "mechanism", name, "--owner", "alice", "--problem", "Risky deploys",
              "--tool", "A checklist", "--adoption", "The pipeline asks for it", "--cadence", "weekly",
              "--input-metric", "reviewed_pct>=95 percent", "--output-metric", "deploy_incidents<=1 count",
              "--format", "json", *extra)
    assert res.exit_code == 0, res.output
    return str(json.loads(res.stdout)["id"])


def test_new_mechanism_inspect_list_and_show(log_repo: Path, run) -> None:
    mid = new_mechanism(run, log_repo)
    data = json.loads(run(log_repo, "show", mid, "--format", "json").stdout)
    assert data["input_metrics"] == [{"name": "reviewed_pct", "unit": "percent", "target": 95, "direction": "up"}]
    assert data["output_metrics"][0]["direction"] == "down"
    res = run(log_repo, "inspect", mid[:5], "--verdict", "degraded", "--metric", "reviewed_pct=90.5",
              "--metric", "deploy_incidents=2", "--note", "Two skipped", "--on", "2026-03-02", "--format", "json")
    assert res.exit_code == 0, res.output
    ins = json.loads(res.stdout)
    assert ins["path"].startswith("decisions/inspections/I-") and ins["path"].endswith("-2026-03-02.yaml")
    assert ins["readings"] == {"reviewed_pct": 90.5, "deploy_incidents": 2} and ins["inspector"] == "alice"
    res = run(log_repo, "inspect", mid, "--verdict", "working", "--metric", "typo=1")
    assert res.exit_code == 1 and "readings.typo: 'typo' is not a metric of" in res.output
    assert run(log_repo, "inspect", mid, "--verdict", "working", "--metric", "reviewed_pct=high").exit_code == 2
    assert run(log_repo, "inspect", mid).exit_code == 2  # no --verdict without a terminal
    assert run(log_repo, "inspect", "alice", "--verdict", "working").exit_code == 2  # not a mechanism
    listed = run(log_repo, "list", "mechanisms")
    assert mid in listed.stdout and "weekly" in listed.stdout
    assert ins["id"] in run(log_repo, "list", "inspections").stdout
    shown = run(log_repo, "show", ins["id"])
    assert shown.exit_code == 0 and "verdict: degraded" in shown.stdout and "reviewed_pct: 90.5" in shown.stdout
    assert run(log_repo, "validate").exit_code == 0


def test_new_mechanism_refuses_what_is_missing(log_repo: Path, run) -> None:
    res = run(log_repo, "new", "mechanism", "Half a mechanism", "--owner", "alice", "--problem", "p")
    assert res.exit_code == 2
    assert "missing required field(s): tool, adoption, inspection, input_metrics, output_metrics" in res.output
    assert "--cadence" in res.output
    res = run(log_repo, "new", "mechanism", "Pilot", "--owner", "alice", "--problem", "p", "--status", "piloting")
    assert res.exit_code == 0, res.output
    assert run(log_repo, "new", "mechanism", "X", "--owner", "alice", "--problem", "p", "--status", "piloting",
               "--cadence", "sometimes").exit_code == 2


def test_new_correction_with_flags_and_from_file(log_repo: Path, run, tmp_path: Path) -> None:
    mid = new_mechanism(run, log_repo)
    res = run(log_repo, "new", "correction", "Checkout down", "--owner", "alice", "--summary", "It broke",
              "--why", "Bad config shipped > No review > Config is not code", "--root-cause", "No review",
              "--action", f"Review config; owner=alice; due=2026-04-01; mechanism={mid}",
              "--action", "Roll back the config; owner=alice; due=2026-03-03", "--format", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["five_whys"] == [{"problem": "Bad config shipped", "whys": ["No review", "Config is not code"]}]
    assert [i["type"] for i in data["action_items"]] == ["mechanism", "fix"]
    assert data["action_items"][0]["mechanism"] == mid
    assert " 2 " in run(log_repo, "list", "corrections").stdout  # open action items
    draft = tmp_path / "coe.yaml"
    draft.write_text("title: From a file\nowner: alice\nstatus: draft\nsummary: Later\n", encoding="utf-8")
    assert run(log_repo, "new", "correction", "--from-file", str(draft)).exit_code == 0
    res = run(log_repo, "new", "correction", "Half", "--owner", "alice", "--summary", "s")
    assert res.exit_code == 2 and "five_whys, root_causes, action_items" in res.output and "--why" in res.output


def test_new_correction_opens_a_commented_template(log_repo: Path, run, tmp_path: Path, monkeypatch) -> None:
    from declog.cli import cmd_new

    seen: list[str] = []

    def fake_edit(text: str, **_: Any) -> str:
        seen.append(text)
        return (text.replace('summary: ""', "summary: It broke")
                .replace('  - problem: ""\n    whys:\n      - ""', "  - problem: It broke\n    whys:\n      - No review")
                .replace('root_causes:\n  - ""', "root_causes:\n  - No review")
                .replace('  - description: ""', "  - description: Review config").replace('due: ""', "due: 2026-04-01")
                .replace('timeline:\n  - at: ""\n    what: ""', "timeline: []"))

    monkeypatch.setattr("click.edit", fake_edit)
    monkeypatch.setattr(cmd_new, "is_interactive", lambda: True)
    res = run(log_repo, "new", "correction", "Checkout down", "--owner", "alice", "--format", "json")
    assert res.exit_code == 0, res.output
    assert "# One or more chains of whys" in seen[0] and "# What will be done." in seen[0]
    data = json.loads(res.stdout)
    assert data["root_causes"] == ["No review"] and data["action_items"][0]["owner"] == "alice"


def test_show_works_for_every_kind(coe_repo: Path, run) -> None:
    for rid in ("M-7k3m9q", "C-7k3m9q", "alice"):
        assert run(coe_repo, "show", rid).exit_code == 0
    assert "owner: alice" in run(coe_repo, "show", "M-7k3m9q").stdout


def test_inspections_on_two_branches_merge_cleanly(log_repo: Path, run) -> None:
    mid = new_mechanism(run, log_repo)
    git(log_repo, "add", "-A")
    git(log_repo, "commit", "-qm", "mechanism")
    git(log_repo, "checkout", "-qb", "feature")
    assert run(log_repo, "inspect", mid, "--verdict", "working", "--metric", "reviewed_pct=97",
               "--on", "2026-03-02").exit_code == 0
    git(log_repo, "add", "-A")
    git(log_repo, "commit", "-qm", "bob inspects")
    git(log_repo, "checkout", "-q", "main")
    assert run(log_repo, "inspect", mid, "--verdict", "degraded", "--metric", "reviewed_pct=80",
               "--on", "2026-03-02").exit_code == 0
    git(log_repo, "add", "-A")
    git(log_repo, "commit", "-qm", "alice inspects")
    git(log_repo, "merge", "-q", "--no-edit", "feature")  # raises if it conflicts
    listed = json.loads(run(log_repo, "list", "inspections", "--format", "json").stdout)
    assert len(listed) == 2 and len({r["id"] for r in listed}) == 2
    assert run(log_repo, "validate").exit_code == 0
