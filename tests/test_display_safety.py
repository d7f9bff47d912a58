"""Text from papers reaches the terminal literally: no rich markup, no escape sequences, no links.

Two layers: the terminal renderers (Markdown answer, streaming display, Sources, /sources
evidence, notices, status line) fed fuzzed hostile text on a colour terminal console; and the
real CLI (``ingest``, ``papers``, ``papers --json``, ``papers remove``, ``ask``, ``ask --json``,
``chat`` piped, ``logs``) over a store whose titles, abstracts and BibTeX keys are hostile.
"""

from __future__ import annotations

import io
import json
import random
import re
import subprocess
from pathlib import Path

import pytest
from rich.console import Console

from assistant.answer import Answer, Citation
from assistant.chat.render import (
    StreamDisplay,
    print_answer,
    print_sources,
    print_sources_detail,
)
from assistant.display import json_dumps, visible
from tests.cli_process import run_cli
from tests.hostile import EVIL_URL, RAW_CONTROL, SGR, hostile_texts, terminal_leaks


def _terminal() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    console = Console(
        file=buffer, force_terminal=True, color_system="truecolor", width=300, height=60
    )
    return console, buffer


def _cite(title: str, rng: random.Random, texts: list[str]) -> Citation:
    return Citation(
        title=title,
        paper_id="p",
        snippet=rng.choice(texts),
        score=1.0,
        url=rng.choice([None, EVIL_URL, f"https://x.org/{rng.choice(texts)}"]),
        date=rng.choice([None, "2024-05-01", rng.choice(texts)]),
    )


def test_fuzzed_answers_and_titles_render_literally_on_a_terminal() -> None:
    rng = random.Random(6)
    texts = hostile_texts(seed=6, n=900, max_parts=10)
    for i in range(0, len(texts) - 5, 5):
        body, t1, t2, notice, model = texts[i : i + 5]
        answer = Answer(
            question="q",
            text=body,
            abstained=False,
            backend="openai",
            citations=[_cite(t1, rng, texts), _cite(t2, rng, texts)],
            model=model,
            notices=[notice],
            timings_ms={"total": 5.0},
        )
        console, buffer = _terminal()
        print_answer(console, answer)  # Markdown answer, Sources, notes, status line
        print_sources_detail(console, answer.citations)
        with StreamDisplay(console, enabled=False) as display:
            display.add(body)
            console.print(display)
        output = buffer.getvalue()
        assert terminal_leaks(output) == [], (body, t1, t2, notice, model)
        assert "\x1b]" not in output  # no OSC sequence at all: no hyperlink, no window title
        plain = SGR.sub("", output)
        for title in (t1, t2):
            assert visible(title) in plain  # the exact title, escapes made visible


def test_markdown_links_are_shown_with_their_address_never_as_hyperlinks() -> None:
    console, buffer = _terminal()
    answer = Answer(
        question="q",
        text=f"Click [here]({EVIL_URL}) or ![x](https://evil.example/i.png) or <{EVIL_URL}>.",
        abstained=False,
        backend="openai",
    )
    print_answer(console, answer)
    shown = SGR.sub("", buffer.getvalue())
    assert f"here ({EVIL_URL})" in shown and "\x1b]8;" not in buffer.getvalue()


def test_piped_output_is_the_exact_text_with_controls_escaped() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=False, width=80)
    text = "Line [bold]one[/] :smile:\n\x1b[2J two \u202eevil"
    cites = [Citation(title="T [/dim] \x1b]0;x\x07", paper_id="p", snippet="", score=1.0)]
    print_answer(console, Answer(question="q", text=text, abstained=False, backend="b"))
    print_sources(console, cites)
    output = buffer.getvalue()
    assert output.startswith(visible(text, multiline=True) + "\n")
    assert "1. T [/dim] \\x1b]0;x\\x07" in output
    assert not RAW_CONTROL.search(output.replace("\t", ""))


# -- the real CLI over a hostile store ----------------------------------------------------------
WORDS = "splatting gaussians render radiance fields quickly with anisotropic kernels"


@pytest.fixture(scope="module")
def hostile_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    texts = hostile_texts(seed=66, n=60)
    rows = [
        {"title": f"{t} {i}", "abstract": f"{WORDS} {texts[-1 - i]} {WORDS}", "url": EVIL_URL}
        for i, t in enumerate(texts[:30])
    ]
    (folder / "papers.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    home = folder / "home"
    result = run_cli("ingest", str(folder / "papers.jsonl"), home=home)
    assert result.returncode == 0, result.stderr
    return home


def _clean(result: subprocess.CompletedProcess[str]) -> None:
    for stream in (result.stdout, result.stderr):
        assert "Traceback" not in stream
        assert not RAW_CONTROL.search(stream.replace("\t", "")), stream
        assert "\x1b" not in stream


def test_cli_lists_and_exports_hostile_titles_literally(hostile_home: Path) -> None:
    exported = run_cli("papers", "--json", home=hostile_home)
    _clean(exported)
    records = json.loads(exported.stdout)  # the titles as stored: the data itself
    assert len(records) == 30
    assert exported.stdout.strip() == json_dumps(records)

    listed = run_cli("papers", home=hostile_home)
    _clean(listed)
    assert listed.returncode == 0
    assert listed.stdout.splitlines() == [f"{r['id']}  {visible(r['title'])}" for r in records]

    hostile_id = "[bold]\x1b[2Jnope"
    removed = run_cli("papers", "remove", hostile_id, home=hostile_home)
    _clean(removed)
    assert removed.returncode == 1 and "not in the store: [bold]\\x1b[2Jnope" in removed.stderr


def test_cli_ingest_reports_hostile_keys_and_names_literally(
    hostile_home: Path, tmp_path: Path
) -> None:
    bib = tmp_path / "keys.bib"
    bib.write_text(
        "@article{key[/x],\n  title = {No abstract},\n}\n"
        "@article{esc\x1b[2J,\n  title = {No abstract either},\n}\n"
    )
    result = run_cli("ingest", str(bib), home=hostile_home)
    _clean(result)
    assert result.returncode == 0
    assert "key[/x]" in result.stderr and "\\x1b[2J" in result.stderr

    missing = run_cli("ingest", str(tmp_path / "[/x]\x1b[2J.jsonl"), home=hostile_home)
    _clean(missing)
    assert missing.returncode == 2
    assert missing.stderr.startswith("Error: ") and "[/x]\\x1b[2J.jsonl" in missing.stderr


def test_cli_answers_from_hostile_abstracts_stay_literal(hostile_home: Path) -> None:
    asked = run_cli(
        "ask", "--llm", "extractive", "how do gaussians render radiance fields", home=hostile_home
    )
    _clean(asked)
    assert asked.returncode == 0
    as_json = run_cli(
        "ask", "--llm", "extractive", "--json", "anisotropic kernels", home=hostile_home
    )
    _clean(as_json)
    data = json.loads(as_json.stdout)
    assert data["citations"], data
    chat = run_cli(
        "chat",
        "--llm",
        "extractive",
        stdin="what renders radiance fields?\n/sources\n/papers\n",
        home=hostile_home,
    )
    _clean(chat)
    assert chat.returncode == 0
    for args in (("logs", "-n", "0"), ("logs", "--json")):
        logged = run_cli(*args, home=hostile_home)
        _clean(logged)
        assert logged.returncode == 0 and re.search(r"\S", logged.stdout)
