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
import re
from collections.abc import Sequence
from typing import Any

from declog.errors import RecordFileError, UsageError
from declog.storage.textio import DEFAULT_MAX_BYTES as DEFAULT_MAX_BYTES
from declog.storage.textio import decode as decode
from declog.storage.textio import read_text as read_text

MAX_DEPTH = 32

_safe: Any = None
_rt: Any = None


def _lenient_dates(base: Any) -> Any:
    """``base`` (a ruamel constructor class) with date-like values that are not real dates, such
    as ``2026-02-30``, loaded as text: the model then reports them against their own field,
    instead of the whole file failing to load."""

    class LenientDates(base):
        def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
            try:
                return super().construct_yaml_timestamp(node, values)
            except (ValueError, OverflowError):
                return str(node.value)

    LenientDates.add_constructor("tag:yaml.org,2002:timestamp", LenientDates.construct_yaml_timestamp)
    return LenientDates


def _one_version_resolver(base: Any) -> Any:
    """``base`` (ruamel's VersionedResolver) with its table of implicit resolvers built once.

    On the C parser, ruamel builds that table again for every document it loads, and looks up
    the YAML version of the document for every scalar, through two attribute lookups that fail
    (the C loader has no scanner and no serializer to ask): a fifth of loading a record. The
    version it ends up with is always the same, the loader's own (None, so YAML 1.2): the C
    parser never hands a ``%YAML`` directive to the resolver. So the table of that version is
    built once and shared."""
    tables: dict[Any, Any] = {}

    class OneVersion(base):
        @property
        def versioned_resolver(self) -> Any:
            key = self._loader_version
            table = tables.get(key)
            if table is None:
                table = tables[key] = base.versioned_resolver.fget(self)
            return table

    return OneVersion


def _safe_yaml() -> Any:
    global _safe
    if _safe is None:
        from ruamel.yaml import YAML
        from ruamel.yaml.constructor import SafeConstructor

        _safe = YAML(typ="safe")  # picks the C parser when ruamel.yaml.clib is importable
        _safe.Constructor = _lenient_dates(SafeConstructor)
        if "CParser" in getattr(_safe.Parser, "__name__", ""):
            _safe.Resolver = _one_version_resolver(_safe.Resolver)
        _safe.allow_duplicate_keys = False
        _safe.max_depth = MAX_DEPTH
    return _safe


def _rt_yaml() -> Any:
    global _rt
    if _rt is None:
        from ruamel.yaml import YAML
        from ruamel.yaml.constructor import RoundTripConstructor

        _rt = YAML(typ="rt")
        _rt.Constructor = _lenient_dates(RoundTripConstructor)
        _rt.indent(mapping=2, sequence=4, offset=2)
        _rt.preserve_quotes = True
        # never fold long lines: ruamel folds a double-quoted scalar between an escape and the next
        # character, which reads back with a space added (found by tests/properties)
        _rt.width = 1 << 30
        _rt.allow_duplicate_keys = False
        _rt.max_depth = MAX_DEPTH
    return _rt


def uses_c_parser() -> bool:
    """True when the safe loader runs on ruamel's C parser."""
    return "CParser" in getattr(_safe_yaml().Parser, "__name__", "")


_CORE_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "map", "seq")
) | {"!"}
SCREEN_ALWAYS_BYTES = 8 * 1024  # above this, nesting could be deep enough to hurt the C parser


def _screen_events(text: str, display: str) -> None:
    """Reject anchors, aliases, merge keys, explicit tags, deep nesting and multiple documents."""
    from ruamel.yaml.events import (
        AliasEvent,
        CollectionEndEvent,
        DocumentStartEvent,
        MappingStartEvent,
        NodeEvent,
        ScalarEvent,
    )

    documents = 0
    # one entry per open collection: [expecting a key] for mappings, None for sequences
    stack: list[list[bool] | None] = []

    def node_done() -> None:
        if stack and stack[-1] is not None:
            stack[-1][0] = not stack[-1][0]

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
            elif isinstance(event, NodeEvent):
                if getattr(event, "anchor", None):
                    raise RecordFileError(display, "YAML anchors (&name) are not allowed in records",
                                          _line(event), _col(event))
                tag = getattr(event, "tag", None)
                if tag is not None and str(tag) not in _CORE_TAGS:
                    shown = str(tag).replace("tag:yaml.org,2002:", "!!")
                    raise RecordFileError(
                        display, f"YAML tag {shown} is not allowed in records (write plain values, without tags)",
                        _line(event), _col(event))
                at_key = bool(stack and stack[-1] is not None and stack[-1][0])
                if len(stack) + 1 > MAX_DEPTH:  # this node's depth, counted as ruamel's composer does
                    raise RecordFileError(display, f"malformed YAML: nesting deeper than {MAX_DEPTH} levels",
                                          _line(event), _col(event))
                if isinstance(event, ScalarEvent):
                    if at_key and event.value == "<<" and not event.style:
                        raise RecordFileError(display, "YAML merge keys (<<) are not allowed in records",
                                              _line(event), _col(event))
                    node_done()
                else:  # a mapping or sequence starts
                    stack.append([True] if isinstance(event, MappingStartEvent) else None)
            elif isinstance(event, CollectionEndEvent):
                if stack:
                    stack.pop()
                node_done()
    except RecordFileError:
        _reset()
        raise
    except Exception as exc:  # the loader reports the YAML error itself, with a position
        _reset()
        raise _yaml_error(display, exc) from None


