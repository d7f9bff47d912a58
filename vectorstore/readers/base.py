"""What every reader shares: the error type that names the file and line, and its warning kind."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from vectorstore.papers import Paper

if TYPE_CHECKING:
    from vectorstore.readers.options import ReadOptions


class ReaderError(ValueError):
    """A file or record that cannot be read as papers; the message names the file and line."""

    def __init__(self, path: str | Path, line: int | None, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.reason = message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


class ReaderWarning(ReaderError):
    """A record that was kept, but not exactly as written (a field dropped, an abstract cut)."""


class Reader(Protocol):
    """A reader turns one file into papers, reporting bad records as ``options`` says."""

    def __call__(self, path: Path, options: ReadOptions) -> Iterator[Paper]: ...
