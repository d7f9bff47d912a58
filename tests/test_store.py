"""The Chroma store: idempotent ingest, replacement of edited papers, resumable ingest, persistence."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from assistant import Assistant
from vectorstore.chunking import chunk_paper
from vectorstore.papers import Paper
from vectorstore.readers import ReaderError

ABSTRACT = "We propose Zorblax, a method for {topic} that improves accuracy by {n} points on three benchmarks."


def digest(path: Path, papers: list[tuple[str, str]]) -> Path:
    path.write_text("\n".join(f"{t}\n{a}" for t, a in papers) + "\n", encoding="utf-8")
    return path


def test_reingesting_the_same_file_adds_nothing(fresh_home: Path) -> None:
    a = Assistant(home=fresh_home, llm="extractive")
    papers, chunks = a.store.count_papers(), a.store.count_chunks()
    generation = a.store.generation()
    from assistant.resources import bundled_digest

    report = a.ingest([bundled_digest()])
    assert (report.added, report.updated, report.unchanged) == (0, 0, 119)
    assert (a.store.count_papers(), a.store.count_chunks()) == (papers, chunks) == (119, chunks)
    assert a.store.generation() == generation  # nothing changed, caches stay valid


def test_edited_abstract_replaces_old_chunks(empty_home: Path, tmp_path: Path) -> None:
    a = Assistant(home=empty_home, llm="extractive", auto_ingest=False)
    f = digest(
        tmp_path / "mine.txt",
        [
            ("Zorblax Networks", ABSTRACT.format(topic="protein folding", n=7)),
            ("Other Paper", ABSTRACT.format(topic="weather forecasting", n=2)),
        ],
    )
    a.ingest([f])
    assert a.store.count_papers() == 2
    digest(
        f,
        [
            ("Zorblax Networks", ABSTRACT.format(topic="galaxy classification", n=9)),
            ("Other Paper", ABSTRACT.format(topic="weather forecasting", n=2)),
        ],
    )
    report = a.ingest([f])
    assert (report.added, report.updated, report.unchanged) == (0, 1, 1)
    assert a.store.count_papers() == 2
    docs = a.store.all_chunks()[2]
    assert not any("protein folding" in d for d in docs)
    assert any("galaxy classification" in d for d in docs)
    top = a.retrieve("galaxy classification method", k=1)[0]
    assert top.title == "Zorblax Networks" and "9 points" in top.paper.abstract


def test_malformed_file_adds_nothing(empty_home: Path, tmp_path: Path) -> None:
    a = Assistant(home=empty_home, llm="extractive", auto_ingest=False)
    good = digest(tmp_path / "good.txt", [("Fine Paper", ABSTRACT.format(topic="x", n=1))])
    bad = tmp_path / "bad.txt"
    bad.write_text(f"Paper A\n{ABSTRACT.format(topic='y', n=2)}\nPaper B\n")
    with pytest.raises(ReaderError, match=r"bad\.txt:3"):
        a.ingest([good, bad], strict=True)  # leniently, the bad record is reported and skipped
    assert a.store.count_papers() == 0


def test_interrupted_ingest_completes_on_rerun_without_duplicates(
    empty_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.resources import bundled_digest

    a = Assistant(home=empty_home, llm="extractive", auto_ingest=False)
    a.store.batch_papers = 32  # the digest in four batches

    def crash_after_first_batch(done: int, total: int) -> None:
        if done > 0:
            raise KeyboardInterrupt

    a.on_progress = crash_after_first_batch
    with pytest.raises(KeyboardInterrupt):
        a.ingest([bundled_digest()])
    partial = a.store.count_papers()
    assert 0 < partial < 119
    a.on_progress = None
    report = a.ingest([bundled_digest()])
    assert report.added == 119 - partial and report.unchanged == partial
    ids = a.store.chunks.get(include=[])["ids"]
    assert a.store.count_papers() == 119 and len(ids) == len(set(ids))
    per_paper = {i.split(":")[0] for i in ids}
    assert len(per_paper) == 119


def test_store_reopens_in_a_new_process(built_home: Path) -> None:
    code = textwrap.dedent(
        f"""
        import json
        from assistant import Assistant
        a = Assistant(home={str(built_home)!r}, llm="extractive", auto_ingest=False)
        hits = a.retrieve("rendering radiance fields in real time with gaussians", k=3)
        print(json.dumps([a.store.count_papers(), hits[0].title]))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    count, title = json.loads(out.stdout.strip().splitlines()[-1])
    assert count == 119
    assert title == "3D Gaussian Splatting for Real-Time Radiance Field Rendering"