def _needs_screening(text: str) -> bool:
    return (len(text) > SCREEN_ALWAYS_BYTES or "&" in text or "*" in text or "<<" in text
            or "---" in text or "!" in text)


def _reset() -> None:
    """Forget the loaders after a failed parse: ruamel keeps per-parse state (such as the
    composer's nesting depth) that a parse aborted half-way leaves behind."""
    global _safe, _rt
    _safe = None
    _rt = None


def _too_deep(data: Any) -> bool:
    """True when ``data`` nests deeper than MAX_DEPTH levels, counting every node (the leaves
    too) as ruamel's composer does on the edit path (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = [*node.keys(), *node.values()]
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > MAX_DEPTH or (depth == MAX_DEPTH and children):
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


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
    if _needs_screening(text):
        _screen_events(text, display)
    try:
        data = _safe_yaml().load(text)
    except Exception as exc:
        _reset()
        raise _yaml_error(display, exc) from None
    if _too_deep(data):
        raise RecordFileError(display, f"malformed YAML: nesting deeper than {MAX_DEPTH} levels")
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
    if _needs_screening(text):
        _screen_events(text, display)
    try:
        data = _rt_yaml().load(text)
    except Exception as exc:
        _reset()
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
    return locate_many(text, [loc])[0]


def locate_many(text: str, locs: Sequence[Sequence[str | int]]) -> list[tuple[int, int]]:
    """:func:`locate` for each of ``locs``, parsing ``text`` once: a file with thousands of
    problems (unknown keys, say) must not be parsed once per problem."""
    if not locs:
        return []
    try:
        root = _rt_yaml().load(text)
    except Exception:
        _reset()
        return [(1, 1)] * len(locs)
    return [_locate_in(root, loc) for loc in locs]


def _locate_in(node: Any, loc: Sequence[str | int]) -> tuple[int, int]:
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
    return (line or 0) + 1, (col or 0) + 1  # a scalar document (`!!str`) has no position: None


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
    multi-line strings as literal blocks. The whole text is read back once; only when some value
    does not read back the same is each one probed on its own (:func:`text_scalar`)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    def render(probe: bool) -> tuple[str, dict[str, Any]]:
        if not probe:
            fast = _fast_render(fields, field_order)
            if fast is not None:
                return f"# yaml-language-server: $schema={modeline}\n" + fast[0], fast[1]

        def convert(value: Any) -> Any:
            if isinstance(value, str):
                return text_scalar(value, probe=probe)
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
        for key, value in _ordered(fields, field_order).items():
            ordered[key] = convert(value)
        text = f"# yaml-language-server: $schema={modeline}\n" + dump_roundtrip(ordered)
        return text, {key: fields[key] for key in ordered}

    text, expected = render(probe=False)
    try:
        _check_reads_back(text, expected)
    except (UsageError, RecordFileError):
        text, expected = render(probe=True)
        _check_reads_back(text, expected)
    return text


def _ordered(fields: dict[str, Any], field_order: Sequence[str]) -> dict[str, Any]:
    """The fields a new record file holds, in model order: those ``field_order`` names, unless
    None or empty, then anything else it does not name, unless None."""
    ordered = {key: fields[key] for key in field_order
               if key in fields and fields[key] is not None and fields[key] != [] and fields[key] != {}}
    for key, value in fields.items():  # anything the order does not name, after it
        if key not in field_order and value is not None:
            ordered[key] = value
    return ordered


# -- the fast path of render_new --------------------------------------------------------------
# ruamel's emitter is pure Python and costs most of an import (a 500-ADR import spent two thirds
# of its time in it). A new record is a mapping of plain values, so :func:`_fast_render` writes it
# directly, exactly as ruamel would with the settings of :func:`_rt_yaml` (no folding, mapping
# indent 2, sequence indent 4 with offset 2): plain scalars where ruamel writes them plain, single
# quotes where it would quote them, literal blocks for multi-line text. Anything else (double
# quotes, block indentation hints, floats, nulls, empty collections, lists in lists, odd keys)
# gives None and ruamel writes the whole record; tests/test_yamlio_fast.py holds the two to
# the same bytes.
class _Lazy:
    """A pattern compiled on first use: the character classes spanning Unicode below take tens
    of milliseconds to compile, which every command that imports this module (reading the
    configuration) would pay, though only writing and screening text use them."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._compiled: re.Pattern[str] | None = None

    def _get(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self.pattern)
        return self._compiled

    def fullmatch(self, value: str) -> re.Match[str] | None:
        return self._get().fullmatch(value)

    def search(self, value: str) -> re.Match[str] | None:
        return self._get().search(value)


