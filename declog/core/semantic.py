"""The optional semantic rank of ``declog why`` (the ``semantic`` extra: ``pip install 'declog[semantic]'``).

The model is wordllama's static table (``l2_supercat``: 32,000 tokens × 256 dimensions, the
weights inside its wheel; nothing is downloaded). A text's vector is the mean of its tokens'
vectors. The best lexical hits (``CANDIDATES``) are re-ordered by reciprocal rank fusion of
their lexical rank and their cosine to the question (``K``, ``WEIGHT``); the rest keep their order.

Only the slow path loads the model (numpy, safetensors, tokenizers). It fills the store
``.git/declog/semantic.sqlite`` (declog.storage.cachedb) with

- ``vec``: each decision's normalised vector (title, decision and context; float32 bytes), keyed
  by the blob OID of its record, so an edited record gets a new row;
- ``word``: for every word of the log's records (lower-cased, split on white space as the
  tokenizer splits words), the sum of its tokens' vectors and its token count.

A warm ``why`` reads the question's words and the candidates' vectors (one query each) and
works in pure Python: the question's vector is the sum of its words' sums over their total
token count, which is the tokenizer's own mean. A question word not in the table, or a
candidate whose blob has no vector yet, takes the slow path once (the model loads, the rows are
added and every decision without a vector gets one), so the next ``why`` is fast again.
``DECLOG_SEMANTIC=0`` turns the semantic rank off. The store is only an accelerator: deleting it
is safe.
"""

from __future__ import annotations

import functools
import importlib.util
import operator
import os
import sqlite3
from array import array
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from declog.storage import cachedb

MODEL = "l2_supercat_256"
TOKENIZER = "l2_supercat_tokenizer_config.json"
DIM = 256
FORMAT = "1"
CANDIDATES = 50  # only the best lexical hits are re-ordered
STALE_AT_MOST = 200  # vectors of versions no file holds kept before the slow path drops them
K = 10  # reciprocal rank fusion: 1 / (K + rank)
WEIGHT = 0.5  # the semantic rank's share against the lexical rank's 1
VECTOR_FIELDS = ("title", "decision", "context")
WORD_FIELDS = ("title", "tags", "decision", "rationale", "options", "context", "consequences", "sections")
_SCHEMA = ("create table if not exists vec (oid text primary key, v blob not null);"
           "create table if not exists word (w text primary key, s blob not null, n integer not null);")
_CHUNK = 5000  # SQLite host parameters per query

T = TypeVar("T")

# oid → {field: text}; the fields of VECTOR_FIELDS and WORD_FIELDS
Texts = Callable[[Sequence[str]], dict[str, dict[str, str]]]


def switched_off() -> bool:
    return os.environ.get("DECLOG_SEMANTIC", "").strip().lower() in ("0", "off", "no", "false")


@functools.lru_cache(maxsize=1)
def _package() -> Path | None:
    """The folder of the installed wordllama package (found, not imported), or None."""
    try:
        spec = importlib.util.find_spec("wordllama")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    root = Path(spec.origin).parent
    return root if (root / "weights" / f"{MODEL}.safetensors").is_file() else None


def enabled() -> bool:
    """Whether ``why`` fuses the semantic rank: the extra is installed and not switched off."""
    return not switched_off() and _package() is not None


def ranker() -> str:
    """The name of the ranker ``why`` runs (``why --format json`` shows it)."""
    return "lexical+semantic" if enabled() else "lexical"


def split(text: str) -> list[str]:
    """The words of ``text`` as the word table keys them."""
    return text.lower().split()


def vector_text(fields: dict[str, str]) -> str:
    return "\n".join(fields.get(n, "") for n in VECTOR_FIELDS)


