"""The arXiv metadata snapshot (Kaggle ``arxiv-metadata-oai-snapshot.json``): JSON Lines, millions of rows.

Fields used: ``id``, ``title``, ``abstract``, ``authors`` (or ``authors_parsed``), ``categories``
(space-separated), ``update_date``. Titles and abstracts carry hard line breaks and LaTeX-ish
``\\\\`` breaks; both become single spaces. The paper id is the arXiv id, so a newer snapshot
replaces changed papers and skips the rest.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vectorstore.papers import Paper
from vectorstore.readers.base import ReaderError
from vectorstore.readers.jsonl import json_lines
from vectorstore.readers.options import ReadOptions
from vectorstore.readers.records import clean_text, normalize_date, split_authors


def _authors(record: dict[str, Any]) -> tuple[str, ...]:
    parsed = record.get("authors_parsed")
    if isinstance(parsed, list) and parsed:
        names = []
        for entry in parsed:
            if isinstance(entry, list) and entry:
                last, first = str(entry[0]), str(entry[1]) if len(entry) > 1 else ""
                names.append(clean_text(f"{first} {last}"))
        if names:
            return tuple(dict.fromkeys(n for n in names if n))
    return split_authors(record.get("authors"))


def read_arxiv(path: Path, options: ReadOptions) -> Iterator[Paper]:
    for number, record in json_lines(path, options):
        if not isinstance(record, dict):
            options.bad_record(ReaderError(path, number, "expected one JSON object per line"))
            continue
        arxiv_id = clean_text(str(record.get("id") or ""))
        title = clean_text(str(record.get("title") or ""))
        abstract = clean_text(str(record.get("abstract") or ""))
        missing = [
            n for n, v in (("id", arxiv_id), ("title", title), ("abstract", abstract)) if not v
        ]
        if missing:
            options.bad_record(
                ReaderError(path, number, f"arXiv record has no {' or '.join(missing)}")
            )
            continue
        yield Paper(
            title=title,
            abstract=abstract,
            url=f"https://arxiv.org/abs/{arxiv_id}",
            authors=_authors(record),
            date=normalize_date(record.get("update_date")),
            source=str(path),
            categories=tuple(str(record.get("categories") or "").split()),
            external_id=f"arxiv:{arxiv_id}",
            line=number,
        )
