"""Run bulk work at the account's quota: an adaptive limiter shared by the whole process.

Tencent limits requests per second and concurrent requests per account and model (Hunyuan's
GetEmbedding defaults to 5 requests/s; TokenHub shows e.g. 60 requests/min for hy3) and answers
429 past them, sometimes with ``Retry-After``. A fixed number of requests in flight is either
too slow or a storm of 429s. :class:`AdaptiveLimiter` instead learns the quota from replies:

- **What the server sees**: the send loop reports when a request goes on the wire and when its
  answer's headers arrive (:func:`on_sending`, :func:`on_answered`), and an httpcore ``trace``
  stamps the send again just before its first byte is written and once its last byte is
  (:func:`wire_trace`). Concurrency counts the requests between send and answer (replies being
  read do not count); the rate counts arrivals, and the window count spaces sends by when
  their last byte left. Start times and the client's own reading of replies skewed both on
  a busy client (it saw 17 let in of 20, and 15 in flight of 5).
- **Concurrency**: starts at ``initial_concurrency``; each success adds one while the server
  holds a full window (slow start). A 429 that is not the rate's halves it (multiplicative
  decrease); it climbs straight back to the number the server held at once (those still at
  the server at the 429), and past that by one per window's worth of successes only after
  ``hold`` quiet seconds (additive increase).
- **Rate**: unlimited until the first 429. A 429 that is the rate's (see
  ``_on_rate_limited``) sets the pace to ``backoff`` times what the server let in within the
  ``window`` seconds before the rejected request (the quota, seen from here), raised to what
  that window's late answers prove; a later one moves that count only when the server says so
  twice (see ``_learn_rate``). No span of our sends a little longer than the window may then
  hold more than that count, which lets a client that stalled catch up and makes a
  whole-second ``Retry-After`` unnecessary for anyone but the refused request. After
  ``first_probe`` quiet seconds the pace probes upward, ``probe`` of that rate per second, so
  a count that came out short (or a raised quota) is found again; each probe the server
  refuses doubles that wait, up to ``hold``. Once the rate is known, the server is sent no
  more at once than the pace can use (:meth:`AdaptiveLimiter._concurrency_cap`).
- **Pauses**: a 429 the window does not explain (``Retry-After`` longer than the window, as a
  per-minute quota asks, or fewer let in than before with no other request at the server, as
  a token quota refuses) pauses every start until ``Retry-After`` (or ``default_pause``).
  429s of requests let go (started, or a retry cleared) before the last back-off are the same
  congestion event: they are read as its first 429 was, and may extend a pause but do not
  back off again.
- **Retries** wait out a pause and for room at the server before they go (see
  :func:`before_resend`), as a start does.

``max_requests_per_second`` caps the rate for users who know their quota: starts are paced on
a schedule, and a late start keeps it (up to one window behind) as long as no window holds
more than the cap. One limiter serves every client of the process with the same credentials,
base URL and model (:func:`limiter_for`); the key holds a hash, never the secret. A forked
child starts with an empty registry (a parent's lock may be held by a thread that does not
exist in the child).
"""

from __future__ import annotations

import asyncio
import bisect
import contextvars
import hashlib
import math
import os
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

from hunyuan_core.errors import HunyuanError, PartialEmbeddingError, RateLimitError

T = TypeVar("T")

#: Error codes that mean "over the quota, slow down" (Tencent Cloud and TokenHub's 429001-6).
RATE_LIMIT_CODES = frozenset(
    {"LimitExceeded", "RequestLimitExceeded", "FailedOperation.EngineServerLimitExceeded"}
    | {f"42900{i}" for i in range(1, 7)}
)

#: A 429 is read as the rate quota when the window before it let in at least this share of
#: the most any window did (arrival times carry some jitter).
RATE_EVIDENCE = 0.8

#: Seconds a governed call waits out 429s (from its first one) before it raises.
DEFAULT_PATIENCE = 300.0

#: The window the limiter counts its own sends in is this much longer than the quota's, for
#: the jitter between a send and its arrival.
WINDOW_MARGIN = 0.02


def is_rate_limited(err: BaseException) -> bool:
    """A 429, :class:`RateLimitError` or one of :data:`RATE_LIMIT_CODES`."""
    if not isinstance(err, HunyuanError):
        return False
    code = err.code or ""
    return (
        isinstance(err, RateLimitError)
        or err.status_code == 429
        or code in RATE_LIMIT_CODES
        or code.startswith(("LimitExceeded.", "RequestLimitExceeded."))
    )


