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
from assistant.question import Question, compound_parts, term_key
from vectorstore.retrieval import RetrievedPaper
from vectorstore.text import numbers, split_sentences, terms

# Evidence thresholds. Coverage is the IDF-weighted share of the question's content terms found
# in a paper; similarity is MiniLM cosine. Chosen on the dev set's kinds, with margin.
MIN_COVERAGE = 0.3
MIN_SIMILARITY = 0.4
MAX_ABSENT_SHARE = 0.3  # abstain when this share of the question names things no abstract contains
MANY_RELATIVE = 0.78  # a multi-paper answer includes papers within this share of the best one
MAX_MANY = 8
MIN_MANY = 3  # ... and fills up to this many with papers within MANY_FILL_RELATIVE of the best
MANY_FILL_RELATIVE = 0.65
MIN_SENTENCE_GAIN = 0.12  # a further sentence must add this much (share of question weight + cues)
SENTENCES_ONE_PAPER = 4
SENTENCES_EACH_OF_MANY = 2
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


def term_weight(term: str, idf: Callable[[str], float]) -> float:
    """IDF; a compound weighs no more than its rarest part (a rare spelling is not a rare idea)."""
    parts, _ = compound_parts(term)
    whole = idf(term_key(term))
    return min(whole, max(idf(p) for p in parts)) if parts else whole


def _weights(q: Question, idf: Callable[[str], float]) -> dict[str, float]:
    w = {t: term_weight(t, idf) for t in q.terms}
    for t in q.history_terms:
        w.setdefault(t, 0.5 * term_weight(t, idf))
    return w


def _present(term: str, text_terms: set[str]) -> bool:
    """A compound like ``edge-devic`` is present if it, or each of its parts, is."""
    if term_key(term) in text_terms:
        return True
    parts, joined = compound_parts(term)
    if not parts:
        return False
    return (joined is not None and joined in text_terms) or all(p in text_terms for p in parts)


def _coverage(text_terms: set[str], weights: dict[str, float]) -> float:
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    return sum(w for t, w in weights.items() if _present(t, text_terms)) / total


def absent_share(
    q: Question, idf: Callable[[str], float], max_idf: float
) -> tuple[float, list[str]]:
    """Share of the question's weight carried by terms that no paper in the store contains at all.

    A question whose key concept ("quantum", "music") appears nowhere cannot be answered from
    this collection, however similar its other words are.
    """
    weights = {t: term_weight(t, idf) for t in q.terms}
    total = sum(weights.values())
    if total <= 0:
        return 0.0, []
    absent = [
        t
        for t, w in weights.items()
        if w >= max_idf - 1e-9 and not _compound_known(t, idf, max_idf)
    ]
    return sum(weights[t] for t in absent) / total, absent


def _compound_known(term: str, idf: Callable[[str], float], max_idf: float) -> bool:
    return bool(compound_parts(term)[0]) and term_weight(term, idf) < max_idf - 1e-9


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
        missing = tuple(t for t in q.terms if not _present(t, text_terms))
        scored.append(ScoredPaper(p, cov, rel, missing))
    return sorted(scored, key=lambda s: -s.relevance)


def _clean_sentence(sentence: str) -> str:
    # Brackets inside abstracts must not be mistaken for citations.
    return sentence.replace("[", "(").replace("]", ")")


_CONTRIBUTION = re.compile(
    r"\b(we|this paper|this work)\s+(propose|introduce|present|call|name|develop|build|design|release|construct)",
    re.IGNORECASE,
)
_ENTITY = re.compile(r"\b(?:[A-Za-z]*[A-Z][A-Za-z]*[A-Z0-9][\w.-]*|\d[\w.,%-]*)")


