"""`declog retro`, `validate --against` and `blame --changed-since` on real branches."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import git, new_decision
from tests.history.conftest import commit, path_of, set_line


def _write_decision(repo: Path, rid: str, title: str, status: str = "proposed", **extra: str) -> Path:
    path = repo / "decisions" / f"{rid}-{title.lower().replace(' ', '-')}.yaml"
    lines = [f"id: {rid}", f"title: {title}", f"status: {status}", "owner: alice", "door: two-way",
             "context: Written by a test."]
    lines += [f"{k}: {v}" for k, v in extra.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_retro_groups_a_window(log_repo: Path, run, hrun) -> None:
    old = new_decision(run, log_repo, "Use MySQL for orders")
    early = new_decision(run, log_repo, "Ship on Fridays")
    commit(log_repo, "January", "2026-01-10T00:00:00Z", author="Alice Example")
    p = path_of(log_repo, early)
    set_line(p, "status", "accepted")
    set_line(p, "decision", "Ship whenever green")
    set_line(p, "rationale", "Small batches are safer")
    set_line(p, "decided_on", "2026-03-03")
    commit(log_repo, "Decide shipping", "2026-03-03T10:00:00Z", author="Bob Builder")
    new = new_decision(run, log_repo, "Use Postgres for orders")
    set_line(path_of(log_repo, new), "supersedes", f"[{old}]")
    q = path_of(log_repo, old)
    set_line(q, "status", "superseded")
    set_line(q, "superseded_by", new)
    commit(log_repo, "Replace MySQL", "2026-03-10T10:00:00Z", author="Carol")
    idea = new_decision(run, log_repo, "Try a four-day week")
    commit(log_repo, "Idea", "2026-03-12T10:00:00Z")
    set_line(path_of(log_repo, idea), "status", "rejected")
    set_line(path_of(log_repo, early), "consequences", "Fewer hotfix weekends")
    commit(log_repo, "Reject the idea, note consequences", "2026-03-20T10:00:00Z", author="Dana")
    set_line(path_of(log_repo, early), "status", "deprecated")
    commit(log_repo, "After the window", "2026-04-02T10:00:00Z")

    data = hrun(log_repo, "retro", "--since", "2026-03-01", "--until", "2026-03-31")
    groups = {k: [i["id"] for i in v] for k, v in data["groups"].items()}
    assert groups["decided"] == [early]
    assert groups["proposed"] == [new]
    assert groups["superseded"] == [old]
    assert groups["rejected"] == [idea]
    assert groups["changed"] == [] and groups["deprecated"] == []
    decided = data["groups"]["decided"][0]
    assert decided["commit"]["author"] == "Bob Builder" and "consequences" in decided["fields_changed"]
    assert data["groups"]["superseded"][0]["superseded_by"] == new
    text = run(log_repo, "retro", "--since", "2026-03-01", "--until", "2026-03-31").stdout
    assert f"{early} Ship on Fridays — accepted on 2026-03-03 by Bob Builder (was proposed)" in text
    assert f"replaced by {new} Use Postgres for orders" in text
    md = run(log_repo, "retro", "--since", "2026-03-01", "--until", "2026-03-31", "--format", "markdown").stdout
    assert md.startswith("# Decisions from 2026-03-01 to 2026-03-31") and "## Decided (1)" in md
    assert f"- **{early}** Ship on Fridays" in md
    april = hrun(log_repo, "retro", "--since", "2026-04-01", "--until", "2026-04-30")
    assert [i["id"] for i in april["groups"]["deprecated"]] == [early]
    assert "Nothing was decided" in run(log_repo, "retro", "--since", "2025-01-01", "--until", "2025-02-01").stdout
    assert run(log_repo, "retro", "--since", "2026-05-01", "--until", "2026-04-01").exit_code == 2
    assert run(log_repo, "retro", "--since", "March").exit_code == 2


def test_validate_against_target_branch(log_repo: Path, run) -> None:
    keep = _write_decision(log_repo, "D-aaaaaa", "Keep me", "accepted", decision="Do it", rationale="Because",
                           decided_on="2026-01-01")
    gone = _write_decision(log_repo, "D-bbbbbb", "Delete me")
    commit(log_repo, "base", "2026-01-01T00:00:00Z")
    git(log_repo, "checkout", "-q", "-b", "feature")
    git(log_repo, "checkout", "-q", "main")
    _write_decision(log_repo, "D-cccccc", "Main took this ID", related="[D-bbbbbb]")
    set_line(gone, "tags", "[main-edit]")
    commit(log_repo, "main moves on", "2026-01-02T00:00:00Z")
    git(log_repo, "checkout", "-q", "feature")
    _write_decision(log_repo, "D-cccccc", "Feature took this ID too")
    gone.unlink()
    set_line(keep, "rationale", "A completely different reason")
    commit(log_repo, "feature work", "2026-01-03T00:00:00Z")

    assert run(log_repo, "validate").exit_code == 0  # a hook on this branch sees nothing wrong
    res = run(log_repo, "validate", "--against", "main")
    assert res.exit_code == 1
    out = res.stdout
    assert "D-cccccc was also taken on main after this branch forked" in out
    assert "D-bbbbbb is deleted on this branch but main still has it" in out
    assert "main changed it since this branch forked" in out and "D-cccccc still point at it" not in out
    assert "rewritten" not in out  # protect_accepted is off by default
    cfg = log_repo / ".declog.yaml"
    cfg.write_text(cfg.read_text() + "protect_accepted: true\n")
    out = run(log_repo, "validate", "--against", "main", "--format", "json").stdout
    assert '"code": "rewritten"' in out and "rationale changed since main" in out
    # once merged, the target's IDs are ours: nothing is "taken since the fork" any more
    git(log_repo, "checkout", "-q", "main")
    assert run(log_repo, "validate", "--against", "main").exit_code == 0
    res = run(log_repo, "validate", "--against", "--output=/tmp/x")
    assert res.exit_code == 2


def test_blame_changed_since(log_repo: Path, run, hrun) -> None:
    scoped = _write_decision(log_repo, "D-aaaaaa", "Payments code rules", scope="['src/payments/**']")
    _write_decision(log_repo, "D-bbbbbb", "Unrelated")
    _write_decision(log_repo, "D-cccccc", "Linked by a trailer")
    (log_repo / "src" / "payments").mkdir(parents=True)
    (log_repo / "src" / "payments" / "pay.py").write_text("x\n")
    commit(log_repo, "base", "2026-01-01T00:00:00Z")
    git(log_repo, "checkout", "-q", "-b", "feature")
    (log_repo / "src" / "payments" / "pay.py").write_text("y\n")
    commit(log_repo, "change payments", "2026-01-02T00:00:00Z")
    (log_repo / "README").write_text("readme\n")
    commit(log_repo, "docs\n\nDecision: D-cccccc", "2026-01-03T00:00:00Z")
    set_line(log_repo / "decisions" / "D-bbbbbb-unrelated.yaml", "tags", "[x]")  # uncommitted record edit
    data = hrun(log_repo, "blame", "--changed-since", "main")
    found = {d["id"]: [r["via"] for r in d["reasons"]] for d in data["decisions"]}
    assert found == {"D-cccccc": ["trailer"], "D-bbbbbb": ["record"], "D-aaaaaa": ["scope"]}
    assert set(data["files"]) == {"src/payments/pay.py", "README", "decisions/D-bbbbbb-unrelated.yaml"}
    assert scoped.exists()
    git(log_repo, "checkout", "-q", "-f", "main")
    res = run(log_repo, "blame", "--changed-since", "main")
    assert res.exit_code == 1
