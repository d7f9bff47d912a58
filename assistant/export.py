"""Exporting papers as BibTeX or JSON Lines: one module for the CLI, the chat and the MCP server.

A paper read from BibTeX is exported as its original entry, unchanged. Any other paper gets a
generated ``@misc`` entry: LaTeX specials escaped so that any title parses back to the same text,
braces kept balanced (BibTeX counts escaped braces too), arXiv ``eprint``/``archivePrefix``,
``doi``, ``url`` and ``year``/``month`` when known. Citation keys are ``surname + year + first
title word``; papers of one export that would share a key get a suffix from their paper id, so a
key never depends on the order or on which other papers are exported with it.

JSON Lines records use the field names the JSONL reader reads, so an export re-ingests to the same
papers (same ids).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from vectorstore.store import PaperRecord

FORMATS = ("bibtex", "jsonl")
_SUFFIXES = {".bib": "bibtex", ".bibtex": "bibtex", ".jsonl": "jsonl", ".ndjson": "jsonl"}

# Characters LaTeX treats specially, spelled so that braces stay balanced in the .bib file.
_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_LIGATURE = re.compile(r"(?<=[-`'?!])(?=[-`'])")  # "--", "``", "''", "?`" would become other glyphs
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_ORIGINAL_KEY = re.compile(r"\s*@\s*[A-Za-z]+\s*[{(]\s*([^,\s{}()]+)\s*,")
_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf)/([^\s?#]+?)(?:v\d+)?(?:\.pdf)?$", re.IGNORECASE)
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)
_MONTHS = "jan feb mar apr may jun jul aug sep oct nov dec".split()
_STOPWORDS = {"a", "an", "the", "on", "of", "for", "in", "to", "and", "with", "towards", "toward"}


class ExportError(ValueError):
    """Something the user asked for cannot be exported (unknown format, unwritable file)."""


def format_for(path: str | Path | None, fmt: str | None = None) -> str:
    """The export format: ``fmt`` if given, else from the file's suffix, else BibTeX."""
    if fmt:
        chosen = fmt.strip().lower()
        if chosen in ("bib", "bibtex"):
            return "bibtex"
        if chosen in ("jsonl", "json-lines", "ndjson"):
            return "jsonl"
        raise ExportError(f"unknown export format {fmt!r}; use bibtex or jsonl")
    if path is not None:
        return _SUFFIXES.get(Path(path).suffix.lower(), "bibtex")
    return "bibtex"


# -- identifiers -------------------------------------------------------------------------------
def arxiv_id(record: PaperRecord) -> str | None:
    """The paper's arXiv id, from its source id, its DOI or its arxiv.org URL."""
    ext = record.external_id or ""
    if ext.lower().startswith("arxiv:"):
        return ext.split(":", 1)[1].strip() or None
    doi = doi_of(record)
    if doi:
        m = _ARXIV_DOI.match(doi)
        if m:
            return m.group(1)
    m = _ARXIV_URL.search((record.url or "").strip())
    return m.group(1) if m else None


def doi_of(record: PaperRecord) -> str | None:
    if record.doi:
        return record.doi
    ext = record.external_id or ""
    return ext.split(":", 1)[1].strip() or None if ext.lower().startswith("doi:") else None


def original_key(entry: str) -> str | None:
    """The citation key of a verbatim BibTeX entry."""
    m = _ORIGINAL_KEY.match(entry)
    return m.group(1) if m else None


def _ascii_words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return re.findall(r"[a-z0-9]+", folded.casefold().encode("ascii", "ignore").decode())


def _base_key(record: PaperRecord) -> str:
    surname = _ascii_words(record.authors[0])[-1:] if record.authors else []
    year = (record.date or "")[:4] if re.match(r"\d{4}", record.date or "") else ""
    words = [w for w in _ascii_words(record.title) if w not in _STOPWORDS]
    # without an author the title has to tell papers apart on its own: two words
    key = "".join(surname) + year + "".join(words[: 1 if surname else 2])
    return key[:40] or "paper"


def citation_keys(records: Sequence[PaperRecord]) -> dict[str, str]:
    """``paper_id -> key``: the original entry's key, else a generated one unique in this export."""
    keys: dict[str, str] = {}
    taken: set[str] = set()
    for r in records:
        if r.original and original_key(r.original):
            keys[r.paper_id] = original_key(r.original) or ""
            taken.add(keys[r.paper_id])
    generated = {r.paper_id: _base_key(r) for r in records if r.paper_id not in keys}
    counts: dict[str, int] = {}
    for key in generated.values():
        counts[key] = counts.get(key, 0) + 1
    for pid, key in generated.items():
        if counts[key] > 1 or key in taken:
            key = f"{key}-{pid[:8]}"  # from the paper's own id: independent of the other papers
        keys[pid] = key
    return keys


