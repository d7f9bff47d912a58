"""Reader for the "trending papers" digest: header lines, then title / abstract line pairs.

Lines end at ``\\n`` only. A title without an abstract (the next line looks like a title) and a
"title" that is really prose are bad records; reading goes on from the next line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from vectorstore.papers import Paper
from vectorstore.readers.base import ReaderError
from vectorstore.readers.options import ReadOptions
from vectorstore.readers.records import bounded_abstract, clean_text
from vectorstore.readers.stream import open_binary, text_lines

_HEADER = re.compile(r"^get trending papers\b", re.IGNORECASE)
_SUBSCRIBE = "Subscribe"
# A title is one short line; an abstract is prose. A "abstract" this short that also
# lacks sentence punctuation is really the next title, i.e. the previous title has no abstract.
_MAX_TITLE_CHARS = 400
_MIN_ABSTRACT_WORDS = 12


def _looks_like_title(line: str) -> bool:
    return len(line.split()) < _MIN_ABSTRACT_WORDS and not re.search(r"[.!?]\s*$", line)


def _content_lines(path: Path, options: ReadOptions) -> Iterator[tuple[int, str]]:
    """Non-blank lines, cleaned, without the digest's header lines and "Subscribe" prefix."""
    first = True
    seen_any = False
    for number, text in text_lines(path, options):
        line = clean_text(text)
        if not line:
            continue
        seen_any = True
        if first:
            if _HEADER.match(line):
                continue
            first = False
            if line.startswith(_SUBSCRIBE) and len(line) > len(_SUBSCRIBE):
                line = line[len(_SUBSCRIBE) :].strip()
        yield number, line
    if not seen_any:
        raise ReaderError(path, None, "no text lines to read: expected title and abstract lines")
    if first:
        raise ReaderError(path, 1, "the file has header lines but no papers")


def read_digest(path: Path, options: ReadOptions) -> Iterator[Paper]:
    """The digest's papers, one title line and one abstract line each."""
    title: tuple[int, str] | None = None
    for number, line in _content_lines(path, options):
        if title is None:
            if len(line) > _MAX_TITLE_CHARS:
                options.bad_record(
                    ReaderError(
                        path,
                        number,
                        f"expected a title line here, found {len(line):,} characters of text",
                    )
                )
            else:
                title = (number, line)
            continue
        title_line, text = title
        if _looks_like_title(line):
            options.bad_record(
                ReaderError(
                    path,
                    title_line,
                    f"title {text[:80]!r} has no abstract: line {number} looks like the next title",
                )
            )
            title = (number, line)
            continue
        title = None
        yield Paper(
            title=text,
            abstract=bounded_abstract(line, path, number, options),
            source=str(path),
            line=title_line,
        )
    if title is not None:
        options.bad_record(
            ReaderError(path, title[0], f"title {title[1][:80]!r} has no abstract line after it")
        )


def estimate_digest(path: Path) -> int:
    """Non-blank lines / 2 (the header lines make it a slight overestimate)."""
    lines, blank = 0, True
    with open_binary(path) as fh:
        while piece := fh.readline(1 << 20):
            blank = blank and not piece.strip()
            if piece.endswith(b"\n"):
                lines += not blank
                blank = True
    return (lines + (not blank)) // 2
