"""Runs evaluation items through the public API and scores them.

Each item is asked exactly as a user would: ``Assistant.ask(question, history)``, follow-ups
with their earlier turns. Recall at depths beyond the answer's own ``retrieved`` list (by
default recall@10 with ``top_k`` 6) comes from one extra ``Assistant.retrieve(question,
history, k=10)`` call, timed separately so it never counts toward the answer's latency.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from assistant.evaluation.dataset import EvalItem
from assistant.evaluation.scores import ItemScores, score_answer
from assistant.evaluation.summary import Scored, summarize
from assistant.evaluation.support import check_support

if TYPE_CHECKING:
    from assistant.api import Assistant
    from assistant.evaluation.judge import SupportJudge

ProgressFn = Callable[[int, int, "ItemResult"], None]
DEEP_K = 10
FORMAT_VERSION = 1


@dataclass
class ItemResult:
    item: EvalItem
    answer: dict[str, Any] | None
    scores: ItemScores
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.item.to_dict(),
            "answer": self.answer,
            "scores": self.scores.to_dict(),
            "error": self.error,
        }


@dataclass
class EvalRun:
    """A whole run: its settings, the per-item results and the aggregate table."""

    dataset: str
    settings: dict[str, Any]
    results: list[ItemResult] = field(default_factory=list)
    started: str = field(
        default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds")
    )
    seconds: float = 0.0

    @property
    def summary(self) -> dict[str, dict[str, Any]]:
        return summarize([Scored(r.item.kind, r.scores, r.error) for r in self.results])

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "dataset": self.dataset,
            "started": self.started,
            "seconds": round(self.seconds, 2),
            "settings": self.settings,
            "summary": self.summary,
            "items": [r.to_dict() for r in self.results],
        }


def public_settings(assistant: Assistant) -> dict[str, Any]:
    """The settings that shaped the run, without secrets, JSON-ready."""
    data = assistant.settings.model_dump(mode="json", exclude={"openai_api_key"})
    return {k: v for k, v in data.items() if v is not None}


def evaluate_item(
    assistant: Assistant,
    item: EvalItem,
    corpus: dict[str, str],
    *,
    support: bool = True,
    judge: SupportJudge | None = None,
    deep_k: int = DEEP_K,
) -> ItemResult:
    """Ask one item and score it. ``corpus`` maps every stored title to its abstract."""
    t0 = time.perf_counter()
    try:
        answer = assistant.ask(item.question, history=list(item.history))
        latency_ms = (time.perf_counter() - t0) * 1000
        deep: list[str] = []
        if len(answer.retrieved) < deep_k:
            deep = [
                r.title for r in assistant.retrieve(item.question, list(item.history), k=deep_k)
            ]
        cited = {c.title: corpus.get(c.title, c.snippet) for c in answer.citations}
        support_score = (
            check_support(answer.text, cited).score if support and not answer.abstained else None
        )
        judge_score = judge.score(answer.text, cited) if judge and not answer.abstained else None
    except Exception as exc:  # a failing backend or judge is a result to report, not a crash
        return ItemResult(item, None, ItemScores(), error=f"{type(exc).__name__}: {exc}")
    data = answer.to_dict()
    scores = score_answer(
        item,
        data,
        corpus_titles=corpus,
        deep_ranking=deep,
        latency_ms=latency_ms,
        support=support_score,
        judge_support=judge_score,
    )
    return ItemResult(item, data, scores)


def run(
    assistant: Assistant,
    items: Sequence[EvalItem],
    *,
    dataset: str = "",
    support: bool = True,
    judge: SupportJudge | None = None,
    progress: ProgressFn | None = None,
    deep_k: int = DEEP_K,
) -> EvalRun:
    """Evaluate ``items`` in order. Opening the store (and a first-run ingest) and loading the
    embedder happen first, so latencies are those of a warm process (cold start is measured
    by ``benchmarks/``)."""
    assistant.ensure_index()
    corpus = {p.title: p.abstract for p in assistant.store.papers()}
    assistant.retrieve("warm up the embedder and the lexical index", k=1)
    result = EvalRun(dataset=dataset, settings=public_settings(assistant))
    t0 = time.perf_counter()
    for i, item in enumerate(items, start=1):
        r = evaluate_item(assistant, item, corpus, support=support, judge=judge, deep_k=deep_k)
        result.results.append(r)
        if progress:
            progress(i, len(items), r)
    result.seconds = time.perf_counter() - t0
    return result
