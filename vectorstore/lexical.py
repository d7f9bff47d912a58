"""BM25 over chunks (bm25s), built from the store and cached on disk per store generation.

Rebuilding happens only when an ingest changed the store, never per query.
"""

from __future__ import annotations

import json
import math
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from vectorstore.disk_cache import load_or_build
from vectorstore.text import ANALYZER_VERSION, terms

ChunkLoader = Callable[[], tuple[list[str], list[str], list[str]]]


@dataclass(frozen=True)
class LexicalHit:
    chunk_id: str
    paper_id: str
    score: float


class LexicalIndex:
    """BM25 over chunks, plus what answering needs to know of the whole collection: each
    term's postings (every chunk that contains it, not only a top-k) and every paper's title."""

    def __init__(
        self,
        chunk_ids: list[str],
        paper_ids: list[str],
        model: object,
        titles: dict[str, str] | None = None,
    ) -> None:
        self.chunk_ids = chunk_ids
        self.paper_ids = paper_ids
        self._model = model
        self._vocab: dict[str, int] = getattr(model, "vocab_dict", {}) or {}
        self.titles: dict[str, str] = titles or {}  # paper id -> title
        self.key = ""  # the store state it was built from, set by LexicalCache

    @classmethod
    def build(cls, chunk_ids: list[str], paper_ids: list[str], texts: list[str]) -> LexicalIndex:
        import bm25s

        model = bm25s.BM25()
        if texts:
            model.index([terms(t) or ["\x00"] for t in texts], show_progress=False)
        # every chunk's text starts with its paper's title line (vectorstore.chunking)
        titles = {pid: text.split("\n", 1)[0] for pid, text in zip(paper_ids, texts)}
        return cls(chunk_ids, paper_ids, model, titles)

    @property
    def vocabulary(self) -> dict[str, int]:
        """Index term -> term id (the terms ``vectorstore.text.terms`` produced at build time)."""
        return self._vocab

    def postings(self, term: str) -> tuple[Any, Any]:
        """(chunk rows, BM25 scores) of every chunk containing ``term`` (empty arrays if none)."""
        import numpy as np

        tid = self._vocab.get(term)
        if tid is None or not self.chunk_ids:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        sc = self._model.scores  # type: ignore[attr-defined]
        start, end = int(sc["indptr"][tid]), int(sc["indptr"][tid + 1])
        return sc["indices"][start:end], sc["data"][start:end]

    def document_frequency(self, term: str) -> int:
        """How many chunks contain ``term``."""
        tid = self._vocab.get(term)
        if tid is None or not self.chunk_ids:
            return 0
        indptr = self._model.scores["indptr"]  # type: ignore[attr-defined]
        return int(indptr[tid + 1] - indptr[tid])

    def weighted_scores(self, weights: dict[str, float]) -> Any:
        """One BM25 score per chunk, each query term's contribution scaled by its weight."""
        import numpy as np

        scores = np.zeros(len(self.chunk_ids), np.float32)
        for term, weight in weights.items():
            rows, values = self.postings(term)
            if weight > 0 and len(rows):
                scores[rows] += weight * values
        return scores

    @cached_property
    def chunk_id_array(self) -> Any:
        """The chunk ids as a numpy array, for selecting the ones a filter mask keeps."""
        import numpy as np

        return np.asarray(self.chunk_ids, dtype=object)

    @cached_property
    def _row(self) -> dict[str, int]:
        return {cid: i for i, cid in enumerate(self.chunk_ids)}

    def rows_of(self, chunk_ids: list[str]) -> Any:
        """Row of each chunk id in this index (``num_docs`` for ids it does not know)."""
        import numpy as np

        size = len(self.chunk_ids)
        return np.fromiter((self._row.get(c, size) for c in chunk_ids), np.int64, len(chunk_ids))

    @cached_property
    def _rows_by_paper(self) -> dict[str, list[int]]:
        rows: dict[str, list[int]] = {}
        for i, pid in enumerate(self.paper_ids):
            rows.setdefault(pid, []).append(i)
        return rows

    def chunks_of(self, paper_id: str) -> list[str]:
        """The ids of a paper's chunks."""
        return [self.chunk_ids[i] for i in self._rows_by_paper.get(paper_id, ())]

    @property
    def num_docs(self) -> int:
        return len(self.chunk_ids)

    def idf(self, term: str) -> float:
        """Inverse document frequency of a (stemmed) term over chunks; unseen terms get the maximum."""
        n = max(self.num_docs, 1)
        df = self.document_frequency(term)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def search(self, query: str | dict[str, float], n: int, mask: Any = None) -> list[LexicalHit]:
        """Best ``n`` chunks for a query text, or for weighted index terms; ``mask`` (one bool
        per chunk) limits the search to a filtered set.

        Scores are summed from the query terms' postings only; the top-k is an argpartition,
        because bm25s's ``retrieve(weight_mask=...)`` takes ~25 ms at 145k chunks where masking
        the score array takes ~1 ms.
        """
        import numpy as np

        if isinstance(query, str):
            weights: dict[str, float] = {}
            for t in terms(query):
                weights[t] = weights.get(t, 0.0) + 1.0
        else:
            weights = query
        if not any(t in self._vocab for t in weights) or not self.chunk_ids:
            return []
        scores = self.weighted_scores(weights)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        n = min(n, len(scores))
        top = np.argpartition(-scores, n - 1)[:n] if n < len(scores) else np.arange(len(scores))
        top = top[np.argsort(-scores[top], kind="stable")]
        return [
            LexicalHit(self.chunk_ids[int(d)], self.paper_ids[int(d)], float(scores[d]))
            for d in top
            if scores[d] > 0
        ]

    # -- persistence --------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self.chunk_ids:
            self._model.save(str(tmp), show_progress=False)  # type: ignore[attr-defined]
        (tmp / "ids.json").write_text(
            json.dumps({"chunks": self.chunk_ids, "papers": self.paper_ids, "titles": self.titles})
        )
        shutil.rmtree(folder, ignore_errors=True)
        tmp.rename(folder)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        import bm25s

        ids = json.loads((folder / "ids.json").read_text())
        model = bm25s.BM25.load(str(folder), show_progress=False) if ids["chunks"] else bm25s.BM25()
        return cls(ids["chunks"], ids["papers"], model, ids.get("titles"))


class LexicalCache:
    """One index per store generation: in memory, on disk, or rebuilt from the store."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock = threading.Lock()
        self._generation: str | None = None
        self._index: LexicalIndex | None = None

    @property
    def latest(self) -> LexicalIndex | None:
        """The index the last ``get`` returned, without asking the store for its generation."""
        return self._index

    def get(self, generation: str, load_chunks: ChunkLoader) -> LexicalIndex:
        """``generation`` names one state of one store (its collection id and change counter)."""
        with self._lock:
            if self._index is not None and self._generation == generation:
                return self._index
            # The analyser's version is part of the key: a new tokenisation must not read an old index.
            target = self.folder / f"gen-{generation}-a{ANALYZER_VERSION}"
            index = load_or_build(
                target,
                complete=target / "ids.json",
                load=LexicalIndex.load,
                build=lambda: LexicalIndex.build(*load_chunks()),
                save=LexicalIndex.save,
                stale="gen-*",
            )
            index.key = generation
            self._index, self._generation = index, generation
            return index
