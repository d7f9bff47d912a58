"""The readers' fuzz figures: ``python benchmarks/reader_fuzz.py [--cli]`` prints a Markdown table.

Generates the same malformed files as tests/test_readers_fuzz.py (fixed seed, 45 mutated files
per format plus empty / blank / BOM-only / random-bytes files and two directories) and reads each
one as ``assistant ingest`` does (lenient): how many files were read clean, read with some records
reported, or refused as a whole, and how many papers, skipped records and warnings came out.
``--cli`` also runs every file through ``assistant ingest`` (one process each, into one temporary
data directory; about 2 s a file) and counts exit codes and tracebacks. Nothing in the output is typed by hand.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.hostile_files import FORMATS, generate  # noqa: E402
from vectorstore.readers import ReaderError, ReaderWarning, ReadOptions, iter_papers  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", action="store_true", help="also run each file through the CLI")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = generate(Path(tmp) / "files")
        rows: dict[str, Counter[str]] = defaultdict(Counter)
        slowest = 0.0
        for f in files:
            row = rows[f.fmt]
            problems: list[ReaderError] = []
            options = ReadOptions(on_problem=problems.append)
            start = time.perf_counter()
            try:
                row["papers"] += sum(1 for _ in iter_papers(f.path, options=options))
                refused = False
            except ReaderError:
                refused = True
            except Exception:  # what the fuzz test forbids; counted, never expected
                row["unforeseen exceptions"] += 1
                refused = True
            slowest = max(slowest, time.perf_counter() - start)
            row["files"] += 1
            row["refused as a whole" if refused else "with reports" if problems else "clean"] += 1
            row["records skipped"] += sum(not isinstance(p, ReaderWarning) for p in problems)
            row["warnings"] += sum(isinstance(p, ReaderWarning) for p in problems)
            if args.cli:
                r = subprocess.run(
                    [sys.executable, "-m", "assistant", "ingest", str(f.path)],
                    capture_output=True,
                    text=True,
                    env={**os.environ, "ASSISTANT_HOME": str(Path(tmp) / "home"), "NO_COLOR": "1"},
                )
                row[f"exit {r.returncode}"] += 1
                row["tracebacks"] += "Traceback" in r.stderr
        columns = ["files", "clean", "with reports", "refused as a whole", "papers"]
        columns += ["records skipped", "warnings", "unforeseen exceptions"]
        if args.cli:
            columns += sorted({k for r in rows.values() for k in r if k.startswith("exit")})
            columns += ["tracebacks"]
        total: Counter[str] = sum(rows.values(), Counter())
        print("| format | " + " | ".join(columns) + " |")
        print("|---|" + "---:|" * len(columns))
        for fmt in FORMATS:
            print(f"| {fmt} | " + " | ".join(str(rows[fmt][c]) for c in columns) + " |")
        print("| **all** | " + " | ".join(f"**{total[c]}**" for c in columns) + " |")
        print(f"\nSlowest file: {slowest:.2f} s (reader only).")


if __name__ == "__main__":
    main()
