"""CSV (or TSV) with a header row; column names map to paper fields (``--field title=name``).

A row may span lines (a quoted cell with line breaks). When a multi-line row turns out bad (an
unclosed quote swallows the rows after it, so the cell count is wrong), the row's first line is
reported and reading resumes on its second line, so the rows it swallowed are still read.
"""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Iterator
from pathlib import Path

from vectorstore.papers import Paper
from vectorstore.readers.base import ReaderError
from vectorstore.readers.limits import MAX_RECORD_BYTES, MAX_RECORD_LINES
from vectorstore.readers.options import ReadOptions
from vectorstore.readers.records import paper_from_record
from vectorstore.readers.stream import text_lines

# The csv module's default cell limit (128 KiB) is too small for some exports; ours is per record.
csv.field_size_limit(MAX_RECORD_BYTES)


class _TooLong(Exception):
    pass


class _Rows:
    """Rows with the lines each was read from; lines can be put back to be read again."""

    def __init__(self, path: Path, options: ReadOptions) -> None:
        self.source = text_lines(path, options)
        self.pending: deque[tuple[int, str]] = deque()
        self.current: list[tuple[int, str]] = []
        self.size = 0
        delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
        self.reader = csv.reader(self._lines(), delimiter=delimiter)
        self.delimiter = delimiter

    def _lines(self) -> Iterator[str]:
        while True:
            if self.pending:
                item = self.pending.popleft()
            else:
                found = next(self.source, None)
                if found is None:
                    return
                item = found
            self.current.append(item)
            self.size += len(item[1])
            if self.size > MAX_RECORD_BYTES or len(self.current) > MAX_RECORD_LINES:
                raise _TooLong
            yield item[1]

    def next(self) -> tuple[int, list[str] | None, str | None]:
        """(first line, cells or None, what went wrong or None); StopIteration at the end."""
        self.current, self.size = [], 0
        try:
            row = next(self.reader)
        except csv.Error as exc:
            return self._first_line(), None, f"malformed CSV row ({exc})"
        except _TooLong:
            self.reader = csv.reader(self._lines(), delimiter=self.delimiter)
            return (
                self._first_line(),
                None,
                f"row is longer than {MAX_RECORD_LINES} lines or {MAX_RECORD_BYTES >> 20} MiB "
                "(an unclosed quote?)",
            )
        return self._first_line(), row, None

    def _first_line(self) -> int:
        return self.current[0][0] if self.current else 0

    def resume_after_first_line(self) -> None:
        """Read the current row's lines again, but the first: the rows it swallowed."""
        if len(self.current) > 1:
            self.pending.extendleft(reversed(self.current[1:]))
        self.reader = csv.reader(self._lines(), delimiter=self.delimiter)


def read_csv(path: Path, options: ReadOptions) -> Iterator[Paper]:
    """Rows of a CSV file (TSV if the suffix is ``.tsv``), streamed; line numbers are the file's."""
    rows = _Rows(path, options)
    header: list[str] | None = None
    while header is None:
        try:
            line, cells, problem = rows.next()
        except StopIteration:
            raise ReaderError(
                path, 1, "the file is empty: expected a header row of column names"
            ) from None
        if problem:
            raise ReaderError(path, line or 1, f"unreadable CSV header: {problem}")
        if cells and any(c.strip() for c in cells):
            header = cells
    columns = [h.strip() for h in header]
    wanted = [options.field_name(f) for f in ("title", "abstract")]
    absent = [w for w in wanted if w not in columns]
    if absent:
        raise ReaderError(
            path,
            line,
            f"no column named {' or '.join(repr(a) for a in absent)} in the header "
            f"({', '.join(repr(c[:40]) for c in columns[:12])}); "
            "map yours with --field title=COLUMN --field abstract=COLUMN",
        )
    while True:
        try:
            line, cells, problem = rows.next()
        except StopIteration:
            return
        if cells is not None and not any(cell.strip() for cell in cells):
            continue
        if cells is not None and len(cells) != len(columns):
            problem = f"row has {len(cells)} cells, the header has {len(columns)}"
        if problem:
            options.bad_record(ReaderError(path, line, problem))
            rows.resume_after_first_line()
            continue
        assert cells is not None
        paper = paper_from_record(dict(zip(columns, cells)), path, line, options)
        if paper is not None:
            yield paper
