"""The adaptive limiter's control law, on a fake clock (no real sleeping)."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import os
from collections import deque
from collections.abc import Callable
from typing import Any

import pytest

from hunyuan_core import concurrency
from hunyuan_core.concurrency import AdaptiveLimiter, Permit, is_rate_limited
from hunyuan_core.errors import APIStatusError, InternalServerError, RateLimitError
from tests.support import faults


def FakeClock() -> faults.FakeClock:
    """The shared fake clock, starting at 100 s (the limiter's windows need a past)."""
    return faults.FakeClock(start=100.0)


def limiter(clock: FakeClock, **kwargs: Any) -> AdaptiveLimiter:
    return AdaptiveLimiter(clock=clock, sleep=clock.sleep, async_sleep=clock.async_sleep, **kwargs)


def start(lim: AdaptiveLimiter) -> Permit:
    permit, wait = lim.try_start()
    assert permit is not None, f"expected a permit, got wait {wait}"
    return permit


def paced(lim: AdaptiveLimiter, clock: FakeClock) -> Permit:
    """The next permit, moving the fake clock on as long as the limiter asks."""
    for _ in range(100):
        permit, wait = lim.try_start()
        if permit is not None:
            return permit
        assert wait is not None, "waiting for a release that no one will make"
        clock.now += wait + 1e-9
    raise AssertionError("no permit")


def test_slow_start_grows_a_full_window_by_one_per_success() -> None:
    clock = FakeClock()
    lim = limiter(clock, initial_concurrency=2)
    a, b = start(lim), start(lim)
    assert lim.try_start() == (None, None)  # full: wait for a release
    lim.release(a)
    assert lim.limit == 3
    c, d = start(lim), start(lim)
    assert lim.try_start() == (None, None)
    lim.release(b)  # the window of 3 was full: grows to 4
    lim.release(c)  # 2 of 4 in flight: not full, no growth
    lim.release(d)
    assert lim.limit == 4 and lim.rate is None


def test_an_idle_window_does_not_grow() -> None:
    clock = FakeClock()
    lim = limiter(clock, initial_concurrency=4)
    for _ in range(10):
        lim.release(start(lim))  # one at a time: the window of 4 is never full
    assert lim.limit == 4


def test_a_429_backs_off_from_what_the_server_let_through_and_pauses() -> None:
    clock = FakeClock()
    lim = limiter(clock, initial_concurrency=64)
    for _ in range(20):  # 20 requests let in over 0.5 s, one at a time
        lim.release(start(lim))
        clock.now += 0.025
    lim.release(start(lim), rate_limited=True, retry_after=2.0)
    # Refused at a concurrency that worked, with as many let in as ever: the rate, just under
    # the 20 the server let in within the second before it.
    assert lim.rate == pytest.approx(0.97 * 20)
    assert lim.limit == 1  # halved, but no more than the server held at once (none)
    assert lim.try_start() == (None, pytest.approx(2.0))  # paused until Retry-After
    clock.now += 2.0 + 1e-9
    for _ in range(20):  # a second at the learned pace, then refused again
        lim.release(paced(lim, clock))
    lim.release(paced(lim, clock), rate_limited=True, retry_after=1.0)
    assert lim.rate == pytest.approx(0.97 * 19)  # 19 let in within the second before it
    assert lim.stats.backoffs == 2 and lim.stats.rate_limited == 2


def test_the_rate_is_counted_by_when_requests_reached_the_server() -> None:
    """A client busy reading replies starts 20 permits at once but sends them over the next
    second: the server's window held all 20 when it refused the 21st."""
    clock = FakeClock()
    lim = limiter(clock, initial_concurrency=64)
    permits = [start(lim) for _ in range(20)]
    clock.now += 0.55
    for p in permits:  # sent from 0.6 s to 1.55 s after they started
        clock.now += 0.05
        lim.sending(p)
        lim.answered(p)
        lim.release(p)
    late = start(lim)
    clock.now += 0.03
    lim.sending(late)
    lim.answered(late, refused=True)
    lim.release(late, rate_limited=True, retry_after=1.0)
    # By start times, none of the 20 would fall in the second before the refused request.
    assert lim.rate == pytest.approx(0.97 * 20)


def test_a_429_with_fewer_let_in_than_before_is_not_read_as_the_rate() -> None:
    clock = FakeClock()
    lim = limiter(clock, initial_concurrency=64)
    for _ in range(20):  # a window that let 20 in
        lim.release(start(lim))
        clock.now += 0.05
    clock.now += 5.0
    for _ in range(3):  # then only 3 within a second, and a 429: not the 20/s rate
        lim.release(start(lim))
        clock.now += 0.05
    lim.release(start(lim), rate_limited=True, retry_after=1.0)
    assert lim.rate is None and lim.stats.backoffs == 1
    assert lim.try_start() == (None, pytest.approx(1.0))  # but it pauses all the same


def test_replies_being_read_do_not_count_as_requests_at_the_server() -> None:
    """One request at a time reaches the server, while the client is still reading up to 5
    replies: a 429 is then not at a new concurrency high, so it is read as the rate."""
    clock = FakeClock()
    lim = limiter(clock, initial_concurrency=64)
    reading: list[Permit] = []
    for _ in range(20):
        p = start(lim)
        lim.sending(p)
        clock.now += 0.04
        lim.answered(p)
        reading.append(p)
        if len(reading) > 5:
            lim.release(reading.pop(0))
    late = start(lim)
    lim.sending(late)
    assert (late.concurrency, lim.in_flight) == (1, 6)
    lim.answered(late, refused=True)
    lim.release(late, rate_limited=True, retry_after=1.0)
    assert lim.rate == pytest.approx(0.97 * 20)


def test_a_429_at_a_new_concurrency_high_backs_off_concurrency_only() -> None:
    clock = FakeClock()
    lim = limiter(clock, initial_concurrency=64)
    for _ in range(3):
        lim.release(start(lim))  # one at a time works
    held = [start(lim) for _ in range(5)]  # 5 at once: never tried before
    lim.release(start(lim), rate_limited=True, retry_after=1.0)
    assert lim.rate is None and lim.limit == 5  # the 5 still in flight were let in
    clock.now += 1.0 + 1e-9
    for permit in held:
        lim.release(permit)
    assert lim.limit == 5  # back at what the server took, held there (no probing yet)


def test_429s_of_requests_sent_before_the_back_off_are_the_same_event() -> None:
    clock = FakeClock()
    lim = limiter(clock, initial_concurrency=8)
    for p in [start(lim) for _ in range(6)]:  # 6 at once worked: the refusals are the rate's
        lim.release(p)
    clock.now += 0.1
    permits = [start(lim) for _ in range(6)]
    clock.now += 0.1
    lim.release(permits[0])
    lim.release(permits[1], rate_limited=True, retry_after=1.0)
    rate, limit = lim.rate, lim.limit
    clock.now += 0.01
    for p in permits[2:]:
        lim.release(p, rate_limited=True, retry_after=3.0)
    assert (lim.rate, lim.limit) == (rate, limit) and lim.stats.backoffs == 1
    assert lim.paused_until == pytest.approx(clock.now + 3.0)  # the longest ask still holds


def test_without_retry_after_the_pause_is_the_default() -> None:
    clock = FakeClock()
    lim = limiter(clock, default_pause=0.5)
    lim.release(start(lim))
    lim.release(start(lim), rate_limited=True)
    assert lim.try_start() == (None, pytest.approx(0.5))


def test_a_concurrency_refusal_makes_only_the_refused_request_wait() -> None:
    """More at the server than ever worked: halve the concurrency, but do not stop everyone
    for the refused request's Retry-After (a whole second of the quota at every start)."""
    clock = FakeClock()
    lim = limiter(clock, initial_concurrency=8)
    lim.release(start(lim))  # one at a time worked
    held = [start(lim) for _ in range(4)]
    refused = start(lim)
    assert lim.rate_limited(refused, retry_after=1.0) == pytest.approx(1.0)
    assert lim.limit == 4 and lim.rate is None
    for p in held:
        lim.release(p)
    assert lim.try_start()[0] is not None  # no pause for the others


def test_the_rate_holds_then_probes_upward() -> None:
    clock = FakeClock()
    lim = limiter(clock, initial_concurrency=64, hold=30.0, probe=0.02)
    for _ in range(10):
        lim.release(start(lim))
        clock.now += 0.1
    lim.release(start(lim), rate_limited=True, retry_after=1.0)
    learned = lim.rate
    assert learned == pytest.approx(0.97 * 10)
    clock.now += 1.0
    for _ in range(100):  # 10 s of paced successes inside the hold
        permit = paced(lim, clock)
        lim.release(permit)
    assert lim.rate == learned
    clock.now += 30.0
    for _ in range(50):
        permit = paced(lim, clock)
        lim.release(permit)
    assert learned < lim.rate < learned * 1.2


def test_max_requests_per_second_paces_starts() -> None:
    clock = FakeClock()
    lim = limiter(clock, max_requests_per_second=4, initial_concurrency=64)
    starts = []
    for _ in range(9):
        permit = paced(lim, clock)
        starts.append(permit.started)
        lim.release(permit)
    assert [round(b - a, 6) for a, b in itertools.pairwise(starts)] == [0.25] * 8


def test_the_sync_queue_waits_on_the_injected_clock() -> None:
    clock = FakeClock()
    lim = limiter(clock, max_requests_per_second=10)
    for _ in range(5):
        lim.release(lim.acquire())
    assert clock.slept == [pytest.approx(0.1)] * 4 and clock.now == pytest.approx(100.4)


async def test_the_async_queue_is_fifo_and_a_cancelled_waiter_leaves_it() -> None:
    clock = FakeClock()
    lim = limiter(clock, initial_concurrency=1)
    first = await lim.aacquire()
    order: list[str] = []

    async def take(name: str) -> None:
        permit = await lim.aacquire()
        order.append(name)
        lim.release(permit)

    waiting = [asyncio.ensure_future(take(n)) for n in "abc"]
    await asyncio.sleep(0)
    waiting[1].cancel()  # b gives up while queued
    await asyncio.sleep(0)
    lim.release(first)
    await asyncio.wait_for(asyncio.gather(waiting[0], waiting[2]), 5)
    assert order == ["a", "c"] and lim.in_flight == 0 and not lim._queue


@pytest.mark.parametrize(
    ("err", "limited"),
    [
        (RateLimitError("x", status_code=429), True),
        (APIStatusError("x", status_code=429, code="429006"), True),
        (APIStatusError("x", code="LimitExceeded"), True),
        (APIStatusError("x", code="RequestLimitExceeded.UinLimitExceeded"), True),
        (APIStatusError("x", status_code=200, code="429003"), True),
        (InternalServerError("x", status_code=500), False),
        (APIStatusError("x", status_code=400, code="400001"), False),
        (ValueError("x"), False),
    ],
)
def test_what_counts_as_rate_limited(err: Exception, limited: bool) -> None:
    assert is_rate_limited(err) is limited


def test_one_limiter_per_account_endpoint_and_model_without_the_key_in_clear() -> None:
    a = concurrency.limiter_for(["sk-secret-a"], "http://h/v1", "m")
    assert concurrency.limiter_for(["sk-secret-a"], "http://h/v1", "m") is a
    assert concurrency.limiter_for(["sk-secret-b"], "http://h/v1", "m") is not a
    assert concurrency.limiter_for(["sk-secret-a"], "http://h/v1", "other") is not a
    assert concurrency.limiter_for(["sk-secret-a"], "http://g/v1", "m") is not a
    assert all("sk-secret" not in str(key) for key in concurrency._registry)
    concurrency.limiter_for(["sk-secret-a"], "http://h/v1", "m", max_requests_per_second=5)
    concurrency.limiter_for(["sk-secret-a"], "http://h/v1", "m", max_requests_per_second=9)
    assert a.max_requests_per_second == 5  # the tightest ask wins: the quota is shared


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_starts_with_no_limiters() -> None:
    concurrency.limiter_for(["k"], "http://h/v1", "m")
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.write(write, str(len(concurrency._registry)).encode())
        os._exit(0)
    os.close(write)
    assert os.read(read, 16) == b"0"
    os.waitpid(pid, 0)
    assert len(concurrency._registry) == 1


# --- the whole law against a simulated quota ---------------------------------------------


def simulate(
    requests: int,
    *,
    rps: int = 20,
    concurrent: int = 5,
    latency: float = 0.02,
    send_lag: Callable[[int], float] = lambda seq: 0.0,
) -> tuple[float, int]:
    """Event-driven run of ``requests`` against a sliding-window quota answering 429 with a
    whole-second ``Retry-After``; returns (virtual seconds taken, 429s).

    ``send_lag(n)``: how long after its permit the n-th request reaches the server (a client
    busy parsing replies sends late); the server counts by arrival, as a real one does.
    """
    clock = FakeClock()
    clock.now = 0.0
    lim = limiter(clock)
    admitted: deque[float] = deque()
    # (when, order, what, permit, Retry-After): "send" reaches the server, "ok" / "429" returns
    events: list[tuple[float, int, str, Permit, float]] = []
    order = itertools.count()
    in_flight = done = refused = 0
    pending = requests
    while done < requests:
        wait: float | None = None
        while pending:
            permit, wait = lim.try_start()
            if permit is None:
                break
            pending -= 1
            n = next(order)
            heapq.heappush(events, (clock.now + send_lag(n), n, "send", permit, 0.0))
        upcoming = [events[0][0]] if events else []
        if pending and wait is not None:
            upcoming.append(clock.now + wait)
        clock.now = max(clock.now, min(upcoming))
        while events and events[0][0] <= clock.now:
            _, _, what, permit, retry = heapq.heappop(events)
            if what == "send":
                lim.sending(permit)
                while admitted and admitted[0] <= clock.now - 1:
                    admitted.popleft()
                if len(admitted) >= rps or in_flight >= concurrent:
                    retry = math.ceil(admitted[0] + 1 - clock.now) if len(admitted) >= rps else 1
                    heapq.heappush(events, (clock.now + 0.001, next(order), "429", permit, retry))
                    refused += 1
                else:
                    admitted.append(clock.now)
                    in_flight += 1
                    heapq.heappush(events, (clock.now + latency, next(order), "ok", permit, 0))
            elif what == "ok":
                in_flight -= 1
                done += 1
                lim.release(permit)
            else:
                pending += 1
                lim.release(permit, rate_limited=True, retry_after=retry)
    return clock.now, refused


@pytest.mark.parametrize(
    ("requests", "kwargs", "most_429s"),
    [
        (500, {}, 10),  # the benchmark's 100,000 texts in 200-text batches
        (5000, {}, 30),  # the benchmark's 5,000 chat calls
        (300, {"rps": 2}, 20),
        (1000, {"latency": 1.0}, 20),  # bound by concurrency, not rate
    ],
)
def test_a_bulk_job_runs_within_10_percent_of_the_quota(
    requests: int, kwargs: dict[str, Any], most_429s: int
) -> None:
    taken, refused = simulate(requests, **kwargs)
    rps, concurrent = kwargs.get("rps", 20), 5
    ideal = max(requests / rps, requests * kwargs.get("latency", 0.02) / concurrent)
    assert taken <= 1.1 * ideal if kwargs.get("latency", 0) < 1 else taken <= 1.25 * ideal
    assert refused <= most_429s
