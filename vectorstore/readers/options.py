"""What a streaming reader is told (field names, strictness) and what it reports back (skips)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from vectorstore.readers.base import ReaderError, ReaderWarning

FIELDS = ("title", "abstract", "url", "authors", "date", "categories", "id", "doi")
_KEEP_PROBLEMS = 50  # the first few problems are kept for the report; the rest only counted


def parse_field_map(pairs: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``["title=name", "abstract=summary"]`` -> ``{"title": "name", "abstract": "summary"}``."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        ours, sep, theirs = pair.partition("=")
        ours, theirs = ours.strip().lower(), theirs.strip()
        if not sep or not theirs:
            raise ValueError(f"--field expects NAME=COLUMN (e.g. title=name), not {pair!r}")
        if ours not in FIELDS:
            raise ValueError(f"--field: unknown field {ours!r}; known: {', '.join(FIELDS)}")
        mapping[ours] = theirs
    return mapping


@dataclass
class ReadOptions:
    """Options shared by the streaming readers.

    A bad record is skipped and counted (``on_problem`` hears about it as it happens) unless
    ``strict`` is set, in which case it raises ``ReaderError`` naming the file and line. A
    record kept with a change (an unreadable date dropped, a huge abstract cut) is a
    ``ReaderWarning``: reported the same way, never fatal, not counted as skipped.
    """

    strict: bool = False
    fields: Mapping[str, str] = field(default_factory=dict)
    on_problem: Callable[[ReaderError], None] | None = None
    skipped: int = 0
    warnings: int = 0
    problems: list[ReaderError] = field(default_factory=list)

    def field_name(self, ours: str) -> str:
        return self.fields.get(ours, ours)

    def bad_record(self, error: ReaderError) -> None:
        """A malformed record: fatal when strict, else skipped, counted and reported."""
        if self.strict:
            raise error
        self.skip(error)

    def skip(self, error: ReaderError) -> None:
        """A record that is not a paper we can index (e.g. a BibTeX entry without abstract)."""
        self.skipped += 1
        self._report(error)

    def warn(self, warning: ReaderWarning) -> None:
        """A record kept with a change the user should know about."""
        self.warnings += 1
        self._report(warning)

    def _report(self, error: ReaderError) -> None:
        if len(self.problems) < _KEEP_PROBLEMS:
            self.problems.append(error)
        if self.on_problem is not None:
            self.on_problem(error)
