"""The typed paper record every reader produces and every other layer consumes."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property

from vectorstore.identity import Identity, identity_of


def normalize_title(title: str) -> str:
    """Fold case, accents, punctuation and spacing so that two spellings of one title compare equal.

    For matching a cited title to a paper; too coarse to tell papers apart (``C++`` and ``C#``
    fold alike): a paper's identity is ``vectorstore.identity``.
    """
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

    ``paper_id`` is derived from the paper's strongest identifier (arXiv id, DOI, else its
    title; see ``vectorstore.identity``), so the same paper always gets the same id (a store
    that already holds the paper under another id keeps that one); ``content_hash`` covers the
    text and metadata, so an edited abstract is detected and its old chunks replaced.
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

    @cached_property
    def identity(self) -> Identity:
        return identity_of(self)

    @property
    def paper_id(self) -> str:
        return self.identity.paper_id

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
