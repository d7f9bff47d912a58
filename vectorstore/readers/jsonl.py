"""JSON Lines (one object per line) and JSON arrays of objects, streamed in constant memory.

Every decoding failure is one bad record named by file and line (with the column for syntax
errors): invalid syntax, numbers past Python's 4,300-digit limit, nesting deeper than
``MAX_JSON_DEPTH``, undecodable bytes. In an array, a broken element is skipped and reading
resumes at the next element.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vectorstore.papers import Paper
from vectorstore.readers.base import ReaderError
from vectorstore.readers.limits import MAX_JSON_DEPTH, MAX_RECORD_BYTES
from vectorstore.readers.options import ReadOptions
from vectorstore.readers.records import paper_from_record
from vectorstore.readers.stream import BOM, open_binary, text_lines

_BLOCK = 1 << 20
_SEPARATORS = re.compile(r"[\s,]*")
# What delimits JSON values: strings (which cannot span lines), brackets, commas, newlines.
# (The string pattern always matches, so scanning never backtracks.)
_STRUCTURE = re.compile(r'"(?:[^"\\\n]|\\.)*(?:"|(?=\n)|\\?\Z)|[][{},\n]', re.DOTALL)
_STRING_BODY = re.compile(r'(?:[^"\\\n]|\\.)*', re.DOTALL)
_MARKS = re.compile(r'["{}[\],]')
_UNDECODABLE = re.compile(r"[\udc80-\udcff]")  # bytes that were not UTF-8 (surrogateescape)


class _Invalid(ValueError):
    """Why a JSON text could not be decoded, said for a user; ``lineno`` within the text."""

    def __init__(self, reason: str, lineno: int = 1) -> None:
        super().__init__(reason)
        self.lineno = lineno


def _column_reason(exc: json.JSONDecodeError, doc: str, column: int) -> str:
    what = exc.msg.removesuffix(" at")
    if what.startswith("Invalid control character") and exc.pos < len(doc):
        what = f"{what} {doc[exc.pos]!r}"
    return f"invalid JSON ({what} at column {exc.colno + (column if exc.lineno == 1 else 0)})"


def decode(text: str, column: int = 0) -> Any:
    """``json.loads`` with every failure as _Invalid (syntax, huge numbers, deep nesting);
    ``column`` is where ``text`` starts on its line, for the error's column."""
    if text.count("[") + text.count("{") > MAX_JSON_DEPTH and _depth(text) > MAX_JSON_DEPTH:
        raise _Invalid(f"invalid JSON (nested more than {MAX_JSON_DEPTH} levels deep)")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _Invalid(_column_reason(exc, text, column), exc.lineno) from None
    except RecursionError:
        raise _Invalid(f"invalid JSON (nested more than {MAX_JSON_DEPTH} levels deep)") from None
    except ValueError as exc:
        if "digits" in str(exc):
            raise _Invalid("invalid JSON (a number with more than 4,300 digits)") from None
        raise _Invalid(f"invalid JSON ({exc})") from None


def _depth(text: str) -> int:
    """The deepest bracket nesting outside strings."""
    depth = deepest = 0
    for m in _STRUCTURE.finditer(text):
        token = m.group()
        if token in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif token in "]}":
            depth -= 1
    return deepest


def json_lines(path: Path, options: ReadOptions) -> Iterator[tuple[int, Any]]:
    """(line number, decoded value) of each non-blank line; undecodable JSON is a bad record."""
    for number, line in text_lines(path, options):
        if not line.strip():
            continue
        try:
            yield number, decode(line)
        except _Invalid as exc:
            options.bad_record(ReaderError(path, number, str(exc)))


def read_jsonl(path: Path, options: ReadOptions) -> Iterator[Paper]:
    """One JSON object per line; blank lines are ignored. A file starting with ``[`` is an array."""
    with open_binary(path) as fh:
        head = fh.read(64).removeprefix(BOM).lstrip(b" \t\r\n")
    if head.startswith(b"["):
        yield from read_json_array(path, options)
        return
    for number, record in json_lines(path, options):
        paper = paper_from_record(record, path, number, options)
        if paper is not None:
            yield paper


def read_json(path: Path, options: ReadOptions) -> Iterator[Paper]:
    """A ``.json`` file: an array of objects (or, leniently, JSON Lines)."""
    yield from read_jsonl(path, options)


class _Buffer:
    """The unread part of a JSON array file, decoded lazily in 1 MiB blocks."""

    def __init__(self, fh: io.TextIOWrapper) -> None:
        self.fh = fh
        self.text = ""
        self.pos = 0
        self.line = 1  # line number at pos
        self.eof = False

    def more(self) -> bool:
        if self.eof:
            return False
        block = self.fh.read(_BLOCK)
        if not block:
            self.eof = True
            return False
        self.text, self.pos = self.text[self.pos :] + block, 0
        return True

    def advance(self, end: int) -> None:
        self.line += self.text.count("\n", self.pos, end)
        self.pos = end