_PRINTABLE_ONLY = _Lazy("[\\x20-\\x7e\\xa0-\\u2027\\u202a-\\ud7ff\\ue000-\\ufefe\\uff00-\\ufffd\\U00010000-\\U0010ffff]+")
_LEADING_INDICATOR = frozenset("#,[]{}&*!|>'\"%@`")
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,99}")
_STR_TAG = "tag:yaml.org,2002:str"
_resolver: Any = None


class _NotFast(Exception):
    """A value the fast path leaves to ruamel."""


def _resolves_to_str(value: str) -> bool:
    global _resolver
    if _resolver is None:
        from ruamel.yaml.resolver import VersionedResolver

        _resolver = VersionedResolver()
    from ruamel.yaml.nodes import ScalarNode

    return bool(_resolver.resolve(ScalarNode, value, (True, False)) == _STR_TAG)


def _plain_ok(value: str) -> bool:
    """Whether ruamel writes this one-line, printable text as a plain scalar in block context:
    its ``analyze_scalar`` rules for ``allow_block_plain``, then the implicit resolver (text that
    would read back as a number, a date, a boolean or null is quoted)."""
    first = value[0]
    if first == " " or value[-1] == " " or first in _LEADING_INDICATOR or value.startswith(("---", "...")):
        return False
    if first in "?:-" and (len(value) == 1 or value[1] == " "):
        return False
    if ": " in value or value.endswith(":") or " #" in value:
        return False
    return _resolves_to_str(value)


def _fast_scalar(value: Any, indent: int) -> str:
    """``value`` as it follows ``key:`` or ``-`` (from the space after it), or raise _NotFast."""
    if isinstance(value, bool):
        return " true" if value else " false"
    if isinstance(value, int) or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return f" {value}"  # a date's str() is its ISO form
    if type(value) is not str or not value:
        raise _NotFast
    styled = text_scalar(value, probe=False)  # the slow path's choice (and its refusals)
    if type(styled) is str:
        if "\t" in value or _PRINTABLE_ONLY.fullmatch(value) is None:
            raise _NotFast  # a special character: ruamel double-quotes it
        if _plain_ok(value):
            return f" {value}"
        if "'" in value:
            raise _NotFast  # ruamel double-quotes it
        return f" '{value}'"
    if type(styled).__name__ != "LiteralScalarString" or value[0] in " \n":
        raise _NotFast  # double quotes, or a block that needs an indentation indicator
    body = value[:-1] if value.endswith("\n") else value
    pad = " " * indent
    lines = "".join(f"{pad}{line}\n" if line else "\n" for line in body.split("\n"))
    return (" |\n" if value.endswith("\n") else " |-\n") + lines


def _fast_mapping(data: dict[str, Any], col: int, out: list[str], first_prefix: str | None = None) -> None:
    pad = " " * col
    for i, (key, value) in enumerate(data.items()):
        if type(key) is not str or not _PLAIN_KEY.fullmatch(key) or not _resolves_to_str(key):
            raise _NotFast
        lead = first_prefix if i == 0 and first_prefix is not None else pad
        if isinstance(value, dict | list | tuple):
            out.append(f"{lead}{key}:\n")
            _fast_block(value, col + 2, out)
        else:
            scalar = _fast_scalar(value, col + 2)
            out.append(f"{lead}{key}:{scalar}" if scalar.endswith("\n") else f"{lead}{key}:{scalar}\n")


