"""An attack harness for declog: hostile inputs of every kind against the real program, counted.

    .venv/bin/python bench/attack.py [--quick] [--json FILE]

Each attempt runs the installed ``declog`` as a process in a throwaway repository under a
temporary folder and checks what a user would see: no traceback, no internal error (exit 3), a
refusal as one ``declog: error:`` line, no control character on the terminal, nothing written or
read outside the repository, files always whole after a ``kill -9``, the same answers after a
cache is damaged, escaped HTML. It prints a table of attempts by category (handled well, failed)
and the failures, one line each. Nothing here is run by ``make test``: it takes a few minutes and
was used to measure the hardening of issue 12 (see docs/security.md).
"""

from __future__ import annotations

import argparse
import html
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_SCRIPT = Path(sys.executable).with_name("declog")
DECLOG = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "declog"]
ENV = {**os.environ, "GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@example.com", "GIT_COMMITTER_NAME": "A",
       "GIT_COMMITTER_EMAIL": "a@example.com", "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
       "EDITOR": "false", "VISUAL": "", "PYTHONPATH": str(ROOT)}
ENV.pop("DECLOG_TRACEBACK", None)
RAW_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def output(self) -> str:
        return self.out + self.err


@dataclass
class Tally:
    attempts: dict[str, int] = field(default_factory=dict)
    failures: list[tuple[str, str, str]] = field(default_factory=list)

    def record(self, category: str, name: str, problem: str | None) -> None:
        self.attempts[category] = self.attempts.get(category, 0) + 1
        if problem:
            self.failures.append((category, name, problem))


def declog(repo: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 120,
           stdin: int | None = subprocess.DEVNULL, **kwargs: object) -> Run:
    proc = subprocess.run(DECLOG + list(args), cwd=repo, capture_output=True, env={**ENV, **(env or {})},
                          timeout=timeout, stdin=stdin, check=False, **kwargs)  # type: ignore[call-overload]
    return Run(proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"))


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, env=ENV, check=True).stdout


def sane(res: Run, *, terminal: bool = True) -> str | None:
    """What is wrong with how a command answered, or None."""
    if "Traceback" in res.output:
        return "traceback: " + res.err.strip().splitlines()[-1][:160]
    if res.code not in (0, 1, 2):
        return f"exit {res.code}: {res.err.strip()[:160]}"
    if "internal error" in res.output:
        return "internal error: " + res.err.strip()[:160]
    if res.code == 2 and res.err.startswith("declog: error:") and len(res.err.strip().splitlines()) > 1 \
            and not all(line.startswith("  ") for line in res.err.strip().splitlines()[1:]):
        return "a refusal of more than one line: " + res.err[:160]
    if terminal:
        found = RAW_CONTROLS.search(res.out) or RAW_CONTROLS.search(res.err)
        if found:
            return f"raw control U+{ord(found.group()):04X} on the terminal"
    return None


