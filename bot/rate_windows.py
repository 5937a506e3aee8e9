"""Sliding-window rate limits over several windows at once, on a clock the caller supplies.

Teams allows per conversation 7 sends in any 1 s, 8 in any 2 s and 60 in any 30 s. Checking the
windows one after another, each as its own bucket, waits for each in turn and never allows the
bursts Teams does; here one history answers "when may the next send go" for all of them.
(The `limits` package answers "may I send now" on the wall clock; the dispatcher needs the
earliest moment, and tests need their own clock.)
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

Window = tuple[float, float]  # (sends, seconds): at most that many sends in any window that long


class SlidingWindows:
    """The send moments of one stream and the earliest moment one more send fits every window."""

    def __init__(self, windows: Sequence[Window], *, margin: float = 0.0) -> None:
        self.windows = tuple((int(count), seconds + margin) for count, seconds in windows)
        self._sent: deque[float] = deque(maxlen=max(count for count, _ in self.windows))

    def retune(self, windows: Sequence[Window], *, margin: float = 0.0) -> None:
        """Change the windows, keeping the sends already counted."""
        self.windows = tuple((int(count), seconds + margin) for count, seconds in windows)
        self._sent = deque(self._sent, maxlen=max(count for count, _ in self.windows))

    def wait(self, now: float) -> float:
        """Seconds from `now` until one more send fits every window (0: it fits now)."""
        return max(0.0, self.earliest(now) - now)

    def earliest(self, now: float) -> float:
        """The earliest moment at or after `now` when one more send fits every window."""
        moment = now
        for count, seconds in self.windows:
            if len(self._sent) >= count:
                moment = max(moment, self._sent[-count] + seconds)
        return moment

    def record(self, at: float) -> None:
        """Count a send at `at` (moments are recorded in order)."""
        self._sent.append(max(at, self._sent[-1]) if self._sent else at)

    def reserve(self, now: float) -> float:
        """Record one more send at the earliest moment it fits, and return that moment."""
        moment = self.earliest(now)
        self.record(moment)
        return moment

    def last(self) -> float | None:
        """The latest recorded send, if any."""
        return self._sent[-1] if self._sent else None


def rate_windows(per_second: float) -> tuple[Window, ...]:
    """`per_second` as one window with a whole number of sends (a share such as 30/4 too)."""
    count = max(1, int(per_second))
    return ((count, count / per_second),)


def schedule(count: int, windows: Sequence[Window], start: float = 0.0) -> list[float]:
    """The earliest moments of `count` back-to-back sends under `windows`, the first at `start`."""
    stream = SlidingWindows(windows)
    return [stream.reserve(start) for _ in range(count)]
