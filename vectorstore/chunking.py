"""Token-aware chunking: sentences packed into windows of at most N tiktoken tokens, with overlap.

MiniLM reads at most 256 word pieces, so a chunk (title + body) must stay under that or its
tail is silently ignored by the embedder; windows are measured in tiktoken tokens with margin.
"""

from __future__ import annotations

from dataclasses import dataclass

from vectorstore.papers import Paper
from vectorstore.text import split_sentences
from vectorstore.tokens import encoding


@dataclass(frozen=True)
class Chunk:
    chunk_id: str
    paper_id: str
    title: str
    index: int
    text: str  # what is embedded and indexed: the title line, then the body
    body: str


def _split_long(sentence: str, max_tokens: int) -> list[str]:
    enc = encoding()
    ids = enc.encode(sentence, disallowed_special=())
    return [enc.decode(ids[i : i + max_tokens]) for i in range(0, len(ids), max_tokens)]


def chunk_paper(paper: Paper, max_tokens: int = 160, overlap_tokens: int = 32) -> list[Chunk]:
    """Chunks of one paper's abstract; each carries the paper's title and id."""
    if overlap_tokens >= max_tokens:
        raise ValueError("overlap_tokens must be smaller than max_tokens")
    enc = encoding()
    pieces: list[tuple[str, int]] = []
    for sentence in split_sentences(paper.abstract):
        n = len(enc.encode(sentence, disallowed_special=()))
        if n <= max_tokens:
            pieces.append((sentence, n))
        else:
            pieces.extend(
                (p, len(enc.encode(p, disallowed_special=())))
                for p in _split_long(sentence, max_tokens)
            )

    windows: list[list[tuple[str, int]]] = []
    current: list[tuple[str, int]] = []
    size = 0
    for piece in pieces:
        if current and size + piece[1] > max_tokens:
            windows.append(current)
            # carry the tail sentences that fit in the overlap budget into the next window
            carry: list[tuple[str, int]] = []
            carried = 0
            for prev in reversed(current):
                if carried + prev[1] > overlap_tokens:
                    break
                carry.insert(0, prev)
                carried += prev[1]
            current, size = carry, carried
        current.append(piece)
        size += piece[1]
    if current or not windows:
        windows.append(current)

    chunks = []
    for i, window in enumerate(windows):
        body = " ".join(s for s, _ in window)
        chunks.append(
            Chunk(
                chunk_id=f"{paper.paper_id}:{i}",
                paper_id=paper.paper_id,
                title=paper.title,
                index=i,
                text=f"{paper.title}\n{body}",
                body=body,
            )
        )
    return chunks
