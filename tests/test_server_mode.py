"""The store behaves the same embedded and on a real ``chroma run`` server (tests parametrized by mode)."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import Assistant
from vectorstore.filters import Filters

_names = itertools.count()

PAPERS = [
    {
        "title": "Striped Attention for Zebrafish Tracking",
        "abstract": "We track zebrafish larvae in video with striped attention transformers. "
        "Identity switches drop by forty percent on three aquarium datasets.",
        "authors": ["Mia Okafor", "Lars Berg"],
        "date": "2026-11-23",
        "categories": ["cs.CV"],
    },
    {
        "title": "Glacier Melt Forecasting with Graph Networks",
        "abstract": "Graph neural networks forecast glacier melt from sparse weather stations. "
        "The model beats physical baselines by twelve percent in the Alps.",
        "authors": ["Ines Duarte"],
        "date": "2025-02-10",
        "categories": ["physics.ao-ph", "cs.LG"],
    },
    {
        "title": "Low-Rank Adapters for Protein Language Models",
        "abstract": "We fine-tune protein language models with low-rank adapters (LoRA). "
        "Adapters recover ninety percent of full fine-tuning accuracy on stability prediction.",
        "authors": ["Lars Berg"],
        "date": "2026-11-25",
        "categories": ["q-bio.BM", "cs.LG"],
    },
]


def write_jsonl(path: Path, papers: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(p) for p in papers) + "\n", encoding="utf-8")
    return path


@pytest.fixture(params=["embedded", "server"])
def make(request: pytest.FixtureRequest, tmp_path: Path):
    """A factory of Assistants on one private collection, embedded or on the shared server."""
    collection = f"t{next(_names)}-{request.node.name[:20].replace('[', '-').strip('-]')}x"
    collection = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in collection)
    url = request.getfixturevalue("chroma_url") if request.param == "server" else None

    def factory(home: Path | None = None) -> Assistant:
        return Assistant(
            home=home or tmp_path / "home",
            llm="extractive",
            auto_ingest=False,
            chroma_url=url,
            collection=collection,
        )

    factory.mode = request.param  # type: ignore[attr-defined]
    return factory


def test_ingest_is_idempotent_and_replaces_edited_papers(make, tmp_path: Path) -> None:
    a = make()
    f = write_jsonl(tmp_path / "mine.jsonl", PAPERS)
    r = a.ingest([f])
    assert (r.added, r.updated, r.unchanged) == (3, 0, 0)
    generation = a.store.generation()
    chunks = a.store.count_chunks()

    r = a.ingest([f])
    assert (r.added, r.updated, r.unchanged) == (0, 0, 3)
    assert a.store.generation() == generation
    assert (a.store.count_papers(), a.store.count_chunks()) == (3, chunks)

    edited = [dict(PAPERS[0], abstract="Zebrafish are counted by a tiny convolutional network.")]
    r = a.ingest([write_jsonl(f, edited + PAPERS[1:])])
    assert (r.added, r.updated, r.unchanged) == (0, 1, 2)
    assert a.store.generation() > generation
    docs = a.store.all_chunks()[2]
    assert not any("striped attention" in d for d in docs)
    assert any("tiny convolutional network" in d for d in docs)


def test_a_second_front_end_sees_the_papers(make, tmp_path: Path) -> None:
    a = make()
    a.ingest([write_jsonl(tmp_path / "mine.jsonl", PAPERS)])
    # another process/front end with its own data directory (server: shared store; embedded: same home)
    b = make(home=tmp_path / "other-home") if make.mode == "server" else make()
    titles = {r.title for r in b.papers()}
    assert titles == {p["title"] for p in PAPERS}
    hits = b.retrieve("zebrafish larvae tracking")
    assert hits[0].title == PAPERS[0]["title"]


def test_remove_by_id_and_by_source(make, tmp_path: Path) -> None:
    a = make()
    first = write_jsonl(tmp_path / "first.jsonl", PAPERS[:2])
    second = write_jsonl(tmp_path / "second.jsonl", PAPERS[2:])
    a.ingest([first, second])
    ids = {r.title: r.paper_id for r in a.store.papers()}
    assert a.remove([ids[PAPERS[0]["title"]]]) == 1
    assert sorted(a.store.ids_from_source(str(first))) == [ids[PAPERS[1]["title"]]]
    assert a.remove(a.store.ids_from_source(str(second))) == 1
    assert [r.title for r in a.store.papers()] == [PAPERS[1]["title"]]
    remaining = {m["paper_id"] for m in a.store.chunks.get(include=["metadatas"])["metadatas"]}
    assert remaining == {ids[PAPERS[1]["title"]]}


def test_filters_restrict_both_retrieval_sides(make, tmp_path: Path) -> None:
    a = make()
    a.ingest([write_jsonl(tmp_path / "mine.jsonl", PAPERS)])
    question = "glacier melt forecasting graph networks"
    assert a.retrieve(question)[0].title == PAPERS[1]["title"]
    recent = a.retrieve(question, filters=Filters.of(since="2026-11-20"))
    assert PAPERS[1]["title"] not in {r.title for r in recent}
    assert {r.title for r in recent} <= {PAPERS[0]["title"], PAPERS[2]["title"]}
    by_author = a.retrieve("low-rank adapters", author="berg")
    assert {r.title for r in by_author} <= {PAPERS[0]["title"], PAPERS[2]["title"]}
    assert by_author[0].title == PAPERS[2]["title"]
    by_category = a.retrieve(question, category="cs.CV")
    assert [r.title for r in by_category] == [PAPERS[0]["title"]]


def test_cli_against_the_server(chroma_url: str, tmp_path: Path) -> None:
    f = write_jsonl(tmp_path / "mine.jsonl", PAPERS)
    home = tmp_path / "cli-home"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "assistant", *args],
            capture_output=True,
            text=True,
            timeout=120,
            env={"PATH": "/usr/bin:/bin", "ASSISTANT_HOME": str(home), "NO_COLOR": "1"},
        )

    done = run("ingest", str(f), "--chroma-url", chroma_url, "--collection", "cli-test")
    assert done.returncode == 0, done.stderr
    assert "3 added" in done.stdout
    listed = run("--chroma-url", chroma_url, "--collection", "cli-test", "papers", "--json")
    assert {p["title"] for p in json.loads(listed.stdout)} == {p["title"] for p in PAPERS}
    # the embedded store of the same home is untouched: server mode really used the server
    assert not (home / "chroma").exists()
