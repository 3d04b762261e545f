"""Limits on one call: a total deadline, a stream's idle time, a response's size.

httpx's timeouts bound each read, not the call: a server that trickles a byte every 100 ms
would hold a call for ever. :class:`Deadline` is checked between reads and caps every read's
timeout at the time left, so a call ends near its deadline whatever the server does.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from hunyuan_core._constants import (
    DEFAULT_DEADLINE,
    DEFAULT_MAX_LINE_BYTES,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_STREAM_IDLE_TIMEOUT,
)
from hunyuan_core.errors import APITimeoutError, ResponseTooLargeError


@dataclass
class CallLimits:
    """What one call may cost. ``None`` switches a time limit off."""

    #: Seconds for the whole call: every attempt, retry wait and, for a stream, every event.
    deadline: float | None = DEFAULT_DEADLINE
    #: Seconds a stream may go without a ``data:`` event (comments do not count).
    stream_idle_timeout: float | None = DEFAULT_STREAM_IDLE_TIMEOUT
    #: Bytes a response body may decompress to.
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    #: Bytes one server-sent-events line may reach.
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
    #: The clock deadlines are measured by (replaceable in tests).
    clock: Callable[[], float] = field(default=time.monotonic)

    def start(self) -> Deadline:
        """The deadline of a call starting now."""
        return Deadline(self.deadline, self.clock)

    def idle_error(self) -> APITimeoutError:
        return APITimeoutError(
            f"the stream sent no content event for {self.stream_idle_timeout} s "
            "(stream_idle_timeout)",
            limit="stream_idle",
        )

    def too_large(self) -> ResponseTooLargeError:
        return ResponseTooLargeError(
            f"the response passed {self.max_response_bytes} bytes (max_response_bytes)",
            limit="max_response_bytes",
        )


class Deadline:
    """When one call must be over, by an injectable clock."""

    __slots__ = ("clock", "end", "total")

    def __init__(self, total: float | None, clock: Callable[[], float] = time.monotonic) -> None:
        self.total = total
        self.clock = clock
        self.end = None if total is None else clock() + total

    def remaining(self) -> float | None:
        """Seconds left (may be negative), or ``None`` without a deadline."""
        return None if self.end is None else self.end - self.clock()

    def passed(self) -> bool:
        return self.end is not None and self.clock() >= self.end

    def check(self) -> None:
        if self.passed():
            raise self.error()

    def error(self) -> APITimeoutError:
        return APITimeoutError(
            f"the call passed its deadline of {self.total} s (deadline)", limit="deadline"
        )
