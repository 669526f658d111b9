"""docs/security.md is tested like code: every test it names exists, every promise names a test
(or says MISSING), and the promises no other test file keeps are kept here."""

from __future__ import annotations

import ast
import re
import socket
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

from tests.conftest import Result, git, new_decision

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "security.md"
REF = re.compile(r"`((?:tests|fuzz)/[\w/]+\.py)::(\w+)(?:\[([^\]`]+)\])?`")


@cache
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


@cache
def functions(path: str) -> frozenset[str]:
    """Names of the functions defined in a test file (module level or in a class)."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    return frozenset(n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))


def references() -> list[tuple[str, str, str | None]]:
    return sorted({(m.group(1), m.group(2), m.group(3)) for m in REF.finditer(doc())}, key=str)


def test_the_doc_names_tests() -> None:
    assert len(references()) >= 30


@pytest.mark.parametrize(("path", "name", "param"), references(), ids=lambda v: str(v))
def test_every_test_named_in_security_md_exists(path: str, name: str, param: str | None) -> None:
    assert (ROOT / path).is_file(), f"docs/security.md names {path}, which does not exist"
    assert name in functions(path), f"docs/security.md names {path}::{name}, which is not defined there"
    if param is not None and path == "tests/test_error_audit.py":
        errors = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
        assert f"| `{param}` |" in errors, f"{path}::{name}[{param}]: no row {param} in docs/errors.md"


def promise_rows() -> list[list[str]]:
    rows = []
    for line in doc().splitlines():
        if line.startswith("| `S-"):
            rows.append([c.strip() for c in line.strip().strip("|").split(" | ")])
    return rows


def test_every_promise_names_a_test_or_says_missing() -> None:
    rows = promise_rows()
    assert len(rows) >= 10
    keys = [r[0] for r in rows]
    assert len(keys) == len(set(keys)), "a promise key is used twice"
    for key, _promise, kept_by in rows:
        assert REF.search(kept_by) or "**MISSING**" in kept_by, f"{key}: name the test that keeps it, or say **MISSING**"


def test_security_md_is_linked() -> None:
    assert "security.md" in (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    assert "docs/security.md" in (ROOT / "README.md").read_text(encoding="utf-8")


# -- promises kept here ------------------------------------------------------------------------


def declog_modules() -> list[tuple[str, ast.Module]]:
    return [(p.relative_to(ROOT).as_posix(), ast.parse(p.read_text(encoding="utf-8")))
            for p in sorted((ROOT / "declog").rglob("*.py"))]


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def test_no_shell_eval_or_pickle() -> None:
    """S-no-shell: no shell, no eval/exec, no pickle, and subprocess only in declog/history/."""
    banned_calls = {"eval", "exec", "compile", "os.system", "os.popen", "os.execl", "os.execlp", "os.execv",
                    "os.execvp", "os.spawnl", "os.spawnlp", "os.spawnv", "os.spawnvp", "__import__"}
    banned_modules = {"pickle", "marshal", "shelve", "dill", "cloudpickle"}
    found = []
    for rel, tree in declog_modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = _dotted(node.func)
                constant_declog = (name == "__import__" and node.args and isinstance(node.args[0], ast.Constant)
                                   and str(node.args[0].value).split(".")[0] == "declog")
                if name in banned_calls and not constant_declog:
                    found.append(f"{rel}:{node.lineno}: {name}()")
                for kw in node.keywords:
                    if kw.arg == "shell" and not (isinstance(kw.value, ast.Constant) and kw.value.value is False):
                        found.append(f"{rel}:{node.lineno}: shell=")
                if name.startswith("subprocess.") and not rel.startswith("declog/history/"):
                    found.append(f"{rel}:{node.lineno}: {name}() outside declog/history/")
            elif isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                for module in names:
                    if module.split(".")[0] in banned_modules:
                        found.append(f"{rel}:{node.lineno}: import {module}")
                    if module.split(".")[0] == "subprocess" and not rel.startswith("declog/history/"):
                        found.append(f"{rel}:{node.lineno}: import subprocess outside declog/history/")
    assert not found, "\n".join(found)


def test_yaml_is_only_loaded_safely() -> None:
    """S-no-code-from-yaml: every ruamel loader is typ='safe' or 'rt' (neither builds Python
    objects), and the screening in front of them refuses tags, anchors and aliases."""
    loaders = []
    for rel, tree in declog_modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _dotted(node.func) in ("YAML", "ruamel.yaml.YAML"):
                typ = next((kw.value for kw in node.keywords if kw.arg == "typ"), None)
                assert isinstance(typ, ast.Constant) and typ.value in ("safe", "rt"), \
                    f"{rel}:{node.lineno}: YAML() must say typ='safe' or typ='rt'"
                loaders.append(rel)
            if isinstance(node, ast.Attribute) and node.attr in ("unsafe_load", "full_load", "UnsafeLoader",
                                                                 "FullLoader", "Loader"):
                pytest.fail(f"{rel}:{node.lineno}: {node.attr}")
    assert loaders and set(loaders) == {"declog/storage/yamlio.py"}
    from declog.errors import RecordFileError
    from declog.storage import yamlio

    for text in ("a: !!python/object/apply:os.system [echo pwned]\n", "a: &x 1\nb: *x\n", "a: !custom 1\n"):
        with pytest.raises(RecordFileError):
            yamlio.load_record_text(text, "hostile.yaml")


NETWORK_MODULES = {"socket", "ssl", "urllib", "http", "httpx", "requests", "aiohttp", "ftplib", "smtplib",
                   "poplib", "imaplib", "telnetlib", "xmlrpc", "websocket", "websockets", "urllib3"}


def test_no_network_library_is_imported() -> None:
    """S-no-network: nothing in declog/ imports a network library."""
    found = []
    for rel, tree in declog_modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                found += [f"{rel}:{node.lineno}: {m}" for m in names if m.split(".")[0] in NETWORK_MODULES]
    assert not found, "\n".join(found)


def test_commands_run_with_the_network_cut_off(log_repo: Path, run: Callable[..., Result],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """S-no-network: the main commands work with every socket refused."""

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("declog opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    did = new_decision(run, log_repo)
    git(log_repo, "add", "-A")
    git(log_repo, "commit", "-q", "-m", f"Record it\n\nDecision: {did}")
    for args in (("list",), ("show", did), ("validate",), ("why", "orders"), ("history", did),
                 ("set", did, "tags+=db"), ("review",), ("owners",), ("retro", "--since", "2000-01-01")):
        res = run(log_repo, *args)
        assert res.exit_code in (0, 1) and "network" not in res.output, (args, res.output)


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_caches_live_only_in_git_declog_and_are_safe_to_delete(log_repo: Path, run: Callable[..., Result],
                                                              tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """S-caches-in-git-dir: reading commands write nothing but .git/declog/ (not the work tree,
    not $HOME, not the temporary folder), and give the same answers once it is deleted."""
    import shutil
    import tempfile

    did = new_decision(run, log_repo)
    git(log_repo, "add", "-A")
    git(log_repo, "commit", "-q", "-m", f"Record it\n\nDecision: {did}")
    home, tmp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir(exist_ok=True)
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    work = {k: v for k, v in _tree(log_repo).items() if not k.startswith(".git/")}
    git_files = {k for k in _tree(log_repo) if k.startswith(".git/") and not k.startswith(".git/declog/")}
    home_before = _tree(home)
    commands = (("list", "--format", "json"), ("show", did, "--format", "json"), ("validate", "--format", "json"),
                ("why", "orders"), ("history", did), ("blame", "--changed-since", "HEAD"), ("owners",))
    first = [run(log_repo, *c) for c in commands]
    assert all(r.exit_code in (0, 1) for r in first), [r.output for r in first]
    after = _tree(log_repo)
    assert {k: v for k, v in after.items() if not k.startswith(".git/")} == work, "the work tree changed"
    new_git = {k for k in after if k.startswith(".git/")} - git_files
    assert new_git and all(k.startswith(".git/declog/") for k in new_git), sorted(new_git)
    assert _tree(home) == home_before, "declog wrote into $HOME"
    assert _tree(tmp) == {}, "declog left files in the temporary folder"
    shutil.rmtree(log_repo / ".git" / "declog")
    again = [run(log_repo, *c) for c in commands]
    assert [(r.exit_code, r.stdout) for r in again] == [(r.exit_code, r.stdout) for r in first]
