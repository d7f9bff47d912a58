"""The embedding function: Chroma's default model (all-MiniLM-L6-v2, ONNX), seeded offline, made fast.

Chroma's ``DefaultEmbeddingFunction`` reloads the ONNX model on every call and pads every
text to 256 tokens, which costs ~0.2 s per query here. ``MiniLMEmbedding`` keeps Chroma's
identity (name "default", so stores stay interchangeable with Chroma's own default) and
its exact vectors (tests compare them), but keeps one session and pads per batch instead.
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from chromadb.api.types import DefaultEmbeddingFunction, Documents, Embeddings
from chromadb.utils.embedding_functions.onnx_mini_lm_l6_v2 import ONNXMiniLM_L6_V2

from vectorstore.offline import OfflineAssetError, seed_minilm

MAX_TOKENS = 256


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
        out = np.zeros((len(documents), 384), dtype=np.float32)
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


class MiniLMEmbedding(DefaultEmbeddingFunction):
    """Chroma's default embedding function, offline and fast (same name, same vectors)."""

    def __init__(self, model_dir: Path) -> None:
        self._model_dir = model_dir
        seed_minilm(model_dir)
        self._model = _BatchPaddedMiniLM()

    def __call__(self, input: Documents) -> Embeddings:
        if not input:
            return []
        self.warm_up()
        return list(self._model._forward(list(input)))

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
