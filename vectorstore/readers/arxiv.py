"""The arXiv metadata snapshot (Kaggle ``arxiv-metadata-oai-snapshot.json``): JSON Lines, millions of rows.

Fields used: ``id``, ``title``, ``abstract``, ``authors`` (or ``authors_parsed``), ``categories``
(space-separated), ``update_date``, ``doi``. Titles and abstracts carry hard line breaks and
LaTeX-ish ``\\\\`` breaks; both become single spaces. The external id is ``arxiv:<id>``, so a
newer snapshot replaces changed papers and skips the rest.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vectorstore.papers import Paper
from vectorstore.readers.base import ReaderError
from vectorstore.readers.identifiers import arxiv_id, external_id, normalize_doi
from vectorstore.readers.jsonl import json_lines
from vectorstore.readers.options import ReadOptions
from vectorstore.readers.records import (
    BadValue,
    bounded_abstract,
    check_title,
    clean_text,
    normalize_date,
    optional,
    split_authors,
    text_value,
)


def _authors(record: dict[str, Any]) -> tuple[str, ...]:
    parsed = record.get("authors_parsed")
    if isinstance(parsed, list) and parsed:
        names = []
        for entry in parsed:
            if isinstance(entry, list) and entry:
                last = text_value(entry[0], "authors_parsed")
                first = text_value(entry[1], "authors_parsed") if len(entry) > 1 else ""
                names.append(clean_text(f"{first} {last}"))
        if any(names):
            return tuple(dict.fromkeys(n for n in names if n))
    return split_authors(record.get("authors"))


def read_arxiv(path: Path, options: ReadOptions) -> Iterator[Paper]:
    for number, record in json_lines(path, options):
        paper = _paper(record, path, number, options)
        if paper is not None:
            yield paper


def _paper(record: Any, path: Path, line: int, options: ReadOptions) -> Paper | None:
    if not isinstance(record, dict):
        options.bad_record(ReaderError(path, line, "expected one JSON object per line"))
        return None
    try:
        raw_id = text_value(record.get("id"), "id", numbers=True)
        title = text_value(record.get("title"), "title")
        abstract = text_value(record.get("abstract"), "abstract")
    except BadValue as exc:
        options.bad_record(ReaderError(path, line, str(exc)))
        return None
    missing = [n for n, v in (("id", raw_id), ("title", title), ("abstract", abstract)) if not v]
    if missing:
        options.bad_record(ReaderError(path, line, f"arXiv record has no {' or '.join(missing)}"))
        return None
    if not check_title(title, path, line, options):
        return None
    ident = arxiv_id(raw_id) or raw_id
    doi = optional(path, line, options, "doi", lambda: text_value(record.get("doi"), "doi"), "")
    categories = optional(
        path,
        line,
        options,
        "categories",
        lambda: text_value(record.get("categories"), "categories"),
        "",
    )
    return Paper(
        title=title,
        abstract=bounded_abstract(abstract, path, line, options),
        url=f"https://arxiv.org/abs/{ident}",
        authors=optional(path, line, options, "authors", lambda: _authors(record), ()),
        date=normalize_date(record.get("update_date")),
        source=str(path),
        categories=tuple(categories.split()),
        external_id=external_id(ident),
        doi=normalize_doi(doi.split()[0]) if doi else None,
        line=line,
    )
