"""The error-path audit: every error a user can meet, end to end, as docs/errors.md lists it.

docs/errors.md has one table row per error: a stable key, what the user did, the message and
the exit code. This file has one scenario per key that sets up the situation in a real git
repository and runs the real ``declog`` entry point. The tests read the table, so the doc and
the tests cannot drift:

* every row has a scenario and every scenario a row;
* each scenario exits with the row's code, prints the row's message as one ``declog: error:``
  line on stderr (or click's usage format: ``Usage:`` … ``Error: …``), and never a traceback;
* every place in ``declog/`` that builds a ``DeclogError`` is accounted for: its message text
  appears in some row, or it is listed in ``SHORT_SITES`` (a message with little literal text,
  mapped to its row) or ``LEFT_OUT`` (with the reason), so a new error without a row fails.
"""

from __future__ import annotations

import ast
import errno
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from declog import errors as errors_mod
from tests.conftest import Result, git, new_decision

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "errors.md"
ELLIPSIS = "…"


# -- the table in docs/errors.md ---------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    key: str
    what: str
    message: str
    code: int


def _cells(line: str) -> list[str]:
    cells = re.split(r"(?<!\\)\|", line.strip().strip("|"))
    return [c.strip().replace("\\|", "|") for c in cells]


def _unquote(cell: str) -> str:
    """The text of a code span: `text`, or `` text `` when the text holds backticks."""
    if cell.startswith("`` ") and cell.endswith(" ``"):
        return cell[3:-3]
    return cell[1:-1] if cell.startswith("`") and cell.endswith("`") else cell


def doc_rows() -> dict[str, Row]:
    """Rows of every table in docs/errors.md whose first column is a key such as `E-no-log`."""
    rows: dict[str, Row] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if not line.startswith("| `E-"):
            continue
        cells = _cells(line)
        assert len(cells) == 4, f"docs/errors.md: a row needs 4 cells (key, what, message, exit): {line}"
        key = _unquote(cells[0])
        assert key not in rows, f"docs/errors.md: key {key} is used twice"
        rows[key] = Row(key, cells[1], _unquote(cells[2]), int(cells[3]))
    return rows


# -- scenarios ---------------------------------------------------------------------------------


class Env:
    """What a scenario needs: folders, repositories, a log, and the real ``declog``."""

    def __init__(self, tmp_path: Path, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch,
                 template: Path | None = None) -> None:
        self.tmp = tmp_path
        self._run = run
        self.monkeypatch = monkeypatch
        self.template = template

    def declog(self, where: Path | None, *args: str, input: str | None = None,
               env: dict[str, str] | None = None) -> Result:
        return self._run(where, *args, input=input, env=env)

    def plain(self) -> Path:
        """A folder outside any git repository."""
        path = self.tmp / "plain"
        path.mkdir()
        return path

    def repo(self, name: str = "repo") -> Path:
        path = self.tmp / name
        path.mkdir()
        git(path, "init", "-q", "-b", "main")
        return path

    def log(self) -> Path:
        """A repository with ``declog init`` and one person, alice (a copy of the template)."""
        if self.template is not None:
            import shutil

            path = self.tmp / "repo"
            shutil.copytree(self.template, path, symlinks=True)
            return path
        path = self.repo()
        assert self.declog(path, "init").exit_code == 0
        assert self.declog(path, "new", "owner", "alice", "--name", "Alice Example").exit_code == 0
        return path

    def decision(self, repo: Path, title: str = "Use Postgres for orders", *extra: str) -> str:
        return new_decision(self._run, repo, title, *extra)

    def commit(self, repo: Path, message: str = "Record decisions") -> None:
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", message)

    def config(self, repo: Path, text: str) -> None:
        (repo / ".declog.yaml").write_text(text, encoding="utf-8")

    def file(self, name: str, content: bytes | str) -> Path:
        path = self.tmp / name
        if isinstance(content, str):
            content = content.encode("utf-8")
        path.write_bytes(content)
        return path

    def editor(self, command: str) -> dict[str, str]:
        return {"EDITOR": command, "VISUAL": ""}

    def mechanism(self, repo: Path) -> str:
        res = self.declog(repo, "new", "mechanism", "Weekly deploy review", "--owner", "alice",
                          "--problem", "Risky deploys", "--tool", "A checklist", "--adoption", "The pipeline asks",
                          "--cadence", "weekly", "--input-metric", "reviewed_pct>=95 percent",
                          "--output-metric", "incidents<=1 count", "--format", "json", "--no-input")
        assert res.exit_code == 0, res.output
        import json

        return str(json.loads(res.stdout)["id"])


Scenario = Callable[[Env], Result]
SCENARIOS: dict[str, Scenario] = {}


def case(key: str) -> Callable[[Scenario], Scenario]:
    def register(fn: Scenario) -> Scenario:
        assert key not in SCENARIOS, key
        SCENARIOS[key] = fn
        return fn

    return register


# where declog runs ---------------------------------------------------------------------------

@case("E-not-a-repo")
def _(e: Env) -> Result:
    return e.declog(e.plain(), "init")


@case("E-no-log")
def _(e: Env) -> Result:
    return e.declog(e.repo(), "list")


@case("E-bare-repo")
def _(e: Env) -> Result:
    bare = e.tmp / "bare.git"
    git(e.tmp, "init", "-q", "--bare", str(bare))
    return e.declog(bare, "init")


@case("E-dash-c-missing")
def _(e: Env) -> Result:
    return e.declog(None, "-C", str(e.tmp / "nowhere"), "list")


@case("E-click-dash-c-file")
def _(e: Env) -> Result:
    return e.declog(None, "-C", str(e.file("a-file", "x")), "list")


@case("E-git-missing")
def _(e: Env) -> Result:
    repo = e.log()
    did = e.decision(repo)
    empty = e.tmp / "empty-bin"
    empty.mkdir()
    return e.declog(repo, "history", did, env={"PATH": str(empty)})


@case("E-git-cannot-run")
def _(e: Env) -> Result:
    repo = e.log()
    did = e.decision(repo)
    fake = e.tmp / "fake-bin"
    fake.mkdir()
    (fake / "git").write_bytes(b"\x7fELF-not-really\x00")
    (fake / "git").chmod(0o755)
    return e.declog(repo, "history", did, env={"PATH": str(fake)})


@case("E-git-failed")
def _(e: Env) -> Result:
    repo = e.log()
    did = e.decision(repo)
    e.commit(repo)
    tree = git(repo, "rev-parse", "HEAD^{tree}").strip()  # a damaged repository: a tree object is lost
    obj = repo / ".git" / "objects" / tree[:2] / tree[2:]
    obj.chmod(0o644)
    obj.unlink()
    return e.declog(repo, "history", did)