class _Model:
    """wordllama's table and tokenizer, read from its wheel (the slow path only)."""

    def __init__(self, root: Path) -> None:
        import numpy as np
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self.np = np
        self.table = load_file(str(root / "weights" / f"{MODEL}.safetensors"))["embedding.weight"].astype(np.float32)
        self.tok = Tokenizer.from_file(str(root / "tokenizers" / TOKENIZER))

    def vectors(self, texts: Sequence[str]) -> list[bytes]:
        """Normalised mean token vectors (the tokenizer's leading ``<s>`` left out)."""
        np = self.np
        out = []
        for enc in self.tok.encode_batch(list(texts)):
            ids = enc.ids[1:] or [0]
            v = self.table[ids].mean(axis=0)
            norm = float(np.linalg.norm(v))
            out.append((v / norm if norm else v).astype(np.float32).tobytes())
        return out

    def word_rows(self, ws: Sequence[str]) -> list[tuple[str, bytes, int]]:
        np = self.np
        out = []
        for w, enc in zip(ws, self.tok.encode_batch(list(ws)), strict=True):
            ids = enc.ids[1:]
            s = self.table[ids].sum(axis=0) if ids else np.zeros(DIM, dtype=np.float32)
            out.append((w, s.astype(np.float32).tobytes(), len(ids)))
        return out


def _chunks(items: Sequence[T]) -> Iterable[Sequence[T]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i:i + _CHUNK]


class Store:
    """``semantic.sqlite``: record vectors by blob OID and the word table."""

    def __init__(self, path: Path | None) -> None:
        ident = cachedb.identity("semantic", FORMAT, MODEL)
        conn = cachedb.open_current(path, ident)
        if conn is None and path is not None:
            try:
                conn = cachedb.rebuild(path, _SCHEMA, ident)
            except (sqlite3.Error, OSError):
                conn = None
        self.conn = conn if conn is not None else cachedb.memory(_SCHEMA, ident)

    def words(self, ws: Sequence[str]) -> dict[str, tuple[bytes, int]]:
        out: dict[str, tuple[bytes, int]] = {}
        for part in _chunks(ws):
            out.update((w, (s, n)) for w, s, n in self.conn.execute(
                f"select w, s, n from word where w in ({', '.join('?' * len(part))})", list(part)))
        return out

    def vectors(self, oids: Sequence[str]) -> dict[str, bytes]:
        out: dict[str, bytes] = {}
        for part in _chunks(oids):
            out.update(self.conn.execute(
                f"select oid, v from vec where oid in ({', '.join('?' * len(part))})", list(part)))
        return out

    def known(self) -> set[str]:
        return {row[0] for row in self.conn.execute("select oid from vec")}

    def add(self, vecs: Sequence[tuple[str, bytes]], words: Sequence[tuple[str, bytes, int]]) -> None:
        try:
            with self.conn:
                self.conn.executemany("insert or replace into vec values (?, ?)", vecs)
                self.conn.executemany("insert or ignore into word values (?, ?, ?)", words)
        except sqlite3.Error:
            pass  # locked or read-only: the next run computes them again

    def forget(self, oids: Iterable[str]) -> None:
        """Drop the vectors of ``oids`` (versions no file holds any more)."""
        try:
            with self.conn:
                self.conn.executemany("delete from vec where oid = ?", [(o,) for o in oids])
        except sqlite3.Error:
            pass  # locked or read-only: a later slow path drops them

    def close(self) -> None:
        self.conn.close()


