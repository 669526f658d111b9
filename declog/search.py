"""Ranking decisions for a question in plain words (``declog why``).

Fields are weighted (the title counts most, then tags, the decision, the rationale, options,
context and consequences); words are case-folded and stemmed; a match of the whole phrase, and
a match of every word, count more than scattered words. With SQLite FTS5 (most Python builds)
the ranking is BM25 over an index under ``.git/declog/search.sqlite`` keyed by blob OIDs: only
records whose content is new are indexed on each call, and only the OIDs of the records the
caller passes (the working tree, or a commit's tree) can be returned, so the index is never
stale and is safe to delete. Without FTS5 the same weights drive a pure-Python BM25.
"""

from __future__ import annotations

import math
import re
import sqlite3
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from declog.store import Record

FIELDS: tuple[tuple[str, float], ...] = (
    ("title", 8.0), ("tags", 5.0), ("decision", 4.0), ("rationale", 3.0), ("options", 2.0),
    ("context", 1.5), ("consequences", 1.0),
)
STOPWORDS = frozenset(
    "a an and are as at be been but by did do does for from had has have how i in is it its of on or our "
    "should so that the their them then there these they this to us was we were what when where which who "
    "whom why will with would you your".split()
)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
FORMAT = "1"


@dataclass
class Hit:
    record: Record
    score: float
    matched: list[str] = field(default_factory=list)  # fields that matched a query word
    phrase: bool = False  # the whole phrase matched somewhere


def words(text: str) -> list[str]:
    return [w.replace("’", "'").split("'")[0] for w in _WORD.findall(text.casefold())]


def query_terms(query: str) -> list[str]:
    terms = [w for w in words(query) if w not in STOPWORDS]
    return terms or words(query)


def field_text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if isinstance(value, list):
        parts = []
        for item in value:
            if isinstance(item, dict):
                for key in ("title", "pros", "cons", "why_not"):
                    v = item.get(key)
                    parts.append(" ".join(map(str, v)) if isinstance(v, list) else str(v or ""))
            else:
                parts.append(str(item))
        return "\n".join(p for p in parts if p)
    return str(value)


# -- stemming (fallback path; FTS5 uses its own Porter stemmer) ---------------------------------

_SUFFIXES = ("ational", "ization", "fulness", "iveness", "ations", "ation", "ments", "ment", "ness", "ings",
             "ing", "ies", "ied", "ers", "er", "ed", "es", "ly", "s")


def stem(word: str) -> str:
    """A light suffix stripper: enough that queue/queues, style/styled/styling, policy/policies meet."""
    out = word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            if suffix in ("ies", "ied"):
                base += "y"
            elif suffix == "es" and not base.endswith(("s", "x", "z", "ch", "sh")):
                base = word[:-1]
            elif suffix in ("ing", "ed", "er", "ers", "ings") and len(base) > 3 and base[-1] == base[-2]:
                base = base[:-1]
            out = base
            break
    if len(out) > 4 and out.endswith("e"):
        out = out[:-1]
    return out


# -- the FTS5 index -------------------------------------------------------------------------------

def fts5_available() -> bool:
    try:
        conn = sqlite3.connect(":memory:")
        try:
            conn.execute("create virtual table t using fts5(a)")
        finally:
            conn.close()
        return True
    except sqlite3.Error:
        return False


