"""``assistant chat`` driven through a real pseudo-terminal, asserting what a user sees on screen.

pexpect runs the real CLI in a pty; pyte renders its output into a virtual screen, so the
assertions see the final screen (streamed text erased and redrawn, prompts, status lines),
not raw escape sequences. This file uses the extractive backend; LLM streaming, Ctrl-C mid-answer and
a failing backend are in test_chat_streaming.py (the fake OpenAI-compatible server).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")
pyte = pytest.importorskip("pyte")

GS_TITLE = "3D Gaussian Splatting for Real-Time Radiance Field Rendering"
CLI = [sys.executable, "-c", "from assistant.cli import main; main()"]
ROWS, COLS = 60, 130
TIMEOUT = 60.0  # generous: the machine is shared; a healthy run takes a few seconds


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Terminal:
    """A user at a terminal running ``assistant <args>``."""

    def __init__(self, home: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.screen = pyte.Screen(COLS, ROWS)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = b""
        full_env = {
            **{k: v for k, v in os.environ.items() if k != "NO_COLOR"},
            "ASSISTANT_HOME": str(home),
            "TERM": "xterm-256color",
            "COLUMNS": str(COLS),
            "LINES": str(ROWS),
            # No terminal emulator answers cursor-position requests here.
            "PROMPT_TOOLKIT_NO_CPR": "1",
            **(env or {}),
        }
        self.child = pexpect.spawn(
            CLI[0],
            [*CLI[1:], *args],
            env=full_env,
            dimensions=(ROWS, COLS),
            timeout=TIMEOUT,
            # as in a user's terminal, whatever started the tests: a shell's background job
            # (`make test &`) passes SIGINT on ignored, and Ctrl-C would do nothing
            preexec_fn=_default_sigint,
        )

    # -- reading the screen -------------------------------------------------------------------
    def pump(self, seconds: float = 0.05) -> None:
        end = time.monotonic() + seconds
        while True:
            try:
                data = self.child.read_nonblocking(65536, timeout=0.05)
            except pexpect.TIMEOUT:
                data = b""
            except pexpect.EOF:
                return
            if data:
                self.raw += data
                self.stream.feed(data)
            if time.monotonic() >= end and not data:
                return

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display).rstrip()

    def wait_for(self, pattern: str, timeout: float = TIMEOUT) -> str:
        """Wait until the screen shows ``pattern`` (a regex); returns the screen."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.pump()
            screen = self.text()
            if re.search(pattern, screen):
                return screen
            if not self.child.isalive():
                self.pump()
                screen = self.text()
                if re.search(pattern, screen):
                    return screen
                break
        raise AssertionError(f"never saw {pattern!r} on the screen:\n{self.text()}")

    def wait_for_prompt(self) -> str:
        """Wait for an empty input prompt on the last non-blank line."""
        end = time.monotonic() + TIMEOUT
        while time.monotonic() < end:
            self.pump()
            lines = [line for line in self.text().splitlines() if line.strip()]
            if lines and lines[-1] == ">":
                return self.text()
            if not self.child.isalive():
                break
        raise AssertionError(f"no prompt on the screen:\n{self.text()}")

    def clear(self) -> None:
        """Forget what is on screen (the program's output continues below)."""
        self.screen.reset()

    # -- typing -------------------------------------------------------------------------------
    def type(self, text: str) -> None:
        self.child.send(text)

    def enter(self, text: str = "") -> None:
        self.child.send(text + "\r")

    def ctrl(self, key: str) -> None:
        self.child.sendcontrol(key)

    def wait_exit(self) -> int:
        end = time.monotonic() + TIMEOUT
        while self.child.isalive() and time.monotonic() < end:
            self.pump(0.1)
        self.pump()
        assert not self.child.isalive(), f"still running:\n{self.text()}"
        self.child.close()
        return int(self.child.exitstatus if self.child.exitstatus is not None else -1)

    def close(self) -> None:
        if self.child.isalive():
            self.child.terminate(force=True)


@pytest.fixture
def chat_home(fresh_home: Path) -> Path:
    """A data directory with the digest indexed and no saved conversations or chat history."""
    for name in ("logs.db", "chat-history"):
        (fresh_home / name).unlink(missing_ok=True)
    return fresh_home


@pytest.fixture
def terminals() -> Iterator[list[Terminal]]:
    opened: list[Terminal] = []
    yield opened
    for term in opened:
        term.close()