def _sentence_bonus(q: Question, sentence: str, index: int) -> float:
    """Cues that a sentence carries an answer: numbers asked for, a named contribution, entities."""
    bonus = 0.0
    if q.wants_numbers and (numbers(sentence) or _NUMBER_WORDS.search(sentence)):
        bonus += 0.12
    if _CONTRIBUTION.search(sentence):
        bonus += 0.06
    asked = {t.lower() for t in q.text.split()}
    entities = {m.group(0) for m in _ENTITY.finditer(sentence) if m.group(0).lower() not in asked}
    bonus += min(0.09, 0.03 * len(entities))
    if q.lookup_name and q.lookup_name.lower() in sentence.lower():
        bonus += 0.3 + (0.05 if index == 0 else 0.0)
    return bonus


def pick_sentences(
    q: Question, paper: RetrievedPaper, idf: Callable[[str], float], limit: int
) -> list[str]:
    """The paper's sentences that best answer the question, in the abstract's order.

    Greedy coverage: each pick favours question terms the earlier picks did not cover, so a
    two-part question ("what does it do, and on which model?") gets a sentence for each part.
    """
    weights = _weights(q, idf)
    total = sum(weights.values()) or 1.0
    sentences = split_sentences(paper.paper.abstract)
    if not sentences:
        return []
    sent_terms = [set(terms(s)) for s in sentences]
    bonuses = [_sentence_bonus(q, s, i) for i, s in enumerate(sentences)]
    covered: set[str] = set()
    chosen: list[int] = []
    while len(chosen) < min(limit, len(sentences)):
        best_i, best_gain = -1, -1.0
        for i, st in enumerate(sent_terms):
            if i in chosen:
                continue
            hit = [t for t in weights if _present(t, st)]
            new = sum(weights[t] for t in hit if t not in covered) / total
            old = sum(weights[t] for t in hit if t in covered) / total
            gain = new + 0.25 * old + bonuses[i]
            if gain > best_gain:
                best_i, best_gain = i, gain
        if chosen and best_gain < MIN_SENTENCE_GAIN:
            break
        chosen.append(best_i)
        covered.update(t for t in weights if _present(t, sent_terms[best_i]))
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


def select(q: Question, scored: list[ScoredPaper], absent: float = 0.0) -> list[ScoredPaper]:
    """The papers to answer from; empty means the evidence is too weak (abstain)."""
    if not scored or absent >= MAX_ABSENT_SHARE:
        return []
    best = scored[0]
    sim = best.paper.dense_similarity or 0.0
    if best.coverage < MIN_COVERAGE and sim < MIN_SIMILARITY:
        return []
    if not q.wants_many:
        return [best]
    chosen = [s for s in scored if s.relevance >= MANY_RELATIVE * best.relevance][:MAX_MANY]
    # "Which papers ..." deserves a list: fill up to a few with papers that are still close.
    for s in scored[len(chosen) :]:
        if len(chosen) >= MIN_MANY or s.relevance < MANY_FILL_RELATIVE * best.relevance:
            break
        chosen.append(s)
    return chosen


class ExtractiveBackend:
    name = "extractive"

    def draft(self, request: AnswerRequest) -> Draft:
        q = request.question
        scored = score_papers(q, request.papers, request.idf)
        share, absent = absent_share(q, request.idf, request.max_idf)
        chosen = select(q, scored, share)
        if not chosen:
            missing = tuple(absent) or (scored[0].missing if scored else ())
            return Draft(text=abstention_text(q, missing), abstained=True, model="extractive")
        if len(chosen) == 1:
            s = chosen[0].paper
            body = " ".join(pick_sentences(q, s, request.idf, limit=SENTENCES_ONE_PAPER))
            return Draft(text=f"{body} [{s.title}]", abstained=False, model="extractive")
        lines = []
        for sp in chosen:
            body = " ".join(pick_sentences(q, sp.paper, request.idf, limit=SENTENCES_EACH_OF_MANY))
            lines.append(f"- {body} [{sp.paper.title}]")
        return Draft(text="\n".join(lines), abstained=False, model="extractive")

    def stream(self, request: AnswerRequest) -> Iterator[str | Draft]:
        draft = self.draft(request)
        yield draft.text
        yield draft
