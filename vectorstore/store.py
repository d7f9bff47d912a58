"""The paper store: chunks with embeddings in one Chroma collection, one record per paper in another.

The catalog record (abstract + metadata + content hash) is written last for each paper, so
it marks a paper as completely ingested: an interrupted ingest re-run redoes exactly the
papers without one, and deterministic chunk ids make every write an idempotent upsert.

Writes are kept lean because at 100k papers they, not the embedder, limited ingest speed:
chunks carry only their paper id, title, index and text (filters are served from the catalog,
see ``vectorstore.filters``), and both the chunk text and the abstract are *metadata*, not
Chroma documents, so Chroma does not build its full-text (trigram) index over them, which
nothing queries (docs/scale.md).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from vectorstore.chunking import Chunk, chunk_paper
from vectorstore.embeddings import MiniLMEmbedding
from vectorstore.filters import META_VERSION, source_keys
from vectorstore.locking import write_lock
from vectorstore.papers import Paper

ProgressFn = Callable[[int, int], None]
# ~190 chunks a batch: enough texts per embedder call to pad little (docs/scale.md)
_BATCH_PAPERS = 128


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
    external_id: str | None = None
    doi: str | None = None
    original: str | None = None  # the source's own text of the record (a BibTeX entry)


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


@dataclass(frozen=True)
class _PreparedBatch:
    """A batch ready to write: the papers that changed, their chunks, vectors and catalog metadata."""

    papers: list[Paper]
    chunks: list[Chunk]
    embeddings: Any
    catalog_metas: dict[str, dict[str, Any]]
    replaced: frozenset[str]  # papers already in the catalog (their old chunks must go)


def _done_future() -> Any:
    from concurrent.futures import Future

    future: Future[None] = Future()
    future.set_result(None)
    return future


def _chunk_body(document: str | None, meta: dict[str, Any]) -> str:
    """A chunk's text without its title line.

    Since the lean layout it is the metadata key ``body`` (no Chroma document, so no full-text
    index is written); older stores keep "title, newline, body" as the document.
    """
    if "body" in meta:
        return str(meta["body"])
    document = document or ""
    return document.split("\n", 1)[1] if "\n" in document else document


def _documents(res: Any) -> list[str | None]:
    """The documents of a Chroma ``get``, one per id (None where a record has none)."""
    return list(res["documents"] or [None] * len(res["ids"]))


def _chunk_hit(cid: str, document: str | None, meta: dict[str, Any], similarity: float) -> ChunkHit:
    body = _chunk_body(document, meta)
    return ChunkHit(cid, str(meta["paper_id"]), str(meta["title"]), body, similarity)


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
            for pid, doc, meta in zip(res["ids"], _documents(res), res["metadatas"] or [])
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
            for doc, meta in zip(_documents(res), res["metadatas"]):
                pids.append(str(meta["paper_id"]))
                # what was embedded: the title line, then the body (Chunk.text); the metadata
                # wins over a document left by an interrupted ingest in the older layout
                texts.append(f"{meta['title']}\n{meta['body']}" if "body" in meta else doc or "")
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
        """The ``n`` nearest chunks (among those matching ``where``), with their texts."""
        # No count() first: it costs ~12 ms at 100k papers, and Chroma returns fewer than
        # ``n_results`` from a smaller (or empty) collection without complaint.
        res = self.chunks.query(
            query_embeddings=self.embedder([query]),
            n_results=n,
            where=where,
            include=["documents", "metadatas", "distances"],
        )
        return [
            _chunk_hit(cid, doc, meta, 1.0 - float(dist))
            for cid, doc, meta, dist in zip(
                res["ids"][0], res["documents"][0], res["metadatas"][0], res["distances"][0]
            )
        ]

    def dense_ranking(self, query: str, n: int) -> list[tuple[str, float]]:
        """(chunk id, similarity) of the ``n`` nearest chunks, texts not read: cheap to over-fetch."""
        res = self.chunks.query(
            query_embeddings=self.embedder([query]),
            n_results=n,
            include=["distances"],
        )
        return [(cid, 1.0 - float(dist)) for cid, dist in zip(res["ids"][0], res["distances"][0])]

    def dense_ranking_among(
        self, query: str, ids: Sequence[str], n: int
    ) -> list[tuple[str, float]]:
        """Like ``dense_ranking``, restricted to the chunks ``ids`` (Chroma's filtered HNSW search)."""
        res = self.chunks.query(
            query_embeddings=self.embedder([query]),
            n_results=n,
            ids=list(ids),
            include=["distances"],
        )
        return [(cid, 1.0 - float(dist)) for cid, dist in zip(res["ids"][0], res["distances"][0])]

    def exact_ranking_among(
        self, query: str, ids: Sequence[str], n: int
    ) -> list[tuple[str, float]]:
        """The ``n`` chunks of ``ids`` nearest to ``query`` by exact cosine (for a few hundred ids)."""
        import numpy as np

        res = self.chunks.get(ids=list(ids), include=["embeddings"])
        if not len(res["ids"]):
            return []
        vectors = np.asarray(res["embeddings"], dtype=np.float32)
        q = np.asarray(self.embedder([query])[0], dtype=np.float32)
        sims = (
            vectors @ q / np.clip(np.linalg.norm(vectors, axis=1) * np.linalg.norm(q), 1e-9, None)
        )
        top = np.argsort(-sims, kind="stable")[:n]
        return [(str(res["ids"][i]), float(sims[i])) for i in top]

    def chunk_hits(self, ranked: Sequence[tuple[str, float]]) -> list[ChunkHit]:
        """Texts and titles for chunks ranked by ``dense_ranking`` (in that order)."""
        if not ranked:
            return []
        res = self.chunks.get(ids=[cid for cid, _ in ranked], include=["documents", "metadatas"])
        found = {
            cid: (doc, meta)
            for cid, doc, meta in zip(res["ids"], _documents(res), res["metadatas"] or [])
        }
        return [
            _chunk_hit(cid, *found[cid], similarity) for cid, similarity in ranked if cid in found
        ]

    # -- writing ------------------------------------------------------------------------------
    def ingest(
        self,
        papers: Iterable[Paper],
        *,
        progress: ProgressFn | None = None,
        on_wait: Callable[[str], None] | None = None,
        total: int | None = None,
    ) -> IngestReport:
        """Add new papers, replace changed ones, skip unchanged ones; safe to re-run after a crash.

        Two stages overlap: while one batch is written to Chroma (a worker thread), the next
        is chunked and embedded, so ingest runs at nearly the raw embedder's speed.
        """
        from concurrent.futures import Future, ThreadPoolExecutor

        report = IngestReport()
        self._connect()
        with write_lock(self.lock_path, on_wait), ThreadPoolExecutor(1, "store-write") as writer:
            done = 0
            pending: tuple[Future[None], int] | None = None

            def finish_pending() -> None:
                nonlocal done, pending
                if pending is None:
                    return
                future, size = pending
                pending = None
                future.result()  # a failed write stops the ingest here, with its own error
                done += size
                if progress:
                    progress(done, max(total or 0, done))

            def flush(batch: list[Paper]) -> None:
                nonlocal pending
                prepared = self._prepare_batch(batch, report)
                finish_pending()  # at most one write in flight: memory stays bounded
                future = writer.submit(self._write_batch, prepared) if prepared else None
                pending = (future or _done_future(), len(batch))

            if progress and total:
                progress(0, total)
            batch: list[Paper] = []
            seen: set[str] = set()
            try:
                for paper in papers:
                    if paper.paper_id in seen:
                        report.duplicates += 1
                        continue
                    seen.add(paper.paper_id)
                    batch.append(paper)
                    if len(batch) >= _BATCH_PAPERS:
                        flush(batch)
                        batch = []
                if batch:
                    flush(batch)
            finally:
                finish_pending()  # never leave a write running behind a reader's error
            if progress and (total or 0) != done:
                progress(done, done)  # ends a bar whose total was only an estimate
            if report.changed:
                self._bump_generation()
        return report

    def _prepare_batch(self, batch: list[Paper], report: IngestReport) -> _PreparedBatch | None:
        """Which papers of a batch need writing, their chunks, embeddings and metadata."""
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
            return None
        chunks = [c for p in todo for c in chunk_paper(p, self.chunk_tokens, self.chunk_overlap)]
        embeddings = self.embedder([c.text for c in chunks])
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        catalog_metas = {
            p.paper_id: _clean(
                {
                    "title": p.title,
                    "abstract": p.abstract,
                    "source": p.source,
                    "added": known.get(p.paper_id, {}).get("added", now),
                    "updated": now,
                    "date": p.date,
                    "url": p.url,
                    "authors": "\x1f".join(p.authors),
                    "categories": "\x1f".join(p.categories),
                    "content_hash": p.content_hash,
                    "meta_version": META_VERSION,
                    "external_id": p.external_id,
                    "doi": p.doi,
                    "original": p.original,
                }
            )
            for p in todo
        }
        replaced = sum(1 for p in todo if p.paper_id in known)
        report.updated += replaced
        report.added += len(todo) - replaced
        report.titles_added.extend(p.title for p in todo if p.paper_id not in known)
        replacing = frozenset(p.paper_id for p in todo if p.paper_id in known)
        return _PreparedBatch(todo, chunks, embeddings, catalog_metas, replacing)

    def _write_batch(self, prepared: _PreparedBatch) -> None:
        """Chunks first, catalog records last: a paper with a catalog record is complete.

        One upsert per collection: Chroma's embedded client holds the GIL through each call,
        and splitting them so the embedder could run in between measured slower (the two then
        compete for both cores; docs/scale.md).
        """
        todo, chunks = prepared.papers, prepared.chunks
        self._delete_stale_chunks(prepared)
        self.chunks.upsert(
            ids=[c.chunk_id for c in chunks],
            embeddings=prepared.embeddings,
            metadatas=[
                {"paper_id": c.paper_id, "title": c.title, "chunk_index": c.index, "body": c.body}
                for c in chunks
            ],
        )
        self.catalog.upsert(
            ids=[p.paper_id for p in todo],
            embeddings=[[0.0] for _ in todo],
            metadatas=[prepared.catalog_metas[p.paper_id] for p in todo],
        )

    def _delete_stale_chunks(self, prepared: _PreparedBatch) -> None:
        """Delete the chunks the upsert would not overwrite: all of a replaced paper's, and a
        new paper's beyond its new chunk count (left by an interrupted ingest of other text).

        A new paper has such chunks exactly when chunk id ``<paper>:<its chunk count>`` exists:
        one primary-key read instead of a metadata scan (~0.2 s a batch at 100k papers).
        """
        count: dict[str, int] = {}
        for c in prepared.chunks:
            count[c.paper_id] = count.get(c.paper_id, 0) + 1
        new = [p.paper_id for p in prepared.papers if p.paper_id not in prepared.replaced]
        probe = [f"{pid}:{count.get(pid, 0)}" for pid in new]
        found = self.chunks.get(ids=probe, include=[])["ids"] if probe else []
        leftover = {cid.rpartition(":")[0] for cid in found}
        stale = sorted(prepared.replaced | leftover)
        if stale:
            self.chunks.delete(where={"paper_id": {"$in": stale}})

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
