"""MCP figures: the server's start-up time and the ``ask`` round trip over stdio, measured with
the official SDK's client launching ``assistant mcp`` as an MCP client (Claude Desktop, an IDE)
does.

  start-up      spawn of ``assistant mcp`` -> the client's handshake done (p50 of --starts runs)
  first ask     the first ``ask`` right after start-up: waits for the store and indexes to open
  ask (warm)    ``ask`` round trip once warm, p50/p95 over --reps passes of the questions
  in-process    ``Assistant.ask`` on the same questions in this process: the MCP overhead is
                the difference

The data directory is a temporary one with the bundled digest indexed beforehand, so no run
counts the first-use ingest. Results go to benchmarks/results/mcp.json;
``markdown_section(results)`` renders them for docs/benchmarks.md.

    python benchmarks/mcp_latency.py [--starts 5] [--reps 5] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from measure import assistant_command, child_env, machine  # noqa: E402

DEFAULT_OUT = HERE / "results" / "mcp.json"
QUESTIONS = (
    "Which paper speeds up N:M sparse training with algorithm and dataflow co-design?",
    "What is 3D Gaussian splatting used for?",
    "Which papers study low-precision training of large language models?",
    "How does LVChat handle long videos?",
)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def log(msg: str) -> None:
    print(f"[mcp-bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


async def one_server(home: Path, questions: tuple[str, ...], reps: int) -> dict[str, Any]:
    """Start one server; time its start-up, first ask, and warm asks (when ``reps``)."""
    from mcp import Client, StdioServerParameters

    command = assistant_command()
    params = StdioServerParameters(
        command=command[0],
        args=[*command[1:], "mcp"],
        env=child_env(home, ASSISTANT_LLM="extractive"),
    )
    t0 = time.perf_counter()
    async with Client(params) as client:
        startup = time.perf_counter() - t0
        t1 = time.perf_counter()
        first = await client.call_tool("ask", {"question": questions[0]})
        first_ask = time.perf_counter() - t1
        assert not first.is_error, first.content
        warm: list[float] = []
        for _ in range(reps):
            for q in questions:
                t2 = time.perf_counter()
                result = await client.call_tool("ask", {"question": q})
                warm.append(time.perf_counter() - t2)
                assert not result.is_error and result.structured_content, result.content
    return {"startup_s": startup, "first_ask_s": first_ask, "warm_ask_s": warm}


def in_process(home: Path, questions: tuple[str, ...], reps: int) -> list[float]:
    from assistant import Assistant

    assistant = Assistant(home=home, llm="extractive")
    assistant.ask(questions[0])
    times = []
    for _ in range(reps):
        for q in questions:
            t0 = time.perf_counter()
            assistant.ask(q)
            times.append(time.perf_counter() - t0)
    return times


def run_benchmark(starts: int, reps: int) -> dict[str, Any]:
    import anyio

    from assistant import Assistant

    started = time.perf_counter()
    info = machine()
    with tempfile.TemporaryDirectory(prefix="mcp-bench-") as tmp:
        home = Path(tmp) / "home"
        log("indexing the bundled digest into a temporary data directory")
        Assistant(home=home, llm="extractive").ensure_index()
        runs = []
        for i in range(starts):
            log(f"server {i + 1}/{starts}")
            runs.append(anyio.run(one_server, home, QUESTIONS, reps if i == 0 else 0))
        log("in-process Assistant.ask on the same questions")
        direct = in_process(home, QUESTIONS, reps)
    warm = runs[0]["warm_ask_s"]
    startups = [r["startup_s"] for r in runs]
    firsts = [r["first_ask_s"] for r in runs]
    return {
        "finished": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "seconds": time.perf_counter() - started,
        "machine": info,
        "load_end": ", ".join(f"{x:.2f}" for x in os.getloadavg()),
        "transport": "stdio",
        "backend": "extractive",
        "questions": list(QUESTIONS),
        "starts": starts,
        "reps": reps,
        "startup_p50_ms": 1000 * statistics.median(startups),
        "startup_max_ms": 1000 * max(startups),
        "first_ask_p50_ms": 1000 * statistics.median(firsts),
        "ask_warm_p50_ms": 1000 * percentile(warm, 50),
        "ask_warm_p95_ms": 1000 * percentile(warm, 95),
        "ask_warm_n": len(warm),
        "in_process_p50_ms": 1000 * percentile(direct, 50),
        "raw": {
            "startup_s": startups,
            "first_ask_s": firsts,
            "warm_ask_s": warm,
            "in_process_s": direct,
        },
    }


def markdown_section(r: dict[str, Any]) -> str:
    """The MCP figures as a docs/benchmarks.md section (every number from the results file)."""
    rows = [
        (
            "server start-up (spawn → handshake done)",
            f"{r['startup_p50_ms']:.0f} ms",
            f"p50 of {r['starts']} starts (max {r['startup_max_ms']:.0f} ms)",
        ),
        (
            "first `ask` after start-up",
            f"{r['first_ask_p50_ms']:.0f} ms",
            f"p50 of {r['starts']} starts; includes opening the store and indexes",
        ),
        (
            "`ask` round trip, warm",
            f"{r['ask_warm_p50_ms']:.1f} ms",
            f"p50 of {r['ask_warm_n']} calls (p95 {r['ask_warm_p95_ms']:.1f} ms)",
        ),
        (
            "`Assistant.ask` in-process, same questions",
            f"{r['in_process_p50_ms']:.1f} ms",
            "p50; the difference to the row above is the MCP overhead",
        ),
    ]
    lines = [
        "## MCP server (stdio)",
        "",
        f"`assistant mcp` launched by the official `mcp` SDK client over stdio, as MCP clients "
        f"launch it; {r['backend']} answers on the bundled digest (already indexed). Measured by "
        f"`python benchmarks/mcp_latency.py` on {r['finished']} (load average {r['load_end']} at "
        "the end).",
        "",
        "| figure | value | how |",
        "|---|---|---|",
        *[f"| {a} | {b} | {c} |" for a, b, c in rows],
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--starts", type=int, default=5, help="server start-ups to time")
    parser.add_argument("--reps", type=int, default=5, help="passes over the questions, warm")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results JSON file")
    parser.add_argument("--markdown", action="store_true", help="also print the markdown section")
    args = parser.parse_args()
    results = run_benchmark(max(1, args.starts), max(1, args.reps))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    log(f"wrote {args.out}")
    if args.markdown:
        print(markdown_section(results))


if __name__ == "__main__":
    main()
