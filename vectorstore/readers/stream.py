"""Reading a file line by line in constant memory, with the file and line in every error.

Lines end at ``\\n`` only (as JSON Lines and CSV define them): U+2028, NEL, VT or FS inside a
line are text, so reported line numbers match what an editor shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from vectorstore.readers.base import ReaderError
from vectorstore.readers.limits import MAX_RECORD_BYTES
from vectorstore.readers.options import ReadOptions

BOM = b"\xef\xbb\xbf"


def open_binary(path: Path) -> BinaryIO:
    """Open for reading, or raise ReaderError saying why not (one line, no traceback)."""
    try:
        if path.is_dir():
            raise ReaderError(path, None, "is a directory, not a file")
        return path.open("rb")
    except FileNotFoundError:
        raise ReaderError(path, None, "no such file") from None
    except OSError as exc:
        raise ReaderError(path, None, f"cannot read file ({exc.strerror or exc})") from None


def raw_lines(path: Path, options: ReadOptions) -> Iterator[tuple[int, bytes]]:
    """(line number, bytes) of each line, a leading BOM dropped; a line longer than
    ``MAX_RECORD_BYTES`` is a bad record, skipped without ever being held whole."""
    with open_binary(path) as fh:
        number = 0
        while raw := fh.readline(MAX_RECORD_BYTES + 1):
            number += 1
            if number == 1 and raw.startswith(BOM):
                raw = raw[len(BOM) :]
            if len(raw) > MAX_RECORD_BYTES and not raw.endswith(b"\n"):
                while (rest := fh.readline(1 << 20)) and not rest.endswith(b"\n"):
                    pass
                options.bad_record(
                    ReaderError(
                        path, number, f"line is longer than {MAX_RECORD_BYTES >> 20} MiB (skipped)"
                    )
                )
                continue
            yield number, raw


def text_lines(path: Path, options: ReadOptions) -> Iterator[tuple[int, str]]:
    """(line number, text) of each line, decoded as UTF-8 (a leading BOM is dropped).

    A line that is not valid UTF-8 is a bad record: reported with its number and skipped
    (fatal with ``strict``).
    """
    for number, raw in raw_lines(path, options):
        try:
            yield number, raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            options.bad_record(ReaderError(path, number, undecodable(raw, exc)))


def undecodable(raw: bytes, exc: UnicodeDecodeError) -> str:
    """The reason for a line that is not UTF-8, naming the byte and its column."""
    return f"not valid UTF-8 text (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})"


def count_lines(path: Path, startswith: bytes | None = None) -> int:
    """Lines in a file (or lines starting with a prefix), read in 1 MiB blocks: an ETA's total."""
    total = 0
    prev = b"\n"
    with open_binary(path) as fh:
        while block := fh.read(1 << 20):
            if startswith is None:
                total += block.count(b"\n")
            else:
                total += (prev[-1:] + block).count(b"\n" + startswith)
            prev = block
    if startswith is None and prev and not prev.endswith(b"\n"):
        total += 1
    return total
