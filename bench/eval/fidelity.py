"""How much of each markdown ADR its imported record keeps, and whether the record adds text.

``measure(repo, adr_dir, log=None) -> FidelityReport``
    ``repo`` is a git work tree where ``declog import adr ADR_DIR`` has run; ``adr_dir`` is the
    ADR folder relative to ``repo``; ``log`` is an open :class:`declog.storage.store.Log` of ``repo``
    (opened when None). It compares the markdown files of the work tree with the decisions whose
    ``source.path`` names them and returns a :class:`FidelityReport`:

    - ``adr_files``: markdown ADRs in the folder (README, index and template files left out, as
      ``declog import`` leaves them out), ``numbered``: those whose file name starts with a number,
    - ``imported``: of those, the ones a record holds; ``missing``: the files no record holds,
    - ``words_kept``: distinct words (4+ letters, lower-cased) of every ADR that its record keeps,
      over all ADRs (kept / total), and ``files``: one :class:`FileFidelity` per ADR (its share,
      the words lost), of which ``worst(5)`` gives the five lowest,
    - ``numbered_titles``: record titles that still start with a number (``23 Logging``),
    - ``foreign``: sentences of a record's text fields found nowhere in its ADR (filler).

    The words of an ADR are those of the markdown, without HTML comments, without the keys of its
    front matter (their values count) and without the values of a static site's navigation keys
    (``parent: Decision Records``, ``nav_order``: :data:`NAVIGATION`). The words of a record are
    those of every string in it (title, context, decision, rationale, consequences, options,
    sections, the source's labels...) and its field names (the ADR's ``## Status`` heading is the
    record's ``status``); a ``decided_on`` stands for the word "date". A sentence is "in the
    ADR" when its words, in order, appear in the ADR's words in that order.

``python bench/eval/fidelity.py [CORPORA_DIR]``
    clones each ``*.bundle`` of CORPORA_DIR (default ``../shared/corpora``, from the project root)
    into a temporary folder, runs the real ``declog init`` and ``declog import adr`` on its work
    tree, and prints these figures per corpus, with the import's wall time.
"""

from __future__ import annotations

import re
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

WORD = re.compile(r"[^\W\d_]{4,}")
ALL_WORDS = re.compile(r"[^\W_]+")
# "template" in a numbered file name is the ADR's subject ("0039-use-a-template-engine.md"), as in
# declog.adr.parse; "0000-template.md" and "adr-template.md" are templates.
NOT_ADR = re.compile(r"^(readme|index|toc|summary|changelog|contributing|license)(\..*)?$"
                     r"|^(?!\d+[-_](?!(adr[-_])?template\.)).*template", re.I)