# -- BibTeX ------------------------------------------------------------------------------------
def latex_escape(text: str) -> str:
    """Plain text as a BibTeX field value that LaTeX prints as the same text."""
    text = " ".join(_CONTROL.sub(" ", text).split())
    escaped = "".join(_LATEX_SPECIALS.get(ch, ch) for ch in text)
    return _LIGATURE.sub("{}", escaped)


def _verbatim(text: str) -> str:
    """A URL or DOI: printed verbatim by ``\\url``; only characters that break the .bib go."""
    return "".join(ch for ch in _CONTROL.sub("", text) if ch not in "{}\\ ")


def bibtex_entry(record: PaperRecord, key: str) -> str:
    """The paper's original BibTeX entry if it has one, else a generated ``@misc`` entry."""
    if record.original and original_key(record.original):
        return record.original.strip("\n")
    fields: list[tuple[str, str]] = [("title", "{" + latex_escape(record.title) + "}")]
    if record.authors:
        names = [latex_escape(a).replace(" and ", " {and} ") for a in record.authors]
        fields.append(("author", " and ".join("{" + n + "}" if "," in n else n for n in names)))
    m = re.match(r"(\d{4})(?:-(\d{2}))?", record.date or "")
    if m:
        fields.append(("year", m.group(1)))
        if m.group(2) and 1 <= int(m.group(2)) <= 12:
            fields.append(("month", _MONTHS[int(m.group(2)) - 1]))
    arxiv = arxiv_id(record)
    if arxiv:
        fields += [("eprint", _verbatim(arxiv)), ("archivePrefix", "arXiv")]
        if record.categories:
            fields.append(("primaryClass", latex_escape(record.categories[0])))
    doi = doi_of(record)
    if doi:
        fields.append(("doi", _verbatim(doi)))
    url = record.url or (f"https://arxiv.org/abs/{arxiv}" if arxiv else None)
    if url:
        fields.append(("url", _verbatim(url)))
    if record.categories:
        fields.append(("keywords", latex_escape(", ".join(record.categories))))
    if record.abstract:
        fields.append(("abstract", latex_escape(record.abstract)))
    lines = [f"@misc{{{key},"]
    for name, value in fields:
        braced = value if name == "month" else "{" + value + "}"
        lines.append(f"  {name} = {braced},")
    lines.append("}")
    return "\n".join(lines)


def to_bibtex(records: Sequence[PaperRecord]) -> str:
    keys = citation_keys(records)
    return "".join(bibtex_entry(r, keys[r.paper_id]) + "\n\n" for r in records).rstrip("\n") + (
        "\n" if records else ""
    )


# -- JSON Lines --------------------------------------------------------------------------------
def paper_dict(record: PaperRecord) -> dict[str, Any]:
    """A paper as JSON: the JSONL reader's names (``id`` is the source's own id), plus ours."""
    out: dict[str, Any] = {
        "paper_id": record.paper_id,
        "title": record.title,
        "abstract": record.abstract,
        "authors": list(record.authors),
        "date": record.date,
        "url": record.url,
        "doi": doi_of(record),
        "arxiv_id": arxiv_id(record),
        "categories": list(record.categories),
        "id": record.external_id,
        "source": record.source,
        "added": record.added,
    }
    if record.original:
        out["original"] = record.original
    return out


def to_jsonl(records: Iterable[PaperRecord]) -> str:
    return "".join(json.dumps(paper_dict(r), ensure_ascii=False) + "\n" for r in records)


# -- one entry point -------------------------------------------------------------------------------
def render(records: Sequence[PaperRecord], fmt: str) -> str:
    return to_bibtex(records) if format_for(None, fmt) == "bibtex" else to_jsonl(records)


def write_export(records: Sequence[PaperRecord], path: str | Path, fmt: str | None = None) -> str:
    """Write the papers to ``path`` (format from ``fmt`` or the suffix); returns the format.

    Written to a temporary file first and then renamed: an existing file is replaced whole or
    left as it was, never half-written.
    """
    chosen = format_for(path, fmt)
    text = render(records, chosen)
    target = Path(path).expanduser()
    if target.is_dir():
        raise ExportError(f"{target} is a directory; give a file name")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
            os.chmod(tmp, _file_mode(target))
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise ExportError(f"cannot write {target}: {exc.strerror or exc}") from None
    return chosen


def _file_mode(target: Path) -> int:
    """The replaced file's permissions, or what a newly created file would get (umask applied)."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        mask = os.umask(0o022)
        os.umask(mask)
        return 0o666 & ~mask