def _fast_block(value: dict[str, Any] | list[Any] | tuple[Any, ...], col: int, out: list[str]) -> None:
    """A mapping or sequence as the block under its key; an empty one (ruamel writes it in flow
    style) is left to ruamel."""
    if not value:
        raise _NotFast
    if isinstance(value, dict):
        _fast_mapping(value, col, out)
    else:
        _fast_sequence(value, col, out)


def _fast_sequence(items: Sequence[Any], dash: int, out: list[str]) -> None:
    prefix = " " * dash + "- "
    for item in items:
        if isinstance(item, dict):
            if not item:
                raise _NotFast
            _fast_mapping(item, dash + 2, out, first_prefix=prefix)
        elif isinstance(item, list | tuple) or (isinstance(item, str) and "\n" in item):
            raise _NotFast
        else:
            out.append(f"{prefix}{_fast_scalar(item, dash + 2)[1:]}\n")


def _fast_render(fields: dict[str, Any], field_order: Sequence[str]) -> tuple[str, dict[str, Any]] | None:
    """``(text, fields written)`` of a new record without the modeline, as render_new's ruamel path
    writes it, or None where that path must write it."""
    ordered = _ordered(fields, field_order)
    if not ordered:
        return None
    out: list[str] = []
    try:
        _fast_mapping(ordered, 0, out)
    except _NotFast:
        return None
    return "".join(out), {key: fields[key] for key in ordered}


