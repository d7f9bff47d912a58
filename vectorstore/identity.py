"""Which records are the same paper: strong identifiers first (arXiv id, DOI), then the title.

Two records are one paper when they share the strongest identifier both of them have: the
arXiv id if both have one, else the DOI if both have one, else the title (folded only where
spellings of one title differ: case, accents, Unicode variants, spacing, braces, trailing
punctuation; ``C++`` and ``C#``, ``Re:`` and ``[Re]``, emoji all stay distinct). The title
fold that citation matching uses (``papers.normalize_title``) is coarser on purpose and is
not an identity.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vectorstore.papers import Paper

_ARXIV_NEW = re.compile(r"(\d{4}\.\d{4,5})(?:v\d+)?")
_ARXIV_OLD = re.compile(r"([a-z][a-z-]*(?:\.[a-z]{2})?/\d{7})(?:v\d+)?")
_ARXIV_PREFIX = re.compile(r"^(?:arxiv:|https?://(?:www\.)?arxiv\.org/(?:abs|pdf)/)", re.I)
_DOI = re.compile(r"10\.\d{4,9}/\S+")
_DOI_PREFIX = re.compile(r"^(?:doi:|https?://(?:dx\.)?doi\.org/)", re.I)
_ARXIV_DOI = re.compile(r"10\.48550/arxiv\.(.+)", re.I)
# Typographic variants of one character that sources spell differently.
_VARIANTS = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201b": "'",
        "\u2032": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "{": None,  # BibTeX's case-protecting braces
        "}": None,
    }
)
_FOLDED_SCRIPTS = ("LATIN", "GREEK", "CYRILLIC")


def arxiv_id(text: str | None) -> str | None:
    """``2106.09685`` from ``arXiv:2106.09685v2``, ``https://arxiv.org/abs/2106.09685`` or
    ``arxiv:2106.09685``; old-style ``cs/0112017`` too. None if ``text`` is not an arXiv id."""
    if not text:
        return None
    value = _ARXIV_PREFIX.sub("", text.strip()).removesuffix(".pdf").lower()
    for pattern in (_ARXIV_NEW, _ARXIV_OLD):
        m = pattern.fullmatch(value)
        if m:
            return m.group(1)
    m = _ARXIV_DOI.fullmatch(value)
    return arxiv_id(m.group(1)) if m else None


def doi(text: str | None) -> str | None:
    """A DOI in lower case without its resolver prefix (DOIs are case-insensitive), or None."""
    if not text:
        return None
    value = _DOI_PREFIX.sub("", text.strip()).lower()
    return value if _DOI.fullmatch(value) else None


def _fold_accents(text: str) -> str:
    """Drop accents from Latin, Greek and Cyrillic letters only: elsewhere combining marks are
    letters' parts (Devanagari vowel signs), not spelling variants."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch) and out:
            base = unicodedata.name(out[-1][0], "")
            if base.startswith(_FOLDED_SCRIPTS):
                continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def identity_title(title: str) -> str:
    """The title as an identity: two spellings of one title give the same string."""
    text = unicodedata.normalize("NFKC", title).translate(_VARIANTS)
    text = _fold_accents(text).casefold()
    text = " ".join(text.split())
    text = re.sub(r" (?=[,.;:!?])", "", text)  # "BERT : Pre-training" == "BERT: Pre-training"
    return text.rstrip(" .,;:") or text


@dataclass(frozen=True)
class Identity:
    """What identifies a paper: its arXiv id, DOI (both normalised, if known) and title key."""

    arxiv: str | None
    doi: str | None
    title: str

    @property
    def key(self) -> str:
        """The strongest identifier, as the text the paper id is derived from."""
        if self.arxiv:
            return f"arxiv:{self.arxiv}"
        if self.doi:
            return f"doi:{self.doi}"
        return f"title:{self.title}"

    @property
    def paper_id(self) -> str:
        return hashlib.sha256(self.key.encode("utf-8")).hexdigest()[:16]

    def same_paper(self, other: Identity) -> bool:
        """Compare by the strongest identifier both have."""
        if self.arxiv and other.arxiv:
            return self.arxiv == other.arxiv
        if self.doi and other.doi:
            return self.doi == other.doi
        return self.title == other.title

    def strength(self, other: Identity) -> int:
        """How strongly ``other`` matches (3 arXiv id, 2 DOI, 1 title, 0 not the same paper)."""
        if not self.same_paper(other):
            return 0
        if self.arxiv and other.arxiv:
            return 3
        return 2 if self.doi and other.doi else 1


def identity(
    title: str,
    external_id: str | None = None,
    doi_text: str | None = None,
    url: str | None = None,
) -> Identity:
    """The identity of a record from its title, its source's id, its DOI and its URL.

    ``external_id`` counts when it is an arXiv id or a DOI (readers write ``arxiv:…``/``doi:…``
    or the bare id); other ids (a CSV's row id) mean nothing outside their file and are ignored.
    A URL of an arXiv abstract or a doi.org link counts as that id.
    """
    ext_doi = doi(external_id)
    arxiv = arxiv_id(external_id) or arxiv_id(doi_text) or arxiv_id(ext_doi) or arxiv_id(url)
    found_doi = doi(doi_text) or ext_doi or doi(url)
    if found_doi and arxiv_id(found_doi):
        found_doi = None  # arXiv's own DOI (10.48550/arXiv.…) is the arXiv id again
    return Identity(arxiv=arxiv, doi=found_doi, title=identity_title(title))


def identity_of(paper: Paper) -> Identity:
    return identity(paper.title, paper.external_id, paper.doi, paper.url)
