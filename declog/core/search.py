"""Ranking decisions for a question in plain words (``declog why``).

Fields are weighted (the title counts most, then tags, the decision, the rationale and the
context, options, consequences, and least the ``sections`` an ADR import keeps); words are
case-folded and stemmed, stop words (function words, question words, words of deciding and of
time) never drive the ranking, a query word of four letters or more also matches the longer
words it begins at half weight ("mongo" finds "MongoDB"), British and American spellings meet
("licence", "license"), and so do common software synonyms and abbreviations, at half weight
(:data:`SYNONYMS`: "db" and "database", "log in" and "authentication") and two adjacent words
and the compound they make ("set up", "setup"). A match of the whole phrase counts more than
scattered words. With SQLite FTS5 (most Python builds) the ranking is BM25 over an index
under ``.git/declog/search.sqlite`` keyed by blob OIDs: only records whose content is new are
indexed on each call, and only the OIDs of the records the caller passes (the working tree, or a
commit's tree) can be returned, so the index is never stale and is safe to delete. Without FTS5
the same weights drive a pure-Python BM25F (where a match of every word also counts more).
FTS5's bm25() saturates the summed frequency of all columns and normalises by the whole record,
so on that path :func:`titled_first` scales each score by the share of the question's terms the
title holds. Which of two decisions linked by a supersede comes
first is :func:`current_first`'s business; :func:`points_at_past` tells it when the question
asks about the past.
"""

from __future__ import annotations

import functools
import math
import re
import sqlite3
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from declog.storage import cachedb
from declog.storage.store import Record

if TYPE_CHECKING:
    from declog.storage.stateview import StateView

FIELDS: tuple[tuple[str, float], ...] = (
    ("title", 8.0), ("tags", 5.0), ("decision", 4.0), ("rationale", 3.0), ("options", 1.5),
    ("context", 3.0), ("consequences", 1.0), ("sections", 0.5),
)
# Words that say nothing about what a decision is about: English function words, the words of a
# question ("why did we ..."), of deciding ("chose", "use") and of time ("first", "now"). They never
# drive the ranking; a question made only of them is searched as it is.
STOPWORDS = frozenset("""
a about above after again against all also am an and any are aren't as at be because been being
below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down
during each either else ever every few for from further get gets getting got had hadn't has hasn't
have haven't having he her here hers herself him himself his how i if in into is isn't it it's its
itself just let lets like me more most much must my myself neither no nor not now of off on once only
or other others ought our ours ourselves out over own per quite rather really same shall she should
shouldn't so some still such than that that's the their theirs them themselves then there there's
these they this those though through thus to too under until up upon us very via was wasn't we
we're were weren't what what's whatever when where whether which while who whom whose why will with
within without won't would wouldn't yet you your yours yourself yourselves
anyone anything everyone everything someone something thing things way ways lot lots kind sort
decide decided decides deciding decision decisions choose chose chosen choosing choice pick picked
picking go going goes gone went use used uses using usage make makes made making want wanted need
needed needs tell know remember reason reasons happen happened
currently today nowadays days first firstly originally initially previously formerly earlier before
prior ago back
""".split())
# "didn't" is read as "didn" (a word ends at an apostrophe): the clipped contractions are stop words too.
STOPWORDS = STOPWORDS | {w.split("'")[0] for w in STOPWORDS if "'" in w}
# Words of a question that point at the past: then a superseded decision comes before its successor.
PAST_WORDS = frozenset("first originally original initially previously formerly earlier before prior".split())
PAST_PHRASES = (("used", "to"), ("at", "first"), ("back", "then"), ("in", "the", "beginning"))
PREFIX_MIN = 4  # query words at least this long also match longer words they begin ("mongo" → "mongodb")
PREFIX_WEIGHT = 0.5
# British and American spellings meet (licence/license, organise/organize, colour/color).
_SPELLINGS = (("ence", "ense"), ("ise", "ize"), ("isation", "ization"), ("ised", "ized"), ("ising", "izing"),
              ("our", "or"), ("yse", "yze"), ("tre", "ter"), ("ogue", "og"))
