"""Readers turn files into papers. Each format is one module, registered here by name and suffix."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from vectorstore.papers import Paper
from vectorstore.readers.base import ReaderError, read_text
from vectorstore.readers.digest import read_digest

ReaderFn = Callable[[Path], Iterator[Paper]]

READERS: dict[str, ReaderFn] = {"digest": read_digest}
SUFFIXES: dict[str, str] = {".txt": "digest", ".digest": "digest"}


def register(name: str, reader: ReaderFn, suffixes: tuple[str, ...] = ()) -> None:
    """Add a reader; later issues' formats (JSONL, CSV, BibTeX, arXiv) plug in here."""
    READERS[name] = reader
    for suffix in suffixes:
        SUFFIXES[suffix.lower()] = name


def detect_format(path: Path) -> str:
    name = SUFFIXES.get(path.suffix.lower())
    if name is None:
        known = ", ".join(sorted(SUFFIXES))
        raise ReaderError(
            path,
            None,
            f"unknown file type {path.suffix or '(none)'!r}; known: {known} (or pass --format)",
        )
    return name


def read_papers(path: str | Path, fmt: str | None = None) -> list[Paper]:
    """Read every paper of one file, or raise ReaderError naming the file and line."""
    p = Path(path)
    name = fmt or detect_format(p)
    if name not in READERS:
        raise ReaderError(p, None, f"unknown format {name!r}; known: {', '.join(sorted(READERS))}")
    return list(READERS[name](p))


__all__ = ["READERS", "ReaderError", "detect_format", "read_papers", "read_text", "register"]
