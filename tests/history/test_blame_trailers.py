"""`declog blame`, trailers in every shape git accepts or rejects, and the commit-msg hook run by
the real pre-commit framework."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.conftest import git, new_decision
from tests.history.conftest import commit, path_of, set_line

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def two(log_repo: Path, run) -> tuple[str, str]:
    a = new_decision(run, log_repo, "Use Postgres for orders")
    b = new_decision(run, log_repo, "Retry payments with backoff")
    commit(log_repo, "Record two decisions", "2026-01-01T00:00:00Z")
    return a, b


@pytest.mark.parametrize(("message", "linked"), [
    ("Decision: {a}", False),  # the subject alone is never a trailer
    ("Subject\n\nDecision: {a}", True),
    ("Subject\n\nSome body text\nDecision: {a}", False),  # trailers must be a paragraph of their own
    ("Subject\n\nDecision: {a}\nand then free text that is not a trailer", False),
    ("Subject\n\ndecision: {a}", True),  # keys match in any case
    ("Subject\n\nDECISION:   {a}", True),
    ("Subject\n\nDecision: {a}\nDecision: {b}", True),
    ("Subject\n\nDecision: {a}, {b}", True),  # several IDs in one trailer
    ("Subject\n\nSigned-off-by: X <x@example.com>\nDecision: {p}", True),  # a unique prefix
    ("Subject\n\nDecisions: {a}", False),  # another key
    ("Subject\n\nDecision: {a}\n  continued on a folded line", True),
])
def test_trailer_shapes(log_repo: Path, run, hrun, two, message: str, linked: bool) -> None:
    a, b = two
    text = message.format(a=a, b=b, p=a[:5])
    (log_repo / "code.txt").write_text(text)
    commit(log_repo, text, "2026-02-01T00:00:00Z")
    got = hrun(log_repo, "history", a)["linked_commits"]
    assert (len(got) == 1) is linked, (text, got)
    if linked:
        assert got[0]["subject"] == text.splitlines()[0]
    if "{b}" in message and linked:
        assert len(hrun(log_repo, "history", b)["linked_commits"]) == 1


def test_trailer_key_is_configurable(log_repo: Path, run, hrun, two) -> None:
    a, _ = two
    cfg = log_repo / ".declog.yaml"
    cfg.write_text(cfg.read_text().replace("trailer: Decision", "trailer: Implements"))
    (log_repo / "x.txt").write_text("x")
    commit(log_repo, f"Subject\n\nImplements: {a}", "2026-02-01T00:00:00Z")
    (log_repo / "y.txt").write_text("y")
    commit(log_repo, f"Subject 2\n\nDecision: {a}", "2026-02-02T00:00:00Z")
    assert [c["subject"] for c in hrun(log_repo, "history", a)["linked_commits"]] == ["Subject"]


def test_blame_across_commits_trailers_and_scope(log_repo: Path, run, hrun, two) -> None:
    a, b = two
    set_line(path_of(log_repo, b), "scope", "['src/payments/**']")
    commit(log_repo, "scope payments", "2026-01-02T00:00:00Z")
    src = log_repo / "src" / "payments"
    src.mkdir(parents=True)
    f = src / "retry.py"
    f.write_text("line 1\nline 2\nline 3\n")
    commit(log_repo, f"Add retries\n\nDecision: {b}", "2026-01-03T00:00:00Z", author="Dev One")
    f.write_text("line 1\nline 2 changed\nline 3\nline 4\n")
    commit(log_repo, f"Store retries in Postgres\n\nDecision: {a}", "2026-01-04T00:00:00Z", author="Dev Two")
    f.write_text("line 1\nline 2 changed\nline 3\nline 4\nline 5 uncommitted\n")

    whole = hrun(log_repo, "blame", "src/payments/retry.py")
    by_id = {d["id"]: d for d in whole["decisions"]}
    assert set(by_id) == {a, b}
    assert [r["via"] for r in by_id[b]["reasons"]] == ["trailer", "scope"]
    assert by_id[b]["reasons"][0]["lines"] == [1, 3]
    assert by_id[a]["reasons"][0]["lines"] == [2, 4] and by_id[a]["reasons"][0]["author"] == "Dev Two"
    assert by_id[b]["reasons"][1]["glob"] == "src/payments/**"

    one = hrun(log_repo, "blame", "src/payments/retry.py:2")
    assert [d["id"] for d in one["decisions"]] == [a, b]  # trailer first, then scope
    assert [r["via"] for r in one["decisions"][1]["reasons"]] == ["scope"]
    only_b = hrun(log_repo, "blame", "src/payments/retry.py:1-1")
    assert [d["id"] for d in only_b["decisions"]] == [b]
    text = run(log_repo, "blame", "src/payments/retry.py:2-4").stdout
    assert "Decision: trailer on" in text and "Dev Two" in text and "lines 2, 4" in text

    (log_repo / "README").write_text("nothing governs me\n")
    commit(log_repo, "readme", "2026-01-05T00:00:00Z")
    res = run(log_repo, "blame", "README")
    assert res.exit_code == 1 and "no decisions govern README" in res.stderr
    assert run(log_repo, "blame", "nope.py").exit_code == 2
    assert run(log_repo, "blame", "src/payments/retry.py:0").exit_code == 2
    assert run(log_repo, "blame").exit_code == 2
    untracked = log_repo / "src" / "payments" / "new.py"
    untracked.write_text("x\n")
    data = hrun(log_repo, "blame", "src/payments/new.py")  # not committed: scope still applies
    assert [d["id"] for d in data["decisions"]] == [b]


# -- the commit-msg hook ----------------------------------------------------------------------

def _manifest_hook() -> dict:
    hooks = {h["id"]: h for h in YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    return hooks["declog-commit-msg"]


def test_manifest_declares_the_commit_msg_hook() -> None:
    hook = _manifest_hook()
    assert hook["entry"] == "declog check-commit-msg"
    assert hook["stages"] == ["commit-msg"]
    assert "files" not in hook  # the message file is .git/COMMIT_EDITMSG
    proc = subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest",
                           str(ROOT / ".pre-commit-hooks.yaml")], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_check_commit_msg_shapes(log_repo: Path, run, two, tmp_path: Path) -> None:
    a, _ = two
    msg = tmp_path / "MSG"

    def check(text: str) -> int:
        msg.write_text(text)
        return int(run(log_repo, "check-commit-msg", str(msg)).exit_code)

    assert check(f"Subject\n\nDecision: {a}\n") == 0
    assert check(f"Subject\n\nDecision: {a[:4]}\n") == 0
    assert check("Subject\n\nDecision: D-zzzzzz\n") == 1
    assert check(f"Subject\n\nDecision: {a}, D-zzzzzz\n") == 1
    assert check("Decision: D-zzzzzz\n") == 0  # a subject is not a trailer
    assert check("Subject\n\nbody\nDecision: D-zzzzzz\n") == 0  # not a trailer block
    assert check("\n# Please enter the commit message\n#\n") == 0  # empty, aborted
    assert check("") == 0
    verbose = (f"Subject\n\nDecision: {a}\n# Please enter the commit message\n"
               "# ------------------------ >8 ------------------------\n"
               "# Do not modify or remove the line above.\ndiff --git a/x b/x\n+\n\nDecision: D-zzzzzz\n")
    assert check(verbose) == 0  # below the scissors is the diff, not the message
    assert check("Subject\n\nDecision: D-zzzzzz\n# Decision: " + a + "\n") == 1
    res = run(log_repo, "check-commit-msg", str(tmp_path / "missing"))
    assert res.exit_code == 2


def test_commit_msg_hook_with_real_pre_commit(log_repo: Path, run, two, tmp_path: Path) -> None:
    """The real framework runs the hook at the commit-msg stage of real commits. The hook uses the
    manifest's own fields; only the language is `system` (declog from this virtualenv) so no
    hook environment has to be built."""
    a, _ = two
    hook = _manifest_hook()
    declog = str(Path(sys.executable).parent / "declog")
    config = (
        "repos:\n  - repo: local\n    hooks:\n"
        f"      - id: {hook['id']}\n        name: {hook['name']}\n"
        f"        entry: {declog} {hook['entry'].split(' ', 1)[1]}\n        language: system\n"
        f"        stages: {hook['stages']}\n        require_serial: {str(hook['require_serial']).lower()}\n"
    )
    (log_repo / ".pre-commit-config.yaml").write_text(config)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRE_COMMIT")}
    env.update(PRE_COMMIT_HOME=str(tmp_path / "pc-home"), PRE_COMMIT_COLOR="never")
    subprocess.run([sys.executable, "-m", "pre_commit", "install", "--hook-type", "commit-msg"],
                   cwd=log_repo, env=env, check=True, capture_output=True)

    def try_commit(message: str) -> subprocess.CompletedProcess[str]:
        (log_repo / "f.txt").write_text(message)
        git(log_repo, "add", "-A")
        return subprocess.run(["git", "commit", "-q", "-m", message], cwd=log_repo, env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)

    before = git(log_repo, "rev-parse", "HEAD")
    bad = try_commit("Wire it up\n\nDecision: D-zzzzzz")
    assert bad.returncode != 0, bad.stdout
    assert "D-zzzzzz names no decision" in bad.stdout and "declog-commit-msg" in bad.stdout
    assert git(log_repo, "rev-parse", "HEAD") == before
    good = try_commit(f"Wire it up\n\nDecision: {a}")
    assert good.returncode == 0, good.stdout
    assert git(log_repo, "log", "-1", "--format=%(trailers:key=Decision,valueonly)").strip() == a