# Words and phrases that software teams use for one thing, a group a line: a question with one
# of them also matches the others, at SYNONYM_WEIGHT ("db" finds "database", "log in" finds
# "authentication", "stop using" finds "deprecate"). General vocabulary only, never a log's names.
SYNONYMS = tuple(line.split(", ") for line in """
database, db
authentication, authn, auth, login, log in, sign in, signin, logon, log on
authorization, authorisation, authz, auth, permissions, access control
kubernetes, k8s
javascript, js
typescript, ts
user interface, ui, gui
user experience, ux
continuous integration, ci
continuous delivery, continuous deployment, cd
repository, repo
configuration, config, settings
environment, env
dependency, dependencies, deps
documentation, docs
identifier, id
pull request, pr, merge request, mr
performance, perf
infrastructure, infra
infrastructure as code, iac
machine learning, ml
artificial intelligence, ai
large language model, llm
operating system, os
virtual machine, vm
email, mail
command line, cli, commandline
folder, directory, dir
hyphen, dash
disk, file system, filesystem
error, exception
chat, conversation
monitoring, observability, telemetry
message queue, mq
deploy, deployment, rollout, roll out
secret, credential
password, passphrase
container, docker
spreadsheet, excel, xlsx
translation, localization, localisation, internationalization, internationalisation, i18n, l10n
frontend, front end
backend, back end
optical character recognition, ocr
dependency injection, di
single page application, spa
object relational mapping, orm
end to end, e2e
content delivery network, cdn
tls, ssl
postgresql, postgres, pg
mongodb, mongo
amazon web services, aws
google cloud, gcp
multi factor, two factor, mfa, 2fa
deprecate, stop using, phase out, retire, get rid of, remove
replace, move off, move away, switch from, migrate
disable, deactivate, switch off, turn off
enable, activate, switch on, turn on
sign up, signup, register, registration
inactive, dormant, unused, idle
vulnerability, cve
malware, virus, antivirus
rate limit, throttle, throttling
feature flag, feature toggle
async, asynchronous
regex, regexp, regular expression
""".strip().splitlines())
SYNONYM_WEIGHT = 0.5
PARTICLES = frozenset("in on off up out down over".split())  # "log in", "set up": compounds (login, setup)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
# 3: the decisions of the log's state the index was last synced at (current, meta.state);
# 4: current keyed by the document's rowid, so a query joins it without going through known
FORMAT = "4"
_SCHEMA = ("create table if not exists known (oid text primary key, docid integer unique);"
           "create table if not exists current (docid integer primary key, oid text unique, rid text, seq int);"
           f"create virtual table if not exists docs using fts5({', '.join(name for name, _ in FIELDS)}, "
           "tokenize = 'porter unicode61 remove_diacritics 2');")


@dataclass
class Hit:
    record: Record
    score: float
    matched: list[str] = field(default_factory=list)  # fields that matched a query word
    phrase: bool = False  # the whole phrase matched somewhere


def words(text: str) -> list[str]:
    return [w.replace("’", "'").split("'")[0] for w in _WORD.findall(text.casefold())]


def query_terms(query: str) -> list[str]:
    """The words of ``query`` that say what it is about (stop words out, each word once)."""
    terms = list(dict.fromkeys(w for w in words(query) if w not in STOPWORDS))
    return terms or list(dict.fromkeys(words(query)))


def _stems(phrase: str) -> tuple[str, ...]:
    return tuple(stem(w) for w in words(phrase))


_SYNONYM_INDEX: dict[tuple[str, ...], list[str]] = {}


def _synonym_index() -> dict[tuple[str, ...], list[str]]:
    """Stems of each word or phrase of SYNONYMS → the other words and phrases of its groups."""
    if not _SYNONYM_INDEX:
        for group in SYNONYMS:
            for member in group:
                others = _SYNONYM_INDEX.setdefault(_stems(member), [])
                others += [m for m in group if m != member and m not in others]
    return _SYNONYM_INDEX


def alternatives(query: str) -> tuple[dict[str, list[str]], list[str]]:
    """Other words for what ``query`` says: per query term (see :func:`query_terms`), its synonyms;
    and apart, the synonyms of phrases of the question ("log in", "stop using") and the
    compounds of adjacent words ("file names" → "filenames", "front-end" → "frontend")."""
    index = _synonym_index()
    terms = query_terms(query)
    # a word never expands to a two-letter abbreviation ("identifier" would find every "id"); a
    # phrase does ("user interface" → "ui"), and the abbreviation expands ("db" → "database")
    per = {t: [a for a in index.get((stem(t),), []) if a != t and len(a) > 2] for t in terms}
    raw = words(query)
    stems = [stem(w) for w in raw]
    extra: list[str] = []
    longest = max(len(k) for k in index)
    for n in range(2, longest + 1):
        for i in range(len(raw) - n + 1):
            extra += index.get(tuple(stems[i:i + n]), [])
    for a, b in zip(raw, raw[1:], strict=False):
        if a not in STOPWORDS and (b not in STOPWORDS or b in PARTICLES) and len(a + b) >= 5:
            extra.append(a + b)
    have = set(terms) | {a for alts in per.values() for a in alts}
    return per, [e for e in dict.fromkeys(extra) if e not in have]