NUMBERED_TITLE = re.compile(r"^\s*(?:#|adr|add|decision|record)?[\s#._:-]*\d+(?:\b|[.:)\s_-])", re.I)
COMMENT = re.compile(r"<!--.*?-->", re.S)
FRONT = re.compile(r"\A\ufeff?---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
FRONT_KEY = re.compile(r"^(\s*(?:-\s+)?)[A-Za-z0-9_-]+\s*:", re.M)
NAVIGATION = ("parent", "grand_parent", "nav_order", "layout", "permalink", "has_children", "nav_exclude")
NAV_LINE = re.compile(rf"^(?:{'|'.join(NAVIGATION)})\s*:.*$", re.M)
SENTENCE = re.compile(r"(?<=[.!?])\s+|\n\s*\n")

# The ADR folder inside each bundle (from the corpora README).
CORPORA = {
    "gsa-tts-fac": "docs/architecture/decisions",
    "jabref-jabref": "docs/decisions",
    "nationalarchives-tdr-dev-documentation": "architecture-decision-records",
    "adr-madr": "docs/decisions",
    "thomvaill-log4brains": "docs/adr",
}


@dataclass
class FileFidelity:
    path: str
    record: str | None
    words: int
    kept: int
    lost: list[str] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.kept / self.words if self.words else 1.0


@dataclass
class FidelityReport:
    adr_dir: str
    adr_files: int = 0
    numbered: int = 0
    imported: int = 0
    missing: list[str] = field(default_factory=list)
    files: list[FileFidelity] = field(default_factory=list)
    numbered_titles: list[tuple[str, str]] = field(default_factory=list)  # (record id, title)
    foreign: list[tuple[str, str]] = field(default_factory=list)  # (record id, sentence)
    import_seconds: float | None = None  # wall time of `declog import adr`
    import_cpu_seconds: float | None = None  # its CPU time (user + system, git included): on a busy machine

    @property
    def words_kept(self) -> float:
        total = sum(f.words for f in self.files)
        return sum(f.kept for f in self.files) / total if total else 1.0

    def worst(self, n: int = 5) -> list[FileFidelity]:
        return sorted(self.files, key=lambda f: (f.share, f.path))[:n]

    def as_json(self) -> dict[str, Any]:
        return {
            "adr_dir": self.adr_dir, "adr_files": self.adr_files, "numbered": self.numbered,
            "imported": self.imported, "missing": self.missing, "words_kept": round(self.words_kept, 4),
            "worst": [{"path": f.path, "share": round(f.share, 4), "lost": f.lost[:20]} for f in self.worst()],
            "numbered_titles": self.numbered_titles, "foreign": self.foreign, "import_seconds": self.import_seconds, "import_cpu_seconds": self.import_cpu_seconds,
        }


def adr_words(markdown: str) -> set[str]:
    """Distinct words (4+ letters, lower-cased) of an ADR: no HTML comments, no front-matter keys."""
    text = markdown.replace("\r\n", "\n")
    m = FRONT.match(text)
    if m:
        text = FRONT_KEY.sub(r"\1", NAV_LINE.sub("", m.group(1))) + "\n" + text[m.end():]
    return {w.lower() for w in WORD.findall(COMMENT.sub(" ", text))}


def _strings(value: Any, keys: bool = False) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        out = [s for v in value.values() for s in _strings(v, keys)]
        return out + [str(k) for k in value] if keys else out
    if isinstance(value, list):
        return [s for v in value for s in _strings(v, keys)]
    return []


PROSE = ("context", "decision", "rationale", "consequences")


def _prose(data: dict[str, Any]) -> list[str]:
    """The free-text fields of a record, where filler would show."""
    out = [str(data[k]) for k in PROSE if isinstance(data.get(k), str)]
    for opt in data.get("options") or []:
        if isinstance(opt, dict):
            out += _strings({k: v for k, v in opt.items() if k in ("pros", "cons", "why_not", "description")})
    for sec in data.get("sections") or []:
        if isinstance(sec, dict) and isinstance(sec.get("text"), str):
            out.append(sec["text"])
    return out


def _seq(text: str) -> list[str]:
    return [w.lower() for w in ALL_WORDS.findall(COMMENT.sub(" ", text))]


def measure(repo: Path, adr_dir: str, log: Any = None) -> FidelityReport:
    """Figures for the ADRs under ``repo/adr_dir`` against the records imported from them."""
    from declog.storage.store import Log

    log = log if log is not None else Log.open(repo)
    folder = repo / adr_dir
    report = FidelityReport(adr_dir=adr_dir)
    by_source: dict[str, Any] = {}
    for record in log.records():
        data = record.data or {}
        source = data.get("source")
        if record.kind.name == "decision" and isinstance(source, dict) and isinstance(source.get("path"), str):
            by_source[source["path"]] = record
    for path in sorted(folder.rglob("*")):
        rel_parts = path.relative_to(folder).parts
        if not path.is_file() or any(p.startswith(".") for p in rel_parts):
            continue
        if not path.name.lower().endswith((".md", ".markdown")) or NOT_ADR.search(path.name):
            continue
        if path.name.startswith("LICENSE.source"):
            continue
        rel = path.relative_to(repo).as_posix()
        report.adr_files += 1
        numbered = bool(re.match(r"^\d+", path.name))
        report.numbered += numbered
        markdown = path.read_text(encoding="utf-8", errors="replace")
        words = adr_words(markdown)
        record = by_source.get(rel)
        if record is None:
            report.missing.append(rel)
            report.files.append(FileFidelity(rel, None, len(words), 0, sorted(words)))
            continue
        report.imported += 1
        data = dict(record.data or {})
        kept_words = {w.lower() for s in _strings(data, keys=True) for w in WORD.findall(s)}
        if data.get("decided_on"):
            kept_words.add("date")
        lost = sorted(words - kept_words)
        report.files.append(FileFidelity(rel, record.id, len(words), len(words) - len(lost), lost))
        title = str(data.get("title") or "")
        if NUMBERED_TITLE.match(title):
            report.numbered_titles.append((str(record.id), title))
        source_seq = " " + " ".join(_seq(markdown)) + " "
        for text in _prose(data):
            for sentence in SENTENCE.split(text):
                words_in = _seq(sentence)
                if words_in and f" {' '.join(words_in)} " not in source_seq:
                    report.foreign.append((str(record.id), " ".join(sentence.split())[:160]))
    return report


def _declog() -> str:
    return str(Path(sys.executable).parent / "declog")


def run_corpus(bundle: Path, adr_dir: str, work: Path) -> FidelityReport:
    """Clone ``bundle`` under ``work``, import its ADRs with the real CLI, and measure."""
    clone = work / bundle.stem
    subprocess.run(["git", "clone", "-q", str(bundle), str(clone)], check=True)
    for args in (["config", "user.name", "Fidelity"], ["config", "user.email", "fidelity@example.invalid"]):
        subprocess.run(["git", "-C", str(clone), *args], check=True)
    subprocess.run([_declog(), "init"], cwd=clone, check=True, stdout=subprocess.DEVNULL)
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([_declog(), "import", "adr", adr_dir, "--owner", "fidelity"], cwd=clone,
                          capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        print(f"{bundle.stem}: import failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    report = measure(clone, adr_dir)
    report.import_seconds = seconds
    report.import_cpu_seconds = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return report


def print_report(name: str, r: FidelityReport) -> None:
    print(f"{name} ({r.adr_dir}): {r.imported}/{r.adr_files} ADR files imported ({r.numbered} numbered), "
          f"words kept {r.words_kept:.1%}, import {r.import_seconds or 0:.2f} s wall, "
          f"{r.import_cpu_seconds or 0:.2f} s CPU")
    if r.missing:
        print(f"  not imported: {', '.join(m.rsplit('/', 1)[-1] for m in r.missing)}")
    print("  worst: " + "; ".join(f"{f.path.rsplit('/', 1)[-1]} {f.share:.0%}" for f in r.worst()))
    for f in r.worst():
        if f.share < 0.99:
            print(f"    {f.path.rsplit('/', 1)[-1]} lost: {' '.join(f.lost[:15])}")
    print(f"  titles with a number: {len(r.numbered_titles)}"
          + (f" (e.g. {r.numbered_titles[0][1]!r})" if r.numbered_titles else ""))
    print(f"  sentences not in the ADR: {len(r.foreign)}"
          + (f" (e.g. {r.foreign[0][1]!r})" if r.foreign else ""))


def main(argv: list[str]) -> int:
    corpora = Path(argv[0]) if argv else Path(__file__).resolve().parents[2] / ".." / "shared" / "corpora"
    bundles = sorted(corpora.glob("*.bundle")) if corpora.is_dir() else []
    if not bundles:
        print(f"no ADR corpora at {corpora} (git bundles *.bundle): nothing to measure")
        return 0
    with tempfile.TemporaryDirectory(prefix="declog-fidelity-") as tmp:
        for bundle in bundles:
            adr_dir = CORPORA.get(bundle.stem)
            if adr_dir is None:
                print(f"{bundle.stem}: ADR folder unknown (add it to CORPORA in {__file__}); skipped")
                continue
            print_report(bundle.stem, run_corpus(bundle, adr_dir, Path(tmp)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