@dataclass(eq=False)
class Permit:
    """The right to send one request; hand it back with :meth:`AdaptiveLimiter.release`."""

    started: float
    limited: bool = False
    #: Requests at the server, this one included, when it was sent (or started).
    concurrency: int = 1
    #: When its request last went on the wire (see :func:`on_sending`); ``None`` before.
    sent: float | None = None
    #: Counted in :attr:`AdaptiveLimiter.at_server`: sent (or about to be), not yet answered.
    at_server: bool = True
    #: Whether the server held a full window when it answered.
    window_full: bool = False
    #: Its current send's entry in the limiter's count of sends (start, send or retry time).
    slot: float | None = None
    #: When the limiter last let it go: its start, or its retry's (see ``resend_hold``).
    cleared: float = -math.inf
    #: When the server's answer to its last send came (headers in), or ``None`` before.
    answered_at: float | None = None

    @property
    def at(self) -> float:
        """When the server saw it, as near as the client knows: sent, else started."""
        return self.started if self.sent is None else self.sent


class _Waiter:
    """One caller queued for a permit. ``event`` records a wake-up (so none is lost between a
    check and a wait); ``wake`` is safe from any thread or event loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop | None) -> None:
        self.loop = loop
        self.event = threading.Event()
        self.future: asyncio.Future[None] | None = None

    def wake(self) -> None:
        if self.loop is None:
            self.event.set()
        elif not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self._wake_in_loop)

    def _wake_in_loop(self) -> None:
        self.event.set()
        if self.future is not None and not self.future.done():
            self.future.set_result(None)

    async def wait(self, timeout: float | None) -> None:
        """Until woken (at once if woken since the last ``event.clear()``) or ``timeout``."""
        if self.event.is_set():
            return
        assert self.loop is not None
        self.future = self.loop.create_future()
        try:
            await asyncio.wait_for(self.future, timeout)
        except asyncio.TimeoutError:
            pass
        finally:
            self.future = None


@dataclass
class LimiterStats:
    """What a limiter has seen (benchmarks and tests read it)."""

    started: int = 0
    succeeded: int = 0
    rate_limited: int = 0
    backoffs: int = 0


@dataclass(eq=False)
class AdaptiveLimiter:
    """Adaptive concurrency and rate, thread-safe, for sync and async callers at once.

    :meth:`try_start` is the whole control law and never blocks (tests drive it with a fake
    clock); :meth:`acquire` / :meth:`aacquire` queue callers first come, first served, and only
    the head of the queue waits on the clock (``sleep`` / ``async_sleep``), so a thousand
    waiting batches cost no CPU.
    """

    max_requests_per_second: float | None = None
    initial_concurrency: int = 2
    max_concurrency: int = 64
    backoff: float = 0.97
    window: float = 1.0
    hold: float = 30.0
    first_probe: float = 5.0
    probe: float = 0.02
    default_pause: float = 0.5
    min_rate: float = 0.1
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    async_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    stats: LimiterStats = field(default_factory=LimiterStats)

    def __post_init__(self) -> None:
        self.limit = float(max(1, min(self.initial_concurrency, self.max_concurrency)))
        self.rate: float | None = None  # learned; None until the first 429
        self.in_flight = 0  # permits out (what the limit bounds), replies being read included
        self.at_server = 0  # of those, the requests the server still holds (unanswered)
        self.paused_until = -math.inf
        self.limited_once = False
        self._last_backoff = -math.inf
        self._backoff_by_rate = False  # whether the last back-off was the rate's
        self._ceiling = 0.0  # the rate that succeeded when the last 429 came
        self._concurrency_ceiling = 0
        self._most_held = 0  # the most requests at the server at once that all succeeded
        self._most_let_in = 0  # the most let in within one window
        self._settling: float | None = None  # when the first rate 429 was read, until the next
        self._service = 0.0  # seconds a request is at the server, a running mean of successes
        self._rate_hold = min(self.first_probe, self.hold)  # quiet seconds before a rate probe
        self._arrivals: list[float] = []  # arrival times of recent successes, sorted
        self._next_slot = -math.inf
        self._sends: list[float] = []  # when recent sends left (or will: retries), sorted
        self._recent: deque[Permit] = deque()  # permits started lately, oldest first
        self._lock = threading.Lock()
        self._queue: deque[_Waiter] = deque()

    # --- the control law ------------------------------------------------------------------

    def pace(self) -> float | None:
        """Requests per second new starts are spaced at, or ``None`` for no spacing."""
        caps = [r for r in (self.rate, self.max_requests_per_second) if r]
        return min(caps) if caps else None

    def try_start(self) -> tuple[Permit | None, float | None]:
        """A permit now, or ``(None, seconds)`` to wait for the clock, or ``(None, None)`` to
        wait for a request to finish."""
        with self._lock:
            return self._try_start()

    def _try_start(self) -> tuple[Permit | None, float | None]:
        now = self.clock()
        if now < self.paused_until:
            return None, self.paused_until - now
        if self.at_server >= self._concurrency_cap():
            return None, None  # the server's concurrency: replies being read do not count
        if self.in_flight >= self.max_concurrency:
            return None, None
        if now < self._next_slot:
            return None, self._next_slot - now
        if now < (room := self._room_at(now)):
            return None, room - now
        pace = self.pace()
        if pace:
            # A start late for its slot keeps the schedule, up to one window behind: after a
            # stall (a garbage collection, a reply's parse holding the GIL) the client catches
            # up what the quota still allows, and the window count above bounds the catch-up.
            # The first start after a window without any starts begins a fresh schedule.
            busy = self._recent and self._recent[-1].started > now - self.window
            self._next_slot = max(self._next_slot, now - self.window if busy else now) + 1 / pace
        self.in_flight += 1
        self.at_server += 1
        self.stats.started += 1
        permit = Permit(now, concurrency=self.at_server, slot=now, cleared=now)
        bisect.insort(self._sends, now)
        self._recent.append(permit)
        while self._recent[0].started < now - 2 * self.window:
            self._recent.popleft()
        return permit, None

    def release(
        self,
        permit: Permit,
        *,
        ok: bool = True,
        rate_limited: bool = False,
        retry_after: float | None = None,
    ) -> None:
        """Hand a permit back: a success grows the limits, a 429 backs off, other failures
        leave them as they are."""
        with self._lock:
            self.in_flight -= 1
            self._leave_server(permit)
            now = self.clock()
            if rate_limited:
                self._drop_send(permit)
                self._on_rate_limited(permit, now, retry_after)
            elif ok:
                self._on_success(permit, now)
            head = self._queue[0] if self._queue else None
        if head is not None:
            head.wake()

    def _concurrency_cap(self) -> int:
        """Requests allowed at the server at once: the limit, and once the rate is known no
        more than the pace can use (Little's law: pace times the time a request is at the
        server, doubled, plus one). A client busy reading replies misjudges how many the
        server holds (runs saw 11 counted of 5), and requests it did not need at the server
        only drew concurrency 429s that read as the rate's."""
        cap = min(int(self.limit), self.max_concurrency)
        pace = self.pace()
        if self.rate is not None and pace and self._service:
            cap = min(cap, math.ceil(2 * pace * self._service) + 1)
        return max(1, cap)

    def _windows(self) -> list[tuple[int, float]]:
        """``(most sends, seconds)`` pairs no span of our sends may exceed: what the server let
        in when it refused (the learned rate over ``backoff``) per window, counted over a
        slightly longer span for the jitter between send and arrival; the user's cap per
        window, exactly (its pace is the cap itself)."""
        windows = []
        if self.rate:
            most = math.floor(self.rate / self.backoff * self.window + 1e-9)
            windows.append((max(1, most), self.window * (1 + WINDOW_MARGIN)))
        if self.max_requests_per_second:
            most = math.floor(self.max_requests_per_second * self.window + 1e-9)
            windows.append((max(1, most), self.window))
        return windows

    def _room_at(self, when: float) -> float:
        """The first time from ``when`` a send fits every window. It counts the sends within a
        span either side, so a retry booked for later also holds back the sends before it."""
        windows = self._windows()
        if not windows:
            return when
        sends = self._sends
        del sends[: bisect.bisect_right(sends, self.clock() - max(s for _, s in windows))]
        moved = True
        while moved:
            moved = False
            for most, span in windows:
                first = bisect.bisect_right(sends, when - span)
                if bisect.bisect_right(sends, when + span) - first >= most:
                    # The oldest leaves the span (nextafter: no standstill on a rounding tie).
                    when = max(math.nextafter(when, math.inf), sends[first] + span)
                    moved = True
        return when

    def _drop_send(self, permit: Permit) -> None:
        """Take ``permit``'s send out of the window count (refused: the quota did not count it;
        counting it held a window's worth of sends back after the first burst of 429s)."""
        if permit.slot is not None:
            i = bisect.bisect_left(self._sends, permit.slot)
            if i < len(self._sends) and self._sends[i] == permit.slot:
                del self._sends[i]
            permit.slot = None

    def _move_send(self, permit: Permit, to: float) -> None:
        self._drop_send(permit)
        permit.slot = to
        bisect.insort(self._sends, to)

    def _on_success(self, permit: Permit, now: float) -> None:
        self.stats.succeeded += 1
        self._most_held = max(self._most_held, permit.concurrency)
        self._note_let_in(permit.at)
        # Only grow a window the server had full when it answered this request: a client slow
        # to read its replies fills its own window without the server being busy.
        if permit.window_full:
            if not self.limited_once or self.limit < self._concurrency_ceiling:
                step = 1.0  # slow start, or back to what the server took before the 429
            elif now - self._last_backoff >= self.hold:
                step = 1.0 / self.limit  # probe: one more per window's worth of successes
            else:
                step = 0.0
            self.limit = min(self.limit + step, float(self.max_concurrency))
        if self._settling is not None and permit.at < self._settling:
            self._settle_first_count()
        if self.rate is not None and self._probing(now):
            self.rate += self.probe * self._ceiling / self.rate

    def _probing(self, now: float) -> bool:
        """Whether the pace is probing upward: ``_rate_hold`` quiet seconds since a back-off."""
        return now - self._last_backoff >= self._rate_hold

    def _note_let_in(self, at: float) -> None:
        """Record a success arriving at ``at`` and the most successes any window has held
        (sorted times and bisection: a scan per success would cost milliseconds at 1,000/s)."""
        arrivals = self._arrivals
        bisect.insort(arrivals, at)
        del arrivals[: bisect.bisect_left(arrivals, at - 2 * self.window)]
        in_window = bisect.bisect_right(arrivals, at) - bisect.bisect_right(
            arrivals, at - self.window
        )
        self._most_let_in = max(self._most_let_in, in_window)

    def _settle_first_count(self) -> None:
        """Raise the first 429's count to what its window's late answers prove.

        The first count is taken before that window's replies are in, by send times a busy
        client stamps out of order (runs counted 18 and 19 of 20, a short count the probe took
        10 s to find). A success reached the server between its send and its answer, so
        successes whose sends and answers all fall within one window were let in within one
        window: the quota's count is at least how many they are. This holds for any
        sliding-window quota, jitter or not; the first window of a job, filled from empty,
        proves the exact count once its replies are in."""
        assert self._settling is not None
        done = sorted(
            (p.at, p.answered_at)
            for p in self._recent
            if p.answered_at is not None and not p.limited and p.at < self._settling
        )
        proven = 0
        answers: list[float] = []  # when the successes sent from this one on were answered
        for sent, answered in reversed(done):
            bisect.insort(answers, answered)
            proven = max(proven, bisect.bisect_left(answers, sent + self.window))
        if proven > self._count():
            self._most_let_in = max(self._most_let_in, proven)
            self._pace_for(proven)

    def _let_in_before(self, permit: Permit) -> list[float]:
        """When the requests the server let in within the ``window`` up to ``permit``'s
        arrival reached it, by arrival (send) times: a client busy reading replies sends some
        requests well after it started them, and counting starts saw 17 where the server had
        20."""
        since = permit.at - self.window
        return [p.at for p in self._recent if since < p.at <= permit.at and not p.limited]

    def _on_rate_limited(self, permit: Permit, now: float, retry_after: float | None) -> float:
        """Back off for ``permit``'s 429; returns when it may be sent again.

        Which limit refused it? The concurrency, if more were at the server than ever
        succeeded at once, or if its ``Retry-After`` is sooner than the window could have
        room (see ``_too_soon_for_a_window``): halving the concurrency answers that, and only
        the refused request waits out its ``Retry-After`` (pausing everyone cost a whole
        second at each start).
        The rate, if about as many were let in within the last window as in any window so
        far (a sliding-window quota refuses at its count, never below what it took before):
        the pace drops to just under that count, and the window count holds every other send
        until the window has room, which is sooner than a whole-second ``Retry-After``
        (pausing everyone until then lost a window's worth of requests); the concurrency
        stays, as latency-bound work needs it to reach the rate. A rate 429 that asks for
        longer than the window is a quota the window does not model (per minute, say):
        everyone pauses. One that is not the rate's, with others at the server and a
        ``Retry-After`` no longer than the window, is the concurrency's. Anything else (a 429
        for tokens, say): everyone pauses, and the concurrency halves.
        """
        self.stats.rate_limited += 1
        permit.limited = True
        pause = retry_after if retry_after is not None and retry_after >= 0 else None
        retry_at = now + (pause or self.default_pause)
        let_in_at = self._let_in_before(permit)
        let_in = len(let_in_at)
        over_concurrency = permit.concurrency > self._most_held or self._too_soon_for_a_window(
            permit, let_in_at, now, pause
        )
        by_rate = not over_concurrency and let_in >= RATE_EVIDENCE * self._most_let_in
        # The window had room by the client's count, others were at the server, and it asks
        # for no longer than a window: the concurrency's. A busy client counts more at the
        # server than there are, so a new high is no test, and pausing everyone for such a
        # 429, as for a token quota, cost a whole second of the quota.
        over_concurrency = over_concurrency or (
            not by_rate and permit.concurrency > 1 and (pause or 0.0) <= self.window
        )
        if permit.cleared < self._last_backoff and not (by_rate and self.rate is None):
            # Let go before it: the same congestion event, read as its first 429 was. On a
            # busy client a request let go before the back-off reaches the wire after it
            # (the GIL); its refusal says nothing new (taken as a second word, such
            # refusals lowered a count of 20 that was right to 18 for the next 10 s). Unless
            # it is the first to read as the rate: then it is the rate's first word.
            by_rate = by_rate or self._backoff_by_rate
        else:
            self.stats.backoffs += 1
            quiet = now - self._last_backoff
            probing = self.rate is not None and self._probing(now)
            if by_rate and probing:
                self._rate_hold = min(2 * self._rate_hold, self.hold)  # a probe refused
            # Again: refused after a refusal of the window before, not a neighbour of the same
            # burst (those came 20 ms apart and took a good count one lower).
            since = permit.at - self._last_backoff
            again = self.window / 2 <= since and quiet < 2 * self.window
            self._last_backoff = now
            self._backoff_by_rate = by_rate
            self.limited_once = True
            self._settling = now if by_rate and self.rate is None else None
            if by_rate:
                self._learn_rate(let_in, probing=probing, again=again)
                if self._settling is not None:
                    self._settle_first_count()
            else:
                # The requests still at the server were let in: the most it took at once.
                self._concurrency_ceiling = max(1, self.at_server)
                self.limit = max(1.0, min(self.limit / 2, float(self._concurrency_ceiling)))
        in_window = by_rate and self.rate is not None and (pause or 0.0) <= self.window
        if not over_concurrency and not in_window:
            self.paused_until = max(self.paused_until, retry_at)
        return retry_at

    def _too_soon_for_a_window(
        self, permit: Permit, let_in_at: list[float], now: float, retry_after: float | None
    ) -> bool:
        """Whether a 429's ``Retry-After`` is too short for the rate: a window that let in the
        requests counted before ``permit`` (``let_in_at``) has no room until the oldest of
        them leaves it, and a server that says to come back well before that is not refusing
        for that window. Only a limit on requests at once is left, if others were at the
        server (a server that rounds Retry-After down to 0 costs a few halvings until one
        request is at the server, then it reads as the rate). A busy client's count of those
        is no guide (runs counted 8 at a server that held 4, where 12 had succeeded), and a
        concurrency 429 read as the rate's took a quota of 100/s for 31/s.
        Both bounds are on the safe side: the oldest send time precedes its arrival, and the
        answer came before ``now``."""
        if retry_after is None or permit.concurrency <= 1 or not let_in_at:
            return False
        return retry_after + self.window / 4 < min(let_in_at) + self.window - now

    def _learn_rate(self, let_in: int, *, probing: bool, again: bool) -> None:
        """Pace just under the count the server lets in within a window.

        The count is the client's, by its send times, and on a busy client (the GIL, garbage
        collections) it can be one or two off the server's: the first 429 takes the most any
        window let in. Later ones keep the count they confirm unless the server says twice
        that it is lower (runs saw 16 counted of 20, and a lone 429 after a catch-up burst):
        - a refused probe returns to the highest count it held for a whole window unrefused
          (the probe climbs ``probe`` of the quota a second), or to the count before the
          probe, or to what the window let in, whichever is most: returning to the count
          before the probe kept a count one short (19 of 20) for the next 10 s;
        - a lone refusal at the count keeps a count some window confirmed with successes:
          only the refused request waits (lowering the pace cost 5% for the 10 s until the
          next probe); a count none confirmed (the first 429 counts requests still
          unanswered as let in, and some of those are refused) drops 5% toward the most
          confirmed;
        - a refusal at least half a window after another (not its neighbour in a burst)
          and within two windows lowers the count by at most 5% (one request a window at
          20), so a short count costs 5% of the quota, not 20%.
        """
        known = self._count()
        if self.rate is None:
            count = max(let_in, self._most_let_in)
        elif probing:
            probed = round(self.rate / self.backoff * self.window)
            a_window_ago = self.rate - self.probe * self._ceiling * self.window
            held = math.floor(a_window_ago / self.backoff * self.window + 1e-9)
            count = min(max(known, let_in, held), probed)
        else:
            lower = known - max(1, known // 20)  # by 5%, and by one at least
            confirmed = let_in if again else self._most_let_in
            count = min(max(confirmed, lower), known)
        self._pace_for(count)

    def _count(self) -> int:
        """The count a window the pace is set for (what the server let in, as learned)."""
        return round(self._ceiling * self.window)

    def _pace_for(self, count: int) -> None:
        """Pace just under ``count`` a window: ``backoff`` of it."""
        self._ceiling = count / self.window
        self.rate = max(self.min_rate, self.backoff * self._ceiling)

    def sending(self, permit: Permit) -> None:
        """``permit``'s request goes on the wire now (again, if it is a retry)."""
        with self._lock:
            if not permit.at_server:
                permit.at_server = True
                self.at_server += 1
            permit.sent = self.clock()
            self._move_send(permit, permit.sent)
            permit.limited = False
            permit.answered_at = None
            permit.concurrency = self.at_server

    def written(self, permit: Permit) -> None:
        """``permit``'s request is all on the wire: its send counts in the window from now.
        The window count spaces sends by when they left, and a send stamped before its first
        byte can leave a parse or a garbage collection later (the GIL): one 50 ms late was
        still in the server's window when the send a window after it came, a 429 at the
        right count (two of those lowered a right 20 to 19 for 10 s)."""
        with self._lock:
            if permit.at_server and permit.slot is not None:
                self._move_send(permit, self.clock())

    def resend_hold(self, permit: Permit) -> float | None:
        """Seconds ``permit``'s retry should wait before it goes on the wire, or ``None`` to
        send now: a retry waits out a pause and, like a start, for room at the server. Retries
        booked by the window count alone went out together after the first pause (8 at a
        server that held 5, whose 429s paused everyone again)."""
        with self._lock:
            now = self.clock()
            if now < self.paused_until:
                return self.paused_until - now
            if permit.at_server or self.at_server < self._concurrency_cap():
                permit.cleared = now
                return None
            # No wake-up reaches a sleeping send loop: look again after about one answer.
            return max(0.005, self._service / max(1, self.at_server))

    def answered(self, permit: Permit, refused: bool = False) -> None:
        """The server answered ``permit``'s request (its headers are in; ``refused``: a 429).

        It no longer holds it: which limit a 429 hit is judged by the requests the server
        held when it came (reading replies is the client's time; counting it made a busy
        client see 15 at the server where there were 5). A refusal is marked at once, so that
        a burst of 429s still being read is not counted as let in."""
        with self._lock:
            permit.limited = permit.limited or refused
            self._leave_server(permit)
            if refused:
                self._drop_send(permit)
            head = self._queue[0] if self._queue else None
        if head is not None:
            head.wake()  # the server has room for another

    def _leave_server(self, permit: Permit) -> None:
        if permit.at_server:
            permit.answered_at = self.clock()
            if not permit.limited:
                held = permit.answered_at - permit.at
                self._service = held if not self._service else 0.9 * self._service + 0.1 * held
            permit.window_full = self.at_server >= int(self.limit)
            permit.at_server = False
            self.at_server -= 1

    def rate_limited(self, permit: Permit, retry_after: float | None) -> float:
        """A 429 for a request that keeps its permit to retry: back off, and return the
        seconds it should wait before sending again (its ``Retry-After`` or the pause, then
        room in the window). The retry is booked in the window count at once, so sends before
        it leave it room; the pacing schedule of new starts is not moved."""
        with self._lock:
            now = self.clock()
            retry_at = self._on_rate_limited(permit, now, retry_after)
            start = self._room_at(max(retry_at, self.paused_until))
            self._move_send(permit, start)
            return start - now

    # --- waiting for a permit -------------------------------------------------------------

    def _enqueue(self, waiter: _Waiter) -> Permit | None:
        with self._lock:
            if not self._queue:
                permit, _ = self._try_start()
                if permit is not None:
                    return permit
            self._queue.append(waiter)
            return None

    def _turn(self, waiter: _Waiter) -> tuple[Permit | None, float | None, bool]:
        """``(permit, wait, is_head)`` for a queued waiter; a permit leaves the queue."""
        with self._lock:
            if self._queue[0] is not waiter:
                return None, None, False
            permit, wait = self._try_start()
            if permit is None:
                return None, wait, True
            self._queue.popleft()
            following = self._queue[0] if self._queue else None
        if following is not None:
            following.wake()
        return permit, None, True

    def _leave(self, waiter: _Waiter) -> None:
        with self._lock:
            was_head = bool(self._queue) and self._queue[0] is waiter
            if waiter in self._queue:
                self._queue.remove(waiter)
            following = self._queue[0] if was_head and self._queue else None
        if following is not None:
            following.wake()

    def acquire(self) -> Permit:
        """Block until a request may start."""
        waiter = _Waiter(None)
        permit = self._enqueue(waiter)
        try:
            while permit is None:
                waiter.event.clear()
                permit, wait, head = self._turn(waiter)
                if permit is None and head and wait is not None:
                    self.sleep(wait)
                elif permit is None:
                    waiter.event.wait(_GUARD if head else None)
        except BaseException:
            self._leave(waiter)
            raise
        return permit

    async def aacquire(self) -> Permit:
        """Wait until a request may start; cancelling the wait leaves the queue cleanly."""
        waiter = _Waiter(asyncio.get_running_loop())
        permit = self._enqueue(waiter)
        try:
            while permit is None:
                waiter.event.clear()
                permit, wait, head = self._turn(waiter)
                if permit is None and head and wait is not None:
                    await self.async_sleep(wait)
                elif permit is None:
                    await waiter.wait(_GUARD if head else None)
        except BaseException:
            self._leave(waiter)
            raise
        return permit


#: The longest the head of the queue waits for a release before it looks again (releases wake
#: it; this only bounds the cost of a wake-up lost to a closed event loop).
_GUARD = 1.0


# --- calls governed by a limiter -----------------------------------------------------------


@dataclass
class _Call:
    """The governed call running in this context (see :func:`call`)."""

    limiter: AdaptiveLimiter
    permit: Permit
    bulk: bool
    patience: float
    waited: float = 0.0


_current: contextvars.ContextVar[_Call | None] = contextvars.ContextVar(
    "hunyuan_governed_call", default=None
)
_bulk: contextvars.ContextVar[bool] = contextvars.ContextVar("hunyuan_bulk", default=False)


@contextmanager
def bulk() -> Iterator[None]:
    """Mark the calls made inside as one bulk job (``ChatHunyuan.batch`` does): their 429s are
    waited out within the patience instead of spending ``max_retries``. Threads and tasks
    started inside inherit it when they copy the context (LangChain's executors do)."""
    token = _bulk.set(True)
    try:
        yield
    finally:
        _bulk.reset(token)


def on_sending() -> None:
    """The send loop is about to put a request on the wire: inside a governed call, the
    limiter notes the time (it counts what the server let in by when requests reached it)."""
    current = _current.get()
    if current is not None:
        current.limiter.sending(current.permit)


def before_resend() -> float | None:
    """Before a retry goes on the wire: inside a governed call, seconds to wait first (see
    :meth:`AdaptiveLimiter.resend_hold`); ``None``: send now."""
    current = _current.get()
    return None if current is None else current.limiter.resend_hold(current.permit)


def _restamp(name: str, info: object) -> None:
    if name.endswith(".send_request_headers.started"):
        on_sending()  # the first byte is about to be written: a truer send time
    elif name.endswith(".send_request_body.complete"):
        current = _current.get()
        if current is not None:  # the last byte is written: count it in the window from now
            current.limiter.written(current.permit)


async def _arestamp(name: str, info: object) -> None:
    _restamp(name, info)


def wire_trace(asynchronous: bool) -> Callable[..., object] | None:
    """An httpcore ``trace`` extension that stamps the send again just before its first byte
    is written; ``None`` outside a governed call. The stamp taken before ``client.send`` can
    precede the write by another thread's parse or a garbage collection (the GIL), and those
    early stamps made the limiter count fewer let in, and more at the server, than there
    were. Transports that do not trace (mocks, replays) keep the first stamp."""
    if _current.get() is None:
        return None
    return _arestamp if asynchronous else _restamp


def on_answered(status: int | None = None) -> None:
    """The send loop has the server's answer (``status``; ``None``: none came): see
    :meth:`AdaptiveLimiter.answered`."""
    current = _current.get()
    if current is not None:
        current.limiter.answered(current.permit, refused=status == 429)


def on_rate_limited(retry_after: float | None) -> float | None:
    """The send loop got a 429. Inside a governed call this reports it to the limiter (which
    backs off and pauses new starts); in a bulk job it returns how long to wait before sending
    again, not counting against ``max_retries``, until the call's patience is spent. ``None``:
    leave the 429 to the retry policy."""
    current = _current.get()
    if current is None:
        return None
    wait = current.limiter.rate_limited(current.permit, retry_after)
    if not current.bulk or current.waited + wait > current.patience:
        return None
    current.waited += wait
    return max(wait, current.limiter.default_pause if retry_after is None else 0.0)


@contextmanager
def _governing(call: _Call) -> Iterator[None]:
    token = _current.set(call)
    try:
        yield
    finally:
        _current.reset(token)


def call(
    limiter: AdaptiveLimiter,
    send: Callable[[], T],
    *,
    bulk: bool = False,
    patience: float = DEFAULT_PATIENCE,
) -> T:
    """``send()`` (the send loop, with its retries) under a permit of ``limiter``."""
    permit = limiter.acquire()
    ok = False
    try:
        with _governing(_Call(limiter, permit, bulk or _bulk.get(), patience)):
            result = send()
        ok = True
        return result
    finally:
        limiter.release(permit, ok=ok)


async def acall(
    limiter: AdaptiveLimiter,
    send: Callable[[], Awaitable[T]],
    *,
    bulk: bool = False,
    patience: float = DEFAULT_PATIENCE,
) -> T:
    """Async :func:`call`."""
    permit = await limiter.aacquire()
    ok = False
    try:
        with _governing(_Call(limiter, permit, bulk or _bulk.get(), patience)):
            result = await send()
        ok = True
        return result
    finally:
        limiter.release(permit, ok=ok)


# --- bulk jobs: batches in parallel, nothing paid for thrown away ---------------------------


class JobStopped(Exception):
    """Raised by ``started()`` in a batch that had not been sent when its job failed."""


Vectors = list[list[float]]


def _outcome(
    batches: list[list[str]], results: dict[int, Vectors], errors: dict[int, BaseException]
) -> Vectors:
    """All vectors in order, or the first real error, as :class:`PartialEmbeddingError` when
    some batches had finished (their vectors are kept on it)."""
    real = {
        i: e for i, e in errors.items() if not isinstance(e, (JobStopped, asyncio.CancelledError))
    }
    if not real and len(results) == len(batches):
        return [vector for i in range(len(batches)) for vector in results[i]]
    first = real[min(real)] if real else next(iter(errors.values()))
    if not results:
        raise first
    completed: dict[int, list[float]] = {}
    failed: list[int] = []
    offset = 0
    for i, batch in enumerate(batches):
        indexes = range(offset, offset + len(batch))
        if i in results:
            completed.update(zip(indexes, results[i], strict=True))
        else:
            failed.extend(indexes)
        offset += len(batch)
    cause = first if isinstance(first, HunyuanError) else None
    raise PartialEmbeddingError(
        f"embedded {len(completed)} of {offset} texts before {type(first).__name__}: {first}; "
        "err.completed holds the vectors by index, err.failed_indexes the texts to resume with",
        completed=completed,
        failed_indexes=failed,
        status_code=cause.status_code if cause else None,
        code=cause.code if cause else None,
        request_id=cause.request_id if cause else None,
    ) from first


def run_batches(
    batches: list[list[str]], one: Callable[[list[str], Callable[[], None]], Vectors], workers: int
) -> Vectors:
    """``one(batch, started)`` for every batch on ``workers`` threads. ``one`` calls
    ``started()`` just before sending; once a batch failed it raises :class:`JobStopped`, so
    batches still waiting are never sent."""
    stop = threading.Event()

    def started() -> None:
        if stop.is_set():
            raise JobStopped

    def run(i: int) -> tuple[int, Vectors]:
        try:
            return i, one(batches[i], started)
        except BaseException:
            stop.set()
            raise

    results: dict[int, Vectors] = {}
    errors: dict[int, BaseException] = {}
    if workers <= 1 or len(batches) <= 1:
        for i, batch in enumerate(batches):
            try:
                results[i] = one(batch, started)
            except Exception as err:
                errors[i] = err
                break
    else:
        with ThreadPoolExecutor(
            min(workers, len(batches)), thread_name_prefix="hunyuan-embed"
        ) as pool:
            futures = {pool.submit(run, i): i for i in range(len(batches))}
            for future in as_completed(futures):
                i = futures[future]
                try:
                    results[i] = future.result()[1]
                except Exception as err:
                    errors[i] = err
                    for other in futures:
                        other.cancel()  # not started: never sent
    unsent = {i: JobStopped() for i in range(len(batches)) if i not in results and i not in errors}
    return _outcome(batches, results, {**errors, **unsent})


async def arun_batches(
    batches: list[list[str]],
    one: Callable[[list[str], Callable[[], None]], Awaitable[Vectors]],
) -> Vectors:
    """Async :func:`run_batches`: after a failure, batches not yet sent are cancelled, and
    those in flight are awaited (they are paid for)."""
    sent: set[int] = set()
    failed = False

    def starter(i: int) -> Callable[[], None]:
        def started() -> None:
            if failed:
                raise JobStopped
            sent.add(i)

        return started

    tasks = [asyncio.ensure_future(one(b, starter(i))) for i, b in enumerate(batches)]
    try:
        pending: set[asyncio.Future[Vectors]] = set(tasks)
        while pending:
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_EXCEPTION)
            if not failed and any(t.exception() for t in done if not t.cancelled()):
                failed = True
                for i, task in enumerate(tasks):
                    if i not in sent:
                        task.cancel()
    except BaseException:
        for task in tasks:
            task.cancel()
        raise
    results: dict[int, Vectors] = {}
    errors: dict[int, BaseException] = {}
    for i, task in enumerate(tasks):
        if task.cancelled():
            errors[i] = JobStopped()
        elif task.exception() is not None:
            errors[i] = task.exception()  # type: ignore[assignment]
        else:
            results[i] = task.result()
    return _outcome(batches, results, errors)