class Lab:
    """Throwaway repositories: a template made once, copied per attempt."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.n = 0
        self.template = base / "template"
        self.template.mkdir()
        git(self.template, "init", "-q", "-b", "main")
        for args in (("init",), ("new", "owner", "alice", "--name", "Alice Example")):
            assert declog(self.template, *args).code == 0
        res = declog(self.template, "new", "decision", "Use Postgres for orders", "--owner", "alice", "--door",
                     "two-way", "--context", "Orders need transactions", "--format", "json")
        self.did = json.loads(res.out)["id"]
        git(self.template, "add", "-A")
        git(self.template, "commit", "-q", "-m", f"Start\n\nDecision: {self.did}")
        shutil.rmtree(self.template / ".git" / "declog", ignore_errors=True)

    def repo(self) -> Path:
        self.n += 1
        path = self.base / f"r{self.n}"
        shutil.copytree(self.template, path, symlinks=True)
        return path

    def record(self, repo: Path) -> Path:
        return next((repo / "decisions").glob(f"{self.did}-*.yaml"))

    def outside(self, name: str = "outside") -> Path:
        self.n += 1
        path = self.base / f"{name}{self.n}"
        path.mkdir()
        return path


SECRET = "S3CRET-TOKEN-4f1a"
READERS: list[tuple[str, ...]] = [("validate",), ("list",), ("list", "--format", "json"), ("why", "postgres"),
                                  ("review",), ("retro", "--since", "2020-01-01"), ("owners",), ("graph",)]


def hostile_records(lab: Lab, t: Tally, quick: bool) -> None:
    bodies: dict[str, bytes] = {
        "binary": b"\x00\x01\x02\x03", "empty": b"", "bom-only": b"\xef\xbb\xbf", "bad-utf8": b"id: \xff\xfe\n",
        "list": b"- a\n- b\n", "scalar": b"just text\n", "alias": b"a: &x [1]\nb: *x\n",
        "merge-key": b"a: &x {k: 1}\nb:\n  <<: *x\n", "tag": b"id: !!python/object/apply:os.system ['touch X']\n",
        "custom-tag": b"id: !foo bar\n", "two-docs": b"id: D-aaaaaa\n---\nid: D-bbbbbb\n",
        "deep": b"x: " + b"[" * 5000 + b"]" * 5000 + b"\n", "deep-map": b"a:\n" + b"".join(b" " * i + b"b:\n" for i in range(1, 400)),
        "dup-keys": b"id: D-aaaaaa\nid: D-bbbbbb\n", "huge-line": b"title: " + b"x" * 200_000 + b"\n",
        "over-limit": b"title: " + b"x" * 300_000 + b"\n", "nul-escape": b'title: "a\\0b"\n',
        "surrogate": b'title: "\\ud800"\n', "wrong-types": b"id: 5\ntitle: [1]\nstatus: {}\nowner: true\n",
        "null-everything": b"id:\ntitle:\nstatus:\nowner:\ndoor:\ncontext:\n",
        "many-tags": b"id: D-aaaaaa\ntitle: t\ntags: [" + b",".join(b"t%d" % i for i in range(20000)) + b"]\n",
        "float-date": b"id: D-aaaaaa\ntitle: t\nstatus: accepted\ndecided_on: 1e400\n",
        "bad-date": b"id: D-aaaaaa\ntitle: t\nstatus: proposed\nreview_by: 2026-02-30\n",
        "timestamp": b"id: D-aaaaaa\ntitle: t\nstatus: proposed\nreview_by: 2026-02-03T10:00:00Z\n",
        "id-path": b"id: ../../etc/passwd\ntitle: t\n", "id-option": b"id: --output=x\ntitle: t\n",
        "self-supersede": b"id: D-aaaaaa\ntitle: t\nstatus: superseded\nowner: alice\ndoor: two-way\ncontext: c\n"
                          b"superseded_by: D-aaaaaa\nsupersedes: [D-aaaaaa]\n",
        "controls": b'id: D-aaaaaa\ntitle: "\\e]52;c;cHduZWQ=\\a\\r\\u202e\\u2028x"\nstatus: proposed\nowner: alice\n'
                    b"door: two-way\ncontext: c\n",
        "crlf": b"id: D-aaaaaa\r\ntitle: t\r\nstatus: proposed\r\nowner: alice\r\ndoor: two-way\r\ncontext: c\r\n",
        "blank-title": b"id: D-aaaaaa\ntitle: '   '\nstatus: proposed\nowner: alice\ndoor: two-way\ncontext: c\n",
        "source-outside": b"id: D-aaaaaa\ntitle: t\nstatus: proposed\nowner: alice\ndoor: two-way\ncontext: c\n"
                          b"source: {path: ../../x.md, format: madr, imported_on: 2026-01-01}\n",
        "huge-int": b"id: D-aaaaaa\ntitle: t\nsource: {path: a.md, format: madr, number: " + b"9" * 5000 + b"}\n",
    }
    names = list(bodies)[:12] if quick else list(bodies)
    readers = READERS[:3] if quick else READERS[:5]
    for name in names:
        repo = lab.repo()
        (repo / "decisions" / f"D-aaaaaa-{name}.yaml").write_bytes(bodies[name])
        for args in [*readers, ("show", "D-aaaaaa"), ("set", "D-aaaaaa", "tags+=x"), ("history", "D-aaaaaa")]:
            t.record("malformed and hostile records", f"{name}: {' '.join(args)}", sane(declog(repo, *args)))
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "hostile")  # and as a committed version
        for args in (("history", lab.did), ("list", "--at", "HEAD"), ("validate", "--against", "HEAD~1")):
            t.record("malformed and hostile records", f"{name} committed: {' '.join(args)}", sane(declog(repo, *args)))


OPTIONS = ["--output=/tmp/declog-attack-{m}", "-o/tmp/declog-attack-{m}", "-c", "core.pager=touch /tmp/declog-attack-{m}",
           "--exec=touch /tmp/declog-attack-{m}", "--upload-pack=touch /tmp/declog-attack-{m}", "-p", "--",
           "--end-of-options", "HEAD --output=/tmp/declog-attack-{m}", "a\nb", "-", "@{-1}", ":/x", "HEAD^{tree}",
           "../../etc/passwd", "$(touch /tmp/declog-attack-{m})", "`touch /tmp/declog-attack-{m}`", "D-\x00"]


def option_args(lab: Lab, t: Tally, quick: bool) -> None:
    repo = lab.repo()
    marker = f"{os.getpid()}"
    values = OPTIONS[:6] if quick else OPTIONS
    for raw in values:
        value = raw.format(m=marker)
        if "\x00" in value:
            value = value.replace("\x00", "")
        for args in (("show", value), ("history", value), ("why", value), ("set", value, "tags+=x"),
                     ("blame", value), ("list", "--at", value), ("show", lab.did, "--at", value),
                     ("validate", "--against", value), ("retro", "--since", value), ("import", "adr", value),
                     ("check-commit-msg", value), ("supersede", value, lab.did), ("inspect", value),
                     ("set", lab.did, f"context={value}"), ("list", "--owner", value)):
            res = declog(repo, *args)
            problem = sane(res)
            if Path(f"/tmp/declog-attack-{marker}").exists():
                problem = "an option reached git: the marker file appeared"
                os.unlink(f"/tmp/declog-attack-{marker}")
            t.record("option-shaped arguments", f"{' '.join(args)!r}", problem)
    res = declog(repo, "validate")
    t.record("option-shaped arguments", "the log is still valid afterwards", None if res.code == 0 else res.output[:160])


def odd_repos(lab: Lab, t: Tally, quick: bool) -> None:
    configs = ["root: .git\n", "root: .git/hooks\n", "root: ./decisions\n", "root: decisions/\n", "root: 'a b'\n",
               "root: ünïcode\n", "root: -x\n", "root: /tmp\n", "root: ../x\n", "version: true\n", "version: '1'\n",
               "version: 1.0\n", "trailer: 'Decision: x'\n", "trailer: ''\n", "max_file_bytes: 1e99\n",
               "max_file_bytes: -1\n", "required: {decision: [nope]}\n", "required: {decision: [' ']}\n",
               "required: {gadget: [x]}\n", "protect_accepted: [nope]\n", "owner_load_limit: true\n",
               "import_owner: ../x\n", "- a\n", "", "\x00", "root: [\n", "root: !!python/name:os.system\n",
               "a: &x 1\nb: *x\n", "root: decisions\n" + "#" * 70000 + "\n"]
    if quick:
        configs = configs[:8]
    for text in configs:
        repo = lab.repo()
        (repo / ".declog.yaml").write_text(text, encoding="utf-8", errors="surrogateescape")
        before = set(p.relative_to(repo / ".git").as_posix() for p in (repo / ".git").rglob("*"))
        for args in (("list",), ("validate",), ("new", "owner", "bob", "--name", "Bob")):
            t.record("odd repositories and configurations", f"config {text[:30]!r}: {args[0]}", sane(declog(repo, *args)))
        after = set(p.relative_to(repo / ".git").as_posix() for p in (repo / ".git").rglob("*"))
        written = {p for p in after - before if not p.startswith(("declog", "index", "objects", "logs"))}
        t.record("odd repositories and configurations", f"config {text[:30]!r}: nothing new in .git",
                 f"wrote {sorted(written)[:3]}" if written else None)
    shapes: dict[str, Callable[[Path], Path]] = {}

    def empty_repo(repo: Path) -> Path:
        path = lab.outside("empty")
        git(path, "init", "-q")
        return path

    def no_commits(repo: Path) -> Path:
        shutil.rmtree(repo / ".git")
        git(repo, "init", "-q")
        return repo

    def detached(repo: Path) -> Path:
        git(repo, "checkout", "-q", "--detach")
        return repo

    def shallow(repo: Path) -> Path:
        git(repo, "commit", "-q", "--allow-empty", "-m", "two")
        path = lab.outside("shallow")
        subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(path / "c")], env=ENV, check=True)
        return path / "c"

    def worktree(repo: Path) -> Path:
        git(repo, "worktree", "add", "-q", str(repo.parent / f"{repo.name}-wt"))
        return repo.parent / f"{repo.name}-wt"

    def dot_git_file(repo: Path) -> Path:
        shutil.rmtree(repo / ".git")
        (repo / ".git").write_text("gitdir: /nonexistent\n")
        return repo

    def subfolder(repo: Path) -> Path:
        return repo / "decisions" / "owners"

    def bare(repo: Path) -> Path:
        path = lab.outside("bare")
        git(path, "init", "-q", "--bare", "b.git")
        return path / "b.git"

    def unreadable_object(repo: Path) -> Path:
        tree = git(repo, "rev-parse", "HEAD^{tree}").strip()
        obj = repo / ".git" / "objects" / tree[:2] / tree[2:]
        obj.chmod(0o644)
        obj.write_bytes(b"garbage")
        return repo

    def hostile_git_config(repo: Path) -> Path:
        for key, value in (("core.pager", "touch PAGER-RAN"), ("core.fsmonitor", "touch FSMONITOR-RAN"),
                           ("diff.external", "touch EXTDIFF-RAN"), ("log.showSignature", "true"),
                           ("color.ui", "always"), ("core.quotePath", "true"), ("log.decorate", "full"),
                           ("format.pretty", "%H EVIL"), ("i18n.logOutputEncoding", "UTF-16")):
            git(repo, "config", key, value)
        (repo / ".gitattributes").write_text("*.yaml diff=evil\n")
        git(repo, "config", "diff.evil.textconv", "touch TEXTCONV-RAN; cat")
        return repo

    shapes.update({"another empty repository": empty_repo, "no commits": no_commits, "detached HEAD": detached,
                   "shallow clone": shallow, "linked worktree": worktree, ".git file to nowhere": dot_git_file,
                   "in a sub-folder": subfolder, "bare": bare, "damaged object": unreadable_object,
                   "hostile .git/config": hostile_git_config})
    for name, make in shapes.items():
        repo = make(lab.repo())
        for args in (("list",), ("validate",), ("history", lab.did), ("why", "postgres"), ("show", lab.did),
                     ("blame", ".declog.yaml"), ("retro", "--since", "2020-01-01")):
            res = declog(repo, *args)
            problem = sane(res)
            ran = [p.name for p in repo.glob("*-RAN")]
            if ran:
                problem = f"git ran a helper: {ran}"
                for p in repo.glob("*-RAN"):
                    p.unlink()
            t.record("odd repositories and configurations", f"{name}: {args[0]}", problem)


def symlinks(lab: Lab, t: Tally, quick: bool) -> None:
    def secret_dir() -> Path:
        path = lab.outside("secret")
        (path / "D-5ecre7-x.yaml").write_text(f"id: D-5ecre7\ntitle: {SECRET}\nstatus: proposed\nowner: alice\n"
                                              "door: two-way\ncontext: c\n")
        (path / "owners").mkdir()
        return path

    cases: dict[str, Callable[[Path], Path]] = {}

    def record_link(repo: Path) -> Path:
        s = secret_dir()
        (repo / "decisions" / "D-5ecre7-x.yaml").symlink_to(s / "D-5ecre7-x.yaml")
        return s

    def folder_link(repo: Path) -> Path:
        s = secret_dir()
        (repo / "decisions" / "more").symlink_to(s)
        return s

    def root_link(repo: Path) -> Path:
        s = secret_dir()
        shutil.rmtree(repo / "decisions")
        (repo / "decisions").symlink_to(s)
        return s

    def committed_root_link(repo: Path) -> Path:
        s = root_link(repo)
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "link")
        return s

    def config_link(repo: Path) -> Path:
        s = secret_dir()
        (s / "cfg.yaml").write_text(f"{SECRET}: 1\n")
        (repo / ".declog.yaml").unlink()
        (repo / ".declog.yaml").symlink_to(s / "cfg.yaml")
        return s

    def owners_link(repo: Path) -> Path:
        s = secret_dir()
        shutil.rmtree(repo / "decisions" / "owners")
        (repo / "decisions" / "owners").symlink_to(s / "owners")
        return s

    def private_link(repo: Path) -> Path:
        s = secret_dir()
        shutil.rmtree(repo / ".git" / "declog", ignore_errors=True)
        (repo / ".git" / "declog").symlink_to(s)
        return s

    def lock_link(repo: Path) -> Path:
        s = secret_dir()
        (repo / ".git" / "declog").mkdir(exist_ok=True)
        (repo / ".git" / "declog" / "write.lock").symlink_to(s / "lock")
        return s

    def cache_link(repo: Path) -> Path:
        s = secret_dir()
        (repo / ".git" / "declog").mkdir(exist_ok=True)
        for name in ("parse-cache.sqlite", "history.sqlite", "search.sqlite"):
            (repo / ".git" / "declog" / name).symlink_to(s / name)
        return s

    def record_link_inside(repo: Path) -> Path:
        s = secret_dir()
        real = lab.record(repo)
        moved = repo / "elsewhere.yaml"
        real.rename(moved)
        real.symlink_to(Path("..") / moved.name)
        return s

    cases.update({"record symlink out": record_link, "folder symlink out": folder_link, "root symlink": root_link,
                  "committed root symlink": committed_root_link, ".declog.yaml symlink": config_link,
                  "owners folder symlink": owners_link, ".git/declog symlink": private_link,
                  "write.lock symlink": lock_link, "cache files symlinked": cache_link,
                  "record symlink inside": record_link_inside})
    for name, make in cases.items():
        repo = lab.repo()
        s = make(repo)
        before = {p.relative_to(s).as_posix(): p.read_bytes() for p in s.rglob("*") if p.is_file()}
        out = lab.outside("export")
        for args in (*READERS, ("show", "D-5ecre7"), ("set", lab.did, "tags+=x"), ("new", "owner", "bob", "--name", "B"),
                     ("export", "json", "--out", str(out / "j")), ("history", lab.did)):
            res = declog(repo, *args)
            problem = sane(res)
            if SECRET in res.output:
                problem = "printed text read through a symlink out of the repository"
            t.record("symlinks", f"{name}: {' '.join(args[:2])}", problem)
        after = {p.relative_to(s).as_posix(): p.read_bytes() for p in s.rglob("*") if p.is_file()}
        t.record("symlinks", f"{name}: nothing written outside", None if after == before else
                 f"wrote {sorted(set(after) ^ set(before)) or 'changed files'} outside the repository")
        leaked = [p for p in out.rglob("*") if p.is_file() and SECRET.encode() in p.read_bytes()]
        t.record("symlinks", f"{name}: nothing exported from outside", f"exported {leaked[0]}" if leaked else None)


XSS = ["<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "javascript:alert(1)",
       "</title><script>alert(1)</script>", "<svg onload=alert(1)>", "{{7*7}}", "<!--", "]]><![CDATA[",
       "' onmouseover='alert(1)", "<a href=\"javascript:alert(1)\">x</a>", "\u2028<script>", "`${alert(1)}`",
       "</script><script>alert(1)</script>", "<iframe srcdoc='<script>alert(1)</script>'>", "&lt;script&gt;"]


def xss(lab: Lab, t: Tally, quick: bool) -> None:
    payloads = XSS[:5] if quick else XSS
    for n, payload in enumerate(payloads):
        repo = lab.repo()
        tag = f"t{n}"
        res = declog(repo, "new", "decision", f"T {payload}", "--owner", "alice", "--door", "one-way", "--context",
                     f"C {payload}", "--option", f"O1 {payload}", "--option", f"O2 {payload}", "--expected-outcome",
                     f"E {payload}", "--tag", tag, "--scope", f"src/{payload}", "--format", "json")
        if res.code != 0:
            t.record("XSS into export html", f"{payload!r}: new decision", sane(res) or None)
            continue
        rid = json.loads(res.out)["id"]
        declog(repo, "set", rid, f"consequences=Q {payload}", f"narrative=N {payload}")
        declog(repo, "new", "owner", "p" + str(n), "--name", f"P {payload}")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", f"{payload}\n\nDecision: {rid}")
        out = lab.outside("site")
        res = declog(repo, "export", "html", "--out", str(out / "s"))
        problem = sane(res)
        raw = payload.replace("\u2028", "")
        for page in (out / "s").rglob("*.html") if res.code == 0 else []:
            text = page.read_text(encoding="utf-8")
            if raw in text and html.escape(raw) != raw:
                problem = f"{page.name} holds the payload unescaped"
                break
            found = _active_content(text)
            if found:
                problem = f"{page.name}: {found} from record text"
                break
        t.record("XSS into export html", f"{payload!r}", problem)
        res = declog(repo, "export", "markdown", "--out", str(out / "m"))
        t.record("XSS into export html", f"{payload!r}: markdown", sane(res))
        res = declog(repo, "export", "json", "--out", "-")
        ok = res.code == 0 and all(json.loads(line) for line in res.out.splitlines() if line.strip())
        t.record("XSS into export html", f"{payload!r}: json lines parse", None if ok else res.output[:120])


def _active_content(page: str) -> str | None:
    """What in ``page``, parsed as HTML, runs a payload: an event-handler attribute, a
    ``javascript:`` link or source, or a script element whose text holds it."""
    from html.parser import HTMLParser

    found: list[str] = []

    class Scan(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.in_script = False

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            for name, value in attrs:
                if name.startswith("on") and value and "alert(1)" in value:
                    found.append(f"a {name} handler on <{tag}>")
                if name in ("href", "src", "srcdoc", "action") and value and \
                        value.strip().lower().startswith("javascript:"):
                    found.append(f"a javascript: {name} on <{tag}>")
                if name == "srcdoc" and value and "<script" in value:
                    found.append("an iframe srcdoc script")
            self.in_script = tag == "script"

        def handle_endtag(self, tag: str) -> None:
            self.in_script = False

        def handle_data(self, data: str) -> None:
            if self.in_script and "alert(1)" in data:
                found.append("a script holding the payload")

    Scan().feed(page)
    return found[0] if found else None


def kills(lab: Lab, t: Tally, quick: bool) -> None:
    count = 20 if quick else 60
    repo = lab.repo()
    path = lab.record(repo)
    rng = random.Random(12)
    for n in range(count):
        before = path.read_bytes()
        args = [("set", lab.did, f"tags+=k{n}"), ("new", "owner", f"o{n}", "--name", "O"),
                ("set", lab.did, f"context=c{n}"), ("supersede", lab.did, lab.did)][n % 4]
        proc = subprocess.Popen(DECLOG + list(args), cwd=repo, env=ENV, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, 0.9))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        after = path.read_bytes()
        problem = None
        if after != before and b"tags" not in after and b"context: c" not in after:
            problem = "the record changed into neither the old nor a new version"
        res = declog(repo, "validate")
        if res.code != 0:
            problem = problem or f"validate after kill -9: {res.output[:160]}"
        t.record("kill -9 mid-write", f"{args[0]} killed #{n}", problem)


def caches(lab: Lab, t: Tally, quick: bool) -> None:
    repo = lab.repo()
    for n in range(3):
        declog(repo, "set", lab.did, f"tags+=c{n}")
        git(repo, "commit", "-q", "-am", f"c{n}\n\nDecision: {lab.did}")
    questions = [("list", "--format", "json"), ("why", "postgres", "--format", "json"), ("history", lab.did, "--format", "json"),
                 ("validate", "--format", "json"), ("show", lab.did, "--format", "json")]
    truth = {q: declog(repo, *q).out for q in questions}
    damage: dict[str, Callable[[Path], None]] = {
        "random bytes": lambda p: p.write_bytes(os.urandom(4096)),
        "truncated": lambda p: p.write_bytes(p.read_bytes()[: max(1, p.stat().st_size // 3)]),
        "empty": lambda p: p.write_bytes(b""),
        "a folder": lambda p: (p.unlink(), p.mkdir()),
        "zeros": lambda p: p.write_bytes(b"\x00" * 8192),
        "a SQLite file of another shape": lambda p: _other_sqlite(p),
        "read-only": lambda p: p.chmod(0o444),
    }
    names = ["parse-cache.sqlite", "history.sqlite", "search.sqlite"]
    for cache in names:
        for how, fn in damage.items():
            private = repo / ".git" / "declog"
            shutil.rmtree(private, ignore_errors=True)
            for q in questions:
                declog(repo, *q)  # build the caches
            target = private / cache
            if not target.exists():
                t.record("corrupted caches", f"{cache} {how}", None)
                continue
            fn(target)
            for q in questions:
                res = declog(repo, *q)
                problem = sane(res, terminal=False)
                if problem is None and res.out != truth[q]:
                    problem = f"{q[0]} answered differently"
                t.record("corrupted caches", f"{cache} {how}: {q[0]}", problem)
            if target.is_dir():
                target.rmdir()
            elif target.exists():
                target.chmod(0o644)


def _other_sqlite(path: Path) -> None:
    import sqlite3

    path.unlink()
    conn = sqlite3.connect(path)
    conn.execute("create table meta (key, value)")
    conn.execute("insert into meta values ('identity', 'x')")
    conn.execute("create table files (a)")
    conn.commit()
    conn.close()


def streams(lab: Lab, t: Tally, quick: bool) -> None:
    repo = lab.repo()
    path = lab.record(repo)
    path.write_text(path.read_text().replace("title: Use Postgres for orders",
                                             'title: "Use \\e]0;pwn\\a\\r\\u202ePostgres\\u2028ü"'))
    commands = [("list",), ("show", lab.did), ("why", "postgres"), ("history", lab.did), ("validate",), ("review",),
                ("list", "--format", "json"), ("owners",), ("retro", "--since", "2020-01-01"), ("graph",)]
    if quick:
        commands = commands[:4]
    for args in commands:
        closers: dict[str, tuple[int | None, dict[str, str] | None]] = {
            "stdout closed": (1, None), "stderr closed": (2, None), "stdin closed": (0, None),
            "ascii encoding": (None, {"PYTHONIOENCODING": "ascii"}),
            "latin-1 encoding": (None, {"PYTHONIOENCODING": "latin-1:strict"}),
            "C locale": (None, {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0"}),
            "TERM=dumb, COLUMNS=1": (None, {"TERM": "dumb", "COLUMNS": "1", "LINES": "1"}),
            "huge COLUMNS": (None, {"COLUMNS": "999999999"}), "garbage COLUMNS": (None, {"COLUMNS": "-5x"}),
        }
        for name, (fd, env) in closers.items():
            proc = subprocess.run(DECLOG + list(args), cwd=repo, env={**ENV, **(env or {})}, capture_output=True,
                                  timeout=60, check=False,
                                  preexec_fn=(lambda fd=fd: os.close(fd)) if fd is not None else None)
            res = Run(proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"))
            problem = sane(res)
            if fd == 1 and problem is None and proc.returncode == 0 and args[0] != "validate":
                problem = "exit 0 with standard output closed: its output went nowhere without a word"
            t.record("hostile terminals and streams", f"{name}: {' '.join(args)}", problem)
        with open("/dev/full", "w") as full:
            proc = subprocess.run(DECLOG + list(args), cwd=repo, env=ENV, stdout=full, stderr=subprocess.PIPE,
                                  timeout=60, check=False)
        res = Run(proc.returncode, "", proc.stderr.decode())
        problem = sane(res) or (None if proc.returncode != 0 else "exit 0 with its output lost on a full disk")
        t.record("hostile terminals and streams", f"/dev/full: {' '.join(args)}", problem)
        t.record("hostile terminals and streams", f"a pty: {' '.join(args)}", _in_pty(repo, args))


def _in_pty(repo: Path, args: Sequence[str]) -> str | None:
    import pty

    pid, fd = pty.fork()
    if pid == 0:  # the child: declog on a real terminal
        os.chdir(repo)
        os.execve(DECLOG[0], DECLOG + list(args) if DECLOG[0] != sys.executable else DECLOG + list(args),
                  {**ENV, "TERM": "xterm-256color"})
    chunks = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    text = b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")
    code = os.waitstatus_to_exitcode(status)
    return sane(Run(code, text, ""))


def huge(lab: Lab, t: Tally, quick: bool) -> None:
    repo = lab.repo()
    big = lab.outside("big")
    (big / "msg").write_bytes(b"Subject\n\n" + b"x" * 30_000_000)
    (big / "draft.yaml").write_bytes(b"title: " + b"y" * 20_000_000 + b"\n")
    cases: list[tuple[str, tuple[str, ...], float]] = [
        ("30 MB commit message", ("check-commit-msg", str(big / "msg")), 10),
        ("/dev/zero commit message", ("check-commit-msg", "/dev/zero"), 10),
        ("/dev/urandom commit message", ("check-commit-msg", "/dev/urandom"), 10),
        ("120 kB title", ("new", "decision", "t" * 120_000, "--owner", "alice", "--door", "two-way", "--context", "c"), 20),
        ("120 kB context", ("set", lab.did, "context=" + "c" * 120_000), 20),
        ("100k-character question", ("why", "q " * 50_000), 30),
        ("5,000 assignments", ("set", lab.did, *[f"tags+=t{i}" for i in range(5000)]), 60),
        ("20 MB draft file", ("new", "decision", "--from-file", str(big / "draft.yaml")), 10),
        ("/dev/zero draft", ("new", "decision", "--from-file", "/dev/zero"), 10),
        ("10,000 IDs to show", ("show", *[lab.did] * 10_000), 30),
        ("ID of 100k characters", ("show", "D-" + "a" * 100_000), 20),
        ("title of 100k combining marks", ("new", "decision", "a" + "\u0301" * 100_000, "--owner", "alice", "--door",
                                           "two-way", "--context", "c"), 20),
        ("10,000 --tag options", ("list", *sum((["--tag", f"t{i}"] for i in range(10_000)), [])), 30),
    ]
    if quick:
        cases = cases[:4]
    for name, args, limit in cases:
        started = time.monotonic()
        try:
            res = declog(repo, *args, timeout=max(120, limit * 4))
            took = time.monotonic() - started
            problem = sane(res)
            if problem is None and took > limit:
                problem = f"took {took:.1f} s (limit {limit:.0f} s)"
        except subprocess.TimeoutExpired:
            problem = "did not finish"
        except OSError as exc:  # the kernel's own limit on one argument: not declog's to handle
            print(f"  skipped {name}: {exc.strerror}", file=sys.stderr)
            continue
        t.record("huge inputs", name, problem)


CATEGORIES: dict[str, Callable[[Lab, Tally, bool], None]] = {
    "records": hostile_records, "options": option_args, "repos": odd_repos, "symlinks": symlinks, "xss": xss,
    "kills": kills, "caches": caches, "streams": streams, "huge": huge,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few attempts per category")
    parser.add_argument("--only", action="append", choices=sorted(CATEGORIES), help="run only these categories")
    parser.add_argument("--json", type=Path, help="write the tally as JSON here")
    ns = parser.parse_args(argv)
    tally = Tally()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="declog-attack-") as tmp:
        lab = Lab(Path(tmp))
        for key, fn in CATEGORIES.items():
            if ns.only and key not in ns.only:
                continue
            t0 = time.monotonic()
            fn(lab, tally, ns.quick)
            print(f"  {key}: {time.monotonic() - t0:.0f} s", file=sys.stderr)
    failed_by: dict[str, int] = {}
    for category, _, _ in tally.failures:
        failed_by[category] = failed_by.get(category, 0) + 1
    print("| category | attempts | handled well | failed |\n|---|---|---|---|")
    for category, count in tally.attempts.items():
        bad = failed_by.get(category, 0)
        print(f"| {category} | {count} | {count - bad} | {bad} |")
    total = sum(tally.attempts.values())
    print(f"| all | {total} | {total - len(tally.failures)} | {len(tally.failures)} |")
    print(f"\n{time.monotonic() - started:.0f} s")
    for category, name, problem in tally.failures:
        print(f"FAILED [{category}] {name[:100]}: {problem}")
    if ns.json:
        ns.json.write_text(json.dumps({"attempts": tally.attempts, "failures": tally.failures}, indent=1))
    return 1 if tally.failures else 0


if __name__ == "__main__":
    sys.exit(main())
