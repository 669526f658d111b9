"""Generated declog logs for the benchmarks: N realistic decisions plus about 50 owners,
committed into a fresh git repository.

Logs are deterministic (seeded by their size) and cached under ``bench/out/logs/`` keyed by
:data:`GENERATOR_VERSION`, so a rerun reuses them; bump the version whenever the output changes.
Files are written directly (a 10,000-record log takes seconds); ``declog init`` sets up the log
itself so the layout is the real one.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

GENERATOR_VERSION = "5"
HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
VENV_BIN = Path(sys.executable).parent
DECLOG = str(VENV_BIN / "declog")

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Bench Author",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench Committer",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
OWNER_COUNT = 50
TEAM_COUNT = 6
SUPERSEDE_SHARE = 0.05  # share of decisions that replace an older one

FIRST = ("ada", "ben", "cho", "dara", "eli", "fay", "gus", "hana", "ivo", "jun", "kai", "lea", "mo",
         "nia", "omar", "pia", "quin", "ravi", "sol", "tara", "uma", "vik", "wen", "xan", "yara", "zed")
LAST = ("smith", "okafor", "nguyen", "garcia", "kowalski", "tanaka", "muller", "silva", "haddad",
        "ivanova", "ahmed", "rossi", "larsen", "dubois", "kim", "park")
TEAMS = ("platform", "payments", "search", "growth", "infra", "data")
VERBS = ("Use", "Adopt", "Replace", "Move", "Split", "Keep", "Drop", "Standardise on", "Introduce", "Retire")
NOUNS = ("Postgres", "Kafka", "gRPC", "feature flags", "a monorepo", "Terraform", "OpenTelemetry",
         "Redis", "S3 lifecycle rules", "blue-green deploys", "event sourcing", "GraphQL", "Rust",
         "a service mesh", "nightly batch jobs", "SQLite", "ClickHouse", "Argo CD", "Bazel", "Vault")
OBJECTS = ("for orders", "for the billing pipeline", "in the search cluster", "for audit logs",
           "across mobile clients", "for internal tools", "in the checkout flow", "for analytics",
           "behind the public API", "for onboarding emails", "in the data warehouse", "for releases")
WORDS = ("latency", "throughput", "on-call load", "cost", "migration", "schema", "customers", "team",
         "quarter", "risk", "rollback", "dependency", "vendor", "compliance", "capacity", "backlog",
         "incident", "traffic", "storage", "queue", "contract", "budget", "deadline", "service",
         "tests", "deploys", "replicas", "partitions", "alerts", "dashboards", "retention", "SLA")
FILLER = ("the", "our", "a", "each", "every", "this", "that", "more", "less", "fewer", "new", "old")
VERBS2 = ("grows", "limits", "doubles", "reduces", "hides", "breaks", "needs", "blocks", "costs",
          "simplifies", "complicates", "affects", "exceeds", "matches", "delays", "speeds up")
TAGS = ("storage", "database", "api", "security", "cost", "frontend", "mobile", "infra", "ci",
        "observability", "data", "payments", "search", "privacy", "performance", "reliability")


@dataclass
class Owner:
    handle: str
    name: str
    kind: str  # person | team
    team: str | None = None
    lead: str | None = None
    active: bool = True


def _sentence(rng: random.Random) -> str:
    n = rng.randint(7, 16)
    words = []
    for i in range(n):
        pick = rng.random()
        if i % 4 == 2:
            words.append(rng.choice(VERBS2))
        elif pick < 0.35:
            words.append(rng.choice(FILLER))
        else:
            words.append(rng.choice(WORDS))
    if rng.random() < 0.004:  # about one record in twenty: exercises the YAML anchor/alias screen
        words.insert(rng.randrange(len(words)), "R&D")
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def _prose(rng: random.Random, sentences: int, width: int = 96) -> list[str]:
    """Lines of a paragraph wrapped at ``width``."""
    words = " ".join(_sentence(rng) for _ in range(sentences)).split()
    lines, line = [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}" if line else w
    if line:
        lines.append(line)
    return lines


def _block(key: str, lines: list[str], indent: str = "") -> list[str]:
    if len(lines) == 1:
        return [f"{indent}{key}: {lines[0]}"]
    return [f"{indent}{key}: |", *(f"{indent}  {ln}" for ln in lines)]


def _ids(rng: random.Random, count: int) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < count:
        rid = "D-" + "".join(rng.choice(ALPHABET) for _ in range(6))
        if rid not in seen:
            seen.add(rid)
            out.append(rid)
    return out


def _slug(title: str) -> str:
    out = ""
    for word in "".join(c if c.isalnum() else " " for c in title.lower()).split():
        candidate = f"{out}-{word}" if out else word
        if len(candidate) > 48:
            break
        out = candidate
    return out


def owners(rng: random.Random) -> list[Owner]:
    people: list[Owner] = []
    used: set[str] = set()
    while len(people) < OWNER_COUNT - TEAM_COUNT:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        handle = f"{first}.{last}"
        if handle in used:
            continue
        used.add(handle)
        people.append(Owner(handle, f"{first.title()} {last.title()}", "person",
                            team=f"team-{rng.choice(TEAMS)}" if rng.random() < 0.7 else None,
                            active=rng.random() > 0.08))
    teams = []
    for t in TEAMS[:TEAM_COUNT]:
        lead = rng.choice([p for p in people if p.active])
        teams.append(Owner(f"team-{t}", f"{t.title()} team", "team", lead=lead.handle))
    return people + teams


def owner_text(o: Owner) -> str:
    lines = ["# yaml-language-server: $schema=../.schemas/owner.schema.json", f"handle: {o.handle}", f"name: {o.name}"]
    lines.append(f"kind: {o.kind}")
    if o.kind == "person":
        lines.append(f"email: {o.handle}@example.com")
    if o.team:
        lines.append(f"team: {o.team}")
    if o.lead:
        lines.append(f"lead: {o.lead}")
    if not o.active:
        lines.append("active: false")
    return "\n".join(lines) + "\n"


def decision_text(rng: random.Random, rid: str, title: str, status: str, people: list[Owner],
                  everyone: list[Owner], supersedes: str | None, superseded_by: str | None,
                  related: list[str], day: dt.date) -> str:
    active = [p.handle for p in people if p.active]
    door = "one-way" if rng.random() < 0.3 else "two-way"
    lines = ["# yaml-language-server: $schema=.schemas/decision.schema.json",
             f"id: {rid}", f"title: {title}", f"status: {status}", f"owner: {rng.choice(active)}", f"door: {door}"]
    lines += _block("context", _prose(rng, rng.randint(2, 4)))
    decided = status in ("accepted", "superseded", "deprecated") or rng.random() < 0.3
    if decided or status == "rejected":
        lines += _block("decision", _prose(rng, rng.randint(1, 2)))
        lines += _block("rationale", _prose(rng, rng.randint(1, 3)))
    n_options = (2 if rng.random() < 0.7 else 3) if door == "one-way" or rng.random() < 0.7 else 0
    if n_options:
        lines.append("options:")
        for i in range(n_options):
            lines.append(f"  - title: {rng.choice(VERBS)} {rng.choice(NOUNS)}")
            lines.append("    pros:")
            lines += [f"      - {_sentence(rng)}" for _ in range(1 if rng.random() < 0.7 else 2)]
            lines.append("    cons:")
            lines += [f"      - {_sentence(rng)}" for _ in range(1 if rng.random() < 0.7 else 2)]
            if i:
                lines.append(f"    why_not: {_sentence(rng)}")
    if rng.random() < 0.6:
        lines += _block("consequences", _prose(rng, rng.randint(1, 2)))
    if door == "one-way" or rng.random() < 0.3:
        lines.append(f"expected_outcome: {_sentence(rng)}")
    if decided or status == "rejected":
        lines.append(f"decided_on: {day.isoformat()}")
    lines.append(f"deciders: [{', '.join(rng.sample([o.handle for o in everyone], rng.randint(1, 3)))}]")
    if rng.random() < 0.5:
        lines.append("consulted:")
        lines += [f"  - {h}" for h in rng.sample([o.handle for o in everyone], rng.randint(1, 3))]
    if decided and rng.random() < 0.3:
        lines.append(f"review_by: {(day + dt.timedelta(days=180)).isoformat()}")
    if supersedes:
        lines.append(f"supersedes: [{supersedes}]")
    if superseded_by:
        lines.append(f"superseded_by: {superseded_by}")
    if related:
        lines.append(f"related: [{', '.join(related)}]")
    lines.append(f"tags: [{', '.join(rng.sample(TAGS, rng.randint(1, 4)))}]")
    return "\n".join(lines) + "\n"


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(["git", "-C", str(repo), *args], check=True, env=env, capture_output=True,
                          text=True).stdout


def write_log(repo: Path, n: int, seed: int | None = None) -> list[str]:
    """Write ``n`` decisions and the owners into the (initialised) log at ``repo``.
    Returns the decision paths, relative to ``repo``."""
    rng = random.Random(seed if seed is not None else n)
    root = repo / "decisions"
    (root / "owners").mkdir(parents=True, exist_ok=True)
    everyone = owners(rng)
    people = [o for o in everyone if o.kind == "person"]
    for o in everyone:
        (root / "owners" / f"{o.handle}.yaml").write_text(owner_text(o), encoding="utf-8")
    ids = _ids(rng, n)
    # supersede pairs: a later decision replaces an earlier one, each old one replaced at most once
    superseded_by: dict[int, int] = {}
    supersedes: dict[int, int] = {}
    for new in range(1, n):
        if rng.random() < SUPERSEDE_SHARE:
            old = rng.randrange(new)
            if old not in superseded_by and old not in supersedes and new not in superseded_by:
                superseded_by[old] = new
                supersedes[new] = old
    start = dt.date(2019, 1, 1)
    paths = []
    for i, rid in enumerate(ids):
        title = f"{rng.choice(VERBS)} {rng.choice(NOUNS)} {rng.choice(OBJECTS)}"
        if i in superseded_by:
            status = "superseded"
        else:
            status = rng.choices(("accepted", "proposed", "rejected", "deprecated"), (70, 15, 8, 7))[0]
        related = [ids[rng.randrange(n)] for _ in range(rng.randint(1, 2))] if rng.random() < 0.15 else []
        related = [r for r in dict.fromkeys(related) if r != rid]
        day = start + dt.timedelta(days=i * 2500 // max(n, 1))
        text = decision_text(rng, rid, title, status, people, everyone,
                             ids[supersedes[i]] if i in supersedes else None,
                             ids[superseded_by[i]] if i in superseded_by else None, related, day)
        rel = f"decisions/{rid}-{_slug(title)}.yaml"
        (repo / rel).write_text(text, encoding="utf-8")
        paths.append(rel)
    return paths


def build(dest: Path, n: int) -> list[str]:
    """A fresh git repository at ``dest`` holding a committed log of ``n`` decisions."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    git(dest, "init", "-q", "-b", "main")
    subprocess.run([DECLOG, "init"], cwd=dest, check=True, capture_output=True)
    paths = write_log(dest, n)
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", f"Generated log of {n} decisions (generator v{GENERATOR_VERSION})")
    return paths


def log_for(n: int, out: Path = OUT) -> tuple[Path, list[str]]:
    """The cached generated log of ``n`` decisions (built when missing or outdated), reset to its
    committed state and without declog's cache. Returns the repository and the decision paths."""
    dest = out / "logs" / f"n{n}"
    stamp = dest / ".git" / "bench-generator"
    listing = dest / ".git" / "bench-paths"
    wanted = f"{GENERATOR_VERSION}:{n}"
    if stamp.is_file() and listing.is_file() and stamp.read_text() == wanted:
        git(dest, "reset", "-q", "--hard")  # undo what an interrupted benchmark left behind
        paths = listing.read_text().splitlines()
    else:
        paths = build(dest, n)
        listing.write_text("\n".join(paths) + "\n")
        stamp.write_text(wanted)
    shutil.rmtree(dest / ".git" / "declog", ignore_errors=True)
    return dest, paths


if __name__ == "__main__":
    for size in [int(a) for a in sys.argv[1:]] or [1000]:
        repo, _ = log_for(size)
        print(repo)
