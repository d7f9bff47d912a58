"""Streaming answers in a terminal, with an LLM backend served by the fake OpenAI-compatible server.

``assistant chat`` and ``assistant ask`` through a real pseudo-terminal (see test_chat_repl.py
for the harness): text appears as it is generated, Ctrl-C cancels mid-answer, a failing
backend is reported and the chat goes on, NO_COLOR is honoured.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.test_chat_repl import GS_TITLE, Terminal, logged, sources_block

if TYPE_CHECKING:
    from tests.fakes import FakeOpenAI

pytest_plugins = ["tests.fakes", "tests.test_chat_repl"]  # fake_openai; chat_home, terminals


def _openai_env(server: FakeOpenAI) -> dict[str, str]:
    return {
        "ASSISTANT_LLM": "openai",
        "ASSISTANT_OPENAI_BASE_URL": server.base_url,
        "ASSISTANT_OPENAI_API_KEY": "test",
        "ASSISTANT_LLM_MAX_RETRIES": "0",
        "ASSISTANT_LLM_TIMEOUT": "20",
    }


@pytest.fixture
def openai_ready(chat_home: Path) -> None:
    """Skip until the openai backend exists (another issue); then these tests must pass."""
    from assistant.backends import resolve
    from assistant.settings import Settings

    settings = Settings(home=chat_home, llm="openai", openai_api_key="test")
    if resolve(settings).name != "openai":
        pytest.skip("the openai backend is not wired into assistant.backends.resolve yet")


STREAMED = [
    "3D Gaussian splatting ",
    "represents a scene ",
    "with anisotropic ",
    "Gaussians ",
    "and renders them ",
    "in real time ",
    f"[{GS_TITLE}].",
]


@pytest.mark.usefixtures("openai_ready")
def test_answer_streams_then_is_rendered_with_sources_and_tokens(
    chat_home: Path, terminals: list[Terminal], fake_openai: FakeOpenAI
) -> None:
    fake_openai.reply("".join(STREAMED), chunks=STREAMED, chunk_delay=0.4)
    term = Terminal(chat_home, "chat", env=_openai_env(fake_openai))
    terminals.append(term)
    term.wait_for(r"· openai · top")
    term.wait_for_prompt()
    term.enter("What is 3D Gaussian splatting?")
    # Part of the answer is on screen while the rest is still being generated.
    partial = term.wait_for("represents a scene")
    assert "in real time" not in partial
    screen = term.wait_for(r"openai · \S+ · \d+\.\d s · \d+ → \d+ tokens")
    assert sources_block(screen) == [f"1. {GS_TITLE}"]
    assert "renders them in real time" in " ".join(screen.split())
    term.wait_for_prompt()
    term.enter("/exit")
    assert term.wait_exit() == 0
    (entry,) = logged(chat_home)
    assert entry["backend"] == "openai"
    usage = entry["usage"]
    assert usage["prompt_tokens"] > 0 and usage["completion_tokens"] > 0  # type: ignore[index]


@pytest.mark.usefixtures("openai_ready")
def test_ctrl_c_cancels_the_answer_and_a_failing_backend_does_not_end_the_chat(
    chat_home: Path, terminals: list[Terminal], fake_openai: FakeOpenAI
) -> None:
    slow = [f"word{i} " for i in range(60)]
    fake_openai.reply("".join(slow), chunks=slow, chunk_delay=0.5)
    term = Terminal(chat_home, "chat", env=_openai_env(fake_openai))
    terminals.append(term)
    term.wait_for_prompt()
    term.enter("What is 3D Gaussian splatting?")
    term.wait_for("word2 ")
    term.ctrl("c")
    term.wait_for("Cancelled.")
    term.wait_for_prompt()
    assert "word59" not in term.text()

    # The backend now fails: the user reads why (the assistant falls back to extractive, or
    # reports an error), and the chat goes on; /llm switches backend without leaving.
    for _ in range(10):
        fake_openai.fail(500, message="the fake server is down")
    term.clear()
    term.enter("What is 3D Gaussian splatting?")
    screen = term.wait_for(r"(?:<?\d+ ms|\d+\.\d s)")
    assert "the fake server is down" in " ".join(screen.split())
    assert "Traceback" not in screen
    term.wait_for_prompt()
    term.enter("/llm extractive")
    term.wait_for("Backend: extractive")
    term.wait_for_prompt()
    term.clear()
    term.enter("What is 3D Gaussian splatting?")
    screen = term.wait_for(r"extractive · (?:<?\d+ ms|\d+\.\d s)")
    assert sources_block(screen) == [f"1. {GS_TITLE}"]
    term.wait_for_prompt()
    term.enter("/exit")
    assert term.wait_exit() == 0
    # The cancelled answer was not saved; the others were.
    log = logged(chat_home)
    assert len(log) == 2
    assert all("word2" not in str(e["answer"]) for e in log)


@pytest.mark.usefixtures("openai_ready")
def test_ask_streams_in_a_terminal_and_json_does_not(
    chat_home: Path, terminals: list[Terminal], fake_openai: FakeOpenAI
) -> None:
    fake_openai.reply("".join(STREAMED), chunks=STREAMED, chunk_delay=0.4)
    term = Terminal(
        chat_home, "ask", "What is 3D Gaussian splatting?", env=_openai_env(fake_openai)
    )
    terminals.append(term)
    partial = term.wait_for("represents a scene")
    assert "in real time" not in partial
    screen = term.wait_for(r"openai · \S+ · (?:<?\d+ ms|\d+\.\d s)")
    assert sources_block(screen) == [f"1. {GS_TITLE}"]
    assert term.wait_exit() == 0

    fake_openai.reply("".join(STREAMED), chunks=STREAMED, chunk_delay=0.1)
    term = Terminal(
        chat_home, "ask", "--json", "What is 3D Gaussian splatting?", env=_openai_env(fake_openai)
    )
    terminals.append(term)
    assert term.wait_exit() == 0
    printed = term.raw.decode().replace("\r\n", "\n")
    answer = json.loads(printed[printed.index("{") : printed.rindex("}") + 1])
    assert answer["citations"][0]["title"] == GS_TITLE and answer["backend"] == "openai"
    assert "Sources" not in printed


_COLOUR_PARAMS = re.compile(r"\x1b\[([0-9;]*)m")


def _colour_codes(raw: bytes) -> set[str]:
    """The colour parameters (foreground/background) among the SGR sequences in ``raw``."""
    found = set()
    for params in _COLOUR_PARAMS.findall(raw.decode(errors="replace")):
        for p in params.split(";"):
            if p.isdigit() and (30 <= int(p) <= 49 or 90 <= int(p) <= 107):
                found.add(p)
    return found


@pytest.mark.parametrize("no_color", [False, True])
def test_no_color_turns_colours_off(
    chat_home: Path, terminals: list[Terminal], no_color: bool
) -> None:
    env = {"NO_COLOR": "1"} if no_color else {}
    term = Terminal(chat_home, "chat", "--llm", "extractive", env=env)
    terminals.append(term)
    term.wait_for_prompt()
    term.enter("/k 0")  # an error line, red when colours are on
    term.wait_for("/k needs a whole number")
    term.wait_for_prompt()
    term.enter("/exit")
    assert term.wait_exit() == 0
    assert bool(_colour_codes(term.raw)) is not no_color
