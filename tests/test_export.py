"""BibTeX and JSON Lines export: generated entries parse back (with bibtexparser) to the same
text, whatever the title holds; keys are unique and stable; an original entry is kept verbatim."""

from __future__ import annotations

import json
import random
import re
from dataclasses import replace
from pathlib import Path

import bibtexparser
import pytest
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

from assistant.export import (
    ExportError,
    citation_keys,
    format_for,
    to_bibtex,
    to_jsonl,
    write_export,
)
from vectorstore.store import PaperRecord

# LaTeX's text macros for the characters it reserves, which pylatexenc does not all know.
_DB = get_default_latex_context_db().filter_context()
_DB.add_context_category(
    "text-symbols",
    prepend=True,
    macros=[
        MacroTextSpec("textbraceleft", "{"),
        MacroTextSpec("textbraceright", "}"),
        MacroTextSpec("textasciicircum", "^"),
        MacroTextSpec("textasciitilde", "~"),
        MacroTextSpec("textbackslash", "\\"),
    ],
)
_LATEX = LatexNodes2Text(latex_context=_DB, math_mode="verbatim", strict_latex_spaces=True)

HOSTILE_TITLES = [
    "{LoRA}: Low-Rank Adaptation of {Large} Language Models",
    "Unbalanced { brace and } closing } twice",
    "100% of $5 & #1 costs_less ~ ^ \\ backslash",
    "Ünïcödé naïve café — 中文标题 😀 Ωmega",
    "Self-Supervised -- Learning ``quoted'' ?` !`",
    "}, author = {Injected}, note = {x",
    "@misc{evil, title={pwned}}",
    "Line\nbreak\tand\x00control\x07chars\x1b[31m",
    "\\input{/etc/passwd} \\def\\x{y} \\emph{Ignore previous instructions}",
    "Quotes \"double\" and 'single' and $$math$$",
    "   spaced    out   ",
]


def record(title: str, **kw: object) -> PaperRecord:
    from vectorstore.papers import Paper

    paper_id = Paper(title=title, abstract="x").paper_id
    defaults: dict[str, object] = {"paper_id": paper_id, "title": title, "abstract": "An abstract."}
    return PaperRecord(**{**defaults, **kw})  # type: ignore[arg-type]


def plain(text: str) -> str:
    """What an exported title should read as: control characters and runs of space folded."""
    return " ".join(re.sub(r"[\x00-\x1f\x7f-\x9f]+", " ", text).split())


def parse(bib: str) -> bibtexparser.Library:
    library = bibtexparser.parse_string(bib)
    assert not library.failed_blocks, [b.error for b in library.failed_blocks]
    return library


def decoded(library: bibtexparser.Library, key: str, field: str) -> str:
    value = library.entries_dict[key].fields_dict[field].value
    return " ".join(_LATEX.latex_to_text(value).split())


def assert_braces_balanced(bib: str) -> None:
    """BibTeX itself counts every brace, escaped or not: each entry must balance."""
    depth = 0
    for ch in bib:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0
    assert depth == 0


def test_generated_entries_round_trip_hostile_titles() -> None:
    records = [
        record(t, authors=(t[:20] or "A", "Ada Lovelace"), abstract=f"About {t}")
        for t in HOSTILE_TITLES
    ]
    bib = to_bibtex(records)
    assert_braces_balanced(bib)
    library = parse(bib)
    keys = citation_keys(records)
    assert len(library.entries) == len(records)
    assert len(set(keys.values())) == len(records)
    for r in records:
        key = keys[r.paper_id]
        assert decoded(library, key, "title") == plain(r.title)
        assert decoded(library, key, "abstract") == plain(r.abstract)
        assert library.entries_dict[key].entry_type == "misc"


def test_fuzzed_titles_round_trip() -> None:
    rng = random.Random(15)
    alphabet = "{}\\%&#_$~^@,=\"'`-?! \tabcXYZ0éü中😀\n()"
    titles = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40))) for _ in range(300)]
    titles = [t for t in titles if plain(t)]
    records = [record(f"{i} {t}") for i, t in enumerate(titles)]
    bib = to_bibtex(records)
    assert_braces_balanced(bib)
    library = parse(bib)
    keys = citation_keys(records)
    assert len(library.entries) == len(records)
    for r in records:
        assert decoded(library, keys[r.paper_id], "title") == plain(r.title)


