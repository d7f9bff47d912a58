"""LLM backends vs extractive on the dev set: key facts, citations, abstention, latency.

    ASSISTANT_HOME=/tmp/bench-home python benchmarks/llm_dev.py --llm extractive --llm local \
        --out benchmarks/results/llm-dev.json [--dev DEV.jsonl] [--limit N] [--kinds single,multi]
    python benchmarks/llm_dev.py --doc docs/llm.md --from benchmarks/results/llm-dev.json \
        --from benchmarks/results/llm-dev2.json      # the table in docs/llm.md

Uses ``assistant.evaluation`` (the metrics of ``assistant eval``) when it is installed, else
the simple definitions: key fact = case-insensitive substring of the answer; citation precision
= |cited ∩ gold| / |cited| over answers that cite. Also counts LLM fallbacks (answers that
came from extractive after an LLM failure) and grounding notices. Never special-cases items.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

# kinds whose gold answer is an abstention (dev: unanswerable; dev2: absent_title)
UNANSWERABLE = frozenset({"unanswerable", "absent_title"})
DEFAULT_DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev.jsonl"


def _load(path: Path, kinds: set[str], limit: int | None) -> list[dict[str, Any]]:
    items = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    if kinds:
        items = [i for i in items if i["kind"] in kinds]
    return items[:limit] if limit else items


def _pct(values: list[float]) -> float | None:
    return round(100 * statistics.fmean(values), 1) if values else None


def _quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def _metrics() -> tuple[Any, Any, str]:
    """The team's metric definitions (assistant.evaluation) when present, else the simple ones."""
    try:
        from assistant.evaluation.metrics import citation_precision, key_fact_coverage

        return key_fact_coverage, citation_precision, "assistant.evaluation.metrics"
    except ImportError:

        def facts(text: str, key_facts: list[str]) -> float | None:
            found = [f for f in key_facts if f.lower() in text.lower()]
            return len(found) / len(key_facts) if key_facts else None

        def precision(cited: list[str], gold: list[str]) -> float | None:
            return sum(t in set(gold) for t in cited) / len(cited) if cited and gold else None

        return facts, precision, "simple (benchmarks/llm_dev.py)"


def run_backend(llm: str, items: list[dict[str, Any]], home: str | None) -> dict[str, Any]:
    from assistant import Assistant

    overrides: dict[str, Any] = {"llm": llm}
    if home:
        overrides["home"] = home
    fact_share, precision_of, metrics_from = _metrics()
    assistant = Assistant(**overrides)
    assistant.ensure_index()
    corpus = {p.title for p in assistant.store.papers()}
    t0 = time.perf_counter()
    assistant.ask("warm up: what is 3D Gaussian splatting?")  # loads models / starts servers
    warmup_s = time.perf_counter() - t0
    rows = []
    for n, item in enumerate(items, 1):
        t = time.perf_counter()
        answer = assistant.ask(item["question"], item.get("history") or [])
        seconds = time.perf_counter() - t
        text = answer.text.lower()
        cited = [c.title for c in answer.citations]
        gold = set(item["gold_titles"])
        facts = item.get("key_facts") or []
        row = {
            "id": item["id"],
            "kind": item["kind"],
            "seconds": round(seconds, 2),
            "backend": answer.backend,
            "model": answer.model,
            "abstained": answer.abstained,
            "cited": cited,
            "rejected": answer.rejected_citations,
            "non_corpus": [t for t in cited if t not in corpus],
            "facts_found": sum(f.lower() in text for f in facts),
            "facts": len(facts),
            "fact_share": fact_share(answer.text, facts),
            "precision": precision_of(cited, sorted(gold))
            if gold
            else (0.0 if cited else None),  # citing anything for an unanswerable item is wrong
            "notices": answer.notices,
            "usage": answer.usage.to_dict(),
            "answer": answer.text,
        }
        rows.append(row)
        print(
            f"[{llm}] {n}/{len(items)} {item['id']} {seconds:.1f}s {row['backend']} "
            f"facts {row['facts_found']}/{row['facts']} cited {len(cited)} "
            f"{'ABST ' if answer.abstained else ''}{'; '.join(answer.notices)[:100]}",
            file=sys.stderr,
            flush=True,
        )
    close = getattr(assistant.backend, "close", None)
    if close:
        close()
    answerable = [r for r in rows if r["kind"] not in UNANSWERABLE]
    unanswerable = [r for r in rows if r["kind"] in UNANSWERABLE]
    latencies = [r["seconds"] for r in rows]
    return {
        "llm": llm,
        "items": len(rows),
        "warmup_s": round(warmup_s, 1),
        "metrics": metrics_from,
        "key_fact_coverage": _pct(
            [r["fact_share"] for r in answerable if r["fact_share"] is not None]
        ),
        "citation_precision": _pct([r["precision"] for r in rows if r["precision"] is not None]),
        "answers_with_rejected_citations": _pct([bool(r["rejected"]) for r in rows]),
        "rejected_citations": sum(len(r["rejected"]) for r in rows),
        "non_corpus_citations": sum(len(r["non_corpus"]) for r in rows),
        "abstained_unanswerable": _pct([r["abstained"] for r in unanswerable]),
        "abstained_answerable": _pct([r["abstained"] for r in answerable]),
        "fallbacks_to_extractive": sum(r["backend"] == "extractive" for r in rows)
        if llm != "extractive"
        else 0,
        "grounding_notices": sum(any("numbers not found" in n for n in r["notices"]) for r in rows),
        "latency_p50_s": _quantile(latencies, 0.5),
        "latency_p95_s": _quantile(latencies, 0.95),
        "rows": rows,
    }


