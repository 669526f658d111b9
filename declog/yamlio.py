"""The only module that imports ruamel.yaml.

Three paths, as the research measured:

* **query path** – :func:`load_record_text` uses the safe loader, with ruamel's C parser when the
  ``ruamel.yaml.clib`` extra is installed;
* **edit path** – :func:`load_roundtrip` / :func:`dump_roundtrip` keep comments, quoting and layout;
* **error path** – :func:`locate` re-parses only a failing file in round-trip mode to turn a
  field path into a 1-based line and column.

Every file is screened before parsing: size cap, NUL bytes (binary), strict UTF-8, one document,
no anchors, aliases, merge keys or language-specific tags.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from declog.errors import RecordFileError

DEFAULT_MAX_BYTES = 256 * 1024
MAX_DEPTH = 32

_safe: Any = None
_rt: Any = None


def _safe_yaml() -> Any:
    global _safe
    if _safe is None:
        from ruamel.yaml import YAML

        _safe = YAML(typ="safe")  # picks the C parser when ruamel.yaml.clib is importable
        _safe.allow_duplicate_keys = False
        _safe.max_depth = MAX_DEPTH
    return _safe


def _rt_yaml() -> Any:
    global _rt
    if _rt is None:
        from ruamel.yaml import YAML

        _rt = YAML(typ="rt")
        _rt.indent(mapping=2, sequence=4, offset=2)
        _rt.preserve_quotes = True
        _rt.width = 4096
        _rt.allow_duplicate_keys = False
        _rt.max_depth = MAX_DEPTH
    return _rt


def uses_c_parser() -> bool:
    """True when the safe loader runs on ruamel's C parser."""
    return "CParser" in getattr(_safe_yaml().Parser, "__name__", "")


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


