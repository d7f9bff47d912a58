"""Text tables of a run's summary, and of the difference between two saved runs."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from assistant.evaluation.summary import METRICS, OVERALL, Metric

Summary = Mapping[str, Mapping[str, Any]]


class RunFileError(ValueError):
    """A file given to ``--compare`` is not a saved ``assistant eval --json`` run."""


def fmt(metric: Metric, value: Any) -> str:
    if value is None:
        return "–"
    if metric.fmt == "pct":
        return f"{100 * float(value):.1f}%"
    if metric.fmt == "ms":
        return f"{float(value):.0f} ms"
    if metric.fmt == "count":
        return str(int(value))
    return f"{float(value):.2f}"


def fmt_delta(metric: Metric, a: Any, b: Any) -> str:
    if a is None or b is None:
        return ""
    d = float(b) - float(a)
    if abs(d) < 1e-12:
        return "="
    if metric.fmt == "pct":
        text = f"{100 * d:+.1f} pt"
    elif metric.fmt == "ms":
        text = f"{d:+.0f} ms"
    elif metric.fmt == "count":
        text = f"{int(d):+d}"
    else:
        text = f"{d:+.2f}"
    if float(text.split()[0]) == 0:  # a difference that rounds away: "+0 ms worse" says nothing
        return "="
    if metric.higher_is_better is None:
        return text
    better = (d > 0) == metric.higher_is_better
    return f"{text} {'better' if better else 'worse'}"


def _visible(summary: Summary, metric: Metric) -> bool:
    """Rows that say nothing for this run (e.g. LLM judge when not used) are left out."""
    return any(col.get(metric.key) not in (None, 0) for col in summary.values()) or metric.key in (
        "items",
        "non_corpus_citations",
        "rejected_citations",
    )


def summary_rows(summary: Summary) -> tuple[list[str], list[list[str]]]:
    """Header and rows: one row per metric, one column per kind, overall last."""
    columns = list(summary)
    rows = [
        [m.label, *(fmt(m, summary[c].get(m.key)) for c in columns)]
        for m in METRICS
        if _visible(summary, m)
    ]
    return ["metric", *columns], rows


def compare_rows(
    a: Summary, b: Summary, column: str = OVERALL
) -> tuple[list[str], list[list[str]]]:
    rows = []
    for m in METRICS:
        va, vb = a.get(column, {}).get(m.key), b.get(column, {}).get(m.key)
        if va is None and vb is None:
            continue
        rows.append([m.label, fmt(m, va), fmt(m, vb), fmt_delta(m, va, vb)])
    return ["metric", "A", "B", "B − A"], rows


def item_changes(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[list[str]]:
    """Items present in both runs whose key outcomes differ."""
    a_items = {i["id"]: i for i in a.get("items", [])}
    rows = []
    for item in b.get("items", []):
        old = a_items.get(item["id"])
        if old is None:
            continue
        changes = []
        for key, label in (
            ("abstained", "abstained"),
            ("gold_in_top5", "gold in top-5"),
            ("citation_precision", "precision"),
            ("key_fact_coverage", "key facts"),
        ):
            va, vb = old["scores"].get(key), item["scores"].get(key)
            if va != vb:
                changes.append(f"{label} {_short(va)}→{_short(vb)}")
        if (old.get("error") is None) != (item.get("error") is None):
            changes.append("error" if item.get("error") else "error fixed")
        if changes:
            rows.append([item["id"], item["kind"], "; ".join(changes)])
    return rows


def _short(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def load_run(path: str | Path) -> dict[str, Any]:
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RunFileError(f"{p}: no such file") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RunFileError(f"{p}: not a JSON file ({exc})") from None
    if not isinstance(data, dict) or "summary" not in data or "items" not in data:
        raise RunFileError(f"{p}: not a saved run (write one with: assistant eval FILE --json {p})")
    return data


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)
