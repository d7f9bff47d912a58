"""The conversation log (SQLite in the data directory) and ``assistant logs``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.conversations import ConversationLog, log_path, new_conversation_id

CLI = [sys.executable, "-c", "from assistant.cli import main; main()"]
GS_TITLE = "3D Gaussian Splatting for Real-Time Radiance Field Rendering"


def run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ASSISTANT_HOME": str(home), "NO_COLOR": "1"}
    return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def answers(built_home: Path) -> list[object]:
    """Real answers: one citing a paper, one follow-up, one about something else."""
    from assistant import Assistant

    a = Assistant(home=built_home, llm="extractive")
    first = a.ask("What is 3D Gaussian splatting?")
    follow = a.ask("what about its memory use?", history=[first.question])
    other = a.ask("What is MIO?")
    return [first, follow, other]


def test_exchanges_round_trip_newest_first(tmp_path: Path, answers: list[object]) -> None:
    first, follow, other = answers
    log = ConversationLog(tmp_path / "logs.db")
    one, two = new_conversation_id(), new_conversation_id()
    assert one != two
    log.record(one, first)  # type: ignore[arg-type]
    log.record(one, follow)  # type: ignore[arg-type]
    log.record(two, other)  # type: ignore[arg-type]

    assert log.last_conversation_id() == two
    assert [e.question for e in log.exchanges(one)] == [
        "What is 3D Gaussian splatting?",
        "what about its memory use?",
    ]
    recent = log.recent(limit=None)
    assert [e.question for e in recent] == [
        "What is MIO?",
        "what about its memory use?",
        "What is 3D Gaussian splatting?",
    ]
    assert [e.question for e in log.recent(limit=1)] == ["What is MIO?"]
    assert [e.conversation_id for e in log.recent(None, conversation_id=one)] == [one, one]

    saved = log.exchanges(one)[0]
    assert saved.answer == first.text  # type: ignore[attr-defined]
    assert saved.backend == "extractive" and saved.model == first.model  # type: ignore[attr-defined]
    assert [c.title for c in saved.citations] == [GS_TITLE]
    assert saved.citations[0].snippet == first.citations[0].snippet  # type: ignore[attr-defined]
    assert saved.timings_ms["total"] > 0
    assert (saved.prompt_tokens, saved.completion_tokens) == (
        first.usage.prompt_tokens,  # type: ignore[attr-defined]
        first.usage.completion_tokens,  # type: ignore[attr-defined]
    )
    # the follow-up was answered about the paper the previous answer cited
    assert GS_TITLE in str(log.exchanges(one)[1].standalone_question)


def test_reading_an_absent_log_creates_nothing(tmp_path: Path) -> None:
    log = ConversationLog(tmp_path / "no-such-dir" / "logs.db")
    assert log.last_conversation_id() is None
    assert log.recent() == [] and log.exchanges("x") == []
    assert not (tmp_path / "no-such-dir").exists()


def test_the_log_lives_in_the_data_directory(tmp_path: Path) -> None:
    from assistant.settings import Settings

    assert log_path(Settings(home=tmp_path)) == tmp_path / "logs.db"


def test_logs_command_text_json_count_and_errors(tmp_path: Path, answers: list[object]) -> None:
    home = tmp_path / "home"
    r = run(home, "logs")
    assert r.returncode == 0 and r.stdout == "" and "Nothing logged yet" in r.stderr

    first, follow, other = answers
    log = ConversationLog(home / "logs.db")
    cid = new_conversation_id()
    log.record(cid, first)  # type: ignore[arg-type]
    log.record(cid, follow)  # type: ignore[arg-type]
    log.record(new_conversation_id(), other)  # type: ignore[arg-type]

    r = run(home, "logs", "-n", "2")
    assert r.returncode == 0, r.stderr
    text = r.stdout
    assert text.index("What is MIO?") < text.index("what about its memory use?")
    assert "What is 3D Gaussian splatting?\n" not in text  # only two exchanges
    assert f"## Sources\n\n1. {GS_TITLE}" in text
    assert "## Answer" in text and "extractive" in text and "\x1b" not in text

    r = run(home, "logs", "-n", "0", "--json")
    entries = json.loads(r.stdout)
    assert [e["question"] for e in entries] == [
        "What is MIO?",
        "what about its memory use?",
        "What is 3D Gaussian splatting?",
    ]
    assert entries[2]["citations"][0]["title"] == GS_TITLE
    assert set(entries[0]) >= {"conversation_id", "answer", "backend", "timings_ms", "usage"}

    r = run(home, "logs", "--cid", cid, "--json")
    assert [e["conversation_id"] for e in json.loads(r.stdout)] == [cid, cid]

    r = run(home, "logs", "--cid", "nope")
    assert r.returncode == 2 and r.stderr.startswith("Error:") and "Traceback" not in r.stderr
    r = run(home, "logs", "-n", "-1")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert run(home, "logs", "--path").stdout.strip() == str(home / "logs.db")
