"""Hybrid retrieval: dense (Chroma) + BM25, fused by reciprocal rank, one entry per paper."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vectorstore.disk_cache import load_or_build
from vectorstore.filters import FILTER_TABLE_VERSION, FilterIndex, Filters
from vectorstore.lexical import LexicalCache, LexicalIndex
from vectorstore.store import ChunkHit, PaperRecord, PaperStore

RRF_K = 20  # smaller than the usual 60: a first place in either list counts more (measured in docs/benchmarks.md)
# Filtered dense search (see HybridRetriever.dense_search; measured in docs/scale.md):
EXACT_MAX = 1000  # up to this many passing chunks: exact cosine over their vectors
EXACT_MAX_SERVER = 400  # over HTTP vectors travel as JSON: Chroma's search among ids wins sooner
POST_FILTER_MAX = 2000  # largest unfiltered HNSW over-fetch (~20 ms at 145k chunks)
POST_FILTER_MARGIN = 2.0  # over-fetch twice the chunks the filter's share predicts
BACKGROUND_SAMPLE = 512  # chunks sampled to estimate how similar an unrelated chunk is


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
        self._sample: tuple[str, Any] | None = None  # (index key, chunk vectors)

    def lexical_index(self, generation: int | None = None) -> LexicalIndex:
        """The BM25 index of the store's current generation (also the source of term IDF)."""
        # The collection id changes when a store is recreated, so a reused counter never
        # picks up another store's index.
        if generation is None:
            generation = self.store.generation()
        key = f"{self.store.chunks.id}-{generation}"
        return self.lexical.get(key, self.store.all_chunks)

    def latest_lexical_index(self) -> LexicalIndex:
        """The index the last retrieval used (or a newer one): its term statistics (IDF) serve
        the answer step without another generation read, an HTTP round trip in server mode."""
        return self.lexical.latest or self.lexical_index()

    def retrieve(
        self,
        query: str,
        k: int = 5,
        filters: Filters | None = None,
        *,
        weights: dict[str, float] | None = None,
    ) -> list[RetrievedPaper]:
        """The ``k`` best papers; ``filters`` restrict both the dense and the BM25 side alike.

        ``weights`` (index term -> weight) replace the query's own terms on the keyword side,
        so a caller that knows which words matter ("INT4" more than "faster") can say so.
        """
        if not query.strip() or k <= 0:
            return []
        self.store.refresh()
        n = max(self.candidates, k * 6)
        generation = self.store.generation()  # read once: a round trip in server mode
        index = self.lexical_index(generation)
        mask = self.chunk_mask(index, filters, generation) if filters else None
        dense = paper_order(self.dense_search(query, n, index, mask))
        lexical = paper_order(index.search(weights if weights else query, n, mask=mask))

        fused: dict[str, float] = {}
        for ranking in (dense, lexical):
            for pid, (rank, _) in ranking.items():
                fused[pid] = fused.get(pid, 0.0) + 1.0 / (RRF_K + rank)
        # On a tie (first in one list, absent from the other), the paper that has the
        # query's words beats a nearest neighbour in meaning: a rare or made-up name
        # ("zorblax") has no meaning to be near, only the abstract that spells it.
        top = sorted(fused, key=lambda pid: (-fused[pid], pid not in lexical))[:k]
        records = {r.paper_id: r for r in self.store.papers(top)}

        # a paper found only by BM25 shows its best keyword chunk: read them in one go
        lexical_only = [
            lexical[pid][1].chunk_id for pid in top if pid in lexical and pid not in dense
        ]
        bodies = {
            h.chunk_id: h.body for h in self.store.chunk_hits([(c, 0.0) for c in lexical_only])
        }
        results = []
        for pid in top:
            if pid not in records:
                continue  # removed between the two reads
            d = dense.get(pid)
            lx = lexical.get(pid)
            evidence = d[1].body if d else bodies.get(lx[1].chunk_id, "") if lx else ""
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

    def fetch(
        self, paper_ids: list[str], query: str, filters: Filters | None = None
    ) -> list[RetrievedPaper]:
        """Named papers (by id) as retrieval results for ``query``: each with its chunk most
        similar to the query as evidence and that similarity (exact cosine over its chunks).
        Papers the filters exclude, or that no longer exist, are left out."""
        import numpy as np

        if not paper_ids:
            return []
        index = self.latest_lexical_index()
        if filters:
            allowed = set(self.filter_index().passing_ids(filters, paper_ids))
            paper_ids = [p for p in paper_ids if p in allowed]
        chunk_ids = [cid for pid in paper_ids for cid in index.chunks_of(pid)]
        records = {r.paper_id: r for r in self.store.papers(paper_ids)}
        if not chunk_ids or not records:
            return []
        ranked = self.store.exact_ranking_among(query, chunk_ids, len(chunk_ids))
        paper_of = dict(zip(index.chunk_ids, index.paper_ids))
        first: dict[str, tuple[str, float]] = {}
        for cid, sim in ranked:  # best first: keep each paper's best chunk
            first.setdefault(paper_of.get(cid, ""), (cid, sim))
        best = paper_order(self.store.chunk_hits(list(first.values())))
        out = []
        for pid in paper_ids:
            if pid not in records or pid not in best:
                continue
            hit = best[pid][1]
            out.append(
                RetrievedPaper(
                    paper=records[pid],
                    score=0.0,
                    evidence=hit.body,
                    dense_similarity=float(np.float32(hit.similarity)),
                    lexical_score=None,
                )
            )
        return out

    def similarity_background(self, query: str) -> tuple[float, float]:
        """Mean and standard deviation of the query's cosine similarity to the collection's
        chunks, estimated on a fixed random sample: what "similar" means in this collection."""
        import numpy as np

        index = self.latest_lexical_index()
        sample = self._sample
        if sample is None or sample[0] != index.key:
            ids = index.chunk_ids
            rng = np.random.default_rng(0)
            picked = (
                ids
                if len(ids) <= BACKGROUND_SAMPLE
                else [ids[i] for i in rng.choice(len(ids), BACKGROUND_SAMPLE, replace=False)]
            )
            res = self.store.chunks.get(ids=list(picked), include=["embeddings"])
            vectors = np.asarray(res["embeddings"], dtype=np.float32).reshape(-1, 384)
            vectors /= np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9, None)
            sample = self._sample = (index.key, vectors)
        vectors = sample[1]
        if not len(vectors):
            return 0.0, 1.0
        q = np.asarray(self.store.embedder.query(query), dtype=np.float32)
        sims = vectors @ (q / max(float(np.linalg.norm(q)), 1e-9))
        return float(sims.mean()), float(sims.std()) or 1.0

    def dense_search(
        self, query: str, n: int, index: LexicalIndex, mask: Any = None
    ) -> list[ChunkHit]:
        """Dense hits among the chunks ``mask`` keeps (one bool per chunk of ``index``; None: all).

        Chroma's own ``where`` reads the metadata of every chunk from SQLite before the vector
        search (~250 ms at 100k papers), so filters are applied through the same per-chunk mask
        as BM25, in whichever of three ways is cheapest for how many chunks pass:
        few (<= EXACT_MAX): exact cosine over their vectors; many (an unfiltered over-fetch of
        <= POST_FILTER_MAX would hold ~2n of them): HNSW over-fetch, then the mask;
        in between: Chroma's HNSW restricted to their ids.
        """
        if mask is None:
            return self.store.dense_search(query, n)
        import numpy as np

        passing = int(mask.sum())
        if passing == 0:
            return []
        if passing <= (EXACT_MAX_SERVER if self.store.chroma_url else EXACT_MAX):
            ids = index.chunk_id_array[mask].tolist()
            return self.store.chunk_hits(self.store.exact_ranking_among(query, ids, n))
        fetch = math.ceil(n * POST_FILTER_MARGIN * len(mask) / passing)
        if fetch <= POST_FILTER_MAX:
            ranked = self.store.dense_ranking(query, fetch)
            rows = index.rows_of([cid for cid, _ in ranked])
            passes = np.append(mask, False)[rows]  # chunks the index does not know never pass
            kept = [hit for hit, ok in zip(ranked, passes) if ok][:n]
            if len(kept) >= n or len(ranked) < fetch:
                return self.store.chunk_hits(kept)
        ids = index.chunk_id_array[mask].tolist()
        return self.store.chunk_hits(self.store.dense_ranking_among(query, ids, n))

    def filter_index(self, generation: int | None = None) -> FilterIndex:
        """Per-paper filter attributes of the current generation: in memory, on disk (beside the
        BM25 index), or read from the catalog (~13 s at 100k papers) and saved for the next process.
        """
        if generation is None:
            generation = self.store.generation()
        if self._filter_index is None or self._filter_index[0] != generation:
            path = self.lexical.folder / (
                f"filters-{self.store.chunks.id}-{generation}-v{FILTER_TABLE_VERSION}.npz"
            )
            index = load_or_build(
                path,
                complete=path,  # written under another name, then renamed
                load=FilterIndex.load,
                build=lambda: FilterIndex.from_catalog(self.store.catalog_metadata()),
                save=FilterIndex.save,
                stale="filters-*",
            )
            self._filter_index = (generation, index)
        return self._filter_index[1]

    def chunk_mask(
        self, index: LexicalIndex, filters: Filters, generation: int | None = None
    ) -> Any:
        """One bool per BM25 chunk: does its paper pass the filters? (O(chunks) numpy, no Python loop.)"""
        import numpy as np

        fi = self.filter_index(generation)
        # Keyed by the store state both were built from, never by object identity (ids are reused).
        key = (index.key, self._filter_index[0] if self._filter_index else -1)
        if self._chunk_rows is None or self._chunk_rows[0] != key:
            self._chunk_rows = (key, fi.rows_of(index.paper_ids))
        papers = np.append(fi.paper_mask(filters), False)
        return papers[self._chunk_rows[1]]
