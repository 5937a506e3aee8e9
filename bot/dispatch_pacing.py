"""How fast the dispatcher may send: Teams' limits, each conversation's pace, the next send.

Teams allows a bot about 7 messages a second per conversation (8 in 2 s, 60 in 30 s) and a
global rate per app; a 429 pauses that conversation. `next_send` picks, among conversations
whose windows allow a send now, the one whose first job was claimed earliest.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from bot.rate_windows import SlidingWindows, Window
from bot.settings import Settings
from storage.conversations import ConversationInfo
from storage.outbox import Delivery


@dataclass(frozen=True)
class DispatchLimits:
    """Teams' published limits and the dispatcher's retry policy."""

    global_per_second: float = 30.0
    # (messages, seconds) per conversation: Teams' per-thread limits.
    conversation_windows: tuple[Window, ...] = ((7, 1.0), (8, 2.0), (60, 30.0))
    # Every window is kept this many seconds longer, so jitter on the way never tips one.
    margin_seconds: float = 0.03
    concurrency: int = 8
    batch_size: int = 50
    # Rows of one conversation held at a time: enough for its burst, not so many that a busy
    # channel fills the batch while the others wait.
    per_conversation_claim: int = 12
    # Dispatchers sharing a database say they are alive this often and split the global rate
    # among those seen within `heartbeat_ttl`.
    heartbeat_seconds: float = 1.0
    heartbeat_ttl: timedelta = timedelta(seconds=5)
    lease: timedelta = timedelta(minutes=2)
    grace: timedelta = timedelta(hours=24)
    late_after: timedelta = timedelta(minutes=10)
    max_attempts: int = 8
    backoff_base_seconds: float = 1.0
    backoff_cap_seconds: float = 300.0
    max_inline_wait_seconds: float = 30.0
    default_retry_after_seconds: float = 1.0


def limits_for(settings: Settings) -> DispatchLimits:
    """The dispatcher's limits with the configured global rate and grace window."""
    return DispatchLimits(
        global_per_second=settings.reminder_rate,
        grace=timedelta(hours=settings.reminder_grace_hours),
    )


@dataclass
class Job:
    """A claimed delivery waiting in its conversation's queue, in claim order."""

    delivery: Delivery
    conversation: ConversationInfo
    order: int = 0
    inline_waited: float = 0.0


@dataclass
class ConversationPace:
    """One conversation's send history, pause after a 429, and claimed jobs in claim order."""

    windows: SlidingWindows
    queue: deque[Job] = field(default_factory=deque)
    paused_until: float = 0.0
    sending: bool = False

    def earliest(self, now: float) -> float:
        """When its next send may go, as far as its own limits go."""
        return max(self.windows.earliest(now), self.paused_until)


def next_send(
    conversations: Iterable[ConversationPace], global_windows: SlidingWindows, now: float
) -> tuple[ConversationPace | None, float]:
    """The conversation to send for next, and when: the earliest-claimed job of those whose
    limits allow a send now; else the moment the first one will."""
    global_at = global_windows.earliest(now)
    best: ConversationPace | None = None
    soonest = float("inf")
    for conversation in conversations:
        if conversation.sending or not conversation.queue:
            continue
        at = max(conversation.earliest(now), global_at)
        if at <= now:
            if best is None or conversation.queue[0].order < best.queue[0].order:
                best, soonest = conversation, now
        elif best is None:
            soonest = min(soonest, at)
    return best, soonest
