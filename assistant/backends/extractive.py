"""The extractive answerer: no LLM, answers with the abstracts' own sentences, each cited by title.

Papers are chosen by how much of the question's weighted content (IDF over the corpus)
their text covers, plus dense similarity; sentences by the same coverage, with a nudge for
numbers when the question asks for a quantity. Weak evidence means an honest abstention.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from assistant.backends.base import AnswerRequest, Draft
from assistant.question import Question
from vectorstore.retrieval import RetrievedPaper
from vectorstore.text import numbers, split_sentences, terms

# Evidence thresholds. Coverage is the IDF-weighted share of the question's content terms found
# in a paper; similarity is MiniLM cosine. Chosen on the dev set's kinds, with margin.
MIN_COVERAGE = 0.45
MIN_SIMILARITY = 0.55
MANY_RELATIVE = 0.72  # a multi-paper answer includes papers within this share of the best one
MAX_MANY = 8
_NUMBER_WORDS = re.compile(
    r"\b(\d|one|two|three|four|five|six|seven|eight|nine|ten|hundred|thousand|million|billion|trillion|"
    r"half|double|twice)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ScoredPaper:
    paper: RetrievedPaper
    coverage: float
    relevance: float
    missing: tuple[str, ...]


def _weights(q: Question, idf: Callable[[str], float]) -> dict[str, float]:
    w = {t: idf(t) for t in q.terms}
    for t in q.history_terms:
        w.setdefault(t, 0.5 * idf(t))
    return w


def _coverage(text_terms: set[str], weights: dict[str, float]) -> float:
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    return sum(w for t, w in weights.items() if t in text_terms) / total


def score_papers(
    q: Question, papers: Sequence[RetrievedPaper], idf: Callable[[str], float]
) -> list[ScoredPaper]:
    weights = _weights(q, idf)
    scored = []
    for p in papers:
        text_terms = set(terms(f"{p.title} {p.paper.abstract}"))
        cov = _coverage(text_terms, weights)
        sim = p.dense_similarity or 0.0
        rel = 0.65 * cov + 0.35 * sim
        if q.lookup_name and q.lookup_name.lower() in p.title.lower():
            rel += 0.25
        missing = tuple(t for t in q.terms if t not in text_terms)
        scored.append(ScoredPaper(p, cov, rel, missing))
    return sorted(scored, key=lambda s: -s.relevance)


def _clean_sentence(sentence: str) -> str:
    # Brackets inside abstracts must not be mistaken for citations.
    return sentence.replace("[", "(").replace("]", ")")


def pick_sentences(
    q: Question, paper: RetrievedPaper, idf: Callable[[str], float], limit: int
) -> list[str]:
    """The paper's sentences that best answer the question, in the abstract's order."""
    weights = _weights(q, idf)
    sentences = split_sentences(paper.paper.abstract)
    if not sentences:
        return []
    scores = []
    for i, s in enumerate(sentences):
        score = _coverage(set(terms(s)), weights)
        if q.wants_numbers and (numbers(s) or _NUMBER_WORDS.search(s)):
            score += 0.15
        if q.lookup_name and q.lookup_name.lower() in s.lower():
            score += 0.3
        if i == 0 and q.lookup_name:
            score += 0.05
        scores.append(score)
    best = max(scores)
    ranked = sorted(range(len(sentences)), key=lambda i: -scores[i])
    chosen = [i for i in ranked[:limit] if scores[i] >= 0.5 * best and scores[i] > 0] or ranked[:1]
    return [_clean_sentence(sentences[i]) for i in sorted(chosen)]


def abstention_text(q: Question, missing: Sequence[str]) -> str:
    topic = q.text.rstrip("?.! ")
    text = f"The papers in this collection don't seem to cover this: {topic!r}."
    if missing:
        text += (
            " None of the closest abstracts mentions "
            + ", ".join(repr(m) for m in missing[:3])
            + "."
        )
    return text


def select(q: Question, scored: list[ScoredPaper]) -> list[ScoredPaper]:
    """The papers to answer from; empty means the evidence is too weak (abstain)."""
    if not scored:
        return []
    best = scored[0]
    sim = best.paper.dense_similarity or 0.0
    if best.coverage < MIN_COVERAGE and sim < MIN_SIMILARITY:
        return []
    if not q.wants_many:
        return [best]
    return [s for s in scored if s.relevance >= MANY_RELATIVE * best.relevance][:MAX_MANY]


class ExtractiveBackend:
    name = "extractive"

    def draft(self, request: AnswerRequest) -> Draft:
        q = request.question
        scored = score_papers(q, request.papers, request.idf)
        chosen = select(q, scored)
        if not chosen:
            missing = scored[0].missing if scored else ()
            return Draft(text=abstention_text(q, missing), abstained=True, model="extractive")
        if len(chosen) == 1:
            s = chosen[0].paper
            body = " ".join(pick_sentences(q, s, request.idf, limit=3))
            return Draft(text=f"{body} [{s.title}]", abstained=False, model="extractive")
        lines = []
        for sp in chosen:
            body = " ".join(pick_sentences(q, sp.paper, request.idf, limit=2))
            lines.append(f"- {body} [{sp.paper.title}]")
        return Draft(text="\n".join(lines), abstained=False, model="extractive")

    def stream(self, request: AnswerRequest) -> Iterator[str | Draft]:
        draft = self.draft(request)
        yield draft.text
        yield draft
