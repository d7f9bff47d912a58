"""Paper identity: distinct titles stay distinct, one paper from two sources is one paper, and a
store written before identities (ids from the old title fold) keeps working."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from assistant import Assistant
from vectorstore.chunking import chunk_paper
from vectorstore.filters import META_VERSION
from vectorstore.identity import arxiv_id, doi, identity, identity_title
from vectorstore.papers import Paper, normalize_title
from vectorstore.readers import read_papers

LORA = "LoRA: Low-Rank Adaptation of Large Language Models"
QLORA = "QLoRA: Efficient Finetuning of Quantized LLMs"
ABSTRACT = "We study {topic}. The method is simple and improves results on three benchmarks."


def test_identifiers_are_normalised() -> None:
    for text in ("2106.09685", "arXiv:2106.09685v2", "https://arxiv.org/abs/2106.09685v3"):
        assert arxiv_id(text) == "2106.09685"
    assert arxiv_id("https://arxiv.org/pdf/2106.09685.pdf") == "2106.09685"
    assert arxiv_id("hep-th/9901001v1") == "hep-th/9901001"
    assert arxiv_id("10.48550/arXiv.2106.09685") == "2106.09685"
    assert arxiv_id("paper-17") is None and arxiv_id("10.1145/3442188") is None
    assert doi("https://doi.org/10.1145/3442188.3445922") == "10.1145/3442188.3445922"
    assert doi("DOI:10.1145/ABC") == "10.1145/abc"
    assert doi("2106.09685") is None
    # arXiv's own DOI is the arXiv id again, not a second identifier
    assert identity("T", doi_text="10.48550/arXiv.2106.09685") == identity("T", "2106.09685")


def test_title_key_keeps_what_tells_papers_apart() -> None:
    distinct = [
        "C++ for Machine Learning",
        "C# for Machine Learning",
        "C for Machine Learning",
        "Re: BERT",
        "[Re] BERT",
        "🦙",
        "🦙🦙",
        "🔥",
        "हिंदी पाठ",
        "हिंद पाठ",
    ]
    assert len({identity_title(t) for t in distinct}) == len(distinct)
    # ... which the citation fold does not (and need not) keep
    assert normalize_title("C++ for Machine Learning") == normalize_title("C# for Machine Learning")
    same = [
        "Attention Is All You Need",
        "attention is all you need.",
        "Attention  Is All You Need",
        "{Attention} Is All You Need",
        "Attention Is All You Need",  # NBSP
    ]
    assert len({identity_title(t) for t in same}) == 1
    assert identity_title("Naïve Bayes – Revisited") == identity_title("Naive Bayes - Revisited")
    assert identity_title("BERT : Pre-training") == identity_title("BERT: Pre-training")


def test_strongest_shared_identifier_decides() -> None:
    a = identity(QLORA, "arxiv:2305.14314")
    assert a.same_paper(identity(QLORA + "."))  # no id on one side: the title decides
    assert a.same_paper(identity("QLoRA (NeurIPS version)", "2305.14314"))  # the id decides
    assert not a.same_paper(identity(QLORA, "arxiv:2305.99999"))  # ids differ: two papers
    assert identity("X", doi_text="10.1145/a").same_paper(identity("Y", doi_text="10.1145/A"))


def test_distinct_titles_are_distinct_papers(empty_home: Path) -> None:
    titles = ["C++ for Machine Learning", "C# for Machine Learning", "Re: BERT", "[Re] BERT"]
    titles += ["🦙", "🦙🦙", "🔥"]
    a = Assistant(home=empty_home, llm="extractive", auto_ingest=False)
    report = a.store.ingest(
        [Paper(t, ABSTRACT.format(topic=f"subject {i}")) for i, t in enumerate(titles)]
    )
    assert (report.added, report.duplicates) == (len(titles), 0)
    assert sorted(r.title for r in a.store.papers()) == sorted(titles)


def write_sources(folder: Path) -> tuple[Path, Path]:
    """LoRA and QLoRA in a .bib (LoRA by title alone, QLoRA with its eprint) and in an arXiv
    snapshot, with other abstracts, as two sources tell the same papers."""
    bib = folder / "mine.bib"
    bib.write_text(
        "@article{hu2021lora,\n"
        "  title = {{LoRA}: Low-Rank Adaptation of Large Language Models},\n"
        "  author = {Hu, Edward and Shen, Yelong},\n"
        "  year = {2021},\n"
        "  abstract = {We freeze the pretrained weights and inject trainable rank decomposition"
        " matrices into each layer.}\n"
        "}\n\n"
        "@article{dettmers2023qlora,\n"
        "  title = {{QLoRA}: Efficient Finetuning of Quantized {LLMs}},\n"
        "  author = {Dettmers, Tim},\n"
        "  eprint = {2305.14314},\n"
        "  archivePrefix = {arXiv},\n"
        "  year = {2023},\n"
        "  abstract = {We finetune a quantized 4-bit model with low-rank adapters.}\n"
        "}\n",
        encoding="utf-8",
    )
    snapshot = folder / "arxiv-snapshot.json"
    rows = [
        {
            "id": "2106.09685",
            "title": LORA,
            "abstract": "  An important paradigm of natural language processing consists of\n"
            "large-scale pre-training and adaptation with low-rank matrices.",
            "categories": "cs.CL cs.LG",
            "update_date": "2021-10-18",
            "authors": "Edward J. Hu, Yelong Shen",
        },
        {
            "id": "2305.14314",
            "title": "QLoRA: Efficient Finetuning of Quantized LLMs",
            "abstract": "We present QLoRA, an efficient finetuning approach that reduces memory.",
            "categories": "cs.LG",
            "update_date": "2023-05-23",
            "authors": "Tim Dettmers",
        },
    ]
    snapshot.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return bib, snapshot


@pytest.mark.parametrize("order", ["bib-first", "arxiv-first"])
def test_one_paper_from_two_sources_is_one_paper(
    empty_home: Path, tmp_path: Path, order: str
) -> None:
    bib, snapshot = write_sources(tmp_path)
    assert {p.title for p in read_papers(bib)} == {LORA, QLORA}
    a = Assistant(home=empty_home, llm="extractive", auto_ingest=False)
    first, second = (bib, snapshot) if order == "bib-first" else (snapshot, bib)
    assert a.ingest([first]).added == 2
    report = a.ingest([second])
    assert (report.added, report.updated) == (0, 2)  # the later source's text replaces
    records = a.store.papers()
    assert sorted(r.title for r in records) == sorted([LORA, QLORA])
    assert all(r.source == str(second) for r in records)
    qlora = next(r for r in records if r.title == QLORA)
    assert "2305.14314" in (qlora.external_id or "")  # the id either source gave is kept
    ids = {r.paper_id for r in records}
    assert {m["paper_id"] for m in a.store.chunks.get(include=["metadatas"])["metadatas"]} == ids
    hits = a.retrieve("quantized finetuning with low-rank adapters", k=5)
    assert [h.title for h in hits].count(QLORA) == 1
    # both files at once, as one command: still two papers, the second copies are duplicates
    again = Assistant(home=tmp_path / "both", llm="extractive", auto_ingest=False)
    both = again.ingest([bib, snapshot])
    assert (both.added, both.duplicates) == (2, 2)


def _legacy_id(paper: Paper) -> str:
    """The id the store gave papers before identities: the old title fold, or the source's id."""
    key = f"id:{paper.external_id}" if paper.external_id else normalize_title(paper.title)
    return hashlib.sha256(f"{key}\x1f".encode()).hexdigest()[:16]


