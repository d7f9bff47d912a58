"""Aggregates over items: one column per question kind plus "overall".

Rates are means over the items a metric applies to (macro averages, as ALCE reports them);
counts are totals. Abstention is split: on unanswerable items abstaining is right, on
answerable items it is a miss ("false abstention").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assistant.evaluation import metrics
from assistant.evaluation.dataset import KINDS, UNANSWERABLE_KINDS
from assistant.evaluation.scores import ItemScores

OVERALL = "overall"


@dataclass(frozen=True)
class Scored:
    """What aggregation needs from one evaluated item."""

    kind: str
    scores: ItemScores
    error: str | None = None


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    fmt: str  # "pct", "count", "ms", "num"
    higher_is_better: bool | None


# The table's rows, in order.
METRICS: tuple[Metric, ...] = (
    Metric("items", "items", "count", None),
    Metric("errors", "errors", "count", False),
    Metric("recall_at_1", "retrieval recall@1", "pct", True),
    Metric("recall_at_5", "retrieval recall@5", "pct", True),
    Metric("recall_at_10", "retrieval recall@10", "pct", True),
    Metric("gold_in_top5", "gold in top-5", "pct", True),
    Metric("citation_recall", "gold recall in citations", "pct", True),
    Metric("citation_precision", "citation precision", "pct", True),
    Metric("citations_per_answer", "citations per answer", "num", None),
    Metric("non_corpus_citations", "non-corpus citations", "count", False),
    Metric("rejected_citations", "rejected citations", "count", False),
    Metric("duplicate_citations", "duplicate citations", "count", False),
    Metric("key_fact_coverage", "key-fact coverage", "pct", True),
    Metric("abstention_unanswerable", "abstained, unanswerable", "pct", True),
    Metric("false_abstention", "abstained, answerable", "pct", False),
    Metric("support", "support (NLI-free)", "pct", True),
    Metric("judge_support", "support (LLM judge)", "pct", True),
    Metric("latency_p50_ms", "latency p50", "ms", False),
    Metric("latency_p95_ms", "latency p95", "ms", False),
    Metric("retrieve_p50_ms", "retrieval p50", "ms", False),
    Metric("tokens_per_item", "tokens per item", "num", False),
)


def summarize_group(rows: Sequence[Scored]) -> dict[str, float | int | None]:
    ok = [r.scores for r in rows if r.error is None]
    answerable = [r.scores for r in rows if r.error is None and r.kind not in UNANSWERABLE_KINDS]
    unanswerable = [r.scores for r in rows if r.error is None and r.kind in UNANSWERABLE_KINDS]
    latencies = [s.latency_ms for s in ok]
    return {
        "items": len(rows),
        "errors": sum(1 for r in rows if r.error is not None),
        "recall_at_1": metrics.mean(s.recall_at_1 for s in ok),
        "recall_at_5": metrics.mean(s.recall_at_5 for s in ok),
        "recall_at_10": metrics.mean(s.recall_at_10 for s in ok),
        "gold_in_top5": metrics.mean(s.gold_in_top5 for s in ok),
        "citation_recall": metrics.mean(s.citation_recall for s in ok),
        "citation_precision": metrics.mean(s.citation_precision for s in ok),
        "citations_per_answer": metrics.mean(s.citations for s in ok if not s.abstained),
        "non_corpus_citations": sum(len(s.non_corpus_citations) for s in ok),
        "rejected_citations": sum(s.rejected_citations for s in ok),
        "duplicate_citations": sum(s.duplicate_citations for s in ok),
        "key_fact_coverage": metrics.mean(s.key_fact_coverage for s in ok),
        "abstention_unanswerable": metrics.mean(s.abstained for s in unanswerable),
        "false_abstention": metrics.mean(s.abstained for s in answerable),
        "support": metrics.mean(s.support for s in ok),
        "judge_support": metrics.mean(s.judge_support for s in ok),
        "latency_p50_ms": metrics.percentile(latencies, 50),
        "latency_p95_ms": metrics.percentile(latencies, 95),
        "retrieve_p50_ms": metrics.percentile(
            [s.retrieve_ms for s in ok if s.retrieve_ms is not None], 50
        ),
        "tokens_per_item": metrics.mean(s.tokens for s in ok),
    }


def summarize(rows: Sequence[Scored]) -> dict[str, dict[str, Any]]:
    """``{kind: {metric: value}}`` for each kind present (in the dataset's order), then overall."""
    present = [k for k in KINDS if any(r.kind == k for r in rows)]
    out = {k: summarize_group([r for r in rows if r.kind == k]) for k in present}
    out[OVERALL] = summarize_group(rows)
    return out
