"""The outbox dispatcher: sends due deliveries exactly once, within Teams' rate limits.

Rows are claimed under a lease (see storage.outbox), grouped by conversation, and sent in due
order per conversation. Each outcome is committed on its own right after the channel answered,
so a dispatcher killed mid-batch leaves only unsent rows behind, which another run picks up when
their lease ends.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from time import monotonic
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
from aiolimiter import AsyncLimiter
from botbuilder.core import MessageFactory
from botbuilder.schema import Activity, ErrorResponseException

from bot.logs import fields
from bot.proactive import ProactiveSender
from bot.settings import Settings
from dialogs.cards import card
from dialogs.texts import Lang, text
from storage import outbox
from storage.conversations import ConversationInfo
from storage.db import Database
from storage.models.base import utcnow
from storage.outbox import Delivery

log = logging.getLogger(__name__)

TRANSIENT_STATUSES = frozenset({412, 502, 503, 504})
UNREACHABLE_STATUSES = frozenset({403, 404})


@dataclass(frozen=True)
class DispatchLimits:
    """Teams' published limits and the dispatcher's retry policy."""

    global_per_second: float = 30.0
    # (messages, seconds) per conversation: Teams' per-thread limits.
    conversation_windows: tuple[tuple[int, float], ...] = ((7, 1.0), (8, 2.0), (60, 30.0))
    # Limits are kept with this much room, so clock jitter on the way never tips a window.
    headroom: float = 0.03
    concurrency: int = 8
    batch_size: int = 50
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
class DispatchReport:
    """What one `drain` did."""

    sent: int = 0
    late: int = 0
    retried: int = 0
    throttled: int = 0
    failed: int = 0
    unreachable: int = 0
    missed: int = 0
    lost_claims: int = 0


@dataclass
class _Job:
    delivery: Delivery
    conversation: ConversationInfo


@dataclass
class _ConversationLimiter:
    limiters: list[AsyncLimiter]
    paused_until: float = 0.0
    last_used: float = field(default_factory=monotonic)

    async def acquire(self) -> None:
        wait = self.paused_until - monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        for limiter in self.limiters:
            await limiter.acquire()
        self.last_used = monotonic()


def _spaced(count: float, seconds: float, headroom: float) -> AsyncLimiter:
    # A bucket of one spaces sends evenly: "N per T" then holds for every sliding window of T,
    # which a bucket of N (bursting N at once, then N more as it drains) would not.
    return AsyncLimiter(1, seconds / count * (1 + headroom))


def _retry_after(error: ErrorResponseException) -> float | None:
    headers = getattr(error.response, "headers", None) or {}
    value = headers.get("Retry-After") or headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _status(error: ErrorResponseException) -> int:
    return int(getattr(error.response, "status_code", 0) or 0)


def worker_name() -> str:
    """A name unique to this dispatcher instance, for claims and logs."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Dispatcher:
    """Claims due outbox rows and sends them through the proactive sender."""

    def __init__(
        self,
        database: Database,
        sender: ProactiveSender,
        *,
        tz: ZoneInfo,
        limits: DispatchLimits | None = None,
        worker: str | None = None,
    ) -> None:
        self.database = database
        self.sender = sender
        self.tz = tz
        self.limits = limits or DispatchLimits()
        self.worker = worker or worker_name()
        self._global = _spaced(self.limits.global_per_second, 1.0, self.limits.headroom)
        self._slots = asyncio.Semaphore(self.limits.concurrency)
        self._conversations: dict[str, _ConversationLimiter] = {}
        self._wake = asyncio.Event()
        self._drain_lock = asyncio.Lock()

    async def kick(self) -> None:
        """Wake the dispatcher now (e.g. right after a turn planned a delivery)."""
        self._wake.set()

    async def run_forever(self, interval: float = 60.0) -> None:
        """Drain what is due, then sleep until the next row is due, `interval`, or a kick."""
        while True:
            self._wake.clear()
            wait = interval
            try:
                await self.drain()
                next_due = await self._next_due()
                if next_due is not None:
                    wait = min(interval, max(0.0, (next_due - utcnow()).total_seconds()))
            except asyncio.CancelledError:
                raise
            except Exception as error:  # a database outage must not end the loop
                log.warning("dispatcher pass failed", extra=fields(error=type(error).__name__))
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=max(wait, 0.05))
            except TimeoutError:
                pass

    async def drain(self, *, settle: float = 0.0) -> DispatchReport:
        """Send everything due now; then keep going while more falls due within `settle` s."""
        async with self._drain_lock:
            report = DispatchReport()
            while True:
                await self._pump(report)
                if settle <= 0:
                    return report
                next_due = await self._next_due()
                if next_due is None:
                    return report
                wait = (next_due - utcnow()).total_seconds()
                if wait > settle:
                    return report
                await asyncio.sleep(max(wait, 0.0) + 0.01)

    async def _next_due(self) -> datetime | None:
        async with self.database.transaction() as session:
            return await outbox.next_due(session=session)

    async def _pump(self, report: DispatchReport) -> None:
        """Claim and send until nothing more is claimable, keeping the pipeline full."""
        queues: dict[str, deque[_Job]] = {}
        workers: dict[str, asyncio.Task[None]] = {}
        done = asyncio.Event()
        in_flight = 0
        low_water = max(1, self.limits.batch_size // 2)

        async def work(conversation_id: str) -> None:
            nonlocal in_flight
            queue = queues[conversation_id]
            try:
                while queue:
                    job = queue[0]
                    try:
                        await self._deliver(job, report)
                    except asyncio.CancelledError:
                        raise
                    except Exception:  # one bad item is logged and skipped
                        log.exception("delivery crashed", extra=fields(key=job.delivery.key))
                    queue.popleft()
                    in_flight -= 1
                    done.set()
            finally:
                workers.pop(conversation_id, None)
                queues.pop(conversation_id, None)

        try:
            await self._expire(report)
            while True:
                claimed = 0
                if in_flight <= low_water:
                    jobs, claimed = await self._claim(self.limits.batch_size - in_flight, report)
                    for job in jobs:
                        cid = job.conversation.conversation_id
                        queues.setdefault(cid, deque()).append(job)
                        in_flight += 1
                        if cid not in workers:
                            workers[cid] = asyncio.create_task(work(cid))
                if not claimed and in_flight == 0:
                    return
                if claimed and in_flight <= low_water:
                    continue
                done.clear()
                await done.wait()
        finally:
            for task in list(workers.values()):
                task.cancel()
            if workers:
                await asyncio.gather(*workers.values(), return_exceptions=True)
            self._forget_idle_conversations()

    async def _expire(self, report: DispatchReport) -> None:
        try:
            async with self.database.transaction() as session:
                report.missed += await outbox.expire_overdue(
                    session=session, now=utcnow(), grace=self.limits.grace
                )
        except Exception as error:  # another dispatcher holds the rows: it will do it
            log.info("could not expire overdue rows", extra=fields(error=type(error).__name__))

    async def _claim(self, limit: int, report: DispatchReport) -> tuple[list[_Job], int]:
        """Claim due rows and find each one's conversation; the unresolvable are settled here."""
        jobs: list[_Job] = []
        async with self.database.transaction() as session:
            claim = await outbox.claim_due(
                session=session,
                worker=self.worker,
                now=utcnow(),
                lease=self.limits.lease,
                limit=limit,
            )
        for delivery in claim.deliveries:
            async with self.database.transaction() as session:
                conversation = await outbox.resolve_recipient(session=session, delivery=delivery)
                if conversation is None:
                    await self._unreachable(
                        session, delivery, "no stored conversation with the recipient", report
                    )
                    continue
            jobs.append(_Job(delivery, conversation))
        return jobs, len(claim.deliveries)

    def _limiter(self, conversation_id: str) -> _ConversationLimiter:
        limiter = self._conversations.get(conversation_id)
        if limiter is None:
            limiter = _ConversationLimiter(
                [
                    _spaced(count, seconds, self.limits.headroom)
                    for count, seconds in self.limits.conversation_windows
                ]
            )
            self._conversations[conversation_id] = limiter
        return limiter

    def _forget_idle_conversations(self) -> None:
        horizon = monotonic() - max(s for _, s in self.limits.conversation_windows) - 1
        for cid in [c for c, lim in self._conversations.items() if lim.last_used < horizon]:
            if self._conversations[cid].paused_until < monotonic():
                del self._conversations[cid]

    async def _deliver(self, job: _Job, report: DispatchReport) -> None:
        delivery, conversation = job.delivery, job.conversation
        now = utcnow()
        if delivery.expires_at and now >= delivery.expires_at:
            await self._settle(outbox.mark_missed, delivery, report, error="expired before sending")
            report.missed += 1
            return
        late = now - delivery.due_at > self.limits.late_after
        try:
            activity = self.render(delivery, conversation, late=late)
        except Exception as error:
            log.exception("delivery could not be rendered", extra=fields(key=delivery.key))
            await self._settle(outbox.mark_failed, delivery, report, error=f"render: {error}")
            report.failed += 1
            return
        limiter = self._limiter(conversation.conversation_id)
        inline_waited = 0.0
        while True:
            await limiter.acquire()
            async with self._slots:
                await self._global.acquire()
                try:
                    ids = await self.sender.send(conversation, activity)
                except ErrorResponseException as error:
                    status, retry_after = _status(error), _retry_after(error)
                except (aiohttp.ClientError, OSError, TimeoutError) as error:
                    status, retry_after = 0, None
                    log.info("channel unreachable", extra=fields(error=type(error).__name__))
                else:
                    await self._sent(delivery, conversation, ids, late, report)
                    return
            if status == 429:
                report.throttled += 1
                wait = retry_after or self.limits.default_retry_after_seconds
                limiter.paused_until = max(limiter.paused_until, monotonic() + wait)
                if inline_waited + wait <= self.limits.max_inline_wait_seconds:
                    inline_waited += wait
                    continue
                retry_at = utcnow() + timedelta(seconds=wait)
                await self._settle(
                    outbox.mark_retry,
                    delivery,
                    report,
                    retry_at=retry_at,
                    error="429 throttled",
                    count_attempt=False,
                )
                report.retried += 1
                return
            if status in UNREACHABLE_STATUSES:
                async with self.database.transaction() as session:
                    await self._unreachable(session, delivery, f"{status} from channel", report)
                return
            if (status == 0 or status in TRANSIENT_STATUSES) and (
                delivery.attempts < self.limits.max_attempts
            ):
                await self._settle(
                    outbox.mark_retry,
                    delivery,
                    report,
                    retry_at=utcnow() + timedelta(seconds=self._backoff(delivery.attempts)),
                    error=f"{status or 'network'} from channel",
                )
                report.retried += 1
                return
            log.warning("delivery failed", extra=fields(key=delivery.key, status=status))
            await self._settle(outbox.mark_failed, delivery, report, error=f"{status} from channel")
            report.failed += 1
            return

    def _backoff(self, attempts: int) -> float:
        ceiling = min(
            self.limits.backoff_cap_seconds,
            self.limits.backoff_base_seconds * 2 ** max(0, attempts - 1),
        )
        return random.uniform(ceiling / 2, ceiling)  # full jitter keeps retries apart

    async def _sent(
        self,
        delivery: Delivery,
        conversation: ConversationInfo,
        ids: list[str],
        late: bool,
        report: DispatchReport,
    ) -> None:
        ok = await self._settle(
            outbox.mark_sent,
            delivery,
            report,
            sent_to=conversation.conversation_id,
            activity_id=ids[0] if ids else None,
            late=late,
        )
        if ok:
            report.sent += 1
            report.late += int(late)

    async def _settle(
        self,
        mark: Callable[..., Awaitable[bool]],
        delivery: Delivery,
        report: DispatchReport,
        **values: Any,
    ) -> bool:
        """Record an outcome in its own transaction, retrying briefly if the database blinks."""
        for attempt in range(3):
            try:
                async with self.database.transaction() as session:
                    ok = await mark(
                        session=session, delivery_id=delivery.id, worker=self.worker, **values
                    )
                break
            except Exception as error:
                if attempt == 2:
                    raise
                log.warning("could not record delivery", extra=fields(error=type(error).__name__))
                await asyncio.sleep(0.2 * (attempt + 1))
        if not ok:
            report.lost_claims += 1
            log.warning("claim lost before recording", extra=fields(key=delivery.key))
        return ok

    async def _unreachable(
        self, session: Any, delivery: Delivery, reason: str, report: DispatchReport
    ) -> None:
        """Mark the recipient unreachable and tell whoever the row names (the secretary)."""
        ok = await outbox.mark_unreachable(
            session=session, delivery_id=delivery.id, worker=self.worker, error=reason
        )
        if not ok:
            report.lost_claims += 1
            return
        report.unreachable += 1
        log.info("recipient unreachable", extra=fields(key=delivery.key, reason=reason))
        who = delivery.payload.get("recipient_name") or delivery.recipient
        subject = delivery.payload.get("subject") or delivery.key
        for target in delivery.report_to:
            await outbox.enqueue(
                session=session,
                key=f"{delivery.key}:unreachable:{_target_name(target)}",
                due_at=utcnow(),
                payload={
                    "lang": None,
                    "subject": f"unreachable {delivery.key}",
                    "text": {
                        "key": "outbox.unreachable",
                        "values": {"who": who, "subject": subject},
                    },
                },
                conversation_id=target.get("conversation_id"),
                principal=target.get("principal"),
                kind="channel" if target.get("conversation_id") else "personal",
                source="outbox",
            )

    def render(self, delivery: Delivery, conversation: ConversationInfo, *, late: bool) -> Activity:
        """The message for `delivery` in the recipient's language, noting lateness."""
        payload = delivery.payload
        lang: Lang = payload.get("lang") or _lang_of(conversation.locale)
        lines: list[str] = []
        if late:
            due = delivery.due_at.astimezone(self.tz)
            lines.append(text("outbox.late", lang, due=due.strftime("%d.%m.%Y %H:%M")))
        if payload.get("text"):
            spec = payload["text"]
            lines.append(text(spec["key"], lang, **(spec.get("values") or {})))
        message = "\n\n".join(lines) or None
        if payload.get("card"):
            spec = payload["card"]
            attachment = card(spec["name"], lang, **(spec.get("values") or {}))
            return MessageFactory.attachment(attachment, text=message)
        return MessageFactory.text(message or "")


def _lang_of(locale: str | None) -> Lang:
    return "en" if (locale or "").lower().startswith("en") else "da"


def _target_name(target: dict[str, str]) -> str:
    return target.get("principal") or target.get("conversation_id") or "?"
