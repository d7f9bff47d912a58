"""CSV (or TSV) with a header row; column names map to paper fields (``--field title=name``)."""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from pathlib import Path

from vectorstore.papers import Paper
from vectorstore.readers.base import ReaderError
from vectorstore.readers.options import ReadOptions
from vectorstore.readers.records import paper_from_record
from vectorstore.readers.stream import text_lines

# abstracts can be long; the csv module's default field limit (128 KiB) is too small for some exports
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def read_csv(path: Path, options: ReadOptions) -> Iterator[Paper]:
    """Rows of a CSV file (TSV if the suffix is ``.tsv``), streamed; line numbers are the file's."""
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    numbers: list[int] = [0]

    def lines() -> Iterator[str]:
        for number, text in text_lines(path, options):
            numbers[0] = number
            yield text

    reader = csv.reader(lines(), delimiter=delimiter)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise ReaderError(path, 1, f"unreadable CSV header ({exc})") from None
    if not header or not any(h.strip() for h in header):
        raise ReaderError(path, 1, "the file is empty: expected a header row of column names")
    columns = [h.strip() for h in header]
    wanted = [options.field_name(f) for f in ("title", "abstract")]
    absent = [w for w in wanted if w not in columns]
    if absent:
        raise ReaderError(
            path,
            1,
            f"no column named {' or '.join(repr(a) for a in absent)} in the header "
            f"({', '.join(columns[:12])}); map yours with --field title=COLUMN --field abstract=COLUMN",
        )
    while True:
        start = numbers[0] + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            options.bad_record(ReaderError(path, start, f"malformed CSV row ({exc})"))
            continue
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(columns):
            options.bad_record(
                ReaderError(path, start, f"row has {len(row)} cells, the header has {len(columns)}")
            )
            continue
        paper = paper_from_record(dict(zip(columns, row)), path, start, options)
        if paper is not None:
            yield paper
