"""The export commands as a user runs them: ``papers show``, ``papers export``, ``ask --bib``
and the chat's ``/export``."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import bibtexparser

from tests.cli_process import run_cli

GAUSS = "3D Gaussian Splatting for Real-Time Radiance Field Rendering"
ENTRIES = [
    "@Article{hinton2006fast,\n"
    "  title    = {A Fast Learning Algorithm for Deep Belief Nets},\n"
    "  author   = {Hinton, Geoffrey E. and Osindero, Simon},\n"
    "  journal  = {Neural Computation},   year = 2006, month = jul,\n"
    "  abstract = {We show how to use {\\em complementary priors} to eliminate the "
    "explaining-away effects.},\n"
    "}",
    "@inproceedings{lecun98,\n"
    "  title = {Gradient-Based Learning Applied to Document Recognition},\n"
    '  abstract = "Multilayer networks trained with back-propagation: 100\\% of {MNIST}",\n'
    "  note = {% a comment-like percent\n    kept as written}\n"
    "}",
]


def paper_id(home: Path, title: str) -> str:
    listed = run_cli("papers", "--json", home=home)
    return next(p["id"] for p in json.loads(listed.stdout) if p["title"] == title)


def test_papers_show_by_id_and_title(fresh_home: Path) -> None:
    pid = paper_id(fresh_home, GAUSS)
    shown = run_cli("papers", "show", pid, home=fresh_home)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines()[0] == GAUSS
    assert f"id         {pid}" in shown.stdout and "novel-view synthesis" in shown.stdout
    as_json = run_cli(
        "papers",
        "show",
        "--json",
        "3d gaussian splatting for real-time radiance field rendering",
        home=fresh_home,
    )
    record = json.loads(as_json.stdout)
    assert record["paper_id"] == pid and record["abstract"].startswith("Radiance Field methods")
    missing = run_cli("papers", "show", "no such paper", home=fresh_home)
    assert missing.returncode == 2 and "no paper with id or title 'no such paper'" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_export_all_as_bibtex_and_ids_as_jsonl_that_reingests(
    fresh_home: Path, tmp_path: Path
) -> None:
    out = tmp_path / "all.bib"
    done = run_cli("papers", "export", "-o", str(out), home=fresh_home)
    assert done.returncode == 0 and "119 papers written to" in done.stderr
    library = bibtexparser.parse_file(str(out))
    assert not library.failed_blocks
    assert len({e.key for e in library.entries}) == len(library.entries) == 119

    pid = paper_id(fresh_home, GAUSS)
    lines = run_cli("papers", "export", "--ids", f"{pid}, nope", home=fresh_home)
    assert lines.returncode == 2 and "not in the store: nope (nothing exported)" in lines.stderr
    jsonl = tmp_path / "two.jsonl"
    two = run_cli(
        "papers",
        "export",
        "--ids",
        pid,
        "--ids",
        "LVCHAT: Facilitating Long Video Comprehension",
        "-o",
        str(jsonl),
        home=fresh_home,
    )
    assert two.returncode == 0, two.stderr
    exported = [json.loads(line) for line in jsonl.read_text().splitlines()]
    assert [e["title"] for e in exported] == [
        GAUSS,
        "LVCHAT: Facilitating Long Video Comprehension",
    ]
    again = tmp_path / "again-home"
    ingested = run_cli("ingest", str(jsonl), home=again)
    assert ingested.returncode == 0, ingested.stderr
    reread = json.loads(run_cli("papers", "--json", home=again).stdout)
    assert [(p["id"], p["title"]) for p in reread] == [
        (e["paper_id"], e["title"]) for e in exported
    ]


def test_export_filter_matching_nothing_is_an_error(fresh_home: Path, tmp_path: Path) -> None:
    out = tmp_path / "none.bib"
    done = run_cli("papers", "export", "--category", "cs.CL", "-o", str(out), home=fresh_home)
    assert done.returncode == 2 and "no paper matches the filters (category cs.CL)" in done.stderr
    assert not out.exists()
    bad = run_cli("papers", "export", "--format", "csv", home=fresh_home)
    assert bad.returncode == 2 and "unknown export format 'csv'" in bad.stderr


def test_bibtex_paper_exports_its_original_entry_unchanged(
    fresh_home: Path, tmp_path: Path
) -> None:
    """``original`` is set as the BibTeX reader sets it: the entry's text, verbatim."""
    from assistant import Assistant
    from vectorstore.readers import iter_papers

    bib = tmp_path / "reading-list.bib"
    bib.write_text("% my reading list\n\n" + "\n\n".join(ENTRIES) + "\n")
    papers = list(iter_papers(bib))
    assert len(papers) == 2
    papers = [p if p.original else replace(p, original=entry) for p, entry in zip(papers, ENTRIES)]
    assert [p.original for p in papers] == ENTRIES
    Assistant(home=fresh_home, llm="extractive").store.ingest(papers)

    out = tmp_path / "out.bib"
    done = run_cli("papers", "export", "--source", str(bib), "-o", str(out), home=fresh_home)
    assert done.returncode == 0, done.stderr
    assert out.read_text() == "\n\n".join(ENTRIES) + "\n"

    asked = run_cli(
        "ask",
        "--no-log",
        "--llm",
        "extractive",
        "--bib",
        str(tmp_path / "cited.bib"),
        "Which paper uses complementary priors to remove explaining away?",
        home=fresh_home,
    )
    assert asked.returncode == 0, asked.stderr
    assert (tmp_path / "cited.bib").read_text().startswith(ENTRIES[0])
    assert "cited paper written to" in asked.stderr


def test_ask_bib_writes_the_cited_papers(fresh_home: Path, tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    asked = run_cli(
        "ask",
        "--json",
        "--llm",
        "extractive",
        "--bib",
        str(bib),
        "What is 3D Gaussian splatting?",
        home=fresh_home,
    )
    assert asked.returncode == 0, asked.stderr
    cited = [c["title"] for c in json.loads(asked.stdout)["citations"]]
    library = bibtexparser.parse_file(str(bib))
    titles = [e.fields_dict["title"].value.strip("{}") for e in library.entries]
    assert titles == cited and GAUSS in titles


def test_chat_export_saves_the_conversations_cited_papers(fresh_home: Path, tmp_path: Path) -> None:
    bib, jsonl = tmp_path / "chat.bib", tmp_path / "chat.jsonl"
    script = (
        "/export nothing-yet.bib\n"
        "What is 3D Gaussian splatting?\n"
        "Which paper speeds up N:M sparse training with dataflow co-design?\n"
        f"/export {bib}\n/export {jsonl}\n/export\n"
    )
    chat = run_cli("chat", "--llm", "extractive", home=fresh_home, stdin=script)
    assert chat.returncode == 0, chat.stderr
    assert "No paper cited yet in this conversation" in chat.stdout
    assert not (Path.cwd() / "nothing-yet.bib").exists()
    assert "/export needs a file name" in chat.stderr + chat.stdout
    titles = [json.loads(line)["title"] for line in jsonl.read_text().splitlines()]
    assert titles[0] == GAUSS and any("N:M Sparse" in t for t in titles)
    assert len(bibtexparser.parse_file(str(bib)).entries) == len(titles)
