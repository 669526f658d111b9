"""The characters that must never reach a terminal, or a one-line cell, as they are.

Control characters (C0 and C1, DEL) drive terminals: ``ESC`` sequences retitle the window or
write the clipboard, ``CR`` moves back over the start of the line. Bidirectional overrides
(U+202E and friends) reorder the text around them, so what is shown is not what is stored, and
the Unicode line and paragraph separators (U+2028, U+2029) break lines in editors, browsers and
Markdown. Each is spelled as ``\\uXXXX``, which is also a JSON string escape, so JSON output still
parses to the exact text. Imports nothing.
"""

from __future__ import annotations

_BIDI = [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_SEPARATORS = [0x2028, 0x2029]
_ALL = [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0), *_BIDI, *_SEPARATORS]

# for a stream: newline and tab keep their meaning, everything else is spelled out
CONTROLS: dict[int, str] = {code: f"\\u{code:04x}" for code in _ALL if chr(code) not in ("\n", "\t")}
# for one cell of a table: newline and tab too (a newline in a title would start a fake row)
IN_A_LINE: dict[int, str] = {code: f"\\u{code:04x}" for code in _ALL}
IN_A_LINE[ord("\n")] = "\\n"
IN_A_LINE[ord("\t")] = "\\t"
IN_A_LINE[ord("\r")] = "\\r"


def visible(text: str) -> str:
    """``text`` with every character of :data:`CONTROLS` spelled out."""
    return text.translate(CONTROLS)


def one_line(text: str) -> str:
    """``text`` as one line: line breaks and tabs spelled too (``\\n``, ``\\t``)."""
    return text.translate(IN_A_LINE)
