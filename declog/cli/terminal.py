"""Text from records reaches the terminal as text, never as control sequences.

A title such as ``"\\e]0;pwned\\a"`` is valid YAML (a double-quoted escape) and a valid record,
but printed as it is it would retitle the terminal, move the cursor over earlier lines, or
(OSC 52) write the clipboard. :func:`printable` wraps the output streams for the length of one
command: every C0 and C1 control character except newline, tab and carriage return, and DEL,
is written as ``\\uXXXX`` instead. That spelling is also a valid JSON string escape, so JSON
output (which already escapes C0 characters, but not C1 ones) still parses to the same text.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

_KEEP = {"\n", "\t", "\r"}
CONTROLS: dict[int, str] = {
    code: f"\\u{code:04x}"
    for code in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]
    if chr(code) not in _KEEP
}


def visible(text: str) -> str:
    """``text`` with its control characters spelled out (see the module)."""
    return text.translate(CONTROLS)


class _Printable(io.TextIOBase):
    """A text stream that spells out control characters, then writes to ``inner``."""

    def __init__(self, inner: TextIO) -> None:
        self._inner = inner

    def write(self, text: str) -> int:
        if isinstance(text, bytes) and text:  # click writes a shell completion script as bytes
            text = text.decode("utf-8", "replace")
        if not isinstance(text, str):  # click asks with b"" whether a stream takes bytes: it does not
            raise TypeError("a text stream")
        self._inner.write(text.translate(CONTROLS))
        return len(text)

    def flush(self) -> None:
        self._inner.flush()

    def isatty(self) -> bool:
        return self._inner.isatty()

    def fileno(self) -> int:
        return self._inner.fileno()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._inner, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self._inner, "errors", None)


@contextmanager
def printable() -> Iterator[None]:
    """Wrap ``sys.stdout`` and ``sys.stderr`` (see the module) until the block ends."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Printable(out), _Printable(err)
    try:
        yield
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
        sys.stdout, sys.stderr = out, err
