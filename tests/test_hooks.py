"""The pre-commit hook (``.pre-commit-hooks.yaml``), through the real pre-commit framework.

The slow tests build a *snapshot hook repository* from this checkout (the files git tracks plus
untracked, non-ignored ones, so uncommitted work is what gets tested), point a user repository's
``.pre-commit-config.yaml`` at it, run ``pre-commit install`` and make real ``git commit``s.
pre-commit pip-installs the snapshot into a virtualenv once per test session (one shared
``PRE_COMMIT_HOME``); that needs the package index that pip is configured with.

The cheap tests check the manifest itself, its ``files``/``types`` filters (matched as pre-commit
matches them: ``re.search`` and ``identify``), the project's own ``.pre-commit-config.yaml`` and
that the README names every hook.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.conftest import GIT_ENV
from tests.factory import decision_yaml

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / ".pre-commit-hooks.yaml"
PROJECT_CONFIG = ROOT / ".pre-commit-config.yaml"
PRE_COMMIT = [sys.executable, "-m", "pre_commit"]
DECLOG = [sys.executable, "-m", "declog"]
SUMMARY_RE = re.compile(r"^(?:ok: |\d+ problem\(s\) in )(\d+) records? checked$", re.M)


def _load_yaml(path: Path) -> Any:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def _manifest_hooks() -> dict[str, dict[str, Any]]:
    return {hook["id"]: hook for hook in _load_yaml(MANIFEST)}


# -- cheap checks of the manifest -------------------------------------------------------------

def test_manifest_is_valid() -> None:
    proc = subprocess.run([*PRE_COMMIT, "validate-manifest", str(MANIFEST)], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_validate_hook_entry() -> None:
    hook = _manifest_hooks()["declog-validate"]
    assert hook["entry"] == "declog validate --tracked"
    assert hook["language"] == "python"
    assert hook["require_serial"] is True
    assert set(hook["stages"]) == {"pre-commit", "pre-push", "manual"}


@pytest.mark.parametrize(("path", "expected"), [
    ("decisions/D-abc123-x.yaml", True),
    ("decisions/D-abc123-x.yml", True),
    ("decisions/owners/alice.yaml", True),
    ("docs/x.yaml", False),
    ("src/decisions.py", False),
    ("docs/decisions/D-abc123-x.yaml", False),  # re.search would find it without the ^ anchor
    ("decisions/D-abc123-x.yaml.bak", False),
    ("decisions/notes.md", False),
])
def test_validate_hook_files(path: str, expected: bool) -> None:
    from identify.identify import tags_from_filename

    hook = _manifest_hooks()["declog-validate"]
    matched = re.search(hook["files"], path) is not None  # what pre-commit does (run.py)
    typed = set(hook.get("types", ["file"])) <= tags_from_filename(path) | {"file"}
    assert (matched and typed) is expected


def test_every_hook_id_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [hook_id for hook_id in _manifest_hooks() if hook_id not in readme]
    assert not missing, f"README.md does not mention hook(s) {missing} (see docs/pre-commit.md for the snippet)"


def test_project_config_dogfoods_the_validate_hook() -> None:
    proc = subprocess.run([*PRE_COMMIT, "validate-config", str(PROJECT_CONFIG)], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    local = [h for r in _load_yaml(PROJECT_CONFIG)["repos"] if r["repo"] == "local" for h in r["hooks"]]
    ours = {h["id"]: h for h in local}["declog-validate"]
    published = _manifest_hooks()["declog-validate"]
    for key in ("files", "types", "require_serial", "stages"):
        assert ours.get(key) == published.get(key), key


# -- the real framework: snapshot hook repo, user repo, real commits ---------------------------

def _env(home: Path, pre_commit_home: Path) -> dict[str, str]:
    """A clean environment for git and pre-commit: nothing inherited from an outer git hook or
    pre-commit run (GIT_DIR, GIT_INDEX_FILE, PRE_COMMIT_*), no PYTHONPATH that could shadow the
    snapshot's declog in the hook's virtualenv, a fixed identity and an explicit store."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GIT_", "PRE_COMMIT")) and k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(GIT_ENV)
    env["HOME"] = str(home)
    env["PRE_COMMIT_HOME"] = str(pre_commit_home)
    env["PRE_COMMIT_COLOR"] = "never"
    env["NO_COLOR"] = "1"
    return env