def _screen_events(text: str, display: str) -> None:
    """Reject anchors, aliases, merge keys, explicit tags and multiple documents."""
    from ruamel.yaml.events import AliasEvent, DocumentStartEvent, NodeEvent

    documents = 0
    try:
        for event in _safe_yaml().parse(text):
            if isinstance(event, DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise RecordFileError(display, "more than one YAML document: keep one record per file",
                                          _line(event), _col(event))
            elif isinstance(event, AliasEvent):
                raise RecordFileError(display, "YAML aliases (*name) are not allowed in records",
                                      _line(event), _col(event))
            elif isinstance(event, NodeEvent) and getattr(event, "anchor", None):
                raise RecordFileError(display, "YAML anchors (&name) are not allowed in records",
                                      _line(event), _col(event))
    except RecordFileError:
        raise
    except Exception as exc:  # the loader reports the YAML error itself, with a position
        raise _yaml_error(display, exc) from None


def _line(event: Any) -> int | None:
    mark = getattr(event, "start_mark", None)
    return None if mark is None else mark.line + 1


def _col(event: Any) -> int | None:
    mark = getattr(event, "start_mark", None)
    return None if mark is None else mark.column + 1


def _yaml_error(display: str, exc: Exception) -> RecordFileError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    name = type(exc).__name__
    if "Depth" in name:
        problem = f"nesting deeper than {MAX_DEPTH} levels"
    elif "DuplicateKey" in name:
        problem = f"duplicate key: {getattr(exc, 'problem', '') or 'a key appears twice'}"
    elif "Constructor" in name and "tag" in str(exc):
        problem = "unsupported YAML tag (language-specific tags such as !!python/object are refused)"
    message = f"malformed YAML: {problem}".rstrip()
    if mark is not None:
        return RecordFileError(display, message, mark.line + 1, mark.column + 1)
    return RecordFileError(display, message)


def load_record_text(text: str, display: str) -> dict[str, Any]:
    """Parse record text on the query path. Raises :class:`RecordFileError` for anything
    that is not a single YAML mapping."""
    if "&" in text or "*" in text or "<<" in text or "---" in text or "!" in text:
        _screen_events(text, display)
    try:
        data = _safe_yaml().load(text)
    except Exception as exc:
        raise _yaml_error(display, exc) from None
    return _as_mapping(data, display)


def _as_mapping(data: Any, display: str) -> dict[str, Any]:
    if data is None:
        raise RecordFileError(display, "empty file: a record is a YAML mapping of fields")
    if not isinstance(data, dict):
        what = "a list" if isinstance(data, list) else f"a single {type(data).__name__} value"
        raise RecordFileError(display, f"the document is {what}, not a mapping of fields", 1, 1)
    return data


def load_roundtrip(text: str, display: str) -> Any:
    """Parse record text for editing or locating errors (comments and positions kept)."""
    if "&" in text or "*" in text or "<<" in text or "---" in text or "!" in text:
        _screen_events(text, display)
    try:
        data = _rt_yaml().load(text)
    except Exception as exc:
        raise _yaml_error(display, exc) from None
    _as_mapping(data, display)
    return data


def dump_roundtrip(data: Any) -> str:
    """Serialise a round-trip document back to text."""
    buf = io.StringIO()
    _rt_yaml().dump(data, buf)
    return buf.getvalue()


def locate(text: str, loc: Sequence[str | int]) -> tuple[int, int]:
    """1-based line and column of the deepest key of ``loc`` present in the document.

    For a missing key this is the mapping that should hold it. Parts that are not keys of the
    current node (union member names, discriminators) are skipped.
    """
    try:
        node = _rt_yaml().load(text)
    except Exception:
        return 1, 1
    line, col = 0, 0
    if hasattr(node, "lc"):
        line, col = node.lc.line, node.lc.col
    for part in loc:
        lc = getattr(node, "lc", None)
        if lc is None:
            break
        if isinstance(node, dict) and part in node:
            try:
                line, col = lc.key(part)
            except (KeyError, TypeError, AttributeError):
                pass
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            try:
                line, col = lc.item(part)
            except (KeyError, TypeError, AttributeError, IndexError):
                pass
            node = node[part]
        elif isinstance(node, dict | list):
            continue
        else:
            break
    return line + 1, col + 1


def to_plain(value: Any) -> Any:
    """Round-trip or safe-loaded data as plain JSON-compatible Python (dates as ISO strings)."""
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        return str(value)
    return str(value)


# -- writing new records --------------------------------------------------------------------

def render_new(fields: dict[str, Any], modeline: str, field_order: Sequence[str]) -> str:
    """Text of a new record file: the schema modeline, then the fields in model order, with
    multi-line strings as literal blocks."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import LiteralScalarString

    def convert(value: Any) -> Any:
        if isinstance(value, str) and "\n" in value:
            return LiteralScalarString(value if value.endswith("\n") else value + "\n")
        if isinstance(value, dict):
            out = CommentedMap()
            for k, v in value.items():
                out[k] = convert(v)
            return out
        if isinstance(value, list | tuple):
            seq = CommentedSeq()
            seq.extend(convert(v) for v in value)
            return seq
        return value

    ordered = CommentedMap()
    for key in field_order:
        if key in fields and fields[key] is not None and fields[key] != [] and fields[key] != {}:
            ordered[key] = convert(fields[key])
    for key, value in fields.items():  # anything the order does not name, after it
        if key not in ordered and value is not None:
            ordered[key] = convert(value)
    return f"# yaml-language-server: $schema={modeline}\n" + dump_roundtrip(ordered)


def set_fields(text: str, display: str, changes: dict[str, Any]) -> str:
    """Change only the named top-level fields of a record; every other byte stays as it was.

    The file is parsed in round-trip mode only to find where each top-level field starts; the
    changed field's lines are then replaced in the text by the new ``key: value`` rendered with
    the same quoting style and the same trailing comment. ``None`` removes a field; a field that
    is not there yet is appended at the end.
    """
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.scalarstring import LiteralScalarString

    doc = load_roundtrip(text, display)
    lines = text.splitlines(keepends=True)
    for key, value in changes.items():
        starts = sorted(doc.lc.key(k)[0] for k in doc)
        if isinstance(value, str) and "\n" in value:
            value = LiteralScalarString(value if value.endswith("\n") else value + "\n")
        old = doc.get(key) if key in doc else None
        if key in doc and isinstance(old, str) and isinstance(value, str) and type(old) is not str:
            if "\n" not in value and type(old) is not LiteralScalarString:
                try:
                    value = type(old)(value)
                except Exception:
                    pass
        if key in doc:
            start = doc.lc.key(key)[0]
            end = _value_end(lines, start, starts)
            comment = _trailing_comment(doc, key) if end == start + 1 else ""
        else:
            start = end = len(lines)
            comment = ""
            if lines and not lines[-1].endswith("\n"):
                lines[-1] += "\n"
        if value is None:
            new_lines: list[str] = []
            doc.pop(key, None)
        else:
            single = CommentedMap()
            single[key] = value
            rendered = dump_roundtrip(single)
            new_lines = rendered.splitlines(keepends=True)
            if comment and len(new_lines) == 1:
                new_lines[0] = new_lines[0].rstrip("\n") + comment + "\n"
            doc[key] = value
        lines[start:end] = new_lines
        text = "".join(lines)
        doc = load_roundtrip(text, display)
        lines = text.splitlines(keepends=True)
    return "".join(lines)


def _value_end(lines: list[str], start: int, key_starts: list[int]) -> int:
    """The line after the last line that belongs to the top-level field starting at ``start``.

    Continuation lines are indented, or are ``-`` items of a block sequence written at the
    mapping's own indentation; blank lines and column-0 comments between fields stay where they
    are.
    """
    later = [k for k in key_starts if k > start]
    limit = later[0] if later else len(lines)
    end = start + 1
    for i in range(start + 1, limit):
        line = lines[i]
        stripped = line.strip()
        if not stripped:
            continue
        if line[0] in " \t" or line.startswith("- ") or line.rstrip("\r\n") == "-":
            end = i + 1
            continue
        break
    return end


def _trailing_comment(doc: Any, key: str) -> str:
    """The end-of-line comment after a scalar field's value, with its leading spaces."""
    items = getattr(getattr(doc, "ca", None), "items", {})
    entry = items.get(key)
    if not entry or len(entry) < 3 or entry[2] is None:
        return ""
    token = entry[2]
    value = getattr(token, "value", "") or ""
    first = value.split("\n", 1)[0]
    if not first.lstrip().startswith("#"):
        return ""
    return "  " + first.lstrip() if not first.startswith(" ") else first