BEGIN, END = "<!-- llm dev: begin -->", "<!-- llm dev: end -->"
_ROWS = [
    ("key-fact coverage (answerable items)", "key_fact_coverage", "{}%"),
    ("citation precision", "citation_precision", "{}%"),
    ("answers with rejected citations", "answers_with_rejected_citations", "{}%"),
    ("non-corpus citations in final answers", "non_corpus_citations", "{}"),
    ("abstained, unanswerable / absent title", "abstained_unanswerable", "{}%"),
    ("abstained, answerable", "abstained_answerable", "{}%"),
    ("fallbacks to extractive", "fallbacks_to_extractive", "{}"),
    ("latency p50 / p95 (s)", "latency", "{}"),
]


def _kind_facts(result: dict[str, Any]) -> dict[str, float | None]:
    kinds: dict[str, list[float]] = {}
    for r in result["rows"]:
        if r["kind"] not in UNANSWERABLE and r["fact_share"] is not None:
            kinds.setdefault(r["kind"], []).append(r["fact_share"])
    return {k: _pct(v) for k, v in kinds.items()}


def doc_block(runs: list[tuple[str, list[dict[str, Any]]]]) -> str:
    """The generated table of docs/llm.md: one column per (dev set, backend)."""
    columns = [(name, r) for name, results in runs for r in results]
    head = "| metric | " + " | ".join(f"{name}: {r['llm']}" for name, r in columns) + " |"
    lines = [head, "|---|" + "---|" * len(columns)]
    for label, key, fmt in _ROWS:
        cells = []
        for _, r in columns:
            if key == "latency":
                cells.append(f"{r['latency_p50_s']} / {r['latency_p95_s']}")
            elif key == "fallbacks_to_extractive" and r["llm"] == "extractive":
                cells.append("–")
            else:
                cells.append(fmt.format(r[key]))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines.append("")
    for name, results in runs:
        by_kind = [(r["llm"], _kind_facts(r)) for r in results]
        kinds = list(by_kind[0][1])
        parts = [
            f"{k} " + "/".join(f"{facts.get(k) or 0:.0f}" for _, facts in by_kind) for k in kinds
        ]
        lines.append(
            f"Key facts by kind on {name} ({' / '.join(llm for llm, _ in by_kind)}): "
            + ", ".join(parts)
            + "."
        )
    return "\n".join(lines)


def write_doc(doc: Path, sources: list[Path]) -> None:
    """Replace the generated block of ``doc`` with the table of the saved runs ``sources``."""
    runs = [(path.stem.removeprefix("llm-"), json.loads(path.read_text())) for path in sources]
    text = doc.read_text()
    start, end = text.index(BEGIN), text.index(END)
    stamp = (
        f"Generated by `python benchmarks/llm_dev.py --doc {doc} "
        + " ".join(f"--from {p}" for p in sources)
        + "` from the saved runs. Do not edit by hand."
    )
    block = f"{BEGIN}\n\n{stamp}\n\n{doc_block(runs)}\n\n"
    doc.write_text(text[:start] + block + text[end:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--doc", type=Path, default=None, help="rewrite this doc's table ...")
    parser.add_argument(
        "--from", dest="sources", type=Path, action="append", help="... from these saved runs"
    )
    if "--doc" in sys.argv:
        args = parser.parse_args()
        write_doc(args.doc, args.sources or [])
        return
    parser.add_argument("--llm", action="append", required=True, help="repeatable")
    parser.add_argument("--dev", type=Path, default=DEFAULT_DEV)
    parser.add_argument("--home", default=None, help="data directory (else ASSISTANT_HOME)")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--kinds", default="", help="comma-separated kinds to keep")
    parser.add_argument("--out", type=Path, default=None, help="write all rows as JSON here")
    args = parser.parse_args()
    items = _load(args.dev, {k for k in args.kinds.split(",") if k}, args.limit)
    results = [run_backend(llm, items, args.home) for llm in args.llm]
    keys = [k for k in results[0] if k not in ("rows", "metrics")]
    print("| metric | " + " | ".join(r["llm"] for r in results) + " |")
    print("|---|" + "---|" * len(results))
    for k in keys[1:]:
        print(f"| {k} | " + " | ".join(str(r[k]) for r in results) + " |")
    print(f"\nmetrics: {results[0]['metrics']}; items: {len(items)} from {args.dev}")
    if args.out:
        args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
