"""History benchmarks: ``declog why`` warm and cold, ``declog history`` beside
``git log --follow -p``, ``declog blame`` beside ``git blame``, and peak memory, on generated
repositories of 1,000 decisions / 10,000 commits and 10,000 decisions / 50,000 commits.

The repositories are written with ``git fast-import`` (seconds, not minutes): decisions created
one per commit, edited (status changes, rewritten rationale), renamed and moved (some rewritten
in the same commit), code commits with ``Decision:`` trailers on a share of them, and side
branches merged back. They are cached under ``bench/out/history/`` keyed by GENERATOR_VERSION.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import generate as gen  # noqa: E402
from common import OUT, Report, child_env, time_command, tool  # noqa: E402

FLOORS = str(HERE / "floors.py")
WHY_UNDER_MS = 100  # issue 16, at 10k decisions / 50k commits
BLAME_AT_MOST = 3.0  # x git blame --porcelain
COLD_WHY_AT_MOST = 1.2  # x one git log --raw walk + one cat-file --batch


def why_floor(report: Report, repo: Path, query: list[str], label: str):  # type: ignore[no-untyped-def]
    """``python -c pass`` plus one FTS5 query of the same words on declog's own search index."""
    db = repo / ".git" / "declog" / "search.sqlite"
    match = " OR ".join(f'"{w}"' for w in query)
    timing = time_command([sys.executable, FLOORS, "fts", str(db), match], reps=report.reps(9), warmup=1)
    return report.measure("floor: python + one FTS5 query", timing, log=label)

GENERATOR_VERSION = "2"
COMMITS = {1000: 10_000, 10_000: 50_000}
HOT_FILE = "src/core/hot.py"
TRAILER_SHARE = 0.2
CONFIG = ("version: 1\nroot: decisions\nrequired: {}\ntrailer: Decision\n")


class _Stream:
    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc = proc
        self.stdin = proc.stdin
        assert self.stdin is not None

    def data(self, text: str) -> None:
        raw = text.encode("utf-8")
        self.stdin.write(b"data %d\n" % len(raw) + raw + b"\n")  # type: ignore[union-attr]

    def line(self, text: str) -> None:
        self.stdin.write(text.encode("utf-8") + b"\n")  # type: ignore[union-attr]