def write_old_store(a: Assistant, papers: list[Paper]) -> list[str]:
    """Write papers as the store did before identities: legacy ids, no identity keys or chunk
    counts in the catalog. Papers whose legacy ids collide overwrite each other, as then."""
    store = a.store
    ids = []
    for paper in papers:
        pid = _legacy_id(paper)
        chunks = chunk_paper(paper)
        store.chunks.upsert(
            ids=[f"{pid}:{c.index}" for c in chunks],
            embeddings=store.embedder([c.text for c in chunks]),
            metadatas=[
                {"paper_id": pid, "title": c.title, "chunk_index": c.index, "body": c.body}
                for c in chunks
            ],
        )
        meta = {
            "title": paper.title,
            "abstract": paper.abstract,
            "source": paper.source,
            "added": "2026-01-01T00:00:00+00:00",
            "content_hash": paper.content_hash,
            "meta_version": META_VERSION,
        }
        if paper.external_id:
            meta["external_id"] = paper.external_id
        store.catalog.upsert(ids=[pid], embeddings=[[0.0]], metadatas=[meta])
        ids.append(pid)
    return ids


def test_a_store_written_before_identities_keeps_its_papers(
    empty_home: Path, tmp_path: Path
) -> None:
    """Re-ingesting the same file finds every paper under its old id (nothing duplicated);
    the title the old fold had collapsed into another becomes a paper of its own; a paper the
    old store held twice (by title and by arXiv id) becomes one."""
    source = tmp_path / "mine.jsonl"
    rows = [
        {
            "title": "Sea Ice Forecasting with Transformers",
            "abstract": ABSTRACT.format(topic="ice"),
        },
        {"title": "C++ for Machine Learning", "abstract": ABSTRACT.format(topic="templates")},
        {"title": "C# for Machine Learning", "abstract": ABSTRACT.format(topic="dotnet")},
        {"title": QLORA, "abstract": ABSTRACT.format(topic="4-bit"), "id": "arxiv:2305.14314"},
    ]
    source.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    papers = read_papers(source)
    a = Assistant(home=empty_home, llm="extractive", auto_ingest=False)
    old = write_old_store(a, papers)
    # the old store also held QLoRA a second time, read by title from a .bib
    (twin,) = write_old_store(a, [Paper(QLORA, ABSTRACT.format(topic="bib"), source="x.bib")])
    assert a.store.count_papers() == 4  # C++ and C# shared one id
    assert old[1] == old[2]

    report = a.ingest([source])
    assert (report.added, report.unchanged) == (1, 3)  # C++ (or C#) is new; nothing duplicated
    records = {r.title: r.paper_id for r in a.store.papers()}
    assert sorted(records) == sorted(r["title"] for r in rows)
    assert records["Sea Ice Forecasting with Transformers"] == old[0]
    assert records[QLORA] == old[3] and twin not in records.values()
    assert not a.store.chunks.get(where={"paper_id": twin})["ids"]
    assert a.ingest([source]).unchanged == 4  # and stays so


def test_two_records_of_one_stored_paper_in_one_run(empty_home: Path) -> None:
    """Each shares a different identifier with the stored paper (not one with the other)."""
    a = Assistant(home=empty_home, llm="extractive", auto_ingest=False)
    stored = Paper(
        "Graph Kernels Revisited",
        ABSTRACT.format(topic="graph kernels"),
        external_id="arxiv:2401.01234",
        doi="10.1234/gk.2024",
    )
    a.store.ingest([stored])
    by_doi = Paper("Graph Kernels, Revisited (journal)", "Journal text.", doi="10.1234/GK.2024")
    by_arxiv = Paper("Graph kernels revisited v2", "Preprint text.", external_id="2401.01234v2")
    report = a.store.ingest([by_doi, by_arxiv])
    assert (report.updated, report.duplicates) == (1, 1)
    (record,) = a.store.papers()
    assert record.paper_id == stored.paper_id and record.abstract == "Journal text."
