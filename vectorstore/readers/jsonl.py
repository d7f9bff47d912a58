"""JSON Lines (one object per line) and JSON arrays of objects, streamed in constant memory."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vectorstore.papers import Paper
from vectorstore.readers.base import ReaderError
from vectorstore.readers.options import ReadOptions
from vectorstore.readers.records import paper_from_record
from vectorstore.readers.stream import open_binary, text_lines

_BLOCK = 1 << 20
_SEPARATORS = re.compile(r"[\s,]*")


def json_lines(path: Path, options: ReadOptions) -> Iterator[tuple[int, Any]]:
    """(line number, decoded value) of each non-blank line; invalid JSON is a bad record."""
    for number, line in text_lines(path, options):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            options.bad_record(ReaderError(path, number, f"invalid JSON ({exc.msg})"))


def read_jsonl(path: Path, options: ReadOptions) -> Iterator[Paper]:
    """One JSON object per line; blank lines are ignored. A file starting with ``[`` is an array."""
    with open_binary(path) as fh:
        head = fh.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
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


def read_json_array(path: Path, options: ReadOptions) -> Iterator[Paper]:
    """``[{...}, {...}]`` decoded element by element from 1 MiB blocks, never the whole file.

    An element that is not a paper is skipped; broken JSON syntax ends the file (there is no
    reliable place to resume), reported with its line.
    """
    decoder = json.JSONDecoder()
    buf = ""
    pos = 0  # where the unread part of buf starts
    line = 1  # line number at pos
    started = False
    with open_binary(path) as raw:
        fh = io.TextIOWrapper(raw, encoding="utf-8-sig")
        eof = False

        def more() -> bool:
            nonlocal buf, pos, eof
            if eof:
                return False
            try:
                block = fh.read(_BLOCK)
            except UnicodeDecodeError as exc:
                raise ReaderError(path, line, f"not valid UTF-8 text ({exc.reason})") from None
            if not block:
                eof = True
                return False
            buf, pos = buf[pos:] + block, 0
            return True

        while True:
            m = _SEPARATORS.match(buf, pos)
            end = m.end() if m else pos
            line += buf.count("\n", pos, end)
            pos = end
            if pos >= len(buf):
                if more():
                    continue
                raise ReaderError(path, line, "the JSON array is not closed with ']'")
            if not started:
                if buf[pos] != "[":
                    raise ReaderError(path, line, "expected a JSON array of objects")
                pos, started = pos + 1, True
                continue
            if buf[pos] == "]":
                return
            try:
                record, end = decoder.raw_decode(buf, pos)
            except json.JSONDecodeError as exc:
                if more():
                    continue  # the element may continue in the next block
                raise ReaderError(
                    path,
                    exc.lineno + line - 1 - buf.count("\n", 0, pos),
                    f"invalid JSON ({exc.msg})",
                ) from None
            paper = paper_from_record(record, path, line, options)
            line += buf.count("\n", pos, end)
            pos = end
            if paper is not None:
                yield paper
