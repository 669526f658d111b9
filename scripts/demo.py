"""A guided tour of declog in a throwaway git repository (run by `make demo`).

Every step runs the real `declog` executable of this virtualenv and prints the command, then
its real output. A step that must succeed and does not stops the demo with exit status 1, so
the demo cannot silently rot. Commands that are not built yet (`why`, `history`, `blame`,
`retro`, `review`) are skipped with a note when `declog --help` does not list them.

    python scripts/demo.py            # the tour; the repository is deleted afterwards
    python scripts/demo.py --keep     # keep the repository and the site, and print where they are
    make demo KEEP=1                  # the same through make
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

BIN = Path(sys.executable).parent
DECLOG = BIN / "declog"
TIMEOUT = 60  # seconds per command; the whole tour takes a few seconds

# A git identity and configuration for the child processes only: works on a machine with no
# git identity, and never reads or writes the user's own git configuration.
CHILD_ENV = {
    "GIT_AUTHOR_NAME": "Alice Example",
    "GIT_AUTHOR_EMAIL": "alice@example.com",
    "GIT_COMMITTER_NAME": "Alice Example",
    "GIT_COMMITTER_EMAIL": "alice@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "PYTHONUNBUFFERED": "1",  # keeps declog's stdout and stderr in order
    "EDITOR": "true",
    "VISUAL": "true",
}


class DemoFailed(Exception):
    pass


class Tour:
    def __init__(self, repo: Path) -> None:
        self.repo = repo
        self.env = {**os.environ, **CHILD_ENV}
        self.env.pop("DECLOG_TRACEBACK", None)
        self.section_number = 0

    # -- output ------------------------------------------------------------------------------
    def section(self, title: str) -> None:
        self.section_number += 1
        print(f"## {self.section_number}. {title}\n", flush=True)

    def say(self, text: str) -> None:
        print(text, flush=True)

    # -- running -----------------------------------------------------------------------------
    def run(self, argv: Sequence[str], *, expect: Sequence[int] = (0,), show: str | None = None,
            trim: int | None = None, quiet: bool = False) -> str:
        """Run a command in the repository, print `$ command` and its output, check its exit status.

        ``argv[0] == "declog"`` runs this virtualenv's declog. ``show`` replaces the displayed
        command line; ``trim`` prints only the first lines of the output.
        """
        argv = list(argv)
        shown = show if show is not None else shlex.join(argv)
        exe = [str(DECLOG), *argv[1:]] if argv[0] == "declog" else argv
        try:
            proc = subprocess.run(exe, cwd=self.repo, env=self.env, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                  timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise DemoFailed(f"`{shown}` took longer than {TIMEOUT} s") from None
        except OSError as exc:
            raise DemoFailed(f"`{shown}` could not start: {exc}") from None
        output = proc.stdout
        if not quiet:
            self.say(f"$ {shown}")
            lines = output.splitlines()
            if trim is not None and len(lines) > trim:
                lines = [*lines[:trim], f"  … ({len(lines) - trim} more lines)"]
            for line in lines:
                self.say(line)
            if proc.returncode != 0:
                self.say(f"[exit {proc.returncode}]")
            self.say("")
        if proc.returncode not in expect:
            wanted = " or ".join(str(e) for e in expect)
            if quiet:
                self.say(f"$ {shown}\n{output}")
            raise DemoFailed(f"`{shown}` exited {proc.returncode}, expected {wanted}")
        return output

    def git(self, *args: str, show: bool = True) -> str:
        return self.run(["git", *args], quiet=not show)

    def commit(self, message: str, trailer: str | None = None) -> None:
        self.git("add", "-A", show=False)
        argv = ["git", "commit", "-q", "-m", message]
        if trailer:
            argv += ["-m", trailer]
        self.run(argv, show=f"git add -A && {shlex.join(argv)}")

    def created_id(self, output: str) -> str:
        match = re.search(r"^Created (?:decision|mechanism|correction) ([DMC]-[0-9a-z]{6}): ", output, re.MULTILINE)
        if not match:
            raise DemoFailed(f"expected 'Created decision D-…' in the output, got:\n{output}")
        return match.group(1)

    def path_of(self, record_id: str) -> str:
        data = json.loads(self.run(["declog", "show", record_id, "--format", "json"], quiet=True))
        return str(data["path"])

    def short_prefix(self, record_id: str, others: Sequence[str]) -> str:
        """The shortest unique prefix of the random part of an ID, at least three characters."""
        body = record_id[2:]
        for length in range(3, len(body) + 1):
            if not any(o != record_id and o[2:].startswith(body[:length]) for o in others):
                return body[:length]
        return record_id


def available_commands() -> set[str]:
    """The commands `declog --help` lists (read at run time: some are still being built)."""
    proc = subprocess.run([str(DECLOG), "--help"], capture_output=True, text=True, timeout=TIMEOUT, check=False)
    if proc.returncode != 0:
        raise DemoFailed(f"`declog --help` exited {proc.returncode}:\n{proc.stderr}")
    names: set[str] = set()
    in_commands = False
    for line in proc.stdout.splitlines():
        if line.strip() == "Commands:":
            in_commands = True
            continue
        if in_commands:
            match = re.match(r"^  (\S+)\s", line)
            if match:
                names.add(match.group(1))
            elif line.strip() and not line.startswith("   "):
                in_commands = False
    return names


def help_mentions(command: str, text: str) -> bool:
    proc = subprocess.run([str(DECLOG), command, "--help"], capture_output=True, text=True,
                          timeout=TIMEOUT, check=False)
    return proc.returncode == 0 and text in proc.stdout


def tour(t: Tour) -> None:
    today = dt.date.today()
    commands = available_commands()

    t.section("Set up the log in a git repository")
    t.git("init", "-q", "-b", "main")
    t.run(["declog", "init"])

    t.section("Owners: a person, and a team with one accountable lead")
    t.run(["declog", "new", "owner", "alice", "--name", "Alice Example", "--email", "alice@example.com"])
    t.run(["declog", "new", "owner", "platform", "--kind", "team", "--name", "Platform team", "--lead", "alice"])

    t.section("A two-way door, recorded with flags and committed")
    t.say("Reversible, so decided fast by one owner.\n")
    out = t.run(["declog", "new", "decision", "Use Redis for the session cache",
                 "--owner", "alice", "--door", "two-way", "--status", "accepted",
                 "--context", "Sessions are read on every request; the database is the bottleneck",
                 "--decision", "Keep sessions in Redis with a 24 h expiry",
                 "--rationale", "Fast, well known, and easy to replace",
                 "--option", "Memcached: no persistence across restarts",
                 "--tag", "cache"])
    cache_id = t.created_id(out)
    t.run(["cat", t.path_of(cache_id)])
    t.commit("Record the session cache decision", f"Decision: {cache_id}")

    t.section("A one-way door: options weighed and an expected outcome, then accepted")
    t.say("Hard to reverse, so declog asks for at least two options and an expected outcome.\n")
    out = t.run(["declog", "new", "decision", "Use Postgres for orders",
                 "--owner", "alice", "--door", "one-way",
                 "--context", "Orders need multi-row transactions and an audit trail",
                 "--option", "DynamoDB: no multi-item transactions at our scale",
                 "--option", "Postgres",
                 "--expected-outcome", "No lost or double-charged orders; p99 write under 50 ms",
                 "--review-by", (today + dt.timedelta(days=180)).isoformat(),
                 "--tag", "storage", "--scope", "services/orders/**"])
    orders_id = t.created_id(out)
    orders_prefix = t.short_prefix(orders_id, [cache_id])
    t.run(["declog", "set", orders_prefix, "status=accepted",
           "decision=Postgres 16 on RDS, one database per region", "rationale=Transactions first; the team knows it"])
    t.commit("Record the orders database decision", f"Decision: {orders_id}")
    schema = t.repo / "services" / "orders" / "schema.sql"
    schema.parent.mkdir(parents=True)
    sql = "create table orders (\n  id bigint primary key,\n  total_cents bigint not null\n);\n"
    schema.write_text(sql, encoding="utf-8")
    t.say(f"$ mkdir -p services/orders && cat > services/orders/schema.sql <<'EOF'\n{sql}EOF\n")
    t.commit("Add the orders table", f"Decision: {orders_id}")

    t.section("Validate: what the pre-commit hook runs on every commit")
    t.run(["declog", "validate"])

    t.section("A broken record is refused with path:line:col: field: message")
    cache_path = t.path_of(cache_id)
    target = t.repo / cache_path
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("owner: alice\n", "owner: platform\n") + "reviewed_by: bob\n", encoding="utf-8")
    t.say(f"$ sed -i 's/^owner: alice$/owner: platform/' {cache_path}")
    t.say(f"$ echo 'reviewed_by: bob' >> {cache_path}\n")
    out = t.run(["declog", "validate"], expect=(1,))
    if not re.search(r"^\S+\.yaml:\d+:\d+: \S+: ", out, re.MULTILINE):
        raise DemoFailed("validate did not print a path:line:col: field: message line")
    t.say("A team cannot own a decision (one person is accountable), and reviewed_by is not a field.")
    t.say("Put the file back and it is valid again:\n")
    t.git("checkout", "--", cache_path)
    t.run(["declog", "validate"])

    t.section("List, show and JSON for scripts")
    t.run(["declog", "list"])
    t.run(["declog", "list", "--door", "one-way"])
    t.run(["declog", "list", "--format", "json"], trim=20)
    t.run(["declog", "show", orders_prefix])

    t.section("Supersede: a two-way door, walked back through")
    out = t.run(["declog", "new", "decision", "Use Valkey for the session cache",
                 "--owner", "alice", "--door", "two-way", "--status", "accepted",
                 "--context", "Redis changed its licence; we want an open-source server",
                 "--decision", "Move sessions to Valkey; same protocol, same expiry",
                 "--rationale", "A drop-in replacement with an open licence",
                 "--tag", "cache"])
    valkey_id = t.created_id(out)
    t.run(["declog", "supersede", cache_id, valkey_id])
    t.run(["declog", "list"])
    t.run(["declog", "validate"])
    t.commit("Replace Redis by Valkey for sessions", f"Decision: {valkey_id}")

    t.section("Questions answered from git history")
    later = {
        "why": (["declog", "why", "orders database"], (0,)),
        "history": (["declog", "history", cache_id], (0,)),
        "blame": (["declog", "blame", "services/orders/schema.sql"], (0,)),
        "retro": (["declog", "retro", "--since", (today - dt.timedelta(days=7)).isoformat()], (0, 1)),
    }
    for name, (argv, expect) in later.items():
        if name in commands:
            t.run(argv, expect=expect)
        else:
            t.say(f"(skipped `{shlex.join(argv)}`: this declog has no `{name}` command yet)\n")

    t.section("A correction of errors that creates a mechanism (docs/guides/coe-to-mechanism.md)")
    if "review" in commands and "inspect" in commands:
        day = today - dt.timedelta(days=14)
        out = t.run(["declog", "new", "mechanism", "Weekly deploy review", "--owner", "alice",
                     "--problem", "Config changes reach production without review",
                     "--tool", "A checklist the deploy pipeline asks for",
                     "--adoption", "The pipeline blocks a deploy without a completed checklist",
                     "--cadence", "weekly", "--input-metric", "reviewed_pct>=95 percent",
                     "--output-metric", "deploy_incidents<=1 count"])
        mechanism_id = t.created_id(out)
        out = t.run(["declog", "new", "correction", "Checkout down after a config push", "--owner", "alice",
                     "--summary", "Checkout failed for 40 minutes after an unreviewed config change",
                     "--why", "Checkout failed > A bad config shipped > Config changes skip review",
                     "--root-cause", "Config changes skip review",
                     "--action", f"Roll back and fix the config; owner=alice; due={day.isoformat()}; status=done",
                     "--action", f"Review every config change weekly; owner=alice; "
                                 f"due={(today + dt.timedelta(days=30)).isoformat()}; mechanism={mechanism_id}"])
        correction_id = t.created_id(out)
        t.run(["declog", "set", mechanism_id, f"origin+={correction_id}"])
        t.run(["cat", t.path_of(correction_id)])
        t.commit("Correction of errors for the checkout outage, and its mechanism")
        t.say("Two inspections, a week apart; the second finds the checklist skipped.\n")
        t.run(["declog", "inspect", mechanism_id, "--verdict", "working", "--metric", "reviewed_pct=97",
               "--metric", "deploy_incidents=0", "--on", day.isoformat()])
        t.run(["declog", "inspect", mechanism_id, "--verdict", "degraded", "--metric", "reviewed_pct=80",
               "--metric", "deploy_incidents=2", "--on", (day + dt.timedelta(days=3)).isoformat(),
               "--note", "Two deploys skipped the checklist during the freeze"])
        t.run(["declog", "list", "inspections"])
        t.commit("Inspect the weekly deploy review")
    else:
        t.say("(skipped: this declog has no `inspect` or `review` command yet)\n")

    t.section("The weekly review (docs/guides/weekly-review.md)")
    if "review" in commands:
        argv = ["declog", "review"]
        if help_mentions("review", "--as-of"):
            argv += ["--as-of", today.isoformat()]
        out = t.run(argv, expect=(0, 1))
        if "inspect" in commands:
            if "days overdue, last inspected" not in out or "reviewed_pct: 80 percent" not in out:
                raise DemoFailed("the review did not flag the overdue inspection and the off-target metric")
        t.run(["declog", "owners"])
    else:
        t.say("(skipped `declog review`: this declog has no `review` command yet)\n")

    if "import" in commands and "export" in commands:
        t.section("Bring existing ADRs in, with their git history; publish the log")
        t.say("Many teams already keep markdown ADRs (adr-tools, MADR, log4brains). Bob proposed one,\n"
              "then accepted it in a later commit; `declog import adr` brings the folder in.\n")
        adr = t.repo / "doc" / "adr" / "0001-use-kafka-for-order-events.md"
        adr.parent.mkdir(parents=True)
        body = ("# 1. Use Kafka for order events\n\nDate: 2024-05-02\n\n## Status\n\n{status}\n\n"
                "## Context\n\nOrder events must reach billing and shipping in order.\n\n"
                "## Decision\n\nPublish order events to Kafka, one topic per region.\n\n"
                "## Consequences\n\nWe run a Kafka cluster.\n")
        adr.write_text(body.format(status="Proposed"), encoding="utf-8")
        t.run(["git", "add", "doc"], quiet=True)
        t.run(["git", "commit", "-q", "--author", "Bob Builder <bob@example.com>", "-m", "ADR 1: propose Kafka"],
              show="git commit -m 'ADR 1: propose Kafka'   # as Bob")
        adr.write_text(body.format(status="✅ Accepted"), encoding="utf-8")
        t.run(["git", "commit", "-q", "-a", "--author", "Bob Builder <bob@example.com>", "-m", "ADR 1: accepted"],
              show="git commit -am 'ADR 1: accepted'   # as Bob")
        t.run(["declog", "import", "adr", "doc/adr", "--owner", "alice"])
        t.commit("Import the ADR folder into declog")
        t.say("The ADR keeps its number as an alias, and its markdown history stays visible:\n")
        out = t.run(["declog", "show", "ADR-1"])
        if "by Bob Builder" not in out:
            raise DemoFailed("`declog show ADR-1` did not say that Bob accepted the ADR")
        t.run(["declog", "history", "ADR-1"])
        t.run(["declog", "graph", "--format", "mermaid"])
        site = t.repo.parent / "site"
        t.run(["declog", "export", "html", "--out", str(site)], show="declog export html --out ../site")
        t.say(f"Open {site / 'index.html'} in a browser (`make demo KEEP=1` keeps it): search,\n"
              "a page per decision with its history, the graph, mechanism charts, the weekly review.\n")

    t.section("The repository now holds")
    t.git("log", "--reverse", "--format=%h  %s  %(trailers:key=Decision,valueonly,separator=%x2C )")
    t.git("ls-files")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A guided tour of declog in a throwaway git repository.")
    parser.add_argument("--keep", action="store_true", help="keep the repository and the site, and print their paths")
    args = parser.parse_args(argv)
    if not DECLOG.exists():
        print(f"demo: {DECLOG} not found; run `make demo` (it installs declog into .venv)", file=sys.stderr)
        return 1
    if shutil.which("git") is None:
        print("demo: git is not installed; declog needs it", file=sys.stderr)
        return 1
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="declog-demo-"))
    repo = workdir / "shop"
    repo.mkdir()
    print(f"A throwaway git repository: {repo}")
    print(f"declog: {DECLOG}\n")
    try:
        tour(Tour(repo))
    except DemoFailed as exc:
        print(f"\ndemo failed: {exc}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"\nKept the repository: cd {repo}")
            if (workdir / "site" / "index.html").is_file():
                print(f"Kept the site: {workdir / 'site' / 'index.html'}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"\nDone in {time.monotonic() - started:.1f} s. Next: docs/quickstart.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