def _run(cmd: Sequence[str], cwd: Path, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``cmd``; stdout and stderr interleaved in ``.stdout``, as a user would see them."""
    return subprocess.run(list(cmd), cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=timeout, check=False)


def _ok(cmd: Sequence[str], cwd: Path, env: dict[str, str], timeout: float = 120) -> str:
    proc = _run(cmd, cwd, env, timeout)
    assert proc.returncode == 0, f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}"
    return proc.stdout


@dataclass(frozen=True)
class HookRepo:
    path: Path
    rev: str
    home: Path
    pre_commit_home: Path

    def env(self) -> dict[str, str]:
        return _env(self.home, self.pre_commit_home)

    def config(self, verbose: bool = False) -> str:
        """A user's ``.pre-commit-config.yaml``; ``verbose`` shows the hook's output even when it passes."""
        hook = "      - id: declog-validate\n" + ("        verbose: true\n" if verbose else "")
        return f"repos:\n  - repo: {json.dumps(str(self.path))}\n    rev: {self.rev}\n    hooks:\n{hook}"


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> HookRepo:
    """This checkout, uncommitted work included, as a one-commit git repository that pre-commit
    can clone; its hook environment is built here, once per session."""
    base = tmp_path_factory.mktemp("pre-commit")
    home, store = base / "home", base / "store"
    home.mkdir()
    env = _env(home, store)
    listing = _run(["git", "ls-files", "-z", "-co", "--exclude-standard"], ROOT, env)
    if listing.returncode != 0:
        pytest.skip(f"{ROOT} is not a git work tree; the hook tests snapshot it with git")
    snapshot = base / "declog-hook-repo"
    for rel in filter(None, listing.stdout.split("\0")):
        src = ROOT / rel
        if not src.is_file():  # deleted in the work tree but still in the index
            continue
        dst = snapshot / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)
    _ok(["git", "init", "-q", "-b", "main"], snapshot, env)
    _ok(["git", "add", "-A"], snapshot, env)
    _ok(["git", "commit", "-q", "--no-verify", "-m", "declog snapshot for the hook tests"], snapshot, env)
    rev = _ok(["git", "rev-parse", "HEAD"], snapshot, env).strip()
    hooks = HookRepo(snapshot, rev, home, store)
    warm = base / "warm"
    warm.mkdir()
    _ok(["git", "init", "-q", "-b", "main"], warm, env)
    (warm / ".pre-commit-config.yaml").write_text(hooks.config(), encoding="utf-8")
    _ok([*PRE_COMMIT, "install-hooks"], warm, env, timeout=900)  # pip-installs the snapshot
    return hooks


@dataclass
class UserRepo:
    path: Path
    env: dict[str, str]
    hooks: HookRepo
    decision_id: str = ""  # a committed, valid decision owned by bob
    decision_path: str = ""

    def declog(self, *args: str) -> str:
        return _ok([*DECLOG, *args], self.path, self.env)

    def write(self, rel: str, text: str) -> None:
        target = self.path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    def head(self) -> str:
        return _ok(["git", "rev-parse", "HEAD"], self.path, self.env).strip()

    def commit(self, message: str) -> subprocess.CompletedProcess[str]:
        """``git add -A`` then a real ``git commit``, which runs the installed pre-commit hook."""
        _ok(["git", "add", "-A"], self.path, self.env)
        return _run(["git", "commit", "-m", message], self.path, self.env, timeout=300)

    def assert_refused(self, proc: subprocess.CompletedProcess[str], head_before: str) -> None:
        assert proc.returncode != 0, f"the commit went through:\n{proc.stdout}"
        assert "declog-validate" in proc.stdout, proc.stdout  # "- hook id: declog-validate"
        assert self.head() == head_before


def _decision(rid: str, title: str, owner: str | None = "alice", **extra: str) -> str:
    return decision_yaml(rid, title, owner=owner, context="Written by hand in a hook test.", **extra)


@pytest.fixture
def user_repo(tmp_path: Path, hook_repo: HookRepo) -> UserRepo:
    """A repository with ``declog init``, owners alice and bob, one decision owned by bob, the
    hook installed, and all of it committed (through the hook)."""
    path = tmp_path / "user"
    path.mkdir()
    env = hook_repo.env()
    _ok(["git", "init", "-q", "-b", "main"], path, env)
    repo = UserRepo(path, env, hook_repo)
    repo.declog("init")
    repo.declog("new", "owner", "alice", "--name", "Alice Example")
    repo.declog("new", "owner", "bob", "--name", "Bob Example")
    made = json.loads(repo.declog("new", "decision", "Use Postgres for orders", "--owner", "bob",
                                  "--door", "two-way", "--context", "Orders need transactions",
                                  "--no-input", "--format", "json"))
    repo.decision_id, repo.decision_path = made["id"], made["path"]
    repo.write(".pre-commit-config.yaml", hook_repo.config())
    _ok([*PRE_COMMIT, "install"], path, env)
    first = repo.commit("Start the decision log")
    assert first.returncode == 0, first.stdout
    assert re.search(r"^validate declog records\.+Passed$", first.stdout, re.M), first.stdout
    return repo


@pytest.mark.slow
def test_commit_refuses_a_decision_without_owner(user_repo: UserRepo) -> None:
    before = user_repo.head()
    user_repo.write("decisions/D-aaaaaa-no-owner.yaml", _decision("D-aaaaaa", "No owner here", owner=None))
    proc = user_repo.commit("Add an unowned decision")
    user_repo.assert_refused(proc, before)
    assert re.search(r"^decisions/D-aaaaaa-no-owner\.yaml:\d+:\d+: owner: ", proc.stdout, re.M), proc.stdout


@pytest.mark.slow
def test_commit_refuses_a_dangling_supersedes(user_repo: UserRepo) -> None:
    before = user_repo.head()
    user_repo.write("decisions/D-bbbbbb-dangling.yaml",
                    _decision("D-bbbbbb", "Replace something", supersedes="[D-zzzzzz]"))
    proc = user_repo.commit("Supersede a decision that does not exist")
    user_repo.assert_refused(proc, before)
    # supersedes is line 7 of the file written above
    assert re.search(r"^decisions/D-bbbbbb-dangling\.yaml:7:\d+: supersedes(\.0)?: .*D-zzzzzz", proc.stdout, re.M), \
        proc.stdout


@pytest.mark.slow
def test_commit_accepts_a_valid_decision(user_repo: UserRepo) -> None:
    made = json.loads(user_repo.declog("new", "decision", "Cache sessions in Redis", "--owner", "alice",
                                       "--door", "two-way", "--context", "Logins are slow", "--no-input",
                                       "--format", "json"))
    proc = user_repo.commit("Record the sessions cache decision")
    assert proc.returncode == 0, proc.stdout
    assert re.search(r"^validate declog records\.+Passed$", proc.stdout, re.M), proc.stdout
    assert _ok(["git", "log", "-1", "--format=%s"], user_repo.path, user_repo.env).strip() == \
        "Record the sessions cache decision"
    tree = _ok(["git", "ls-tree", "-r", "--name-only", "HEAD"], user_repo.path, user_repo.env).splitlines()
    assert made["path"] in tree


@pytest.mark.slow
def test_owner_change_breaking_another_record_is_refused(user_repo: UserRepo) -> None:
    """Only the owner file is committed (and passed to the hook); the problem is in bob's decision."""
    before = user_repo.head()
    owner_file = user_repo.path / "decisions/owners/bob.yaml"
    owner_file.write_text(owner_file.read_text(encoding="utf-8") + "active: false\n", encoding="utf-8")
    proc = user_repo.commit("Bob has left")
    user_repo.assert_refused(proc, before)
    path = re.escape(user_repo.decision_path)
    assert re.search(rf"^{path}:\d+:\d+: owner: .*bob.*inactive", proc.stdout, re.M), proc.stdout


@pytest.mark.slow
def test_a_record_file_that_was_never_added_does_not_count(user_repo: UserRepo) -> None:
    """The hook checks what is being committed: an owner file left out of the commit (never
    `git add`ed) cannot vouch for the decision that is committed."""
    before = user_repo.head()
    user_repo.write("decisions/owners/carol.yaml", "handle: carol\nname: Carol Example\n")
    user_repo.write("decisions/D-cccccc-carol.yaml", _decision("D-cccccc", "Carol's call", owner="carol"))
    _ok(["git", "add", "decisions/D-cccccc-carol.yaml"], user_repo.path, user_repo.env)
    proc = _run(["git", "commit", "-m", "Only the decision"], user_repo.path, user_repo.env, timeout=300)
    user_repo.assert_refused(proc, before)
    assert re.search(r"^decisions/D-cccccc-carol\.yaml:\d+:\d+: owner: unknown owner 'carol'", proc.stdout, re.M), \
        proc.stdout
    proc = user_repo.commit("Carol and her decision")  # adds both: now it goes through
    assert proc.returncode == 0, proc.stdout


@pytest.mark.slow
def test_new_decision_reusing_a_committed_id_is_refused(user_repo: UserRepo) -> None:
    before = user_repo.head()
    rid = user_repo.decision_id
    user_repo.write(f"decisions/{rid}-copy.yaml", _decision(rid, "A copy with the same ID"))
    proc = user_repo.commit("Add a decision with a taken ID")
    user_repo.assert_refused(proc, before)
    assert re.search(rf"^decisions/{rid}-copy\.yaml:\d+:\d+: id: duplicate ID {rid}", proc.stdout, re.M), proc.stdout


def _ids(count: int, taken: set[str]) -> list[str]:
    from declog.domain.ids import ALPHABET

    out: list[str] = []
    n = 0
    while len(out) < count:
        body = "".join(ALPHABET[(n >> (5 * i)) % 32] for i in range(6))
        n += 1
        if f"D-{body}" not in taken:
            out.append(f"D-{body}")
    return out


@pytest.mark.slow
def test_problems_are_caught_when_pre_commit_splits_files_into_batches(user_repo: UserRepo) -> None:
    """600 changed records with long names overflow pre-commit's command-line limit (2**17 bytes on
    POSIX), so even with ``require_serial`` it calls ``declog validate`` several times, each time
    with some of the files. Cross-record problems must still be found, whichever batch holds the
    changed file, and a clean batch must not hide a problem found in another."""
    user_repo.write(".pre-commit-config.yaml", user_repo.hooks.config(verbose=True))  # one summary per batch
    before = user_repo.head()
    count = 600
    for rid in _ids(count, {user_repo.decision_id}):
        user_repo.write(f"decisions/{rid}-{'x' * 230}.yaml", _decision(rid, f"Generated decision {rid}"))
    dup = user_repo.decision_id
    user_repo.write(f"decisions/{dup}-copy.yaml", _decision(dup, "A copy with the same ID"))
    owner_file = user_repo.path / "decisions/owners/bob.yaml"
    original = owner_file.read_text(encoding="utf-8")
    owner_file.write_text(original + "active: false\n", encoding="utf-8")

    proc = user_repo.commit("Many records at once")
    user_repo.assert_refused(proc, before)
    checked = [int(n) for n in SUMMARY_RE.findall(proc.stdout)]
    assert len(checked) >= 2, f"expected several batches, got {checked}:\n{proc.stdout[-2000:]}"
    assert sum(checked) == count + 2  # every changed record checked exactly once
    assert re.search(rf"^decisions/{dup}-copy\.yaml:\d+:\d+: id: duplicate ID {dup}", proc.stdout, re.M)
    path = re.escape(user_repo.decision_path)
    assert re.search(rf"^{path}:\d+:\d+: owner: .*bob.*inactive", proc.stdout, re.M)

    # Fix both problems: the same batches now pass and the commit lands.
    owner_file.write_text(original, encoding="utf-8")
    (user_repo.path / f"decisions/{dup}-copy.yaml").unlink()
    proc = user_repo.commit("Many records at once, fixed")
    assert proc.returncode == 0, proc.stdout[-4000:]
    checked = [int(n) for n in SUMMARY_RE.findall(proc.stdout)]
    assert len(checked) >= 2 and sum(checked) == count, checked


# -- the opt-in hooks: declog-context and declog-drift ------------------------------------------

def test_context_and_drift_hooks_are_opt_in_and_run_once() -> None:
    hooks = _manifest_hooks()
    assert hooks["declog-context"]["entry"] == "declog context --staged --format text --fail-on-cited"
    assert hooks["declog-drift"]["entry"] == "declog drift"
    for hook_id in ("declog-context", "declog-drift"):
        assert hooks[hook_id]["pass_filenames"] is False and hooks[hook_id]["always_run"] is True
    assert "Opt-in" in hooks["declog-context"]["description"] and "Opt-in" in hooks["declog-drift"]["description"]


@pytest.mark.slow
def test_context_and_drift_hooks_in_real_commits(user_repo: UserRepo) -> None:
    hooks = user_repo.hooks
    user_repo.write(".pre-commit-config.yaml",
                    f"repos:\n  - repo: {json.dumps(str(hooks.path))}\n    rev: {hooks.rev}\n    hooks:\n"
                    "      - id: declog-validate\n      - id: declog-context\n"
                    "      - id: declog-drift\n        stages: [pre-commit]\n")
    rid = user_repo.decision_id
    rejected = json.loads(user_repo.declog("new", "decision", "Use Mongo for orders", "--owner", "alice",
                                           "--status", "rejected", "--door", "two-way", "--context", "Tried it",
                                           "--scope", "src/orders/**", "--no-input", "--format", "json"))["id"]
    user_repo.write("src/orders/db.py", "x = 1\n")
    proc = user_repo.commit("Orders code")
    assert proc.returncode == 0, proc.stdout
    assert re.search(r"^decisions behind the staged change\.+Passed$", proc.stdout, re.M), proc.stdout
    assert f"{rejected} Use Mongo for orders [rejected]" in proc.stdout  # verbose: what governs the file
    assert re.search(r"^no drift between the decision log and the code\.+Passed$", proc.stdout, re.M), proc.stdout

    before = user_repo.head()
    user_repo.write("src/orders/db.py", f"x = 2  # as {rejected} says, not {rid}\n")
    proc = user_repo.commit("Cite a rejected decision")
    assert proc.returncode != 0, proc.stdout
    assert user_repo.head() == before
    assert re.search(r"^decisions behind the staged change\.+Failed$", proc.stdout, re.M), proc.stdout
    assert f"src/orders/db.py:1: {rejected} (Use Mongo for orders) is rejected" in proc.stdout
    assert re.search(r"^no drift between the decision log and the code\.+Failed$", proc.stdout, re.M), proc.stdout

    user_repo.write("src/orders/db.py", f"x = 2  # as {rid} says\n")
    proc = user_repo.commit("Cite the decision in force")
    assert proc.returncode == 0, proc.stdout


@pytest.mark.slow
def test_commit_refuses_an_approved_narrative_with_an_unanswered_question(user_repo: UserRepo) -> None:
    """A PR/FAQ is refused while a question of its FAQ has no answer, and goes in once answered."""
    made = json.loads(user_repo.declog(
        "new", "narrative", "Orders ships one-click reorder", "--owner", "alice", "--no-input",
        "--faq-external", "What if an item is sold out? :: The cart offers a substitute",
        "--faq-internal", "Does it need a new service?",
        "--metric", "Share of baskets started from a past order: at least 30 percent", "--format", "json"))
    first = user_repo.commit("Draft the reorder PR/FAQ")
    assert first.returncode == 0, first.stdout
    before = user_repo.head()
    path = user_repo.path / made["path"]
    path.write_text(path.read_text(encoding="utf-8").replace("status: draft", "status: approved"), encoding="utf-8")
    proc = user_repo.commit("Approve the reorder PR/FAQ")
    user_repo.assert_refused(proc, before)
    assert re.search(rf"^{re.escape(made['path'])}:\d+:\d+: faq\.1\.answer: this question has no answer", proc.stdout,
                     re.M), proc.stdout
    path.write_text(path.read_text(encoding="utf-8").replace(
        "  - question: Does it need a new service?\n",
        "  - question: Does it need a new service?\n    answer: No; it reuses the cart API.\n"), encoding="utf-8")
    proc = user_repo.commit("Approve the reorder PR/FAQ")
    assert proc.returncode == 0, proc.stdout
    assert user_repo.head() != before
