"""Record IDs and owner handles: their shapes, minting, and prefix matching.

IDs look like ``D-7k3m9q``: a kind letter, a dash and six random Crockford base32 characters.
They are minted without coordination, so two branches never take the same "next number";
six characters give about a billion values, and a new ID is re-drawn if the log already holds
it. People may type any unique prefix, in any case, with or without the kind letter, and the
Crockford look-alikes (``i``/``l`` for ``1``, ``o`` for ``0``) are read as meant.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from declog.errors import AmbiguousId, RecordNotFound, UsageError

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, lower case
ID_BODY_LENGTH = 6
ID_RE = re.compile(r"^[A-Z]-[0-9a-hjkmnp-tv-z]{6}$")
ID_PATTERN = ID_RE.pattern
HANDLE_RE = re.compile(r"^[a-z][a-z0-9_-]*(?:\.[a-z0-9_-]+)*$")  # no "..", no trailing dot
HANDLE_MAX = 39
HANDLE_PATTERN = HANDLE_RE.pattern
secrets: Any = None  # where mint draws from: the standard library's secrets, imported on first use
_LOOKALIKES = str.maketrans({"i": "1", "l": "1", "o": "0", "u": "v"})
_QUERY_RE = re.compile(r"^(?:[a-z]-?)?[0-9a-z]{1,6}$")


def inside_repository(path: str) -> bool:
    """``path`` names a file inside the repository, relative to its root: not absolute, no
    ``..``, no backslash, no control character (an imported decision's ``source.path``)."""
    if not path or path.startswith(("/", "~")) or "\\" in path or any(ord(c) < 0x20 or ord(c) == 0x7F for c in path):
        return False
    if len(path) > 1 and path[1] == ":":  # C:…
        return False
    return ".." not in path.split("/")


def mint(letter: str, taken: Iterable[str] = ()) -> str:
    """A fresh ID for kind ``letter`` that is not in ``taken``."""
    global secrets
    if secrets is None:  # on first use: only a new record needs it (hmac and hashlib come with it)
        import secrets as module

        secrets = module
    used = {t.upper() if len(t) == 1 else t for t in taken}
    while True:
        candidate = f"{letter}-" + "".join(secrets.choice(ALPHABET) for _ in range(ID_BODY_LENGTH))
        if candidate not in used:
            return candidate


def check_handle(handle: str) -> str:
    """Return ``handle`` if it is a safe owner handle, else raise a usage error."""
    if len(handle) > HANDLE_MAX or not HANDLE_RE.match(handle):
        raise UsageError(
            f"'{handle}' is not a valid handle: use 1-39 lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter (e.g. alice, platform-team)"
        )
    return handle


def normalize_query(text: str) -> str:
    """Normalise what a person typed for an ID: case, look-alike characters, missing dash."""
    raw = text.strip()
    if raw.startswith("-") or "/" in raw or "\\" in raw or ".." in raw:
        raise UsageError(f"'{text}' is not an ID: IDs look like D-7k3m9q (a unique prefix will do)")
    lowered = raw.lower()
    if len(lowered) >= 2 and lowered[1] == "-" and lowered[0].isalpha():
        letter, body = lowered[0], lowered[2:]
        return f"{letter.upper()}-{body.translate(_LOOKALIKES)}"
    return lowered


def resolve(query: str, ids: Iterable[str], handles: Iterable[str] = ()) -> str:
    """The one ID or handle that ``query`` names: exact, or a unique prefix.

    ``ids`` are record IDs (``D-7k3m9q``); ``handles`` are owner handles. A query without a kind
    letter matches the random part of every kind's IDs.
    """
    if not query or not query.strip():
        raise UsageError("an empty ID: IDs look like D-7k3m9q (a unique prefix will do)")
    handle_list = list(handles)
    q = query.strip()
    if q in handle_list:
        return q
    norm = normalize_query(q)
    id_list = list(ids)
    if norm in id_list:
        return norm
    if len(norm) >= 2 and norm[1] == "-":
        matches = [i for i in id_list if i.startswith(norm)]
    else:
        body = norm.translate(_LOOKALIKES)
        matches = [i for i in id_list if i[2:].startswith(body)]
        if not matches and norm[:1].isalpha():  # the kind letter without its dash (`D`, `d7k3`)
            prefix = f"{norm[0].upper()}-{norm[1:].translate(_LOOKALIKES)}"
            matches = [i for i in id_list if i.startswith(prefix)]
    matches += [h for h in handle_list if h.startswith(q.lower())]
    matches = sorted(set(matches))
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise RecordNotFound(f"no record matches '{query}' (try `declog list` to see IDs)")
    raise AmbiguousId(query, matches)


_ALIAS_NUMBER_RE = re.compile(r"^([a-z]+)[-_ ]?0*(\d{1,9})$")


def alias_key(text: str) -> str:
    """How aliases compare: case-insensitive, and a trailing number without its leading zeros or
    dash, so ``ADR-15``, ``adr-0015`` and ``ADR0015`` are the same alias (``adr-15``)."""
    lowered = text.strip().casefold()
    match = _ALIAS_NUMBER_RE.match(lowered)
    if match:
        return f"{match.group(1)}-{int(match.group(2))}"
    return lowered


def slug(title: str, max_length: int = 48) -> str:
    """A file-name friendly slug of a title: lower case ASCII words joined by dashes."""
    import unicodedata

    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_title.lower())
    out = ""
    for word in words:
        candidate = f"{out}-{word}" if out else word
        if len(candidate) > max_length:
            break
        out = candidate
    return out or "untitled"
