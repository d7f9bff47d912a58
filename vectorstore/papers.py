"""The typed paper record every reader produces and every other layer consumes."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field


def normalize_title(title: str) -> str:
    """Fold case, accents, punctuation and spacing so that two spellings of one title compare equal."""
    text = unicodedata.normalize("NFKD", title)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^\w]+", " ", text.casefold())
    return " ".join(text.split())


def _digest(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()


@dataclass(frozen=True)
class Paper:
    """One paper: a title and an abstract, plus whatever metadata the source knows.

    ``paper_id`` is derived from the normalised title (or the source's own id, such as an
    arXiv id), so the same paper always gets the same id; ``content_hash`` covers the text
    and metadata, so an edited abstract is detected and its old chunks replaced.
    """

    title: str
    abstract: str
    url: str | None = None
    authors: tuple[str, ...] = ()
    date: str | None = None
    source: str | None = None
    categories: tuple[str, ...] = ()
    external_id: str | None = None  # the source's own id, e.g. an arXiv id
    doi: str | None = None
    # The record as the source wrote it, when that is worth keeping verbatim (a BibTeX entry is
    # exported unchanged); not part of the content hash, like the line number.
    original: str | None = field(default=None, compare=False)
    line: int | None = field(default=None, compare=False)

    @property
    def paper_id(self) -> str:
        key = f"id:{self.external_id}" if self.external_id else normalize_title(self.title)
        return _digest(key)[:16]

    @property
    def content_hash(self) -> str:
        return _digest(
            self.title,
            self.abstract,
            self.url or "",
            "|".join(self.authors),
            self.date or "",
            "|".join(self.categories),
        )[:16]
