"""Agent and CI benchmarks: ``declog context --changed-since`` for a 20-file change and
``declog drift`` (targets < 1 s warm on 10,000 decisions / 50,000 commits), and an MCP ``why``
call through the SDK's own client beside ``declog why`` (target: within 50 ms of it).

The repositories are clones of bench_history's (same generator), with one more commit that gives
300 accepted decisions a scope over the generated modules and adds a file citing decisions, and a
``feature`` branch that changes 20 files in three commits (some with trailers).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import bench_history  # noqa: E402
import generate as gen  # noqa: E402
from common import OUT, Report, Timing, child_env, run_once, time_command, tool  # noqa: E402

VERSION = "2"
SCOPED = 300
CHANGED = 20


def _prepare(n: int, commits: int) -> tuple[Path, str]:
    """The benchmark repository on branch ``feature``; returns it and a decision ID to ask about."""
    base, rid, _ = bench_history.repo_for(n, commits)
    dest = OUT / "agents" / f"n{n}-c{commits}"
    stamp = dest / ".git" / "bench-agents"
    wanted = f"{VERSION}:{bench_history.GENERATOR_VERSION}:{n}:{commits}"
    if stamp.is_file() and stamp.read_text().strip() == wanted:
        gen.git(dest, "checkout", "-q", "-f", "feature")
        return dest, rid
    print(f"  preparing {dest.name}: scopes on {SCOPED} decisions and a {CHANGED}-file branch …", flush=True)
    if dest.exists():
        shutil.rmtree(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "clone", "-q", "--local", str(base), str(dest)], check=True)
    scoped = 0
    cited: list[str] = []
    for path in sorted((dest / "decisions").rglob("D-*.yaml")):
        text = path.read_text(encoding="utf-8")
        if scoped < SCOPED and re.search(r"^status: accepted$", text, re.M) and not re.search(r"^scope:", text, re.M):
            module = scoped % 300  # one generated module file each, as bench_history writes them
            path.write_text(text.rstrip("\n") + f"\nscope:\n  - src/mod{module // 20}/m{module}.py\n",
                            encoding="utf-8")
            scoped += 1
        elif len(cited) < 50:
            m = re.search(r"^id: (D-\w+)$", text, re.M)
            if m:
                cited.append(m.group(1))
    refs = dest / "src" / "refs.py"
    refs.write_text("".join(f"# see {c}\n" for c in cited) + "# and ADR-0001\n", encoding="utf-8")
    gen.git(dest, "add", "-A")
    gen.git(dest, "commit", "-q", "--no-verify", "-m", "Give decisions scopes")
    gen.git(dest, "checkout", "-q", "-b", "feature")
    for step in range(3):
        for i in range(step, CHANGED, 3):
            module = i * 7  # 20 of the 300 module files, in 7 of the 15 folders
            f = dest / "src" / f"mod{module // 20}" / f"m{module}.py"
            f.parent.mkdir(parents=True, exist_ok=True)
            f.write_text(f"# changed on the feature branch, step {step}\n", encoding="utf-8")
        gen.git(dest, "add", "-A")
        gen.git(dest, "commit", "-q", "--no-verify", "-m", f"Feature step {step}" + (f"\n\nDecision: {rid}" if step else ""))
    stamp.write_text(wanted + "\n")
    return dest, rid


def _cpu(timing: Timing) -> Timing:
    return Timing(timing.cpu, timing.max_rss_kb, timing.returncodes)


def _mcp_why(repo: Path, query: list[str], reps: int) -> Timing:
    """Per-call wall times of ``why`` through the SDK's stdio client to one ``declog mcp``
    process, measured in a child process (this file run as a script) so that its peak memory,
    the server's included, is the tree's (``os.wait4``)."""
    import json

    out = OUT / "mcp-why.json"
    out.unlink(missing_ok=True)
    r = run_once([sys.executable, __file__, str(repo), str(reps), str(out), *query])
    if r.returncode == 3:
        raise ImportError("mcp")
    if r.returncode != 0:
        raise RuntimeError(f"the MCP why probe exited {r.returncode}")
    samples = json.loads(out.read_text(encoding="utf-8"))
    return Timing(samples, r.max_rss_kb, [0] * len(samples))


def _probe(repo: Path, query: list[str], reps: int) -> list[float]:
    import anyio
    from mcp.client.session import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    params = StdioServerParameters(command=tool("declog"), args=["mcp"], cwd=str(repo), env=child_env())
    samples: list[float] = []

    async def main() -> None:
        async with stdio_client(params) as streams, ClientSession(*streams) as session:
            await session.initialize()
            await session.call_tool("why", {"query": " ".join(query)})  # warm-up, as the CLI's
            for _ in range(reps):
                start = time.perf_counter()
                result = await session.call_tool("why", {"query": " ".join(query)})
                samples.append(time.perf_counter() - start)
                if result.is_error:
                    raise RuntimeError("declog mcp: why failed")

    anyio.run(main)
    return samples


def run(report: Report) -> None:
    declog = tool("declog")
    report.section("Agents and CI: context, drift, MCP")
    for n in report.sizes:
        commits = bench_history.COMMITS.get(n, n * 5)
        label = f"{n // 1000}k" if n >= 1000 else str(n)
        repo, _ = _prepare(n, commits)
        big = n >= 10_000
        ctx = time_command([declog, "context", "--changed-since", "main", "--format", "json"], repo,
                           reps=report.reps(5), warmup=1)
        report.measure(f"declog context --changed-since ({CHANGED} files)", ctx, log=label, growth=True,
                       under_ms=1000 if big else None, note=f"{commits} commits, {SCOPED} scoped decisions")
        report.measure("  the same, CPU time (user + system, git included)", _cpu(ctx), log=label,
                       note="what it costs on a machine shared with other work (load average above)")
        dr = time_command([declog, "drift", "--format", "json"], repo, reps=report.reps(5), warmup=1, expect=(0, 1))
        report.measure("declog drift, warm", dr, log=label, under_ms=1000 if big else None, growth=True,
                       note="one git grep, one git ls-files, history and file-touch indexes")
        report.measure("  the same, CPU time (user + system, git included)", _cpu(dr), log=label)
        cache = repo / ".git" / "declog" / "touches.sqlite"
        dr_cold = time_command([declog, "drift", "--format", "json"], repo, reps=report.reps(2), expect=(0, 1),
                               before=lambda _, c=cache: c.unlink(missing_ok=True))
        report.measure("declog drift, file-touch index rebuilt", dr_cold, log=label,
                       note="one git log --name-only pass over every commit")
        query = ["orders", "database"]
        cli = time_command([declog, "why", *query], repo, reps=report.reps(7), warmup=1, expect=(0, 1))
        r_cli = report.measure("declog why, warm (process)", cli, log=label)
        try:
            mcp = _mcp_why(repo, query, report.reps(7))
        except ImportError:
            report.env("mcp", "not installed: pip install 'declog[mcp]' to measure the MCP why call")
            continue
        r_mcp = report.measure("MCP why call (SDK stdio client)", mcp, log=label,
                               note="peak RSS: the probe, its SDK client and the declog mcp server")
        report.difference("MCP why - declog why", r_mcp, r_cli, log=label, at_most_ms=50)


if __name__ == "__main__":  # the MCP probe: REPO REPS OUT QUERY...
    import json

    try:
        import mcp  # noqa: F401
    except ImportError:
        sys.exit(3)
    _repo, _reps, _out, *_query = sys.argv[1:]
    Path(_out).write_text(json.dumps(_probe(Path(_repo), _query, int(_reps))), encoding="utf-8")
