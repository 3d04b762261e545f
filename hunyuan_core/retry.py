"""When and how long to wait before a retry. The clock, sleep and randomness are injectable."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

from hunyuan_core.errors import RETRYABLE_CODES

RETRY_STATUSES = frozenset({408, 409, 429})


def _default_sleep(seconds: float) -> None:
    time.sleep(seconds)


@dataclass
class RetryPolicy:
    """Exponential backoff with jitter, honouring ``retry-after-ms`` / ``retry-after`` (capped)."""

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    #: The longest server-asked wait we honour; past it we fall back to our own backoff.
    max_retry_after: float = 60.0
    sleep: Callable[[float], None] = _default_sleep
    async_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    random: Callable[[], float] = random.random
    clock: Callable[[], float] = field(default=time.time)

    def should_retry(
        self, status_code: int, headers: Mapping[str, str], code: str | None = None
    ) -> bool:
        """Retry 408/409/429/5xx and Hunyuan's transient codes; ``x-should-retry`` decides first."""
        hint = headers.get("x-should-retry")
        if hint == "true":
            return True
        if hint == "false":
            return False
        return status_code in RETRY_STATUSES or status_code >= 500 or code in RETRYABLE_CODES

    def delay(self, attempt: int, headers: Mapping[str, str] | None = None) -> float:
        """Seconds to wait before retry number ``attempt`` (0-based)."""
        asked = self._retry_after(headers) if headers else None
        if asked is not None and 0 <= asked <= self.max_retry_after:
            return asked
        backoff = min(self.initial_delay * 2.0**attempt, self.max_delay)
        return backoff * (1 - 0.25 * self.random())

    def _retry_after(self, headers: Mapping[str, str]) -> float | None:
        ms = headers.get("retry-after-ms")
        if ms:
            try:
                return float(ms) / 1000
            except ValueError:
                pass
        value = headers.get("retry-after")
        if not value:
            return None
        try:
            return float(value)
        except ValueError:
            pass
        try:
            return float(parsedate_to_datetime(value).timestamp()) - self.clock()
        except (TypeError, ValueError):
            return None
