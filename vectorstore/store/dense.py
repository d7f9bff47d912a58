"""Dense (vector) search over the chunks, in the variants filtered retrieval chooses between
(see ``HybridRetriever.dense_search``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from vectorstore.store.layout import ChunkHit, chunk_hit, documents


def search(
    chunks: Any, embedder: Any, query: str, n: int, where: dict[str, Any] | None = None
) -> list[ChunkHit]:
    """The ``n`` nearest chunks (among those matching ``where``), with their texts."""
    # No count() first: it costs ~12 ms at 100k papers, and Chroma returns fewer than
    # ``n_results`` from a smaller (or empty) collection without complaint.
    res = chunks.query(
        query_embeddings=embedder([query]),
        n_results=n,
        where=where,
        include=["documents", "metadatas", "distances"],
    )
    return [
        chunk_hit(cid, doc, meta, 1.0 - float(dist))
        for cid, doc, meta, dist in zip(
            res["ids"][0], res["documents"][0], res["metadatas"][0], res["distances"][0]
        )
    ]


def ranking(
    chunks: Any, embedder: Any, query: str, n: int, ids: Sequence[str] | None = None
) -> list[tuple[str, float]]:
    """(chunk id, similarity) of the ``n`` nearest chunks (among ``ids``: Chroma's filtered
    HNSW search), texts not read: cheap to over-fetch."""
    res = chunks.query(
        query_embeddings=embedder([query]),
        n_results=n,
        ids=list(ids) if ids is not None else None,
        include=["distances"],
    )
    return [(cid, 1.0 - float(dist)) for cid, dist in zip(res["ids"][0], res["distances"][0])]


def exact_ranking(
    chunks: Any, embedder: Any, query: str, ids: Sequence[str], n: int
) -> list[tuple[str, float]]:
    """The ``n`` chunks of ``ids`` nearest to ``query`` by exact cosine (for a few hundred ids)."""
    import numpy as np

    res = chunks.get(ids=list(ids), include=["embeddings"])
    if not len(res["ids"]):
        return []
    vectors = np.asarray(res["embeddings"], dtype=np.float32)
    q = np.asarray(embedder([query])[0], dtype=np.float32)
    sims = vectors @ q / np.clip(np.linalg.norm(vectors, axis=1) * np.linalg.norm(q), 1e-9, None)
    top = np.argsort(-sims, kind="stable")[:n]
    return [(str(res["ids"][i]), float(sims[i])) for i in top]


def hits(chunks: Any, ranked: Sequence[tuple[str, float]]) -> list[ChunkHit]:
    """Texts and titles for ranked chunk ids (in that order)."""
    if not ranked:
        return []
    res = chunks.get(ids=[cid for cid, _ in ranked], include=["documents", "metadatas"])
    found = {
        cid: (doc, meta)
        for cid, doc, meta in zip(res["ids"], documents(res), res["metadatas"] or [])
    }
    return [chunk_hit(cid, *found[cid], similarity) for cid, similarity in ranked if cid in found]
