"""The ``local`` backend: an embedded model (default: the packaged Qwen2.5-Coder 1.5B).

The model runs in an in-process llama.cpp server (``assistant.llm.local_server``) and is
asked through the same ``ChatOpenAI`` chain as the ``openai`` backend. The server starts on
first use (a few seconds to load) and stops when the backend is closed or Python exits.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.answering.request import AnswerRequest, BackendUnavailable, Draft
from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.llm.chain import ChatAnswerer
    from assistant.llm.local_server import LocalServer


def local_available(settings: Settings) -> bool:
    """True when the embedded runtime and a model (configured or packaged) are installed."""
    import importlib.util

    from assistant.llm import weights

    if importlib.util.find_spec("xllamacpp") is None:
        return False
    if settings.local_model_path is not None:
        return settings.local_model_path.is_file()
    return weights.available()


class LocalBackend:
    name = "local"

    def __init__(self, settings: Settings) -> None:
        import importlib.util

        if importlib.util.find_spec("xllamacpp") is None:
            raise BackendUnavailable(
                "the local backend is not installed; run: pip install 'paper-qa-assistant[local]'"
            )
        self.settings = settings
        self._lock = threading.Lock()  # front ends that answer in threads start one server
        self._server: LocalServer | None = None
        self._answerer: ChatAnswerer | None = None

    def model_path(self) -> Path:
        from assistant.llm import weights

        if self.settings.local_model_path is not None:
            if not self.settings.local_model_path.is_file():
                raise BackendUnavailable(f"no model file at {self.settings.local_model_path}")
            return self.settings.local_model_path
        try:
            return weights.ensure_model(self.settings.models_dir)
        except weights.WeightsError as exc:
            raise BackendUnavailable(str(exc)) from None

    @property
    def answerer(self) -> ChatAnswerer:
        with self._lock:
            return self._start()

    def _start(self) -> ChatAnswerer:
        if self._answerer is None:
            from assistant.backends.openai_chat import chat_model
            from assistant.llm.local_server import LocalServer, LocalServerError

            path = self.model_path()
            alias = path.stem.lower()
            server = LocalServer(
                path, alias=alias, threads=self.settings.local_threads, ctx=self.settings.local_ctx
            )
            try:
                server.start()
            except LocalServerError as exc:
                raise BackendUnavailable(str(exc)) from None
            self._server = server
            answerer = chat_model(
                self.settings, base_url=server.base_url, api_key=server.api_key, model=alias
            )
            answerer.backend_name = "local"
            self._answerer = answerer
        return self._answerer

    def stream(self, request: AnswerRequest) -> Iterator[str | Draft]:
        return self.answerer.stream(request)

    def close(self) -> None:
        """Stop the embedded server (also done at interpreter exit)."""
        with self._lock:
            if self._server is not None:
                self._server.stop()
            self._server = None
            self._answerer = None
