"""Metadata filters (date, source, category, author) applied identically to dense and BM25 retrieval.

Filters never reach Chroma's ``where``: it read every matching chunk's metadata from SQLite
(175-450 ms a query at 100k papers), and chunks no longer carry these fields (lean writes, see
``vectorstore.store``). A ``FilterIndex`` built from the catalog turns a filter into a boolean
mask over papers, then over the lexical index's chunks, which both retrieval sides use, so
they always consider exactly the same papers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np

META_VERSION = 2  # store layout; papers written under an older one are re-written on re-ingest
FILTER_TABLE_VERSION = 1  # the saved FilterIndex's layout and key folding; a change rebuilds it
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def parse_day(text: str | date, today: date | None = None) -> date:
    """A day from ``2026-11-20``, ``2026-11``, ``today``, ``yesterday``, ``monday``, ``7d``/``2w``.

    A weekday means its most recent occurrence (today counts). Raises ValueError with a hint.
    """
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return text
    today = today or date.today()
    value = text.strip().lower()
    if value in ("today", "now"):
        return today
    if value == "yesterday":
        return today - timedelta(days=1)
    if value in _WEEKDAYS or value in [w[:3] for w in _WEEKDAYS]:
        target = [w[:3] for w in _WEEKDAYS].index(value[:3])
        return today - timedelta(days=(today.weekday() - target) % 7)
    m = re.fullmatch(r"(\d+)\s*(d|day|days|w|week|weeks)( ago)?", value)
    if m:
        n = int(m.group(1)) * (7 if m.group(2).startswith("w") else 1)
        return today - timedelta(days=n)
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", value)
    if m:
        try:
            return date(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1))
        except ValueError:
            pass
    raise ValueError(
        f"cannot read {text!r} as a date; use YYYY-MM-DD, today, yesterday, a weekday or 7d"
    )


def day_number(value: str | date | None) -> int | None:
    """``2026-11-20`` -> 20261120 (``2026-11`` -> 20261101, ``2026`` -> 20260101)."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value.year * 10000 + value.month * 100 + value.day
    m = re.match(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", str(value))
    if not m:
        return None
    return int(m.group(1)) * 10000 + int(m.group(2) or 1) * 100 + int(m.group(3) or 1)


def name_key(text: str) -> str:
    """Case, accents and punctuation folded: ``"Jürgen  Schmidhuber"`` -> ``"jurgen schmidhuber"``."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def author_keys(authors: Iterable[str]) -> list[str]:
    """Each author's full name and surname, folded, so ``--author hinton`` finds Geoffrey Hinton."""
    keys: dict[str, None] = {}
    for author in authors:
        full = name_key(author)
        if full:
            keys[full] = None
            keys[full.split()[-1]] = None
    return list(keys)


def category_keys(categories: Iterable[str]) -> list[str]:
    """Each category folded, plus its archive (``cs.LG`` -> ``cs.lg``, ``cs``)."""
    keys: dict[str, None] = {}
    for category in categories:
        c = category.strip().casefold()
        if c:
            keys[c] = None
            if "." in c:
                keys[c.split(".", 1)[0]] = None
    return list(keys)


def source_keys(source: str) -> list[str]:
    """The spellings a user may give for a source file: as given, and absolute."""
    keys = [source]
    if "://" not in source:
        resolved = str(Path(source).expanduser().resolve())
        if resolved != source:
            keys.append(resolved)
    return keys


def epoch_seconds(iso: str | None) -> int | None:
    if not iso:
        return None
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp())


def filter_attributes(meta: Mapping[str, Any]) -> dict[str, Any]:
    """A paper's filterable fields, normalised for matching, from its catalog metadata."""
    added = epoch_seconds(meta.get("added")) or 0
    added_day = int(datetime.fromtimestamp(added, timezone.utc).strftime("%Y%m%d"))
    paper_day = day_number(meta.get("date"))
    out: dict[str, Any] = {"added": added, "day": paper_day or added_day}
    if paper_day:
        out["date"] = paper_day
    if meta.get("source"):
        out["source"] = str(meta["source"])
    cats = category_keys(_split(meta.get("categories")))
    if cats:
        out["categories"] = cats
    auths = author_keys(_split(meta.get("authors")))
    if auths:
        out["authors"] = auths
    return out


