"""Teams' proactive-messaging limits, enforced by the bench channel, and the fastest schedule
they allow (the theoretical minimum a reminder fan-out is compared with)."""

from __future__ import annotations

import math
from collections import Counter, deque
from dataclasses import dataclass, field

# (messages, seconds): at most that many sends in any window of that length.
PER_CONVERSATION: tuple[tuple[int, float], ...] = ((7, 1.0), (8, 2.0), (60, 30.0))
GLOBAL: tuple[tuple[int, float], ...] = ((30, 1.0),)


def _wait(history: deque[float], limits: tuple[tuple[int, float], ...], now: float) -> float:
    """Seconds until one more send fits every window (0 = now)."""
    wait = 0.0
    for count, seconds in limits:
        if len(history) >= count:
            wait = max(wait, history[-count] + seconds - now)
    return wait


@dataclass
class TeamsLimits:
    """Sliding-window limits per conversation and for the whole bot; refused sends don't count."""

    per_conversation: tuple[tuple[int, float], ...] = PER_CONVERSATION
    global_: tuple[tuple[int, float], ...] = GLOBAL
    _sent: dict[str, deque[float]] = field(default_factory=dict)
    _all: deque[float] = field(default_factory=deque)
    refused: int = 0

    def admit(self, conversation_id: str, now: float) -> float:
        """0 when the send is accepted (and counted), else the seconds to wait (a 429)."""
        history = self._sent.setdefault(conversation_id, deque(maxlen=self._depth()))
        wait = max(_wait(history, self.per_conversation, now), _wait(self._all, self.global_, now))
        if wait > 0:
            self.refused += 1
            return wait
        history.append(now)
        self._all.append(now)
        if len(self._all) > 1000:
            self._all.popleft()
        return 0.0

    def _depth(self) -> int:
        return max(count for count, _ in self.per_conversation)

    @staticmethod
    def retry_after_header(wait: float) -> str:
        """Teams answers whole seconds."""
        return str(max(1, math.ceil(wait)))


def _stream_times(n: int, limits: tuple[tuple[int, float], ...]) -> list[float]:
    """Earliest send times of n messages in one stream under `limits` (first at 0)."""
    times: list[float] = []
    for i in range(n):
        earliest = 0.0
        for count, seconds in limits:
            if i >= count:
                earliest = max(earliest, times[i - count] + seconds)
        times.append(max(earliest, times[-1] if times else 0.0))
    return times


def minimum_span(per_conversation: Counter[str] | dict[str, int]) -> float:
    """Seconds from the first to the last send that the limits force, at the least.

    The larger of two lower bounds: every send through the global window, and the busiest
    conversation through its own windows.
    """
    total = sum(per_conversation.values())
    if total == 0:
        return 0.0
    bounds = [_stream_times(total, GLOBAL)[-1]]
    bounds += [_stream_times(n, PER_CONVERSATION)[-1] for n in per_conversation.values() if n]
    return max(bounds)