def points_at_past(query: str) -> bool:
    """Whether a question asks about what was decided earlier ("what did we first use")."""
    ws = words(query)
    if PAST_WORDS.intersection(ws):
        return True
    return any(tuple(ws[i:i + len(p)]) == p for p in PAST_PHRASES for i in range(len(ws)))


def spellings(term: str) -> list[str]:
    """``term`` and its other English spellings (licence → license)."""
    out = [term]
    for a, b in _SPELLINGS:
        for x, y in ((a, b), (b, a)):
            if term.endswith(x) and len(term) - len(x) >= 3:
                out.append(term[: -len(x)] + y)
    return list(dict.fromkeys(out))


def field_text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if isinstance(value, list):
        parts = []
        for item in value:
            if isinstance(item, dict):
                for key in ("title", "heading", "text", "pros", "cons", "why_not"):
                    v = item.get(key)
                    parts.append(" ".join(map(str, v)) if isinstance(v, list) else str(v or ""))
            else:
                parts.append(str(item))
        return "\n".join(p for p in parts if p)
    if isinstance(value, dict):  # a hand-written mapping where a list was meant: its values only
        return "\n".join(str(v) for v in value.values() if isinstance(v, (str, int, float)))
    return str(value)


# -- stemming (fallback path; FTS5 uses its own Porter stemmer) ---------------------------------

_SUFFIXES = ("ational", "ization", "fulness", "iveness", "ations", "ation", "ments", "ment", "ness", "ings",
             "ing", "ies", "ied", "ers", "er", "ed", "es", "ly", "s")


@functools.lru_cache(maxsize=1 << 16)
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
        self.in_memory = False
        self.conn = self._open(path)

    @staticmethod
    def _identity() -> str:
        return cachedb.identity("search", FORMAT)

    def _open(self, path: Path | None) -> sqlite3.Connection:
        """The index file when it is current, else a fresh one (declog.storage.cachedb: another format or
        version, a damaged file or a symlink is replaced, never written through); in memory when
        the file cannot be written."""
        ident = self._identity()
        conn = cachedb.open_current(path, ident)
        if conn is not None:
            return conn
        if path is not None:
            try:
                return cachedb.rebuild(path, _SCHEMA, ident)
            except (sqlite3.Error, OSError):
                pass  # read-only or locked: work in memory
        self.in_memory = True
        return cachedb.memory(_SCHEMA, ident)

    def synced_state(self) -> str | None:
        """The log's state (``declog.storage.store.Log.state``) whose decisions the ``current``
        table holds: the one the last :meth:`sync` with a state was given."""
        return _synced_state(self.conn)

    def current_oids(self) -> list[str]:
        return [row[0] for row in self.conn.execute("select oid from current")]

    def sync(self, records: Sequence[Record], full: Callable[[list[Record]], list[Record]] | None = None,
             state: str | None = None, seqs: dict[str, int] | None = None) -> None:
        """Index the records whose content (blob OID) is not indexed yet (``full`` turns light
        records into whole ones, for the few that need indexing). With ``state`` (the log's,
        trusted, whose decisions ``records`` are) and ``seqs`` (OID → the position of its record
        in the log's order), also keep which OIDs they are and where, so that a later run in the
        same state ranks without the records (:func:`rank_in_view`). When the file does not
        take them (another process kept its write lock past the timeout, a full disk, a damaged
        file), this run ranks in memory: never over an index that lacks some decisions."""
        try:
            self._sync(records, full, state, seqs)
        except sqlite3.DatabaseError:
            if self.in_memory:
                raise
            self.conn.close()
            self.conn, self.in_memory = cachedb.memory(_SCHEMA, self._identity()), True
            self._sync(records, full, state, seqs)

    def _sync(self, records: Sequence[Record], full: Callable[[list[Record]], list[Record]] | None,
              state: str | None, seqs: dict[str, int] | None) -> None:
        current = {r.oid: r for r in records if r.oid and r.error is None}
        row = self.conn.execute("select group_concat(oid, ' ') from known").fetchone()
        known = set(row[0].split()) if row and row[0] else set()
        new = [r for oid, r in current.items() if oid not in known]
        if full is not None and any(r.data is None for r in new):
            new = [r for r in full(new) if r.data is not None]
        stale = len(known) - (len(current) - len(new))
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
            if state is not None and seqs is not None and self.synced_state() != state:
                self.conn.execute("delete from current")
                self.conn.executemany("insert or replace into current select docid, oid, ?, ? from known "
                                      "where oid = ?", [(r.id, seqs.get(oid), oid) for oid, r in current.items()])
                self.conn.execute("insert or replace into meta values ('state', ?)", (state,))

    def scores(self, match: str) -> dict[str, float]:
        """OID → BM25 score of the documents that ``match``."""
        weights = ", ".join(str(w) for _, w in FIELDS)
        try:
            rows = self.conn.execute(
                f"select k.oid, bm25(docs, {weights}) from docs join known k on k.docid = docs.rowid "
                "where docs match ?", (match,)).fetchall()
        except sqlite3.OperationalError:
            return {}
        return {row[0]: -row[1] for row in rows}

    def titles(self, oids: Sequence[str]) -> dict[str, str]:
        """The indexed titles of ``oids`` (OID → title), in one query."""
        if not oids:
            return {}
        try:
            return {oid: title or "" for oid, title in self.conn.execute(
                "select k.oid, d.title from known k join docs d on d.rowid = k.docid "
                f"where k.oid in ({', '.join('?' * len(oids))})", list(oids))}
        except sqlite3.OperationalError:
            return {}

    def fields(self, oids: Sequence[str]) -> dict[str, dict[str, str]]:
        """The indexed text of ``oids``, field by field (OID → {field: text})."""
        names = [n for n, _ in FIELDS]
        out: dict[str, dict[str, str]] = {}
        try:
            for i in range(0, len(oids), 5000):
                part = list(oids[i:i + 5000])
                for oid, *values in self.conn.execute(
                        f"select k.oid, {', '.join('d.' + n for n in names)} from known k join docs d "
                        f"on d.rowid = k.docid where k.oid in ({', '.join('?' * len(part))})", part):
                    out[oid] = {n: v or "" for n, v in zip(names, values, strict=True)}
        except sqlite3.OperationalError:
            pass
        return out

    def close(self) -> None:
        self.conn.close()


