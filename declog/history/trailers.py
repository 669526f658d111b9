"""Trailers of a commit message, by git's own rules (``git interpret-trailers --parse``)."""

from __future__ import annotations

import re

from declog.history.git import Git

SCISSORS = re.compile(r"^[#;]? ?-+ >8 -+$")
_SPLIT = re.compile(r"[\s,;]+")


def clean_message(text: str, comment_char: str = "#") -> str:
    """The message git would record: everything below the scissors line (``git commit -v``)
    and comment lines removed."""
    out = []
    for line in text.splitlines():
        if SCISSORS.match(line.strip()):
            break
        if comment_char and line.startswith(comment_char):
            continue
        out.append(line)
    return "\n".join(out).strip("\n") + "\n" if any(line.strip() for line in out) else ""


def comment_char(git: Git) -> str:
    value = git.config_get("core.commentChar") or git.config_get("core.commentString") or "#"
    return "#" if value == "auto" else value


def trailer_values(git: Git, message: str, key: str) -> list[tuple[str, str]]:
    """``(trailer as written, value)`` for each value of trailers named ``key`` (any case)."""
    if not message.strip():
        return []
    parsed = git.interpret_trailers(message.encode("utf-8")).decode("utf-8", "replace")
    out = []
    for line in parsed.splitlines():
        name, sep, value = line.partition(":")
        if not sep or name.strip().lower() != key.lower():
            continue
        for token in _SPLIT.split(value.strip()):
            if token:
                out.append((f"{name.strip()}: {value.strip()}", token))
    return out