@case("E-interrupted")
def _(e: Env) -> Result:
    """A real Ctrl-C: SIGINT to the terminal's process group while `declog edit` waits for the
    editor."""
    import signal
    import time

    repo = e.log()
    did = e.decision(repo)
    mark = e.tmp / "editor-started"
    script = e.file("slow_editor.py", f"import pathlib, time\npathlib.Path({str(mark)!r}).touch()\n"
                    "try:\n    time.sleep(60)\nexcept KeyboardInterrupt:\n    pass\n")
    declog = Path(sys.executable).with_name("declog")
    argv = [str(declog)] if declog.exists() else [sys.executable, "-m", "declog"]
    env = {**os.environ, "EDITOR": f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}", "VISUAL": ""}
    proc = subprocess.Popen([*argv, "edit", did], cwd=repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True,  # SIGINT as a terminal gives it, even when
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # the tests ignore it
    try:
        deadline = time.monotonic() + 60
        while not mark.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return Result(proc.returncode, out, err)


@case("E-aborted")
def _(e: Env) -> Result:
    repo = e.log()
    e.monkeypatch.setattr("declog.cli.cmd_new.is_interactive", lambda: True)
    return e.declog(repo, "new", "owner", "bob", input="")


@case("E-internal")
def _(e: Env) -> Result:
    repo = e.log()

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("status")

    e.monkeypatch.setattr("declog.cli.cmd_list.open_log", broken)
    return e.declog(repo, "list")


# .declog.yaml --------------------------------------------------------------------------------

@case("E-config-malformed")
def _(e: Env) -> Result:
    repo = e.log()
    e.config(repo, "root: [oops\n")
    return e.declog(repo, "list")


@case("E-config-not-mapping")
def _(e: Env) -> Result:
    repo = e.log()
    e.config(repo, "- root\n")
    return e.declog(repo, "list")


@case("E-config-unknown-setting")
def _(e: Env) -> Result:
    repo = e.log()
    e.config(repo, "root: decisions\ncolour: red\n")
    return e.declog(repo, "list")


@case("E-config-version")
def _(e: Env) -> Result:
    repo = e.log()
    e.config(repo, "version: 2\nroot: decisions\n")
    return e.declog(repo, "list")


@case("E-config-root")
def _(e: Env) -> Result:
    repo = e.log()
    e.config(repo, "root: ../elsewhere\n")
    return e.declog(repo, "list")


@case("E-config-required-shape")
def _(e: Env) -> Result:
    repo = e.log()
    e.config(repo, "root: decisions\nrequired: [owner]\n")
    return e.declog(repo, "list")


@case("E-config-required-kind")
def _(e: Env) -> Result:
    repo = e.log()
    e.config(repo, "root: decisions\nrequired:\n  gadget: [name]\n")
    return e.declog(repo, "list")


@case("E-config-required-field")
def _(e: Env) -> Result:
    repo = e.log()
    e.decision(repo)
    e.config(repo, "root: decisions\nrequired:\n  decision: [colour]\n")
    return e.declog(repo, "validate")


@case("E-config-trailer")
def _(e: Env) -> Result:
    repo = e.log()
    e.config(repo, "root: decisions\ntrailer: 'Decision: x'\n")
    return e.declog(repo, "list")


@case("E-config-max-file-bytes")
def _(e: Env) -> Result:
    repo = e.log()
    e.config(repo, "root: decisions\nmax_file_bytes: 10\n")
    return e.declog(repo, "list")


@case("E-config-protect-accepted")
def _(e: Env) -> Result:
    repo = e.log()
    e.config(repo, "root: decisions\nprotect_accepted: sometimes\n")
    return e.declog(repo, "list")


@case("E-config-owner-load-limit")
def _(e: Env) -> Result:
    repo = e.log()
    e.config(repo, "root: decisions\nowner_load_limit: 0\n")
    return e.declog(repo, "list")


@case("E-config-reference-patterns")
def _(e: Env) -> Result:
    repo = e.log()
    e.config(repo, "root: decisions\nreference_patterns: ['ADR-[0-9']\n")
    return e.declog(repo, "drift")


@case("E-context-neither")
def _(e: Env) -> Result:
    return e.declog(e.log(), "context")


@case("E-mcp-no-sdk")
def _(e: Env) -> Result:
    import sys

    saved = {k: v for k, v in sys.modules.items() if k == "mcp" or k.startswith("mcp.")}
    for k in saved:
        del sys.modules[k]
    sys.modules["mcp"] = None  # type: ignore[assignment]  # what Python does for a package that is not there
    try:
        return e.declog(e.log(), "mcp")
    finally:
        del sys.modules["mcp"]
        sys.modules.update(saved)


@case("E-config-import-owner")
def _(e: Env) -> Result:
    repo = e.log()
    e.config(repo, "root: decisions\nimport_owner: Alice Example\n")
    return e.declog(repo, "list")


@case("E-init-other-root")
def _(e: Env) -> Result:
    return e.declog(e.log(), "init", "--root", "adr")


# IDs, handles and references -----------------------------------------------------------------

@case("E-bad-handle")
def _(e: Env) -> Result:
    return e.declog(e.log(), "new", "owner", "Alice", "--name", "X")


@case("E-not-an-id")
def _(e: Env) -> Result:
    return e.declog(e.log(), "show", "../x")


@case("E-empty-id")
def _(e: Env) -> Result:
    return e.declog(e.log(), "show", " ")


@case("E-no-such-record")
def _(e: Env) -> Result:
    return e.declog(e.log(), "show", "zzz")


@case("E-ambiguous-id")
def _(e: Env) -> Result:
    repo = e.log()
    assert e.declog(repo, "new", "owner", "alina", "--name", "Alina").exit_code == 0
    return e.declog(repo, "show", "ali")


@case("E-no-such-owner")
def _(e: Env) -> Result:
    return e.declog(e.log(), "new", "decision", "T", "--owner", "ghost", "--door", "two-way", "--context", "c")


@case("E-wrong-kind")
def _(e: Env) -> Result:
    return e.declog(e.log(), "inspect", "alice", "--verdict", "working")


@case("E-duplicate-id")
def _(e: Env) -> Result:
    repo = e.log()
    did = e.decision(repo)
    (path,) = (repo / "decisions").glob(f"{did}-*.yaml")
    (repo / "decisions" / "copy.yaml").write_bytes(path.read_bytes())
    return e.declog(repo, "show", did)


@case("E-duplicate-id-history")
def _(e: Env) -> Result:
    repo = e.log()
    did = e.decision(repo)
    (path,) = (repo / "decisions").glob(f"{did}-*.yaml")
    (repo / "decisions" / "copy.yaml").write_bytes(path.read_bytes())
    return e.declog(repo, "history", did)


@case("E-alias-ambiguous")
def _(e: Env) -> Result:
    repo = e.log()
    for title in ("Old orders database", "New orders database"):
        e.decision(repo, title, "--format", "json")
    for path in (repo / "decisions").glob("D-*.yaml"):
        path.write_text(path.read_text(encoding="utf-8") + "aliases: [ADR-0007]\n", encoding="utf-8")
    return e.declog(repo, "show", "ADR-0007")


@case("E-alias-ambiguous-history")
def _(e: Env) -> Result:
    repo = e.log()
    for title in ("Old orders database", "New orders database"):
        e.decision(repo, title, "--format", "json")
    for path in (repo / "decisions").glob("D-*.yaml"):
        path.write_text(path.read_text(encoding="utf-8") + "aliases: [ADR-0007]\n", encoding="utf-8")
    return e.declog(repo, "history", "ADR-0007")


@case("E-handle-taken")
def _(e: Env) -> Result:
    return e.declog(e.log(), "new", "owner", "alice", "--name", "Again")


@case("E-id-taken")
def _(e: Env) -> Result:
    repo = e.log()
    did = e.decision(repo)
    draft = e.file("draft.yaml", f"id: {did}\ntitle: Again\nowner: alice\ndoor: two-way\ncontext: c\n")
    return e.declog(repo, "new", "decision", "--from-file", str(draft))


@case("E-owner-no-handle")
def _(e: Env) -> Result:
    return e.declog(e.log(), "new", "owner", "--name", "X")


@case("E-owner-handle-not-text")
def _(e: Env) -> Result:
    repo = e.log()
    draft = e.file("owner.yaml", "handle: 123\nname: Numbers\n")
    return e.declog(repo, "new", "owner", "--from-file", str(draft))


@case("E-owner-no-name")
def _(e: Env) -> Result:
    return e.declog(e.log(), "new", "owner", "bob")


@case("E-required-by-config")
def _(e: Env) -> Result:
    repo = e.log()
    e.config(repo, "root: decisions\nrequired:\n  owner: [email]\n")
    return e.declog(repo, "new", "owner", "bob", "--name", "Bob")


# new decision, --from-file and record files ----------------------------------------------------

@case("E-decision-missing-fields")
def _(e: Env) -> Result:
    return e.declog(e.log(), "new", "decision", "Use Postgres", "--no-input")


@case("E-new-invalid")
def _(e: Env) -> Result:
    return e.declog(e.log(), "new", "decision", "T", "--owner", "alice", "--door", "two-way", "--context", "c",
                    "--related", "D-000000")


@case("E-new-already-superseded")
def _(e: Env) -> Result:
    repo = e.log()
    old = e.decision(repo, "Old")
    new = e.decision(repo, "New")
    assert e.declog(repo, "supersede", old, new).exit_code == 0
    return e.declog(repo, "new", "decision", "Newer", "--owner", "alice", "--door", "two-way", "--context", "c",
                    "--supersedes", old)


@case("E-draft-unchanged")
def _(e: Env) -> Result:
    return e.declog(e.log(), "new", "decision", "T", "--edit", env=e.editor("true"))


@case("E-from-file-missing")
def _(e: Env) -> Result:
    return e.declog(e.log(), "new", "decision", "--from-file", str(e.tmp / "nope.yaml"))


@case("E-from-file-directory")
def _(e: Env) -> Result:
    folder = e.tmp / "folder.yaml"
    folder.mkdir()
    return e.declog(e.log(), "new", "decision", "--from-file", str(folder))


@case("E-file-unreadable")
def _(e: Env) -> Result:
    draft = e.file("draft.yaml", "title: x\n")
    if os.geteuid() == 0:  # root reads anything: use a file that exists and refuses to be read
        draft = Path("/proc/self/mem")
    else:
        draft.chmod(0)
    return e.declog(e.log(), "new", "decision", "--from-file", str(draft))


def _from_file(key: str, content: bytes) -> None:
    @case(key)
    def _(e: Env) -> Result:
        return e.declog(e.log(), "new", "decision", "--from-file", str(e.file("draft.yaml", content)))


_from_file("E-file-malformed", b"title: x\noptions: [a, b\nstatus: proposed\n")
_from_file("E-file-too-big", b"context: " + b"x" * 300_000 + b"\n")
_from_file("E-file-binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
_from_file("E-file-not-utf8", b"title: caf\xe9\n")
_from_file("E-file-two-documents", b"title: x\n---\ntitle: y\n")
_from_file("E-file-alias", b"title: x\ncontext: *t\n")
_from_file("E-file-anchor", b"title: &t x\nowner: alice\n")
_from_file("E-file-tag", b"title: !!python/object/apply:os.system [echo pwned]\n")
_from_file("E-file-merge-key", b"title: x\n<<: {owner: alice}\n")
_from_file("E-file-too-deep", b"title: x\ncontext: " + b"[" * 50_000 + b"]" * 50_000 + b"\n")
_from_file("E-file-empty", b"# nothing but a comment\n")
_from_file("E-file-not-mapping", b"- title: x\n- title: y\n")


@case("E-file-too-deep-plain")
def _(e: Env) -> Result:  # too deep for the fast loader, though short enough to skip screening
    repo = e.log()
    return e.declog(repo, "set", e.decision(repo), "tags=" + "[" * 120 + "]" * 120)


@case("E-show-unreadable")
def _(e: Env) -> Result:
    repo = e.log()
    did = e.decision(repo)
    (path,) = (repo / "decisions").glob(f"{did}-*.yaml")
    path.write_bytes(path.read_bytes() + b"context: [unclosed\n")
    return e.declog(repo, "show", did)


@case("E-symlink-outside")
def _(e: Env) -> Result:
    repo = e.log()
    outside = e.file("D-abc123-secret.yaml", "id: D-abc123\ntitle: secret\n")
    (repo / "decisions" / "D-abc123-secret.yaml").symlink_to(outside)
    return e.declog(repo, "validate")


@case("E-symlinked-folder")
def _(e: Env) -> Result:
    repo = e.log()
    (repo / "more").mkdir()
    (repo / "decisions" / "more").symlink_to(repo / "more")
    return e.declog(repo, "validate")


# set, supersede, edit ------------------------------------------------------------------------

@case("E-set-unknown-field")
def _(e: Env) -> Result:
    repo = e.log()
    return e.declog(repo, "set", e.decision(repo), "colour=red")


@case("E-set-id")
def _(e: Env) -> Result:
    repo = e.log()
    return e.declog(repo, "set", e.decision(repo), "id=D-000000")


@case("E-set-bool")
def _(e: Env) -> Result:
    return e.declog(e.log(), "set", "alice", "active=maybe")


@case("E-set-date")
def _(e: Env) -> Result:
    repo = e.log()
    return e.declog(repo, "set", e.decision(repo), "review_by=soon")


@case("E-set-choice")
def _(e: Env) -> Result:
    repo = e.log()
    return e.declog(repo, "set", e.decision(repo), "status=acepted")


def _correction(e: Env, repo: Path, text: str | None = None) -> str:
    from tests.loops.conftest import CORRECTION

    (repo / "decisions" / "corrections" / "C-byc491-checkout-down.yaml").write_text(text or CORRECTION,
                                                                                    encoding="utf-8")
    return "C-byc491"


@case("E-set-past-end")
def _(e: Env) -> Result:
    repo = e.log()
    return e.declog(repo, "set", _correction(e, repo), "action_items[5].status=done")


@case("E-set-path-syntax")
def _(e: Env) -> Result:
    repo = e.log()
    return e.declog(repo, "set", e.decision(repo), "[0]=x")


@case("E-set-path-not-list")
def _(e: Env) -> Result:
    repo = e.log()
    return e.declog(repo, "set", e.decision(repo), "title[0]=x")


@case("E-set-path-no-fields")
def _(e: Env) -> Result:
    repo = e.log()
    return e.declog(repo, "set", e.decision(repo, "Use Postgres", "--tag", "db"), "tags[0].name=x")


@case("E-set-path-op")
def _(e: Env) -> Result:
    repo = e.log()
    return e.declog(repo, "set", e.decision(repo), "options[0].pros+=Fast")


@case("E-set-path-shape")
def _(e: Env) -> Result:
    from tests.loops.conftest import CORRECTION

    repo = e.log()
    text = CORRECTION.split("action_items:")[0] + "action_items: Roll back\n"
    return e.declog(repo, "set", _correction(e, repo, text), "action_items[0].status=done")


@case("E-review-missing")
def _(e: Env) -> Result:
    repo = e.log()
    return e.declog(repo, "review-decision", e.decision(repo))


@case("E-review-blank")
def _(e: Env) -> Result:
    repo = e.log()
    return e.declog(repo, "review-decision", e.decision(repo), "--reviewer", "alice", "--outcome", " ",
                    "--vs-expected", "better")


@case("E-close-no-status")
def _(e: Env) -> Result:
    repo = e.log()
    return e.declog(repo, "close", _correction(e, repo), "0")


@case("E-close-past-end")
def _(e: Env) -> Result:
    repo = e.log()
    return e.declog(repo, "close", _correction(e, repo), "2", "--done")


@case("E-close-wont-do-reason")
def _(e: Env) -> Result:
    repo = e.log()
    return e.declog(repo, "close", _correction(e, repo), "0", "--wont-do")


@case("E-close-already")
def _(e: Env) -> Result:
    repo = e.log()
    cid = _correction(e, repo)
    assert e.declog(repo, "close", cid, "0", "--done").exit_code == 0
    return e.declog(repo, "close", cid, "0", "--done")


@case("E-set-not-unicode")
def _(e: Env) -> Result:  # what Python makes of bytes that are not UTF-8 on the command line
    repo = e.log()
    return e.declog(repo, "set", e.decision(repo), "title=caf\udce9")


@case("E-set-not-assignment")
def _(e: Env) -> Result:
    repo = e.log()
    return e.declog(repo, "set", e.decision(repo), "accepted")


@case("E-set-invalid")
def _(e: Env) -> Result:
    repo = e.log()
    return e.declog(repo, "set", e.decision(repo), "status=accepted")


@case("E-set-unreadable")
def _(e: Env) -> Result:
    repo = e.log()
    did = e.decision(repo)
    (path,) = (repo / "decisions").glob(f"{did}-*.yaml")
    path.write_bytes(path.read_bytes() + b"context: [unclosed\n")
    return e.declog(repo, "set", did, "tags+=db")


@case("E-supersede-not-decision")
def _(e: Env) -> Result:
    repo = e.log()
    return e.declog(repo, "supersede", "alice", e.decision(repo))


@case("E-supersede-self")
def _(e: Env) -> Result:
    repo = e.log()
    did = e.decision(repo)
    return e.declog(repo, "supersede", did, did)


@case("E-supersede-already")
def _(e: Env) -> Result:
    repo = e.log()
    old, new, newer = e.decision(repo, "Old"), e.decision(repo, "New"), e.decision(repo, "Newer")
    assert e.declog(repo, "supersede", old, new).exit_code == 0
    return e.declog(repo, "supersede", old, newer)


@case("E-supersede-unreadable")
def _(e: Env) -> Result:
    repo = e.log()
    old, new = e.decision(repo, "Old"), e.decision(repo, "New")
    (path,) = (repo / "decisions").glob(f"{old}-*.yaml")
    path.write_bytes(path.read_bytes() + b"context: [unclosed\n")
    return e.declog(repo, "supersede", old, new)


@case("E-edit-no-change")
def _(e: Env) -> Result:
    repo = e.log()
    return e.declog(repo, "edit", e.decision(repo), env=e.editor("true"))


@case("E-edit-still-invalid")
def _(e: Env) -> Result:
    repo = e.log()
    did = e.decision(repo)
    script = e.file("editor.py", "import pathlib, sys\np = pathlib.Path(sys.argv[1])\n"
                    "p.write_text(p.read_text().replace('status: proposed', 'status: done'))\n")
    return e.declog(repo, "edit", did, env=e.editor(f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}"))


@case("E-editor-fails")
def _(e: Env) -> Result:
    repo = e.log()
    return e.declog(repo, "edit", e.decision(repo), env=e.editor("false"))


@case("E-editor-missing")
def _(e: Env) -> Result:
    repo = e.log()
    return e.declog(repo, "edit", e.decision(repo), env=e.editor(str(e.tmp / "no-such-editor")))


# writing -------------------------------------------------------------------------------------

@case("E-write-symlink")
def _(e: Env) -> Result:
    repo = e.log()
    did = e.decision(repo)
    (path,) = (repo / "decisions").glob(f"{did}-*.yaml")
    real = repo / "decisions" / "real.txt"
    path.rename(real)
    path.symlink_to(real.name)
    return e.declog(repo, "set", did, "tags+=db")


@case("E-write-outside")
def _(e: Env) -> Result:
    repo = e.log()
    outside = e.tmp / "outside-owners"
    outside.mkdir()
    owners = repo / "decisions" / "owners"
    for child in owners.iterdir():
        child.rename(outside / child.name)
    owners.rmdir()
    owners.symlink_to(outside)
    return e.declog(repo, "new", "owner", "bob", "--name", "Bob")


@case("E-write-exists")
def _(e: Env) -> Result:
    repo = e.log()
    (repo / "decisions" / "owners" / "bob.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    return e.declog(repo, "new", "owner", "bob", "--name", "Bob")


@case("E-write-denied")
def _(e: Env) -> Result:
    repo = e.log()
    owners = repo / "decisions" / "owners"
    if os.geteuid() == 0:  # root writes anywhere: make the temporary file fail as it would
        import tempfile

        def denied(*args: object, **kwargs: object) -> None:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(owners))

        e.monkeypatch.setattr(tempfile, "mkstemp", denied)
    else:
        owners.chmod(0o555)
    try:
        return e.declog(repo, "new", "owner", "bob", "--name", "Bob")
    finally:
        owners.chmod(0o755)


@case("E-write-folder-is-a-file")
def _(e: Env) -> Result:
    repo = e.log()
    (repo / "decisions" / "mechanisms").rename(repo / "mechanisms-was-here")
    (repo / "decisions" / "mechanisms").write_text("not a folder\n", encoding="utf-8")
    return e.declog(repo, "new", "mechanism", "Weekly deploy review", "--owner", "alice",
                    "--problem", "Risky deploys", "--tool", "A checklist", "--adoption", "The pipeline asks",
                    "--cadence", "weekly", "--input-metric", "reviewed_pct>=95 percent",
                    "--output-metric", "incidents<=1 count", "--no-input")


# list, show, validate, schema ----------------------------------------------------------------

@case("E-list-kind")
def _(e: Env) -> Result:
    return e.declog(e.log(), "list", "gadgets")


@case("E-bad-date")
def _(e: Env) -> Result:
    return e.declog(e.log(), "list", "--since", "yesterday")


@case("E-rev-option-shaped")
def _(e: Env) -> Result:
    repo = e.log()
    e.commit(repo)
    return e.declog(repo, "list", "--at=--output=x")


@case("E-rev-unknown")
def _(e: Env) -> Result:
    repo = e.log()
    e.commit(repo)
    return e.declog(repo, "show", "alice", "--at", "no-such-branch")


@case("E-validate-no-such-path")
def _(e: Env) -> Result:
    return e.declog(e.log(), "validate", "nope.yaml")


@case("E-validate-against-unknown")
def _(e: Env) -> Result:
    repo = e.log()
    e.commit(repo)
    return e.declog(repo, "validate", "--against", "no-such-branch")


@case("E-schema-check-without-out")
def _(e: Env) -> Result:
    return e.declog(e.log(), "schema", "--check")


@case("E-schema-out-and-kind")
def _(e: Env) -> Result:
    repo = e.log()
    return e.declog(repo, "schema", "decision", "--out", str(repo / "schemas"))


@case("E-schema-kind")
def _(e: Env) -> Result:
    return e.declog(e.log(), "schema", "gadget")


# why, blame, retro, history ------------------------------------------------------------------

@case("E-why-empty")
def _(e: Env) -> Result:
    return e.declog(e.log(), "why", " ")


@case("E-blame-neither")
def _(e: Env) -> Result:
    return e.declog(e.log(), "blame")


@case("E-blame-lines")
def _(e: Env) -> Result:
    repo = e.log()
    (repo / "app.py").write_text("x = 1\n", encoding="utf-8")
    return e.declog(repo, "blame", "app.py:5-2")


@case("E-blame-outside")
def _(e: Env) -> Result:
    repo = e.log()
    return e.declog(repo, "blame", str(e.file("elsewhere.py", "x = 1\n")))


@case("E-blame-folder")
def _(e: Env) -> Result:
    return e.declog(e.log(), "blame", "decisions")


@case("E-blame-no-such-file")
def _(e: Env) -> Result:
    repo = e.log()
    e.commit(repo)
    return e.declog(repo, "blame", "nope.py")


@case("E-blame-past-end")
def _(e: Env) -> Result:
    repo = e.log()
    (repo / "app.py").write_text("x = 1\n", encoding="utf-8")
    e.commit(repo)
    return e.declog(repo, "blame", "app.py:40")


@case("E-blame-unrelated")
def _(e: Env) -> Result:
    repo = e.log()
    e.commit(repo)
    git(repo, "checkout", "-q", "--orphan", "other")
    git(repo, "commit", "-q", "-m", "unrelated")
    git(repo, "checkout", "-q", "main")
    return e.declog(repo, "blame", "--changed-since", "other")


@case("E-retro-until-before-since")
def _(e: Env) -> Result:
    return e.declog(e.log(), "retro", "--since", "2026-03-02", "--until", "2026-03-01")


@case("E-retro-future")
def _(e: Env) -> Result:
    return e.declog(e.log(), "retro", "--since", "2999-01-01")


# mechanisms, inspections, corrections --------------------------------------------------------

@case("E-mechanism-cadence")
def _(e: Env) -> Result:
    return e.declog(e.log(), "new", "mechanism", "M", "--cadence", "sometimes")


@case("E-mechanism-metric")
def _(e: Env) -> Result:
    return e.declog(e.log(), "new", "mechanism", "M", "--input-metric", ">=95 percent")


@case("E-mechanism-missing-fields")
def _(e: Env) -> Result:
    return e.declog(e.log(), "new", "mechanism", "M", "--no-input")


@case("E-inspect-metric")
def _(e: Env) -> Result:
    repo = e.log()
    return e.declog(repo, "inspect", e.mechanism(repo), "--verdict", "working", "--metric", "reviewed_pct")


@case("E-inspect-metric-twice")
def _(e: Env) -> Result:
    repo = e.log()
    return e.declog(repo, "inspect", e.mechanism(repo), "--verdict", "working", "--metric", "a=1", "--metric", "a=2")


@case("E-inspect-no-verdict")
def _(e: Env) -> Result:
    repo = e.log()
    return e.declog(repo, "inspect", e.mechanism(repo))


@case("E-inspect-unreadable")
def _(e: Env) -> Result:
    repo = e.log()
    mid = e.mechanism(repo)
    (path,) = (repo / "decisions" / "mechanisms").glob(f"{mid}*.yaml")
    path.write_bytes(path.read_bytes() + b"tool: [unclosed\n")
    return e.declog(repo, "inspect", mid, "--verdict", "working")


@case("E-correction-why")
def _(e: Env) -> Result:
    return e.declog(e.log(), "new", "correction", "Checkout down", "--why", "It broke")


@case("E-correction-action")
def _(e: Env) -> Result:
    return e.declog(e.log(), "new", "correction", "Checkout down", "--action", "Add a checklist; who=alice")


@case("E-correction-missing-fields")
def _(e: Env) -> Result:
    return e.declog(e.log(), "new", "correction", "Checkout down", "--no-input")


@case("E-correction-template-unchanged")
def _(e: Env) -> Result:
    return e.declog(e.log(), "new", "correction", "Checkout down", "--edit", env=e.editor("true"))


@case("E-narrative-template-unchanged")
def _(e: Env) -> Result:
    return e.declog(e.log(), "new", "narrative", "One-click reorder", "--edit", env=e.editor("true"))


@case("E-link-other-narrative")
def _(e: Env) -> Result:
    import json

    repo = e.log()
    first = json.loads(e.declog(repo, "new", "narrative", "One-click reorder", "--no-input", "--format", "json").stdout)
    second = json.loads(e.declog(repo, "new", "narrative", "Saved lists", "--no-input", "--format", "json").stdout)
    did = e.decision(repo)
    assert e.declog(repo, "link", first["id"], did).exit_code == 0
    return e.declog(repo, "link", second["id"], did)


@case("E-link-document-narrative")
def _(e: Env) -> Result:
    import json

    repo = e.log()
    story = json.loads(e.declog(repo, "new", "narrative", "One-click reorder", "--no-input", "--format", "json").stdout)
    did = e.decision(repo, "Use Postgres for orders", "--narrative", "docs/prfaq.md")
    return e.declog(repo, "link", story["id"], did)


@case("E-import-narrative-folder")
def _(e: Env) -> Result:
    repo = e.log()
    (repo / "docs" / "prfaq").mkdir(parents=True)
    return e.declog(repo, "import", "narrative", "docs/prfaq")


@case("E-import-narrative-outside")
def _(e: Env) -> Result:
    return e.declog(e.log(), "import", "narrative", str(e.file("prfaq.md", "# Reorder\n")))


@case("E-import-narrative-no-headline")
def _(e: Env) -> Result:
    repo = e.log()
    (repo / "notes.md").write_text("Just some notes, no heading.\n", encoding="utf-8")
    return e.declog(repo, "import", "narrative", "notes.md")


@case("E-commit-msg-unreadable")
def _(e: Env) -> Result:
    return e.declog(e.log(), "check-commit-msg", "no-such-message-file")


# other processes: the write lock and races ---------------------------------------------------

@case("E-lock-held")
def _(e: Env) -> Result:
    import fcntl

    repo = e.log()
    did = e.decision(repo)
    lock = repo / ".git" / "declog" / "write.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    e.monkeypatch.setattr("declog.storage.store.LOCK_TIMEOUT_SECONDS", 0.2)
    with lock.open("a") as held:  # another declog process in the middle of a write
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        return e.declog(repo, "set", did, "tags+=db")


def _touch_while_locked(e: Env, touch: Callable[[], None]) -> None:
    """Simulate another process writing just before this one takes the write lock."""
    from declog.storage.store import Log

    original = Log.write_lock

    def write_lock(self: Log):  # type: ignore[no-untyped-def]
        if not self._lock_depth:
            touch()
        return original(self)

    e.monkeypatch.setattr(Log, "write_lock", write_lock)


@case("E-race-id-taken")
def _(e: Env) -> Result:
    repo = e.log()
    body = "id: D-abc123\ntitle: Mine\nowner: alice\ndoor: two-way\ncontext: c\n"
    draft = e.file("draft.yaml", body)
    theirs = repo / "decisions" / "D-abc123-theirs.yaml"
    _touch_while_locked(e, lambda: theirs.write_text(body.replace("Mine", "Theirs"), encoding="utf-8"))
    return e.declog(repo, "new", "decision", "--from-file", str(draft))


@case("E-race-changed")
def _(e: Env) -> Result:
    repo = e.log()
    old, new = e.decision(repo, "Old"), e.decision(repo, "New")
    (path,) = (repo / "decisions").glob(f"{old}-*.yaml")
    _touch_while_locked(e, lambda: path.write_text(path.read_text(encoding="utf-8") + "# theirs\n",
                                                   encoding="utf-8"))
    return e.declog(repo, "supersede", old, new)


@case("E-edit-changed-on-disk")
def _(e: Env) -> Result:
    repo = e.log()
    did = e.decision(repo)
    (path,) = (repo / "decisions").glob(f"{did}-*.yaml")
    script = e.file("editor.py", "import pathlib, sys\n"
                    "record = pathlib.Path(sys.argv[1])\n"
                    "record.write_text(record.read_text() + '# changed by someone else\\n')\n"
                    "p = pathlib.Path(sys.argv[2])\n"
                    "p.write_text(p.read_text().replace('Use Postgres', 'Use MySQL'))\n")
    editor = f"{shlex.quote(sys.executable)} {shlex.quote(str(script))} {shlex.quote(str(path))}"
    return e.declog(repo, "edit", did, env=e.editor(editor))


# import adr, export, graph -------------------------------------------------------------------

ADR = "# 1. Use Postgres\n\nDate: 2026-01-05\n\n## Status\n\nAccepted\n\n## Context\n\nOrders.\n\n## Decision\n\nPostgres.\n"


def _adrs(e: Env, repo: Path) -> Path:
    folder = repo / "doc" / "adr"
    folder.mkdir(parents=True)
    (folder / "0001-use-postgres.md").write_text(ADR, encoding="utf-8")
    return folder


@case("E-race-import-changed")
def _(e: Env) -> Result:
    repo = e.log()
    adr = _adrs(e, repo) / "0001-use-postgres.md"
    assert e.declog(repo, "import", "adr", "doc/adr", "--owner", "alice").exit_code == 0
    adr.write_text(ADR.replace("Orders.", "Orders, and their payments."), encoding="utf-8")
    (path,) = (repo / "decisions").glob("D-*-use-postgres.yaml")
    _touch_while_locked(e, lambda: path.write_text(path.read_text(encoding="utf-8") + "# theirs\n",
                                                   encoding="utf-8"))
    return e.declog(repo, "import", "adr", "doc/adr", "--owner", "alice", "--refresh")


@case("E-write-part-way")
def _(e: Env) -> Result:
    """A real limit that holds for root too: this process's file-size limit (RLIMIT_FSIZE)."""
    import resource
    import signal

    repo = e.log()
    folder = _adrs(e, repo)
    (folder / "0002-use-redis.md").write_text(ADR.replace("1. Use Postgres", "2. Use Redis")
                                              .replace("Orders.", "Cache. " * 3000), encoding="utf-8")
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (16_000, hard))
    try:
        return e.declog(repo, "import", "adr", "doc/adr", "--owner", "alice")
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, handler)


@case("E-import-no-such-folder")
def _(e: Env) -> Result:
    return e.declog(e.log(), "import", "adr", "doc/nope", "--owner", "alice")


@case("E-import-outside")
def _(e: Env) -> Result:
    elsewhere = e.tmp / "elsewhere"
    elsewhere.mkdir()
    return e.declog(e.log(), "import", "adr", str(elsewhere), "--owner", "alice")


@case("E-import-no-markdown")
def _(e: Env) -> Result:
    repo = e.log()
    (repo / "doc" / "adr").mkdir(parents=True)
    return e.declog(repo, "import", "adr", "doc/adr", "--owner", "alice")


@case("E-import-bad-tag")
def _(e: Env) -> Result:
    repo = e.log()
    _adrs(e, repo)
    return e.declog(repo, "import", "adr", "doc/adr", "--owner", "alice", "--tag", "two words")


@case("E-import-no-owner")
def _(e: Env) -> Result:
    repo = e.log()
    _adrs(e, repo)
    return e.declog(repo, "import", "adr", "doc/adr")


@case("E-import-owner-team")
def _(e: Env) -> Result:
    repo = e.log()
    assert e.declog(repo, "new", "owner", "platform", "--kind", "team", "--name", "Platform", "--lead",
                    "alice").exit_code == 0
    _adrs(e, repo)
    return e.declog(repo, "import", "adr", "doc/adr", "--owner", "platform")


@case("E-import-owner-inactive")
def _(e: Env) -> Result:
    repo = e.log()
    assert e.declog(repo, "new", "owner", "gone", "--name", "Gone").exit_code == 0
    assert e.declog(repo, "set", "gone", "active=false").exit_code == 0
    _adrs(e, repo)
    return e.declog(repo, "import", "adr", "doc/adr", "--owner", "gone")


@case("E-import-invalid")
def _(e: Env) -> Result:
    repo = e.log()
    _adrs(e, repo)
    e.config(repo, "root: decisions\nrequired:\n  decision: [review_by]\n")
    return e.declog(repo, "import", "adr", "doc/adr", "--owner", "alice")


@case("E-export-out-symlink")
def _(e: Env) -> Result:
    repo = e.log()
    real = e.tmp / "real-site"
    real.mkdir()
    (e.tmp / "site").symlink_to(real)
    return e.declog(repo, "export", "markdown", "--out", str(e.tmp / "site"))


@case("E-export-out-file")
def _(e: Env) -> Result:
    return e.declog(e.log(), "export", "json", "--out", str(e.file("site", "x")))


@case("E-export-out-not-empty")
def _(e: Env) -> Result:
    site = e.tmp / "site"
    site.mkdir()
    (site / "notes.txt").write_text("mine\n", encoding="utf-8")
    return e.declog(e.log(), "export", "markdown", "--out", str(site))


@case("E-export-cannot-create")
def _(e: Env) -> Result:
    return e.declog(e.log(), "export", "markdown", "--out", str(e.file("a-file", "x") / "site"))


@case("E-export-cannot-write")
def _(e: Env) -> Result:
    repo = e.log()
    site = e.tmp / "site"
    assert e.declog(repo, "export", "markdown", "--out", str(site)).exit_code == 0
    (site / "index.md").unlink()
    (site / "index.md").mkdir()  # a folder where a page goes
    return e.declog(repo, "export", "markdown", "--out", str(site))


@case("E-export-page-symlink")
def _(e: Env) -> Result:
    repo = e.log()
    site = e.tmp / "site"
    assert e.declog(repo, "export", "markdown", "--out", str(site)).exit_code == 0
    (site / "index.md").unlink()
    (site / "index.md").symlink_to(e.file("elsewhere.md", "mine\n"))
    return e.declog(repo, "export", "markdown", "--out", str(site))


@case("E-export-html-cannot-write")
def _(e: Env) -> Result:
    return e.declog(e.log(), "export", "html", "--out", str(e.file("a-file", "x") / "site"))


@case("E-export-leads-outside")
def _(e: Env) -> Result:
    repo = e.log()
    site = e.tmp / "site"
    assert e.declog(repo, "export", "markdown", "--out", str(site)).exit_code == 0
    sub = next(p for p in site.iterdir() if p.is_dir())  # a folder of pages, made a symlink out
    elsewhere = e.tmp / "elsewhere"
    sub.rename(elsewhere)
    sub.symlink_to(elsewhere)
    return e.declog(repo, "export", "markdown", "--out", str(site))


@case("E-export-html-out-file")
def _(e: Env) -> Result:
    return e.declog(e.log(), "export", "html", "--out", str(e.file("site", "x")))


@case("E-export-html-out-symlink")
def _(e: Env) -> Result:
    real = e.tmp / "real-site"
    real.mkdir()
    (e.tmp / "site").symlink_to(real)
    return e.declog(e.log(), "export", "html", "--out", str(e.tmp / "site"))


@case("E-export-html-out-not-empty")
def _(e: Env) -> Result:
    site = e.tmp / "site"
    site.mkdir()
    (site / "notes.txt").write_text("mine\n", encoding="utf-8")
    return e.declog(e.log(), "export", "html", "--out", str(site))


@case("E-graph-out-folder")
def _(e: Env) -> Result:
    repo = e.log()
    e.decision(repo)
    folder = e.tmp / "graph.mmd"
    folder.mkdir()
    return e.declog(repo, "graph", "--out", str(folder))


# click's own usage errors --------------------------------------------------------------------

@case("E-click-no-such-command")
def _(e: Env) -> Result:
    return e.declog(e.log(), "lsit")


@case("E-click-no-such-option")
def _(e: Env) -> Result:
    return e.declog(e.log(), "list", "--colour")


@case("E-click-missing-argument")
def _(e: Env) -> Result:
    return e.declog(e.log(), "show")


@case("E-click-missing-option")
def _(e: Env) -> Result:
    return e.declog(e.log(), "export", "html")


@case("E-help-no-subcommands")
def _(e: Env) -> Result:
    return e.declog(e.log(), "help", "set", "owner")


@case("E-retro-since")
def _(e: Env) -> Result:
    return e.declog(e.log(), "retro", "--since", "lastweek")


@case("E-list-status")
def _(e: Env) -> Result:
    return e.declog(e.log(), "list", "--status", "acepted")


@case("E-list-status-none")
def _(e: Env) -> Result:
    return e.declog(e.log(), "list", "owners", "--status", "active")


@case("E-list-owner")
def _(e: Env) -> Result:
    return e.declog(e.log(), "list", "--owner", "alcie")


@case("E-click-option-needs-value")
def _(e: Env) -> Result:
    return e.declog(e.log(), "list", "--status")


@case("E-click-bad-choice")
def _(e: Env) -> Result:
    return e.declog(e.log(), "list", "--format", "xml")


@case("E-click-out-of-range")
def _(e: Env) -> Result:
    return e.declog(e.log(), "why", "orders", "--limit", "0")


@case("E-click-path-is-a-folder")
def _(e: Env) -> Result:
    return e.declog(e.log(), "validate", "decisions")


# -- the tests ---------------------------------------------------------------------------------


def test_every_row_has_a_scenario_and_every_scenario_a_row() -> None:
    rows = set(doc_rows())
    assert rows - set(SCENARIOS) == set(), "rows in docs/errors.md without a scenario here"
    assert set(SCENARIOS) - rows == set(), "scenarios here without a row in docs/errors.md"


def _in_order(fragments: list[str], line: str) -> bool:
    at = 0
    for fragment in fragments:
        found = line.find(fragment, at)
        if found < 0:
            return False
        at = found + len(fragment)
    return True


def check(res: Result, row: Row) -> None:
    assert "Traceback" not in res.output, res.output
    assert res.exit_code == row.code, f"{row.key}: exit {res.exit_code}, docs/errors.md says {row.code}\n{res.output}"
    fragments = [f for f in row.message.split(ELLIPSIS) if f]
    # click prints a blank line before "declog: aborted" / "declog: interrupted" (it ends the ^C echo)
    lines = res.stderr.strip("\n").splitlines()
    if row.message.startswith("Error: "):  # click's usage format: [Usage: ...] [Try ...] Error: ...
        assert lines and lines[-1].startswith("Error: ") and _in_order(fragments, lines[-1]), (row.message, res.stderr)
        assert lines[0].startswith(("Usage: declog", "Error: ")), res.stderr
        return
    if not row.message.startswith("declog: "):  # a problem in the report of `declog validate`, on stdout
        assert any(_in_order(fragments, line) for line in res.stdout.splitlines()), (row.message, res.stdout)
        assert "internal error" not in res.output
        return
    assert lines, f"{row.key}: nothing on stderr\n{res.output}"
    assert _in_order(fragments, lines[0]), f"{row.key}: docs/errors.md says\n  {row.message}\nstderr says\n  {lines[0]}"
    # one message line; only a list of problems (or the bug report hint) may follow it, indented
    assert all(line.startswith("  ") for line in lines[1:]), res.stderr
    if not row.message.startswith("declog: internal error"):
        assert "internal error" not in res.output


# hardening, round two (issue 12) --------------------------------------------------------------

@case("E-output-failed")
def _(e: Env) -> Result:
    repo = e.log()
    e.decision(repo)
    declog = Path(sys.executable).with_name("declog")
    argv = [str(declog)] if declog.exists() else [sys.executable, "-m", "declog"]
    with open("/dev/full", "w") as full:
        proc = subprocess.run([*argv, "list"], cwd=repo, stdout=full, stderr=subprocess.PIPE, text=True, check=False)
    return Result(proc.returncode, "", proc.stderr)


@case("E-config-root-in-git")
def _(e: Env) -> Result:
    repo = e.log()
    e.config(repo, "root: .git/hooks\n")
    return e.declog(repo, "new", "owner", "bob", "--name", "Bob")


@case("E-config-root-symlink")
def _(e: Env) -> Result:
    import shutil

    repo = e.log()
    outside = e.tmp / "secret"
    outside.mkdir()
    shutil.rmtree(repo / "decisions")
    (repo / "decisions").symlink_to(outside)
    return e.declog(repo, "list")


@case("E-config-symlink")
def _(e: Env) -> Result:
    repo = e.log()
    real = e.file("settings.yaml", "version: 1\n")
    (repo / ".declog.yaml").unlink()
    (repo / ".declog.yaml").symlink_to(real)
    return e.declog(repo, "list")


@case("E-config-protect-field")
def _(e: Env) -> Result:
    repo = e.log()
    e.config(repo, "protect_accepted: [contxt]\n")
    return e.declog(repo, "validate")


@case("E-record-extension")
def _(e: Env) -> Result:
    repo = e.log()
    (repo / "decisions" / "D-abc123-x.YAML").write_text("id: D-abc123\n", encoding="utf-8")
    return e.declog(repo, "validate")


@case("E-lock-unavailable")
def _(e: Env) -> Result:
    repo = e.log()
    did = e.decision(repo)
    lock = repo / ".git" / "declog" / "write.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    lock.unlink(missing_ok=True)
    lock.mkdir()
    return e.declog(repo, "set", did, "tags+=db")


@case("E-lock-no-git-dir")
def _(e: Env) -> Result:
    import shutil

    repo = e.log()
    shutil.rmtree(repo / ".git")
    (repo / ".git").write_text("not a gitdir pointer\n", encoding="utf-8")
    return e.declog(repo, "new", "owner", "bob", "--name", "Bob")


@case("E-date-out-of-range")
def _(e: Env) -> Result:
    return e.declog(e.log(), "review", "--as-of", "0001-01-01")


@case("E-schema-out-not-a-file")
def _(e: Env) -> Result:
    out = e.tmp / "schemas"
    (out / "decision.schema.json").mkdir(parents=True)
    return e.declog(e.log(), "schema", "--out", str(out))


@case("E-commit-msg-too-big")
def _(e: Env) -> Result:
    return e.declog(e.log(), "check-commit-msg", "/dev/zero")


@case("E-import-not-markdown")
def _(e: Env) -> Result:
    repo = e.log()
    (repo / "notes.txt").write_text("# 1. Use Postgres\n", encoding="utf-8")
    return e.declog(repo, "import", "adr", "notes.txt", "--owner", "alice")


@case("E-import-symlink")
def _(e: Env) -> Result:
    repo = e.log()
    (repo / "doc" / "adr").mkdir(parents=True)
    (repo / "doc" / "real.md").write_text("# 1. Use Postgres\n", encoding="utf-8")
    (repo / "doc" / "adr" / "0001-use-postgres.md").symlink_to(Path("..") / "real.md")
    return e.declog(repo, "import", "adr", "doc/adr", "--owner", "alice")


@pytest.fixture(scope="module")
def log_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``declog init`` and alice, made once and copied into each scenario (it saves a minute)."""
    from tests.conftest import GIT_ENV, _Entry

    folder = tmp_path_factory.mktemp("template")
    with pytest.MonkeyPatch.context() as mp:
        for key, value in GIT_ENV.items():
            mp.setenv(key, value)
        mp.setenv("HOME", str(folder / "home"))
        repo = folder / "repo"
        repo.mkdir()
        git(repo, "init", "-q", "-b", "main")
        from click.testing import CliRunner

        for argv in (["init"], ["new", "owner", "alice", "--name", "Alice Example"]):
            cwd = os.getcwd()
            try:
                res = CliRunner().invoke(_Entry("declog"), ["-C", str(repo), *argv], catch_exceptions=False)
            finally:
                os.chdir(cwd)
            assert res.exit_code == 0, res.output
    import shutil

    shutil.rmtree(repo / ".git" / "declog", ignore_errors=True)  # each copy builds its own caches
    return repo


@pytest.mark.parametrize("key", sorted(doc_rows()))
def test_error(key: str, tmp_path: Path, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch,
               log_template: Path) -> None:
    row = doc_rows()[key]
    scenario = SCENARIOS.get(key)
    assert scenario is not None, f"no scenario for {key}"
    check(scenario(Env(tmp_path, run, monkeypatch, log_template)), row)


# -- every DeclogError in declog/ has a row ----------------------------------------------------

ERROR_CLASSES = {name for name, value in vars(errors_mod).items()
                 if isinstance(value, type) and issubclass(value, errors_mod.DeclogError)}

# Sites whose message has little literal text of its own: site → the row that shows it.
SHORT_SITES: dict[str, str] = {
    "declog/core/blame.py:result:UsageError:': '": "E-blame-past-end",
    "declog/cli/cmd_show.py:show:RecordFileError:''": "E-show-unreadable",
    "declog/storage/store.py:resolve:RecordFileError:''": "E-show-unreadable",
    "declog/storage/store.py:_from_entry:RecordFileError:''": "E-show-unreadable",
    "declog/storage/store.py:resolve:UsageError:', not a '": "E-wrong-kind",
    "declog/domain/ids.py:resolve:AmbiguousId:''": "E-ambiguous-id",
    "declog/storage/yamlio.py:_yaml_error:RecordFileError:''": "E-file-malformed",
    "declog/history/git.py:_failed:GitError:' failed: '": "E-git-failed",
    "declog/core/edit.py:_planned:UsageError:' needs a `'": "E-owner-handle-not-text",
}

# Sites no user action reaches through the command line, with the reason. docs/errors.md lists
# each under "Left out".
LEFT_OUT: dict[str, str] = {
    "declog/api.py:set:UsageError:'nothing to set: give FIELD=VALUE assignments or keyword fields'":
        "the Python API only (tests/api); the command line requires FIELD=VALUE",
    "declog/api.py:why:UsageError:\"give a question in plain words, e.g. log.why('orders database')\"":
        "the Python API only (tests/api); `declog why` has E-why-empty",
    "declog/history/git.py:stream_blobs:GitError:'git cat-file: unexpected output'":
        "git's own output is malformed: a broken git, not the user's doing",
    "declog/history/snapshot.py:write_text:UsageError:'a record as of --at is read-only'":
        "no command writes with --at; a guard for library callers",
    "declog/core/loops.py:record_review:UsageError:': only decisions are reviewed'":
        "`declog review-decision` resolves decisions only (E-wrong-kind comes first)",
    "declog/core/loops.py:close_action_item:UsageError:': only corrections have action items'":
        "`declog close` resolves corrections only (E-wrong-kind comes first)",
    "declog/core/loops.py:review_item:UsageError:'a review has no field '":
        "the command line has one option per review field; a guard for library callers",
    "declog/core/edit.py:_superseded:UsageError:'only decisions supersede decisions'":
        "`new decision --supersedes` resolves decisions only (E-wrong-kind comes first)",
    "declog/core/edit.py:supersede:UsageError:'only decisions supersede decisions'":
        "`declog supersede` resolves decisions only (E-supersede-not-decision comes first)",
    "declog/core/edit.py:_superseded:UsageError:' is already superseded by '":
        "`new decision --supersedes` checks this first (E-new-already-superseded)",
    "declog/core/edit.py:_superseded:UsageError:'cannot change '":
        "Log.resolve names a broken file's problem first (E-supersede-unreadable)",
    "declog/core/edit.py:update:UsageError:'cannot change '":
        "Log.resolve names a broken file's problem first (E-set-unreadable)",
    "declog/cli/cmd_inspect.py:inspect:UsageError:'); fix it before inspecting (`declog validate`)'":
        "Log.resolve names a broken file's problem first (E-inspect-unreadable)",
    "declog/storage/yamlio.py:_check_reads_back:UsageError:': this value cannot be written as YAML that reads back the same; "
    "simplify the text (control characters, unusual line breaks)'":
        "a guard: text_scalar makes every value read back as written (the property tests try to break it)",
    "declog/storage/yamlio.py:_check_changes:UsageError:': could not remove the field from '":
        "a guard: set_fields removes every field it is asked to (the property tests try to break it)",
    "declog/storage/yamlio.py:_check_changes:UsageError:' would also change this field; edit '":
        "a guard: set_fields changes only the fields it is asked to (the property tests try to break it)",
    "declog/export/__init__.py:path_of:UsageError:': its folder leads outside '":
        "ExportDir.open refuses every symlink in the output folder before writing (E-export-leads-outside); a guard",
    "declog/export/__init__.py:path_of:UsageError:': not a plain path inside the output folder'":
        "exports name their files from IDs and slugs, which are never paths; a guard",
    "declog/core/edit.py:link_narrative:UsageError:' is not a narrative: `declog link` links a narrative (N-…) to the "
    "decisions it led to'": "`declog link` resolves a narrative only (E-wrong-kind comes first)",
    "declog/core/edit.py:link_narrative:UsageError:' is not a decision: a narrative leads to decisions'":
        "`declog link` resolves decisions only (E-wrong-kind comes first)",
    "declog/core/import_adr.py:_changed_texts:UsageError:'cannot link '":
        "an ADR linking to an earlier import whose file has since broken: the file's problem is named",
    "declog/core/import_adr.py:_write:UsageError:' appeared in the log while importing (another declog process); "
    "nothing was written: run the command again'":
        "a race with another declog process during an import (the guard of E-race-id-taken)",
    "declog/storage/transaction.py:_write_error:FileWriteError:': check them with `git diff`'":
        "a write that failed part-way and whose files could not be put back either (the disk failing twice)",
}


def _fragments(node: ast.expr | None) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return [v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
    if isinstance(node, ast.BinOp):
        return _fragments(node.left) + _fragments(node.right)
    return []


def error_sites() -> dict[str, str]:
    """Every call that builds a DeclogError in declog/: ``path:function:Class:'text'`` → the
    longest literal piece of its message."""
    sites: dict[str, str] = {}
    for path in sorted((ROOT / "declog").rglob("*.py")):
        if path.name == "errors.py" and path.parent.name == "declog":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
        owner: dict[int, str] = {}
        for fn in sorted(functions, key=lambda f: f.lineno):  # innermost function wins
            for child in ast.walk(fn):
                owner[id(child)] = fn.name
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name not in ERROR_CLASSES:
                continue
            path_first = issubclass(getattr(errors_mod, name), errors_mod.RecordFileError)  # (path, message)
            message = node.args[1] if path_first and len(node.args) > 1 else \
                node.args[0] if node.args else None
            for kw in node.keywords:
                if kw.arg in ("message",):
                    message = kw.value
            pieces = _fragments(message)
            text = max(pieces, key=len) if pieces else ""
            rel = path.relative_to(ROOT).as_posix()
            sites[f"{rel}:{owner.get(id(node), '<module>')}:{name}:{text!r}"] = text
    return sites


def test_every_error_site_has_a_row() -> None:
    messages = "\n".join(row.message for row in doc_rows().values())
    rows = doc_rows()
    missing = []
    for site, text in sorted(error_sites().items()):
        if site in LEFT_OUT:
            continue
        if site in SHORT_SITES:
            assert SHORT_SITES[site] in rows, site
            continue
        if len(text) < 12 or text not in messages:
            missing.append(site)
    assert not missing, ("errors raised in declog/ with no row in docs/errors.md (add a row and a scenario, or "
                         "list the site in SHORT_SITES or LEFT_OUT):\n  " + "\n  ".join(missing))


def test_the_exceptions_listed_here_still_exist() -> None:
    sites = error_sites()
    stale = [s for s in (*SHORT_SITES, *LEFT_OUT) if s not in sites]
    assert not stale, f"no longer raised in declog/ (drop them here and in docs/errors.md): {stale}"


def test_left_out_sites_are_listed_in_the_doc() -> None:
    lines = DOC.read_text(encoding="utf-8").split("## Left out", 1)[1].splitlines()
    for site in LEFT_OUT:
        path, function = site.split(":")[:2]
        assert any(f"`{path}`" in line and f"`{function}`" in line for line in lines), \
            f"docs/errors.md should list the left-out site {path} {function} under Left out"


def test_exit_codes_doc_links_here() -> None:
    for doc in ("exit-codes.md", "index.md"):
        assert "errors.md" in (ROOT / "docs" / doc).read_text(encoding="utf-8"), doc
