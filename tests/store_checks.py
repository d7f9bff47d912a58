"""What "a consistent store" means, checked from outside as a user's next command would see it.

Shared by the kill and fault tests: small synthetic paper files (each paper with a word no
other paper has, a category and a date, so keyword search and filters can be checked per
paper), and the checks themselves.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from vectorstore.chunking import chunk_paper
from vectorstore.filters import Filters
from vectorstore.readers import read_papers

CATEGORY = "cs.KT"


def unique_word(tag: str, i: int) -> str:
    return f"{tag}q{i:03d}zx"


def write_papers(path: Path, tag: str, n: int, *, sentences: int = 3) -> Path:
    """``n`` papers as JSON Lines; paper ``i`` alone contains ``unique_word(tag, i)``."""
    rows = []
    for i in range(n):
        body = " ".join(
            f"Sentence {j} of this study reports result {i * 7 + j} on benchmark {j % 5}."
            for j in range(sentences)
        )
        rows.append(
            {
                "title": f"{tag.upper()} Study {i}: Robust Storage of Paper Number {i}",
                "abstract": f"We introduce {unique_word(tag, i)}, a method for topic {i % 9}. {body}",
                "date": f"2026-03-{i % 28 + 1:02d}",
                "categories": [CATEGORY],
                "authors": [f"Author {i % 4}"],
            }
        )
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def expected_chunks(path: Path) -> dict[str, set[str]]:
    """{paper id: its chunk ids} for every paper of a file (in a store that had none of them)."""
    return {p.paper_id: {c.chunk_id for c in chunk_paper(p)} for p in read_papers(path)}


def unfinished_write(home: Path, chroma_url: str | None, collection: str) -> bool:
    """Did the last writer leave its mark (a write it never finished)? Read with a bare Chroma
    client, before any Assistant opens (and so repairs) the store."""
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    if chroma_url:
        host, port = chroma_url.rsplit(":", 1)
        client = chromadb.HttpClient(host=host.split("//")[1], port=int(port), settings=settings)
    else:
        client = chromadb.PersistentClient(path=str(home / "chroma"), settings=settings)
    try:
        meta = client.get_collection(f"{collection}-catalog").metadata or {}
    except Exception:  # killed before the store was created
        return False
    return "writer" in meta


def store_contents(assistant: Any) -> tuple[dict[str, dict[str, Any]], dict[str, set[str]]]:
    """({paper id: catalog metadata}, {paper id: its chunk ids}) as stored now."""
    store = assistant.store
    catalog = store.catalog.get(include=["metadatas"])
    papers = dict(zip(catalog["ids"], catalog["metadatas"]))
    chunks = store.chunks.get(include=["metadatas"])
    by_paper: dict[str, set[str]] = defaultdict(set)
    for cid, meta in zip(chunks["ids"], chunks["metadatas"]):
        by_paper[str(meta["paper_id"])].add(cid)
    return papers, dict(by_paper)


def check_consistent(assistant: Any) -> tuple[set[str], int]:
    """What must hold at any moment, even right after a kill, once the next process opened the
    store: every listed paper has all its chunks, every chunk its paper, and keyword search sees
    exactly the stored chunks. Returns (paper ids, generation)."""
    store = assistant.store
    generation = store.generation()  # the next process's first read: repairs a dead writer's mark
    papers, chunks = store_contents(assistant)
    for pid, meta in papers.items():
        want = {f"{pid}:{i}" for i in range(int(meta["chunks"]))}
        assert chunks.get(pid) == want, f"paper {meta['title']!r} has chunks {chunks.get(pid)}"
    orphans = set(chunks) - set(papers)
    assert not orphans, f"chunks of {len(orphans)} papers without a catalog record"
    index = assistant.retriever.lexical_index()
    assert set(index.chunk_id_array.tolist()) == {c for ids in chunks.values() for c in ids}
    return set(papers), generation


def check_searchable(assistant: Any, source: Path, tag: str, sample: list[int]) -> None:
    """Stored papers among ``sample`` of ``source`` are found by keyword search (BM25: their own
    word ranks them first) with a source filter and with a category filter, and by dense search
    (their first chunk's text finds it first)."""
    papers = read_papers(source)
    ids = {r.paper_id for r in assistant.store.papers()}
    for i in sample:
        paper = papers[i]
        if paper.paper_id not in ids:
            continue
        for filters in (Filters.of(source=str(source)), Filters.of(category=CATEGORY)):
            hits = assistant.retriever.retrieve(unique_word(tag, i), k=3, filters=filters)
            found = [h for h in hits if h.paper_id == paper.paper_id]
            assert found and found[0].lexical_rank == 1, (paper.title, filters, hits)
        dense = assistant.store.dense_search(chunk_paper(paper)[0].text, 1)
        assert dense[0].paper_id == paper.paper_id, f"dense search misses {paper.title!r}"


def check_complete(assistant: Any, files: list[Path], absent: list[Path] = ()) -> None:  # type: ignore[assignment]
    """After the command completed: exactly the papers of ``files``, each with exactly its
    chunks, and none of ``absent``."""
    want: dict[str, set[str]] = {}
    for f in files:
        want.update(expected_chunks(f))
    papers, chunks = store_contents(assistant)
    assert set(papers) == set(want), (
        f"{len(set(want) - set(papers))} papers missing, {len(set(papers) - set(want))} extra"
    )
    assert chunks == want
    for f in absent:
        assert not set(expected_chunks(f)) & set(papers)
    assert assistant.retriever.lexical_index().num_docs == sum(len(c) for c in want.values())
