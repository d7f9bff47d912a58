"""Answer backends, one module each; ``resolve`` picks one from the settings."""

from __future__ import annotations

from assistant.answering.request import (
    AnswerRequest,
    Backend,
    BackendError,
    BackendUnavailable,
    Draft,
)
from assistant.settings import Settings

# Whether ``auto`` picks the embedded model when it is installed. Decided by measurement
# (benchmarks/llm_dev.py, docs/llm.md): only if its verified answers match extractive's.
AUTO_PREFERS_LOCAL = False


def auto_choice(settings: Settings) -> str:
    """What ``auto`` means here: a configured OpenAI-compatible endpoint, else local, else extractive.

    Only an explicit endpoint counts (a base URL, or a key given to this tool as
    ASSISTANT_OPENAI_API_KEY): a stray OPENAI_API_KEY in the shell never triggers a paid call.
    """
    import os

    if settings.openai_base_url or os.environ.get("OPENAI_BASE_URL") or settings.openai_api_key:
        return "openai"
    if AUTO_PREFERS_LOCAL:
        from assistant.backends.local import local_available

        if local_available(settings):
            return "local"
    return "extractive"


def resolve(settings: Settings) -> Backend:
    """The backend the settings ask for (``auto``: see ``auto_choice``)."""
    choice = auto_choice(settings) if settings.llm == "auto" else settings.llm
    if choice == "openai":
        from assistant.backends.openai_chat import OpenAIBackend

        return OpenAIBackend(settings)
    if choice == "local":
        from assistant.backends.local import LocalBackend

        return LocalBackend(settings)
    from assistant.backends.extractive import ExtractiveBackend

    return ExtractiveBackend()


__all__ = [
    "AnswerRequest",
    "Backend",
    "BackendError",
    "BackendUnavailable",
    "Draft",
    "auto_choice",
    "resolve",
]
