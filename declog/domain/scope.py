"""Matching a decision's ``scope`` globs against repository paths.

``*`` and ``?`` stay within one path segment, ``**`` spans segments, ``[abc]`` is a class; a
pattern without a slash matches the file name at any depth (as in .gitignore); a pattern naming a
folder (``src/orders`` or ``src/orders/``) covers everything below it.
"""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=1024)
def _compile(pattern: str) -> re.Pattern[str]:
    pat = pattern.strip().lstrip("./") if pattern.strip().startswith("./") else pattern.strip()
    pat = pat.lstrip("/")
    anywhere = "/" not in pat.rstrip("/")
    folder = pat.endswith("/")
    pat = pat.rstrip("/")
    out = []
    i = 0
    while i < len(pat):
        c = pat[i]
        if pat.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pat.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            end = pat.find("]", i + 1)
            if end < 0:
                out.append(re.escape(c))
                i += 1
            else:
                body = pat[i + 1:end].replace("\\", "\\\\")
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end + 1
        else:
            out.append(re.escape(c))
            i += 1
    body = "".join(out)
    lead = "(?:.*/)?" if anywhere else ""
    tail = "/.*" if folder else "(?:/.*)?"
    return re.compile(f"^{lead}{body}{tail}$")


@lru_cache(maxsize=4096)
def prefix(pattern: str) -> str:
    """The literal start every path that ``pattern`` matches has (``""`` when it matches at any
    depth or starts with a wildcard): a cheap test before the regular expression."""
    pat = pattern.strip()
    pat = pat.lstrip("./") if pat.startswith("./") else pat
    pat = pat.lstrip("/")
    if "/" not in pat.rstrip("/"):
        return ""
    cut = min((i for i, c in enumerate(pat) if c in "*?["), default=len(pat))
    return pat[:cut]


def matches(pattern: str, path: str) -> bool:
    if not pattern or not pattern.strip():
        return False
    try:
        return bool(_compile(pattern).match(path))
    except re.error:
        return False


def matching(scopes: object, path: str) -> list[str]:
    """The globs of ``scopes`` (a record's scope list) that match ``path``."""
    if not isinstance(scopes, list):
        return []
    return [s for s in scopes if isinstance(s, str) and matches(s, path)]
