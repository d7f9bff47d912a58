"""``kill -9`` during ingest and removal, embedded and on a real ``chroma run``, several seeds.

Each seed kills one run of the command at a random point: just before a random one of its
writes to Chroma (the child kills itself), or a random few milliseconds after such a write
began (the parent kills it, inside Chroma's call or just after). Then, as a user's next command would: the store is
consistent at once (every listed paper has all its chunks, no chunk lacks its paper, keyword
search sees exactly the stored chunks), and the committed papers are found by keyword search
and filters. Then the same command is run again: every paper exactly once with all its chunks.

``KILL_SEEDS`` runs more seeds; ``RELIABILITY_RECORD`` (a file) collects each kill's outcome for
benchmarks/reliability.py, which writes the figures in docs/reliability.md.
"""

from __future__ import annotations

import itertools
import json
import math
import multiprocessing
import os
import random
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from assistant import Assistant
from tests import kill_child
from tests.store_checks import (
    check_complete,
    check_consistent,
    check_searchable,
    unfinished_write,
    write_papers,
)

SEEDS = int(os.environ.get("KILL_SEEDS", "0")) or None
INGEST_PAPERS = 24
BATCH = 6  # store batch in the killed process: more write points than the default 128
REMOVE_PAPERS, KEEP_PAPERS = 12, 6
_collections = itertools.count()

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def forkserver() -> Any:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(kill_child.PRELOAD)
    return ctx


def record(test: str, mode: str | None, seed: int, outcome: str, **figures: int | bool) -> None:
    """Note a passed kill cycle for benchmarks/reliability.py (with ``RELIABILITY_RECORD``)."""
    target = os.environ.get("RELIABILITY_RECORD")
    if target:
        row = {"test": test, "mode": "server" if mode else "embedded", "seed": seed}
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({**row, "outcome": outcome, **figures, "passed": True}) + "\n")


def kill_once(ctx: Any, spec: dict[str, Any], rng: random.Random, writes: int) -> str:
    """Run the command in a child and SIGKILL it at a random point; returns how it ended."""
    by_parent = rng.random() < 0.5
    k = rng.randint(1, writes)
    spec = {**spec, "kill_at_write": 0 if by_parent else k}
    ready, counter = ctx.Event(), ctx.Value("i", 0)
    proc = ctx.Process(target=kill_child.run, args=(spec, ready, counter))
    proc.start()
    try:
        assert ready.wait(180), "the child did not start"
        if by_parent:
            while counter.value < k and proc.is_alive():
                time.sleep(0.0005)
            time.sleep(rng.uniform(0, 0.02))
            proc.kill()
        proc.join(300)
    finally:
        if proc.is_alive():
            proc.kill()
            proc.join()
    assert proc.exitcode in (0, -9), f"the child failed (exit code {proc.exitcode})"
    point = f"{'during' if by_parent else 'before'} write {k}"
    return f"killed ({point})" if proc.exitcode == -9 else "finished first"


def assistant_for(spec: dict[str, Any]) -> Assistant:
    """The user's next command: a new Assistant on the same data directory and collection."""
    return Assistant(
        home=spec["home"],
        llm="extractive",
        auto_ingest=False,
        chroma_url=spec.get("chroma_url"),
        collection=spec["collection"],
    )


def seeds(default: int) -> range:
    return range(SEEDS or default)


@pytest.fixture(params=["embedded", "server"])
def mode(request: pytest.FixtureRequest) -> str | None:
    return request.getfixturevalue("chroma_url") if request.param == "server" else None


def _spec(tmp_path: Path, url: str | None, command: str, file: Path) -> dict[str, Any]:
    return {
        "home": str(tmp_path / "home"),
        "chroma_url": url,
        "collection": f"kill{next(_collections)}-{os.getpid()}",
        "command": command,
        "file": str(file),
        "batch_papers": BATCH,
    }


def test_kill_9_during_ingest(forkserver: Any, mode: str | None, tmp_path: Path) -> None:
    papers = write_papers(tmp_path / "papers.jsonl", "ing", INGEST_PAPERS)
    writes = 3 * math.ceil(INGEST_PAPERS / BATCH) + 2
    for seed in seeds(4 if mode is None else 3):
        rng = random.Random(f"ingest-{bool(mode)}-{seed}")
        run_dir = tmp_path / f"seed{seed}"
        spec = _spec(run_dir, mode, "ingest", papers)
        outcome = kill_once(forkserver, spec, rng, writes)
        repaired = unfinished_write(Path(spec["home"]), mode, spec["collection"])
        a = assistant_for(spec)
        stored, _ = check_consistent(a)
        check_searchable(a, papers, "ing", sample=rng.sample(range(INGEST_PAPERS), 3))
        committed = len(stored)

        rerun = a.ingest([papers])  # the same command again
        assert rerun.added == INGEST_PAPERS - committed and rerun.unchanged == committed
        check_complete(a, [papers])
        check_consistent(a)
        check_searchable(a, papers, "ing", sample=rng.sample(range(INGEST_PAPERS), 3))
        record(
            "ingest",
            mode,
            seed,
            outcome,
            repaired=repaired,
            committed_before_rerun=committed,
            papers=INGEST_PAPERS,
        )


@pytest.fixture(scope="module")
def removal_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """An embedded data directory holding the papers of two files (copied for each kill)."""
    folder = tmp_path_factory.mktemp("removal")
    gone = write_papers(folder / "gone.jsonl", "rem", REMOVE_PAPERS)
    kept = write_papers(folder / "kept.jsonl", "kep", KEEP_PAPERS)
    Assistant(home=folder / "home", llm="extractive", auto_ingest=False).ingest([gone, kept])
    return folder / "home", gone, kept


def test_kill_9_during_removal(
    forkserver: Any,
    mode: str | None,
    tmp_path: Path,
    removal_template: tuple[Path, Path, Path],
) -> None:
    template, gone, kept = removal_template
    for seed in seeds(4 if mode is None else 3):
        rng = random.Random(f"remove-{bool(mode)}-{seed}")
        run_dir = tmp_path / f"seed{seed}"
        spec = _spec(run_dir, mode, "remove", gone)
        if mode is None:
            shutil.copytree(template, spec["home"])
            spec["collection"] = "papers"
        else:
            assistant_for(spec).ingest([gone, kept])
        outcome = kill_once(forkserver, spec, rng, writes=4)
        repaired = unfinished_write(Path(spec["home"]), mode, spec["collection"])
        a = assistant_for(spec)
        stored, _ = check_consistent(a)
        check_searchable(a, kept, "kep", sample=rng.sample(range(KEEP_PAPERS), 2))
        left = len(stored) - KEEP_PAPERS

        # the same command again: `assistant papers remove --source gone.jsonl`
        assert a.remove(a.store.ids_from_source(str(gone))) == left
        check_complete(a, [kept], absent=[gone])
        check_consistent(a)
        check_searchable(a, kept, "kep", sample=rng.sample(range(KEEP_PAPERS), 2))
        record(
            "remove",
            mode,
            seed,
            outcome,
            repaired=repaired,
            left_before_rerun=left,
            papers=REMOVE_PAPERS,
        )
