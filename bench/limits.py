"""Teams' proactive-messaging limits, enforced by the bench channel, and the fastest schedule
they allow (the theoretical minimum a reminder fan-out is compared with)."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from bot.rate_windows import SlidingWindows, Window, schedule

# (messages, seconds): at most that many sends in any window of that length.
PER_CONVERSATION: tuple[Window, ...] = ((7, 1.0), (8, 2.0), (60, 30.0))
GLOBAL: tuple[Window, ...] = ((30, 1.0),)


@dataclass
class TeamsLimits:
    """Sliding-window limits per conversation and for the whole bot; refused sends don't count."""

    per_conversation: tuple[Window, ...] = PER_CONVERSATION
    global_: tuple[Window, ...] = GLOBAL
    _sent: dict[str, SlidingWindows] = field(default_factory=dict)
    _all: SlidingWindows | None = None
    refused: int = 0

    def admit(self, conversation_id: str, now: float) -> float:
        """0 when the send is accepted (and counted), else the seconds to wait (a 429)."""
        if self._all is None:
            self._all = SlidingWindows(self.global_)
        stream = self._sent.get(conversation_id)
        if stream is None:
            stream = self._sent[conversation_id] = SlidingWindows(self.per_conversation)
        wait = max(stream.wait(now), self._all.wait(now))
        if wait > 0:
            self.refused += 1
            return wait
        stream.record(now)
        self._all.record(now)
        return 0.0

    @staticmethod
    def retry_after_header(wait: float) -> str:
        """Teams answers whole seconds."""
        return str(max(1, math.ceil(wait)))


def minimum_span(per_conversation: Counter[str] | dict[str, int]) -> float:
    """Seconds from the first to the last send that the limits force, at the least.

    The larger of two lower bounds: every send through the global window, and the busiest
    conversation through its own windows.
    """
    total = sum(per_conversation.values())
    if total == 0:
        return 0.0
    bounds = [schedule(total, GLOBAL)[-1]]
    bounds += [schedule(n, PER_CONVERSATION)[-1] for n in per_conversation.values() if n]
    return max(bounds)
