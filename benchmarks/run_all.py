"""One command for every published figure: ``python benchmarks/run_all.py``.

Compares, in one run on this machine, this project's hybrid retrieval with a naive
LangChain + Chroma baseline, BM25 alone and dense alone (quality on the dev set through the
same extractive answerer and citation check, and per-query retrieval latency), and measures
the issue-2 figures, ingest throughput against the raw embedder, cold start of
``assistant ask`` and peak memory. Writes docs/benchmarks.md; nothing in it is typed by hand.
Everything runs in a temporary data directory, so it is safe to rerun.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import (
    REPO,
    ChildRun,
    assistant_command,
    child_env,
    machine,
    run_child,
    self_peak_rss_mib,
)

DEFAULT_DATASET = REPO.parent / "shared" / "eval" / "dev.jsonl"
DEFAULT_OUT = REPO / "docs" / "benchmarks.md"
TOP5_KINDS = ("single", "lookup", "followup")
COLD_QUESTIONS = (
    "Which paper speeds up N:M sparse training with algorithm and dataflow co-design?",
    "What is 3D Gaussian splatting used for?",
    "Which papers study low-precision training of large language models?",
)


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# -- pieces ------------------------------------------------------------------------------------
def retrieval_latency(
    system: Any, queries: Sequence[str], k: int, reps: int
) -> dict[str, float | None]:
    """Per-query retrieval time (warm, in-process), over every query ``reps`` times."""
    from assistant.evaluation.metrics import percentile

    rank = getattr(system, "rank", None) or system.retrieve
    rank(queries[0], k)
    times = []
    for _ in range(reps):
        for q in queries:
            t0 = time.perf_counter()
            rank(q, k)
            times.append((time.perf_counter() - t0) * 1000)
    return {"p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95), "n": len(times)}


def figures(run: dict[str, Any]) -> dict[str, float | int | None]:
    """The issue-2 figures from a saved run (the ``assistant eval --json`` format)."""
    from assistant.evaluation.metrics import mean

    items = run["items"]
    overall = run["summary"]["overall"]
    return {
        "gold_top5_single_lookup_followup": mean(
            i["scores"]["gold_in_top5"] for i in items if i["kind"] in TOP5_KINDS
        ),
        "key_fact_coverage": overall["key_fact_coverage"],
        "citation_precision": overall["citation_precision"],
        "non_corpus_citations": overall["non_corpus_citations"],
        "abstention_unanswerable": overall["abstention_unanswerable"],
        "false_abstention": overall["false_abstention"],
        "recall_at_1": overall["recall_at_1"],
        "recall_at_5": overall["recall_at_5"],
        "recall_at_10": overall["recall_at_10"],
        "citation_recall": overall["citation_recall"],
        "errors": overall["errors"],
    }


def cold_start(home: Path, runs: int) -> dict[str, Any]:
    """``assistant ask`` from process start to printed answer, store (and caches) built."""
    from assistant.evaluation.metrics import percentile

    cmd = assistant_command()
    env = child_env(home, ASSISTANT_LLM="extractive")
    warm = run_child([*cmd, "ask", COLD_QUESTIONS[0]], env)  # OS file cache, BM25 cache
    if warm.returncode != 0:
        raise SystemExit(f"assistant ask failed: {warm.stderr.strip()[-500:]}")
    children: list[ChildRun] = []
    for i in range(runs):
        children.append(run_child([*cmd, "ask", COLD_QUESTIONS[i % len(COLD_QUESTIONS)]], env))
    seconds = [c.seconds for c in children]
    return {
        "runs": runs,
        "p50_s": percentile(seconds, 50),
        "max_s": max(seconds),
        "peak_rss_mib": max(c.peak_rss_mib for c in children),
        "command": f"ASSISTANT_HOME=<built store> ASSISTANT_LLM=extractive assistant ask "
        f'"{COLD_QUESTIONS[0]}"',
    }


# -- the whole run -----------------------------------------------------------------------------
def run_all(
    dataset: Path,
    out: Path,
    json_out: Path | None,
    cold_runs: int,
    reps: int,
    scale_papers: int = 10_000,
) -> None:
    t_start = time.perf_counter()
    info = machine()
    import answer_scale
    import first_answer
    import mcp_latency
    from answering import before_after
    from retrievers import BM25Only, DenseOnly, LangChainBaseline, build_langchain_store

    from assistant import Assistant
    from assistant.evaluation import load_items, run
    from assistant.resources import bundled_digest
    from vectorstore.readers import read_papers

    items = load_items(dataset).items
    results: dict[str, Any] = {"machine": info, "dataset": str(dataset), "items": len(items)}
    with tempfile.TemporaryDirectory(prefix="paperqa-bench-") as tmp_name:
        tmp = Path(tmp_name)
        home = tmp / "home"

        log("ingest throughput and the raw embedder's, in a fresh process")
        child = run_child(
            [sys.executable, str(Path(__file__).with_name("ingest_child.py")), str(home)],
            child_env(home),
        )
        if child.returncode != 0:
            raise SystemExit(f"ingest failed: {child.stderr.strip()[-800:]}")
        results["ingest"] = json.loads(child.stdout.strip().splitlines()[-1])
        results["ingest"]["peak_rss_mib"] = child.peak_rss_mib

        log("this project, through the CLI: assistant eval --llm extractive --json")
        ours_json = tmp / "ours.json"
        eval_args = ["eval", str(dataset), "--llm", "extractive", "--json", str(ours_json)]
        child = run_child([*assistant_command(), *eval_args], child_env(home))
        if child.returncode != 0:
            raise SystemExit(f"assistant eval failed: {child.stderr.strip()[-800:]}")
        ours = json.loads(ours_json.read_text())
        results["eval_cli"] = {"seconds": child.seconds, "peak_rss_mib": child.peak_rss_mib}

        base = Assistant(home=home, llm="extractive")
        hybrid = base.retriever
        queries = [i.question for i in items]

        log("naive baseline: RecursiveCharacterTextSplitter + langchain_chroma.Chroma")
        papers = read_papers(bundled_digest())
        t0 = time.perf_counter()
        vectorstore, lc_chunks = build_langchain_store(papers, base.store.embedder, tmp / "lc")
        lc_build_s = time.perf_counter() - t0
        results["langchain_build"] = {
            "chunks": lc_chunks,
            "seconds": lc_build_s,
            "papers_per_s": len(papers) / lc_build_s,
        }

        variants: dict[str, tuple[Any, Assistant]] = {}
        for key, variant, top_k in (
            ("bm25", BM25Only(hybrid), base.settings.top_k),
            ("dense", DenseOnly(hybrid), base.settings.top_k),
            ("langchain", LangChainBaseline(hybrid, vectorstore), 5),
        ):
            assistant = Assistant(settings=base.settings, retriever=variant, top_k=top_k)
            variants[key] = (variant, assistant)

        runs: dict[str, dict[str, Any]] = {"hybrid": ours}
        for key, (_, assistant) in variants.items():
            log(f"dev set through {key} retrieval + the extractive answerer")
            runs[key] = run(assistant, items, dataset=str(dataset)).to_dict()

        log(f"retrieval latency, {len(queries)} queries × {reps}")
        latency = {"hybrid": retrieval_latency(hybrid, queries, base.settings.top_k, reps)}
        for key, (variant, assistant) in variants.items():
            latency[key] = retrieval_latency(variant, queries, assistant.settings.top_k, reps)

        log("answering core before and after, dev and dev2 (benchmarks/answering.py)")
        results["answering"] = before_after(tmp / "answering")
        if scale_papers:
            log(
                f"extractive answers on a {scale_papers:,}-paper store (benchmarks/answer_scale.py)"
            )
            results["answer_scale"] = answer_scale.run(scale_papers, reps=1)
        log("the quickstart's first answer, fresh data directories (benchmarks/first_answer.py)")
        results["first_answer"] = first_answer.measure(3)
        log("MCP server start-up and ask round trip (benchmarks/mcp_latency.py)")
        results["mcp"] = mcp_latency.run_benchmark(starts=3, reps=3)

        log(f"cold start: assistant ask × {cold_runs}")
        results["cold_start"] = cold_start(home, cold_runs)

        results["runs"] = {
            k: {"settings": v["settings"], "summary": v["summary"]} for k, v in runs.items()
        }
        results["figures"] = {k: figures(v) for k, v in runs.items()}
        results["latency"] = latency
        results["ours_summary"] = ours["summary"]
        results["ours_top_k"] = ours["settings"].get("top_k")
        results["bench_peak_rss_mib"] = self_peak_rss_mib()
    results["seconds"] = time.perf_counter() - t_start
    results["load_end"] = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    results["finished"] = datetime.now(timezone.utc).isoformat(timespec="seconds")

    from markdown_report import render

    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(results, command=_command_line()), encoding="utf-8")
    log(f"wrote {out} in {results['seconds']:.0f} s")
    if json_out is not None:
        json_out.write_text(json.dumps(results, indent=1), encoding="utf-8")


def _command_line() -> str:
    args = sys.argv[1:]
    return "python benchmarks/run_all.py" + ("" if not args else " " + shlex.join(args))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET, help="JSONL questions")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="Markdown report to write")
    parser.add_argument("--json", type=Path, default=None, help="also write the raw numbers here")
    parser.add_argument("--cold-runs", type=int, default=5, help="assistant ask runs to time")
    parser.add_argument("--latency-reps", type=int, default=3, help="passes over the queries")
    parser.add_argument(
        "--scale-papers",
        type=int,
        default=10_000,
        help="papers in the large store for answer latency (0: skip; ~3 min at 10k)",
    )
    ns = parser.parse_args(argv)
    if not ns.dataset.is_file():
        parser.error(f"no question file at {ns.dataset}; pass --dataset PATH")
    if ns.cold_runs < 1 or ns.latency_reps < 1:
        parser.error("--cold-runs and --latency-reps must be at least 1")
    run_all(ns.dataset, ns.out, ns.json, ns.cold_runs, ns.latency_reps, ns.scale_papers)


if __name__ == "__main__":
    main()
