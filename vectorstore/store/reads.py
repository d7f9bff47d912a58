"""Reading papers and chunks back: by id, all of them in pages, by source file."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from vectorstore.filters import source_keys
from vectorstore.store.layout import PaperRecord, chunk_text, documents, record_from

PAGE = 5000


def papers(catalog: Any, ids: Sequence[str] | None = None) -> list[PaperRecord]:
    """Catalog records, for the given ids (in that order) or all of them (in insertion order)."""
    if ids is not None and not ids:
        return []
    res = catalog.get(
        ids=list(ids) if ids is not None else None, include=["documents", "metadatas"]
    )
    records = {
        pid: record_from(pid, doc, meta or {})
        for pid, doc, meta in zip(res["ids"], documents(res), res["metadatas"] or [])
    }
    if ids is None:
        return list(records.values())
    return [records[i] for i in ids if i in records]


def all_chunks(chunks: Any) -> tuple[list[str], list[str], list[str]]:
    """(chunk ids, paper ids, texts) of every chunk, read in pages."""
    ids: list[str] = []
    pids: list[str] = []
    texts: list[str] = []
    offset = 0
    while True:
        res = chunks.get(include=["documents", "metadatas"], limit=PAGE, offset=offset)
        if not res["ids"]:
            break
        ids.extend(res["ids"])
        for doc, meta in zip(documents(res), res["metadatas"]):
            pids.append(str(meta["paper_id"]))
            texts.append(chunk_text(doc, meta))
        offset += len(res["ids"])
        if len(res["ids"]) < PAGE:
            break
    return ids, pids, texts


def catalog_metadata(catalog: Any, page: int = PAGE) -> Iterator[tuple[str, dict[str, Any]]]:
    """(paper id, catalog metadata) of every paper, read in pages."""
    offset = 0
    while True:
        res = catalog.get(include=["metadatas"], limit=page, offset=offset)
        yield from zip(res["ids"], res["metadatas"] or [])
        offset += len(res["ids"])
        if len(res["ids"]) < page:
            break


def ids_from_source(catalog: Any, source: str) -> list[str]:
    """Ids of the papers read from a file (given as written at ingest, or any path to it)."""
    res = catalog.get(where={"source": {"$in": source_keys(source)}}, include=[])
    return list(res["ids"])
