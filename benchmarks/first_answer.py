"""The quickstart's first answer after install: ``assistant "…"`` in a new data directory.

    python benchmarks/first_answer.py [--runs 3]    # writes benchmarks/results/first_answer.json

Each run is a fresh data directory and a new process of the installed ``assistant`` command,
timed from process start to exit (so it includes indexing the bundled digest). "before" turns
the shipped digest embeddings off (``ASSISTANT_SHIPPED_EMBEDDINGS=false``: the digest is
embedded on the spot, as before they shipped); "after" is the default. The two alternate, so
a change in the machine's load hits both alike. ``render`` turns the JSON into the section of
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import REPO, assistant_command, child_env, machine, run_child

QUESTION = "Which paper renders radiance fields in real time at 1080p?"  # the README's quickstart
EXPECTED_TITLE = "3D Gaussian Splatting for Real-Time Radiance Field Rendering"
DEFAULT_OUT = REPO / "benchmarks" / "results" / "first_answer.json"
VARIANTS = {
    "before": {"ASSISTANT_SHIPPED_EMBEDDINGS": "false"},
    "after": {},
}


def log(msg: str) -> None:
    print(f"[first-answer] {msg}", file=sys.stderr, flush=True)


def first_answer(home: Path, extra_env: dict[str, str]) -> dict[str, Any]:
    """One quickstart run in an empty data directory: wall time, peak memory, what it answered."""
    child = run_child([*assistant_command(), QUESTION], child_env(home, **extra_env))
    if child.returncode != 0 or EXPECTED_TITLE not in child.stdout:
        raise SystemExit(
            f"the quickstart failed (exit {child.returncode}):\n{child.stderr.strip()[-800:]}"
        )
    return {"seconds": child.seconds, "peak_rss_mib": child.peak_rss_mib}


def measure(runs: int) -> dict[str, Any]:
    from assistant.evaluation.metrics import percentile

    info = machine()
    times: dict[str, list[dict[str, Any]]] = {name: [] for name in VARIANTS}
    with tempfile.TemporaryDirectory(prefix="paperqa-first-answer-") as tmp:
        for i in range(runs):
            for name, extra in VARIANTS.items():
                result = first_answer(Path(tmp) / f"{name}-{i}", extra)
                log(f"{name} #{i + 1}: {result['seconds']:.2f} s")
                times[name].append(result)
    return {
        "machine": info,
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "load_end": ", ".join(f"{x:.2f}" for x in os.getloadavg()),
        "question": QUESTION,
        "runs": runs,
        **{
            name: {
                "env": VARIANTS[name],
                "p50_s": percentile([r["seconds"] for r in results], 50),
                "max_s": max(r["seconds"] for r in results),
                "peak_rss_mib": max(r["peak_rss_mib"] for r in results),
                "seconds": [r["seconds"] for r in results],
            }
            for name, results in times.items()
        },
    }


def render(result: dict[str, Any]) -> str:
    """The docs/benchmarks.md section for a ``measure`` result (Markdown, no trailing newline)."""
    from assistant.evaluation.report import markdown_table

    before, after = result["before"], result["after"]
    rows = [
        [
            label,
            f"{r['p50_s']:.2f} s",
            " / ".join(f"{s:.2f}" for s in r["seconds"]),
            f"{r['peak_rss_mib']:.0f} MiB",
        ]
        for label, r in (
            ("before: digest embedded on the spot (`ASSISTANT_SHIPPED_EMBEDDINGS=false`)", before),
            ("after: shipped digest embeddings (default)", after),
        )
    ]
    return "\n".join(
        [
            "## First answer after install",
            "",
            f'`assistant "{result["question"]}"` (the README\'s quickstart) in a new, empty data '
            "directory: process start to exit, including indexing the bundled digest. "
            f"p50 of {result['runs']} fresh data directories each, run alternately "
            f"(`python benchmarks/first_answer.py`, finished {result['finished']}). The machine "
            f"({result['machine']['CPU']}) is shared: load average "
            f"{result['machine']['load average at start (1/5/15 min)']} at the start, "
            f"{result['load_end']} at the end; on a busy machine both times are longer.",
            "",
            markdown_table(["", "p50", "each run (s)", "peak memory"], rows),
            "",
            f"The first answer comes {before['p50_s'] / after['p50_s']:.1f}× sooner. The OS file "
            "cache is warm (the packages were read before), as it is right after `pip install`.",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=3, help="fresh data directories per variant")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON to write")
    parser.add_argument("--markdown", action="store_true", help="also print the report section")
    parser.add_argument(
        "--render", type=Path, metavar="JSON", help="only print the section of a saved result"
    )
    ns = parser.parse_args()
    if ns.render:
        print(render(json.loads(ns.render.read_text(encoding="utf-8"))))
        return
    if ns.runs < 1:
        parser.error("--runs must be at least 1")
    result = measure(ns.runs)
    ns.out.parent.mkdir(parents=True, exist_ok=True)
    ns.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    log(f"wrote {ns.out}")
    if ns.markdown:
        print(render(result))


if __name__ == "__main__":
    main()
