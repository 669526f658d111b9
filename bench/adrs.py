"""A generated folder of markdown ADRs with git history, for timing ``declog import adr``.

    python bench/adrs.py [N]        # prints the repository's path (default 500 ADRs)

The ADRs are written from the benchmark's own vocabulary (``bench/generate.py``), never from the
corpora: a mix of adr-tools/Nygard files (``# N. Title``, ``Date:``, ``## Status``) and MADR files
with front matter, some of them superseding an older one, each added in its own commit and a
share of them accepted in a later commit (so the import's dates from git walk a real history).
The repository is committed with ``git fast-import`` and cached under ``bench/out/adrs/`` keyed
by :data:`VERSION`; ``declog init`` sets up an empty log beside the ADRs. To time an import,
copy the repository (or ``git clean``/``reset`` it) between runs: an import writes records.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import generate as gen  # noqa: E402

VERSION = "1"
FOLDER = "doc/adr"
ACCEPT_LATER = 0.4  # share of ADRs added as proposed and accepted in a later commit
SUPERSEDE_SHARE = 0.05


def _title(rng: random.Random) -> str:
    return f"{rng.choice(gen.VERBS)} {rng.choice(gen.NOUNS)} {rng.choice(gen.OBJECTS)}"


def _para(rng: random.Random, sentences: int) -> str:
    return "\n".join(gen._prose(rng, sentences, width=80))


def nygard(rng: random.Random, number: int, title: str, status: str, day: str, supersedes: int | None) -> str:
    lines = [f"# {number}. {title}", "", f"Date: {day}", "", "## Status", "", status]
    if supersedes is not None:
        lines += ["", f"Supersedes [{supersedes}. An older decision]({supersedes:04d}-older.md)"]
    lines += ["", "## Context", "", _para(rng, rng.randint(2, 6)), "", "## Decision", "", _para(rng, rng.randint(1, 4)),
              "", "## Consequences", "", _para(rng, rng.randint(1, 4)), ""]
    return "\n".join(lines)


def madr(rng: random.Random, number: int, title: str, status: str, day: str, supersedes: int | None) -> str:
    options = [f"{rng.choice(gen.NOUNS)} {rng.choice(gen.OBJECTS)}" for _ in range(rng.randint(2, 4))]
    front = ["---", f"status: {status if supersedes is None else f'{status}; supersedes ADR-{supersedes:04d}'}",
             f"date: {day}", "---", ""]
    lines = [*front, f"# {title}", "", "## Context and Problem Statement", "", _para(rng, rng.randint(2, 5)), "",
             "## Decision Drivers", "", *[f"* {gen._sentence(rng)}" for _ in range(rng.randint(2, 4))], "",
             "## Considered Options", "", *[f"* {o}" for o in options], "",
             "## Decision Outcome", "", f'Chosen option: "{options[0]}", because {_para(rng, 1).lower()}', ""]
    lines += ["## Pros and Cons of the Options", ""]
    for option in options:
        lines += [f"### {option}", "", f"* Good, because {gen._sentence(rng).lower()}",
                  f"* Bad, because {gen._sentence(rng).lower()}", ""]
    return "\n".join(lines)


def _fast_import(dest: Path, n: int) -> None:
    rng = random.Random(n * 13 + 5)
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    gen.git(dest, "init", "-q", "-b", "main")
    proc = subprocess.Popen(["git", "-C", str(dest), "fast-import", "--quiet", "--done"], stdin=subprocess.PIPE)
    assert proc.stdin is not None
    stdin = proc.stdin
    mark = 0
    when = 1_600_000_000

    def commit(message: str, files: dict[str, str]) -> None:
        nonlocal mark, when
        mark += 1
        when += 3600 * rng.randint(1, 48)
        author = rng.choice(gen.FIRST).title() + " " + rng.choice(gen.LAST).title()
        msg = message.encode()
        stdin.write(b"commit refs/heads/main\n")
        stdin.write(f"mark :{mark}\nauthor {author} <{author.split()[0].lower()}@example.com> {when} +0000\n"
                    f"committer {author} <{author.split()[0].lower()}@example.com> {when} +0000\n".encode())
        stdin.write(b"data %d\n" % len(msg) + msg + b"\n")
        if mark > 1:
            stdin.write(f"from :{mark - 1}\n".encode())
        for path, text in files.items():
            raw = text.encode()
            stdin.write(f"M 100644 inline {path}\n".encode() + b"data %d\n" % len(raw) + raw + b"\n")

    later: list[tuple[str, str]] = []
    for number in range(1, n + 1):
        title = _title(rng)
        slug = gen._slug(title)[:50].strip("-")
        path = f"{FOLDER}/{number:04d}-{slug}.md"
        day = f"20{20 + number * 6 // n:02d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        supersedes = rng.randint(1, number - 1) if number > 10 and rng.random() < SUPERSEDE_SHARE else None
        write = nygard if number % 3 else madr
        final = "Accepted" if write is nygard else "accepted"
        if rng.random() < ACCEPT_LATER:
            first = "Proposed" if write is nygard else "proposed"
            commit(f"ADR {number}: {title}", {path: write(random.Random(number), number, title, first, day, supersedes)})
            later.append((path, write(random.Random(number), number, title, final, day, supersedes)))
        else:
            commit(f"ADR {number}: {title}", {path: write(random.Random(number), number, title, final, day, supersedes)})
        if len(later) >= 5 or number == n:
            commit(f"Accept {len(later)} ADRs", dict(later))
            later.clear()
    stdin.write(b"done\n")
    stdin.close()
    if proc.wait() != 0:
        raise RuntimeError("git fast-import failed")
    gen.git(dest, "checkout", "-q", "-f", "main")
    subprocess.run([gen.DECLOG, "init"], cwd=dest, check=True, capture_output=True)
    gen.git(dest, "add", "-A")
    gen.git(dest, "commit", "-q", "-m", "declog init")


def repo_for(n: int = 500) -> Path:
    """The cached repository with ``n`` ADRs under :data:`FOLDER` and an empty log, reset to its
    last commit (records an earlier import wrote are removed)."""
    dest = gen.OUT / "adrs" / f"n{n}"
    stamp = dest / ".git" / "bench-adrs"
    if stamp.is_file() and stamp.read_text().strip() == f"{VERSION}:{n}":
        gen.git(dest, "reset", "-q", "--hard")
        gen.git(dest, "clean", "-q", "-f", "-d", "-x", "--", "decisions")
    else:
        _fast_import(dest, n)
        stamp.write_text(f"{VERSION}:{n}\n")
    return dest


if __name__ == "__main__":
    print(repo_for(int(sys.argv[1]) if len(sys.argv) > 1 else 500))