def _split(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [v for v in str(value).split("\x1f") if v]


def _tuple(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


@dataclass(frozen=True)
class Filters:
    """Which papers retrieval may return. Empty fields do not filter; several values mean any of them.

    ``since``: papers dated on/after that day (their own date, or the day they were added when
    they have none, e.g. digest papers). ``added_since``: added to the store on/after that day.
    """

    since: date | None = None
    added_since: date | None = None
    sources: tuple[str, ...] = field(default=())
    categories: tuple[str, ...] = field(default=())
    authors: tuple[str, ...] = field(default=())

    @classmethod
    def of(
        cls,
        since: str | date | None = None,
        added_since: str | date | None = None,
        source: str | Iterable[str] | None = None,
        category: str | Iterable[str] | None = None,
        author: str | Iterable[str] | None = None,
    ) -> Filters:
        """Filters from user text (dates like ``monday`` or ``2026-11-20``); ValueError if unreadable."""
        return cls(
            since=parse_day(since) if since else None,
            added_since=parse_day(added_since) if added_since else None,
            sources=_tuple(source),
            categories=_tuple(category),
            authors=_tuple(author),
        )

    def merged(self, other: Filters | None) -> Filters:
        """``other``'s set fields over this one's."""
        if other is None:
            return self
        return replace(
            self,
            **{f.name: getattr(other, f.name) for f in fields(other) if getattr(other, f.name)},
        )

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))

    def describe(self) -> str:
        parts = []
        if self.since:
            parts.append(f"since {self.since.isoformat()}")
        if self.added_since:
            parts.append(f"added since {self.added_since.isoformat()}")
        for label, values in (
            ("source", self.sources),
            ("category", self.categories),
            ("author", self.authors),
        ):
            if values:
                parts.append(f"{label} {' or '.join(values)}")
        return ", ".join(parts) or "none"


@dataclass(frozen=True)
class FilterCount:
    """One filter on its own: how many papers pass it, and why so few may."""

    field: str  # "since", "added_since", "source", "category" or "author"
    values: tuple[str, ...]  # as they match: days as YYYY-MM-DD
    matching: int
    missing: int = 0  # papers with no value at all for this field (e.g. no category)
    newest: date | None = None  # since / added_since: the latest such day among the papers


@dataclass(frozen=True)
class FilterCoverage:
    """How many papers pass some filters, decided from the filter table before any answering.

    ``counts`` (each filter on its own) is filled only when no paper passes them all: it is
    what a front end needs to say why ("no paper matches --category cs.CL (119 papers have no
    category)").
    """

    papers: int
    matching: int
    counts: tuple[FilterCount, ...] = ()