# --- one limiter per account, base URL and model ------------------------------------------

_registry: dict[tuple[str, str, str], AdaptiveLimiter] = {}
_registry_lock = threading.Lock()


def fingerprint(secrets: list[str]) -> str:
    """A short hash naming an account's credentials without holding them."""
    return hashlib.sha256("\0".join(secrets).encode()).hexdigest()[:16]


def limiter_for(
    secrets: list[str],
    base_url: str,
    model: str,
    *,
    max_requests_per_second: float | None = None,
    max_concurrency: int | None = None,
) -> AdaptiveLimiter:
    """The process's limiter for this account, endpoint and model, made on first use.

    Clients that pass ``max_requests_per_second`` or ``max_concurrency`` tighten the shared
    limiter to the smallest value any of them asked for: the quota is the account's.
    """
    key = (fingerprint(secrets), base_url, model)
    with _registry_lock:
        limiter = _registry.get(key)
        if limiter is None:
            limiter = _registry[key] = AdaptiveLimiter()
        if max_requests_per_second:
            current = limiter.max_requests_per_second
            limiter.max_requests_per_second = min(current or math.inf, max_requests_per_second)
        if max_concurrency:
            limiter.max_concurrency = min(limiter.max_concurrency, max_concurrency)
        return limiter


def reset() -> None:
    """Forget every limiter (tests; a new process starts empty anyway)."""
    with _registry_lock:
        _registry.clear()


def _forget_after_fork() -> None:
    global _registry_lock
    _registry.clear()
    _registry_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_after_fork)
