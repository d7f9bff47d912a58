"""The ``openai`` backend: any OpenAI-compatible chat server through ``langchain-openai``.

OpenAI itself, or Ollama, vLLM, a llama.cpp server, LM Studio or a gateway via a base URL.
The key and URL come from the settings, else ``OPENAI_API_KEY`` / ``OPENAI_BASE_URL``. The
``openai`` client retries 429 (honouring Retry-After), 5xx, timeouts and connection errors
``llm_max_retries`` times with exponential backoff.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import cached_property
from typing import TYPE_CHECKING

from assistant.answering.request import AnswerRequest, BackendUnavailable, Draft
from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.llm.chain import ChatAnswerer

NO_KEY = "not-needed"  # local OpenAI-compatible servers accept any key


def openai_endpoint(settings: Settings) -> tuple[str | None, str | None]:
    """The configured (base URL, API key), from the settings first, then the OPENAI_* env vars."""
    base_url = settings.openai_base_url or os.environ.get("OPENAI_BASE_URL") or None
    api_key = settings.openai_api_key or os.environ.get("OPENAI_API_KEY") or None
    return base_url, api_key


def chat_model(
    settings: Settings, *, base_url: str | None, api_key: str, model: str
) -> ChatAnswerer:
    """A ChatAnswerer over ``ChatOpenAI`` with the settings' timeout, retries and answer length."""
    from langchain_openai import ChatOpenAI

    from assistant.llm.chain import ChatAnswerer

    llm = ChatOpenAI(
        model=model,
        base_url=base_url,
        api_key=api_key,  # type: ignore[arg-type]
        timeout=settings.llm_timeout,
        max_retries=settings.llm_max_retries,
        max_tokens=settings.max_tokens,  # type: ignore[call-arg]
        temperature=0.0,
        stream_usage=True,
    )
    return ChatAnswerer(llm, label=model, backend_name="openai")


class OpenAIBackend:
    name = "openai"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        base_url, api_key = openai_endpoint(settings)
        if not api_key and not base_url:
            raise BackendUnavailable(
                "the openai backend needs an API key (OPENAI_API_KEY or ASSISTANT_OPENAI_API_KEY) "
                "or an OpenAI-compatible server URL (OPENAI_BASE_URL or ASSISTANT_OPENAI_BASE_URL)"
            )
        self.base_url = base_url
        self._api_key = api_key or NO_KEY

    @cached_property
    def answerer(self) -> ChatAnswerer:
        return chat_model(
            self.settings,
            base_url=self.base_url,
            api_key=self._api_key,
            model=self.settings.openai_model,
        )

    def stream(self, request: AnswerRequest) -> Iterator[str | Draft]:
        return self.answerer.stream(request)
