"""`make eval`: import real ADR logs and measure what `declog why` finds in them.

    python bench/eval/run.py [CORPORA_DIR] [--only NAME] [--show-misses] [--json FILE]

For each git bundle of CORPORA_DIR (default ``../shared/corpora`` from the project root) listed
in ``bench/eval/questions.yaml``: clone it into a temporary folder, run the real ``declog init``
and ``declog import adr FOLDER``, and print the ADR files imported, the words kept (through
``bench/eval/fidelity.py:measure`` when that module is there, else "fidelity: n/a") and the top-1
and top-3 hit rates of ``declog why QUESTION --format json`` over the corpus's questions. A
question counts as found at rank k when one of its expected ADR files is the ``source.path`` of
one of the first k answers. The totals are also split: the corpora the ranking was tuned on, the
corpora listed under ``held_out`` in questions.yaml (never tuned on), and the questions marked
``fresh`` (written after the ranking was last changed) and the questions marked ``sealed``
(written before a ranking change and never tuned on: ``--show-misses`` leaves their misses out
unless ``--show-sealed`` is given). When the corpora folder is missing it
says so in one line and exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DECLOG = str(Path(sys.executable).parent / "declog")


@dataclass
class Question:
    corpus: str
    question: str
    expect: list[str]
    fresh: bool = False  # written after the ranking it measures was last changed
    sealed: bool = False  # written before a ranking change and never tuned on: only its totals are shown


@dataclass
class Outcome:
    question: Question
    got: list[str] = field(default_factory=list)  # ADR file names of the answers, best first

    def rank(self) -> int | None:
        for i, name in enumerate(self.got):
            if name in self.question.expect:
                return i + 1
        return None


def load_questions(path: Path) -> tuple[dict[str, str], list[Question]]:
    folders, questions, _ = load_eval(path)
    return folders, questions


def load_eval(path: Path) -> tuple[dict[str, str], list[Question], set[str]]:
    """The corpora (name → ADR folder), the questions, and the corpora held out of tuning."""
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    folders = {str(k): str(v) for k, v in (data.get("corpora") or {}).items()}
    questions = [Question(str(q["corpus"]), str(q["question"]), [str(e) for e in q["expect"]], bool(q.get("fresh")),
                          bool(q.get("sealed")))
                 for q in data.get("questions") or []]
    return folders, questions, {str(n) for n in data.get("held_out") or []}


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL)


def import_corpus(bundle: Path, folder: str, work: Path) -> tuple[Path, float, str]:
    clone = work / bundle.stem
    if (clone / ".git" / "declog-eval-imported").is_file():
        return clone, 0.0, "reused"
    subprocess.run(["git", "clone", "-q", str(bundle), str(clone)], check=True)
    _git(clone, "config", "user.name", "Eval")
    _git(clone, "config", "user.email", "eval@example.invalid")
    subprocess.run([DECLOG, "init"], cwd=clone, check=True, stdout=subprocess.DEVNULL)
    start = time.perf_counter()
    done = subprocess.run([DECLOG, "import", "adr", folder, "--owner", "eval"], cwd=clone,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - start
    problem = "" if done.returncode == 0 else f"import exited {done.returncode}: {done.stderr.strip()[-300:]}"
    (clone / ".git" / "declog-eval-imported").write_text(problem or "ok\n", encoding="utf-8")
    return clone, seconds, problem


def sources(clone: Path) -> dict[str, str]:
    """Record ID → the file name of the ADR it was imported from."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe")
    out: dict[str, str] = {}
    for path in (clone / "decisions").glob("*.yaml"):
        try:
            data = yaml.load(path.read_text(encoding="utf-8"))
        except Exception:
            continue
        source = data.get("source") if isinstance(data, dict) else None
        if isinstance(source, dict) and isinstance(source.get("path"), str):
            out[str(data.get("id"))] = source["path"].rsplit("/", 1)[-1]
    return out


RANKERS: set[str] = set()  # the rankers the answers said they ran (why --format json)


def ask(clone: Path, question: Question, by_id: dict[str, str], lexical: bool = False) -> Outcome:
    env = {**os.environ, "DECLOG_SEMANTIC": "0"} if lexical else None
    done = subprocess.run([DECLOG, "why", *question.question.split(), "--limit", "3", "--format", "json"],
                          cwd=clone, capture_output=True, text=True, env=env)
    outcome = Outcome(question)
    try:
        reply = json.loads(done.stdout or "{}")
        answers = reply.get("results") or []
        RANKERS.add(str(reply.get("ranker")))
    except json.JSONDecodeError:
        answers = []
    outcome.got = [by_id.get(str(a.get("id")), str(a.get("id"))) for a in answers]
    return outcome


SPLITS = ("tuned on (corpora the ranking was tuned on, fresh questions aside)",
          "held out (corpora never tuned on, fresh questions aside)",
          "fresh (questions written after the ranking was frozen)",
          "sealed (questions written before the last ranking change, never tuned on)")


def _splits(question: Question, held_out: set[str]) -> list[str]:
    """The one group a question counts in: sealed and fresh questions apart from the corpora they ask about."""
    if question.sealed:
        return [SPLITS[3]]
    if question.fresh:
        return [SPLITS[2]]
    return [SPLITS[1] if question.corpus in held_out else SPLITS[0]]


