"""What the assistant writes is its owner's alone, and only under the data directory.

The store and the conversation log (every question asked) are created owner-only, whatever
the umask; nothing is written under the user's home outside it (ONNX Runtime's telemetry
would write a device id and an event database under ~/.cache/Microsoft).
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from tests.store_checks import write_papers


def test_data_directory_is_owner_only_and_home_stays_clean(tmp_path: Path) -> None:
    user_home = tmp_path / "user"
    user_home.mkdir()
    data = tmp_path / "data" / "assistant"
    papers = write_papers(tmp_path / "mine.jsonl", "prv", 3)
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(user_home),
        "ASSISTANT_HOME": str(data),
        "NO_COLOR": "1",
        "ASSISTANT_LLM": "extractive",
    }
    for args in (["ingest", str(papers)], ["ask", "What does PRV Study 1 introduce?"]):
        r = subprocess.run(
            [sys.executable, "-m", "assistant", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            preexec_fn=lambda: os.umask(0o022),  # a usual umask: world-readable by default
        )
        assert r.returncode == 0, r.stderr

    assert list(user_home.iterdir()) == [], "written outside the data directory"
    assert (data / "logs.db").exists() and (data / "chroma" / "chroma.sqlite3").exists()
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for folder in (data / "chroma", data / "locks"):
        for path in [folder, *folder.rglob("*")]:
            mode = stat.S_IMODE(path.stat().st_mode)
            assert mode & 0o077 == 0, f"{path} is {oct(mode)}"
    assert stat.S_IMODE((data / "logs.db").stat().st_mode) == 0o600


def test_a_log_an_older_version_left_readable_is_made_owner_only(tmp_path: Path) -> None:
    import sqlite3
    from contextlib import closing

    from assistant.conversations import ConversationLog

    path = tmp_path / "logs.db"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE older (x)")
    os.chmod(path, 0o644)
    assert ConversationLog(path).recent() == []
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
