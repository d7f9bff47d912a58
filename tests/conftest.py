"""Shared fixtures: a real store with the bundled digest, built once per test session.

Tests that change the store get their own copy (``fresh_home``), so they never interfere.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DIGEST = REPO / "data" / "trending-papers-digest.txt"


@pytest.fixture(scope="session")
def built_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory whose store holds the bundled digest (treat as read-only)."""
    from assistant import Assistant

    home = tmp_path_factory.mktemp("home-built")
    Assistant(home=home, llm="extractive").ensure_index()
    return home


@pytest.fixture
def fresh_home(built_home: Path, tmp_path: Path) -> Path:
    """A private copy of ``built_home`` that a test may modify."""
    home = tmp_path / "home"
    shutil.copytree(built_home, home)
    return home


@pytest.fixture
def empty_home(tmp_path: Path) -> Path:
    """A data directory with an empty store (nothing ingested, no auto-ingest)."""
    return tmp_path / "empty-home"


@pytest.fixture
def assistant(built_home: Path) -> Iterator[object]:
    from assistant import Assistant

    yield Assistant(home=built_home, llm="extractive")


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's own settings, keys or data directory."""
    import os

    for name in list(os.environ):
        if name.startswith(("ASSISTANT_", "OPENAI_", "SLACK_")):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ASSISTANT_HOME", str(tmp_path / "default-home"))


@pytest.fixture(scope="session")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a real ``chroma run`` server on 127.0.0.1, shared by the session's tests."""
    from tests.chroma_server import chroma_server

    folder = tmp_path_factory.mktemp("chroma-server")
    with chroma_server(folder / "data", folder / "server.log") as url:
        yield url
