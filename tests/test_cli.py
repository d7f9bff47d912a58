"""The command line, as a user runs it: real processes, real store."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli_process import run_cli as run


def test_ask_json_schema(built_home: Path) -> None:
    r = run("ask", "--json", "What is CrossSplit?", home=built_home)
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert set(d) >= {
        "question",
        "answer",
        "abstained",
        "backend",
        "citations",
        "retrieved",
        "rejected_citations",
        "timings_ms",
    }
    assert d["question"] == "What is CrossSplit?"
    assert (
        d["citations"][0]["title"]
        == "CrossSplit: Mitigating Label Noise Memorization through Data Splitting"
    )
    assert all(isinstance(c["score"], float) and c["snippet"] for c in d["citations"])
    assert d["abstained"] is False and d["rejected_citations"] == []


def test_ask_prints_answer_and_numbered_sources(built_home: Path) -> None:
    r = run("What does UniVL do?", home=built_home)  # the default command is ask
    assert r.returncode == 0, r.stderr
    assert "Sources" in r.stdout
    assert "1. UniVL: A Unified Video and Language Pre-Training Model" in r.stdout
    assert "extractive" in r.stderr


def test_history_and_top_k_flags(built_home: Path) -> None:
    r = run(
        "ask",
        "--json",
        "-k",
        "4",
        "--history",
        "What is AlpaGasus?",
        "How much faster is its training for the 7B variant?",
        home=built_home,
    )
    d = json.loads(r.stdout)
    assert len(d["retrieved"]) == 4
    assert d["citations"][0]["title"].startswith("AlpaGasus")


def test_first_question_on_a_fresh_install_indexes_the_digest(tmp_path: Path) -> None:
    home = tmp_path / "new-home"
    r = run("ask", "What is MIO?", home=home)
    assert r.returncode == 0, r.stderr
    assert "Indexing papers" in r.stderr and "119/119" in r.stderr
    assert "MIO: A Foundation Model on Multimodal Tokens" in r.stdout
    assert (home / "chroma").is_dir()
    again = run("papers", "--json", home=home)
    assert len(json.loads(again.stdout)) == 119
    assert "Indexing" not in again.stderr


def test_user_mistakes_are_one_line_errors_with_exit_code_2(
    built_home: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("Only a title\n")
    empty = tmp_path / "empty.txt"
    empty.write_text("\n")
    cases = [
        ("ingest", str(empty)),
        ("ingest", str(tmp_path / "missing.txt")),
        ("ask", " "),
        ("ask", "-k", "0", "What is MIO?"),
        ("ask", "--llm", "gpt-17", "What is MIO?"),
    ]
    for args in cases:
        r = run(*args, home=built_home)
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        assert "Traceback" not in r.stderr
        assert r.stderr.strip().startswith("Error:"), (args, r.stderr)
    r = run("ingest", str(bad), home=built_home)  # a bad record is reported and skipped
    assert r.returncode == 0 and "skipped" in r.stderr and "bad.txt:1: " in r.stderr


def test_help_explains_every_command(built_home: Path) -> None:
    r = run("--help", home=built_home)
    assert r.returncode == 0
    for cmd in ("ask", "ingest", "papers"):
        assert cmd in r.stdout
    r = run("ask", "--help", home=built_home)
    assert "--top-k" in r.stdout and "--history" in r.stdout and "--json" in r.stdout


def test_global_options_accepted_after_the_command(built_home: Path, tmp_path: Path) -> None:
    r = run("papers", "--json", "--home", str(built_home), home=tmp_path / "elsewhere")
    assert r.returncode == 0, r.stderr
    assert len(json.loads(r.stdout)) == 119
