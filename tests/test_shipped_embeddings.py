"""The digest's chunk embeddings shipped with the package: right vectors, used when they apply."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant import Assistant
from assistant.resources import digest_embeddings
from tools.build_digest_embeddings import digest_chunk_texts
from vectorstore import tokens
from vectorstore.embeddings import MiniLMEmbedding, PrecomputedEmbeddings
from vectorstore.readers import iter_papers

REBUILD = "rerun: python tools/build_digest_embeddings.py"


@pytest.mark.slow
def test_shipped_vectors_cover_every_digest_chunk_and_match_the_embedder(tmp_path: Path) -> None:
    tokens.configure(tmp_path / "tiktoken")
    texts = digest_chunk_texts()
    table = digest_embeddings()
    assert table is not None, f"the shipped embeddings file is missing; {REBUILD}"
    shipped = [table.get(t) for t in texts]
    uncovered = [t.splitlines()[0] for t, v in zip(texts, shipped) if v is None]
    assert not uncovered, f"{len(uncovered)} digest chunks have no shipped vector; {REBUILD}"
    assert len(table) == len(texts)

    own = np.asarray(MiniLMEmbedding(tmp_path / "model")(texts), dtype=np.float32)
    cosine = np.einsum("ij,ij->i", own, np.stack(shipped)) / np.linalg.norm(own, axis=1)
    worst = int(np.argmin(cosine))
    assert cosine.min() >= 0.999, f"chunk {worst} ({texts[worst][:60]!r}): cosine {cosine[worst]}"


def test_the_first_run_takes_every_digest_vector_from_the_package(tmp_path: Path) -> None:
    assistant = Assistant(home=tmp_path / "home", llm="extractive")
    assistant.ensure_index()
    stats = assistant.store.embedder.stats
    assert stats == {"precomputed": len(digest_chunk_texts()), "computed": 0}
    answer = assistant.ask("Which paper renders radiance fields in real time at 1080p?")
    assert (
        answer.citations[0].title == "3D Gaussian Splatting for Real-Time Radiance Field Rendering"
    )


def _digest_subset(tmp_path: Path, extra: str = "") -> Path:
    """A digest-format file: two papers of the bundled digest (as they are there), plus ``extra``."""
    from assistant.resources import bundled_digest

    papers = list(iter_papers(bundled_digest()))[:2]
    path = tmp_path / "mine.txt"
    path.write_text(
        "".join(f"{p.title}\n{p.abstract}\n\n" for p in papers) + extra, encoding="utf-8"
    )
    return path


def test_chunks_the_table_does_not_cover_are_embedded(tmp_path: Path) -> None:
    new_paper = (
        "A Made-Up Study of Lookup Tables for Embeddings\n"
        "We show that vectors computed ahead of time can be looked up by the exact text of a "
        "chunk, and that any chunk missing from the table is embedded as usual by the model.\n"
    )
    path = _digest_subset(tmp_path, new_paper)
    assistant = Assistant(home=tmp_path / "home", llm="extractive", auto_ingest=False)
    assistant.ingest([path])
    stats = assistant.store.embedder.stats
    assert stats["computed"] == 1 and stats["precomputed"] >= 2
    hits = assistant.retrieve("lookup tables for embeddings computed ahead of time", k=1)
    assert hits[0].title == "A Made-Up Study of Lookup Tables for Embeddings"


def test_other_chunk_sizes_and_the_setting_off_embed_everything(tmp_path: Path) -> None:
    path = _digest_subset(tmp_path)
    small = Assistant(home=tmp_path / "a", llm="extractive", auto_ingest=False, chunk_tokens=48)
    small.ingest([path])
    assert small.store.embedder.stats["precomputed"] == 0
    off = Assistant(
        home=tmp_path / "b", llm="extractive", auto_ingest=False, shipped_embeddings=False
    )
    off.ingest([path])
    assert off.store.embedder.stats["precomputed"] == 0
    assert off.store.embedder.stats["computed"] >= 2


def test_a_table_from_another_model_or_a_damaged_file_is_ignored(tmp_path: Path) -> None:
    other = tmp_path / "other.npz"
    with other.open("wb") as f:
        np.savez(
            f,
            embedder=np.array("another-model"),
            keys=np.zeros(1, dtype="S32"),
            vectors=np.ones((1, 384), dtype=np.float16),
        )
    damaged = tmp_path / "damaged.npz"
    damaged.write_bytes(b"PK\x03\x04 not really a zip")
    for path in (other, damaged, tmp_path / "missing.npz"):
        table = PrecomputedEmbeddings(path)
        assert len(table) == 0 and table.get("anything") is None
