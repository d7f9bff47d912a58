"""Per-item scores: one evaluated answer (``Answer.to_dict()``) against its ``EvalItem``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.evaluation import metrics
from assistant.evaluation.dataset import EvalItem

RECALL_KS = (1, 5, 10)


@dataclass
class ItemScores:
    """Everything measured for one item. ``None`` means "does not apply to this item"."""

    recall_at_1: float | None = None
    recall_at_5: float | None = None
    recall_at_10: float | None = None
    gold_in_top5: bool | None = None
    citation_recall: float | None = None
    citation_precision: float | None = None
    citations: int = 0
    duplicate_citations: int = 0
    non_corpus_citations: list[str] = field(default_factory=list)
    rejected_citations: int = 0
    key_fact_coverage: float | None = None
    missing_facts: list[str] = field(default_factory=list)
    abstained: bool = False
    support: float | None = None
    judge_support: float | None = None  # LLM-judged (only with --judge)
    latency_ms: float = 0.0
    retrieve_ms: float | None = None
    tokens: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ItemScores:
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in known})


def ranking_for(k: int, answer_ranking: Sequence[str], deep_ranking: Sequence[str]) -> list[str]:
    """What recall@k is computed on: the answer's own retrieved list (what the answerer saw)
    for k up to 5, and for deeper k when that list reaches k papers; else the deep ranking."""
    if k <= 5 or len(answer_ranking) >= k or not deep_ranking:
        return list(answer_ranking)
    return list(deep_ranking)


def score_answer(
    item: EvalItem,
    answer: Mapping[str, Any],
    *,
    corpus_titles: Iterable[str],
    deep_ranking: Sequence[str] = (),
    latency_ms: float = 0.0,
    support: float | None = None,
    judge_support: float | None = None,
) -> ItemScores:
    """Score an ``Answer.to_dict()`` object. ``deep_ranking`` is a retrieval of >= 10 papers
    for the same question, used for recall@10 when the answer's own list is shorter."""
    retrieved = [r["title"] for r in answer.get("retrieved", [])]
    cited = [c["title"] for c in answer.get("citations", [])]
    text = str(answer.get("answer", ""))
    gold = item.gold_titles
    recalls = {
        k: metrics.recall_at_k(ranking_for(k, retrieved, deep_ranking), gold, k) for k in RECALL_KS
    }
    usage = answer.get("usage") or {}
    timings = answer.get("timings_ms") or {}
    return ItemScores(
        recall_at_1=recalls[1],
        recall_at_5=recalls[5],
        recall_at_10=recalls[10],
        gold_in_top5=metrics.hit_at_k(ranking_for(5, retrieved, deep_ranking), gold, 5),
        citation_recall=metrics.citation_recall(cited, gold),
        citation_precision=metrics.citation_precision(cited, gold),
        citations=len(metrics.distinct_titles(cited)),
        duplicate_citations=metrics.duplicate_citations(cited),
        non_corpus_citations=metrics.non_corpus_citations(
            cited + metrics.bracketed(text), corpus_titles
        ),
        rejected_citations=len(answer.get("rejected_citations", [])),
        key_fact_coverage=metrics.key_fact_coverage(text, item.key_facts),
        missing_facts=metrics.missing_facts(text, item.key_facts),
        abstained=bool(answer.get("abstained", False)),
        support=support,
        judge_support=judge_support,
        latency_ms=round(latency_ms, 1),
        retrieve_ms=timings.get("retrieve"),
        tokens=int(usage.get("prompt_tokens", 0)) + int(usage.get("completion_tokens", 0)),
    )
