"""Metadata filters: --since / --added-since / --source / --category / --author, on both retrieval sides."""

from __future__ import annotations

import json
import subprocess
import unicodedata
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from assistant import Assistant
from assistant.resources import bundled_digest
from tests.cli_process import run_cli
from vectorstore.filters import FilterIndex, Filters, parse_day
from vectorstore.store import PaperRecord

TODAY = date.today()
LONG_AGO = "2001-03-04"
GLACIER = "Glacier Melt Forecasting with Graph Networks"
ZEBRA = "Striped Attention for Zebrafish Tracking"
PAPERS = [
    {
        "title": GLACIER,
        "abstract": "Graph neural networks forecast glacier melt from sparse weather stations. "
        "The model beats physical baselines by twelve percent in the Alps.",
        "authors": ["Inês Duarte"],
        "date": LONG_AGO,
        "categories": ["physics.ao-ph"],
    },
    {
        "title": ZEBRA,
        "abstract": "We track zebrafish larvae and glacier fish in video with striped attention "
        "transformers. Identity switches drop by forty percent on three aquarium datasets.",
        "authors": ["Mia Okafor", "Lars Berg"],
        "date": (TODAY + timedelta(days=1)).isoformat(),
        "categories": ["cs.CV"],
    },
]


@pytest.fixture
def home(fresh_home: Path, tmp_path: Path) -> Path:
    """The bundled digest (undated: added today) plus two dated papers from a JSONL file."""
    f = tmp_path / "mine.jsonl"
    f.write_text("\n".join(json.dumps(p) for p in PAPERS) + "\n")
    Assistant(home=fresh_home, llm="extractive").ingest([f])
    return fresh_home


def test_parse_day_reads_user_dates() -> None:
    wednesday = date(2026, 11, 25)
    assert parse_day("2026-11-20", wednesday) == date(2026, 11, 20)
    assert parse_day("2026-11", wednesday) == date(2026, 11, 1)
    assert parse_day("monday", wednesday) == date(2026, 11, 23)
    assert parse_day("Wed", wednesday) == wednesday  # today counts as the latest Wednesday
    assert parse_day("yesterday", wednesday) == date(2026, 11, 24)
    assert parse_day("2w", wednesday) == date(2026, 11, 11)
    for bad in ("month", "2026-13-01", "soon"):
        with pytest.raises(ValueError, match="cannot read"):
            parse_day(bad, wednesday)


def test_since_excludes_old_papers_from_dense_and_bm25(home: Path) -> None:
    a = Assistant(home=home, llm="extractive")
    question = "glacier melt forecasting with graph networks"
    unfiltered = a.retrieve(question)
    assert unfiltered[0].title == GLACIER
    assert unfiltered[0].lexical_rank == 1 and unfiltered[0].dense_rank == 1

    # k=100, every candidate: the zebrafish paper mentions glaciers only in passing, so its dense
    # similarity is too low for a reliable approximate (HNSW) hit; BM25 must still return it.
    recent = a.retrieve(question, k=100, since=TODAY - timedelta(days=1))
    titles = [r.title for r in recent]
    assert GLACIER not in titles
    assert ZEBRA in titles  # "glacier" still matches it lexically; it is dated tomorrow
    assert next(r for r in recent if r.title == ZEBRA).lexical_rank == 1
    assert all(r.lexical_rank is None or r.lexical_rank >= 1 for r in recent)
    # every result really is dated (or, undated, added) on or after the day
    for r in recent:
        day = r.paper.date or (r.paper.added or "")[:10]
        assert day >= (TODAY - timedelta(days=1)).isoformat()


def _fold(text: str) -> str:
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    ).casefold()