class SearchIndex:
    """FTS5 documents keyed by blob OID."""

    def __init__(self, path: Path | None) -> None:
        self.conn = self._open(path)

    @staticmethod
    def _schema(conn: sqlite3.Connection) -> None:
        cols = ", ".join(name for name, _ in FIELDS)
        conn.executescript(
            "create table if not exists meta (key text primary key, value text);"
            "create table if not exists known (oid text primary key, docid integer unique);"
            f"create virtual table if not exists docs using fts5({cols}, "
            "tokenize = 'porter unicode61 remove_diacritics 2');"
        )
        row = conn.execute("select value from meta where key = 'format'").fetchone()
        if row is None:
            conn.execute("insert or replace into meta values ('format', ?)", (FORMAT,))
            conn.commit()
        elif row[0] != FORMAT:
            raise sqlite3.DatabaseError("old format")

    def _open(self, path: Path | None) -> sqlite3.Connection:
        if path is not None:
            for attempt in range(2):
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    conn = sqlite3.connect(path, timeout=10)
                    self._schema(conn)
                    return conn
                except sqlite3.OperationalError:
                    break  # locked or read-only: work in memory
                except (sqlite3.DatabaseError, OSError):
                    if attempt == 0:
                        try:
                            path.unlink()  # damaged or an older format: it is only a cache
                        except OSError:
                            break
        conn = sqlite3.connect(":memory:")
        self._schema(conn)
        return conn

    def sync(self, records: Sequence[Record], full: Callable[[list[Record]], list[Record]] | None = None) -> None:
        """Index the records whose content (blob OID) is not indexed yet (``full`` turns light
        records into whole ones, for the few that need indexing)."""
        current = {r.oid: r for r in records if r.oid and r.error is None}
        row = self.conn.execute("select group_concat(oid, ' ') from known").fetchone()
        known = set(row[0].split()) if row and row[0] else set()
        new = [r for oid, r in current.items() if oid not in known]
        if full is not None and any(r.data is None for r in new):
            new = [r for r in full(new) if r.data is not None]
        stale = len(known) - (len(current) - len(new))
        try:
            with self.conn:
                if new:
                    # Take the write lock first, then look again: another process building the
                    # index at the same time may have indexed some of these since we read.
                    self.conn.execute("begin immediate")
                    taken = {row[0] for row in self.conn.execute(
                        f"select oid from known where oid in ({', '.join('?' * len(new))})",
                        [r.oid for r in new])} if len(new) < 30_000 else {
                        row[0] for row in self.conn.execute("select oid from known")}
                    new = [r for r in new if r.oid not in taken]
                    row = self.conn.execute("select coalesce(max(docid), 0) from known").fetchone()
                    base = int(row[0])
                    self.conn.executemany(
                        f"insert into docs (rowid, {', '.join(n for n, _ in FIELDS)}) values (?{', ?' * len(FIELDS)})",
                        [(base + i + 1, *(field_text(r.data or {}, n) for n, _ in FIELDS)) for i, r in enumerate(new)],
                    )
                    self.conn.executemany("insert into known values (?, ?)",
                                          [(r.oid, base + i + 1) for i, r in enumerate(new)])
                if stale > max(200, len(current)):  # forget old versions now and then
                    gone = [(oid,) for oid in known if oid not in current]
                    self.conn.executemany(
                        "delete from docs where rowid = (select docid from known where oid = ?)", gone)
                    self.conn.executemany("delete from known where oid = ?", gone)
        except (sqlite3.OperationalError, sqlite3.IntegrityError):
            pass  # another process holds the write lock or got there first; what is indexed is still correct

    def scores(self, match: str) -> dict[str, float]:
        weights = ", ".join(str(w) for _, w in FIELDS)
        try:
            rows = self.conn.execute(
                f"select k.oid, bm25(docs, {weights}) from docs join known k on k.docid = docs.rowid "
                "where docs match ?", (match,)).fetchall()
        except sqlite3.OperationalError:
            return {}
        return {oid: -score for oid, score in rows}

    def close(self) -> None:
        self.conn.close()


def _fts_quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _matched_fields(data: dict[str, Any], stems: set[str]) -> list[str]:
    out = []
    for name, _ in FIELDS:
        if stems & {stem(w) for w in words(field_text(data, name))}:
            out.append(name)
    return out


def _has_phrase(data: dict[str, Any], terms: Sequence[str]) -> bool:
    if len(terms) < 2:
        return False
    wanted = [stem(t) for t in terms]
    for name, _ in FIELDS:
        seq = [stem(w) for w in words(field_text(data, name)) if w not in STOPWORDS]
        for i in range(len(seq) - len(wanted) + 1):
            if seq[i:i + len(wanted)] == wanted:
                return True
    return False


def matched_fields(data: dict[str, Any], query: str) -> list[str]:
    """The weighted fields of ``data`` that contain a word of ``query``."""
    return _matched_fields(data, {stem(t) for t in query_terms(query)})


