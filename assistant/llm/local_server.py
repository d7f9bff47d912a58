"""An embedded llama.cpp server (``xllamacpp``) on 127.0.0.1, spoken to like any OpenAI server.

Each process starts its own server on a free port with a random API key (nothing is shared
between processes); start-up waits for ``/health``; the server stops on ``stop()``, on leaving
the context manager, or at interpreter exit.
"""

from __future__ import annotations

import atexit
import json
import secrets
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

START_TIMEOUT = 180.0  # seconds for the model to load (1.1 GB from disk on a slow machine)


class LocalServerError(RuntimeError):
    """The embedded server could not be started."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LocalServer:
    def __init__(self, model_path: Path, *, alias: str, threads: int = 2, ctx: int = 2048) -> None:
        self.model_path = model_path
        self.alias = alias
        self.threads = threads
        self.ctx = ctx
        self.api_key = secrets.token_urlsafe(24)
        self._server: Any = None
        self._url: str | None = None

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible base URL (``http://127.0.0.1:<port>/v1``)."""
        if self._url is None:
            raise LocalServerError("the local model server is not running")
        return f"{self._url}/v1"

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> LocalServer:
        if self._server is not None:
            return self
        try:
            import xllamacpp
        except ImportError as exc:
            raise LocalServerError(
                "the local backend needs xllamacpp; run: pip install 'paper-qa-assistant[local]'"
            ) from exc
        if not self.model_path.is_file():
            raise LocalServerError(f"model file not found: {self.model_path}")
        params = xllamacpp.CommonParams()
        params.model.path = str(self.model_path)
        params.model_alias = {self.alias}
        params.hostnames = ["127.0.0.1"]
        params.port = free_port()
        params.api_keys = [self.api_key]
        params.n_ctx = self.ctx
        params.n_parallel = 1
        params.ui = False
        params.cpuparams.n_threads = self.threads
        params.cpuparams_batch.n_threads = self.threads
        params.verbosity = -1  # llama.cpp's own log lines would clutter the terminal
        try:
            self._server = xllamacpp.Server(params)
        except Exception as exc:
            raise LocalServerError(f"the local model server failed to start: {exc}") from exc
        self._url = str(self._server.listening_address).rstrip("/")
        atexit.register(self.stop)
        self._wait_healthy()
        return self

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        last = ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self._url}/health", timeout=2) as resp:
                    if resp.status == 200 and json.loads(resp.read()).get("status") == "ok":
                        return
            except (urllib.error.URLError, OSError, ValueError) as exc:
                last = str(exc)
            time.sleep(0.1)
        self.stop()
        raise LocalServerError(f"the local model server did not become healthy: {last}")

    def stop(self) -> None:
        server, self._server = self._server, None
        self._url = None
        if server is not None:
            del server  # xllamacpp stops its HTTP loop when the Server object is freed
            atexit.unregister(self.stop)

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
