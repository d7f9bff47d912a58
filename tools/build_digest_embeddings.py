"""Build the bundled digest's chunk embeddings, shipped so a new install's first answer is instant.

    python tools/build_digest_embeddings.py          # writes data/trending-papers-digest.minilm.npz

Rerun it whenever the digest, the chunker, its default settings or the embedding model change:
``tests/test_shipped_embeddings.py`` fails until the file covers every chunk again. The vectors
come from the real embedder (``MiniLMEmbedding``), the one every ingest uses; chunks are made
exactly as an ingest at the default settings makes them.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from assistant.resources import DIGEST_EMBEDDINGS, bundled_digest  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from vectorstore import tokens  # noqa: E402
from vectorstore.chunking import chunk_paper  # noqa: E402
from vectorstore.embeddings import MiniLMEmbedding, PrecomputedEmbeddings  # noqa: E402
from vectorstore.readers import iter_papers  # noqa: E402


def digest_chunk_texts(
    chunk_tokens: int | None = None, chunk_overlap: int | None = None
) -> list[str]:
    """The texts an ingest of the bundled digest embeds (default settings unless given)."""
    defaults = Settings.model_fields
    size = chunk_tokens or defaults["chunk_tokens"].default
    overlap = defaults["chunk_overlap"].default if chunk_overlap is None else chunk_overlap
    return [
        chunk.text
        for paper in iter_papers(bundled_digest())
        for chunk in chunk_paper(paper, size, overlap)
    ]


def build(out: Path, work: Path) -> int:
    """Embed the digest's chunks with the real embedder and write the table; returns the count."""
    tokens.configure(work / "tiktoken")
    texts = digest_chunk_texts()
    vectors = MiniLMEmbedding(work / "models" / "all-MiniLM-L6-v2")(texts)
    digest = bundled_digest().read_bytes()
    PrecomputedEmbeddings.save(
        out,
        texts,
        vectors,
        digest_sha256=hashlib.sha256(digest).hexdigest(),
        chunking=f"chunk_tokens={Settings.model_fields['chunk_tokens'].default}, "
        f"chunk_overlap={Settings.model_fields['chunk_overlap'].default}",
    )
    return len(texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "data" / DIGEST_EMBEDDINGS)
    ns = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        n = build(ns.out, Path(work))
    print(f"{ns.out}: {n} chunk embeddings ({ns.out.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
