"""Floors: the least a machine needs for the job a declog command does, each as one process that
imports only the standard library (so ``python -c pass`` is inside every floor), timed by the
benchmark modules in the same run as the command they bound.

    python bench/floors.py fts DB MATCH      # one FTS5 query on declog's search index, read-only
    python bench/floors.py json FILE         # write the JSON of a dict (marshal FILE) to stdout
    python bench/floors.py walk ROOT         # one git log --raw pass + one cat-file --batch of
                                             # the record blobs it names (what a cold why reads)
"""

from __future__ import annotations

import sys


def fts(db: str, match: str) -> int:
    import sqlite3

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = conn.execute("select rowid, bm25(docs) from docs where docs match ? order by 2 limit 200",
                        (match,)).fetchall()
    return 0 if rows else 1


def write_json(path: str) -> int:
    import json
    import marshal

    with open(path, "rb") as handle:
        data = marshal.load(handle)
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    return 0


def walk(root: str) -> int:
    """``git log`` with the arguments of declog.history.walk.log_args, then the blobs its raw
    entries name through one ``git cat-file --batch``."""
    import subprocess

    fmt = "%x1e" + "%x1f".join(["%H", "%P", "%at", "%aN", "%aE",
                                 "%(trailers:key=Decision,valueonly,unfold,separator=%x1d)", "%s"]) + "%x1f"
    log = subprocess.run(["git", "log", "-M", "--raw", "-z", "--no-abbrev", "--diff-merges=first-parent",
                          f"--relative={root}/", f"--format={fmt}", "HEAD", "--"],
                         capture_output=True, check=True).stdout
    oids: dict[bytes, None] = {}
    for field in log.split(b"\x00"):
        if field.startswith(b":"):  # ":100644 100644 OLD NEW M"
            parts = field.split()
            for oid in parts[2:4]:
                if oid.strip(b"0"):
                    oids[oid] = None
    batch = subprocess.run(["git", "cat-file", "--batch"], input=b"\n".join(oids) + b"\n",
                           capture_output=True, check=True).stdout
    return 0 if batch else 1


def main(argv: list[str]) -> int:
    what, *args = argv
    if what == "fts":
        return fts(*args)
    if what == "json":
        return write_json(*args)
    if what == "walk":
        return walk(*args)
    raise SystemExit(f"unknown floor {what}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
