"""Citation verification: only papers retrieved for the question survive."""

from __future__ import annotations

import re

import pytest

from assistant.citations import verify_citations

RETRIEVED = {
    "p1": "Training Transformers with 4-bit Integers",
    "p2": "Cut Your Losses in Large-Vocabulary Language Models",
}
CORPUS = [*RETRIEVED.values(), "3D Gaussian Splatting for Real-Time Radiance Field Rendering"]


def test_keeps_retrieved_titles_matched_tolerantly_in_order_of_first_mention() -> None:
    text = (
        "Losses shrink [cut your losses in large vocabulary language models]. "
        "INT4 training is 2.2 times faster [Training Transformers With 4-bit Integers]. "
        "Again [Cut Your Losses in Large-Vocabulary Language Models]."
    )
    v = verify_citations(text, RETRIEVED, corpus_titles=CORPUS)
    assert v.cited_ids == ["p2", "p1"]
    assert v.rejected == []
    assert (
        "[Cut Your Losses in Large-Vocabulary Language Models]" in v.text
    )  # rewritten to the exact title


def test_strips_made_up_title_and_corpus_title_not_retrieved() -> None:
    text = (
        "A claim [A Paper That Does Not Exist: Vision]. "
        "Another [3D Gaussian Splatting for Real-Time Radiance Field Rendering]. "
        "True [Training Transformers with 4-bit Integers]."
    )
    v = verify_citations(text, RETRIEVED, corpus_titles=CORPUS)
    assert v.cited_ids == ["p1"]
    assert v.rejected == [
        "A Paper That Does Not Exist: Vision",
        "3D Gaussian Splatting for Real-Time Radiance Field Rendering",
    ]
    assert "Does Not Exist" not in v.text and "Gaussian" not in v.text
    assert v.text.startswith("A claim. Another. True [Training")


def test_multiple_titles_in_one_bracket_and_numeric_keys() -> None:
    v = verify_citations(
        "Both [Training Transformers with 4-bit Integers; Cut Your Losses in Large-Vocabulary Language Models] "
        "and key [2] and unknown key [7].",
        RETRIEVED,
        keys={"1": "p1", "2": "p2"},
    )
    assert v.cited_ids == ["p1", "p2"]
    assert v.rejected == ["7"]
    assert (
        "and key [Cut Your Losses in Large-Vocabulary Language Models] and unknown key." in v.text
    )


def test_technical_brackets_are_kept_as_text_not_as_citations() -> None:
    # Only a verified citation may look like one: other brackets are shown in parentheses,
    # and short technical ones are not reported as rejected citations.
    v = verify_citations("Tokens like [CLS] and ranges [0, 1] stay.", RETRIEVED)
    assert v.text == "Tokens like (CLS) and ranges (0, 1) stay."
    assert v.cited_ids == [] and v.rejected == []


GS = "3D Gaussian Splatting for Real-Time Radiance Field Rendering"
LQ = "LQ-LoRA: Low-rank Plus Quantized Matrix Decomposition for Efficient Language Model Finetuning"


@pytest.mark.parametrize(
    "fake",
    [
        "［Totally Fake Paper About Everything］",  # fullwidth brackets
        "【Totally Fake Paper About Everything】",
        "[Totally Fake\nPaper About Everything]",  # a bracket split by a newline
        "[LQ-LoRA]",  # a short piece of a real title
        "[[nested] Totally Fake Paper]",
    ],
)
def test_nothing_that_looks_like_a_citation_survives_unless_verified(fake: str) -> None:
    retrieved = {"gs": GS, "int4": "Training Transformers with 4-bit Integers"}
    v = verify_citations(f"Claim one [{GS}]. Claim two {fake}.", retrieved, corpus_titles=[LQ])
    assert v.cited_ids == ["gs"]
    brackets = re.findall(r"\[[^\]]*\]", v.text)
    assert brackets == [f"[{GS}]"], v.text  # the only bracket left is the verified citation
    assert "［" not in v.text and "【" not in v.text


def test_a_title_with_brackets_of_its_own_can_be_cited() -> None:
    title = "[Re] Reproducing BERT: A Replication Study"
    v = verify_citations(f"They reproduce BERT [{title}].", {"re": title, "gs": GS})
    assert v.cited_ids == ["re"] and v.rejected == []
    assert v.text == f"They reproduce BERT [{title}]."
