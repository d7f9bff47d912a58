"""Non-interactive use: ``… | assistant chat`` answers each line; ``assistant ask -c`` continues."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CLI = [sys.executable, "-c", "from assistant.cli import main; main()"]
GS_TITLE = "3D Gaussian Splatting for Real-Time Radiance Field Rendering"


def run(home: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update(ASSISTANT_HOME=str(home), ASSISTANT_LLM="extractive", TERM="xterm-256color")
    return subprocess.run(
        [*CLI, *args], env=env, input=stdin, capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def home(fresh_home: Path) -> Path:
    for name in ("logs.db", "chat-history"):
        (fresh_home / name).unlink(missing_ok=True)
    return fresh_home


def sources(stdout: str) -> list[list[str]]:
    """Each Sources list in the output, as its entries."""
    blocks = []
    lines = stdout.splitlines()
    for i, line in enumerate(lines):
        if line == "Sources":
            entries = []
            for entry in lines[i + 1 :]:
                if not entry[:1].isdigit():
                    break
                entries.append(entry)
            blocks.append(entries)
    return blocks


def test_piped_chat_answers_each_line_with_plain_output(home: Path) -> None:
    script = "\n".join(
        [
            "What is 3D Gaussian splatting?",
            "",
            "/sources",
            "what about its memory use?",
            "/nope",
            "/exit",
            "What is MIO?",  # after /exit: never asked
        ]
    )
    r = run(home, "chat", stdin=script + "\n")
    assert r.returncode == 0, r.stderr
    assert "\x1b" not in r.stdout and "\x1b" not in r.stderr  # not a terminal: no colours
    assert sources(r.stdout) == [[f"1. {GS_TITLE}"], [f"1. {GS_TITLE}"]]
    assert r.stdout.count(f"1. {GS_TITLE}") == 3  # twice in Sources, once in /sources
    assert r.stderr.count("extractive · ") == 2  # the status lines go to stderr
    assert "Unknown command /nope" in r.stderr
    assert "Traceback" not in r.stderr

    r = run(home, "logs", "-n", "0", "--json")
    questions = [e["question"] for e in reversed(json.loads(r.stdout))]
    assert questions == ["What is 3D Gaussian splatting?", "what about its memory use?"]


def test_piped_chat_runs_commands_honours_no_log_and_rejects_bad_settings(home: Path) -> None:
    r = run(home, "chat", "--llm", "extractive", "--no-log", stdin="/papers splatting\n")
    assert r.returncode == 0 and GS_TITLE in r.stdout
    assert not (home / "logs.db").exists()
    for args in (("chat", "-k", "0"), ("chat", "--llm", "openai"), ("ask", "--llm", "openai")):
        # A bad top_k; the openai backend with no API key and no server URL.
        r = (
            run(home, *args, stdin="What is MIO?\n")
            if args[0] == "chat"
            else run(home, *args, "q?")
        )
        assert r.returncode == 2, (args, r.stderr)
        assert r.stderr.startswith("Error:") and "Traceback" not in r.stderr


def test_ask_continue_uses_the_last_conversation(home: Path) -> None:
    first = run(home, "ask", "What is 3D Gaussian splatting?")
    assert first.returncode == 0, first.stderr
    follow = run(home, "ask", "-c", "what about its memory use?")
    assert follow.returncode == 0, follow.stderr
    assert sources(follow.stdout) == [[f"1. {GS_TITLE}"]]
    alone = run(home, "ask", "what about its memory use?")  # no -c: a new conversation
    assert all(GS_TITLE not in e for block in sources(alone.stdout) for e in block)

    log = list(reversed(json.loads(run(home, "logs", "-n", "0", "--json").stdout)))
    assert [e["question"] for e in log] == [
        "What is 3D Gaussian splatting?",
        "what about its memory use?",
        "what about its memory use?",
    ]
    assert log[0]["conversation_id"] == log[1]["conversation_id"] != log[2]["conversation_id"]

    # chat -c picks up the one-shot conversation too.
    r = run(home, "chat", "-c", stdin="and how is it optimized?\n")
    assert r.returncode == 0, r.stderr
    last = json.loads(run(home, "logs", "-n", "1", "--json").stdout)[0]
    assert last["conversation_id"] == log[2]["conversation_id"]


def test_ask_json_is_exactly_the_answer_contract(home: Path) -> None:
    from assistant import Assistant

    r = run(home, "ask", "--json", "What is 3D Gaussian splatting?")
    assert r.returncode == 0, r.stderr
    printed = json.loads(r.stdout)
    expected = Assistant(home=home, llm="extractive").ask("What is 3D Gaussian splatting?")
    wanted = expected.to_dict()
    assert list(printed) == list(wanted)
    for volatile in ("timings_ms",):
        printed.pop(volatile), wanted.pop(volatile)
    assert printed == json.loads(json.dumps(wanted))


def test_a_failing_question_is_reported_and_the_chat_goes_on(home: Path) -> None:
    # Nothing listens on this port: every question fails; commands still work.
    script = "What is MIO?\n/k 3\nWhat is MIO?\n"
    r = run(home, "--chroma-url", "http://127.0.0.1:9", "chat", stdin=script)
    assert r.returncode == 1  # a script can tell that questions failed
    errors = [line for line in r.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 2 and all("cannot open the paper store" in e for e in errors)
    assert "Papers retrieved per question: 3" in r.stdout
    assert "Traceback" not in r.stderr
