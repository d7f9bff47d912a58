"""BibTeX (e.g. a Zotero export): entries with an ``abstract`` become papers, others are counted as skipped.

Streamed entry by entry: an entry is collected from its ``@type{`` (or ``@type(``) line until its
closing delimiter at brace depth 0; parentheses and braces inside quoted or braced values do not
close it. ``@string`` macros are remembered as the file is read and replace bare-word values (also
in ``#`` concatenations); undefined bare words (``month = mar``) are kept as written. LaTeX markup in values (braces, ``\\emph{}``, escaped ``\\&``, accents like ``{\\"o}``) is reduced
to plain text. ``doi`` (or an arXiv ``eprint``) becomes the paper's stable id.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from vectorstore.papers import Paper
from vectorstore.readers.base import ReaderError
from vectorstore.readers.options import ReadOptions
from vectorstore.readers.records import clean_text, normalize_date, split_list
from vectorstore.readers.stream import count_lines, text_lines

_ENTRY_START = re.compile(r"\s*@\s*([A-Za-z]+)\s*([{(])")  # used with .match()
_IGNORED_TYPES = {"comment", "preamble"}
_ACCENTS = {
    '"': "\u0308",
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    "~": "\u0303",
    "c": "\u0327",
    "=": "\u0304",
    ".": "\u0307",
    "v": "\u030c",
    "u": "\u0306",
    "H": "\u030b",
}
_SYMBOLS = {r"\&": "&", r"\%": "%", r"\$": "$", r"\#": "#", r"\_": "_", r"\ss": "ß", "--": "–"}
_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}


def latex_to_text(value: str) -> str:
    """Plain text from a BibTeX value: accents composed, commands and grouping braces dropped."""
    import unicodedata

    text = re.sub(
        r"\\([\"'`^~=.cvuH])\s*\{?\s*([A-Za-z])\}?",
        lambda m: unicodedata.normalize("NFC", m.group(2) + _ACCENTS[m.group(1)]),
        value,
    )
    for src, dst in _SYMBOLS.items():
        text = text.replace(src, dst)
    text = re.sub(r"\\(?:emph|textit|textbf|texttt|textsc|mathrm|mathbf|text)\s*", "", text)
    text = text.replace("~", " ").replace("{", "").replace("}", "")
    return clean_text(text)


_FIELD_NAME = re.compile(r"[\s,]*([A-Za-z][\w:.+-]*)\s*=\s*")
_BARE_WORD = re.compile(r"[^\s,#}]+")
_CONCAT = re.compile(r"\s*#\s*")
_DELIMITERS = re.compile(r'[{}()"]')
_MAX_ENTRY_LINES = 5000  # an entry longer than this never closed: report it, keep memory bounded


def _parse_fields(
    text: str, path: Path, line: int, macros: dict[str, str] | None = None
) -> dict[str, str]:
    """``name -> raw value`` of ``name = value, ...``; bare words naming a macro are expanded."""
    macros = macros or {}
    fields: dict[str, str] = {}
    i, n = 0, len(text)
    while i < n:
        m = _FIELD_NAME.match(text, i)
        if not m:
            if text[i:].strip(" \t\r\n,"):
                raise ReaderError(path, line, f"cannot parse fields near {text[i : i + 30]!r}")
            break
        name, i = m.group(1).lower(), m.end()
        parts: list[str] = []
        while i < n:
            ch = text[i]
            if ch == "{":
                depth, j = 1, i + 1
                while j < n and depth:
                    depth += {"{": 1, "}": -1}.get(text[j], 0)
                    j += 1
                if depth:
                    raise ReaderError(path, line, f"unbalanced braces in field {name!r}")
                parts.append(text[i + 1 : j - 1])
                i = j
            elif ch == '"':
                j, depth = i + 1, 0
                while j < n and not (text[j] == '"' and depth == 0):
                    depth += {"{": 1, "}": -1}.get(text[j], 0)
                    j += 1
                if j >= n:
                    raise ReaderError(path, line, f"unterminated quote in field {name!r}")
                parts.append(text[i + 1 : j])
                i = j + 1
            else:
                w = _BARE_WORD.match(text, i)
                if not w:
                    raise ReaderError(path, line, f"field {name!r} has no value")
                word = w.group(0)
                parts.append(macros.get(word.lower(), word))
                i = w.end()
            ws = _CONCAT.match(text, i)
            if ws and "#" in ws.group(0):
                i = ws.end()
                continue
            break
        fields[name] = "".join(parts)
    return fields


class _EntryScanner:
    """Finds where one entry ends, fed a line at a time (constant state, no look-back).

    Braces nest everywhere. At the entry's top level a ``"`` opens or closes a quoted value, so a
    ``)`` in ``title = "A (B"`` does not end a ``@type(...)`` entry. ``@comment`` is free text:
    quotes there are literal, and so are lines starting with ``@`` (commented-out entries).
    """

    def __init__(self, closer: str, free_text: bool) -> None:
        self.closer = closer
        self.free_text = free_text
        self.depth = 0  # brace depth inside the entry
        self.parens = 0  # open parentheses at the top level of a ``( ... )`` entry
        self.in_quote = False

    @property
    def at_top_level(self) -> bool:
        """Between fields: a new ``@type{`` here means the previous entry never closed."""
        return self.depth == 0 and not self.in_quote and not self.free_text

    def end_in(self, text: str, pos: int = 0) -> int:
        """Index in ``text`` of the entry's closing delimiter, or -1 if it goes on."""
        for m in _DELIMITERS.finditer(text, pos):
            ch = m.group(0)
            if ch == "{":
                self.depth += 1
            elif ch == "}":
                if self.depth == 0 and self.closer == "}":
                    return m.start()
                self.depth = max(self.depth - 1, 0)
            elif self.depth:
                continue  # inside a braced value quotes and parentheses are text
            elif ch == '"':
                self.in_quote = not self.free_text and not self.in_quote
            elif self.in_quote or self.closer != ")":
                continue
            elif ch == "(":
                self.parens += 1
            elif self.parens:
                self.parens -= 1
            else:
                return m.start()
        return -1


def _entries(path: Path, options: ReadOptions) -> Iterator[tuple[int, str, str]]:
    """(first line, entry type, body) of each entry; the body excludes the outer delimiters."""
    start, kind = 0, ""
    buf: list[str] = []
    scanner: _EntryScanner | None = None

    def unclosed() -> None:
        what = "parenthesis" if scanner and scanner.closer == ")" else "braces"
        options.bad_record(ReaderError(path, start, f"entry never closes (unbalanced {what})"))

    for number, text in text_lines(path, options):
        pos = 0
        if scanner is not None and scanner.at_top_level and _ENTRY_START.match(text):
            unclosed()  # a new entry where only ``name = value`` may stand: recover here
            scanner, buf = None, []
        while True:
            if scanner is None:
                m = _ENTRY_START.match(text, pos)
                if not m:
                    break  # text between entries is a comment in BibTeX
                start, kind, pos = number, m.group(1).lower(), m.end()
                closer = "}" if m.group(2) == "{" else ")"
                scanner = _EntryScanner(closer, free_text=kind == "comment")
            end = scanner.end_in(text, pos)
            if end < 0:
                buf.append(text[pos:])
                if len(buf) > _MAX_ENTRY_LINES:
                    unclosed()
                    scanner, buf = None, []
                break
            buf.append(text[pos:end])
            yield start, kind, "".join(buf)
            scanner, buf, pos = None, [], end + 1
    if scanner is not None:
        unclosed()


def _authors(value: str) -> tuple[str, ...]:
    people = []
    for person in re.split(r"\s+and\s+", value):
        person = latex_to_text(person)
        if "," in person:
            last, _, first = person.partition(",")
            person = f"{first.strip()} {last.strip()}".strip()
        if person and person.lower() != "others":
            people.append(person)
    return tuple(dict.fromkeys(people))


def _date(fields: dict[str, str]) -> str | None:
    if fields.get("date"):
        return normalize_date(latex_to_text(fields["date"]))
    year = latex_to_text(fields.get("year", ""))
    if not re.fullmatch(r"\d{4}", year):
        return None
    month = latex_to_text(fields.get("month", "")).lower()[:3]
    number = _MONTHS.get(month) or (int(month) if month.isdigit() and 1 <= int(month) <= 12 else 0)
    return f"{year}-{number:02d}" if number else year


def read_bibtex(path: Path, options: ReadOptions) -> Iterator[Paper]:
    macros: dict[str, str] = {}  # @string definitions seen so far (BibTeX defines before use)
    for line, kind, body in _entries(path, options):
        if kind in _IGNORED_TYPES:
            continue
        try:
            if kind == "string":
                macros.update(_parse_fields(body, path, line, macros))
                continue
            key, _, rest = body.partition(",")
            key = key.strip()
            fields = _parse_fields(rest, path, line, macros)
        except ReaderError as exc:
            options.bad_record(exc)
            continue
        title = latex_to_text(fields.get("title", ""))
        abstract = latex_to_text(fields.get("abstract", ""))
        if not title:
            options.bad_record(ReaderError(path, line, f"entry {key!r} has no title"))
            continue
        if not abstract:
            options.skip(ReaderError(path, line, f"entry {key!r} has no abstract (skipped)"))
            continue
        doi = latex_to_text(fields.get("doi", ""))
        eprint = latex_to_text(fields.get("eprint", ""))
        arxiv = eprint and latex_to_text(fields.get("archiveprefix", "arxiv")).lower() == "arxiv"
        url = latex_to_text(fields.get("url", "")) or (f"https://doi.org/{doi}" if doi else "")
        yield Paper(
            title=title,
            abstract=abstract,
            url=url or None,
            authors=_authors(fields.get("author", "")),
            date=_date(fields),
            source=str(path),
            categories=split_list(latex_to_text(fields.get("keywords", "")), separators=r"[;,]"),
            external_id=f"doi:{doi.lower()}" if doi else f"arxiv:{eprint}" if arxiv else None,
            line=line,
        )


def estimate_bibtex(path: Path) -> int:
    return count_lines(path, startswith=b"@")
