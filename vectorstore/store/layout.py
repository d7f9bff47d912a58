"""How papers and chunks are laid out in Chroma, and how records read back from it.

Writes are lean because at 100k papers they, not the embedder, limited ingest speed: chunks
carry only their paper id, title, index and text (filters are served from the catalog, see
``vectorstore.filters``), and both the chunk text and the abstract are *metadata*, not Chroma
documents, so Chroma does not build its full-text (trigram) index over them, which nothing
queries (docs/scale.md). Stores written before that layout still read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vectorstore.chunking import Chunk
from vectorstore.filters import META_VERSION
from vectorstore.identity import Identity, identity
from vectorstore.papers import Paper

# Catalog keys a paper is found by (vectorstore.identity); absent in stores written before.
ID_TITLE, ID_ARXIV, ID_DOI = "id_title", "id_arxiv", "id_doi"
CHUNK_COUNT = "chunks"  # how many chunks the paper has (its last is "<id>:<chunks - 1>")


@dataclass(frozen=True)
class PaperRecord:
    paper_id: str
    title: str
    abstract: str
    source: str | None = None
    added: str | None = None
    date: str | None = None
    url: str | None = None
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    content_hash: str = ""
    external_id: str | None = None
    doi: str | None = None
    original: str | None = None  # the source's own text of the record (a BibTeX entry)


@dataclass(frozen=True)
class ChunkHit:
    chunk_id: str
    paper_id: str
    title: str
    body: str
    similarity: float


def record_from(pid: str, document: str | None, meta: dict[str, Any]) -> PaperRecord:
    def split(value: Any) -> tuple[str, ...]:
        return tuple(v for v in str(value).split("\x1f") if v) if value else ()

    return PaperRecord(
        paper_id=pid,
        title=str(meta.get("title", "")),
        # metadata since the lean layout; older stores keep it as the record's document
        abstract=str(meta.get("abstract") or document or ""),
        source=meta.get("source"),
        added=meta.get("added"),
        date=meta.get("date"),
        url=meta.get("url"),
        authors=split(meta.get("authors")),
        categories=split(meta.get("categories")),
        content_hash=str(meta.get("content_hash", "")),
        external_id=meta.get("external_id"),
        doi=meta.get("doi"),
        original=meta.get("original"),
    )


def stored_identity(meta: dict[str, Any]) -> Identity:
    """A catalog record's identity: its keys, or (stores written before them) its fields."""
    if ID_TITLE in meta:
        return Identity(meta.get(ID_ARXIV), meta.get(ID_DOI), str(meta[ID_TITLE]))
    return identity(
        str(meta.get("title", "")), meta.get("external_id"), meta.get("doi"), meta.get("url")
    )


def identity_keys(ident: Identity) -> dict[str, Any]:
    return {ID_TITLE: ident.title, ID_ARXIV: ident.arxiv, ID_DOI: ident.doi}


def catalog_meta(paper: Paper, chunks: int, added: str, now: str) -> dict[str, Any]:
    return clean(
        {
            "title": paper.title,
            "abstract": paper.abstract,
            "source": paper.source,
            "added": added,
            "updated": now,
            "date": paper.date,
            "url": paper.url,
            "authors": "\x1f".join(paper.authors),
            "categories": "\x1f".join(paper.categories),
            "content_hash": paper.content_hash,
            "meta_version": META_VERSION,
            "external_id": paper.external_id,
            "doi": paper.doi,
            "original": paper.original,
            CHUNK_COUNT: chunks,
            **identity_keys(paper.identity),
        }
    )


def chunk_meta(chunk: Chunk) -> dict[str, Any]:
    return {
        "paper_id": chunk.paper_id,
        "title": chunk.title,
        "chunk_index": chunk.index,
        "body": chunk.body,
    }


def chunk_body(document: str | None, meta: dict[str, Any]) -> str:
    """A chunk's text without its title line.

    Since the lean layout it is the metadata key ``body`` (no Chroma document, so no full-text
    index is written); older stores keep "title, newline, body" as the document.
    """
    if "body" in meta:
        return str(meta["body"])
    document = document or ""
    return document.split("\n", 1)[1] if "\n" in document else document


def chunk_text(document: str | None, meta: dict[str, Any]) -> str:
    """What was embedded: the title line, then the body (``Chunk.text``). The metadata wins
    over a document left by an interrupted ingest in the older layout."""
    return f"{meta['title']}\n{meta['body']}" if "body" in meta else document or ""


def documents(res: Any) -> list[str | None]:
    """The documents of a Chroma ``get``, one per id (None where a record has none)."""
    return list(res["documents"] or [None] * len(res["ids"]))


def chunk_hit(cid: str, document: str | None, meta: dict[str, Any], similarity: float) -> ChunkHit:
    body = chunk_body(document, meta)
    return ChunkHit(cid, str(meta["paper_id"]), str(meta["title"]), body, similarity)


def clean(meta: dict[str, Any]) -> dict[str, Any]:
    """Chroma metadata cannot hold None."""
    return {k: v for k, v in meta.items() if v is not None and v != ""}
