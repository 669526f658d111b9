"""Every shell example of the README and docs/*.md runs, and prints what the docs show.

Each doc's ```console blocks run in order in ONE bash (variables and `cd` carry over), in a
fresh git repository built for that doc (its path stands for `/tmp/s/my-repo` in the docs, and
a folder of the test's own stands for `/tmp/`), with this virtualenv's `declog` on PATH. A doc
may hold hidden steps, HTML comments `<!-- docs-test:` … `-->` whose lines run where they
stand and must succeed, every command of them (through the real CLI: records with the IDs the doc uses, made with
`record KIND <<'EOF'` and the record's YAML, which runs `declog new KIND --from-file`; the edit
of a file that the doc describes in words). A hidden step that starts with `fresh FOLDER` makes
a new repository there with declog set up and the owners alice, platform (a team led by alice)
and bob, and forgets the IDs minted so far: a section can start from the state its outputs show. Each `$ `
command's output (stdout and stderr, in order) must equal the lines shown below it, or begin
with them when the shown lines end with `…`. Only what must vary is normalised:

- record IDs minted while the doc runs (`D-573ejx` in the doc is whatever `declog new` printed
  where the doc shows it; later commands get the real ID, and a short prefix such as `573` the
  real ID's prefix);
- dates (`YYYY-MM-DD`), which are today's in a fresh run, and the times of commits in JSON
  (`2026-11-22T07:44:17Z`), which are the second the hidden step made them;
- git commit hashes (7 to 40 hex digits with a letter and a digit).

A block that cannot run here is marked in the doc just before it with `<!-- not run: REASON -->`;
`test_blocks_that_do_not_run_are_marked` counts them and lists them. The guides
(docs/guides/) are run by tests/test_docs_examples.py.
"""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DOCS = ["README.md", *sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").glob("*.md"))]
SHELL_FENCES = ("console", "sh", "bash", "shell")

ID = re.compile(r"(?<![\w-])([DMICN])-([0-9a-z]{6})(?!\w)")  # a file name goes on: D-573ejx-use-…
TOKEN = re.compile(r"(?<![\w-])(?P<id>[DMICN]-[0-9a-z]{6})(?!\w)"
                   r"|(?<![\w-])(?P<date>\d{4}-\d{2}-\d{2})(?P<time>T\d{2}:\d{2}:\d{2}Z)?(?![\w])"
                   r"|(?<![\w-])(?P<hash>(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{7,40})(?![\w-])")


# for the hidden steps: `record KIND <<'EOF'` + YAML creates a record with the ID the YAML gives,
# through `declog new KIND --from-file`
RECORD = """record() { local f; f=$(mktemp); cat > "$f"; declog new "$1" --from-file "$f" >/dev/null; local s=$?; rm -f "$f"; return $s; }
fresh() { mkdir -p "$1" && cd "$1" && git init -q -b main && declog init >/dev/null &&
  declog new owner alice --name 'Alice Example' --email alice@example.com >/dev/null &&
  declog new owner platform --kind team --name 'Platform team' --lead alice >/dev/null &&
  declog new owner bob --name 'Bob Builder' --team platform >/dev/null; }"""


@dataclass
class Block:
    doc: str
    line: int
    fence: str
    text: str
    not_run: str | None  # the reason given in the doc


@dataclass
class Step:
    command: str
    shown: list[str] | None  # None: not shown, it must succeed


def blocks(doc: str) -> list[Block]:
    """The shell blocks of ``doc`` (fenced ```console, ```sh, ```bash or ```shell)."""
    text = (ROOT / doc).read_text(encoding="utf-8")
    found = []
    for match in re.finditer(r"^```(\w*)\n(.*?)^```|^<!-- docs-test:\n(.*?)^-->", text, re.MULTILINE | re.DOTALL):
        if match.group(3) is not None:  # a hidden step: run there, output not compared
            found.append(Block(doc, text.count("\n", 0, match.start()) + 1, "setup", match.group(3), None))
            continue
        if match.group(1) not in SHELL_FENCES:
            continue
        before = text[:match.start()].rstrip()
        marker = re.search(r"<!-- not run: (.+?) -->$", before)
        found.append(Block(doc, text.count("\n", 0, match.start()) + 1, match.group(1), match.group(2),
                           marker.group(1) if marker else None))
    return found


def steps(block: Block) -> list[Step]:
    """A console block as ``$ `` commands (continuation lines joined) with the lines shown
    below each; a sh/bash block as one command with nothing shown."""
    if block.fence == "setup":
        return [Step(block.text.rstrip("\n"), None)] if block.text.strip() else []
    if block.fence != "console":  # a script: each command must succeed, its output is not shown
        commands: list[str] = []
        for line in block.text.splitlines():
            if commands and commands[-1].endswith("\\"):
                commands[-1] += "\n" + line
            elif line.strip() and not line.lstrip().startswith("#"):
                commands.append(line)
        return [Step(c, None) for c in commands]
    out: list[Step] = []
    lines = block.text.splitlines()
    i = 0
    while i < len(lines):
        assert lines[i].startswith("$ "), f"{block.doc}:{block.line}: a console block starts with `$ `: {lines[i]!r}"
        command = lines[i][2:]
        while command.endswith("\\") and i + 1 < len(lines):
            i += 1
            command += "\n" + lines[i]
        i += 1
        shown = []
        while i < len(lines) and not lines[i].startswith("$ "):
            shown.append(lines[i])
            i += 1
        out.append(Step(command, shown))
    return out


class Shell:
    """One bash for a whole doc: commands are sent one at a time, each one's output (stdout
    and stderr together) and exit status read back; `$?` carries over as in a terminal."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(["bash", "--norc", "--noprofile"], cwd=cwd, env=env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        self.buffer = b""
        self.run("exec 2>&1")
        self.run(RECORD)

    def run(self, command: str, timeout: float = 60.0) -> tuple[int, str]:
        marker = uuid.uuid4().hex
        assert self.proc.stdin is not None and self.proc.stdout is not None
        script = f"{{\n{command}\n}} </dev/null\n__s=$?; printf '\\n{marker} %s\\n' \"$__s\"; (exit $__s)\n"
        self.proc.stdin.write(script.encode("utf-8"))
        self.proc.stdin.flush()
        end = re.compile(rb"\n" + marker.encode() + rb" (\d+)\n")
        deadline = time.monotonic() + timeout
        while not (found := end.search(self.buffer)):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise AssertionError(f"`{command}` did not finish; it printed:\n{self.buffer.decode(errors='replace')}")
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.5)
            if ready:
                self.buffer += os.read(self.proc.stdout.fileno(), 65536)
        output, self.buffer = self.buffer[:found.start()], self.buffer[found.end():]
        return int(found.group(1)), output.decode("utf-8", "replace")

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a command still running: end the shell and its children
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


@dataclass
class Session:
    """What the docs say and what the program printed, side by side: IDs minted on the way
    (the doc's ID → the real one) and the paths that stand for the docs' `/tmp/...`."""

    paths: dict[str, str]
    ids: dict[str, str] = field(default_factory=dict)

    def _paths(self, text: str) -> str:
        """The docs' `/tmp/...` paths as this run's, in one pass."""
        return re.sub("|".join(map(re.escape, self.paths)), lambda m: self.paths[m.group(0)], text)

    def command(self, text: str) -> str:
        text = self._paths(text)
        text = ID.sub(lambda m: self.ids.get(m.group(0), m.group(0)), text)

        def prefix(m: re.Match[str]) -> str:  # `573`, `D-57`: the same prefix of the real ID
            word, letter, body = m.group(0), m.group(1) or "", m.group(2)
            owners = [(d, r) for d, r in self.ids.items() if d[2:].startswith(body)
                      and (not letter or d[0] == letter[0].upper())]
            if len(owners) != 1 or (not letter and (len(body) < 3 or not re.search(r"\d", body))):
                return word
            return letter + owners[0][1][2:2 + len(body)]

        return re.sub(r"(?<![\w./-])([DMICN]-)?([0-9a-z]{1,5})(?![\w./-])", prefix, text)

    def pattern(self, shown: str) -> str:
        shown = self._paths(shown)
        out, pos, groups = [], 0, {}
        for m in TOKEN.finditer(shown):
            out.append(re.escape(shown[pos:m.start()]))
            pos = m.end()
            if m.group("id"):
                doc_id = m.group("id")
                if doc_id in self.ids:
                    out.append(re.escape(self.ids[doc_id]))
                elif doc_id in groups:
                    out.append(f"(?P={groups[doc_id]})")
                else:
                    groups[doc_id] = f"id{len(groups)}"
                    out.append(f"(?P<{groups[doc_id]}>{doc_id[0]}-[0-9a-z]{{6}})")
            elif m.group("date"):
                out.append(r"\d{4}-\d{2}-\d{2}" + (r"T\d{2}:\d{2}:\d{2}Z" if m.group("time") else ""))
            else:
                out.append(f"[0-9a-f]{{{len(m.group('hash'))}}}")
        out.append(re.escape(shown[pos:]))
        self._groups = groups
        return "".join(out)

    def compare(self, shown: list[str], printed: str) -> bool:
        """Does ``printed`` show what the doc shows? Learns the IDs minted on the way."""
        cut = bool(shown) and shown[-1] == "…"
        expected = "\n".join(line.rstrip() for line in (shown[:-1] if cut else shown))
        text = "\n".join(line.rstrip() for line in printed.rstrip("\n").splitlines())
        regex = self.pattern(expected)
        match = re.match(regex + r"\n", text + "\n") if cut else re.fullmatch(regex, text)
        if match is None:
            return False
        for doc_id, group in self._groups.items():
            self.ids[doc_id] = match.group(group)
        return True


def _env(tmp: Path) -> dict[str, str]:
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "DECLOG_PAGER": "cat",
            "HOME": str(tmp / "home"), "TERM": "dumb", "COLUMNS": "100", "TMPDIR": str(tmp / "tmp"),
            # the docs' commits are Alice's
            "GIT_AUTHOR_NAME": "Alice Example", "GIT_AUTHOR_EMAIL": "alice@example.com",
            "GIT_COMMITTER_NAME": "Alice Example", "GIT_COMMITTER_EMAIL": "alice@example.com"}


def run_doc(doc: str, tmp: Path) -> tuple[int, list[str]]:
    """Run every shell block of ``doc`` not marked `not run`; the number of commands run and
    what differed from the doc."""
    repo = tmp / "s" / "my-repo"
    repo.mkdir(parents=True)
    (tmp / "home").mkdir()
    (tmp / "tmp").mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    session = Session({"/tmp/s/my-repo": str(repo), "/tmp/": f"{tmp}/"})
    shell = Shell(repo, _env(tmp))
    problems: list[str] = []
    count = 0
    try:
        for block in blocks(doc):
            if block.not_run:
                continue
            if block.fence == "setup" and block.text.startswith("fresh "):
                session.ids.clear()  # a new repository: the doc's IDs are the records' own again
            for step in steps(block):
                command = session.command(step.command)
                if block.fence == "setup":  # every command of the step (and of the functions it calls) must succeed, not only the last
                    command = f"__failed=0; set -E; trap '__failed=1' ERR\n{command}\ntrap - ERR; set +E; (exit $__failed)"
                code, printed = shell.run(command)
                if block.fence == "setup":
                    assert code == 0, f"{doc}:{block.line}: the hidden step failed ({code}):\n{printed}"
                    continue
                count += 1
                if step.shown is None:
                    if code != 0:
                        problems.append(f"{doc}:{block.line}: `{step.command}` failed ({code}):\n{printed}")
                elif not session.compare(step.shown, printed):
                    problems.append(f"{doc}:{block.line}: `{step.command}` (exit {code}) printed:\n{printed}\n"
                                    f"--- the doc shows:\n" + "\n".join(step.shown))
    finally:
        shell.close()
    return count, problems


@pytest.mark.parametrize("doc", [d for d in DOCS if any(not b.not_run for b in blocks(d))])
def test_every_shell_example_prints_what_the_doc_shows(doc: str, tmp_path: Path) -> None:
    count, problems = run_doc(doc, tmp_path)
    assert count
    assert not problems, f"{len(problems)} of {count} commands of {doc} differ from the doc:\n\n" + "\n\n".join(problems)


def test_blocks_that_do_not_run_are_marked(capsys: pytest.CaptureFixture[str]) -> None:
    """Every shell block runs unless the doc says why not; the ones that do not are listed."""
    every = [b for doc in DOCS for b in blocks(doc) if b.fence != "setup"]
    skipped = [b for b in every if b.not_run]
    assert len(every) > 60
    for b in skipped:
        assert len(b.not_run or "") > 10, f"{b.doc}:{b.line}: say why the block does not run"
    with capsys.disabled():
        print(f"\n{len(every) - len(skipped)} shell blocks run, {len(skipped)} not run:")
        for b in skipped:
            print(f"  {b.doc}:{b.line}: {b.not_run}")