def _fill(store: Store, model: _Model, all_oids: Sequence[str], texts: Texts,
          query_words: Sequence[str]) -> tuple[dict[str, bytes], dict[str, tuple[bytes, int]]]:
    """The slow path: vectors of every decision without one, the words of their records and the
    question's words the table lacks; stored when the store can take them, and returned, so the
    answer does not depend on whether the write went through (another declog may hold the lock
    or replace the file meanwhile)."""
    known, current = store.known(), set(all_oids)
    new = sorted(current - known)
    fields = texts(new) if new else {}
    have = [o for o in new if o in fields]
    vecs = list(zip(have, model.vectors([vector_text(fields[o]) for o in have]), strict=True))
    ws: set[str] = set(query_words)
    for o in have:
        for name in WORD_FIELDS:
            ws.update(split(fields[o].get(name, "")))
    missing = sorted(ws - set(store.words(sorted(ws))))
    words = model.word_rows(missing)
    store.add(vecs, words)
    stale = known - current
    if len(stale) > max(STALE_AT_MOST, len(current)):  # as the search index: forget old versions now and then
        store.forget(sorted(stale))
    return dict(vecs), {w: (v, n) for w, v, n in words}


def query_vector(rows: dict[str, tuple[bytes, int]], ws: Sequence[str]) -> list[float] | None:
    """Sum of the words' token sums over their total token count (None: no token)."""
    total = [0.0] * DIM
    count = 0
    for w in ws:
        s, n = rows[w]
        if n:
            vec = array("f")
            vec.frombytes(s)
            total = list(map(operator.add, total, vec))
            count += n
    return [x / count for x in total] if count else None


def fuse(lexical: Sequence[str], sims: dict[str, float]) -> list[str]:
    """Reciprocal rank fusion of the lexical order and the order by cosine (``sims``; an OID
    without one keeps only its lexical share). Ties keep the lexical order."""
    score = {oid: 1 / (K + r + 1) for r, oid in enumerate(lexical)}
    by_sim = sorted((o for o in lexical if o in sims), key=lambda o: -sims[o])
    for r, oid in enumerate(by_sim):
        score[oid] += WEIGHT / (K + r + 1)
    return sorted(lexical, key=lambda o: -score[o])


def similarities(path: Path | None, query: str, candidates: Sequence[str], all_oids: Callable[[], Sequence[str]],
                 texts: Texts) -> dict[str, float]:
    """The cosine of each candidate (blob OID) to ``query`` ({} when the question has no word
    with a token). Warm: two queries and pure Python; the model loads only when a word or a
    vector is missing (see the module's doc)."""
    ws = split(query)
    if not ws or not candidates:
        return {}
    store = Store(path)
    try:
        rows = store.words(sorted(set(ws)))
        vecs = store.vectors(list(candidates))
        if len(rows) < len(set(ws)) or len(vecs) < len(set(candidates)):
            root = _package()
            if root is None:
                return {}
            try:
                model = _Model(root)
            except (ImportError, OSError, KeyError, ValueError, RuntimeError):
                return {}  # a broken install of the extra: the lexical order stands
            made, made_words = _fill(store, model, list(dict.fromkeys([*all_oids(), *candidates])), texts, ws)
            rows = {**store.words(sorted(set(ws))), **{w: made_words[w] for w in set(ws) if w in made_words}}
            vecs = {**store.vectors(list(candidates)), **{o: made[o] for o in candidates if o in made}}
        q = query_vector({w: rows[w] for w in ws if w in rows}, [w for w in ws if w in rows])
        if q is None:
            return {}
        out = {}
        for oid, blob in vecs.items():
            v = array("f")
            v.frombytes(blob)
            out[oid] = sum(map(operator.mul, q, v))
        return out
    finally:
        store.close()


def rerank(hits: list[Any], query: str, path: Path | None, all_oids: Callable[[], Sequence[str]],
           texts: Texts) -> list[Any]:
    """``hits`` (search.Hit, best first) with the first CANDIDATES re-ordered by fusion."""
    head = hits[:CANDIDATES]
    oids = [str(h.record.oid) for h in head if h.record.oid]
    if len(oids) < 2:
        return hits
    sims = similarities(path, query, oids, all_oids, texts)
    if not sims:
        return hits
    order = {oid: i for i, oid in enumerate(fuse(oids, sims))}
    return sorted(head, key=lambda h: order.get(str(h.record.oid), len(order))) + hits[CANDIDATES:]
