"""BibTeX (e.g. a Zotero export): entries with an ``abstract`` become papers, others are counted as skipped.

Streamed entry by entry: an entry is collected from its ``@type{`` line until its braces balance.
LaTeX markup in values (braces, ``\\emph{}``, escaped ``\\&``, accents like ``{\\"o}``) is reduced
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

_ENTRY_START = re.compile(r"^\s*@\s*([A-Za-z]+)\s*([{(])")
_IGNORED_TYPES = {"comment", "preamble", "string"}
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


def _parse_fields(body: str, path: Path, line: int) -> tuple[str, dict[str, str]]:
    """The citation key and ``name -> raw value`` of one entry's body (between its outer braces)."""
    key, _, rest = body.partition(",")
    fields: dict[str, str] = {}
    i, n = 0, len(rest)
    while i < n:
        m = re.compile(r"[\s,]*([A-Za-z][\w:.+-]*)\s*=\s*").match(rest, i)
        if not m:
            if rest[i:].strip(" \t\r\n,"):
                raise ReaderError(path, line, f"cannot parse fields near {rest[i : i + 30]!r}")
            break
        name, i = m.group(1).lower(), m.end()
        parts: list[str] = []
        while i < n:
            ch = rest[i]
            if ch == "{":
                depth, j = 1, i + 1
                while j < n and depth:
                    depth += {"{": 1, "}": -1}.get(rest[j], 0)
                    j += 1
                if depth:
                    raise ReaderError(path, line, f"unbalanced braces in field {name!r}")
                parts.append(rest[i + 1 : j - 1])
                i = j
            elif ch == '"':
                j, depth = i + 1, 0
                while j < n and not (rest[j] == '"' and depth == 0):
                    depth += {"{": 1, "}": -1}.get(rest[j], 0)
                    j += 1
                if j >= n:
                    raise ReaderError(path, line, f"unterminated quote in field {name!r}")
                parts.append(rest[i + 1 : j])
                i = j + 1
            else:
                w = re.compile(r"[^\s,#}]+").match(rest, i)
                if not w:
                    raise ReaderError(path, line, f"field {name!r} has no value")
                parts.append(w.group(0))
                i = w.end()
            ws = re.compile(r"\s*#\s*").match(rest, i)
            if ws and ws.end() > i and "#" in ws.group(0):
                i = ws.end()
                continue
            break
        fields[name] = "".join(parts)
    return key.strip(), fields


def _entries(path: Path, options: ReadOptions) -> Iterator[tuple[int, str, str]]:
    """(first line, entry type, body) of each entry, collected until its braces balance."""
    start = 0
    kind = ""
    buf: list[str] = []
    depth = 0
    for number, text in text_lines(path, options):
        if not buf:
            m = _ENTRY_START.match(text)
            if not m:
                continue  # text between entries is a comment in BibTeX
            start, kind = number, m.group(1).lower()
            text = text[m.end() :]
            depth = 1
        depth += text.count("{") - text.count("}")
        buf.append(text)
        if depth <= 0:
            body = "".join(buf)
            cut = body.rfind("}") if depth == 0 else len(body)
            yield start, kind, body[:cut]
            buf = []
        elif len(buf) > 5000:
            options.bad_record(ReaderError(path, start, "entry never closes (unbalanced braces)"))
            buf = []
    if buf:
        options.bad_record(ReaderError(path, start, "entry never closes (unbalanced braces)"))


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
    for line, kind, body in _entries(path, options):
        if kind in _IGNORED_TYPES:
            continue
        try:
            key, fields = _parse_fields(body, path, line)
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
