"""Strong identifiers in one spelling, whatever the source wrote: arXiv ids and DOIs.

Every reader fills ``Paper.external_id`` with ``arxiv:<id>`` when it knows the paper's arXiv id
(as the arXiv snapshot reader always does), and ``Paper.doi`` with the bare, lower-cased DOI, so
one paper read from a ``.bib``, a JSON export and the snapshot carries the same identifiers.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

# New-style (0704.0001, 2106.09685) and old-style (hep-th/9901001, math.GT/0309136) ids.
_ARXIV_ID = r"(\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[A-Za-z]{2})?/\d{7})(?:v\d+)?"
_ARXIV_EXACT = re.compile(rf"(?:arxiv:\s*)?{_ARXIV_ID}", re.IGNORECASE)
# Where an id appears inside other text: an arxiv.org URL, "arXiv:ID", arXiv's DOI prefix.
_ARXIV_IN_TEXT = re.compile(
    rf"(?:arxiv\.org/(?:abs|pdf|html)/|\barxiv:\s*|\b10\.48550/arxiv\.){_ARXIV_ID}(?!\d|\.\d)",
    re.IGNORECASE,
)
_DOI = re.compile(r"10\.\d{4,9}/\S+")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_DOI_IN_URL = re.compile(r"^https?://(?:dx\.)?doi\.org/(10\.\d{4,9}/\S+)$", re.IGNORECASE)


def _arxiv_case(found: str) -> str:
    # old-style archive names are lower case; the subject class (math.GT) keeps its capitals
    archive, slash, number = found.partition("/")
    if not slash:
        return found
    name, dot, subject = archive.partition(".")
    return f"{name.lower()}{dot}{subject.upper()}/{number}"


def arxiv_id(value: str | None) -> str | None:
    """The arXiv id when ``value`` is one (``arXiv:2106.09685v2`` -> ``2106.09685``), or an
    arxiv.org URL / arXiv DOI naming one; None otherwise."""
    text = (value or "").strip()
    m = _ARXIV_EXACT.fullmatch(text)
    if m:
        return _arxiv_case(m.group(1))
    m = _ARXIV_IN_TEXT.search(text)
    if m and ("arxiv.org/" in text.lower() or text.lower().startswith("10.48550/")):
        return _arxiv_case(m.group(1))
    return None


def find_arxiv_id(text: str | None) -> str | None:
    """An arXiv id written inside free text ("arXiv preprint arXiv:2106.09685"), if any."""
    m = _ARXIV_IN_TEXT.search(text or "")
    return _arxiv_case(m.group(1)) if m else None


def normalize_doi(value: str | None) -> str | None:
    """``https://doi.org/10.1000/XYZ`` or ``doi:10.1000/XYZ`` -> ``10.1000/xyz``; None if not a DOI."""
    text = _DOI_PREFIX.sub("", (value or "").strip())
    if "%2" in text.upper():
        text = unquote(text)
    text = text.strip().rstrip(".,;")
    return text.lower() if _DOI.fullmatch(text) else None


def doi_from_url(url: str | None) -> str | None:
    m = _DOI_IN_URL.match((url or "").strip())
    return normalize_doi(m.group(1)) if m else None


def external_id(arxiv: str | None, fallback: str | None = None) -> str | None:
    """``arxiv:<id>`` when the arXiv id is known, else the source's own id (if any)."""
    return f"arxiv:{arxiv}" if arxiv else fallback or None


def link(doi: str | None, arxiv: str | None) -> str | None:
    """A URL for a paper that has none: its arXiv abstract page, else its DOI."""
    if arxiv:
        return f"https://arxiv.org/abs/{arxiv}"
    return f"https://doi.org/{doi}" if doi else None