def test_concurrent_writer_waits_for_the_lock_and_readers_keep_working(
    fresh_home: Path, tmp_path: Path
) -> None:
    """A second process ingesting while this one holds the write lock waits, says so, then finishes."""
    from vectorstore.locking import write_lock

    a = Assistant(home=fresh_home, llm="extractive")
    f = digest(
        tmp_path / "new.txt", [("Zorblax Networks", ABSTRACT.format(topic="protein folding", n=7))]
    )
    with write_lock(a.settings.lock_path):
        proc = subprocess.Popen(
            [sys.executable, "-m", "assistant.cli", "--home", str(fresh_home), "ingest", str(f)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        # Reads in this process keep working while the other process waits to write.
        assert a.ask("What is CrossSplit?").citations
        import time

        time.sleep(3)
        assert proc.poll() is None  # still waiting for the lock
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "waiting" in err.lower()
    assert "1 added" in out
    assert a.store.count_papers() == 120
    # This long-lived process sees the other process's paper in both dense and BM25 retrieval.
    top = a.retrieve("Zorblax method for protein folding", k=3)[0]
    assert top.title == "Zorblax Networks"
    assert top.dense_rank == 1 and top.lexical_rank == 1


def test_paper_record_round_trip(empty_home: Path) -> None:
    a = Assistant(home=empty_home, llm="extractive", auto_ingest=False)
    p = Paper(
        title="Meta Paper",
        abstract=ABSTRACT.format(topic="metadata", n=3),
        url="https://example.org/p",
        authors=("Ada Lovelace", "Alan Turing"),
        date="2026-11-20",
        source="x.txt",
    )
    a.store.ingest([p])
    (rec,) = a.store.papers()
    assert (rec.title, rec.url, rec.authors, rec.date, rec.source) == (
        "Meta Paper",
        "https://example.org/p",
        ("Ada Lovelace", "Alan Turing"),
        "2026-11-20",
        "x.txt",
    )
    assert rec.added
    assert rec.abstract == p.abstract


def test_store_written_before_the_lean_layout_still_reads(empty_home: Path) -> None:
    """Older stores keep the abstract as the catalog document, and each chunk's text (title
    line, then body) as its document, with filter fields on chunks."""
    a = Assistant(home=empty_home, llm="extractive", auto_ingest=False)
    p = Paper(title="Old Layout", abstract=ABSTRACT.format(topic="sea ice", n=4), date="2020-01-02")
    a.store.ingest([p])
    (old,) = a.store.catalog.get(ids=[p.paper_id], include=["metadatas"])["metadatas"]
    old = {k: v for k, v in old.items() if k != "abstract"}
    a.store.catalog.delete(ids=[p.paper_id])
    a.store.catalog.add(
        ids=[p.paper_id], documents=[p.abstract], embeddings=[[0.0]], metadatas=[old]
    )
    lean = a.store.chunks.get(include=["embeddings", "metadatas"])
    a.store.chunks.delete(ids=lean["ids"])
    a.store.chunks.add(
        ids=lean["ids"],
        embeddings=lean["embeddings"],
        documents=[f"{m['title']}\n{m['body']}" for m in lean["metadatas"]],
        metadatas=[
            {k: v for k, v in m.items() if k != "body"} | {"day": 20200102}
            for m in lean["metadatas"]
        ],
    )
    (rec,) = a.store.papers()
    assert (rec.title, rec.abstract, rec.date) == ("Old Layout", p.abstract, "2020-01-02")
    assert a.store.ingest([p]).unchanged == 1  # recognised as stored, not rewritten
    (hit,) = a.retrieve("sea ice", since="2019-12-31")
    assert hit.title == "Old Layout" and hit.evidence in p.abstract and "sea ice" in hit.evidence
    assert a.store.all_chunks()[2] == [c.text for c in chunk_paper(p)]


def test_chunk_left_by_an_interrupted_older_ingest_is_rewritten(empty_home: Path) -> None:
    """Chroma's upsert keeps a document it is not given: a chunk of the older layout (text as
    document), left by a killed ingest, must not feed its stale text to the keyword index."""
    a = Assistant(home=empty_home, llm="extractive", auto_ingest=False)
    p = Paper(title="Fresh Text", abstract=ABSTRACT.format(topic="glacier melt", n=3))
    (first,) = chunk_paper(p)
    a.store.chunks.add(
        ids=[first.chunk_id],
        embeddings=[[0.05] * 384],
        documents=["Stale Title\nzeppelin pasta recipes"],
        metadatas=[{"paper_id": p.paper_id, "title": "Stale Title", "chunk_index": 0}],
    )
    assert a.store.ingest([p]).added == 1
    assert a.store.all_chunks()[2] == [c.text for c in chunk_paper(p)]
    assert a.retrieve("zeppelin pasta recipes", k=1)[0].evidence == first.body


def test_ingest_and_remove_leave_the_next_keyword_index_built(
    fresh_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The BM25 index and filter table of the new store state are built by the ingest (or
    removal), not by the next question: another process (a running Slack bot, the next `ask`)
    just loads them."""
    a = Assistant(home=fresh_home, llm="extractive")
    folder = a.retriever.lexical.folder
    f = digest(
        tmp_path / "new.txt",
        [("Zorblax Protein Folding", ABSTRACT.format(topic="protein folding", n=4))],
    )

    def built() -> list[str]:
        return sorted(p.name for p in folder.glob("gen-*"))

    def filter_tables() -> list[str]:
        return sorted(p.name for p in folder.glob("filters-*"))

    a.ingest([f])
    expected = f"gen-{a.store.chunks.id}-{a.store.generation()}-"
    assert len(built()) == 1 and built()[0].startswith(expected)
    assert len(filter_tables()) == 1 and filter_tables()[0].startswith(f"filters-{expected[4:]}")
    other = Assistant(home=fresh_home, llm="extractive")  # a second front end, own retriever
    monkeypatch.setattr(
        other.store, "catalog_metadata", lambda: pytest.fail("the filter table was rebuilt")
    )
    assert [r.title for r in other.retrieve("zorblax", k=1, since="2000")] == [
        "Zorblax Protein Folding"
    ]
    monkeypatch.undo()
    index = other.retriever.lexical.get(
        f"{other.store.chunks.id}-{other.store.generation()}",
        lambda: pytest.fail("the index was rebuilt instead of loaded"),  # type: ignore[arg-type,return-value]
    )
    assert "Zorblax Protein Folding" in [r.title for r in other.retrieve("zorblax", k=1)]
    assert index.num_docs == other.store.count_chunks()

    pid = other.retrieve("zorblax", k=1)[0].paper_id
    assert a.remove([pid]) == 1
    assert built()[0].startswith(f"gen-{a.store.chunks.id}-{a.store.generation()}-")
    assert filter_tables()[0].startswith(f"filters-{a.store.chunks.id}-{a.store.generation()}-")
    assert len(filter_tables()) == 1


def test_rerun_after_a_crash_with_changed_text_leaves_no_stale_chunks(
    empty_home: Path, tmp_path: Path
) -> None:
    """A kill between a paper's chunks and its catalog record, then the paper shortened: the
    re-run must not keep the chunks of the longer text beyond the new ones."""
    a = Assistant(home=empty_home, llm="extractive", auto_ingest=False)
    long_text = " ".join(ABSTRACT.format(topic=f"topic {i} " * 12, n=i) for i in range(12))
    long_paper = Paper(title="Zorblax Long Paper", abstract=long_text)
    chunks = chunk_paper(long_paper)
    a.store.chunks.upsert(  # what the killed ingest had written
        ids=[c.chunk_id for c in chunks],
        embeddings=a.store.embedder([c.text for c in chunks]),
        metadatas=[
            {"paper_id": c.paper_id, "title": c.title, "chunk_index": c.index, "body": c.body}
            for c in chunks
        ],
    )
    assert len(chunks) > 2 and a.store.count_papers() == 0  # chunks written, paper not complete

    f = digest(tmp_path / "mine.txt", [("Zorblax Long Paper", ABSTRACT.format(topic="short", n=1))])
    report = a.ingest([f])
    assert report.added == 1 and a.store.count_papers() == 1
    pid = a.store.papers()[0].paper_id
    assert pid == long_paper.paper_id
    assert sorted(a.store.chunks.get(include=[])["ids"]) == [f"{pid}:0"]
