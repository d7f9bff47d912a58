"""Hybrid retrieval and the embedder on the real store."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant import Assistant
from vectorstore.retrieval import HybridRetriever
from vectorstore.text import terms

# Paraphrases written for these tests (not from the eval set): no title words where avoidable.
PARAPHRASES = [
    (
        "rendering a scene as many anisotropic blobs fast enough for 30 frames per second",
        "3D Gaussian Splatting for Real-Time Radiance Field Rendering",
    ),
    (
        "avoid materialising all vocabulary logits when computing cross entropy",
        "Cut Your Losses in Large-Vocabulary Language Models",
    ),
    (
        "fine-tuning instruction data filtered by a strong chat model to keep only good examples",
        "AlpaGasus: Training A Better Alpaca with Fewer Data",
    ),
    (
        "teaching a learner whose target is a function with no parameters",
        "Nonparametric Iterative Machine Teaching",
    ),
    (
        "matrix multiplications of transformers done entirely in four-bit integer arithmetic",
        "Training Transformers with 4-bit Integers",
    ),
]


@pytest.mark.parametrize(("question", "title"), PARAPHRASES)
def test_paraphrased_questions_find_the_paper(
    assistant: Assistant, question: str, title: str
) -> None:
    hits = assistant.retrieve(question, k=5)
    assert title in [h.title for h in hits[:3]]


def test_results_are_one_entry_per_paper_with_evidence(assistant: Assistant) -> None:
    hits = assistant.retrieve("low-rank adaptation for fine-tuning large language models", k=8)
    assert len(hits) == 8
    assert len({h.paper_id for h in hits}) == 8
    assert all(h.evidence and h.evidence[:60] in " ".join(h.paper.abstract.split()) for h in hits)
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    assert all(h.dense_rank or h.lexical_rank for h in hits)


def test_hybrid_beats_its_parts_on_an_exact_name(assistant: Assistant) -> None:
    """A rare acronym is BM25's strength: the fused list still puts it first."""
    hits = assistant.retrieve("CrossSplit", k=3)
    assert hits[0].title.startswith("CrossSplit")
    assert hits[0].lexical_rank == 1


def test_a_name_only_one_abstract_spells_wins_a_tie_with_a_neighbour_in_meaning(
    assistant: Assistant, tmp_path: Path
) -> None:
    """A name the embedder has no meaning for: the abstract that spells it is first even
    when dense search, cut short, finds its own first paper elsewhere (an equal fused score)."""
    narrow = HybridRetriever(assistant.store, tmp_path, candidates=1)
    hits = narrow.retrieve("OBELICS-HQ", k=1)
    assert hits[0].title.startswith("Train a Unified Multimodal Data Quality Classifier")
    assert (hits[0].lexical_rank, hits[0].dense_rank) == (1, None)


def test_lexical_index_is_cached_on_disk_per_generation(built_home: Path) -> None:
    a = Assistant(home=built_home, llm="extractive")
    a.retrieve("anything", k=1)
    gen = a.store.generation()
    folders = list((built_home / "cache" / "bm25").rglob(f"gen-{a.store.chunks.id}-{gen}-*"))
    assert folders and (folders[0] / "ids.json").exists()


def test_embedder_matches_chromas_default_function(built_home: Path) -> None:
    """Our fast embedder must give Chroma's own default vectors, or stores would not be interchangeable."""
    from chromadb.api.types import DefaultEmbeddingFunction

    a = Assistant(home=built_home, llm="extractive")
    texts = [
        "short text",
        "A considerably longer sentence about sparse training of text-to-speech models " * 3,
    ]
    ours = np.array(a.store.embedder(texts))
    theirs = np.array(DefaultEmbeddingFunction()(texts))
    assert ours.shape == (2, 384)
    assert np.abs(ours - theirs).max() < 1e-5


@pytest.mark.parametrize(
    ("text", "same_as"),
    [
        ("1,000x faster", "1000x faster"),
        ("12,000 GPUs", "12k GPUs"),
        ("173 times", "173x"),
        ("4-bit", "4bit"),
        ("at 30 fps", "30fps"),
    ],
)
def test_a_number_is_one_term_however_it_is_written(text: str, same_as: str) -> None:
    """The keyword index meets a number in any of its spellings: thousands separators,
    a "k" for thousands, "times" for "x"."""
    assert set(terms(text)) & set(terms(same_as)) - {"faster", "gpu", "gpus", "4", "30"}
    assert "1" not in terms("1,000x") and terms("(7,4) code")[:2] == ["7", "4"]