def _fast_import(dest: Path, n: int, commits: int) -> tuple[str, str]:
    """Write the repository; returns (a much-edited record's ID, its final path)."""
    rng = random.Random(n * 7 + commits)
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    gen.git(dest, "init", "-q", "-b", "main")
    proc = subprocess.Popen(["git", "fast-import", "--quiet", "--done"], cwd=dest, stdin=subprocess.PIPE)
    s = _Stream(proc)
    everyone = gen.owners(rng)
    people = [o for o in everyone if o.kind == "person"]
    authors = [(o.name, f"{o.handle}@example.com") for o in people]
    ids = gen._ids(rng, n)
    paths: dict[str, str] = {}
    texts: dict[str, str] = {}
    status: dict[str, str] = {}
    start = int(dt.datetime(2021, 1, 1, tzinfo=dt.UTC).timestamp())
    step = (5 * 365 * 86400) // commits
    mark = 0
    clock = start
    hot_lines = [f"# line {i}" for i in range(60)]
    created = 0
    hot_id = ids[0]

    def header(ref: str, message: str, parent: int | None = None, merge: int | None = None) -> int:
        nonlocal mark, clock
        mark += 1
        clock += step
        name, email = rng.choice(authors)
        s.line(f"commit {ref}")
        s.line(f"mark :{mark}")
        s.line(f"author {name} <{email}> {clock} +0000")
        s.line(f"committer {name} <{email}> {clock} +0000")
        s.data(message)
        if parent is not None:
            s.line(f"from :{parent}")
        if merge is not None:
            s.line(f"merge :{merge}")
        return mark

    def put(path: str, text: str) -> None:
        s.line(f"M 100644 inline {path}")
        s.data(text)

    first = header("refs/heads/main", "Start the decision log")
    put(".declog.yaml", CONFIG)
    for o in everyone:
        put(f"decisions/owners/{o.handle}.yaml", gen.owner_text(o))
    put(HOT_FILE, "\n".join(hot_lines) + "\n")
    main_tip = first
    made = 1
    while made < commits:
        roll = rng.random()
        made += 1
        if created < n and (roll < n / commits * 1.4 or commits - made <= n - created):
            rid = ids[created]
            created += 1
            title = f"{rng.choice(gen.VERBS)} {rng.choice(gen.NOUNS)} {rng.choice(gen.OBJECTS)}"
            st = "proposed"
            text = gen.decision_text(rng, rid, title, st, people, everyone, None, None, [],
                                     dt.date(2021, 1, 1) + dt.timedelta(days=made * 1800 // commits))
            path = f"decisions/{rid}-{gen._slug(title)}.yaml"
            main_tip = header("refs/heads/main", f"Record {rid}: {title}")
            put(path, text)
            paths[rid], texts[rid], status[rid] = path, text, st
            continue
        if roll < 0.45 and created:
            rid = hot_id if rng.random() < 0.01 else ids[rng.randrange(created)]
            text = texts[rid]
            kind = rng.random()
            if kind < 0.05:  # rename and move, sometimes rewritten in the same commit
                folder = rng.choice(["archive", "platform", "payments", "data"])
                new_path = f"decisions/{folder}/{rid}-{rng.randrange(10**6)}.yaml"
                if rng.random() < 0.5:
                    text = text.replace("context:", "context: |\n  Rewritten while moving.\n  was:", 1)
                main_tip = header("refs/heads/main", f"Move {rid}")
                s.line(f"D {paths[rid]}")
                put(new_path, text)
                paths[rid], texts[rid] = new_path, text
                continue
            if kind < 0.12:  # change on a side branch, merged back
                new = text.replace(f"status: {status[rid]}", "status: accepted", 1) + f"# note {made}\n"
                side = header("refs/heads/side", f"Accept {rid} on a branch", parent=main_tip)
                put(paths[rid], new)
                made += 1
                main_tip = header("refs/heads/main", "Merge branch 'side'", parent=main_tip, merge=side)
                put(paths[rid], new)
                texts[rid], status[rid] = new, "accepted"
                continue
            nxt = rng.choice(["accepted", "accepted", "rejected", "deprecated", "proposed"])
            new = text.replace(f"status: {status[rid]}", f"status: {nxt}", 1)
            if rng.random() < 0.5:
                new += f"# revised {made}\n"
            main_tip = header("refs/heads/main", f"Update {rid}: {status[rid]} -> {nxt}")
            put(paths[rid], new)
            texts[rid], status[rid] = new, nxt
            continue
        # a code commit, some with trailers
        trailer = ""
        if created and rng.random() < TRAILER_SHARE:
            trailer = f"\n\nDecision: {ids[rng.randrange(created)]}"
        if rng.random() < 0.1:
            i = rng.randrange(len(hot_lines))
            hot_lines[i] = f"# line {i} changed in commit {made}"
            if rng.random() < 0.3:
                trailer = f"\n\nDecision: {hot_id}"
            main_tip = header("refs/heads/main", f"Tune the hot path{trailer}")
            put(HOT_FILE, "\n".join(hot_lines) + "\n")
        else:
            module = rng.randrange(300)
            main_tip = header("refs/heads/main", f"Work on module {module}{trailer}")
            put(f"src/mod{module // 20}/m{module}.py", f"# module {module} revision {made}\n")
    s.line("reset refs/heads/side")
    s.line("from 0000000000000000000000000000000000000000")
    s.line("done")
    assert proc.stdin is not None
    proc.stdin.close()
    if proc.wait() != 0:
        raise RuntimeError("git fast-import failed")
    gen.git(dest, "update-ref", "-d", "refs/heads/side")
    gen.git(dest, "checkout", "-q", "-f", "main")
    return hot_id, paths[hot_id]


def repo_for(n: int, commits: int) -> tuple[Path, str, str]:
    dest = OUT / "history" / f"n{n}-c{commits}"
    stamp = dest / ".git" / "bench-history"
    wanted = f"{GENERATOR_VERSION}:{n}:{commits}"
    if stamp.is_file() and stamp.read_text().split("\n")[0] == wanted:
        _, rid, path = stamp.read_text().split("\n")[:3]
        gen.git(dest, "reset", "-q", "--hard")
    else:
        print(f"  generating {n} decisions / {commits} commits with git fast-import …", flush=True)
        rid, path = _fast_import(dest, n, commits)
        stamp.write_text(f"{wanted}\n{rid}\n{path}\n")
    return dest, rid, path


def semantic_installed() -> bool:
    """Whether the declog under test has the semantic extra (wordllama) installed."""
    code = "from declog.core import semantic; print(semantic.enabled())"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=child_env(), check=False)
    return done.stdout.strip() == "True"


def run(report: Report) -> None:
    declog = tool("declog")
    report.section("History: why, history, blame")
    for n in report.sizes:
        commits = COMMITS.get(n, n * 5)
        label = f"{n // 1000}k" if n >= 1000 else str(n)
        repo, rid, path = repo_for(n, commits)
        cache = repo / ".git" / "declog"

        def wipe(_: int, cache: Path = cache) -> None:
            shutil.rmtree(cache, ignore_errors=True)

        query = ["why", "orders", "database"]
        lexical = {**child_env(), "DECLOG_SEMANTIC": "0"}  # these rows: why without the semantic extra
        walk = time_command([sys.executable, FLOORS, "walk", "decisions"], repo, reps=report.reps(3))
        r_walk = report.measure("floor: git log --raw walk + cat-file --batch", walk, log=label)
        cold = time_command([declog, *query], repo, reps=report.reps(3), before=wipe, env=lexical)
        report.measure("declog why, cold (no cache at all)", cold, log=label, floor=r_walk,
                       floor_at_most=COLD_WHY_AT_MOST if n >= 10_000 else None,
                       note=f"{commits} commits; builds the parse cache, history index and search index")
        warm = time_command([declog, *query], repo, reps=report.reps(7), warmup=1, env=lexical)
        r_fts = why_floor(report, repo, query[1:], label)
        report.measure("declog why, warm", warm, log=label, under_ms=WHY_UNDER_MS if n >= 10_000 else None,
                       floor=r_fts, growth=True, note="lexical (DECLOG_SEMANTIC=0)")
        if semantic_installed():
            store = cache / "semantic.sqlite"
            built = time_command([declog, *query], repo, reps=report.reps(3),
                                 before=lambda _, s=store: s.unlink(missing_ok=True))
            report.measure("declog why, semantic store built", built, log=label,
                           note="the slow path: loads the model, a vector per decision, the word table")
            sem = time_command([declog, *query], repo, reps=report.reps(7), warmup=1)
            report.measure("declog why, warm, semantic extra", sem, log=label,
                           under_ms=WHY_UNDER_MS if n >= 10_000 else None, floor=r_fts, growth=True,
                           note="lexical + semantic fusion of the 50 best hits, no model loaded")

        hist = time_command([declog, "history", rid], repo, reps=report.reps(5), warmup=1)
        r_hist = report.measure("declog history ID (warm index)", hist, log=label, growth=True)
        follow = time_command(["git", "log", "--follow", "-p", "--", path], repo, reps=report.reps(5), warmup=1)
        r_follow = report.measure("git log --follow -p -- FILE", follow, log=label)
        report.ratio("history / git log --follow", r_hist, r_follow, log=label, at_most=2.0)
        hist_cold = time_command([declog, "history", rid], repo, reps=report.reps(3),
                                 before=lambda _, c=cache: (c / "history.sqlite").unlink(missing_ok=True))
        report.measure("declog history ID (index rebuilt)", hist_cold, log=label,
                       note="one git log pass over every commit + one cat-file --batch")

        gb = time_command(["git", "blame", "--porcelain", "--", HOT_FILE], repo, reps=report.reps(5), warmup=1)
        r_gb = report.measure("floor: git blame --porcelain FILE", gb, log=label)
        bl = time_command([declog, "blame", HOT_FILE], repo, reps=report.reps(5), warmup=1)
        report.measure("declog blame FILE", bl, log=label, floor=r_gb, floor_at_most=BLAME_AT_MOST, growth=True)
        peak = max(t.max_rss_kb for t in (cold, warm, hist, hist_cold, bl)) / 1024
        report.env(f"history peak RSS ({label})", f"{peak:.0f} MB")