def logged(home: Path) -> list[dict[str, object]]:
    r = subprocess.run(
        [*CLI, "logs", "-n", "0", "--json"],
        env={**os.environ, "ASSISTANT_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert r.returncode == 0, r.stderr
    return list(reversed(json.loads(r.stdout)))  # oldest first


def sources_block(screen: str) -> list[str]:
    """The entries of the last Sources list on the screen."""
    lines = screen.splitlines()
    start = max(i for i, line in enumerate(lines) if line.strip() == "Sources")
    entries = []
    for line in lines[start + 1 :]:
        if not re.match(r"^\d+\. ", line):
            break
        entries.append(line)
    return entries


def test_ask_sources_followup_new_and_exit(chat_home: Path, terminals: list[Terminal]) -> None:
    term = Terminal(chat_home, "chat", "--llm", "extractive")
    terminals.append(term)
    term.wait_for(r"Chatting about 119 papers · extractive")
    term.wait_for_prompt()

    term.enter("What is 3D Gaussian splatting?")
    screen = term.wait_for(r"extractive · (?:<?\d+ ms|\d+\.\d s)")
    assert sources_block(screen) == [f"1. {GS_TITLE}"]
    term.wait_for_prompt()

    # /sources: the same paper with the evidence the answer drew on.
    term.clear()
    term.enter("/sources")
    screen = term.wait_for(r"1\. " + re.escape(GS_TITLE))
    term.wait_for_prompt()
    first = logged(chat_home)[0]
    snippet = first["citations"][0]["snippet"]  # type: ignore[index]
    words = " ".join(term.text().split())
    assert " ".join(str(snippet).split())[:60] in words

    # A follow-up is read in the light of the earlier question ...
    term.clear()
    term.enter("what about its memory use?")
    screen = term.wait_for(r"extractive · (?:<?\d+ ms|\d+\.\d s)")
    assert sources_block(screen) == [f"1. {GS_TITLE}"]
    term.wait_for_prompt()

    # ... and after /new the same words stand alone.
    term.clear()
    term.enter("/new")
    term.wait_for("New conversation")
    term.wait_for_prompt()
    term.clear()
    term.enter("what about its memory use?")
    screen = term.wait_for(r"extractive · (?:<?\d+ ms|\d+\.\d s)")
    assert all(GS_TITLE not in entry for entry in sources_block(screen))
    term.wait_for_prompt()

    term.enter("/exit")
    assert term.wait_exit() == 0

    log = logged(chat_home)
    assert [e["question"] for e in log] == [
        "What is 3D Gaussian splatting?",
        "what about its memory use?",
        "what about its memory use?",
    ]
    assert log[0]["conversation_id"] == log[1]["conversation_id"] != log[2]["conversation_id"]
    # the follow-up was answered about the paper the first answer cited; after /new it was not
    assert GS_TITLE in str(log[1]["standalone_question"])
    assert GS_TITLE not in str(log[2]["standalone_question"])
    assert log[0]["backend"] == "extractive" and log[0]["citations"][0]["title"] == GS_TITLE  # type: ignore[index]


def test_continue_resumes_the_last_conversation_and_history_recalls_questions(
    chat_home: Path, terminals: list[Terminal]
) -> None:
    term = Terminal(chat_home, "chat", "--llm", "extractive")
    terminals.append(term)
    term.wait_for_prompt()
    term.enter("What is 3D Gaussian splatting?")
    term.wait_for(r"extractive · (?:<?\d+ ms|\d+\.\d s)")
    term.wait_for_prompt()
    term.ctrl("d")  # Ctrl-D leaves
    assert term.wait_exit() == 0
    assert "What is 3D Gaussian splatting?" in (chat_home / "chat-history").read_text()

    term = Terminal(chat_home, "chat", "-c", "--llm", "extractive")
    terminals.append(term)
    term.wait_for(r"Continuing conversation \S+ \(1 earlier question; last: 'What is 3D")
    term.wait_for_prompt()
    # The up arrow recalls the earlier question from the history file, ready to edit.
    term.type("\x1b[A")
    term.wait_for(r"> What is 3D Gaussian splatting\?")
    term.ctrl("u")  # line editing: clear what is before the cursor
    term.pump(0.3)
    term.enter("what about its memory use?")
    screen = term.wait_for(r"extractive · (?:<?\d+ ms|\d+\.\d s)")
    assert sources_block(screen) == [f"1. {GS_TITLE}"]
    term.wait_for_prompt()
    term.enter("/exit")
    assert term.wait_exit() == 0

    log = logged(chat_home)
    assert [e["question"] for e in log] == [
        "What is 3D Gaussian splatting?",
        "what about its memory use?",
    ]
    assert log[0]["conversation_id"] == log[1]["conversation_id"]


def test_multiline_input_unknown_commands_and_bad_settings(
    chat_home: Path, terminals: list[Terminal]
) -> None:
    term = Terminal(chat_home, "chat", "--llm", "extractive")
    terminals.append(term)
    term.wait_for_prompt()

    term.enter("/sorces")
    term.wait_for(r"Unknown command /sorces\. Did you mean /sources\? Type /help")
    term.wait_for_prompt()
    term.enter("/k 0")
    term.wait_for(r"/k needs a whole number from 1 to 100")
    term.wait_for_prompt()
    term.enter("/llm gpt-17")
    term.wait_for(r"Unknown backend 'gpt-17'")
    term.wait_for_prompt()
    term.enter("/llm openai")  # no API key and no server URL in this environment
    term.wait_for(r"Cannot use openai: .*API key")
    term.wait_for_prompt()
    term.enter("/llm")
    term.wait_for(r"Backend: extractive")
    term.wait_for_prompt()
    term.enter("/help")
    term.wait_for(r"/papers \[filter\]")
    term.wait_for_prompt()
    term.clear()
    term.enter("/papers gaussian splatting")
    screen = term.wait_for(r"1 paper matching 'gaussian splatting'")
    assert GS_TITLE in screen
    term.wait_for_prompt()

    # Alt+Enter (Esc, Enter) starts a second line; Enter sends both.
    term.type("What is 3D Gaussian")
    term.type("\x1b\r")
    term.type("splatting?")
    term.wait_for(r"… splatting\?")
    term.enter()
    term.wait_for(r"extractive · (?:<?\d+ ms|\d+\.\d s)")
    term.wait_for_prompt()
    term.enter("/exit")
    assert term.wait_exit() == 0
    assert [e["question"] for e in logged(chat_home)] == ["What is 3D Gaussian\nsplatting?"]