def _element_end(
    text: str, start: int, scan: int, depth: int, in_string: bool
) -> tuple[int | None, int, int, bool]:
    """Where the array element starting at ``start`` ends, scanning from ``scan`` (at bracket
    ``depth``, maybe inside a string): (index just past it, or None if it goes on past ``text``;
    where to resume scanning; the depth and whether in a string there)."""
    i, n = scan, len(text)
    while True:
        if in_string:
            body = _STRING_BODY.match(text, i)
            e = body.end() if body else i
            if e >= n - (text[-1:] == "\\"):
                return None, e, depth, True  # cut by the block's end (a lone "\\" is re-read)
            i, in_string = (e + 1 if text[e] == '"' else e), False  # a string cannot span lines
            continue
        m = _MARKS.search(text, i)
        if m is None:
            return None, n, depth, False
        ch, i = m.group(), m.end()
        if ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            if depth == 0:
                # the array's own "]" after a bare value; a stray "}" is an element of its own
                end = m.start() if m.start() > start or ch == "]" else m.end()
                return end, end, 0, False
            depth -= 1
            if depth == 0:
                return m.end(), m.end(), 0, False
        elif depth == 0:  # ","
            return m.start(), m.start(), 0, False


def read_json_array(path: Path, options: ReadOptions) -> Iterator[Paper]:
    """``[{...}, {...}]`` decoded element by element from 1 MiB blocks, never the whole file.

    An element that is not a paper, or not valid JSON, is a bad record; reading resumes at the
    next element (elements are delimited by brackets and strings, which cannot span lines). An
    element larger than ``MAX_RECORD_BYTES`` is scanned to its end without being kept.
    """
    with open_binary(path) as raw:
        buf = _Buffer(io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape"))
        started = False
        while True:
            m = _SEPARATORS.match(buf.text, buf.pos)
            buf.advance(m.end() if m else buf.pos)
            if buf.pos >= len(buf.text):
                if buf.more():
                    continue
                options.bad_record(
                    ReaderError(
                        path, buf.line, "the JSON array is not closed with ']' (truncated?)"
                    )
                )
                return
            if not started:
                if buf.text[buf.pos] != "[":
                    raise ReaderError(path, buf.line, "expected a JSON array of objects")
                buf.advance(buf.pos + 1)
                started = True
                continue
            if buf.text[buf.pos] == "]":
                _after_the_array(buf, path, options)
                return
            start_line = buf.line
            column = buf.pos - (buf.text.rfind("\n", 0, buf.pos) + 1)
            element_at, offset, depth, in_string, oversized = buf.pos, 0, 0, False, False
            while True:
                end, resume, depth, in_string = _element_end(
                    buf.text, element_at, buf.pos + offset, depth, in_string
                )
                if end is not None:
                    break
                offset = resume - buf.pos
                if offset > MAX_RECORD_BYTES:  # keep scanning, but forget what was scanned
                    oversized = True
                    buf.advance(resume)
                    offset = 0
                if not buf.more():
                    break
            if end is None:
                options.bad_record(
                    ReaderError(
                        path, start_line, "the JSON array is not closed with ']' (truncated?)"
                    )
                )
                return
            end = max(end, buf.pos + 1)  # never stand still on an unexpected character
            if oversized:
                buf.advance(end)
                options.bad_record(
                    ReaderError(
                        path,
                        start_line,
                        f"array element is larger than {MAX_RECORD_BYTES >> 20} MiB (skipped)",
                    )
                )
                continue
            text = buf.text[buf.pos : end]
            buf.advance(end)
            paper = _element_paper(text, path, start_line, column, options)
            if paper is not None:
                yield paper


def _after_the_array(buf: _Buffer, path: Path, options: ReadOptions) -> None:
    """Text after the closing ``]`` (a second array, say) is reported, not silently ignored."""
    buf.advance(buf.pos + 1)
    while True:
        rest = buf.text[buf.pos :]
        if rest.strip():
            buf.advance(buf.pos + len(rest) - len(rest.lstrip()))
            options.bad_record(
                ReaderError(path, buf.line, "text after the JSON array's closing ']' (not read)")
            )
            return
        buf.advance(len(buf.text))
        if not buf.more():
            return


def _element_paper(
    text: str, path: Path, line: int, column: int, options: ReadOptions
) -> Paper | None:
    bad = _UNDECODABLE.search(text)
    if bad:
        byte = ord(bad.group()) - 0xDC00
        where = line + text.count("\n", 0, bad.start())
        options.bad_record(ReaderError(path, where, f"not valid UTF-8 text (byte 0x{byte:02x})"))
        return None
    try:
        record = decode(text, column)
    except _Invalid as exc:
        options.bad_record(ReaderError(path, line + exc.lineno - 1, str(exc)))
        return None
    return paper_from_record(record, path, line, options)
