"""Text from records reaches the terminal as text, never as control sequences.

A title such as ``"\\e]0;pwned\\a"`` is valid YAML (a double-quoted escape) and a valid record,
but printed as it is it would retitle the terminal, move the cursor over earlier lines, or
(OSC 52) write the clipboard. :func:`printable` wraps the output streams for the length of one
command: every C0 and C1 control character except newline and tab (a carriage return too),
DEL, the bidirectional overrides and the Unicode line separators (``declog.domain.controls``) are
written as ``\\uXXXX`` instead. That spelling is also a valid JSON string escape, so JSON output
(which already escapes C0 characters, but not C1 ones) still parses to the same text. A
character the stream's encoding cannot hold (``PYTHONIOENCODING=ascii``) is written as a
backslash escape instead of failing the command.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from declog.domain.controls import CONTROLS, visible

__all__ = ["CONTROLS", "printable", "visible"]


class OutputFailed(OSError):
    """Writing to standard output (or error) failed: a closed stream, a full disk, a read-only
    file. Not a broken pipe (``declog list | head``), which stays a BrokenPipeError."""

    def __init__(self, stream: str, cause: OSError) -> None:
        super().__init__(cause.errno, cause.strerror or str(cause))
        self.stream = stream


class _Closed(io.TextIOBase):
    """What ``sys.stdout`` or ``sys.stderr`` is when the process started with it closed."""

    def write(self, text: str) -> int:
        import errno

        raise OSError(errno.EBADF, "the stream is closed")

    def flush(self) -> None:
        pass

    def writable(self) -> bool:
        return True


class _Printable(io.TextIOBase):
    """A text stream that spells out control characters, then writes to ``inner``."""

    def __init__(self, inner: TextIO, name: str = "standard output") -> None:
        self._inner = inner
        self._name = name

    def write(self, text: str) -> int:
        if isinstance(text, bytes) and text:  # click writes a shell completion script as bytes
            text = text.decode("utf-8", "replace")
        if not isinstance(text, str):  # click asks with b"" whether a stream takes bytes: it does not
            raise TypeError("a text stream")
        shown = text.translate(CONTROLS)
        try:
            try:
                self._inner.write(shown)
            except UnicodeEncodeError:
                encoding = self.encoding
                self._inner.write(shown.encode(encoding, "backslashreplace").decode(encoding, "replace"))
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputFailed(self._name, exc) from None
        return len(text)

    def flush(self) -> None:
        try:
            self._inner.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputFailed(self._name, exc) from None

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
    """Wrap ``sys.stdout`` and ``sys.stderr`` (see the module) until the block ends. A stream
    the process was started without (``declog list >&-``) fails when written to, with
    :class:`OutputFailed`, instead of being None."""
    out, err = sys.stdout, sys.stderr
    sys.stdout = _Printable(out if out is not None else _Closed(), "standard output")  # type: ignore[arg-type]
    sys.stderr = _Printable(err if err is not None else _Closed(), "standard error")  # type: ignore[arg-type]
    try:
        yield
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
        sys.stdout, sys.stderr = out, err
