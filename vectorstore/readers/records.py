"""Turning one generic record (a JSON object, a CSV row) into a Paper, with clean metadata."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from vectorstore.papers import Paper
from vectorstore.readers.base import ReaderError
from vectorstore.readers.options import ReadOptions

_SPACES = re.compile(r"\s+")
_LATEX_BREAK = re.compile(r"\\\\|\\newline\b|\\par\b")
_MAX_TITLE_CHARS = 1000


def clean_text(value: str) -> str:
    """One line of text: LaTeX line breaks (``\\\\``, ``\\newline``) and runs of whitespace become one space."""
    return _SPACES.sub(" ", _LATEX_BREAK.sub(" ", value)).strip()


def split_list(value: Any, *, separators: str = r"[;|]") -> tuple[str, ...]:
    """A list field: a JSON list, or a string split on ``;``/``|`` (or the given pattern)."""
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        items = [clean_text(str(v)) for v in value if v is not None]
    else:
        items = [clean_text(v) for v in re.split(separators, str(value))]
    return tuple(dict.fromkeys(i for i in items if i))


def split_authors(value: Any) -> tuple[str, ...]:
    """Authors as a list, or a string joined by ``;``, ``|``, `` and `` or commas between full names."""
    if isinstance(value, (list, tuple)):
        return split_list(value)
    text = clean_text(str(value or ""))
    if not text:
        return ()
    if re.search(r"[;|]", text):
        return split_list(text)
    # "A. Smith, B. Jones and C. Wu": commas separate people unless it is "Last, First" (one comma)
    parts = re.split(r"\s+and\s+", text)
    people: list[str] = []
    for part in parts:
        pieces = [p.strip() for p in part.split(",") if p.strip()]
        if len(parts) == 1 and len(pieces) == 2 and " " not in pieces[0]:
            people.append(f"{pieces[1]} {pieces[0]}")  # "Smith, John"
        else:
            people.extend(pieces)
    return tuple(dict.fromkeys(people))


def normalize_date(value: Any) -> str | None:
    """ISO ``YYYY-MM-DD`` (or ``YYYY-MM``/``YYYY``) from common spellings; None when unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and 1000 <= value <= 9999:
        return str(int(value))
    text = str(value).strip()
    m = re.match(r"^(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?(?:[T ].*)?$", text)
    if m:
        year, month, day = m.groups()
        try:
            if day:
                return date(int(year), int(month), int(day)).isoformat()
            if month and 1 <= int(month) <= 12:
                return f"{year}-{int(month):02d}"
            return year if not month else None
        except ValueError:
            return None
    for fmt in ("%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%a, %d %b %Y %H:%M:%S %Z"):
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def paper_from_record(
    record: Mapping[str, Any], path: Path, line: int, options: ReadOptions
) -> Paper | None:
    """The Paper in ``record``, or None after reporting why it is not one (see ReadOptions)."""
    if not isinstance(record, Mapping):
        options.bad_record(
            ReaderError(
                path, line, f"expected an object with fields, found {type(record).__name__}"
            )
        )
        return None

    def get(ours: str) -> Any:
        return record.get(options.field_name(ours))

    title = clean_text(str(get("title") or ""))
    abstract = clean_text(str(get("abstract") or ""))
    missing = [
        options.field_name(name)
        for name, value in (("title", title), ("abstract", abstract))
        if not value
    ]
    if missing:
        hint = "" if options.fields else " (map other names with --field title=NAME)"
        options.bad_record(
            ReaderError(path, line, f"record has no {' or '.join(repr(m) for m in missing)}{hint}")
        )
        return None
    if len(title) > _MAX_TITLE_CHARS:
        options.bad_record(
            ReaderError(path, line, f"title is {len(title)} characters long; is it an abstract?")
        )
        return None
    raw_date = get("date")
    day = normalize_date(raw_date)
    if raw_date not in (None, "") and day is None:
        options.bad_record(ReaderError(path, line, f"unreadable date {str(raw_date)[:40]!r}"))
        return None
    ext = get("id")
    return Paper(
        title=title,
        abstract=abstract,
        url=clean_text(str(get("url"))) or None if get("url") else None,
        authors=split_authors(get("authors")),
        date=day,
        source=str(path),
        categories=split_list(get("categories"), separators=r"[;|,\s]+"),
        external_id=clean_text(str(ext)) or None if ext not in (None, "") else None,
        line=line,
    )
