"""BibTeX (e.g. a Zotero export): entries with an ``abstract`` become papers, others are counted as skipped.

Blocks are split by ``bibtexparser`` (2.x), which recovers from a malformed entry at the next
line starting with ``@``; the file is fed to it in pieces cut at such lines, so memory stays
bounded and the result is the same as parsing the whole file. Every entry is either a paper or
reported with its line: a failed block, an entry inside one, an entry without title or abstract.

Values (``#`` concatenation, ``@string`` macros) are evaluated within bounds by
``bibtex_values.py``: the ``@string`` doubling attack is refused at the bound, with a report.
Undefined bare words (``month = mar``) are kept as written. LaTeX in values becomes plain text
(``latex.py``).

Each paper keeps its entry verbatim in ``Paper.original``; its DOI goes to ``Paper.doi`` and its
arXiv id (``eprint``, an arxiv.org ``url``, an arXiv DOI, or "arXiv:ID" in ``journal``/``note``)
to ``Paper.external_id`` as ``arxiv:<id>`` (else ``doi:<doi>``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

from vectorstore.papers import Paper
from vectorstore.readers.base import ReaderError, ReaderWarning
from vectorstore.readers.bibtex_values import BadValue, Macros, Refused
from vectorstore.readers.identifiers import (
    arxiv_id,
    doi_from_url,
    external_id,
    find_arxiv_id,
    link,
    normalize_doi,
)
from vectorstore.readers.latex import latex_to_text
from vectorstore.readers.limits import MAX_FIELD_CHARS, MAX_RECORD_BYTES
from vectorstore.readers.options import ReadOptions
from vectorstore.readers.records import (
    bounded_abstract,
    check_title,
    clean_text,
    normalize_date,
    split_list,
)
from vectorstore.readers.stream import count_lines, raw_lines, undecodable

# bibtexparser logs every failed block as a warning; each is reported here with its line instead.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())
logging.getLogger("bibtexparser").propagate = False

# A line where bibtexparser starts a block whatever came before (its own recovery point).
_BLOCK_START_LINE = re.compile(r"\s*@\w*[ \t]*[{(]")
_BLOCK_START = re.compile(r"@\w*[ \t]*[{(]")
_PIECE_BYTES = 256 << 10  # the file is parsed in pieces of about this size
_IGNORED = {"comment", "preamble"}
_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}


def _lines(path: Path, options: ReadOptions) -> Iterator[tuple[int, str]]:
    """The file's lines; one that is not UTF-8 (or too long) is reported and read as an empty
    line, so that bibtexparser's line numbers stay the file's."""
    expected = 1
    for number, raw in raw_lines(path, options):
        if number > expected:  # an over-long line was skipped (and reported)
            yield expected, "\n" * (number - expected)
        expected = number + 1
        try:
            yield number, raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            options.bad_record(ReaderError(path, number, undecodable(raw, exc)))
            yield number, "\n"


def _pieces(path: Path, options: ReadOptions) -> Iterator[tuple[int, str]]:
    """(number of the first line, text) of consecutive parts of the file, each cut before a line
    that starts a block. A block larger than ``MAX_RECORD_BYTES`` is reported and dropped."""
    lines: list[str] = []
    first = 1  # line number of lines[0]
    size = 0  # characters in lines
    block_at = block_from = block_line = 0  # where the last block started: index, size, line
    dropping = False  # skipping an oversized block up to the next block start
    for number, text in _lines(path, options):
        starts_block = bool(_BLOCK_START_LINE.match(text))
        if dropping and not starts_block:
            continue
        dropping = False
        if starts_block:
            if size >= _PIECE_BYTES:
                yield first, "".join(lines)
                lines, size = [], 0
            block_at, block_from, block_line = len(lines), size, number
        if not lines:
            first = number
        lines.append(text)
        size += len(text)
        if size - block_from > MAX_RECORD_BYTES:
            if block_at:
                yield first, "".join(lines[:block_at])
            options.bad_record(
                ReaderError(
                    path,
                    block_line or first,
                    f"entry is larger than {MAX_RECORD_BYTES >> 20} MiB "
                    "(skipped up to the next line starting with '@')",
                )
            )
            dropping, lines, size, block_at, block_from, block_line = True, [], 0, 0, 0, 0
    if lines:
        yield first, "".join(lines)


def _text(value: str) -> str:
    return clean_text(latex_to_text(value))


def _url(value: str) -> str:
    """A URL keeps its ``~`` and ``%``: only TeX escapes and grouping braces are removed."""
    return clean_text(re.sub(r"\\([_%&#~$])", r"\1", value).replace("{", "").replace("}", ""))


def _authors(value: str) -> tuple[str, ...]:
    from bibtexparser.middlewares.names import (
        parse_single_name_into_parts,
        split_multiple_persons_names,
    )

    people = []
    for person in split_multiple_persons_names(value):
        if person.strip().lower() == "others":
            continue
        name = _text(parse_single_name_into_parts(person, strict=False).merge_first_name_first)
        if name:
            people.append(name)
    return tuple(dict.fromkeys(people))


def _date(fields: dict[str, str]) -> str | None:
    if fields.get("date"):
        return normalize_date(_text(fields["date"]))
    year = _text(fields.get("year", ""))
    if not re.fullmatch(r"\d{4}", year):
        return None
    month = _text(fields.get("month", "")).lower()[:3]
    number = _MONTHS.get(month) or (int(month) if month.isdigit() and 1 <= int(month) <= 12 else 0)
    return f"{year}-{number:02d}" if number else year


def _arxiv(fields: dict[str, str]) -> str | None:
    eprint = _text(fields.get("eprint", ""))
    prefix = _text(fields.get("archiveprefix", "") or fields.get("eprinttype", "")).lower()
    if eprint and prefix in ("", "arxiv"):
        found = arxiv_id(eprint)
        if found:
            return found
    for name in ("url", "doi", "journal", "note", "howpublished"):
        found = find_arxiv_id(fields.get(name, ""))
        if found:
            return found
    return None


class _Entries:
    """Turns bibtexparser's blocks into papers and reports, with the file's macros and lines."""

    _WANTED = (
        "title",
        "abstract",
        "author",
        "year",
        "month",
        "date",
        "doi",
        "eprint",
        "archiveprefix",
        "eprinttype",
        "url",
        "keywords",
        "journal",
        "note",
        "howpublished",
    )

    def __init__(self, path: Path, options: ReadOptions) -> None:
        self.path = path
        self.options = options
        self.macros = Macros()

    def bad(self, line: int, reason: str) -> None:
        self.options.bad_record(ReaderError(self.path, line, reason))

    def warn(self, line: int, reason: str) -> None:
        self.options.warn(ReaderWarning(self.path, line, reason))

    def read(self, first: int, text: str) -> Iterator[Paper]:
        import bibtexparser
        from bibtexparser import model

        library = bibtexparser.parse_string(text, parse_stack=[])
        for block in library.blocks:
            line = first + (block.start_line or 0)
            if isinstance(block, (model.DuplicateBlockKeyBlock, model.DuplicateFieldKeyBlock)):
                block = block.ignore_error_block or block  # BibTeX uses the entry all the same
            if isinstance(block, model.ParsingFailedBlock):
                self.failed(block, line)
            elif isinstance(block, model.String):
                try:
                    self.macros.define(block.key, block.value, line)
                except Refused:
                    pass  # its cause was reported; entries that use it are
                except BadValue as exc:
                    self.bad(line, f"@string {block.key[:40]!r} refused: its value {exc}")
            elif isinstance(block, model.Entry) and block.entry_type.lower() not in _IGNORED:
                paper = self.paper(block, line)
                if paper is not None:
                    yield paper

    def failed(self, block: object, line: int) -> None:
        from bibtexparser import model

        assert isinstance(block, model.ParsingFailedBlock)
        raw = block.raw or ""
        kind = raw[1:].split("{", 1)[0].split("(", 1)[0].strip().lower()
        if kind in _IGNORED:
            return  # free text; an entry inside it is reported as its own block
        reason = clean_text(getattr(block.error, "abort_reason", None) or str(block.error))
        if "`@" in reason or "end of file" in reason:  # the next block began before this closed
            opener = _BLOCK_START.match(raw)
            closer = ")" if opener and opener.group().endswith("(") else "}"
            reason = f"entry never closes (a '{closer}' or a quote is missing)"
        else:
            reason = f"malformed entry: {reason}"
        self.bad(line, reason)
        for m in _BLOCK_START.finditer(raw, 1):  # entries swallowed by this one are named
            key = raw[m.end() : m.end() + 60].split(",", 1)[0].strip()
            self.bad(
                line + raw.count("\n", 0, m.start()),
                f"entry {key[:40]!r} is inside the malformed entry of line {line} (not read)",
            )

    def paper(self, entry: object, line: int) -> Paper | None:
        from bibtexparser import model

        assert isinstance(entry, model.Entry)
        key = entry.key[:60]
        raw_fields: dict[str, str] = {}
        for f in entry.fields:
            raw_fields.setdefault(f.key.strip().lower(), f.value)
        fields: dict[str, str] = {}
        for name in self._WANTED:
            if name not in raw_fields:
                continue
            try:
                fields[name] = self.macros.evaluate(raw_fields[name], MAX_RECORD_BYTES)
            except BadValue as exc:
                if name in ("title", "abstract"):
                    self.bad(line, f"entry {key!r}: field {name!r} {_phrase(exc)}")
                    return None
                self.warn(line, f"entry {key!r}: field {name!r} {_phrase(exc)} (ignored)")
        for name in ("author", "keywords", "url", "doi", "date", "journal", "note"):
            if len(fields.get(name, "")) > MAX_FIELD_CHARS:
                size = len(fields.pop(name))
                self.warn(
                    line,
                    f"entry {key!r}: field {name!r} is {size:,} characters long "
                    f"(limit {MAX_FIELD_CHARS:,}; ignored)",
                )
        title = _text(fields.get("title", ""))
        abstract = _text(fields.get("abstract", ""))
        if not title:
            self.bad(line, f"entry {key!r} has no title")
            return None
        if not abstract:
            self.options.skip(
                ReaderError(self.path, line, f"entry {key!r} has no abstract (skipped)")
            )
            return None
        if not check_title(title, self.path, line, self.options):
            return None
        raw_doi = _url(fields.get("doi", ""))
        url = _url(fields.get("url", ""))
        doi = normalize_doi(raw_doi) or doi_from_url(url)
        if raw_doi and not normalize_doi(raw_doi):
            self.warn(line, f"entry {key!r}: not a DOI: {raw_doi[:60]!r} (ignored)")
        arxiv = _arxiv(fields)
        return Paper(
            title=title,
            abstract=bounded_abstract(abstract, self.path, line, self.options),
            url=url or link(doi, arxiv),
            authors=_authors(fields.get("author", "")),
            date=_date(fields),
            source=str(self.path),
            categories=split_list(_text(fields.get("keywords", "")), separators=r"[;,]"),
            external_id=external_id(arxiv, f"doi:{doi}" if doi else None),
            doi=doi,
            original=entry.raw,
            line=line,
        )


def _phrase(exc: BadValue) -> str:
    text = str(exc)
    return text if text.startswith(("expands", "uses")) else f"is malformed ({text})"


def read_bibtex(path: Path, options: ReadOptions) -> Iterator[Paper]:
    entries = _Entries(path, options)
    for first, text in _pieces(path, options):
        yield from entries.read(first, text)


def estimate_bibtex(path: Path) -> int:
    return count_lines(path, startswith=b"@")
