"""Web API retries within limits: 429 (honouring Retry-After, capped), 5xx and dropped connections.

slack_sdk's own rate-limit handler sleeps whatever Retry-After says and only knows 500/503;
a bot thread must not sleep for minutes, so waits are capped and give up instead.
"""

from __future__ import annotations

import random
import time

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

MAX_RETRIES = 3
MAX_RETRY_AFTER = 20.0  # seconds; a longer Retry-After is not waited for
SERVER_ERRORS = frozenset({500, 502, 503, 504})


def retry_after_seconds(response: HttpResponse) -> float | None:
    for name, values in response.headers.items():
        if name.lower() == "retry-after" and values:
            try:
                return max(float(values[0]), 0.0)
            except ValueError:
                return None
    return None


class CappedRateLimitRetryHandler(RetryHandler):
    """Retries a 429 after its Retry-After (plus jitter), unless that wait is over the cap."""

    def __init__(self, max_retry_count: int = MAX_RETRIES, max_wait: float = MAX_RETRY_AFTER):
        super().__init__(max_retry_count)
        self.max_wait = max_wait

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        wait = retry_after_seconds(response)
        return wait is None or wait <= self.max_wait

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        wait = retry_after_seconds(response) if response is not None else None
        state.next_attempt_requested = True
        time.sleep((1.0 if wait is None else wait) + random.uniform(0, 0.25))
        state.increment_current_attempt()


class ServerErrorRetryHandler(RetryHandler):
    """Retries 500/502/503/504 with exponential backoff."""

    def __init__(self, max_retry_count: int = MAX_RETRIES, backoff: float = 0.5):
        super().__init__(max_retry_count, BackoffRetryIntervalCalculator(backoff_factor=backoff))

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and response.status_code in SERVER_ERRORS


def retry_handlers(max_retries: int = MAX_RETRIES, backoff: float = 0.5) -> list[RetryHandler]:
    return [
        ConnectionErrorRetryHandler(max_retry_count=max_retries),
        CappedRateLimitRetryHandler(max_retry_count=max_retries),
        ServerErrorRetryHandler(max_retry_count=max_retries, backoff=backoff),
    ]


def make_client(token: str, base_url: str, timeout: int = 30) -> WebClient:
    """A WebClient for ``base_url`` that retries within limits (see module docstring)."""
    return WebClient(
        token=token, base_url=base_url, timeout=timeout, retry_handlers=retry_handlers()
    )


def ensure_retries(client: WebClient) -> None:
    """Give a caller's client our retry policy unless it already handles 429 and 5xx itself."""
    kinds = {type(h).__name__ for h in client.retry_handlers}
    if not kinds & {"RateLimitErrorRetryHandler", "CappedRateLimitRetryHandler"}:
        client.retry_handlers.append(CappedRateLimitRetryHandler())
    if "ServerErrorRetryHandler" not in kinds:
        client.retry_handlers.append(ServerErrorRetryHandler())