def _day_of(number: int) -> date:
    """``20261120`` -> date(2026, 11, 20) (``day_number``'s inverse)."""
    return date(number // 10000, number // 100 % 100, number % 100)


def _day_start(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp())


class FilterIndex:
    """Per-paper filter attributes as numpy arrays: a filter becomes a mask in O(papers) numpy work."""

    def __init__(self, paper_ids: list[str], metas: list[dict[str, Any]]) -> None:
        self.row = {pid: i for i, pid in enumerate(paper_ids)}
        self.size = len(paper_ids)
        self.day = np.array([m["day"] for m in metas], dtype=np.int64)
        self.added = np.array([m["added"] for m in metas], dtype=np.int64)
        self._postings: dict[str, dict[str, list[int]]] = {
            "source": {},
            "categories": {},
            "authors": {},
        }
        for i, m in enumerate(metas):
            for key in source_keys(m["source"]) if m.get("source") else []:
                self._postings["source"].setdefault(key, []).append(i)
            for name in ("categories", "authors"):
                for key in m.get(name, ()):
                    self._postings[name].setdefault(key, []).append(i)

    @classmethod
    def from_catalog(cls, rows: Iterable[tuple[str, Mapping[str, Any]]]) -> FilterIndex:
        ids, metas = [], []
        for pid, meta in rows:
            ids.append(pid)
            metas.append(filter_attributes(meta))
        return cls(ids, metas)

    def save(self, path: Path) -> None:
        """One ``.npz`` (no pickles): ids, the two day columns, and the postings as flat arrays."""
        names, keys, rows, ends = [], [], [], []
        for name, postings in self._postings.items():
            for key, found in postings.items():
                names.append(name)
                keys.append(key)
                rows.extend(found)
                ends.append(len(rows))
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        with partial.open("wb") as f:
            np.savez(
                f,
                ids=np.array(list(self.row), dtype=str),
                day=self.day,
                added=self.added,
                names=np.array(names, dtype=str),
                keys=np.array(keys, dtype=str),
                rows=np.array(rows, dtype=np.int64),
                ends=np.array(ends, dtype=np.int64),
            )
        partial.replace(path)  # readers never see half a file

    @classmethod
    def load(cls, path: Path) -> FilterIndex:
        with np.load(path, allow_pickle=False) as data:
            index = cls([], [])
            index.row = {pid: i for i, pid in enumerate(data["ids"].tolist())}
            index.size = len(index.row)
            index.day, index.added = data["day"], data["added"]
            rows, start = data["rows"].tolist(), 0
            for name, key, end in zip(data["names"].tolist(), data["keys"].tolist(), data["ends"]):
                index._postings[name][key] = rows[start:end]
                start = int(end)
        return index

    def _any_of(self, name: str, keys: Iterable[str]) -> np.ndarray:
        mask = np.zeros(self.size, dtype=bool)
        for key in keys:
            rows = self._postings[name].get(key)
            if rows:
                mask[rows] = True
        return mask

    def paper_mask(self, filters: Filters) -> np.ndarray:
        mask = np.ones(self.size, dtype=bool)
        if filters.since:
            mask &= self.day >= (day_number(filters.since) or 0)
        if filters.added_since:
            mask &= self.added >= _day_start(filters.added_since)
        if filters.sources:
            mask &= self._any_of("source", [k for s in filters.sources for k in source_keys(s)])
        if filters.categories:
            mask &= self._any_of("categories", [c.strip().casefold() for c in filters.categories])
        if filters.authors:
            mask &= self._any_of("authors", [name_key(a) for a in filters.authors])
        return mask

    def passing_ids(self, filters: Filters, paper_ids: Iterable[str]) -> list[str]:
        """The papers among ``paper_ids`` that pass the filters."""
        mask = np.append(self.paper_mask(filters), False)
        ids = list(paper_ids)
        return [pid for pid, ok in zip(ids, mask[self.rows_of(ids)]) if ok]

    def count(self, filters: Filters) -> int:
        """How many papers pass the filters."""
        return int(self.paper_mask(filters).sum())

    def coverage(self, filters: Filters) -> FilterCoverage:
        """``count`` and, when it is 0, each filter's own count (see ``FilterCoverage``)."""
        matching = self.count(filters)
        if matching or not filters:
            return FilterCoverage(self.size, matching)
        counts = []
        if filters.since:
            newest = _day_of(int(self.day.max())) if self.size else None
            alone = self.count(Filters(since=filters.since))
            counts.append(FilterCount("since", (filters.since.isoformat(),), alone, 0, newest))
        if filters.added_since:
            latest = (
                datetime.fromtimestamp(int(self.added.max()), timezone.utc) if self.size else None
            )
            alone = self.count(Filters(added_since=filters.added_since))
            day = filters.added_since.isoformat()
            counts.append(
                FilterCount("added_since", (day,), alone, 0, latest.date() if latest else None)
            )
        for name, attribute, postings in (
            ("source", "sources", "source"),
            ("category", "categories", "categories"),
            ("author", "authors", "authors"),
        ):
            values = getattr(filters, attribute)
            if values:
                alone = self.count(Filters(**{attribute: values}))
                missing = self.size - int(self._present(postings).sum())
                counts.append(FilterCount(name, values, alone, missing))
        return FilterCoverage(self.size, 0, tuple(counts))

    def _present(self, name: str) -> np.ndarray:
        """Papers with at least one value for the field (a source, a category, an author)."""
        mask = np.zeros(self.size, dtype=bool)
        for rows in self._postings[name].values():
            mask[rows] = True
        return mask

    def rows_of(self, paper_ids: list[str]) -> np.ndarray:
        """Row of each paper id (``size`` for unknown ones: append a False to the mask for them)."""
        return np.fromiter(
            (self.row.get(pid, self.size) for pid in paper_ids),
            dtype=np.int64,
            count=len(paper_ids),
        )
