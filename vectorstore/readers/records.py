"""Turning one generic record (a JSON object, a CSV row) into a Paper, with clean metadata.

Also what every reader shares when it builds a Paper: clean one-line text, values of the
expected type, the bounds of ``limits`` (a huge abstract is cut, with a warning).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from vectorstore.papers import Paper
from vectorstore.readers.base import ReaderError, ReaderWarning
from vectorstore.readers.identifiers import (
    arxiv_id,
    doi_from_url,
    external_id,
    find_arxiv_id,
    link,
    normalize_doi,
)
from vectorstore.readers.limits import MAX_ABSTRACT_CHARS, MAX_FIELD_CHARS, MAX_TITLE_CHARS
from vectorstore.readers.options import ReadOptions

_SPACES = re.compile(r"\s+")
_LATEX_BREAK = re.compile(r"\\\\|\\newline\b|\\par\b")
# Control characters (NUL, ESC, DEL, C1) carry no text; whitespace controls become spaces.
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
T = TypeVar("T")


class BadValue(ValueError):
    """A field whose value cannot be used (wrong type, invalid text); the message says why."""


def clean_text(value: str) -> str:
    """One line of text: LaTeX line breaks (``\\\\``, ``\\newline``) and runs of whitespace become
    one space; control characters are dropped."""
    return _SPACES.sub(" ", _LATEX_BREAK.sub(" ", _CONTROLS.sub("", value))).strip()


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return f"a {type(value).__name__}"


def text_value(value: Any, name: str, *, numbers: bool = False) -> str:
    """Clean text from a JSON/CSV value: a string (or, with ``numbers``, a number such as a year
    or an id). Anything else, and text that is not valid Unicode, raises BadValue."""
    if value is None:
        return ""
    if isinstance(value, str):
        bad = _SURROGATE.search(value)
        if bad:
            raise BadValue(
                f"{name!r} contains an unpaired surrogate (\\u{ord(bad.group()):04x}): not valid Unicode text"
            )
        return clean_text(value)
    if numbers and isinstance(value, int) and not isinstance(value, bool):
        if value.bit_length() > 64:
            raise BadValue(f"{name!r} is a number with {len(str(value))} digits, expected text")
        return str(value)
    if numbers and isinstance(value, float) and math.isfinite(value):
        return repr(value)
    raise BadValue(f"{name!r} is {_kind(value)}, expected text")


def split_list(value: Any, *, separators: str = r"[;|]", name: str = "list") -> tuple[str, ...]:
    """A list field: a JSON list of strings, or a string split on ``;``/``|`` (or the pattern)."""
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        items = [text_value(v, name) for v in value if v is not None]
    else:
        items = [clean_text(v) for v in re.split(separators, text_value(value, name))]
    return tuple(dict.fromkeys(i for i in items if i))


def split_authors(value: Any, name: str = "authors") -> tuple[str, ...]:
    """Authors as a list (of names, or of objects with a ``name``), or a string joined by ``;``,
    ``|``, `` and `` or commas between full names."""
    if isinstance(value, (list, tuple)):
        names = [v.get("name") if isinstance(v, Mapping) else v for v in value]
        return split_list(names, name=name)
    text = text_value(value, name)
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
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return str(int(value)) if 1000 <= value <= 9999 else None
    if not isinstance(value, str) or len(value) > 100:
        return None
    text = value.strip()
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


def optional(
    path: Path, line: int, options: ReadOptions, name: str, read: Callable[[], T], empty: T
) -> T:
    """An optional field's value; if it cannot be read the paper is kept without it (a warning)."""
    try:
        value = read()
    except BadValue as exc:
        options.warn(ReaderWarning(path, line, f"{exc} (kept the paper without its {name})"))
        return empty
    size = len(value) if isinstance(value, str) else 0
    if isinstance(value, tuple):
        size = sum(len(v) for v in value)
    if size > MAX_FIELD_CHARS:
        options.warn(
            ReaderWarning(
                path,
                line,
                f"{name} is {size:,} characters long (limit {MAX_FIELD_CHARS:,}); kept the paper without it",
            )
        )
        return empty
    return value


