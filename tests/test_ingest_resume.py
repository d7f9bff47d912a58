"""Resumable ingest: ``kill -9`` a real ``assistant ingest`` mid-way, run it again: every paper exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant import Assistant
from vectorstore.chunking import chunk_paper
from vectorstore.readers import read_papers

N_PAPERS = 300  # three store batches of 128: killed once the first is written


def catalog_count(store: Path) -> int:
    """Papers completely written so far, read by a separate client (as another process would)."""
    import chromadb
    from chromadb.api.shared_system_client import SharedSystemClient
    from chromadb.config import Settings

    SharedSystemClient.clear_system_cache()
    try:
        client = chromadb.PersistentClient(
            path=str(store), settings=Settings(anonymized_telemetry=False)
        )
        return int(client.get_collection("papers-catalog").count())
    except Exception:  # not created yet
        return 0


@pytest.mark.slow
def test_kill_9_mid_ingest_then_rerun_has_every_paper_exactly_once(tmp_path: Path) -> None:
    source = tmp_path / "many.jsonl"
    source.write_text(
        "\n".join(
            json.dumps(
                {
                    "title": f"Resumable Paper Number {i}",
                    "abstract": f"Paper {i} studies topic {i % 7} with method {i % 11}. It reports result {i}.",
                }
            )
            for i in range(N_PAPERS)
        )
        + "\n"
    )
    home = tmp_path / "home"
    env = {**os.environ, "ASSISTANT_HOME": str(home), "NO_COLOR": "1"}
    cmd = [sys.executable, "-m", "assistant", "ingest", str(source)]

    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 240
        seen = 0
        while time.monotonic() < deadline and proc.poll() is None:
            seen = catalog_count(home / "chroma")
            if seen >= 1:
                break
            time.sleep(0.2)
        assert proc.poll() is None, "the ingest finished before it could be killed: make it bigger"
        assert 0 < seen < N_PAPERS
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        proc.stdout.close()  # type: ignore[union-attr]
        proc.stderr.close()  # type: ignore[union-attr]
    assert proc.returncode == -signal.SIGKILL
    partial = catalog_count(home / "chroma")
    assert 0 < partial < N_PAPERS

    rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{N_PAPERS - partial} added" in " ".join(rerun.stdout.split()), rerun.stdout

    store = Assistant(home=home, llm="extractive", auto_ingest=False).store
    papers = read_papers(source)
    expected_chunks = {c.chunk_id for p in papers for c in chunk_paper(p)}
    got = store.chunks.get(include=["metadatas"])
    assert len(got["ids"]) == len(set(got["ids"])) == len(expected_chunks)
    assert set(got["ids"]) == expected_chunks
    assert sorted(r.paper_id for r in store.papers()) == sorted(p.paper_id for p in papers)
    # and the dense index really holds the chunks (not only their metadata): exact text ranks first
    for paper in (papers[0], papers[100], papers[-1]):
        text = chunk_paper(paper)[0].text
        assert store.dense_search(text, 1)[0].paper_id == paper.paper_id
