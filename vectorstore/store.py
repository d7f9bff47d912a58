"""The paper store: chunks with embeddings in one Chroma collection, one record per paper in another.

The catalog record (abstract + metadata + content hash) is written last for each paper, so
it marks a paper as completely ingested: an interrupted ingest re-run redoes exactly the
papers without one, and deterministic chunk ids make every write an idempotent upsert.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from vectorstore.chunking import chunk_paper
from vectorstore.embeddings import MiniLMEmbedding
from vectorstore.filters import META_VERSION, chunk_metadata, source_keys
from vectorstore.locking import write_lock
from vectorstore.papers import Paper

ProgressFn = Callable[[int, int], None]
_BATCH_PAPERS = 64


class StoreError(RuntimeError):
    """The store cannot be opened or reached (bad path, server down, …)."""


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


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    skipped: int = 0  # records the readers could not use (bad, or not papers); set by the caller
    titles_added: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated)


@dataclass(frozen=True)
class ChunkHit:
    chunk_id: str
    paper_id: str
    title: str
    body: str
    similarity: float


def _record_from(pid: str, document: str | None, meta: dict[str, Any]) -> PaperRecord:
    def split(value: Any) -> tuple[str, ...]:
        return tuple(v for v in str(value).split("\x1f") if v) if value else ()

    return PaperRecord(
        paper_id=pid,
        title=str(meta.get("title", "")),
        abstract=document or "",
        source=meta.get("source"),
        added=meta.get("added"),
        date=meta.get("date"),
        url=meta.get("url"),
        authors=split(meta.get("authors")),
        categories=split(meta.get("categories")),
        content_hash=str(meta.get("content_hash", "")),
    )


def _clean(meta: dict[str, Any]) -> dict[str, Any]:
    """Chroma metadata cannot hold None."""
    return {k: v for k, v in meta.items() if v is not None and v != ""}


class PaperStore:
    """Chroma-backed store of papers. Embedded (a folder) by default, or a ``chroma run`` server."""

    def __init__(
        self,
        path: Path,
        *,
        model_dir: Path,
        lock_path: Path,
        chroma_url: str | None = None,
        collection: str = "papers",
        chunk_tokens: int = 160,
        chunk_overlap: int = 32,
    ) -> None:
        self.path = path
        self.chroma_url = chroma_url
        self.collection_name = collection
        self.chunk_tokens = chunk_tokens
        self.chunk_overlap = chunk_overlap
        self.lock_path = lock_path
        self.embedder = MiniLMEmbedding(model_dir)
        self._client: Any = None
        self._chunks: Any = None
        self._catalog: Any = None
        self._open_lock = threading.Lock()
        # Another process's ingest is announced through this file: an embedded Chroma client
        # keeps its vector index in memory and would not see the new chunks otherwise.
        self.stamp_path = lock_path.with_suffix(".stamp")
        self._seen_stamp: int | None = None

    # -- connection -------------------------------------------------------------------------
    def _connect(self) -> None:
        with self._open_lock:
            if self._client is not None:
                return
            self._seen_stamp = self._stamp()
            import chromadb
            from chromadb.config import Settings as ChromaSettings

            chroma_settings = ChromaSettings(anonymized_telemetry=False)
            try:
                if self.chroma_url:
                    from urllib.parse import urlparse

                    url = urlparse(self.chroma_url)
                    if url.scheme not in ("http", "https") or not url.hostname:
                        raise StoreError(
                            f"invalid Chroma URL {self.chroma_url!r}; expected http://host:port"
                        )
                    client = chromadb.HttpClient(
                        host=url.hostname,
                        port=url.port or (443 if url.scheme == "https" else 8000),
                        ssl=url.scheme == "https",
                        settings=chroma_settings,
                    )
                else:
                    self.path.mkdir(parents=True, exist_ok=True)
                    client = chromadb.PersistentClient(
                        path=str(self.path), settings=chroma_settings
                    )
                chunks = client.get_or_create_collection(
                    f"{self.collection_name}-chunks",
                    embedding_function=self.embedder,  # type: ignore[arg-type]
                    configuration={"hnsw": {"space": "cosine"}},
                )
                catalog = client.get_or_create_collection(
                    f"{self.collection_name}-catalog",
                    embedding_function=None,
                    metadata={"generation": 0},
                )
            except StoreError:
                raise
            except Exception as exc:  # chromadb raises many types; the user needs one clear line
                where = self.chroma_url or str(self.path)
                raise StoreError(f"cannot open the paper store at {where}: {exc}") from exc
            self._client, self._chunks, self._catalog = client, chunks, catalog

    def _stamp(self) -> int:
        try:
            return self.stamp_path.stat().st_mtime_ns
        except FileNotFoundError:
            return 0

    def refresh(self) -> bool:
        """Reopen the embedded store if another process changed it since we opened it."""
        if self.chroma_url or self._client is None:
            return False
        stamp = self._stamp()
        if stamp == self._seen_stamp:
            return False
        from chromadb.api.shared_system_client import SharedSystemClient

        with self._open_lock:
            self._client = self._chunks = self._catalog = None
            SharedSystemClient.clear_system_cache()
        self._connect()
        return True

    def _announce_change(self) -> None:
        if self.chroma_url:
            return
        self.stamp_path.parent.mkdir(parents=True, exist_ok=True)
        self.stamp_path.write_text(str(self.generation()))
        self._seen_stamp = self._stamp()

    @property
    def chunks(self) -> Any:
        self._connect()
        return self._chunks

    @property
    def catalog(self) -> Any:
        self._connect()
        return self._catalog

    @property
    def location(self) -> str:
        return self.chroma_url or str(self.path)

    # -- reading ------------------------------------------------------------------------------
    def generation(self) -> int:
        """A counter bumped by every ingest that changed something; caches key on it."""
        self._connect()
        meta = self._client.get_collection(f"{self.collection_name}-catalog").metadata or {}
        return int(meta.get("generation", 0))

    def count_papers(self) -> int:
        return int(self.catalog.count())

    def count_chunks(self) -> int:
        return int(self.chunks.count())

    def papers(self, ids: Sequence[str] | None = None) -> list[PaperRecord]:
        """Catalog records, for the given ids (in that order) or all of them (in insertion order)."""
        if ids is not None and not ids:
            return []
        res = self.catalog.get(
            ids=list(ids) if ids is not None else None, include=["documents", "metadatas"]
        )
        records = {
            pid: _record_from(pid, doc, meta or {})
            for pid, doc, meta in zip(res["ids"], res["documents"] or [], res["metadatas"] or [])
        }
        if ids is None:
            return list(records.values())
        return [records[i] for i in ids if i in records]

    def all_chunks(self) -> tuple[list[str], list[str], list[str]]:
        """(chunk ids, paper ids, texts) of every chunk, for building the lexical index."""
        ids: list[str] = []
        pids: list[str] = []
        texts: list[str] = []
        page = 5000
        offset = 0
        while True:
            res = self.chunks.get(include=["documents", "metadatas"], limit=page, offset=offset)
            if not res["ids"]:
                break
            ids.extend(res["ids"])
            pids.extend(str(m["paper_id"]) for m in res["metadatas"])
            texts.extend(res["documents"])
            offset += len(res["ids"])
            if len(res["ids"]) < page:
                break
        return ids, pids, texts

    def catalog_metadata(self, page: int = 5000) -> Any:
        """(paper id, catalog metadata) of every paper, read in pages (for the filter index)."""
        offset = 0
        while True:
            res = self.catalog.get(include=["metadatas"], limit=page, offset=offset)
            yield from zip(res["ids"], res["metadatas"] or [])
            offset += len(res["ids"])
            if len(res["ids"]) < page:
                break

    def ids_from_source(self, source: str) -> list[str]:
        """Ids of the papers read from a file (given as written at ingest, or any path to it)."""
        res = self.catalog.get(where={"source": {"$in": source_keys(source)}}, include=[])
        return list(res["ids"])

    def dense_search(
        self, query: str, n: int, where: dict[str, Any] | None = None
    ) -> list[ChunkHit]:
        total = self.count_chunks()
        if total == 0:
            return []
        res = self.chunks.query(
            query_embeddings=self.embedder([query]),
            n_results=min(n, total),
            where=where,
            include=["documents", "metadatas", "distances"],
        )
        hits = []
        for cid, doc, meta, dist in zip(
            res["ids"][0], res["documents"][0], res["metadatas"][0], res["distances"][0]
        ):
            body = doc.split("\n", 1)[1] if "\n" in doc else doc
            hits.append(
                ChunkHit(cid, str(meta["paper_id"]), str(meta["title"]), body, 1.0 - float(dist))
            )
        return hits

    # -- writing ------------------------------------------------------------------------------
    def ingest(
        self,
        papers: Iterable[Paper],
        *,
        progress: ProgressFn | None = None,
        on_wait: Callable[[str], None] | None = None,
        total: int | None = None,
    ) -> IngestReport:
        """Add new papers, replace changed ones, skip unchanged ones; safe to re-run after a crash."""
        report = IngestReport()
        self._connect()
        with write_lock(self.lock_path, on_wait):
            done = 0
            if progress and total:
                progress(0, total)
            batch: list[Paper] = []
            seen: set[str] = set()
            for paper in papers:
                if paper.paper_id in seen:
                    report.duplicates += 1
                    continue
                seen.add(paper.paper_id)
                batch.append(paper)
                if len(batch) >= _BATCH_PAPERS:
                    self._ingest_batch(batch, report)
                    done += len(batch)
                    batch = []
                    if progress:
                        progress(done, total or done)
            if batch:
                self._ingest_batch(batch, report)
                done += len(batch)
            if progress and (batch or (total or 0) != done):
                progress(done, done)  # also ends a bar whose total was only an estimate
            if report.changed:
                self._bump_generation()
        return report

    def _ingest_batch(self, batch: list[Paper], report: IngestReport) -> None:
        ids = [p.paper_id for p in batch]
        existing = self.catalog.get(ids=ids, include=["metadatas"])
        known = {
            pid: (meta or {}) for pid, meta in zip(existing["ids"], existing["metadatas"] or [])
        }
        todo = [
            p
            for p in batch
            if known.get(p.paper_id, {}).get("content_hash") != p.content_hash
            # written before chunks carried filter metadata: rewrite once
            or known[p.paper_id].get("meta_version") != META_VERSION
        ]
        report.unchanged += len(batch) - len(todo)
        if not todo:
            return
        replaced = [p.paper_id for p in todo if p.paper_id in known]
        # Remove any chunks of papers being (re)written: replaced ones, and half-written new ones.
        self.chunks.delete(where={"paper_id": {"$in": [p.paper_id for p in todo]}})
        chunks = [c for p in todo for c in chunk_paper(p, self.chunk_tokens, self.chunk_overlap)]
        embeddings = self.embedder([c.text for c in chunks])
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        catalog_metas = {
            p.paper_id: _clean(
                {
                    "title": p.title,
                    "source": p.source,
                    "added": known.get(p.paper_id, {}).get("added", now),
                    "updated": now,
                    "date": p.date,
                    "url": p.url,
                    "authors": "\x1f".join(p.authors),
                    "categories": "\x1f".join(p.categories),
                    "content_hash": p.content_hash,
                    "meta_version": META_VERSION,
                }
            )
            for p in todo
        }
        filterable = {pid: chunk_metadata(meta) for pid, meta in catalog_metas.items()}
        self.chunks.upsert(
            ids=[c.chunk_id for c in chunks],
            documents=[c.text for c in chunks],
            embeddings=embeddings,
            metadatas=[
                {
                    "paper_id": c.paper_id,
                    "title": c.title,
                    "chunk_index": c.index,
                    **filterable[c.paper_id],
                }
                for c in chunks
            ],
        )
        self.catalog.upsert(
            ids=[p.paper_id for p in todo],
            documents=[p.abstract for p in todo],
            embeddings=[[0.0] for _ in todo],
            metadatas=[catalog_metas[p.paper_id] for p in todo],
        )
        report.updated += len(replaced)
        report.added += len(todo) - len(replaced)
        report.titles_added.extend(p.title for p in todo if p.paper_id not in known)

    def remove(self, paper_ids: Sequence[str]) -> int:
        """Delete papers (catalog and chunks); returns how many existed."""
        self._connect()
        with write_lock(self.lock_path):
            found = self.catalog.get(ids=list(paper_ids), include=[])["ids"]
            if found:
                self.chunks.delete(where={"paper_id": {"$in": list(found)}})
                self.catalog.delete(ids=list(found))
                self._bump_generation()
            return len(found)

    def _bump_generation(self) -> None:
        self.catalog.modify(metadata={"generation": self.generation() + 1})
        self._announce_change()
