"""The paper store: chunks with embeddings in one Chroma collection, one record per paper in another.

``PaperStore`` is the one entry point; its parts live beside it:
``connection`` (opening, cross-process refresh), ``state`` (the generation and the repair of
a write a killed process left), ``reads``, ``dense`` (vector search variants), ``resolve``
(which stored paper an incoming one is), ``pipeline`` (ingest and removal, the only writers),
``layout`` (records and metadata) and ``faults`` (store faults as one clear line).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from vectorstore.embeddings import MiniLMEmbedding
from vectorstore.errors import EmptyStoreError, IngestInterrupted, StoreError
from vectorstore.locking import write_lock
from vectorstore.papers import Paper
from vectorstore.private import owner_only
from vectorstore.store import dense, pipeline, reads
from vectorstore.store.connection import StoreConnection
from vectorstore.store.faults import describe, store_call, translated
from vectorstore.store.layout import ChunkHit, PaperRecord
from vectorstore.store.pipeline import IngestReport, ProgressFn
from vectorstore.store.state import WRITER, StoreState

__all__ = [
    "ChunkHit",
    "EmptyStoreError",
    "IngestInterrupted",
    "IngestReport",
    "PaperRecord",
    "PaperStore",
    "ProgressFn",
    "StoreError",
]


class PaperStore:
    """Chroma-backed store of papers. Embedded (a folder) by default, or a ``chroma run`` server.

    Every method turns a store fault (full disk, lost server, damaged files) into a
    ``StoreError`` whose message names the cause and the remedy.
    """

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
        batch_papers: int = 128,  # ~190 chunks: enough texts per embedder call to pad little
    ) -> None:
        self.path = path
        self.chroma_url = chroma_url
        self.collection_name = collection
        self.chunk_tokens = chunk_tokens
        self.chunk_overlap = chunk_overlap
        self.batch_papers = batch_papers
        self.lock_path = lock_path
        self.embedder = MiniLMEmbedding(model_dir)
        self.stamp_path = lock_path.with_suffix(".stamp")
        self._conn = StoreConnection(
            path,
            chroma_url=chroma_url,
            collection=collection,
            embedder=self.embedder,
            stamp_path=self.stamp_path,
        )
        self._state = StoreState(self._conn, lock_path)

    # -- connection ---------------------------------------------------------------------------
    @store_call
    def connect(self) -> None:
        """Open the store now (else the first use does); repairs a write a dead process left."""
        if self._conn.connect() and (self._conn.catalog.metadata or {}).get(WRITER):
            self._state.generation()

    @property
    def chunks(self) -> Any:
        self.connect()
        return self._conn.chunks

    @property
    def catalog(self) -> Any:
        self.connect()
        return self._conn.catalog

    @property
    def location(self) -> str:
        return self._conn.location

    @store_call
    def refresh(self) -> bool:
        """Reopen the embedded store if another process changed it since we opened it."""
        return self._conn.refresh()

    # -- reading ------------------------------------------------------------------------------
    @store_call
    def generation(self) -> int:
        """A counter bumped by every change of the papers; caches key on it."""
        self.connect()
        return self._state.generation()

    @store_call
    def count_papers(self) -> int:
        return int(self.catalog.count())

    @store_call
    def count_chunks(self) -> int:
        return int(self.chunks.count())

    @store_call
    def papers(self, ids: Sequence[str] | None = None) -> list[PaperRecord]:
        """Catalog records, for the given ids (in that order) or all of them (in insertion order)."""
        return reads.papers(self.catalog, ids)

    @store_call
    def all_chunks(self) -> tuple[list[str], list[str], list[str]]:
        """(chunk ids, paper ids, texts) of every chunk, for building the lexical index."""
        return reads.all_chunks(self.chunks)

    def catalog_metadata(self, page: int = reads.PAGE) -> Iterator[tuple[str, dict[str, Any]]]:
        """(paper id, catalog metadata) of every paper, read in pages (for the filter index)."""
        with translated(self.location, server=bool(self.chroma_url)):
            yield from reads.catalog_metadata(self.catalog, page)

    @store_call
    def ids_from_source(self, source: str) -> list[str]:
        """Ids of the papers read from a file (given as written at ingest, or any path to it)."""
        return reads.ids_from_source(self.catalog, source)

    def had_papers(self) -> bool:
        """Has this data directory's store held papers (so that being empty now is news)?"""
        return self._state.had_papers()

    def mark_had_papers(self) -> None:
        self._state.mark_had_papers()

    # -- dense search -------------------------------------------------------------------------
    @store_call
    def dense_search(
        self, query: str, n: int, where: dict[str, Any] | None = None
    ) -> list[ChunkHit]:
        """The ``n`` nearest chunks (among those matching ``where``), with their texts."""
        return dense.search(self.chunks, self.embedder, query, n, where)

    @store_call
    def dense_ranking(self, query: str, n: int) -> list[tuple[str, float]]:
        """(chunk id, similarity) of the ``n`` nearest chunks, texts not read: cheap to over-fetch."""
        return dense.ranking(self.chunks, self.embedder, query, n)

    @store_call
    def dense_ranking_among(
        self, query: str, ids: Sequence[str], n: int
    ) -> list[tuple[str, float]]:
        """Like ``dense_ranking``, restricted to the chunks ``ids`` (Chroma's filtered HNSW search)."""
        return dense.ranking(self.chunks, self.embedder, query, n, ids)

    @store_call
    def exact_ranking_among(
        self, query: str, ids: Sequence[str], n: int
    ) -> list[tuple[str, float]]:
        """The ``n`` chunks of ``ids`` nearest to ``query`` by exact cosine (for a few hundred ids)."""
        return dense.exact_ranking(self.chunks, self.embedder, query, ids, n)

    @store_call
    def chunk_hits(self, ranked: Sequence[tuple[str, float]]) -> list[ChunkHit]:
        """Texts and titles for chunks ranked by ``dense_ranking`` (in that order)."""
        return dense.hits(self.chunks, ranked)

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
        is chunked and embedded, so ingest runs at nearly the raw embedder's speed. An error
        after some papers were stored raises ``IngestInterrupted`` (saying how many); those
        papers stay stored and visible to every search.
        """
        with self._writing(on_wait):
            run = pipeline.Pipeline(
                self.chunks,
                self.catalog,
                self.embedder,
                self._state,
                chunk_tokens=self.chunk_tokens,
                chunk_overlap=self.chunk_overlap,
            )
            try:
                with translated(self.location, server=bool(self.chroma_url)):
                    return run.run(papers, self.batch_papers, progress, total)
            except Exception as exc:
                committed = run.committed.describe()
                if not committed:
                    raise
                raise IngestInterrupted(exc, committed) from exc

    def remove(self, paper_ids: Sequence[str]) -> int:
        """Delete papers (catalog and chunks); returns how many existed."""
        with self._writing(None):
            return pipeline.remove(self.catalog, self.chunks, self._state, paper_ids)

    @contextmanager
    def _writing(self, on_wait: Callable[[str], None] | None) -> Iterator[None]:
        """Hold the write lock, repair what a dead writer left, and finish the change (bump
        the generation, clear the mark) even when the write fails, deleting the chunks a failed
        batch left without their paper; if even that fails (the server is gone, the disk is
        full), the next process repairs it."""
        with translated(self.location, server=bool(self.chroma_url)):
            self.connect()
            with write_lock(self.lock_path, on_wait), owner_only():
                self._state.recover()
                try:
                    yield
                except BaseException as exc:
                    if self._state.marked:
                        # After a store fault this client's view is not to be trusted (and it
                        # may hang): repair on a fresh one. If even that fails, the mark stays
                        # and the next process repairs it.
                        with suppress(Exception):
                            self._state.recover(reopen=_store_fault(exc))
                    raise
                if self._state.marked:
                    self._state.finish()


def _store_fault(exc: BaseException) -> bool:
    """Did the store fail (rather than a reader, the user's Ctrl-C or a bug)?"""
    if isinstance(exc, IngestInterrupted):
        exc = exc.cause
    return isinstance(exc, StoreError) or (
        isinstance(exc, Exception) and describe(exc, "", server=False) is not None
    )
