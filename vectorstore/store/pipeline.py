"""The ingest pipeline and removal: the only code that writes papers.

Orders that keep the store consistent whenever a process is killed:
* ingest: chunks first, the catalog record last (a paper with a catalog record is complete),
  and a replaced paper's new chunks before its surplus old ones are deleted, so a listed paper
  always has its chunks;
* removal: catalog records first, chunks after (a paper is never listed without chunks).
Every write is marked in the store first (``StoreState``), so the chunks a killed write left
without a paper are deleted, and the generation bumped, by the next process.
Deterministic chunk ids make every write an idempotent upsert: a re-run redoes exactly the
papers without a complete record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

from vectorstore.chunking import Chunk, chunk_paper
from vectorstore.filters import META_VERSION
from vectorstore.papers import Paper
from vectorstore.store.layout import CHUNK_COUNT, catalog_meta, chunk_meta
from vectorstore.store.resolve import Resolution, Resolver, migrate_identities
from vectorstore.store.state import StoreState

ProgressFn = Callable[[int, int], None]
REMOVE_BATCH = 1000  # ids per removal step (the pending mark holds them)


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


@dataclass
class Committed:
    """What an ingest has written so far (its report counts papers when they are prepared)."""

    added: int = 0
    updated: int = 0

    def describe(self) -> str:
        parts = [f"{self.added} papers were added"] if self.added else []
        if self.updated:
            parts.append(f"{self.updated} updated")
        return " and ".join(parts)


@dataclass(frozen=True)
class PreparedBatch:
    """A batch ready to write: the papers that changed, their chunks, vectors and catalog metadata."""

    papers: list[tuple[str, Paper]]  # (paper id to write under, paper)
    chunks: list[Chunk]
    embeddings: Any
    catalog_metas: dict[str, dict[str, Any]]
    old_chunk_counts: dict[str, int | None]  # replaced papers: their stored chunk count, if known
    absorbed: list[str]  # stored duplicates of these papers, to delete
    added: int
    updated: int


class Pipeline:
    """One ingest run: batches prepared (chunked, embedded) while the previous one is written."""

    def __init__(
        self,
        chunks: Any,
        catalog: Any,
        embedder: Any,
        state: StoreState,
        *,
        chunk_tokens: int,
        chunk_overlap: int,
    ) -> None:
        self.chunks, self.catalog, self.embedder, self.state = chunks, catalog, embedder, state
        self.chunk_tokens, self.chunk_overlap = chunk_tokens, chunk_overlap
        self.report = IngestReport()
        self.committed = Committed()
        self.resolver = Resolver(catalog)

    def run(
        self,
        papers: Iterable[Paper],
        batch_papers: int,
        progress: ProgressFn | None,
        total: int | None,
    ) -> IngestReport:
        migrate_identities(self.catalog, self.state)
        with ThreadPoolExecutor(1, "store-write") as writer:
            done = 0
            pending: tuple[Future[None] | None, int] | None = None

            def finish_pending() -> None:
                nonlocal done, pending
                if pending is None:
                    return
                future, size = pending
                pending = None
                if future is not None:
                    future.result()  # a failed write stops the ingest here, with its own error
                done += size
                if progress:
                    progress(done, max(total or 0, done))

            def flush(batch: list[Paper]) -> None:
                nonlocal pending
                prepared = self.prepare(batch)
                finish_pending()  # at most one write in flight: memory stays bounded
                future = writer.submit(self.write, prepared) if prepared else None
                pending = (future, len(batch))

            if progress and total:
                progress(0, total)
            batch: list[Paper] = []
            try:
                for paper in papers:
                    batch.append(paper)
                    if len(batch) >= batch_papers:
                        flush(batch)
                        batch = []
                if batch:
                    flush(batch)
            finally:
                finish_pending()  # never leave a write running behind a reader's error
            if progress and (total or 0) != done:
                progress(done, done)  # ends a bar whose total was only an estimate
        return self.report

    # -- preparing (main thread) ---------------------------------------------------------------
    def prepare(self, batch: list[Paper]) -> PreparedBatch | None:
        """Which papers of a batch need writing, their chunks, embeddings and metadata."""
        report = self.report
        placed: list[tuple[Paper, Resolution]] = []
        for paper, res in zip(batch, self.resolver.resolve(batch)):
            if res.duplicate:
                report.duplicates += 1
            else:
                placed.append((paper, res))
        absorbed = sorted({pid for _, res in placed for pid in res.absorbed})
        maybe_same = [(p, r) for p, r in placed if r.known is not None and _same_content(p, r)]
        intact = self._have_chunks([r for _, r in maybe_same])
        todo = [(p, r) for p, r in placed if not (r.known is not None and r.paper_id in intact)]
        report.unchanged += len(placed) - len(todo)
        if not todo and not absorbed:
            return None
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        papers: list[tuple[str, Paper]] = []
        chunks: list[Chunk] = []
        metas: dict[str, dict[str, Any]] = {}
        old_counts: dict[str, int | None] = {}
        for paper, res in todo:
            known = res.known or {}
            # a second source of a stored paper keeps the identifiers the first one gave
            paper = replace(
                paper,
                external_id=paper.external_id or known.get("external_id"),
                doi=paper.doi or known.get("doi"),
            )
            mine = [
                replace(c, chunk_id=f"{res.paper_id}:{c.index}", paper_id=res.paper_id)
                for c in chunk_paper(paper, self.chunk_tokens, self.chunk_overlap)
            ]
            papers.append((res.paper_id, paper))
            chunks.extend(mine)
            metas[res.paper_id] = catalog_meta(paper, len(mine), known.get("added", now), now)
            if res.known is not None:
                count = known.get(CHUNK_COUNT)
                old_counts[res.paper_id] = int(count) if count is not None else None
        updated = len(old_counts)
        report.updated += updated
        report.added += len(todo) - updated
        report.titles_added.extend(p.title for p, r in todo if r.known is None)
        embeddings = self.embedder([c.text for c in chunks]) if chunks else []
        return PreparedBatch(
            papers, chunks, embeddings, metas, old_counts, absorbed, len(todo) - updated, updated
        )

    def _have_chunks(self, stored: list[Resolution]) -> set[str]:
        """The stored papers whose first and last chunks exist: a paper listed without chunks
        (left by an older removal cut short) is written again, not called unchanged."""
        probes: dict[str, list[str]] = {}
        for res in stored:
            count = int((res.known or {}).get(CHUNK_COUNT) or 1)
            probes[res.paper_id] = sorted({f"{res.paper_id}:0", f"{res.paper_id}:{count - 1}"})
        wanted = [cid for ids in probes.values() for cid in ids]
        found = set(self.chunks.get(ids=wanted, include=[])["ids"]) if wanted else set()
        return {pid for pid, ids in probes.items() if all(cid in found for cid in ids)}

    # -- writing (the writer thread) -----------------------------------------------------------
    def write(self, prepared: PreparedBatch) -> None:
        """Chunks first, catalog records last; then stored duplicates merged away.

        One upsert per collection: Chroma's embedded client holds the GIL through each call,
        and splitting them so the embedder could run in between measured slower (the two then
        compete for both cores; docs/scale.md).
        """
        ids = [pid for pid, _ in prepared.papers]
        self.state.begin(pending=[*ids, *prepared.absorbed])
        if prepared.chunks:
            self.chunks.upsert(
                ids=[c.chunk_id for c in prepared.chunks],
                embeddings=prepared.embeddings,
                metadatas=[chunk_meta(c) for c in prepared.chunks],
            )
            self._delete_surplus_chunks(prepared)
            try:
                self.catalog.upsert(
                    ids=ids,
                    embeddings=[[0.0] for _ in ids],
                    metadatas=[prepared.catalog_metas[pid] for pid in ids],
                )
            except Exception as exc:
                if "compaction" in str(exc).lower():
                    # Chroma has the records in its log and applies them when the store is
                    # next opened: they are stored (docs/reliability.md)
                    self._committed(prepared)
                raise
        if prepared.absorbed:
            delete_papers(self.catalog, self.chunks, prepared.absorbed)
        self._committed(prepared)

    def _committed(self, prepared: PreparedBatch) -> None:
        self.committed.added += prepared.added
        self.committed.updated += prepared.updated
        if self.committed.added:
            self.state.mark_had_papers()

    def _delete_surplus_chunks(self, prepared: PreparedBatch) -> None:
        """Delete the chunks the upsert did not overwrite: a replaced paper's beyond its new
        chunk count, and a new paper's left by an interrupted ingest of a longer text.

        Cheap when nothing is left: a replaced paper's stored count tells, and a new paper has
        surplus chunks exactly when chunk ``<paper>:<its chunk count>`` exists (one primary-key
        read instead of a metadata scan, ~0.2 s a batch at 100k papers).
        """
        count: dict[str, int] = {}
        for c in prepared.chunks:
            count[c.paper_id] = count.get(c.paper_id, 0) + 1
        suspects = {
            pid
            for pid, old in prepared.old_chunk_counts.items()
            if old is None or old > count.get(pid, 0)
        }
        new = [pid for pid, _ in prepared.papers if pid not in prepared.old_chunk_counts]
        probe = [f"{pid}:{count.get(pid, 0)}" for pid in new]
        found = self.chunks.get(ids=probe, include=[])["ids"] if probe else []
        suspects |= {cid.rpartition(":")[0] for cid in found}
        if not suspects:
            return
        keep = {c.chunk_id for c in prepared.chunks}
        stored = self.chunks.get(where={"paper_id": {"$in": sorted(suspects)}}, include=[])["ids"]
        surplus = [cid for cid in stored if cid not in keep]
        if surplus:
            self.chunks.delete(ids=surplus)


def _same_content(paper: Paper, res: Resolution) -> bool:
    known = res.known or {}
    # written before chunks carried filter metadata: rewrite once
    return (
        known.get("content_hash") == paper.content_hash
        and known.get("meta_version") == META_VERSION
    )


def delete_papers(catalog: Any, chunks: Any, ids: Sequence[str]) -> None:
    """Catalog records first, then chunks: a paper is never listed without its chunks. The
    caller has marked ``ids`` pending, so chunks a kill leaves behind are deleted later."""
    catalog.delete(ids=list(ids))
    chunks.delete(where={"paper_id": {"$in": list(ids)}})


def remove(catalog: Any, chunks: Any, state: StoreState, paper_ids: Sequence[str]) -> int:
    """Delete papers (catalog records and chunks); returns how many existed. The caller holds
    the write lock and finishes the change (``StoreState.finish``)."""
    wanted = list(dict.fromkeys(paper_ids))
    removed = 0
    for start in range(0, len(wanted), REMOVE_BATCH):
        found = catalog.get(ids=wanted[start : start + REMOVE_BATCH], include=[])["ids"]
        if found:
            state.begin(pending=found)
            delete_papers(catalog, chunks, found)
            removed += len(found)
    return removed