# Characters a plain, quoted or literal scalar cannot carry faithfully: everything outside YAML's
# printable set (C0 and C1 controls, U+FFFE, U+FFFF), and the line breaks other than LF (CR, NEL,
# U+2028, U+2029), which YAML folds or normalises. BOM is refused inside a document. Such text is
# written double-quoted, where each of them has an escape.
_NEEDS_ESCAPES = _Lazy("[^\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd"
                       "\U00010000-\U0010ffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def text_scalar(value: str, like: Any = None, probe: bool = True) -> Any:
    """``value`` ready to dump so that it reads back exactly: multi-line text as a literal block
    (``|-`` when it does not end with a newline), the quoting style of ``like`` (a replaced
    quoted scalar) when it can carry the text, double quotes (with escapes) for text no other
    style can carry; ``probe=False`` leaves that check (dumping and loading the value alone) to a
    caller that reads the whole text back. Raises :class:`UsageError` for text that is not
    Unicode (lone surrogates, as from undecodable command-line bytes)."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

    bad = _SURROGATE.search(value)
    if bad:
        raise UsageError(f"text contains U+{ord(bad.group()):04X} at position {bad.start()}, which is not a "
                         "Unicode character (undecodable input?): write the text as UTF-8")
    if _NEEDS_ESCAPES.search(value):
        return DoubleQuotedScalarString(value)
    candidate: Any = value
    if "\n" in value:
        if value.endswith("\n\n") or not value.strip("\n"):
            # a keep-chomping block (|+) would take in the blank lines after it, and ruamel ends
            # the document after one (`...`), which cuts a file short in the middle
            return DoubleQuotedScalarString(value)
        candidate = LiteralScalarString(value)
    elif isinstance(like, str) and type(like) is not str and not _is_block_scalar(like):
        try:
            candidate = type(like)(value)
        except Exception:
            candidate = value
    if probe and type(candidate) is not str and not _scalar_reads_back(candidate, value):
        return DoubleQuotedScalarString(value)
    return candidate


def _scalar_reads_back(candidate: Any, value: str) -> bool:
    from ruamel.yaml.comments import CommentedMap

    probe = CommentedMap()
    probe["v"] = candidate
    try:
        loaded = _safe_yaml().load(dump_roundtrip(probe))
    except Exception:
        _reset()
        return False
    return isinstance(loaded, dict) and loaded.get("v") == value


def _plain_json(value: Any) -> str:
    import json

    return json.dumps(to_plain(value), sort_keys=True)


def _check_reads_back(text: str, expected: dict[str, Any]) -> None:
    """Refuse (with a declog error) to hand back text whose fields would read back otherwise
    than ``expected``: a file declog writes always says what it was asked to write."""
    loaded = load_record_text(text, "the new text")
    for key, value in expected.items():
        if _plain_json(loaded.get(key)) != _plain_json(value):
            raise UsageError(f"{key}: this value cannot be written as YAML that reads back the same; "
                             "simplify the text (control characters, unusual line breaks)")


def set_fields(text: str, display: str, changes: dict[str, Any], order: Sequence[str] = ()) -> str:
    """Change only the named top-level fields of a record; every other byte stays as it was.

    The file is parsed in round-trip mode only to find where each top-level field starts; the
    changed field's lines are then replaced in the text by the new ``key: value`` rendered with
    the same quoting (or flow) style, indentation, line endings and trailing comment. ``None``
    removes a field; a field that is not there yet goes after the nearest field that precedes it
    in ``order`` (the model's field order), or at the end.
    """
    from ruamel.yaml.comments import CommentedMap

    original = text
    doc = load_roundtrip(text, display)
    if _one_line_mapping(doc):  # `{id: ..., title: ...}`: no line of its own to replace
        for key, value in changes.items():
            if value is None:
                doc.pop(key, None)
            else:
                doc[key] = _styled_like(doc.get(key), value)
        text = dump_roundtrip(_exact_floats(doc))
        _check_changes(original, text, display, changes)
        return text
    nl = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    for key, value in changes.items():
        starts = sorted(doc.lc.key(k)[0] for k in doc)
        indent = " " * (doc.lc.key(next(iter(doc)))[1] if doc else 0)
        comment: tuple[int, str] | None = None
        if key in doc:
            value = _styled_like(doc[key], value)
            start = doc.lc.key(key)[0]
            indent = " " * doc.lc.key(key)[1]
            end = _value_end(lines, start, starts, doc.lc.key(key)[1], _is_block_scalar(doc[key]))
            comment = _trailing_comment(doc, key) if end == start + 1 else None
        else:
            value = _styled_like(None, value)
            start = end = len(lines)
            before = [k for k in order[: order.index(key)] if k in doc] if key in order else []
            if before:
                prev = before[-1]
                prev_start, prev_col = doc.lc.key(prev)
                start = end = _value_end(lines, prev_start, starts, prev_col, _is_block_scalar(doc[prev]))
            if start == len(lines) and lines and not lines[-1].endswith("\n"):
                lines[-1] += nl
        if value is None:
            new_lines: list[str] = []
        else:
            single = CommentedMap()
            single[key] = value
            rendered = dump_roundtrip(single).removesuffix("...\n")  # no document end mid-file
            new_lines = [indent + line.rstrip("\n") + nl for line in rendered.splitlines()]
            if comment is not None and len(new_lines) == 1:
                column, note = comment
                old_line = lines[start]
                gap = column - len(old_line[:column].rstrip()) if old_line[column:column + 1] == "#" else 2
                new_lines[0] = new_lines[0][: -len(nl)] + " " * max(gap, 1) + note + nl
        lines[start:end] = new_lines
        text = "".join(lines)
        doc = load_roundtrip(text, display)
        lines = text.splitlines(keepends=True)
    _check_changes(original, text, display, changes)
    return text


def _check_changes(original: str, text: str, display: str, changes: dict[str, Any]) -> None:
    """Refuse an edit that would not read back as asked: a changed field with another value, a
    removed field still there, or any other field changed."""
    _check_reads_back(text, {k: v for k, v in changes.items() if v is not None})
    after = load_record_text(text, display)
    gone = [k for k, v in changes.items() if v is None and k in after]
    if gone:
        raise UsageError(f"{gone[0]}: could not remove the field from {display}; edit the file by hand")
    try:
        before = load_record_text(original, display)
    except RecordFileError:
        return
    for key, value in before.items():
        if key not in changes and (key not in after or _plain_json(after[key]) != _plain_json(value)):
            raise UsageError(f"{key}: changing {', '.join(map(str, changes))} would also change this field; "
                             f"edit {display} by hand")


def _exact_floats(value: Any) -> Any:
    """``value`` with ruamel's formatted floats turned into plain floats, which it dumps with
    ``repr`` (exactly): re-dumping a ScalarFloat can change its last digit
    (``4.767187028938985e+16`` became ``4.767187028938984e+16``)."""
    from ruamel.yaml.scalarfloat import ScalarFloat

    if isinstance(value, ScalarFloat):
        return float(value)
    if isinstance(value, dict):
        for key in list(value):
            value[key] = _exact_floats(value[key])
    elif isinstance(value, list):
        for i, item in enumerate(value):
            value[i] = _exact_floats(item)
    return value


def _is_block_scalar(value: Any) -> bool:
    from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

    return isinstance(value, LiteralScalarString | FoldedScalarString)


def _one_line_mapping(doc: Any) -> bool:
    """True when the record is a flow mapping or two top-level keys share a line."""
    if getattr(doc, "fa", None) is not None and doc.fa.flow_style():
        return True
    key_lines = [doc.lc.key(k)[0] for k in doc]
    return len(set(key_lines)) != len(key_lines)


def _styled_like(old: Any, value: Any) -> Any:
    """``value`` ready to dump in place of ``old``: multi-line text as a literal block, the
    quoting of a replaced quoted scalar, the flow style of a replaced flow collection."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(value, str):
        return text_scalar(value, old)

    def flat(items: Any) -> bool:  # no nesting, no multi-line text (a literal block cannot sit in a flow)
        return all(not isinstance(v, dict | list) and not (isinstance(v, str) and "\n" in v) for v in items)

    flow = getattr(getattr(old, "fa", None), "flow_style", lambda: False)()
    if flow and isinstance(value, list) and flat(value):
        seq = CommentedSeq(_text_scalars(v) for v in value)
        seq.fa.set_flow_style()
        return seq
    if flow and isinstance(value, dict) and flat(value.values()):
        mapping = CommentedMap((k, _text_scalars(v)) for k, v in value.items())
        mapping.fa.set_flow_style()
        return mapping
    return _text_scalars(value)


def _text_scalars(value: Any) -> Any:
    """``value`` with every string in it made ready to dump (see :func:`text_scalar`)."""
    if isinstance(value, str):
        return text_scalar(value)
    if isinstance(value, dict):
        return {k: _text_scalars(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_text_scalars(v) for v in value]
    return value


_KEEP_HEADER = re.compile(r":[ \t]+[|>](?:[1-9]?\+|\+[1-9]?)[ \t]*(?:#.*)?$")


def _value_end(lines: list[str], start: int, key_starts: list[int], key_col: int = 0,
               block_scalar: bool = False) -> int:
    """The line after the last line that belongs to the top-level field starting at ``start``.

    Continuation lines are indented deeper than the key, or are ``-`` items of a block sequence
    written at the key's own indentation. Blank lines and comment lines belong to the field only
    when more of its lines follow them (or when they are the content of a block scalar), so
    comments between fields stay where they are.
    """
    later = [k for k in key_starts if k > start]
    limit = later[0] if later else len(lines)
    end = start + 1
    # the blank lines that end a keep-chomping block (``|+``, ``>+``) are part of its value
    keep = block_scalar and _KEEP_HEADER.search(lines[start].rstrip("\r\n")) is not None
    for i in range(start + 1, limit):
        line = lines[i].rstrip("\r\n")
        stripped = line.lstrip(" \t")
        depth = len(line) - len(stripped)
        if not stripped:
            if keep:
                end = i + 1
            continue
        if stripped.startswith("#") and not (block_scalar and depth > key_col):
            keep = False
            continue
        if depth > key_col or (depth == key_col and (stripped.startswith("- ") or stripped == "-")):
            end = i + 1
            continue
        break
    return end


def _trailing_comment(doc: Any, key: str) -> tuple[int, str] | None:
    """The end-of-line comment after a one-line field's value: its column and its text."""
    items = getattr(getattr(doc, "ca", None), "items", {})
    entry = items.get(key)
    token = entry[2] if entry and len(entry) >= 3 else None
    if token is None:
        value = doc.get(key)
        comment = getattr(getattr(value, "ca", None), "comment", None)  # flow collections
        token = comment[0] if comment else None
    if token is None:
        return None
    text = (getattr(token, "value", "") or "").split("\n", 1)[0].rstrip("\r").strip()
    if not text.startswith("#"):
        return None
    column = getattr(token, "column", None)
    if not isinstance(column, int):
        column = getattr(getattr(token, "start_mark", None), "column", 0)
    return (column if isinstance(column, int) else 0), text


# -- field paths: one value deep inside a record ---------------------------------------------

Loc = tuple[str | int, ...]


def apply_path(data: Any, loc: Sequence[str | int], value: Any, *, append: bool = True) -> Any:
    """``data`` (a loaded record, not changed) with the value at ``loc`` set to ``value``:
    ``None`` removes a mapping key or list item, an index equal to a list's length appends
    (with ``append``). Raises :class:`UsageError` for a path the data does not have."""
    import copy

    out = copy.deepcopy(data)
    node: Any = out
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(part, int):
            if node is None and part == 0:
                node = []
                _attach(out, loc[:i], node)
            if not isinstance(node, list):
                raise UsageError(f"{path_text(loc[:i])} in this record is not a list, so {path_text(loc)} "
                                 "cannot be set; fix the file first (`declog validate` names the problem)")
            if not 0 <= part <= len(node) or (part == len(node) and not (last and append)):
                count = f"{len(node)} item{'' if len(node) == 1 else 's'}"
                span = f", [0] to [{len(node) - 1}]" if node else ""
                raise UsageError(f"{path_text(loc[:i + 1])} is past the end: {path_text(loc[:i])} has {count}{span}"
                                 f"{f'; add one with {path_text(loc[:i])}+=' if i == 1 and not append else ''}")
            if last:
                if part == len(node):
                    node.append(value)
                elif value is None:
                    del node[part]
                else:
                    node[part] = value
                return out
            node = node[part]
        else:
            if not isinstance(node, dict):
                raise UsageError(f"{path_text(loc[:i])} in this record is not a mapping, so {path_text(loc)} "
                                 "cannot be set; fix the file first (`declog validate` names the problem)")
            if last:
                if value is None:
                    node.pop(part, None)
                else:
                    node[part] = value
                return out
            if part not in node and isinstance(loc[i + 1], int):
                node[part] = []
            elif part not in node:
                node[part] = {}
            node = node[part]
    return value


def to_plain_keep_dates(value: Any) -> Any:
    """Round-trip data as plain dicts and lists, dates kept as dates."""
    if isinstance(value, dict):
        return {str(k): to_plain_keep_dates(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain_keep_dates(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def _attach(root: Any, loc: Sequence[str | int], value: Any) -> None:
    node = root
    for part in loc[:-1]:
        node = node[part]
    node[loc[-1]] = value


def path_text(loc: Sequence[str | int]) -> str:
    """``action_items[1].status``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def set_path(text: str, display: str, loc: Sequence[str | int], value: Any, order: Sequence[str] = ()) -> str:
    """Set the value at a field path (``("action_items", 0, "status")``) and change only its
    lines: the key's line for a scalar, the new item's lines for an append (an index equal to
    the list's length). Comments, quoting and every other line stay. When the layout does not
    allow a line-level edit (flow collections, several keys on one line), the top-level field
    is rewritten as :func:`set_fields` does. Either way the result must read back as exactly
    the old data with that one value changed."""
    loc = tuple(loc)
    if len(loc) == 1:
        return set_fields(text, display, {str(loc[0]): value}, order)
    before = load_record_text(text, display)
    expected = apply_path(before, loc, value)
    try:
        edited = _edit_lines(text, display, loc, value)
    except (UsageError, RecordFileError):
        edited = None
    if edited is not None:
        try:
            if _plain_json(load_record_text(edited, display)) == _plain_json(expected):
                return edited
        except RecordFileError:
            pass
    top = str(loc[0])
    return set_fields(text, display, {top: expected.get(top)}, order)


def _edit_lines(text: str, display: str, loc: Loc, value: Any) -> str | None:
    """The line-level edit of :func:`set_path`, or ``None`` when the layout does not allow one."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    doc = load_roundtrip(text, display)
    if not isinstance(doc, CommentedMap) or _one_line_mapping(doc):
        return None
    nl = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += nl
    top = loc[0]
    if top not in doc:
        return None
    starts = sorted(doc.lc.key(k)[0] for k in doc)
    start, col = doc.lc.key(top)
    lo, hi = start, _value_end(lines, start, starts, col, _is_block_scalar(doc[top]))
    node: Any = doc[top]
    for i, part in enumerate(loc[1:], start=1):
        last = i == len(loc) - 1
        flow = getattr(getattr(node, "fa", None), "flow_style", lambda: False)()
        if flow:
            return None
        if isinstance(part, int):
            if not isinstance(node, CommentedSeq) or not node:
                return None
            item_lines = [node.lc.item(j)[0] for j in range(len(node))]
            item_col = node.lc.item(0)[1]
            first = lines[item_lines[0]]
            dash = first.rfind("-", 0, item_col)
            if dash < 0 or first[:dash].strip() or any(node.lc.item(j)[1] != item_col for j in range(len(node))):
                return None
            if part == len(node):  # append
                if not last:
                    return None
                end = _value_end(lines, item_lines[-1], [item_lines[-1], hi], dash, False)
                new = _render_item(value, dash, item_col, nl)
                if new is None:
                    return None
                lines[end:end] = new
                return "".join(lines)
            item_start = item_lines[part]
            bound = item_lines[part + 1] if part + 1 < len(node) else hi
            item_end = _value_end(lines, item_start, [item_start, bound], dash, _is_block_scalar(node[part]))
            if lines[item_start][:dash].strip() or lines[item_start][dash] != "-":
                return None  # an item that shares the line of another (`- - x`)
            if last:
                if value is None:
                    lines[item_start:item_end] = []
                else:
                    new = _render_item(_styled_like(node[part], value), dash, item_col, nl)
                    if new is None:
                        return None
                    lines[item_start:item_end] = new
                return "".join(lines)
            child = node[part]
            if getattr(getattr(child, "fa", None), "flow_style", lambda: False)() and item_end == item_start + 1:
                # `- {description: x, status: open}`: the item's one line is written again, as a flow
                changed = apply_path({"x": to_plain_keep_dates(child)}, ("x", *loc[i + 1:]), value)["x"]
                new = _render_item(_styled_like(child, changed), dash, item_col, nl)
                if new is None or len(new) != 1:
                    return None
                lines[item_start:item_end] = new
                return "".join(lines)
            lo, hi = item_start, item_end
            node = child
        else:
            if not isinstance(node, CommentedMap) or not node:
                return None
            key_lines = [node.lc.key(k)[0] for k in node]
            if len(set(key_lines)) != len(key_lines):
                return None
            key_col = node.lc.key(next(iter(node)))[1]
            if any(node.lc.key(k)[1] != key_col for k in node):
                return None
            bounds = sorted({*key_lines, hi})
            if part not in node:
                if not last or value is None:
                    return None
                last_key = list(node)[-1]
                ls, lc_ = node.lc.key(last_key)
                at = _value_end(lines, ls, bounds, lc_, _is_block_scalar(node[last_key]))
                new = _render_key(part, _styled_like(None, value), " " * key_col, key_col, nl)
                lines[at:at] = new
                return "".join(lines)
            ks = node.lc.key(part)[0]
            ke = _value_end(lines, ks, bounds, key_col, _is_block_scalar(node[part]))
            if last:
                prefix = lines[ks][:key_col]
                if value is None:
                    if prefix.strip():
                        return None  # the first key of a list item carries its dash
                    lines[ks:ke] = []
                    return "".join(lines)
                new = _render_key(part, _styled_like(node[part], value), prefix, key_col, nl)
                comment = _trailing_comment(node, part) if ke == ks + 1 else None
                if comment is not None and len(new) == 1:
                    column, note = comment
                    old_line = lines[ks]
                    gap = column - len(old_line[:column].rstrip()) if old_line[column:column + 1] == "#" else 2
                    new[0] = new[0][: -len(nl)] + " " * max(gap, 1) + note + nl
                lines[ks:ke] = new
                return "".join(lines)
            lo, hi = ks, ke
            node = node[part]
    del lo
    return None


def _render_key(key: str, value: Any, prefix: str, col: int, nl: str) -> list[str]:
    """``key: value`` as lines: the first after ``prefix``, the others indented by ``col``."""
    from ruamel.yaml.comments import CommentedMap

    single = CommentedMap()
    single[key] = value
    rendered = dump_roundtrip(single).removesuffix("...\n").splitlines()
    return [(prefix if i == 0 else " " * col) + line + nl for i, line in enumerate(rendered)]


def _render_item(value: Any, dash: int, col: int, nl: str) -> list[str] | None:
    """One list item (``- …``) as lines, its dash at column ``dash`` and its content at ``col``."""
    from ruamel.yaml.comments import CommentedMap

    if col - dash != 2:
        return None
    holder = CommentedMap()
    holder["x"] = [value if isinstance(value, str) or hasattr(value, "fa") else _text_scalars(value)]
    rendered = dump_roundtrip(holder).removesuffix("...\n").splitlines()[1:]
    # the dumper writes items as `  - ` (dash at 2, content at 4)
    if not rendered or not rendered[0].startswith("  - "):
        return None
    shift = dash - 2
    out = []
    for line in rendered:
        if shift >= 0:
            out.append(" " * shift + line + nl)
        elif line[: -shift].strip():
            return None
        else:
            out.append(line[-shift:] + nl)
    return out
