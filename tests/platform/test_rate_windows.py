"""Sliding windows and the dispatcher's choice of the next send, on a clock the test sets."""

from __future__ import annotations

from collections import deque
from typing import Any, cast

import pytest

from bot.dispatch_pacing import ConversationPace, Job, next_send
from bot.rate_windows import SlidingWindows, rate_windows, schedule

TEAMS = ((7, 1.0), (8, 2.0), (60, 30.0))


def test_teams_windows_allow_the_burst_then_hold_every_window() -> None:
    moments = schedule(70, TEAMS)
    assert moments[:9] == [0.0] * 7 + [1.0, 2.0]
    for count, seconds in TEAMS:  # no window of `seconds` holds more than `count` sends
        assert all(moments[i + count] - moments[i] >= seconds for i in range(70 - count))
    assert moments[60] == 30.0  # the 61st waits for the first to leave the 30 s window


def test_margin_wait_and_retune() -> None:
    stream = SlidingWindows(((2, 1.0),), margin=0.5)
    assert [stream.reserve(0.0), stream.reserve(0.0)] == [0.0, 0.0]
    assert stream.wait(1.0) == pytest.approx(0.5)
    stream.retune(((1, 1.0),))  # fewer sends allowed: the counted ones still hold
    assert stream.earliest(0.2) == 1.0
    assert rate_windows(30) == ((30, 1.0),)
    assert rate_windows(7.5) == ((7, pytest.approx(7 / 7.5)),)


def conversation(orders: list[int], sent_at: tuple[float, ...] = ()) -> ConversationPace:
    windows = SlidingWindows(TEAMS)
    for moment in sent_at:
        windows.record(moment)
    jobs = [Job(cast(Any, None), cast(Any, None), "da", order=n) for n in orders]
    return ConversationPace(windows, deque(jobs))


def test_next_send_takes_the_earliest_claimed_job_a_window_allows() -> None:
    busy = conversation([1, 3, 5], sent_at=(0.0,) * 7)
    quiet = conversation([2, 4])
    idle = conversation([])
    unlimited = SlidingWindows(((1000, 1.0),))

    assert next_send([busy, quiet, idle], unlimited, 0.5) == (quiet, 0.5)
    assert next_send([busy, quiet, idle], unlimited, 1.0) == (busy, 1.0)
    quiet.sending = True  # one send per conversation at a time
    assert next_send([busy, quiet], unlimited, 0.5) == (None, 1.0)
    busy.paused_until = 4.0  # a 429's Retry-After
    assert next_send([busy], unlimited, 1.0) == (None, 4.0)


def test_next_send_waits_for_the_global_window() -> None:
    full = SlidingWindows(((2, 1.0),))
    full.record(0.0)
    full.record(0.25)
    assert next_send([conversation([1])], full, 0.5) == (None, 1.0)
