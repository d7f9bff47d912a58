"""Compact evidence for an LLM: per paper, its title and best sentences, within a token budget.

Small models read slowly (about 35 tokens/s here) and lose track in long prompts, so the
extractive answerer's own choices (which papers, which sentences) decide what the model sees.
Papers are numbered; the model cites ``[1]`` and the code maps keys back to exact titles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.backends.base import AnswerRequest
from assistant.backends.extractive import (
    SENTENCES_EACH_OF_MANY,
    SENTENCES_ONE_PAPER,
    absent_share,
    pick_sentences,
    score_papers,
    select,
)
from vectorstore import tokens
from vectorstore.retrieval import RetrievedPaper

_TAG = re.compile(r"</?\s*[A-Za-z_][\w-]*\s*>")


@dataclass(frozen=True)
class EvidenceItem:
    key: str  # "1", "2", ... as cited by the model
    paper: RetrievedPaper
    sentences: tuple[str, ...]

    def render(self) -> str:
        text = " ".join(_data(s) for s in self.sentences)
        return f'Paper [{self.key}] "{_data(self.paper.title)}": {text}'


@dataclass
class Evidence:
    items: list[EvidenceItem] = field(default_factory=list)
    answerable: bool = True  # the extractive step found evidence strong enough to answer
    tokens: int = 0

    @property
    def keys(self) -> dict[str, str]:
        return {item.key: item.paper.paper_id for item in self.items}

    def render(self) -> str:
        return "\n\n".join(item.render() for item in self.items)


def _data(text: str) -> str:
    """Abstract text as inert data: no tags that could close the evidence block, no brackets."""
    return _TAG.sub(" ", text).replace("[", "(").replace("]", ")").strip()


def build_evidence(request: AnswerRequest, budget: int | None = None) -> Evidence:
    """The papers the extractive step answers from, with their best sentences, within the budget.

    Extract-then-phrase: the model only sees the papers the extractive step chose, so it cannot
    borrow a number from a neighbouring paper. With none chosen, ``answerable`` is False and the
    items hold the closest paper only (callers abstain without asking the model).
    """
    q = request.question
    budget = budget or request.settings.evidence_tokens
    scored = score_papers(q, request.papers, request.idf)
    share, _ = absent_share(q, request.idf, request.max_idf)
    chosen = select(q, scored, share) or scored[:1]
    evidence = Evidence(answerable=bool(select(q, scored, share)))
    per_paper = SENTENCES_ONE_PAPER if len(chosen) <= 1 else SENTENCES_EACH_OF_MANY
    for sp in chosen:
        sentences = pick_sentences(q, sp.paper, request.idf, limit=per_paper)
        if not sentences:
            continue
        key = str(len(evidence.items) + 1)
        item = EvidenceItem(key, sp.paper, tuple(sentences))
        cost = _cost(item)
        while len(item.sentences) > 1 and evidence.tokens + cost > budget:
            item = EvidenceItem(key, sp.paper, item.sentences[:-1])
            cost = _cost(item)
        if evidence.items and evidence.tokens + cost > budget:
            break
        evidence.items.append(item)
        evidence.tokens += cost
    return evidence


def _cost(item: EvidenceItem) -> int:
    return tokens.count_tokens(item.render()) + 2  # + the blank line between items
