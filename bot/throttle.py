"""Per-user flood control: a token bucket per user, in memory, bounded in size.

`AIORateLimiter` only throttles calls that carry a `chat_id`, so it never slows
`answerInlineQuery`; one reader holding a key down must not take the search thread from
everyone else. Kept per process on purpose: behind a load balancer each replica limits what
reaches it, which bounds the total without shared state.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable


class Throttle:
    """Allows `burst` events at once per key, refilled at `rate` per second."""

    def __init__(
        self,
        rate: float,
        burst: float,
        *,
        max_keys: int = 50_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = rate
        self.burst = burst
        self._max_keys = max_keys
        self._clock = clock
        self._buckets: OrderedDict[int, tuple[float, float]] = OrderedDict()

    def allow(self, key: int) -> bool:
        now = self._clock()
        tokens, last = self._buckets.pop(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        allowed = tokens >= 1.0
        if allowed:
            tokens -= 1.0
        self._buckets[key] = (tokens, now)  # most recently seen last
        if len(self._buckets) > self._max_keys:
            self._buckets.popitem(last=False)  # forget the longest-idle user (a full bucket)
        return allowed

    def wait_time(self, key: int) -> float:
        """Seconds until `key` may have one more event (0 if it may now)."""
        tokens, last = self._buckets.get(key, (self.burst, self._clock()))
        tokens = min(self.burst, tokens + (self._clock() - last) * self.rate)
        return 0.0 if tokens >= 1.0 else (1.0 - tokens) / self.rate
