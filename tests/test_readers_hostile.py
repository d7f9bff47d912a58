"""The hostile inputs of issue 14, one by one: each bad record is reported with its file and line
and the rest of the file is read; what one record may cost is bounded."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from vectorstore.papers import Paper
from vectorstore.readers import (
    ReaderError,
    ReaderWarning,
    ReadOptions,
    iter_papers,
    read_papers,
    reader_for,
)
from vectorstore.readers.limits import MAX_ABSTRACT_CHARS

ABSTRACT = "We propose a method that improves accuracy by seven points on three benchmarks."


def read(path: Path, strict: bool = False) -> tuple[list[Paper], ReadOptions]:
    options = ReadOptions(strict=strict)
    return list(iter_papers(path, options=options)), options


def test_poisoned_jsonl_records_are_skipped_and_the_other_298_papers_read(tmp_path: Path) -> None:
    lines = [json.dumps({"title": f"Paper {i}", "abstract": ABSTRACT}) for i in range(300)]
    lines[128] = '{"title": "Poison \\ud800 title", "abstract": "x y z"}'  # valid JSON
    lines[200] = '{"title": "Big", "abstract": "x", "n": ' + "7" * 5000 + "}"
    lines[250] = "[" * 100_000
    f = tmp_path / "p.jsonl"
    f.write_text("\n".join(lines) + "\n")
    papers, options = read(f)
    assert len(papers) == 297
    assert [(e.line, e.reason) for e in options.problems] == [
        (129, "'title' contains an unpaired surrogate (\\ud800): not valid Unicode text"),
        (201, "invalid JSON (a number with more than 4,300 digits)"),
        (251, "invalid JSON (nested more than 64 levels deep)"),
    ]
    with pytest.raises(ReaderError, match=r"p\.jsonl:129: 'title' contains an unpaired surrogate"):
        read(f, strict=True)


def test_a_deeply_nested_first_line_is_not_taken_for_an_arxiv_snapshot(tmp_path: Path) -> None:
    f = tmp_path / "p.json"
    f.write_text("{" * 50_000 + "\n" + json.dumps({"title": "T", "abstract": ABSTRACT}) + "\n")
    assert reader_for(f).name == "json"
    papers, options = read(f)
    assert [p.title for p in papers] == ["T"] and options.problems[0].line == 1


def test_values_of_the_wrong_type_are_reported_or_dropped_with_a_warning(tmp_path: Path) -> None:
    f = tmp_path / "p.jsonl"
    records = [
        {"title": 1984, "abstract": ABSTRACT},
        {"title": "List", "abstract": ["a", "b"]},
        {
            "title": "Kept",
            "abstract": ABSTRACT,
            "authors": [{"name": "Ada Lovelace"}, {"name": "Alan Turing"}],
            "date": {"year": 2024},
            "url": 12,
            "categories": ["cs.CL", 3],
        },
    ]
    f.write_text("".join(json.dumps(r) + "\n" for r in records))
    papers, options = read(f)
    [kept] = papers
    assert kept.authors == ("Ada Lovelace", "Alan Turing")
    assert (kept.date, kept.url, kept.categories) == (None, None, ())
    assert [(type(e).__name__, e.line, e.reason) for e in options.problems] == [
        ("ReaderError", 1, "'title' is a number, expected text"),
        ("ReaderError", 2, "'abstract' is a list, expected text"),
        (
            "ReaderWarning",
            3,
            "'date' is an object, expected a date (kept the paper without its date)",
        ),
        ("ReaderWarning", 3, "'url' is a number, expected text (kept the paper without its url)"),
        (
            "ReaderWarning",
            3,
            "'categories' is a number, expected text (kept the paper without its categories)",
        ),
    ]
    assert (options.skipped, options.warnings) == (2, 3)
    with pytest.raises(ReaderError, match=r":1: 'title' is a number"):
        read(f, strict=True)
    f.write_text(json.dumps(records[2]) + "\n")
    papers, options = read(f, strict=True)  # a warning is never fatal
    assert len(papers) == 1 and options.warnings == 3


def test_missing_abstract_hint_names_the_abstract_field(tmp_path: Path) -> None:
    f = tmp_path / "p.jsonl"
    f.write_text(json.dumps({"title": "T", "summary": ABSTRACT}) + "\n")
    _, options = read(f)
    assert options.problems[0].reason == (
        "record has no 'abstract' (map other names with --field abstract=NAME)"
    )


def test_control_characters_nul_and_escapes_never_reach_a_paper(tmp_path: Path) -> None:
    f = tmp_path / "p.jsonl"
    f.write_text(
        json.dumps({"title": "Clear\x1b[2J screen\x00 title", "abstract": "A\x07b\u2028c."}) + "\n"
    )
    [paper] = read_papers(f)
    assert (paper.title, paper.abstract) == ("Clear[2J screen title", "Ab c.")


def test_one_huge_abstract_is_cut_with_a_warning_naming_file_and_line(tmp_path: Path) -> None:
    f = tmp_path / "p.jsonl"
    huge = " ".join(["token"] * 50_000)
    f.write_text(
        json.dumps({"title": "Small", "abstract": ABSTRACT})
        + "\n"
        + json.dumps({"title": "Huge", "abstract": huge})
        + "\n"
    )
    papers, options = read(f, strict=True)
    assert len(papers[1].abstract) <= MAX_ABSTRACT_CHARS + 2
    assert papers[1].abstract.endswith("token …")
    [warning] = options.problems
    assert isinstance(warning, ReaderWarning)
    assert str(warning) == (
        f"{f}:2: abstract is 299,999 characters long; kept the first 10,000 (the limit per paper)"
    )


def test_an_over_long_line_is_skipped_without_being_held(tmp_path: Path) -> None:
    f = tmp_path / "p.jsonl"
    with f.open("w") as fh:
        fh.write('{"title": "' + "x" * (5 << 20) + '"}\n')
        fh.write(json.dumps({"title": "After", "abstract": ABSTRACT}) + "\n")
    papers, options = read(f)
    assert [p.title for p in papers] == ["After"]
    assert str(options.problems[0]) == f"{f}:1: line is longer than 4 MiB (skipped)"


def test_a_directory_a_missing_file_and_an_empty_file_say_so(tmp_path: Path) -> None:
    with pytest.raises(ReaderError, match=r": is a directory, not a file"):
        reader_for(tmp_path)
    with pytest.raises(ReaderError, match=r"nope\.jsonl: no such file"):
        reader_for(tmp_path / "nope.jsonl")
    empty = tmp_path / "empty.bib"
    empty.write_bytes(b"\xef\xbb\xbf \n\n")
    with pytest.raises(ReaderError, match=r"empty\.bib: the file is empty"):
        reader_for(empty)


def test_csv_unclosed_quote_does_not_swallow_the_rows_after_it(tmp_path: Path) -> None:
    f = tmp_path / "p.csv"
    f.write_text(
        "title,abstract,date\n"
        f'One,"{ABSTRACT}",2024-01-02\n'
        f'"Two,{ABSTRACT},2024-01-03\n'  # the quote never closes
        f"Three,{ABSTRACT},not-a-date\n"
        f'Four,"{ABSTRACT}\nover two lines",2024\n'
    )
    papers, options = read(f)
    assert [p.title for p in papers] == ["One", "Three", "Four"]
    assert papers[1].date is None and papers[2].line == 5
    assert [(type(e).__name__, e.line) for e in options.problems] == [
        ("ReaderError", 3),
        ("ReaderWarning", 4),
    ]
    assert (
        options.problems[1].reason
        == "unreadable date 'not-a-date' (kept the paper without its date)"
    )


def test_digest_lines_end_at_newline_only_and_keep_their_numbers(tmp_path: Path) -> None:
    long = ABSTRACT + " It also works in practice."
    f = tmp_path / "d.txt"
    f.write_text(
        f"Title\u2028One\n{long}\x85still the abstract\x0b and\x1cthis\n"
        f"Title Two\nTitle Three\n{long}\n"
    )
    papers, options = read(f)
    assert [(p.title, p.line) for p in papers] == [("Title One", 1), ("Title Three", 4)]
    assert papers[0].abstract == f"{long} still the abstract and this"
    assert [(e.line, e.reason) for e in options.problems] == [
        (3, "title 'Title Two' has no abstract: line 4 looks like the next title")
    ]


def test_every_reader_spells_arxiv_ids_and_dois_alike(tmp_path: Path) -> None:
    jsonl = tmp_path / "a.jsonl"
    jsonl.write_text(
        json.dumps(
            {"title": "LoRA", "abstract": ABSTRACT, "url": "https://arxiv.org/abs/2106.09685v2"}
        )
        + "\n"
        + json.dumps({"title": "D", "abstract": ABSTRACT, "doi": "https://doi.org/10.1000/ABC"})
        + "\n"
    )
    csv = tmp_path / "a.csv"
    csv.write_text(f"title,abstract,id,url\nLoRA,{ABSTRACT},arXiv:2106.09685v1,\n")
    bib = tmp_path / "a.bib"
    bib.write_text(
        "@article{hu, title={LoRA}, abstract={A.}, eprint={2106.09685v2}, archivePrefix={arXiv}}\n"
        "@article{gs, title={LoRA}, abstract={A.}, journal={arXiv preprint arXiv:2106.09685}}\n"
        "@misc{ad, title={LoRA}, abstract={A.}, doi={10.48550/ARXIV.2106.09685}}\n"
        "@article{d, title={D}, abstract={A.}, doi={doi:10.1000/ABC}}\n"
    )
    snapshot = tmp_path / "s.json"
    snapshot.write_text(
        json.dumps(
            {"id": "2106.09685", "title": "LoRA", "abstract": "A.", "update_date": "2021-10-18"}
        )
        + "\n"
    )
    papers = [p for f in (jsonl, csv, bib, snapshot) for p in read_papers(f)]
    lora = [p for p in papers if p.title == "LoRA"]
    assert {p.external_id for p in lora} == {"arxiv:2106.09685"} and len(lora) == 6
    assert {p.doi for p in papers if p.title == "D"} == {"10.1000/abc"}


def test_bibtex_string_doubling_is_refused_quickly_with_its_line(tmp_path: Path) -> None:
    lines = ['@string{a0 = "' + "ha" * 500 + '"}']
    lines += [f"@string{{a{i} = a{i - 1} # a{i - 1}}}" for i in range(1, 24)]
    lines.append("@misc{bomb, title = {Bomb}, abstract = a23}")
    lines.append("@misc{fine, title = {Fine}, abstract = {Still read.}}")
    f = tmp_path / "bomb.bib"
    f.write_text("\n".join(lines) + "\n")
    assert f.stat().st_size < 2500  # 8 GiB if expanded
    start = time.perf_counter()
    papers, options = read(f)
    assert time.perf_counter() - start < 5  # generous: bounded work, not a timing benchmark
    assert [p.title for p in papers] == ["Fine"]
    assert [(e.line, e.reason) for e in options.problems] == [
        (8, "@string 'a7' refused: its value expands to more than 65,536 characters"),
        (25, "entry 'bomb': field 'abstract' uses @string 'a23' (refused: see line 8)"),
    ]


def test_a_malformed_bibtex_entry_never_swallows_the_next_one_silently(tmp_path: Path) -> None:
    f = tmp_path / "refs.bib"
    f.write_text(
        "@article{open, title = {Never closed,\n"
        "  abstract = {Lost brace.}\n"
        "@article{next, title = {Next}, abstract = {Read (recovered).}}\n"
        "@article{mid, title = {Unclosed @misc{inner, title={Inner}, abstract={In.}}\n"
        "@article{last, title = {Last}, abstract = {Read too.}}\n"
    )
    papers, options = read(f)
    assert [(p.title, p.line) for p in papers] == [("Next", 3), ("Last", 5)]
    assert [(e.line, e.reason) for e in options.problems] == [
        (1, "entry never closes (a '}' or a quote is missing)"),
        (4, "entry never closes (a '}' or a quote is missing)"),
        (4, "entry 'inner' is inside the malformed entry of line 4 (not read)"),
    ]


def test_bibtex_paper_keeps_its_entry_verbatim_and_its_latex_as_plain_text(
    tmp_path: Path,
) -> None:
    entry = (
        "@InProceedings{hu2022lora,\n"
        "  title     = {{LoRA}: Low-Rank Adaptation of Large Language Models},\n"
        "  author    = {Hu, Edward J. and Wallis, Phillip and {Barnes and Noble} and M{\\\"u}ller, Jos{\\'e}},\n"
        "  abstract  = {We freeze weights \\& inject $\\alpha \\leq 2$ rank\\cite{x} matrices---"
        "10{,}000$\\times$ fewer, see \\url{https://x.org/a_b} and \\emph{Stra\\ss e}.},\n"
        "  url       = {https://example.org/a~b\\_c},\n"
        "  doi       = {10.5555/ABC.123},\n"
        "  keywords  = {adapters; fine-tuning},\n"
        "}"
    )
    f = tmp_path / "refs.bib"
    f.write_text("% preamble text\n" + entry + "\n")
    [paper] = read_papers(f)
    assert paper.original == entry
    assert paper.title == "LoRA: Low-Rank Adaptation of Large Language Models"
    assert paper.authors == ("Edward J. Hu", "Phillip Wallis", "Barnes and Noble", "José Müller")
    assert paper.abstract == (
        "We freeze weights & inject α ≤ 2 rank matrices—10,000× fewer, see "
        "https://x.org/a_b and Straße."
    )
    assert (paper.url, paper.doi, paper.external_id) == (
        "https://example.org/a~b_c",
        "10.5555/abc.123",
        "doi:10.5555/abc.123",
    )
    assert paper.categories == ("adapters", "fine-tuning")


def test_json_array_oversized_element_and_trailing_text_are_reported(tmp_path: Path) -> None:
    f = tmp_path / "a.json"
    records = [
        {"title": "A", "abstract": ABSTRACT},
        {"title": "Big", "abstract": "x " * (3 << 20)},  # 6 MiB, never held whole
        {"title": "B", "abstract": ABSTRACT},
    ]
    f.write_text(json.dumps(records, indent=1) + '\n[{"title": "C", "abstract": "c"}]\n')
    papers, options = read(f)
    assert [(p.title, p.line) for p in papers] == [("A", 2), ("B", 10)]
    assert [(e.line, e.reason) for e in options.problems] == [
        (6, "array element is larger than 4 MiB (skipped)"),
        (15, "text after the JSON array's closing ']' (not read)"),
    ]
