"""Hybrid retrieval: dense (Chroma) + BM25, fused by reciprocal rank, one entry per paper."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vectorstore.filters import FilterIndex, Filters
from vectorstore.lexical import LexicalCache, LexicalIndex
from vectorstore.store import PaperRecord, PaperStore

RRF_K = 20  # smaller than the usual 60: a first place in either list counts more (measured in docs/benchmarks.md)


@dataclass(frozen=True)
class RetrievedPaper:
    """A paper with the evidence that made it match, and how well it matched."""

    paper: PaperRecord
    score: float  # fused reciprocal-rank score: higher is better, only comparable within a query
    evidence: str  # the best-matching chunk's text (without the title line)
    dense_similarity: float | None  # cosine similarity of its best chunk, if dense found it
    lexical_score: float | None  # BM25 score of its best chunk, if BM25 found it
    dense_rank: int | None = None
    lexical_rank: int | None = None

    @property
    def paper_id(self) -> str:
        return self.paper.paper_id

    @property
    def title(self) -> str:
        return self.paper.title


def paper_order(hits: list[Any]) -> dict[str, tuple[int, Any]]:
    """First (best) hit per paper, with the paper's rank in this list (1-based)."""
    order: dict[str, tuple[int, Any]] = {}
    for hit in hits:
        if hit.paper_id not in order:
            order[hit.paper_id] = (len(order) + 1, hit)
    return order


class HybridRetriever:
    def __init__(self, store: PaperStore, cache_dir: Path, candidates: int = 40) -> None:
        self.store = store
        self.lexical = LexicalCache(cache_dir)
        self.candidates = candidates
        # the BM25 side of metadata filters, rebuilt when the store's generation changes
        self._filter_index: tuple[int, FilterIndex] | None = None
        self._chunk_rows: tuple[tuple[str, int], Any] | None = None

    def lexical_index(self) -> LexicalIndex:
        """The BM25 index of the store's current generation (also the source of term IDF)."""
        # The collection id changes when a store is recreated, so a reused counter never
        # picks up another store's index.
        key = f"{self.store.chunks.id}-{self.store.generation()}"
        return self.lexical.get(key, self.store.all_chunks)

    def retrieve(
        self,
        query: str,
        k: int = 5,
        where: dict[str, Any] | None = None,
        filters: Filters | None = None,
    ) -> list[RetrievedPaper]:
        """The ``k`` best papers; ``filters`` restrict both the dense and the BM25 side alike."""
        if not query.strip() or k <= 0:
            return []
        self.store.refresh()
        n = max(self.candidates, k * 6)
        if filters:
            clause = filters.where()
            where = clause if where is None else {"$and": [where, clause]}
        dense = paper_order(self.store.dense_search(query, n, where=where))
        index = self.lexical_index()
        mask = self._chunk_mask(index, filters) if filters else None
        lexical_hits = index.search(query, n, mask=mask)
        if where is not None and mask is None and dense:
            # the lexical index is unfiltered: keep only papers the filtered dense side may return
            allowed = set(self._filtered_ids(where))
            lexical_hits = [h for h in lexical_hits if h.paper_id in allowed]
        lexical = paper_order(lexical_hits)

        fused: dict[str, float] = {}
        for ranking in (dense, lexical):
            for pid, (rank, _) in ranking.items():
                fused[pid] = fused.get(pid, 0.0) + 1.0 / (RRF_K + rank)
        top = sorted(fused, key=lambda pid: -fused[pid])[:k]
        records = {r.paper_id: r for r in self.store.papers(top)}

        results = []
        for pid in top:
            if pid not in records:
                continue  # removed between the two reads
            d = dense.get(pid)
            lx = lexical.get(pid)
            evidence = d[1].body if d else self._chunk_body(lx[1].chunk_id) if lx else ""
            results.append(
                RetrievedPaper(
                    paper=records[pid],
                    score=round(fused[pid], 6),
                    evidence=evidence,
                    dense_similarity=d[1].similarity if d else None,
                    lexical_score=lx[1].score if lx else None,
                    dense_rank=d[0] if d else None,
                    lexical_rank=lx[0] if lx else None,
                )
            )
        return results

    def filter_index(self) -> FilterIndex:
        """Per-paper filter attributes of the current generation (read from the catalog once)."""
        generation = self.store.generation()
        if self._filter_index is None or self._filter_index[0] != generation:
            self._filter_index = (
                generation,
                FilterIndex.from_catalog(self.store.catalog_metadata()),
            )
        return self._filter_index[1]

    def _chunk_mask(self, index: LexicalIndex, filters: Filters) -> Any:
        """One bool per BM25 chunk: does its paper pass the filters? (O(chunks) numpy, no Python loop.)"""
        import numpy as np

        fi = self.filter_index()
        # Keyed by the store state both were built from, never by object identity (ids are reused).
        key = (index.key, self._filter_index[0] if self._filter_index else -1)
        if self._chunk_rows is None or self._chunk_rows[0] != key:
            self._chunk_rows = (key, fi.rows_of(index.paper_ids))
        papers = np.append(fi.paper_mask(filters), False)
        return papers[self._chunk_rows[1]]

    def _chunk_body(self, chunk_id: str) -> str:
        res = self.store.chunks.get(ids=[chunk_id], include=["documents"])
        doc = res["documents"][0] if res["documents"] else ""
        return doc.split("\n", 1)[1] if "\n" in doc else doc

    def _filtered_ids(self, where: dict[str, Any]) -> list[str]:
        res = self.store.chunks.get(where=where, include=["metadatas"])
        return [str(m["paper_id"]) for m in res["metadatas"]]