def _keeps(paper: PaperRecord, **f: Any) -> bool:
    """The filters' documented meaning, read straight off a catalog record (the test's oracle)."""
    day = paper.date or (paper.added or "")[:10]
    names = [_fold(n) for n in paper.authors]
    return (
        ("since" not in f or day >= str(f["since"]))
        and ("added_since" not in f or (paper.added or "")[:10] >= f["added_since"].isoformat())
        and ("source" not in f or paper.source == f["source"])
        and (
            "category" not in f
            or any(
                c.casefold() == w.casefold() or c.casefold().startswith(w.casefold() + ".")
                for c in paper.categories
                for w in ([f["category"]] if isinstance(f["category"], str) else f["category"])
            )
        )
        and ("author" not in f or any(_fold(f["author"]) in (n, n.split()[-1]) for n in names))
    )


def test_filter_mask_selects_the_papers_the_records_say(home: Path, tmp_path: Path) -> None:
    """The mask both retrieval sides use keeps exactly the papers whose records match, whether
    the table was read from the catalog or loaded from the file the last ingest saved."""
    a = Assistant(home=home, llm="extractive")
    built = FilterIndex.from_catalog(a.store.catalog_metadata())
    built.save(tmp_path / "table.npz")
    index = FilterIndex.load(tmp_path / "table.npz")
    records = a.store.papers()
    assert sorted(index.row) == sorted(r.paper_id for r in records)
    for f in (
        {"since": LONG_AGO},
        {"since": TODAY.isoformat()},
        {"added_since": TODAY + timedelta(days=1)},
        {"category": "cs"},
        {"category": ["physics.ao-ph", "cs.CV"]},
        {"author": "ines duarte"},
        {"author": "Berg", "since": "2000"},
        {"source": str(home.parent / "mine.jsonl")},
    ):
        mask = index.paper_mask(Filters.of(**f))
        assert mask.tolist() == built.paper_mask(Filters.of(**f)).tolist()
        selected = {pid for pid, keep in zip(index.row, mask) if keep}
        expected = {r.paper_id for r in records if _keeps(r, **f)}
        assert selected == expected, f
        assert expected or f.get("added_since"), f  # each filter but one keeps some papers


def test_source_category_author_and_added_since(home: Path, tmp_path: Path) -> None:
    a = Assistant(home=home, llm="extractive")
    source = str(tmp_path / "mine.jsonl")
    mine = {r.title for r in a.retrieve("neural networks transformers", k=10, source=source)}
    assert mine == {GLACIER, ZEBRA}
    assert [r.title for r in a.retrieve("tracking video", category="cs.CV")] == [ZEBRA]
    assert [r.title for r in a.retrieve("forecasting", author="Duarte")] == [
        GLACIER
    ]  # accents folded
    assert a.retrieve("forecasting", added_since=TODAY + timedelta(days=1)) == []
    answer = a.ask("What forecasts glacier melt?", added_since=TODAY + timedelta(days=1))
    assert answer.abstained and not answer.citations
    # the defaults a front end sets apply to every question, a call's own filters override them
    a.filters = Filters.of(category="cs.CV")
    assert [r.title for r in a.retrieve("glacier melt")] == [ZEBRA]
    assert a.retrieve("glacier melt", category="physics")[0].title == GLACIER


def cli(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, home=home, stdin=stdin, ASSISTANT_LLM="extractive")


def test_cli_ask_flags_and_chat_since(home: Path) -> None:
    old_day = (TODAY - timedelta(days=3)).isoformat()
    done = cli(home, "ask", "glacier melt forecasting", "--since", old_day, "--json", "--no-log")
    assert done.returncode == 0, done.stderr
    retrieved = [r["title"] for r in json.loads(done.stdout)["retrieved"]]
    assert retrieved and GLACIER not in retrieved

    bad = cli(home, "ask", "glacier", "--since", "someday")
    assert bad.returncode == 2 and "cannot read 'someday' as a date" in bad.stderr
    assert "Traceback" not in bad.stderr

    chat = cli(
        home,
        "chat",
        "--no-log",
        "--category",
        "physics",
        stdin=f"/since {old_day}\nWhat forecasts glacier melt?\n/since off\nWhat forecasts glacier melt?\n",
    )
    assert chat.returncode == 1, chat.stderr  # a piped chat with a failed question exits 1
    first, second = chat.stdout.split("Since: off")
    assert f"Only papers since {old_day}" in first
    assert GLACIER not in first  # since + category leave nothing: said, not asked
    assert f"no paper matches --since {old_day} and --category physics together" in chat.stderr
    assert GLACIER in second


