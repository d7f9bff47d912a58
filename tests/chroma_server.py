"""A real ``chroma run`` server on 127.0.0.1 for the server-mode tests (started, awaited, stopped).

If it cannot start, tests fail (they do not skip) when ``CI=true``: server mode is part of
what CI guarantees.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

_STARTUP_SECONDS = 60


def chroma_executable() -> str | None:
    """The ``chroma`` CLI installed with the chromadb package, next to this Python if possible."""
    beside = Path(sys.executable).with_name("chroma")
    return str(beside) if beside.exists() else shutil.which("chroma")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def heartbeat(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2) as resp:
            return bool(resp.status == 200)
    except OSError:
        return False


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"Chroma server mode is required in CI: {reason}")
    pytest.skip(reason)


@contextmanager
def chroma_server(path: Path, log: Path, *, kill: bool = False) -> Iterator[str]:
    """Run ``chroma run --path PATH --host 127.0.0.1 --port FREE``; yield its URL once it answers.

    On leaving, the server is stopped (SIGTERM), or with ``kill`` killed (SIGKILL) at once.
    """
    exe = chroma_executable()
    if exe is None:
        _unavailable("the `chroma` CLI (installed with chromadb) is not on PATH")
        raise AssertionError("unreachable")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("wb") as log_file:
        proc = subprocess.Popen(
            [exe, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + _STARTUP_SECONDS
            while not heartbeat(url):
                if proc.poll() is not None or time.monotonic() > deadline:
                    tail = log.read_text(errors="replace")[-800:]
                    _unavailable(f"`chroma run` did not start on port {port}: {tail}")
                time.sleep(0.2)
            yield url
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
