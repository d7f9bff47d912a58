"""Evaluation: run a question set through the public API and measure retrieval, citations,
key facts, abstention and latency (``assistant eval``; see docs/evaluation.md).

    from assistant import Assistant
    from assistant.evaluation import load_items, run
    result = run(Assistant(llm="extractive"), load_items("dev.jsonl").items)
    result.summary["overall"]["citation_precision"]
"""

from assistant.evaluation.dataset import KINDS, Dataset, DatasetError, EvalItem, load_items
from assistant.evaluation.runner import EvalRun, ItemResult, evaluate_item, run
from assistant.evaluation.scores import ItemScores, score_answer
from assistant.evaluation.summary import METRICS, OVERALL, Metric, Scored, summarize
from assistant.evaluation.support import SupportResult, check_support

__all__ = [
    "KINDS",
    "METRICS",
    "OVERALL",
    "Dataset",
    "DatasetError",
    "EvalItem",
    "EvalRun",
    "ItemResult",
    "ItemScores",
    "Metric",
    "Scored",
    "SupportResult",
    "check_support",
    "evaluate_item",
    "load_items",
    "run",
    "score_answer",
    "summarize",
]
