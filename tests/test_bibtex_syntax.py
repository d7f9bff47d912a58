"""BibTeX as real exports write it: ``@type(...)`` entries, ``@string`` macros, ``@comment`` blocks."""

from __future__ import annotations

from pathlib import Path

import pytest

from vectorstore.readers import ReaderError, ReadOptions, iter_papers, read_papers


def bib(tmp_path: Path, text: str, name: str = "refs.bib") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


PARENS = r"""@preamble( "\newcommand{\noopsort}[1]{} (unused)" )
@comment(exported (by hand) from a reading list)

@article(lora2021,
  title = {{LoRA}: Low-Rank Adaptation (of Large Models},
  abstract = "Fine-tuning (all weights) is costly; we freeze them :-) and
              train rank decompositions (see Sec. 3.",
  year = 2021, month = jun
)
@inproceedings(flash, title = "Flash Attention", abstract = {IO-aware exact attention.}) @misc{same_line,
  title = {After a Parenthesised Entry}, abstract = {Braces still work (as before).}}
"""


def test_parenthesised_entries_close_at_their_own_parenthesis(tmp_path: Path) -> None:
    options = ReadOptions()
    papers = list(iter_papers(bib(tmp_path, PARENS), options=options))
    assert [p.title for p in papers] == [
        "LoRA: Low-Rank Adaptation (of Large Models",
        "Flash Attention",
        "After a Parenthesised Entry",
    ]
    lora, flash, after = papers
    assert lora.abstract == (
        "Fine-tuning (all weights) is costly; we freeze them :-) and train rank decompositions"
        " (see Sec. 3."
    )
    assert (lora.date, lora.line) == ("2021-06", 4)
    assert flash.abstract == "IO-aware exact attention."
    assert (after.abstract, after.line) == ("Braces still work (as before).", 10)
    assert options.skipped == 0 and options.problems == []


MACROS = r"""@STRING{ACL = "Findings of the Association for Computational Linguistics"}
@string(arxiv = "https://arxiv.org/abs/")
@String{aclf = ACL # " (EMNLP)"}
@comment{Entries below use the macros above.}

@inproceedings{tok2024,
  title = {Tokenizer-Free Parsing},
  abstract = {We parse bytes directly.},
  keywords = Acl # {, parsing},
  url = arxiv # "2401.00001",
  year = 2024, month = Mar
}
@misc{early,
  title = {Used Before Defined},
  abstract = {A macro only counts once it has been defined.},
  keywords = later, month = dec, year = {2023}
}
@string{later = "Too Late"}
@misc{chained, title = "Chained " # aclf, abstract = {Macros may use macros.}}
"""


def test_string_macros_expand_in_values_and_concatenations(tmp_path: Path) -> None:
    options = ReadOptions()
    papers = list(iter_papers(bib(tmp_path, MACROS), options=options))
    assert [p.title for p in papers] == [
        "Tokenizer-Free Parsing",
        "Used Before Defined",
        "Chained Findings of the Association for Computational Linguistics (EMNLP)",
    ]
    tok, early, _ = papers
    assert tok.categories == (
        "Findings of the Association for Computational Linguistics",
        "parsing",
    )
    assert tok.url == "https://arxiv.org/abs/2401.00001"
    assert (tok.date, early.date) == ("2024-03", "2023-12")  # month names are not @strings
    assert early.categories == ("later",)  # kept as written: defined only after its use
    assert options.skipped == 0


def test_macros_belong_to_their_file(tmp_path: Path) -> None:
    bib(tmp_path, '@string{venue = "NeurIPS"}\n', "a.bib")
    list(iter_papers(tmp_path / "a.bib"))
    other = bib(tmp_path, "@misc{x, title = {T}, abstract = {A.}, keywords = venue}\n", "b.bib")
    assert read_papers(other)[0].categories == ("venue",)


COMMENTED_OUT = r"""@comment{
@article{disabled, title = {Commented Out}, abstract = {Not a paper "at all.}}
}
@article{kept, title = {Kept}, abstract = {Read.}}
"""


def test_an_entry_on_its_own_line_inside_a_comment_block_is_read(tmp_path: Path) -> None:
    # As BibTeX itself does (and bibtexparser): a line starting with "@" starts an entry, so a
    # "commented-out" entry is read; only text outside entries is a comment.
    options = ReadOptions()
    papers = list(iter_papers(bib(tmp_path, COMMENTED_OUT), options=options))
    assert [p.title for p in papers] == ["Commented Out", "Kept"]
    assert options.skipped == 0


UNCLOSED = r"""@article(open,
  title = {Never Closed},
  abstract = {The closing parenthesis is missing.},
@article{next, title = {Next Entry}, abstract = {Still read (recovered).}}
@misc(nokey, title = {No Abstract (yet)})
@misc(bad, title = {Bad}, 2021 = {x})
@article(tail, title = {Tail (open
"""


def test_bad_parenthesised_entries_are_reported_with_file_and_line(tmp_path: Path) -> None:
    f = bib(tmp_path, UNCLOSED)
    options = ReadOptions()
    papers = list(iter_papers(f, options=options))
    assert [p.title for p in papers] == ["Next Entry"]
    assert papers[0].abstract == "Still read (recovered)."
    assert options.skipped == 4
    reasons = {e.line: e.reason for e in options.problems}
    assert reasons[1] == "entry never closes (a ')' or a quote is missing)"
    assert "no abstract" in reasons[5]
    assert "no abstract" in reasons[6]  # "2021 = {x}" is a field to bibtexparser
    assert reasons[7] == "entry never closes (a ')' or a quote is missing)"
    assert all(e.path == str(f) for e in options.problems)

    with pytest.raises(ReaderError, match=r"refs\.bib:1: entry never closes"):
        read_papers(f)


def test_parenthesised_entries_are_streamed(tmp_path: Path) -> None:
    # strict, and the broken entry at the end is not reached when only the first paper is taken
    text = "".join(f"@misc(p{i}, title = {{P{i}}}, abstract = {{A{i}.}})\n" for i in range(3))
    papers = iter_papers(bib(tmp_path, text + "@misc(broken,\n"), options=ReadOptions(strict=True))
    assert next(papers).title == "P0"
