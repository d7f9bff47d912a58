"""Reader for the "trending papers" digest: header lines, then title / abstract line pairs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from vectorstore.papers import Paper
from vectorstore.readers.base import ReaderError, read_text

_HEADER = re.compile(r"^get trending papers\b", re.IGNORECASE)
_SUBSCRIBE = "Subscribe"
# A title is one short line; an abstract is prose. A "abstract" this short that also
# lacks sentence punctuation is really the next title, i.e. the previous title has no abstract.
_MAX_TITLE_CHARS = 400
_MIN_ABSTRACT_WORDS = 12


def _looks_like_title(line: str) -> bool:
    return len(line.split()) < _MIN_ABSTRACT_WORDS and not re.search(r"[.!?]\s*$", line)


def read_digest(path: Path) -> Iterator[Paper]:
    """Yield the digest's papers; validate the whole file first so a bad file adds nothing."""
    text = read_text(path)
    lines = [(n, line.strip()) for n, line in enumerate(text.splitlines(), start=1)]
    lines = [(n, line) for n, line in lines if line]
    if not lines:
        raise ReaderError(path, 1, "the file is empty: expected title and abstract lines")
    while lines and _HEADER.match(lines[0][1]):
        lines.pop(0)
    if lines and lines[0][1].startswith(_SUBSCRIBE) and len(lines[0][1]) > len(_SUBSCRIBE):
        n, first = lines[0]
        lines[0] = (n, first[len(_SUBSCRIBE) :].strip())
    if not lines:
        raise ReaderError(path, 1, "the file has header lines but no papers")

    papers: list[Paper] = []
    i = 0
    while i < len(lines):
        title_line, title = lines[i]
        if len(title) > _MAX_TITLE_CHARS:
            raise ReaderError(
                path,
                title_line,
                f"expected a title line here, found {len(title)} characters of text",
            )
        if i + 1 >= len(lines):
            raise ReaderError(
                path, title_line, f"title {title[:80]!r} has no abstract line after it"
            )
        abstract_line, abstract = lines[i + 1]
        if _looks_like_title(abstract):
            raise ReaderError(
                path,
                title_line,
                f"title {title[:80]!r} has no abstract: line {abstract_line} looks like the next title",
            )
        papers.append(Paper(title=title, abstract=abstract, source=str(path), line=title_line))
        i += 2
    yield from papers
