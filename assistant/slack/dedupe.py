"""Remember what was already answered, so Slack's retries and double deliveries answer once.

Slack re-sends an event (``X-Slack-Retry-Num``, same ``event_id``) when it thinks the first
delivery was not acknowledged, and a DM mention can arrive as two events for one message;
both are keyed here for an hour, in a bounded, thread-safe memory.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable


class SeenKeys:
    """A bounded set with expiry. ``first_time(key)`` is True once per key per ``ttl``."""

    def __init__(
        self,
        ttl: float = 3600.0,
        max_size: int = 20_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.max_size = max_size
        self._clock = clock
        self._seen: OrderedDict[Hashable, float] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, key: Hashable) -> bool:
        now = self._clock()
        with self._lock:
            self._expire(now)
            if key in self._seen:
                return False
            self._seen[key] = now
            while len(self._seen) > self.max_size:
                self._seen.popitem(last=False)
            return True

    def _expire(self, now: float) -> None:
        while self._seen:
            key, at = next(iter(self._seen.items()))
            if now - at < self.ttl:
                break
            del self._seen[key]

    def __len__(self) -> int:
        with self._lock:
            return len(self._seen)
