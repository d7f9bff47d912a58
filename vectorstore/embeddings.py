"""The embedding function: Chroma's default model (all-MiniLM-L6-v2, ONNX), seeded offline, made fast.

Chroma's ``DefaultEmbeddingFunction`` reloads the ONNX model on every call and pads every
text to 256 tokens, which costs ~0.2 s per query here. ``MiniLMEmbedding`` keeps Chroma's
identity (name "default", so stores stay interchangeable with Chroma's own default) and
its exact vectors (tests compare them), but keeps one session and pads per batch instead.

Embedding is most of a first ingest's time, so vectors computed ahead of time by this same
embedder (``PrecomputedEmbeddings``, e.g. the bundled digest's, shipped with the package) can
be looked up by the exact text instead; any text not in the table is embedded as usual.
"""

from __future__ import annotations

import hashlib
import os
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from chromadb.api.types import DefaultEmbeddingFunction, Documents, Embeddings
from chromadb.utils.embedding_functions.onnx_mini_lm_l6_v2 import ONNXMiniLM_L6_V2

from vectorstore.offline import (
    MINILM_MODEL_SHA256,
    MINILM_TOKENIZER_SHA256,
    OfflineAssetError,
    seed_minilm,
)

MAX_TOKENS = 256
DIMENSIONS = 384
# Everything a vector depends on besides its text: the model and tokenizer files (pinned by
# hash and checked when seeded), the truncation and the pooling below. A precomputed table
# made under another identity is ignored.
EMBEDDER_ID = (
    f"all-MiniLM-L6-v2-int8/model-{MINILM_MODEL_SHA256[:16]}/tokenizer-{MINILM_TOKENIZER_SHA256[:16]}"
    f"/max-{MAX_TOKENS}/mean-pool-normalized"
)


class _BatchPaddedMiniLM(ONNXMiniLM_L6_V2):
    """Chroma's ONNX MiniLM with padding to the longest text of each batch instead of 256."""

    @cached_property
    def tokenizer(self) -> Any:
        tok = self.Tokenizer.from_file(
            os.path.join(self.DOWNLOAD_PATH, self.EXTRACTED_FOLDER_NAME, "tokenizer.json")
        )
        tok.enable_truncation(max_length=MAX_TOKENS)
        tok.enable_padding(pad_id=0, pad_token="[PAD]")
        return tok

    def _forward(self, documents: list[str], batch_size: int = 32) -> Any:
        # Sort by length so each batch pads little; restore the caller's order at the end.
        order = sorted(range(len(documents)), key=lambda i: len(documents[i]))
        out = np.zeros((len(documents), DIMENSIONS), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            encoded = self.tokenizer.encode_batch([documents[i] for i in idx])
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            hidden = self.model.run(
                None,
                {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
            )[0]
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(1) / np.clip(weights.sum(1), 1e-9, None)
            out[idx] = self._normalize(pooled).astype(np.float32)
        return out


def text_key(text: str) -> bytes:
    """The key of a text in a precomputed table: its SHA-256 (the exact text, title line included)."""
    return hashlib.sha256(text.encode("utf-8")).digest()


class PrecomputedEmbeddings:
    """Vectors this embedder computed ahead of time, by text: an ``.npz`` of keys and float16 vectors.

    The file is read on first use. It is ignored (every lookup misses) when it is missing,
    unreadable or made under another ``EMBEDDER_ID``: the caller then embeds as usual.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    @cached_property
    def _table(self) -> dict[bytes, np.ndarray]:
        try:
            with np.load(self.path, allow_pickle=False) as data:
                if str(data["embedder"]) != EMBEDDER_ID:
                    return {}
                keys, vectors = data["keys"].tolist(), data["vectors"].astype(np.float32)
        except Exception:  # missing, truncated, not an npz, keys absent: there is no table
            return {}
        if vectors.shape != (len(keys), DIMENSIONS):
            return {}
        vectors /= np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)
        return dict(zip(keys, vectors))

    def __len__(self) -> int:
        return len(self._table)

    def get(self, text: str) -> np.ndarray | None:
        return self._table.get(text_key(text))

    @staticmethod
    def save(path: Path, texts: Sequence[str], vectors: Any, **provenance: str) -> None:
        """Write a table (float16: half the size, cosine to the float32 vector > 0.9999)."""
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.shape != (len(texts), DIMENSIONS):
            raise ValueError(f"expected {len(texts)} vectors of {DIMENSIONS}, got {vectors.shape}")
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, Any] = {k: np.array(v) for k, v in provenance.items()}
        arrays.update(
            embedder=np.array(EMBEDDER_ID),
            keys=np.array([text_key(t) for t in texts], dtype="S32"),
            vectors=vectors.astype(np.float16),
        )
        # ``np.savez``'s layout, with fixed timestamps: the same vectors give the same bytes
        with zipfile.ZipFile(path, "w") as archive:
            for name, array in arrays.items():
                entry = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
                with archive.open(entry, "w") as f:
                    np.lib.format.write_array(f, array, allow_pickle=False)


class MiniLMEmbedding(DefaultEmbeddingFunction):
    """Chroma's default embedding function, offline and fast (same name, same vectors).

    ``precomputed`` (optional) is consulted first; ``stats`` counts the texts taken from it and
    those run through the model.
    """

    def __init__(self, model_dir: Path, precomputed: PrecomputedEmbeddings | None = None) -> None:
        self._model_dir = model_dir
        seed_minilm(model_dir)
        self._model = _BatchPaddedMiniLM()
        # One question is embedded by several steps (dense search, named papers' chunks, the
        # similarity background): single texts are remembered for a while.
        self._recent: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.precomputed = precomputed
        self.stats = {"precomputed": 0, "computed": 0}

    def __call__(self, input: Documents) -> Embeddings:
        if not input:
            return []
        self.warm_up()
        texts = list(input)
        table = self.precomputed
        if len(texts) == 1 and (table is None or table.get(texts[0]) is None):
            return [self.query(texts[0])]
        found = [table.get(t) for t in texts] if table is not None else [None] * len(texts)
        missing = [i for i, v in enumerate(found) if v is None]
        self.stats["precomputed"] += len(texts) - len(missing)
        self.stats["computed"] += len(missing)
        if len(missing) == len(texts):
            return list(self._model._forward(texts))
        out = np.stack([v if v is not None else np.zeros(DIMENSIONS, np.float32) for v in found])
        if missing:
            out[missing] = self._model._forward([texts[i] for i in missing])
        return list(out)

    def query(self, text: str) -> Any:
        """One text's embedding, from the recent ones when it was just embedded."""
        self.warm_up()
        with self._lock:
            found = self._recent.get(text)
            if found is not None:
                self._recent.move_to_end(text)
                return found
        vector = self._model._forward([text])[0]
        with self._lock:
            self._recent[text] = vector
            while len(self._recent) > 64:
                self._recent.popitem(last=False)
        return vector

    def warm_up(self) -> None:
        """Load the ONNX session now (about 0.15 s) rather than on the first query.

        A model file damaged since it was checked is copied again from its package, once.
        """
        if "model" in self._model.__dict__:
            return
        try:
            _ = self._model.model
        except Exception:
            seed_minilm(self._model_dir, force=True)
            try:
                _ = self._model.model
            except Exception as exc:
                raise OfflineAssetError(
                    f"the embedding model in {self._model_dir} cannot be loaded ({exc}); "
                    "reinstall the project"
                ) from None


def default_embedding_function(model_dir: Path) -> MiniLMEmbedding:
    return MiniLMEmbedding(model_dir)
