"""What every reader shares: the error type that names the file and line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from vectorstore.papers import Paper


class ReaderError(ValueError):
    """A file that cannot be read as papers; the message names the file and line."""

    def __init__(self, path: str | Path, line: int | None, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.reason = message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


class Reader(Protocol):
    """A reader turns one file into papers. It raises ReaderError for a malformed file."""

    def __call__(self, path: Path) -> Iterator[Paper]: ...


def read_text(path: Path) -> str:
    """Read a file as UTF-8 (BOM tolerated); undecodable bytes are reported with their line."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ReaderError(path, None, "no such file") from None
    except IsADirectoryError:
        raise ReaderError(path, None, "is a directory, not a file") from None
    except OSError as exc:
        raise ReaderError(path, None, f"cannot read file ({exc.strerror})") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ReaderError(
            path, line, f"not valid UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
        ) from None
