"""How fast the dispatcher may send: Teams' limits, each conversation's pace, the next send.

Teams allows a bot about 7 messages a second per conversation (8 in 2 s, 60 in 30 s) and a
global rate per app; a 429 pauses that conversation. `next_send` picks, among conversations
whose windows allow a send now, the one whose first job was claimed earliest. A refusal's
status and Retry-After decide whether a row waits, is retried later, or is given up.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from bot.rate_windows import SlidingWindows, Window
from bot.sdk import ErrorResponseException
from bot.settings import Settings
from dialogs.texts import Lang
from storage.conversations import ConversationInfo, PersonalTarget
from storage.outbox import Delivery

# Statuses worth another try later, and those that mean the recipient cannot be reached.
TRANSIENT_STATUSES = frozenset({412, 502, 503, 504})
UNREACHABLE_STATUSES = frozenset({403, 404})


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
    # A secretary's digest of unreached members waits this long after its first entry, so
    # the rest of the batch (fanned out meanwhile) joins it.
    digest_gather: timedelta = timedelta(seconds=10)

    def backoff(self, attempts: int) -> float:
        """Seconds to wait before the next try of a row tried `attempts` times."""
        ceiling = min(
            self.backoff_cap_seconds, self.backoff_base_seconds * 2 ** max(0, attempts - 1)
        )
        return random.uniform(ceiling / 2, ceiling)  # full jitter keeps retries apart


def limits_for(settings: Settings) -> DispatchLimits:
    """The dispatcher's limits with the configured global rate and grace window."""
    return DispatchLimits(
        global_per_second=settings.reminder_rate,
        grace=timedelta(hours=settings.reminder_grace_hours),
        digest_gather=timedelta(seconds=settings.reminder_digest_seconds),
    )


@dataclass
class Job:
    """A claimed delivery waiting in its conversation's queue, in claim order.

    A personal row whose recipient has no stored chat yet carries the `target` to open one
    with instead of a `conversation`; the chat is opened right before its send.
    """

    delivery: Delivery
    conversation: ConversationInfo | None
    # The recipient's language, for a message planned without one (their profile or own words,
    # else the municipality's): read when the row is claimed.
    lang: Lang
    target: PersonalTarget | None = None
    order: int = 0
    inline_waited: float = 0.0

    @property
    def pace_key(self) -> str:
        """The conversation whose limits this job is paced by (the chat to be, if none yet)."""
        if self.conversation is not None:
            return self.conversation.conversation_id
        assert self.target is not None, "a job has a conversation or a target"
        return f"new-personal:{self.target.aad_object_id}"


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


class ConversationPaces:
    """The pace of every conversation a dispatcher sends to: made on first use, dropped idle."""

    def __init__(self, limits: DispatchLimits) -> None:
        self.limits = limits
        self._paces: dict[str, ConversationPace] = {}

    def values(self) -> Iterable[ConversationPace]:
        """Every conversation's pace."""
        return self._paces.values()

    def of(self, conversation_id: str) -> ConversationPace:
        """The pace of one conversation (new ones start with empty windows)."""
        pace = self._paces.get(conversation_id)
        if pace is None:
            windows = SlidingWindows(
                self.limits.conversation_windows, margin=self.limits.margin_seconds
            )
            pace = self._paces[conversation_id] = ConversationPace(windows)
        return pace

    def forget_idle(self, now: float) -> None:
        """Drop conversations with nothing queued, sending or paused whose windows are empty."""
        horizon = now - max(s for _, s in self.limits.conversation_windows) - 1
        for cid, pace in list(self._paces.items()):
            last = pace.windows.last()
            idle = not pace.queue and not pace.sending
            if idle and (last is None or last < horizon) and pace.paused_until < now:
                del self._paces[cid]


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


def retry_after_of(error: ErrorResponseException) -> float | None:
    """The seconds a refusal asks the bot to wait (its Retry-After header), if it says."""
    headers = getattr(error.response, "headers", None) or {}
    value = headers.get("Retry-After") or headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def status_of(error: ErrorResponseException) -> int:
    """The HTTP status the channel refused a send with (0 when it says none)."""
    return int(getattr(error.response, "status_code", 0) or 0)
