"""JSON Lines / JSON / CSV / BibTeX / arXiv readers: fields, clean text, bad records with file:line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vectorstore.readers import (
    ReaderError,
    ReaderWarning,
    ReadOptions,
    detect_format,
    iter_papers,
    parse_field_map,
    read_papers,
)

ABSTRACT = "We propose a method that improves accuracy by seven points on three benchmarks."


def lines(path: Path, *rows: object) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    return path


def test_jsonl_fields_and_bad_records_are_skipped_with_file_and_line(tmp_path: Path) -> None:
    f = lines(
        tmp_path / "papers.jsonl",
        {
            "title": "  First\n Paper ",
            "abstract": ABSTRACT,
            "authors": "A. Smith; B. Jones",
            "date": "2026-11-20T10:00:00Z",
            "categories": "cs.CL cs.LG",
            "id": "x1",
            "url": "https://e.org/1",
        },
        "",
        "{not json",
        {"title": "No Abstract"},
        ["a", "list"],
        {"title": "Second Paper", "abstract": ABSTRACT, "date": "not a date"},
        {"title": "Third Paper", "abstract": ABSTRACT},
    )
    options = ReadOptions()
    papers = list(iter_papers(f, options=options))
    # an unreadable date is an optional field: the paper is kept without it, with a warning
    assert [p.title for p in papers] == ["First Paper", "Second Paper", "Third Paper"]
    assert papers[1].date is None
    first = papers[0]
    assert (first.authors, first.categories, first.date) == (
        ("A. Smith", "B. Jones"),
        ("cs.CL", "cs.LG"),
        "2026-11-20",
    )
    assert (first.external_id, first.url, first.line) == ("x1", "https://e.org/1", 1)
    assert (options.skipped, options.warnings) == (3, 1)
    assert [(Path(e.path).name, e.line) for e in options.problems] == [
        ("papers.jsonl", 3),
        ("papers.jsonl", 4),
        ("papers.jsonl", 5),
        ("papers.jsonl", 6),
    ]
    assert "invalid JSON" in str(options.problems[0]) and "no 'abstract'" in str(
        options.problems[1]
    )
    assert "--field abstract=NAME" in str(options.problems[1])
    assert isinstance(options.problems[3], ReaderWarning)
    assert "unreadable date 'not a date' (kept the paper without its date)" in str(
        options.problems[3]
    )


def test_strict_makes_the_first_bad_record_fatal(tmp_path: Path) -> None:
    f = lines(tmp_path / "p.jsonl", {"title": "Fine", "abstract": ABSTRACT}, "{oops")
    with pytest.raises(ReaderError, match=r"p\.jsonl:2: invalid JSON"):
        list(iter_papers(f, options=ReadOptions(strict=True)))


def test_readers_stream_instead_of_reading_the_whole_file(tmp_path: Path) -> None:
    # the bad record at the end is not reached when only the first paper is taken
    f = lines(
        tmp_path / "p.jsonl", *[{"title": f"T{i}", "abstract": ABSTRACT} for i in range(3)], "{oops"
    )
    papers = iter_papers(f, options=ReadOptions(strict=True))
    assert next(papers).title == "T0"


def test_json_array_is_decoded_element_by_element(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import vectorstore.readers.jsonl as jsonl

    monkeypatch.setattr(jsonl, "_BLOCK", 64)  # elements straddle many blocks
    records = [{"title": f"Paper {i}", "abstract": ABSTRACT + f" Variant {i}."} for i in range(5)]
    records.insert(2, {"title": "broken"})
    f = tmp_path / "export.json"
    f.write_text(json.dumps(records, indent=2))
    options = ReadOptions()
    papers = list(iter_papers(f, options=options))
    assert [p.title for p in papers] == [f"Paper {i}" for i in range(5)]
    assert options.skipped == 1
    assert options.problems[0].line == 1 + 4 * 2 + 1  # "[", two 4-line objects, then it


def test_json_syntax_error_names_its_line_and_column_and_the_next_element_is_read(
    tmp_path: Path,
) -> None:
    f = tmp_path / "bad.json"
    f.write_text(
        '[\n {"title": "A", "abstract": "x y z"},\n {"title": oops},\n'
        ' {"title": "B", "abstract": "tab\there"},\n {"title": "C", "abstract": "c"}\n]'
    )
    options = ReadOptions()
    assert [p.title for p in iter_papers(f, options=options)] == ["A", "C"]
    assert [str(e).split("bad.json:")[1] for e in options.problems] == [
        "3: invalid JSON (Expecting value at column 12)",
        "4: invalid JSON (Invalid control character '\\t' at column 33)",
    ]
    with pytest.raises(ReaderError, match=r"bad\.json:3: invalid JSON"):
        list(iter_papers(f, options=ReadOptions(strict=True)))


def test_csv_with_mapped_columns_and_multiline_cells(tmp_path: Path) -> None:
    f = tmp_path / "zotero.csv"
    f.write_text(
        "Name,Summary,Year,Who\n"
        f'"Multi Line Paper","{ABSTRACT}\nIt continues here.",2024,"Ada Lovelace and Alan Turing"\n'
        "Short Row,only two\n"
        f'"Comma, In Title","{ABSTRACT}",2023-05,Grace Hopper\n'
    )
    fields = parse_field_map(["title=Name", "abstract=Summary", "date=Year", "authors=Who"])
    options = ReadOptions(fields=fields)
    papers = list(iter_papers(f, options=options))
    assert [p.title for p in papers] == ["Multi Line Paper", "Comma, In Title"]
    assert papers[0].abstract.endswith("benchmarks. It continues here.")
    assert (papers[0].date, papers[0].authors, papers[0].line) == (
        "2024",
        ("Ada Lovelace", "Alan Turing"),
        2,
    )
    assert (papers[1].date, papers[1].line) == ("2023-05", 5)
    assert [(e.line, "2 cells" in e.reason) for e in options.problems] == [(4, True)]


def test_csv_without_the_needed_columns_says_how_to_map_them(tmp_path: Path) -> None:
    f = tmp_path / "x.csv"
    f.write_text("name,summary\nA,B\n")
    with pytest.raises(
        ReaderError, match=r"x\.csv:1: no column named 'title' or 'abstract'.*--field"
    ):
        list(iter_papers(f))
    with pytest.raises(ValueError, match="unknown field 'titel'"):
        parse_field_map(["titel=name"])


BIB = r"""
% exported by Zotero
@article{smith2024,
  title = {Caf{\'e} Networks for {LoRA} Tuning},
  author = {Smith, John and M{\"u}ller, Anna and others},
  year = 2024, month = mar,
  abstract = {We study caf\'e networks \& adapters.
              Results show 3\% gains.},
  doi = {10.1000/XYZ},
  keywords = {adapters, fine-tuning}
}

@book{nobody, title={A Book Without Abstract}, year={1999}}
@string{jml = "Journal of ML"}
@misc{arx, title = "Quoted " # "Title", abstract = "An {abstract} in quotes.",
  eprint = {2401.00001}, archivePrefix = {arXiv}}
@article{broken, title = {Unclosed
"""


def test_bibtex_entries_with_abstracts_become_papers_others_are_counted(tmp_path: Path) -> None:
    f = tmp_path / "library.bib"
    f.write_text(BIB)
    assert detect_format(f) == "bibtex"
    options = ReadOptions()
    papers = list(iter_papers(f, options=options))
    assert [p.title for p in papers] == ["Café Networks for LoRA Tuning", "Quoted Title"]
    cafe = papers[0]
    assert cafe.abstract == "We study café networks & adapters. Results show 3% gains."
    assert cafe.authors == ("John Smith", "Anna Müller")
    assert (cafe.date, cafe.url, cafe.external_id) == (
        "2024-03",
        "https://doi.org/10.1000/xyz",
        "doi:10.1000/xyz",
    )
    assert cafe.doi == "10.1000/xyz"
    assert cafe.original is not None and cafe.original.startswith("@article{smith2024,")
    assert cafe.original.endswith("keywords = {adapters, fine-tuning}\n}")
    assert cafe.categories == ("adapters", "fine-tuning")
    assert (cafe.line, papers[1].line) == (3, 15)
    assert papers[1].external_id == "arxiv:2401.00001"
    assert options.skipped == 2  # the book without abstract, the unclosed entry
    assert {e.line for e in options.problems} == {13, 17}


ARXIV = [
    {
        "id": "0704.0001",
        "submitter": "Pavel Nadolsky",
        "authors": "C. Bal\\'azs, E. L. Berger, P. M. Nadolsky, C.-P. Yuan",
        "title": "Calculation of prompt diphoton production cross sections at Tevatron and\n  LHC energies",
        "comments": "37 pages",
        "categories": "hep-ph",
        "abstract": "  A fully differential calculation in perturbative quantum chromodynamics is\npresented for the production of massive photon pairs.\\\\ It continues.\n",
        "update_date": "2008-11-13",
        "authors_parsed": [["Balázs", "C.", ""], ["Berger", "E. L.", ""]],
    },
    {"id": "0704.0002", "title": "No abstract", "abstract": "", "update_date": "2008-01-01"},
]


def test_arxiv_snapshot_is_sniffed_and_normalised(tmp_path: Path) -> None:
    f = lines(tmp_path / "arxiv-metadata-oai-snapshot.json", *ARXIV)
    assert detect_format(f) == "arxiv"
    options = ReadOptions()
    [paper] = list(iter_papers(f, options=options))
    assert (
        paper.title
        == "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    )
    assert paper.abstract.startswith(
        "A fully differential calculation in perturbative quantum chromodynamics is presented"
    )
    assert paper.abstract.endswith("photon pairs. It continues.")
    assert (paper.authors, paper.categories, paper.date) == (
        ("C. Balázs", "E. L. Berger"),
        ("hep-ph",),
        "2008-11-13",
    )
    assert (paper.external_id, paper.url) == ("arxiv:0704.0001", "https://arxiv.org/abs/0704.0001")
    assert options.skipped == 1 and options.problems[0].line == 2


def test_same_arxiv_id_is_the_same_paper_across_versions(tmp_path: Path) -> None:
    old = read_papers(lines(tmp_path / "a.jsonl", ARXIV[0]), "arxiv")[0]
    newer = read_papers(
        lines(tmp_path / "b.jsonl", dict(ARXIV[0], update_date="2009-01-01")), "arxiv"
    )[0]
    assert old.paper_id == newer.paper_id and old.content_hash != newer.content_hash


def test_undecodable_line_is_a_bad_record_with_its_line(tmp_path: Path) -> None:
    f = tmp_path / "p.jsonl"
    f.write_bytes(
        json.dumps({"title": "Good", "abstract": ABSTRACT}).encode()
        + b"\n"
        + b'{"title": "\xff"}\n'
    )
    options = ReadOptions()
    assert [p.title for p in iter_papers(f, options=options)] == ["Good"]
    assert options.problems[0].line == 2 and "UTF-8" in options.problems[0].reason