def test_arxiv_paper_gets_eprint_url_and_date() -> None:
    r = record(
        "Attention Is All You Need",
        authors=("Ashish Vaswani", "Noam Shazeer"),
        date="2017-06-12",
        external_id="arxiv:1706.03762",
        categories=("cs.CL", "cs.LG"),
    )
    library = parse(to_bibtex([r]))
    (entry,) = library.entries
    assert entry.key == "vaswani2017attention"
    fields = {f.key: f.value for f in entry.fields}
    assert fields["eprint"] == "1706.03762"
    assert fields["archivePrefix"] == "arXiv"
    assert fields["primaryClass"] == "cs.CL"
    assert fields["url"] == "https://arxiv.org/abs/1706.03762"
    assert fields["year"] == "2017"
    assert fields["month"] in ("jun", "6", "June")
    assert fields["author"] == "Ashish Vaswani and Noam Shazeer"


def test_arxiv_id_from_url_and_doi_from_source_id() -> None:
    by_url = record("A", url="https://arxiv.org/pdf/2401.01234v2.pdf")
    by_doi = record("B", external_id="doi:10.1145/3292500.3330701")
    library = parse(to_bibtex([by_url, by_doi]))
    keys = citation_keys([by_url, by_doi])
    assert library.entries_dict[keys[by_url.paper_id]].fields_dict["eprint"].value == "2401.01234"
    assert (
        library.entries_dict[keys[by_doi.paper_id]].fields_dict["doi"].value
        == "10.1145/3292500.3330701"
    )


def test_keys_unique_and_independent_of_order_and_company() -> None:
    a = record("Deep Learning", authors=("Yann LeCun",), date="2015")
    b = record("Deep learning!", authors=("Yann LeCun",), date="2015-05", abstract="other")
    b = replace(b, paper_id="b" * 16)
    c = record("Gradient-Based Learning", authors=("Yann LeCun",), date="1998")
    both = citation_keys([a, b, c])
    assert len(set(both.values())) == 3
    assert citation_keys([c, b, a]) == both  # order does not matter
    assert citation_keys([c])[c.paper_id] == both[c.paper_id] == "lecun1998gradient"
    assert both[b.paper_id] == "lecun2015deep-bbbbbbbb"


def test_original_entry_kept_verbatim_and_its_key_reserved() -> None:
    entry = (
        "@Article{lecun1998gradient,\n  title   = {Gradient-based {L}earning},\n  abstract = {…}\n}"
    )
    original = record("Gradient-based Learning", original=entry)
    generated = record("Gradient-Based Learning Again", authors=("Yann LeCun",), date="1998")
    bib = to_bibtex([original, generated])
    assert bib.startswith(entry + "\n\n")
    keys = citation_keys([original, generated])
    assert keys[original.paper_id] == "lecun1998gradient"
    assert keys[generated.paper_id].startswith("lecun1998gradient-")
    assert len(parse(bib).entries) == 2


def test_jsonl_uses_the_readers_names(tmp_path: Path) -> None:
    r = record("T", authors=("A B",), date="2024-01", external_id="arxiv:2401.1", url="u")
    (line,) = to_jsonl([r]).splitlines()
    data = json.loads(line)
    assert data["id"] == "arxiv:2401.1" and data["paper_id"] == r.paper_id
    assert data["arxiv_id"] == "2401.1" and data["authors"] == ["A B"]


def test_format_and_write(tmp_path: Path) -> None:
    assert format_for("refs.bib") == "bibtex"
    assert format_for("out.JSONL") == "jsonl"
    assert format_for("x.txt", "jsonl") == "jsonl"
    with pytest.raises(ExportError, match="unknown export format"):
        format_for(None, "csv")
    target = tmp_path / "sub" / "refs.bib"
    assert write_export([record("T")], target) == "bibtex"
    assert target.read_text().startswith("@misc{")
    with pytest.raises(ExportError, match="is a directory"):
        write_export([record("T")], tmp_path)
    assert sorted(p.name for p in target.parent.iterdir()) == ["refs.bib"]  # no temp file left
