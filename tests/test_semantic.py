"""The optional semantic rank of `declog why` (the `semantic` extra, declog.core.semantic): fusion
fixes an order the lexical rank gets wrong, the warm path loads no model, the store is keyed by
blob ID and safe to delete, an unknown question word takes the slow path once, and
DECLOG_SEMANTIC=0 gives the lexical answers.

Every test runs the real CLI on a real git repository; the warm-path checks run `declog why` in a
child process and look at its sys.modules. They need the extra (`make test` installs it).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from declog.core import semantic
from tests.conftest import Result, git

pytestmark = pytest.mark.skipif(semantic._package() is None, reason="needs the semantic extra: pip install 'declog[semantic]'")

QUESTION = ("online", "shopping", "cart", "storage")
BASKET = "Keep the shopping basket in the browser"
ROBOTS = "Pick a cart for the warehouse robots"
DECISIONS = [
    (BASKET, "Customers lose what they picked when the page reloads; the checkout team wants it kept "
             "in the browser storage."),
    (ROBOTS, "The warehouse floor needs a motorised trolley; we compare vendors of robot carts."),
    ("Keep nightly backups in cold storage", "Backups go to a cheaper storage tier after a week."),
    ("Put uploaded images in object storage", "Product photos need durable storage."),
    ("Ship logs to a storage bucket", "Log storage is kept for ninety days."),
    ("Encrypt database storage at rest", "Auditors ask for encrypted storage volumes."),
]


@pytest.fixture
def shop(log_repo: Path, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("DECLOG_SEMANTIC", raising=False)
    for title, context in DECISIONS:
        res = run(log_repo, "new", "decision", title, "--owner", "alice", "--door", "two-way", "--context", context)
        assert res.exit_code == 0, res.output
    git(log_repo, "add", "-A")
    git(log_repo, "commit", "-q", "-m", "Record decisions")
    return log_repo


def why(run: Callable[..., Result], repo: Path, *question: str, env: dict[str, str] | None = None) -> dict:
    res = run(repo, "why", *question, "--limit", "10", "--format", "json", env=env)
    assert res.exit_code == 0, res.output
    return dict(json.loads(res.stdout))


def titles(reply: dict) -> list[str]:
    return [r["title"] for r in reply["results"]]


def store(repo: Path) -> Path:
    return repo / ".git" / "declog" / "semantic.sqlite"


def rows(repo: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(store(repo))
    try:
        return list(conn.execute(sql))
    finally:
        conn.close()


CHILD = (
    "import contextlib, io, json, sys\n"
    "from declog.cli import main\n"
    "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
    "    code = main(['-C', sys.argv[1], 'why', *sys.argv[2:], '--format', 'json'])\n"
    "print(json.dumps({'code': code, 'titles': [r['title'] for r in json.loads(out.getvalue())['results']],\n"
    "                  'loaded': sorted(m for m in ('numpy', 'tokenizers', 'safetensors') if m in sys.modules)}))\n"
)


def child_why(repo: Path, *question: str) -> dict:
    """`declog why` in a fresh process: its exit code, answer titles and which model libraries it loaded."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_") and k != "DECLOG_SEMANTIC"}
    proc = subprocess.run([sys.executable, "-c", CHILD, str(repo), *question], capture_output=True, text=True,
                          env=env, check=False)
    assert proc.returncode == 0, proc.stderr
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("fts5", [True, False], ids=["fts5", "python"])
def test_fusion_puts_the_synonym_answer_first_where_the_lexical_rank_is_wrong(
        shop: Path, run, fts5: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if not fts5:
        from declog.core import search

        monkeypatch.setattr(search, "fts5_available", lambda: False)
    lexical = why(run, shop, *QUESTION, env={"DECLOG_SEMANTIC": "0"})
    fused = why(run, shop, *QUESTION)
    assert lexical["ranker"] == "lexical" and fused["ranker"] == "lexical+semantic"
    if fts5:  # the pure-Python BM25F, which normalises the title apart, gets this one right alone
        assert titles(lexical)[0] == ROBOTS  # "cart" in its title wins lexically
    assert titles(fused)[0] == BASKET  # a shopping basket kept in browser storage is what was asked
    assert sorted(titles(fused)) == sorted(titles(lexical))  # re-ordered, nothing added or dropped
    assert len(rows(shop, "select oid from vec")) == len(DECISIONS)  # the fusion ran on this path


def test_the_warm_path_loads_no_model_library(shop: Path) -> None:
    cold = child_why(shop, *QUESTION)
    assert cold["code"] == 0 and "numpy" in cold["loaded"] and "tokenizers" in cold["loaded"]
    warm = child_why(shop, *QUESTION)
    assert warm["code"] == 0 and warm["loaded"] == []
    assert warm["titles"] == cold["titles"] and warm["titles"][0] == BASKET


def test_vectors_are_keyed_by_blob_id_and_the_store_is_safe_to_delete(shop: Path, run) -> None:
    first = why(run, shop, *QUESTION)
    basket = next(r for r in first["results"] if r["title"] == BASKET)
    blob = git(shop, "hash-object", basket["path"]).strip()
    assert (blob,) in rows(shop, "select oid from vec")
    assert len(rows(shop, "select oid from vec")) == len(DECISIONS)
    (dim,) = rows(shop, "select length(v) from vec limit 1")[0]
    assert dim == semantic.DIM * 4  # float32

    assert run(shop, "set", basket["id"], "context=Shoppers keep their basket between visits in browser storage.").exit_code == 0
    again = why(run, shop, *QUESTION)
    edited = git(shop, "hash-object", basket["path"]).strip()
    assert edited != blob and (edited,) in rows(shop, "select oid from vec")

    store(shop).unlink()
    rebuilt = why(run, shop, *QUESTION)
    assert store(shop).is_file() and titles(rebuilt) == titles(again)
    assert (edited,) in rows(shop, "select oid from vec")


def test_an_unknown_question_word_takes_the_slow_path_once(shop: Path) -> None:
    assert child_why(shop, *QUESTION)["loaded"]  # cold: builds the store
    assert not rows(shop, "select w from word where w = 'trolleys?'")
    slow = child_why(shop, "storage", "trolleys?")  # a word no record holds
    assert "tokenizers" in slow["loaded"]
    ((n,),) = rows(shop, "select n from word where w = 'trolleys?'")
    assert n >= 1
    fast = child_why(shop, "storage", "trolleys?")
    assert fast["loaded"] == [] and fast["titles"] == slow["titles"]


def test_switched_off_the_answers_are_the_lexical_ones(shop: Path, run, monkeypatch: pytest.MonkeyPatch) -> None:
    off = why(run, shop, *QUESTION, env={"DECLOG_SEMANTIC": "0"})
    monkeypatch.setattr(semantic, "_package", lambda: None)  # as without the extra installed
    without = why(run, shop, *QUESTION)
    assert off == without and off["ranker"] == "lexical"
    assert not store(shop).exists()  # nothing semantic was computed or stored


def test_fusion_keeps_the_lexical_candidates_and_breaks_ties_lexically() -> None:
    lexical = ["a", "b", "c", "d", "e", "f"]
    sims = {"a": 0.1, "b": 0.9, "c": 0.5, "d": 0.4, "e": 0.3, "f": 0.2}
    assert semantic.fuse(lexical, sims) == ["b", "a", "c", "d", "e", "f"]
    assert semantic.fuse(lexical, {o: 0.0 for o in lexical}) == lexical
    assert semantic.fuse(["a", "b"], {"a": 0.0, "b": 1.0}) == ["a", "b"]  # neighbours swap only when others lie between


def test_a_broken_install_of_the_extra_leaves_the_lexical_order(shop: Path, run, monkeypatch: pytest.MonkeyPatch) -> None:
    lexical = why(run, shop, *QUESTION, env={"DECLOG_SEMANTIC": "0"})

    def broken(root: Path) -> None:
        raise ImportError("no module named 'tokenizers'")

    monkeypatch.setattr(semantic, "_Model", broken)
    reply = why(run, shop, *QUESTION)
    assert titles(reply) == titles(lexical) and titles(reply)[0] == ROBOTS


def test_an_answer_does_not_depend_on_whether_the_store_took_the_write(shop: Path, run) -> None:
    """Two declogs at once: when another one holds the store's write lock, the vectors and words
    this one computed on its slow path are used all the same (they are stored next time), so the
    answer is the one a lone run gives (it was the lexical order before: the vectors were read
    back from a store that had refused them)."""
    alone = why(run, shop, *QUESTION)
    assert titles(alone)[0] == BASKET
    conn = sqlite3.connect(store(shop))
    try:
        with conn:
            conn.execute("delete from vec")  # a valid store that lacks every vector: the slow path
        conn.execute("begin immediate")  # another writer holds the lock (readers still read)
        locked = why(run, shop, *QUESTION)
    finally:
        conn.rollback()
        conn.close()
    assert titles(locked) == titles(alone)
    assert rows(shop, "select count(*) from vec") == [(0,)]  # the write was refused, as set up
    assert titles(why(run, shop, *QUESTION)) == titles(alone)
    assert rows(shop, "select count(*) from vec") == [(len(DECISIONS),)]  # and taken the next time


def test_vectors_of_versions_no_file_holds_are_dropped_now_and_then(shop: Path, run, monkeypatch) -> None:
    """The store keeps a vector per blob ID; once it holds more vectors of versions no file holds
    than semantic.STALE_AT_MOST (and than current ones), the next slow path drops them, as the
    search index forgets old versions."""
    monkeypatch.setattr(semantic, "STALE_AT_MOST", 3)
    first = why(run, shop, *QUESTION)
    assert rows(shop, "select count(*) from vec") == [(len(DECISIONS),)]
    for rev in range(len(DECISIONS) + 2):  # each edit of a record makes its old vector stale
        res = run(shop, "set", first["results"][0]["id"], f"tags=rev{rev}")
        assert res.exit_code == 0, res.output
        why(run, shop, *QUESTION)
    count = rows(shop, "select count(*) from vec")[0][0]
    assert len(DECISIONS) <= count <= 2 * len(DECISIONS) + 1  # 8 stale versions would make 14
    assert titles(why(run, shop, *QUESTION)) == titles(first)