def check_title(title: str, path: Path, line: int, options: ReadOptions) -> bool:
    """False (after reporting it) when a "title" is too long to be one."""
    if len(title) <= MAX_TITLE_CHARS:
        return True
    options.bad_record(
        ReaderError(path, line, f"title is {len(title):,} characters long; is it an abstract?")
    )
    return False


def bounded_abstract(abstract: str, path: Path, line: int, options: ReadOptions) -> str:
    """The abstract, cut at a word boundary (with a warning) beyond ``MAX_ABSTRACT_CHARS``."""
    if len(abstract) <= MAX_ABSTRACT_CHARS:
        return abstract
    cut = abstract.rfind(" ", MAX_ABSTRACT_CHARS // 2, MAX_ABSTRACT_CHARS)
    options.warn(
        ReaderWarning(
            path,
            line,
            f"abstract is {len(abstract):,} characters long; kept the first "
            f"{MAX_ABSTRACT_CHARS:,} (the limit per paper)",
        )
    )
    return abstract[: cut if cut > 0 else MAX_ABSTRACT_CHARS].rstrip() + " …"


def _missing_hint(missing: list[str], options: ReadOptions) -> str:
    if options.fields:
        return ""
    return " (map other names with " + " ".join(f"--field {m}=NAME" for m in missing) + ")"


def paper_from_record(
    record: Mapping[str, Any], path: Path, line: int, options: ReadOptions
) -> Paper | None:
    """The Paper in ``record``, or None after reporting why it is not one (see ReadOptions)."""
    if not isinstance(record, Mapping):
        options.bad_record(
            ReaderError(path, line, f"expected an object with fields, found {_kind(record)}")
        )
        return None

    def get(ours: str) -> Any:
        return record.get(options.field_name(ours))

    try:
        title = text_value(get("title"), options.field_name("title"))
        abstract = text_value(get("abstract"), options.field_name("abstract"))
    except BadValue as exc:
        options.bad_record(ReaderError(path, line, str(exc)))
        return None
    missing = [name for name, value in (("title", title), ("abstract", abstract)) if not value]
    if missing:
        names = " or ".join(repr(options.field_name(m)) for m in missing)
        options.bad_record(
            ReaderError(path, line, f"record has no {names}{_missing_hint(missing, options)}")
        )
        return None
    if not check_title(title, path, line, options):
        return None

    def field(name: str, read: Callable[[], T], empty: T) -> T:
        return optional(path, line, options, name, read, empty)

    raw_date = get("date")
    day = field("date", lambda: _date(raw_date, options.field_name("date")), None)
    url = field("url", lambda: text_value(get("url"), options.field_name("url")), "")
    own_id = field("id", lambda: text_value(get("id"), options.field_name("id"), numbers=True), "")
    raw_doi = field("doi", lambda: text_value(get("doi"), options.field_name("doi")), "")
    doi = normalize_doi(raw_doi) or doi_from_url(url) or normalize_doi(own_id)
    if raw_doi and not normalize_doi(raw_doi):
        options.warn(ReaderWarning(path, line, f"not a DOI: {raw_doi[:60]!r} (ignored)"))
    arxiv = arxiv_id(own_id) or find_arxiv_id(url) or find_arxiv_id(doi)
    return Paper(
        title=title,
        abstract=bounded_abstract(abstract, path, line, options),
        url=url or link(doi, arxiv),
        authors=field(
            "authors", lambda: split_authors(get("authors"), options.field_name("authors")), ()
        ),
        date=day,
        source=str(path),
        categories=field(
            "categories",
            lambda: split_list(
                get("categories"), separators=r"[;|,\s]+", name=options.field_name("categories")
            ),
            (),
        ),
        external_id=external_id(arxiv, own_id),
        doi=doi,
        line=line,
    )


def _date(value: Any, name: str) -> str | None:
    if value is None or value == "":
        return None
    day = normalize_date(value)
    if day is None:
        if isinstance(value, str):
            raise BadValue(f"unreadable {name} {clean_text(value)[:40]!r}")
        raise BadValue(f"{name!r} is {_kind(value)}, expected a date")
    return day