def _synced_state(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("select value from meta where key = 'state'").fetchone()
    return str(row[0]) if row else None


def _fts_quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _fts_any(terms: Sequence[str]) -> str:
    return _fts_quote(terms[0]) if len(terms) == 1 else "(" + " OR ".join(map(_fts_quote, terms)) + ")"


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
    return any(_holds([stem(w) for w in words(field_text(data, name)) if w not in STOPWORDS], wanted)
               for name, _ in FIELDS)


def matched_fields(data: dict[str, Any], query: str) -> list[str]:
    """The weighted fields of ``data`` that contain a word of ``query`` (or a one-word synonym)."""
    per, extra = alternatives(query)
    others = [a for a in [*(a for alts in per.values() for a in alts), *extra] if " " not in a]
    return _matched_fields(data, {stem(t) for t in [*query_terms(query), *others]})


def rank(records: Sequence[Record], query: str, *, index_path: Path | None = None,
         use_fts: bool | None = None, full: Callable[[list[Record]], list[Record]] | None = None,
         state: str | None = None) -> list[Hit]:
    """Decisions among ``records`` ranked for ``query``, best first. Records may be light (see
    :meth:`declog.storage.store.Log.light_records`): ``full`` loads whole ones where text is needed; the
    hits keep the records as given. ``state``: the log's trusted state whose records these are
    (``declog.storage.store.Log.trusted_state``), kept with the index (:meth:`SearchIndex.sync`)."""
    from declog.domain.kinds import KINDS

    decisions = [r for r in records if r.kind is KINDS["decision"] and r.error is None and r.id]
    terms = query_terms(query)
    if not terms or not decisions:
        return []
    if use_fts is None:
        use_fts = fts5_available()
    if use_fts:
        index = SearchIndex(index_path)
        try:
            wanted = {id(r) for r in decisions}  # where each one is in the log's order (the last of an OID)
            seqs = {r.oid: i for i, r in enumerate(records) if id(r) in wanted} if state is not None else None
            index.sync(decisions, full, state, seqs)
            by_oid = {r.oid: r for r in decisions}
            raw, phrase = _lexical(index, query, terms)
            hits = [Hit(by_oid[oid], score, phrase=oid in phrase) for oid, score in raw.items() if oid in by_oid]
            hits.sort(key=lambda h: (-h.score, h.record.id or ""))
            head = hits[:ORDERED]
            hits = titled_first(head, query, index.titles([str(h.record.oid) for h in head])) + hits[ORDERED:]
            return _ordered(hits, query, index_path, lambda: [str(r.oid) for r in decisions if r.oid], index.fields)
        finally:
            index.close()
    if full is not None and any(r.data is None for r in decisions):
        decisions = [r for r in full(list(decisions)) if r.data is not None]
    by_oid = {r.oid: r for r in decisions}

    def texts(oids: Sequence[str]) -> dict[str, dict[str, str]]:
        return {o: {n: field_text(by_oid[o].data or {}, n) for n, _ in FIELDS} for o in oids if o in by_oid}

    return _ordered(_rank_python(decisions, terms, query), query, index_path,
                    lambda: [str(r.oid) for r in decisions if r.oid], texts)


class EarlyLexical:
    """:func:`_best_current` for a question, over the decisions the search index was last synced
    at, worked out on a thread of its own while the command loads its code and git's index
    looks at the files (``declog.history.worktree``). SQLite leaves Python's lock while its one
    step runs, so both go on at once; :func:`rank_in_view` takes the result when the log's state
    is the index's, and queries again otherwise."""

    def __init__(self, index_path: Path | None, query: str) -> None:
        import threading

        self.query = query
        self._found: list[tuple[str | None, list[Best]]] = []
        self._thread = threading.Thread(target=self._run, args=(index_path, query), daemon=True)
        self._thread.start()

    def _run(self, index_path: Path | None, query: str) -> None:
        terms = query_terms(query)
        if not terms or not fts5_available():
            return
        try:  # read only: an index that is not there, or not current, is left to rank_in_view
            conn = cachedb.open_current(index_path, SearchIndex._identity(), read_only=True)
            if conn is None:
                return
            try:
                conn.execute("begin")  # one read: the state and the decisions it names
                self._found.append((_synced_state(conn), _best_current(conn, query, terms)))
            finally:
                conn.close()
        except sqlite3.Error:
            pass  # rank_in_view queries again, and says what is wrong

    def wait(self) -> None:
        """Until the thread is done (and its read of the index with it)."""
        self._thread.join()

    def result(self, state: str) -> list[Best] | None:
        """The best hits, when the index was synced at ``state``; else None."""
        self.wait()
        return self._found[0][1] if self._found and self._found[0][0] == state else None


def rank_in_view(view: StateView, query: str, index_path: Path | None,
                 early: EarlyLexical | None = None) -> list[Hit] | None:
    """:func:`rank` for a log whose light records are read in place (``view``, see
    ``declog.storage.stateview``) when the search index was last synced at the same state: the
    FTS5 queries join the decisions of that state, and only the records of the best ORDERED
    hits are read (every answer is among them). Those hits, in :func:`rank`'s order; None when
    the index was synced at another state, or without FTS5: then it is :func:`rank`, which
    syncs the index. ``early``: the same hits, worked out meanwhile (:class:`EarlyLexical`)."""
    from declog.storage.stateview import StaleView

    terms = query_terms(query)
    if not terms:
        return []
    if not fts5_available():
        return None
    index = SearchIndex(index_path)
    try:
        index.conn.execute("begin")  # one read: the state and the decisions it names
        if index.synced_state() != view.state:
            return None
        best = early.result(view.state) if early is not None and early.query == query else None
        if best is None:  # (with the same state, the same decisions: what the thread found holds)
            best = _best_current(index.conn, query, terms)
        records = view.at({oid: seq for oid, _, _, seq, _, _ in best})
        if len(records) < len(best):  # the index and the snapshot disagree: rank the slow way
            return None
        hits = titled_first([Hit(records[oid], score, phrase=phrase) for oid, score, _, _, phrase, _ in best], query,
                            {oid: title for oid, _, _, _, _, title in best})
        return _ordered(hits, query, index_path, index.current_oids, index.fields)
    except (StaleView, sqlite3.Error):
        return None
    finally:
        index.close()


def _queries(query: str, terms: Sequence[str]) -> list[tuple[str, float, bool]]:
    """The FTS5 queries of a question, each with its weight and whether a match makes a hit (a
    phrase match only adds to a hit's score): every term in its spellings, the longer terms
    as prefixes, the synonyms, the whole phrase."""
    per, extra = alternatives(query)
    out = [(" OR ".join(_fts_any(spellings(t)) for t in terms), 1.0, True)]
    prefixed = [_fts_quote(t) + " *" for t in terms if len(t) >= PREFIX_MIN]
    if prefixed:
        out.append((" OR ".join(prefixed), PREFIX_WEIGHT, True))
    others = list(dict.fromkeys([a for t in terms for a in per[t]] + extra))
    if others:
        out.append((" OR ".join(map(_fts_quote, others)), SYNONYM_WEIGHT, True))
    if len(terms) > 1:
        out.append((_fts_quote(" ".join(terms)), 1.0, False))
    return out


def _lexical(index: SearchIndex, query: str, terms: Sequence[str]) -> tuple[dict[str, float], set[str]]:
    """OID → lexical score of every indexed document that matches, and the OIDs that hold the
    whole phrase: the weighted sum of the BM25 scores of :func:`_queries`, added up in their
    order from 0.0 (:func:`_best_current` adds up the same way, in SQL). FTS5's bm25() sums the
    weighted frequencies of all columns and normalises by the whole record's length; the
    pure-Python BM25F normalises each field apart, so only this path needs :func:`titled_first`
    to put the title back in front."""
    parts = [(index.scores(match), weight, hit) for match, weight, hit in _queries(query, terms)]
    found = {oid for scores, _, hit in parts if hit for oid in scores}
    raw = {}
    for oid in found:
        total = 0.0
        for scores, weight, _ in parts:
            total = total + weight * scores.get(oid, 0.0)
        raw[oid] = total
    phrase = set(parts[-1][0]) if not parts[-1][2] else set()
    return raw, phrase


# a Best: OID, lexical score, record ID, position in the log's order, whether it holds the
# phrase, the indexed title
Best = tuple[str, float, str, int, bool, str]


def _best_current(conn: sqlite3.Connection, query: str, terms: Sequence[str]) -> list[Best]:
    """:func:`_lexical` over the decisions of the synced state only (the ``current`` table), in
    :func:`rank`'s order (score, then ID), the best ORDERED of them, with their titles. One
    statement that returns one row: SQLite does all the work in one step, without Python's
    lock, so it runs beside the thread that waits for it (:class:`EarlyLexical`)."""
    weights = ", ".join(str(w) for _, w in FIELDS)
    queries = _queries(query, terms)
    hits = " union all ".join(f"select rowid as docid, {i} as q, bm25(docs, {weights}) as s from docs "
                              f"where docs match :m{i}" for i in range(len(queries)))
    score = " + ".join(["0.0", *(f":w{i} * (-total(case when q = {i} then s end))" for i in range(len(queries)))])
    counted = ", ".join(str(i) for i, (_, _, hit) in enumerate(queries) if hit)
    phrase = ", ".join(str(i) for i, (_, _, hit) in enumerate(queries) if not hit) or "-1"
    # grouped before the join: each document is looked up in current once
    sql = (f"with g as (select docid, {score} as score, max(q in ({phrase})) as phrase from ({hits}) "
           f"group by docid having max(q in ({counted}))), "
           "best as (select c.oid as oid, g.score as score, c.rid as rid, c.seq as seq, g.phrase as phrase, "
           "g.docid as docid from g join current c on c.docid = g.docid "
           f"order by g.score desc, coalesce(c.rid, '') limit {ORDERED}) "
           "select json_group_array(json_array(oid, printf('%!.17g', score), rid, seq, phrase, "
           "(select title from docs where rowid = best.docid))) from best")
    args = {f"m{i}": m for i, (m, _, _) in enumerate(queries)} | {f"w{i}": w for i, (_, w, _) in enumerate(queries)}
    row = conn.execute(sql, args).fetchone()
    import json

    return [(oid, float(sc), rid, seq, bool(ph), title or "")
            for oid, sc, rid, seq, ph, title in json.loads(row[0] if row and row[0] else "[]")]


def _ordered(hits: list[Hit], query: str, index_path: Path | None, all_oids: Callable[[], Sequence[str]],
             texts: Callable[[Sequence[str]], dict[str, dict[str, str]]]) -> list[Hit]:
    """The ranked hits in their final order: retired decisions later, current before superseded,
    then, with the semantic extra, the best ones re-ordered by fusion (declog.core.semantic)."""
    from declog.core import semantic

    hits.sort(key=lambda h: (-h.score, h.record.id or ""))
    past = points_at_past(query)
    head = hits[:ORDERED]  # no answer list is longer; the tail keeps its BM25 order
    out = current_first(retired_later(head, past), past) + hits[ORDERED:]
    if semantic.enabled():
        path = index_path.with_name("semantic.sqlite") if index_path is not None else None
        out = semantic.rerank(out, query, path, all_oids, texts)
        out = current_first(out[:ORDERED], past) + out[ORDERED:]
    return out


TITLE_WEIGHT = 1.0  # a title holding every word of the question doubles its record's score


class TitleMatcher:
    """Which terms of a question (see :func:`query_terms`) a title holds: stemmed, in another
    spelling, as the start of a longer word (four letters or more), or as a one-word synonym; a
    phrase of the question counts for its terms when the title holds one of the phrase's
    synonyms ("switching off" → "disable"). The question side is worked out once."""

    def __init__(self, query: str) -> None:
        per, _ = alternatives(query)
        self.terms = query_terms(query)
        self.alts = [(t, {stem(a) for a in [*spellings(t), *(a for a in per.get(t, []) if " " not in a)]},
                      t if len(t) >= PREFIX_MIN else None) for t in self.terms]
        self.phrases = [(held, [_stems(a) for a in alts]) for held, alts in _phrase_synonyms(query)]
        # a title holds nothing unless its text holds the start of one of these (a cheap test first)
        starts = {a[:3] for _, alts, _ in self.alts for a in alts}
        starts |= {a[0][:3] for _, phrases in self.phrases for a in phrases if a}
        self.starts = tuple(x for x in starts if x)

    def held(self, title: str) -> list[str]:
        folded = title.casefold()
        if not any(x in folded for x in self.starts):
            return []
        ws = words(title)
        stems = [stem(w) for w in ws]
        have = set(stems)
        out = [t for t, alts, prefix in self.alts
               if have & alts or (prefix is not None and any(w.startswith(prefix) for w in ws))]
        for held, alts in self.phrases:
            if set(held) - set(out) and any(_holds(stems, a) for a in alts):
                out += [t for t in held if t not in out]
        return out


def title_terms(title: str, query: str) -> list[str]:
    """The terms of ``query`` that ``title`` holds (see :class:`TitleMatcher`)."""
    return TitleMatcher(query).held(title)


def _holds(seq: Sequence[str], part: Sequence[str]) -> bool:
    k = len(part)
    return k > 0 and any(tuple(seq[i:i + k]) == tuple(part) for i in range(len(seq) - k + 1))


def _phrase_synonyms(query: str) -> list[tuple[list[str], list[str]]]:
    """The phrases of two words or more of ``query`` found in :data:`SYNONYMS`: the query terms
    each one holds, and its synonyms."""
    index = _synonym_index()
    terms = set(query_terms(query))
    raw = words(query)
    stems = [stem(w) for w in raw]
    out = []
    for n in range(2, max(len(k) for k in index) + 1):
        for i in range(len(raw) - n + 1):
            alts = index.get(tuple(stems[i:i + n]))
            if alts:
                out.append(([w for w in raw[i:i + n] if w in terms], alts))
    return out


def titled_first(hits: list[Hit], query: str, titles: dict[str, str] | None = None) -> list[Hit]:
    """Hits re-scored by how much of the question their title holds: the score times
    1 + TITLE_WEIGHT × (question terms in the title / question terms). BM25 saturates the
    weighted term frequency, so a title that names the subject barely outweighs a long text that
    mentions it often; this puts the title back in front. ``titles`` maps OIDs to titles (else
    each record's own is read). Best first."""
    if not hits:
        return hits
    matcher = TitleMatcher(query)
    n = len(matcher.terms)
    if not n:
        return hits
    for h in hits:
        title = titles.get(h.record.oid or "") if titles is not None else h.record.link("title")
        held = len(matcher.held(title)) if isinstance(title, str) else 0
        h.score *= 1 + TITLE_WEIGHT * held / n
    return sorted(hits, key=lambda h: (-h.score, h.record.id or ""))


RETIRED = ("superseded", "deprecated")
ORDERED = 200  # how many of the best hits the status and supersede ordering looks at
RETIRED_WEIGHT = 0.7


def _retired(record: Record) -> bool:
    raw = record.light_json
    if record.light is None and raw is not None and not any(s in raw for s in RETIRED):
        return False  # not superseded or deprecated, and no JSON decoded to know it
    return record.link("status") in RETIRED


def retired_later(hits: list[Hit], past: bool) -> list[Hit]:
    """Superseded and deprecated decisions rank as if their score were lower (higher when the
    question points at the past); the scores shown stay as they are."""
    retired = {id(h) for h in hits if _retired(h.record)}
    if not retired:
        return hits
    factor = 1 / RETIRED_WEIGHT if past else RETIRED_WEIGHT
    return sorted(hits, key=lambda h: -h.score * (factor if id(h) in retired else 1.0))


def current_first(hits: list[Hit], past: bool) -> list[Hit]:
    """When a decision and one that superseded it (directly or down the chain) both match, the
    current one comes just before the older one; when the question points at the past
    (``past``), the older one comes just before its successor instead. Other hits keep their
    order."""
    linked = []
    for h in hits:
        nxt, olds = h.record.link("superseded_by"), h.record.link("supersedes")
        if nxt or olds:
            linked.append((str(h.record.id), nxt, olds))
    if not linked:
        return hits
    ids = {str(h.record.id) for h in hits}
    newer: dict[str, set[str]] = {}  # record ID → IDs of the matching records that replaced it
    for rid, nxt, olds in linked:
        if isinstance(nxt, str) and nxt in ids and nxt != rid:
            newer.setdefault(rid, set()).add(nxt)
        for old in olds if isinstance(olds, list) else ():
            if isinstance(old, str) and old in ids and old != rid:
                newer.setdefault(old, set()).add(rid)
    if not newer:
        return hits

    def later(rid: str) -> set[str]:  # every matching successor down the chain
        seen: set[str] = set()
        todo = [rid]
        while todo:
            for n in newer.get(todo.pop(), ()):
                if n not in seen and n != rid:
                    seen.add(n)
                    todo.append(n)
        return seen

    order = list(hits)
    for _ in range(len(order)):  # bounded: each pass moves at least one hit or stops
        moved = False
        pos = {h.record.id: i for i, h in enumerate(order)}
        for old, _n in list(newer.items()):
            succ = later(old)
            if not succ:
                continue
            i = pos[old]
            if past:
                j = min(pos[s] for s in succ)
                if j < i:
                    order.insert(j, order.pop(i))
                    moved = True
                    break
            else:
                j = max(pos[s] for s in succ)
                if j > i:
                    order.insert(i, order.pop(j))
                    moved = True
                    break
        if not moved:
            break
    return order


def _rank_python(decisions: Sequence[Record], terms: Sequence[str], query: str | None = None) -> list[Hit]:
    """BM25F-like ranking without SQLite FTS5 (same field weights, stop words, prefixes,
    spellings and synonyms)."""
    per_term, extra = alternatives(query) if query is not None else ({}, [])
    by_stem: dict[str, tuple[str, float]] = {}  # stem → the query term it counts for, and how much
    phrases: list[tuple[tuple[str, ...], str, float]] = []  # the same for phrases of several words
    other = "\x00synonyms"  # the phrases and compounds of the question: one more term, as with FTS5
    for key, alts, weight in ([(t, spellings(t), 1.0) for t in terms]
                              + [(t, per_term.get(t, []), SYNONYM_WEIGHT) for t in terms]
                              + [(other, extra, 1.0)]):  # weighed as a whole below
        for alt in alts:
            stems = _stems(alt)
            if len(stems) == 1:
                by_stem.setdefault(stems[0], (key, weight))
            elif stems:
                phrases.append((stems, key, weight))
    prefixes = [t for t in terms if len(t) >= PREFIX_MIN]
    scored = [*terms, other] if extra else list(terms)
    docs: list[tuple[Record, dict[str, dict[str, float]], dict[str, int]]] = []
    df: Counter[str] = Counter()
    lengths: dict[str, int] = dict.fromkeys((n for n, _ in FIELDS), 0)
    for r in decisions:
        per: dict[str, dict[str, float]] = {}
        lens: dict[str, int] = {}
        seen: set[str] = set()
        for name, _ in FIELDS:
            toks = words(field_text(r.data or {}, name))
            tok_stems = [stem(w) for w in toks]
            counts: dict[str, float] = {}
            for w, st in zip(toks, tok_stems, strict=True):
                hit = by_stem.get(st)
                if hit is not None:
                    counts[hit[0]] = counts.get(hit[0], 0.0) + hit[1]
                else:
                    for p in prefixes:
                        if w.startswith(p):
                            counts[p] = counts.get(p, 0.0) + PREFIX_WEIGHT
                            break
            for seq, key, weight in phrases:
                k = len(seq)
                found = sum(1 for i in range(len(tok_stems) - k + 1) if tuple(tok_stems[i:i + k]) == seq)
                if found:
                    counts[key] = counts.get(key, 0.0) + weight * found
            per[name] = counts
            lens[name] = len(toks)
            lengths[name] += len(toks)
            seen.update(counts)
        df.update(seen)
        docs.append((r, per, lens))
    n = len(docs)
    avg = {name: (lengths[name] / n) or 1.0 for name, _ in FIELDS}
    k1, b = 1.2, 0.75
    hits = []
    for r, per, lens in docs:
        score = 0.0
        matched_terms = 0
        for term in scored:
            if not df[term]:
                continue
            idf = math.log(1 + (n - df[term] + 0.5) / (df[term] + 0.5))
            tf = sum(w * per[name].get(term, 0.0) / (1 - b + b * lens[name] / avg[name]) for name, w in FIELDS)
            if tf:
                matched_terms += term is not other
                score += idf * tf * (k1 + 1) / (tf + k1) * (SYNONYM_WEIGHT if term is other else 1.0)
        if score <= 0:
            continue
        phrase = _has_phrase(r.data or {}, terms)
        if matched_terms == len(terms) and len(terms) > 1:
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
    from declog.domain.kinds import KINDS

    stories = [r for r in records if r.kind is KINDS["narrative"] and r.error is None and r.id and r.data]
    terms = query_terms(query)
    if not terms or not stories:
        return []
    shaped = {id(s): Record(s.path, s.kind, s.oid, data=_as_decision_fields(s.data or {})) for s in stories}
    back = {id(shaped[id(s)]): s for s in stories}
    hits = [Hit(back[id(h.record)], h.score, phrase=h.phrase) for h in _rank_python(list(shaped.values()), terms, query)]
    hits.sort(key=lambda h: (-h.score, h.record.id or ""))
    return hits