def fidelity(clone: Path, folder: str) -> Any:
    """The import engineer's measure of words kept, when bench/eval/fidelity.py is there."""
    if not (HERE / "fidelity.py").is_file():
        return None
    sys.path.insert(0, str(HERE))
    try:
        import fidelity as fid  # type: ignore[import-not-found]
    finally:
        sys.path.pop(0)
    return fid, fid.measure(clone, folder)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpora", nargs="?", type=Path, default=ROOT / ".." / "shared" / "corpora")
    parser.add_argument("--questions", type=Path, default=HERE / "questions.yaml")
    parser.add_argument("--only", action="append", default=[], metavar="NAME", help="only this corpus (repeatable)")
    parser.add_argument("--show-misses", action="store_true",
                        help="print every question not found first (sealed ones only with --show-sealed)")
    parser.add_argument("--show-sealed", action="store_true",
                        help="with --show-misses, also print the misses of sealed questions (never while tuning)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON here")
    parser.add_argument("--lexical", action="store_true",
                        help="rank lexically only (DECLOG_SEMANTIC=0), to compare with the semantic extra")
    parser.add_argument("--work", type=Path, default=None,
                        help="import into this folder and keep it (a corpus already imported there is reused)")
    args = parser.parse_args(argv)

    corpora: Path = args.corpora.resolve()
    if not corpora.is_dir() or not any(corpora.glob("*.bundle")):
        print(f"make eval: no ADR corpora at {corpora} (git bundles *.bundle); nothing to evaluate")
        return 0
    folders, questions, held_out = load_eval(args.questions)
    groups: dict[str, list[int]] = {}  # split → [questions, top-1, top-3]
    names = [n for n in folders if (corpora / f"{n}.bundle").is_file() and (not args.only or n in args.only)]
    totals = {"questions": 0, "top1": 0, "top3": 0}
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="declog-eval-") as tmp:
        work = args.work.resolve() if args.work else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        for name in names:
            clone, seconds, problem = import_corpus(corpora / f"{name}.bundle", folders[name], work)
            by_id = sources(clone)
            print(f"{name}: {len(by_id)} ADR files imported from {folders[name]} in {seconds:.2f} s"
                  + (f" ({problem})" if problem else ""))
            fid = fidelity(clone, folders[name])
            if fid is None:
                print("  fidelity: n/a")
            else:
                module, report = fid
                print(f"  fidelity: {report.imported}/{report.adr_files} ADRs imported, words kept "
                      f"{report.words_kept:.1%}; worst: "
                      + "; ".join(f"{f.path.rsplit('/', 1)[-1]} {f.share:.0%}" for f in report.worst(5)))
                print(f"  titles with a number: {len(report.numbered_titles)}; "
                      f"sentences not in their ADR: {len(report.foreign)}")
            asked = [ask(clone, q, by_id, args.lexical) for q in questions if q.corpus == name]
            # sealed questions count only in their own group, so no per-corpus figure gives them away
            outcomes = [o for o in asked if not o.question.sealed]
            top1 = sum(1 for o in outcomes if o.rank() == 1)
            top3 = sum(1 for o in outcomes if o.rank() is not None)
            n = len(outcomes)
            if n:
                print(f"  why: top-1 {top1}/{n} ({top1 / n:.0%}), top-3 {top3}/{n} ({top3 / n:.0%})")
            for o in asked:
                if args.show_misses and o.rank() != 1 and (args.show_sealed or not o.question.sealed):
                    print(f"    miss ({o.rank() or '-'}): {o.question.question!r} → {', '.join(o.got) or 'nothing'}"
                          f" (want {', '.join(o.question.expect)})")
            for o in asked:
                for split in _splits(o.question, held_out):
                    g = groups.setdefault(split, [0, 0, 0])
                    g[0] += 1
                    g[1] += o.rank() == 1
                    g[2] += o.rank() is not None
            totals["questions"] += n
            totals["top1"] += top1
            totals["top3"] += top3
            results[name] = {"imported": len(by_id), "import_seconds": round(seconds, 3), "questions": n,
                             "top1": top1, "top3": top3,
                             "misses": [{"question": o.question.question, "rank": o.rank(), "got": o.got}
                                        for o in outcomes if o.rank() != 1]}
            if args.show_sealed:
                results[name]["sealed_misses"] = [{"question": o.question.question, "rank": o.rank(), "got": o.got}
                                                  for o in asked if o.question.sealed and o.rank() != 1]
    n = totals["questions"]
    print(f"ranker: {', '.join(sorted(RANKERS)) or 'none ran'}")
    if n:
        print(f"all corpora (sealed questions apart): why top-1 {totals['top1']}/{n} ({totals['top1'] / n:.1%}), "
              f"top-3 {totals['top3']}/{n} ({totals['top3'] / n:.1%})")
    for split in SPLITS:
        if split in groups:
            q, t1, t3 = groups[split]
            print(f"  {split}: top-1 {t1}/{q} ({t1 / q:.1%}), top-3 {t3}/{q} ({t3 / q:.1%})")
    if args.json:
        args.json.write_text(json.dumps({"totals": totals, "splits": groups, "corpora": results}, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
