"""Test doubles that speak real protocols on 127.0.0.1.

``fake_openai`` is a pytest fixture: put ``pytest_plugins = ["tests.fakes"]`` in a test module
and take ``fake_openai`` as an argument. See ``tests/fakes/openai_server.py`` for the script API.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.openai_server import FakeOpenAI, Step


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """A fresh fake OpenAI-compatible server for one test; stopped afterwards."""
    with FakeOpenAI() as server:
        yield server


__all__ = ["FakeOpenAI", "Step", "fake_openai"]