def test_filters_that_leave_no_paper_are_counted_and_explained(home: Path) -> None:
    """Decided from the filter table before answering, with the reason a user can act on."""
    from assistant.filter_messages import inline_spelling, no_match_message

    a = Assistant(home=home, llm="extractive")
    assert a.filter_coverage().matching == a.filter_coverage(since=LONG_AGO).matching == 121
    assert a.filter_coverage(category="cs").matching == 1
    cases = {
        ("category", "cs.CL"): "no paper matches --category cs.CL (119 papers have no category)",
        ("author", "Hinton"): "no paper matches --author Hinton (119 papers have no author)",
        ("since", "2099-01-01"): "no paper matches --since 2099-01-01 (the newest paper is "
        f"from {(TODAY + timedelta(days=1)).isoformat()})",
    }
    for (field, value), message in cases.items():
        coverage = a.filter_coverage(**{field: value})
        assert (coverage.papers, coverage.matching) == (121, 0)
        assert no_match_message(coverage) == message
    together = a.filter_coverage(category="cs.CV", author="Duarte")
    assert no_match_message(together, inline_spelling) == (
        "no paper matches category:cs.CV and author:Duarte together"
    )

    logged = len(json.loads(cli(home, "logs", "-n", "0", "--json").stdout))
    refused = cli(home, "--category", "cs.CL", "--since", "2099-01-01", "What is MIO?")
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.startswith(
        "Error: no paper matches --since 2099-01-01 (the newest paper is from"
    )
    assert "nor --category cs.CL (119 papers have no category)" in refused.stderr
    after = json.loads(cli(home, "logs", "-n", "0", "--json").stdout)
    assert len(after) == logged  # nothing was asked or logged


@pytest.mark.parametrize(
    "exact_max, post_filter_max",
    [(1000, 2000), (0, 10**6), (0, 0)],
    ids=["exact-cosine", "hnsw-over-fetch", "hnsw-among-ids"],
)
def test_each_filtered_dense_path_agrees_with_chroma_where(
    home: Path, monkeypatch: pytest.MonkeyPatch, exact_max: int, post_filter_max: int
) -> None:
    """Filters skip Chroma's ``where`` (slow at 100k): each faster path must rank the same papers."""
    import vectorstore.retrieval as retrieval

    monkeypatch.setattr(retrieval, "EXACT_MAX", exact_max)
    monkeypatch.setattr(retrieval, "POST_FILTER_MAX", post_filter_max)
    a = Assistant(home=home, llm="extractive")
    question = "transformers for video and language"
    for filters in (
        Filters.of(since=LONG_AGO),  # everything
        Filters.of(since=TODAY),  # the digest (added today) and the zebrafish paper
        Filters.of(source=str(bundled_digest())),
        Filters.of(category="cs.CV"),
    ):
        index = a.retriever.lexical_index()
        mask = a.retriever.chunk_mask(index, filters)
        ours = a.retriever.dense_search(question, 20, index, mask)
        kept = sorted({pid for pid, keep in zip(index.paper_ids, mask) if keep})
        # Chroma's own filter on the same papers
        chroma = a.store.dense_search(question, 20, where={"paper_id": {"$in": kept}})
        assert ours, filters.describe()
        assert [(h.chunk_id, h.body) for h in ours] == [(h.chunk_id, h.body) for h in chroma]
        assert [h.similarity for h in ours] == pytest.approx([h.similarity for h in chroma])
