"""Answer backends, one module each; ``resolve`` picks one from the settings."""

from __future__ import annotations

from assistant.backends.base import AnswerRequest, Backend, BackendError, Draft
from assistant.settings import Settings


def resolve(settings: Settings) -> Backend:
    """The backend the settings ask for. ``auto`` is extractive until an LLM backend is configured."""
    from assistant.backends.extractive import ExtractiveBackend

    return ExtractiveBackend()


__all__ = ["AnswerRequest", "Backend", "BackendError", "Draft", "resolve"]
