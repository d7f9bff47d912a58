"""Text from papers, LLMs and users made safe to show: every front end displays it literally.

Titles, abstracts, answers and file names are data. A terminal must not act on an escape
sequence in a title (clear the screen, retitle the window, plant a hyperlink), a bidi override
must not reorder what the reader sees, and a JSON consumer must not meet raw C1 controls or
lone surrogates. Such characters are shown as visible escapes (``\\x1b``, ``\\u202e``) instead
of being dropped, so nothing is hidden from the reader. Rich markup is a separate matter: the
terminal front ends print untrusted text as ``rich.text.Text``, never as a markup string.
"""

from __future__ import annotations

import json
import re
from typing import Any

# Lone surrogates (unprintable; they crash an encoder), the Unicode line and paragraph
# separators, and the bidirectional marks, embeddings, overrides and isolates.
_UNICODE = "\ud800-\udfff\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_UNSAFE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_UNICODE}]")  # C0, DEL, C1 and the above
_UNSAFE_TEXT = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_UNICODE}]")  # keeps \t and \n
_UNSAFE_JSON = re.compile(f"[\x7f-\x9f{_UNICODE}]")  # what json.dumps leaves unescaped


_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, *, multiline: bool = False) -> str:
    """``text`` with every control, bidi and separator character shown as an escape.

    One-line values (titles, names, ids) escape newlines and tabs too; ``multiline`` text
    (answers, abstracts) keeps ``\\n`` and ``\\t`` (a ``\\r\\n`` counts as ``\\n``).
    """
    if multiline:
        return _UNSAFE_TEXT.sub(_escape, text.replace("\r\n", "\n"))
    return _UNSAFE_LINE.sub(_escape, text)


def json_dumps(value: Any, *, indent: int | None = None) -> str:
    """``json.dumps`` (non-ASCII kept readable) with C1 controls, bidi controls, separators and
    lone surrogates written as ``\\u`` escapes: the same data, safe to print and to parse."""
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    return _UNSAFE_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
