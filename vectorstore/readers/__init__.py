"""Readers turn files into papers. Each format is one module, registered here by name and suffix.

Every reader is called as ``reader(path, options)`` and yields papers one at a time, so a
multi-GB file is never held in memory. A bad record is reported with its file and line and
skipped (fatal with ``ReadOptions.strict``); only a file that cannot be read at all (missing, a
directory, empty, no usable header) raises ``ReaderError``. What one record may cost is bounded
(``limits.py``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from vectorstore.papers import Paper
from vectorstore.readers.arxiv import read_arxiv
from vectorstore.readers.base import ReaderError, ReaderWarning
from vectorstore.readers.bibtex import estimate_bibtex, read_bibtex
from vectorstore.readers.csv_reader import read_csv
from vectorstore.readers.digest import estimate_digest, read_digest
from vectorstore.readers.jsonl import read_json, read_jsonl
from vectorstore.readers.options import FIELDS, ReadOptions, parse_field_map
from vectorstore.readers.stream import BOM, count_lines, open_binary

ReaderFn = Callable[[Path, ReadOptions], Iterator[Paper]]
EstimateFn = Callable[[Path], "int | None"]


@dataclass(frozen=True)
class ReaderSpec:
    name: str
    read: ReaderFn
    streaming: bool = True  # False: the whole file is validated before any paper is indexed
    estimate: EstimateFn | None = None  # a quick upper bound on the paper count (progress/ETA)


READERS: dict[str, ReaderSpec] = {}
SUFFIXES: dict[str, str] = {}


def _checked(name: str, read: ReaderFn) -> ReaderFn:
    """The reader, turning any failure it did not foresee into one ReaderError (the file, the
    last line read and the cause) instead of a traceback."""

    def run(path: Path, options: ReadOptions) -> Iterator[Paper]:
        line = None
        try:
            for paper in read(path, options):
                line = paper.line
                yield paper
        except ReaderError:
            raise
        except Exception as exc:  # a bug in a reader: one clear line rather than a traceback
            after = f" after line {line}" if line is not None else ""
            raise ReaderError(
                path,
                None,
                f"the {name} reader failed{after} ({type(exc).__name__}: {str(exc)[:200]!r}); "
                "this is a bug, please report it",
            ) from exc

    return run


def register(
    name: str,
    reader: ReaderFn,
    suffixes: tuple[str, ...] = (),
    *,
    streaming: bool = True,
    estimate: EstimateFn | None = None,
) -> None:
    """Add a reader for a format name and the file suffixes that imply it."""
    READERS[name] = ReaderSpec(name, _checked(name, reader), streaming, estimate)
    for suffix in suffixes:
        SUFFIXES[suffix.lower()] = name


def _sniff_arxiv(path: Path) -> bool:
    """A JSON Lines file whose first record has the arXiv snapshot's fields."""
    try:
        with open_binary(path) as fh:
            first = fh.readline(1 << 20).decode("utf-8-sig", "replace")
        record = json.loads(first)
    except (ReaderError, ValueError, RecursionError):
        return False
    return isinstance(record, dict) and {"id", "abstract", "update_date"} <= set(record)


def _check_path(path: Path) -> None:
    """Refuse what cannot be read at all before any file is read: ``ingest`` calls
    ``reader_for`` for every file first, so such a file stops it before anything is added."""
    if path.is_dir():
        raise ReaderError(path, None, "is a directory, not a file (name the files in it)")
    if not path.exists():
        raise ReaderError(path, None, "no such file")
    with open_binary(path) as fh:
        head = fh.read(1 << 16)
        if not head.removeprefix(BOM).strip() and not fh.read(1):
            raise ReaderError(path, None, "the file is empty")


def detect_format(path: Path) -> str:
    _check_path(path)
    name = SUFFIXES.get(path.suffix.lower())
    if name is None:
        known = ", ".join(sorted(SUFFIXES))
        raise ReaderError(
            path,
            None,
            f"unknown file type {path.suffix or '(none)'!r}; known: {known} (or pass --format)",
        )
    if name in ("jsonl", "json") and _sniff_arxiv(path):
        return "arxiv"
    return name


def reader_for(path: str | Path, fmt: str | None = None) -> ReaderSpec:
    p = Path(path)
    if fmt:
        _check_path(p)
    name = (fmt or detect_format(p)).lower()
    if name not in READERS:
        raise ReaderError(p, None, f"unknown format {name!r}; known: {', '.join(sorted(READERS))}")
    return READERS[name]


def iter_papers(
    path: str | Path, fmt: str | None = None, options: ReadOptions | None = None
) -> Iterator[Paper]:
    """Papers of one file, one at a time; bad records are handled as ``options`` says."""
    p = Path(path)
    return reader_for(p, fmt).read(p, options or ReadOptions())


def read_papers(
    path: str | Path, fmt: str | None = None, options: ReadOptions | None = None
) -> list[Paper]:
    """Every paper of one (small) file, or raise ReaderError naming the file and line."""
    return list(iter_papers(path, fmt, options or ReadOptions(strict=True)))


def _count_json(path: Path) -> int:
    """A parse-only pass: JSON arrays have no cheap record count, and exports are modest in size."""
    return sum(1 for _ in read_json(path, ReadOptions()))


def estimate_count(path: str | Path, fmt: str | None = None) -> int | None:
    spec = reader_for(path, fmt)
    return spec.estimate(Path(path)) if spec.estimate else None


register("digest", read_digest, (".txt", ".digest"), estimate=estimate_digest)
register("jsonl", read_jsonl, (".jsonl", ".ndjson"), estimate=count_lines)
register("json", read_json, (".json",), estimate=_count_json)
register("csv", read_csv, (".csv", ".tsv"), estimate=count_lines)
register("bibtex", read_bibtex, (".bib", ".bibtex"), estimate=estimate_bibtex)
register("arxiv", read_arxiv, (), estimate=count_lines)

__all__ = [
    "FIELDS",
    "READERS",
    "ReadOptions",
    "ReaderError",
    "ReaderSpec",
    "ReaderWarning",
    "detect_format",
    "estimate_count",
    "iter_papers",
    "parse_field_map",
    "read_papers",
    "reader_for",
    "register",
]
