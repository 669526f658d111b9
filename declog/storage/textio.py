"""A record file's bytes as text, screened before any parser sees them: size cap, NUL bytes
(binary), strict UTF-8, a byte-order mark dropped. Apart from ``declog.storage.yamlio`` (which
gives the same names) so that a command that parses nothing (a warm one reads ``.declog.yaml``
only to compare it with what the cache remembers) does not load the YAML module."""

from __future__ import annotations

from pathlib import Path

from declog.errors import RecordFileError

DEFAULT_MAX_BYTES = 256 * 1024


def read_text(path: Path, display: str, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The text of a record file, refusing what cannot be a record before parsing it."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise RecordFileError(
                display, f"file is {size} bytes, over the {max_bytes}-byte limit for a record"
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise RecordFileError(display, f"cannot read file: {exc.strerror or exc}") from None
    return decode(raw, display, max_bytes)


def decode(raw: bytes, display: str, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Bytes of a record as text: no NUL bytes, valid UTF-8, under the size cap."""
    if len(raw) > max_bytes:
        raise RecordFileError(
            display, f"file is {len(raw)} bytes, over the {max_bytes}-byte limit for a record"
        )
    if b"\x00" in raw:
        raise RecordFileError(display, "binary content (NUL bytes): a record must be UTF-8 YAML text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise RecordFileError(
            display, f"invalid UTF-8 at byte {exc.start}: a record must be UTF-8 YAML text", line, 1
        ) from None
    return text.removeprefix("\ufeff")
