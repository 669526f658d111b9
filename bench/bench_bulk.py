"""Bulk commands: ``declog import adr`` of 500 markdown ADRs (adr-tools' Nygard format, with a
history: proposed in one commit, most accepted in a later one, some superseded) and ``declog
export html`` of the generated logs.

Targets (issue 16, at 10,000 decisions): ``import adr`` of 500 ADRs at most 3 s, ``export html``
of 10,000 decisions at most 5 s. Each import starts from the committed ADR folder with no
decisions and no ``.git/declog`` (a first import); each export writes a fresh folder from a warm
cache (the log was validated before).
"""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import generate
from common import OUT, Report, child_env, time_command, tool

ADRS = 500
IMPORT_UNDER_MS = 3000
EXPORT_UNDER_MS = 5000
EXPORT_SIZE = 10000
VERSION = "1"


def _adr(number: int, title: str, status: str, rng: random.Random) -> str:
    prose = [" ".join(generate._sentence(rng) for _ in range(rng.randint(2, 5))) for _ in range(3)]
    return (f"# {number}. {title}\n\nDate: 2024-{1 + number % 12:02d}-{1 + number % 28:02d}\n\n"
            f"## Status\n\n{status}\n\n## Context\n\n{prose[0]}\n\n## Decision\n\n{prose[1]}\n\n"
            f"## Consequences\n\n{prose[2]}\n")


def adr_repo(dest: Path) -> Path:
    """A repository with ``doc/adr/`` of :data:`ADRS` ADRs in two commits, and ``declog init``."""
    stamp = dest / ".git" / "bench-bulk"
    if stamp.is_file() and stamp.read_text() == VERSION:
        return dest
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    generate.git(dest, "init", "-q", "-b", "main")
    rng = random.Random(ADRS)
    folder = dest / "doc" / "adr"
    folder.mkdir(parents=True)
    titles = {}
    for i in range(1, ADRS + 1):
        titles[i] = f"{rng.choice(generate.VERBS)} {rng.choice(generate.NOUNS)} {rng.choice(generate.OBJECTS)}"
    names = {i: f"{i:04d}-{generate._slug(t)}.md" for i, t in titles.items()}
    for i, t in titles.items():
        (folder / names[i]).write_text(_adr(i, t, "Proposed", rng), encoding="utf-8")
    subprocess.run([tool("declog"), "init"], cwd=dest, check=True, capture_output=True, env=child_env())
    generate.git(dest, "add", "-A")
    generate.git(dest, "commit", "-q", "-m", f"Propose {ADRS} decisions")
    for i in titles:
        path = folder / names[i]
        text = path.read_text(encoding="utf-8")
        if i % 10 == 0 and i > 1:
            status = f"Superseded by [{i - 1}. {titles[i - 1]}]({names[i - 1]})"
        elif i % 7 == 0:
            status = "Rejected"
        elif i % 5 != 0:
            status = "Accepted"
        else:
            continue
        path.write_text(text.replace("## Status\n\nProposed", f"## Status\n\n{status}", 1), encoding="utf-8")
    generate.git(dest, "add", "-A")
    generate.git(dest, "commit", "-q", "-m", "Accept most of them")
    stamp.write_text(VERSION)
    return dest


def _fresh(repo: Path) -> None:
    generate.git(repo, "reset", "-q", "--hard")
    generate.git(repo, "clean", "-q", "-fdx", "--", "decisions")
    shutil.rmtree(repo / ".git" / "declog", ignore_errors=True)


def run(report: Report) -> None:
    declog = tool("declog")
    report.section(f"Bulk: import adr ({ADRS} ADRs), export html")
    repo = adr_repo(OUT / "bulk" / f"adr-{ADRS}")
    imported = time_command([declog, "import", "adr", "doc/adr", "--owner", "alice"], repo,
                            reps=report.reps(3), before=lambda _i: _fresh(repo))
    report.measure(f"import adr, {ADRS} ADRs (first import, no cache)", imported, log="",
                   under_ms=IMPORT_UNDER_MS, note="two commits of history per ADR folder; CPU "
                   f"{sum(imported.cpu) / len(imported.cpu) * 1000:.0f} ms mean")
    _fresh(repo)
    for n in report.sizes:
        label = f"{n // 1000}k" if n % 1000 == 0 else str(n)
        log, _ = generate.log_for(n)
        subprocess.run([declog, "validate"], cwd=log, capture_output=True, env=child_env())  # warm cache
        site = OUT / "bulk" / f"site-{label}"
        exported = time_command([declog, "export", "html", "--out", str(site)], log, reps=report.reps(3),
                                before=lambda _i, s=site: shutil.rmtree(s, ignore_errors=True))
        report.measure(f"export html, {n:,} decisions (warm cache)", exported, log=label, growth=True,
                       under_ms=EXPORT_UNDER_MS if n == EXPORT_SIZE else None,
                       note=f"CPU {sum(exported.cpu) / len(exported.cpu) * 1000:.0f} ms mean")
        shutil.rmtree(site, ignore_errors=True)
