"""Retrieval variants with the interface ``Assistant`` uses (``retrieve(query, k)``,
``lexical_index()``), so each one runs through the same answerer and citation check.

``rank(query, k)`` is the retrieval alone (what the latency comparison times). For BM25
alone, ``retrieve`` then adds the dense similarity of the papers already chosen, because the
extractive answerer reads it: the ranking stays lexical, and the answerer is not handicapped
by a missing field.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from vectorstore.embeddings import MiniLMEmbedding
from vectorstore.papers import Paper
from vectorstore.retrieval import HybridRetriever, RetrievedPaper, paper_order
from vectorstore.store import PaperRecord


class _Variant:
    def __init__(self, hybrid: HybridRetriever) -> None:
        self.hybrid = hybrid
        self.store = hybrid.store

    def __getattr__(self, name: str) -> Any:  # anything else the API needs: the real retriever
        return getattr(self.hybrid, name)

    def rank(self, query: str, k: int) -> list[RetrievedPaper]:
        raise NotImplementedError

    def retrieve(
        self, query: str, k: int = 5, filters: Any = None, *, weights: Any = None
    ) -> list[RetrievedPaper]:
        # The benchmark asks unfiltered questions; the baselines ignore metadata filters and
        # the answering plan's term weights (they retrieve the usual way).
        return self._enrich(query, self.rank(query, k))

    def _body(self, chunk_id: str) -> str:
        hits = self.store.chunk_hits([(chunk_id, 0.0)])
        return hits[0].body if hits else ""

    def _records(self, ids: list[str]) -> dict[str, PaperRecord]:
        return {r.paper_id: r for r in self.store.papers(ids)}

    def _dense_by_paper(self, query: str, ids: list[str]) -> dict[str, float]:
        if not ids:
            return {}
        hits = self.store.dense_search(query, 10 * len(ids), where={"paper_id": {"$in": ids}})
        best: dict[str, float] = {}
        for h in hits:
            best.setdefault(h.paper_id, h.similarity)
        return best

    def _enrich(self, query: str, papers: list[RetrievedPaper]) -> list[RetrievedPaper]:
        return papers


class BM25Only(_Variant):
    """bm25s over the same chunks, best chunk per paper; no dense retrieval."""

    name = "BM25 alone"

    def rank(self, query: str, k: int) -> list[RetrievedPaper]:
        order = paper_order(self.hybrid.lexical_index().search(query, max(40, 6 * k)))
        top = list(order)[:k]
        records = self._records(top)
        return [
            RetrievedPaper(
                paper=records[pid],
                score=round(order[pid][1].score, 6),
                evidence=self._body(order[pid][1].chunk_id),
                dense_similarity=None,
                lexical_score=order[pid][1].score,
                lexical_rank=order[pid][0],
            )
            for pid in top
            if pid in records
        ]

    def _enrich(self, query: str, papers: list[RetrievedPaper]) -> list[RetrievedPaper]:
        dense = self._dense_by_paper(query, [p.paper_id for p in papers])
        return [replace(p, dense_similarity=dense.get(p.paper_id)) for p in papers]


class DenseOnly(_Variant):
    """MiniLM cosine over the same Chroma chunks, best chunk per paper; no BM25."""

    name = "dense alone"

    def rank(self, query: str, k: int) -> list[RetrievedPaper]:
        order = paper_order(self.store.dense_search(query, max(40, 6 * k)))
        top = list(order)[:k]
        records = self._records(top)
        return [
            RetrievedPaper(
                paper=records[pid],
                score=round(order[pid][1].similarity, 6),
                evidence=order[pid][1].body,
                dense_similarity=order[pid][1].similarity,
                lexical_score=None,
                dense_rank=order[pid][0],
            )
            for pid in top
            if pid in records
        ]


class LangChainEmbeddings:
    """The project's offline MiniLM behind LangChain's ``Embeddings`` interface."""

    def __init__(self, embedder: MiniLMEmbedding) -> None:
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [list(map(float, v)) for v in self.embedder(texts)]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def build_langchain_store(
    papers: list[Paper], embedder: MiniLMEmbedding, persist_dir: Path
) -> tuple[Any, int]:
    """The naive baseline, built the usual way: one Document per paper, RecursiveCharacterText
    Splitter with LangChain's documented defaults (1000 characters, 200 overlap), Chroma with
    its default settings. Returns the vector store and the number of chunks."""
    import chromadb
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_core.embeddings import Embeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    class _Adapter(LangChainEmbeddings, Embeddings):
        pass

    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    docs = splitter.split_documents(
        [
            Document(
                page_content=f"{p.title}\n{p.abstract}",
                metadata={"title": p.title, "paper_id": p.paper_id},
            )
            for p in papers
        ]
    )
    client = chromadb.PersistentClient(
        path=str(persist_dir), settings=chromadb.config.Settings(anonymized_telemetry=False)
    )
    store = Chroma(collection_name="baseline", embedding_function=_Adapter(embedder), client=client)
    store.add_documents(docs)
    return store, len(docs)


class LangChainBaseline(_Variant):
    """Chroma similarity search over LangChain chunks; the top-k chunks' papers, in order.

    Chroma's default space is squared L2; on MiniLM's unit vectors cosine = 1 - d/2.
    """

    name = "LangChain + Chroma (naive)"

    def __init__(self, hybrid: HybridRetriever, vectorstore: Any) -> None:
        super().__init__(hybrid)
        self.vectorstore = vectorstore

    def rank(self, query: str, k: int) -> list[RetrievedPaper]:
        # the usual way: the top-5 chunks, whatever the question asks for
        hits = self.vectorstore.similarity_search_with_score(query, k=5)
        order: dict[str, tuple[int, Any, float]] = {}
        for doc, distance in hits:
            pid = doc.metadata["paper_id"]
            if pid not in order:
                order[pid] = (len(order) + 1, doc, 1.0 - float(distance) / 2)
        records = self._records(list(order))
        results = []
        for pid, (rank, doc, sim) in order.items():
            if pid not in records:
                continue
            body = doc.page_content.split("\n", 1)[-1]
            results.append(
                RetrievedPaper(
                    paper=records[pid],
                    score=round(sim, 6),
                    evidence=body,
                    dense_similarity=sim,
                    lexical_score=None,
                    dense_rank=rank,
                )
            )
        return results
