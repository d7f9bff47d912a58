"""Files shipped with the project: the bundled digest and the prompt templates.

In a wheel they live in ``assistant/_resources``; in a source checkout, at the repo's top level.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vectorstore.embeddings import PrecomputedEmbeddings

_PACKAGED = Path(__file__).parent / "_resources"
_CHECKOUT = Path(__file__).resolve().parent.parent
DIGEST_EMBEDDINGS = "trending-papers-digest.minilm.npz"


def _find(*parts: str) -> Path:
    for base in (_PACKAGED, _CHECKOUT):
        candidate = base.joinpath(*parts)
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"packaged file {'/'.join(parts)} is missing; reinstall the project")


def bundled_digest() -> Path:
    """The daily trending-papers digest that ships with the project."""
    return _find("data", "trending-papers-digest.txt")


def digest_embeddings() -> PrecomputedEmbeddings | None:
    """The digest's chunk embeddings, computed ahead by ``tools/build_digest_embeddings.py``.

    They spare a new data directory the embedding of the digest, most of its first answer's
    time. None if the file is missing (the digest is then embedded as usual).
    """
    from vectorstore.embeddings import PrecomputedEmbeddings

    try:
        return PrecomputedEmbeddings(_find("data", DIGEST_EMBEDDINGS))
    except FileNotFoundError:
        return None


def prompt(name: str) -> str:
    """A prompt template from ``prompts/`` (e.g. ``prompt("answer")`` reads ``prompts/answer.txt``)."""
    return _find("prompts", f"{name}.txt").read_text(encoding="utf-8")