def rank(records: Sequence[Record], query: str, *, index_path: Path | None = None,
         use_fts: bool | None = None, full: Callable[[list[Record]], list[Record]] | None = None) -> list[Hit]:
    """Decisions among ``records`` ranked for ``query``, best first. Records may be light (see
    :meth:`declog.store.Log.light_records`): ``full`` loads whole ones where text is needed; the
    hits keep the records as given."""
    from declog.kinds import KINDS

    decisions = [r for r in records if r.kind is KINDS["decision"] and r.error is None and r.id]
    terms = query_terms(query)
    if not terms or not decisions:
        return []
    if use_fts is None:
        use_fts = fts5_available()
    if use_fts:
        index = SearchIndex(index_path)
        try:
            index.sync(decisions, full)
            by_oid = {r.oid: r for r in decisions}
            any_terms = " OR ".join(_fts_quote(t) for t in terms)
            base = index.scores(any_terms)
            every = index.scores(" AND ".join(_fts_quote(t) for t in terms)) if len(terms) > 1 else {}
            phrase = index.scores(_fts_quote(" ".join(terms))) if len(terms) > 1 else {}
        finally:
            index.close()
        raw = {oid: s + 0.5 * every.get(oid, 0.0) + 1.0 * phrase.get(oid, 0.0)
               for oid, s in base.items() if oid in by_oid}
        hits = [Hit(by_oid[oid], score, phrase=oid in phrase) for oid, score in raw.items()]
    else:
        if full is not None and any(r.data is None for r in decisions):
            decisions = [r for r in full(list(decisions)) if r.data is not None]
        hits = _rank_python(decisions, terms)
    hits.sort(key=lambda h: (-h.score, h.record.id or ""))
    return hits


def _rank_python(decisions: Sequence[Record], terms: Sequence[str]) -> list[Hit]:
    """BM25F-like ranking without SQLite FTS5 (same field weights)."""
    q = [stem(t) for t in terms]
    qset = set(q)
    docs: list[tuple[Record, dict[str, Counter[str]], dict[str, int]]] = []
    df: Counter[str] = Counter()
    lengths: dict[str, int] = dict.fromkeys((n for n, _ in FIELDS), 0)
    for r in decisions:
        per: dict[str, Counter[str]] = {}
        lens: dict[str, int] = {}
        seen: set[str] = set()
        for name, _ in FIELDS:
            toks = [stem(w) for w in words(field_text(r.data or {}, name))]
            per[name] = Counter(t for t in toks if t in qset)
            lens[name] = len(toks)
            lengths[name] += len(toks)
            seen.update(per[name])
        df.update(seen)
        docs.append((r, per, lens))
    n = len(docs)
    avg = {name: (lengths[name] / n) or 1.0 for name, _ in FIELDS}
    k1, b = 1.2, 0.75
    hits = []
    for r, per, lens in docs:
        score = 0.0
        matched_terms = 0
        for term in dict.fromkeys(q):
            if not df[term]:
                continue
            idf = math.log(1 + (n - df[term] + 0.5) / (df[term] + 0.5))
            tf = sum(w * per[name][term] / (1 - b + b * lens[name] / avg[name]) for name, w in FIELDS)
            if tf:
                matched_terms += 1
                score += idf * tf * (k1 + 1) / (tf + k1)
        if score <= 0:
            continue
        phrase = _has_phrase(r.data or {}, terms)
        if matched_terms == len(set(q)) and len(q) > 1:
            score *= 1.5
        if phrase:
            score *= 2.0
        hits.append(Hit(r, score, phrase=phrase))
    return hits


# -- narratives (PR/FAQs) ---------------------------------------------------------------------------

def _as_decision_fields(data: dict[str, Any]) -> dict[str, Any]:
    """A narrative's text in the weighted fields of a decision: the headline counts most, then
    tags, the sub-heading and solution, the problem and customer, the FAQ, the press release."""
    def join(*names: str) -> str:
        parts: list[str] = []
        for name in names:
            value = data.get(name)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, dict):
                        parts += [str(v) for k, v in item.items() if k not in ("audience", "mechanism") and v]
                    elif item:
                        parts.append(str(item))
            elif value:
                parts.append(str(value))
        return "\n".join(parts)

    return {"title": data.get("title"), "tags": data.get("tags"), "decision": join("subtitle", "solution"),
            "rationale": join("problem", "customer"), "options": join("faq"),
            "context": join("press_release", "quote", "getting_started", "sections"),
            "consequences": join("success_metrics")}


def rank_narratives(records: Sequence[Record], query: str) -> list[Hit]:
    """Narratives among ``records`` (whole ones) ranked for ``query``, best first, with the same
    weights as decisions (there are few narratives: no index)."""
    from declog.kinds import KINDS

    stories = [r for r in records if r.kind is KINDS["narrative"] and r.error is None and r.id and r.data]
    terms = query_terms(query)
    if not terms or not stories:
        return []
    shaped = {id(s): Record(s.path, s.kind, s.oid, data=_as_decision_fields(s.data or {})) for s in stories}
    back = {id(shaped[id(s)]): s for s in stories}
    hits = [Hit(back[id(h.record)], h.score, phrase=h.phrase) for h in _rank_python(list(shaped.values()), terms)]
    hits.sort(key=lambda h: (-h.score, h.record.id or ""))
    return hits
