"""The extractive answerer: no LLM, answers with the abstracts' own sentences, each cited by title.

It writes out the evidence the answering stages chose (``assistant.answering``), laid out for
what the question asks: one paper's answering sentences, a list, or a comparison.
"""

from __future__ import annotations

from collections.abc import Iterator

from assistant.answering.compose import compose
from assistant.answering.request import AnswerRequest, Draft


def extractive_draft(request: AnswerRequest) -> Draft:
    composed = compose(request.evidence, request.collection_size)
    return Draft(
        text=composed.text,
        abstained=composed.abstained,
        model="extractive",
        notices=composed.notices,
        parts=composed.parts,
    )


class ExtractiveBackend:
    name = "extractive"

    def stream(self, request: AnswerRequest) -> Iterator[str | Draft]:
        draft = extractive_draft(request)
        yield draft.text
        yield draft
