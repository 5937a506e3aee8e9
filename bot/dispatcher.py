"""The outbox dispatcher: sends due deliveries exactly once, within Teams' rate limits.

Rows are claimed under a lease (see storage.outbox), grouped by conversation, and sent in due
order per conversation. Each outcome is committed on its own right after the channel answered,
so a dispatcher killed mid-batch leaves only unsent rows behind, which another run picks up when
their lease ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from time import monotonic
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import aiohttp

from bot.dispatch_outcomes import DispatchReport
from bot.dispatch_pacing import (
    UNREACHABLE_STATUSES,
    ConversationPace,
    ConversationPaces,
    DispatchLimits,
    Job,
    limits_for,
    next_send,
    retry_after_of,
    status_of,
)
from bot.dispatch_targets import PersonalTargets
from bot.graph import GraphClient, GraphError, GraphThrottledError
from bot.logs import fields
from bot.outbox_render import render
from bot.personal_chats import InstallationPendingError, NotInstalledError, PersonalChats
from bot.proactive import ProactiveSender
from bot.rate_windows import SlidingWindows, rate_windows
from bot.sdk import ErrorResponseException
from bot.settings import Settings
from dialogs.texts import Lang
from storage import outbox_dispatch
from storage.conversations import TenantEndpoint
from storage.db import Database
from storage.models.base import utcnow

log = logging.getLogger(__name__)

T = TypeVar("T")


def configured_endpoint(settings: Settings) -> TenantEndpoint | None:
    """The tenant and serviceUrl settings name for opening chats on a fresh install."""
    tenants = sorted(settings.allowed_tenants)
    tenant = settings.app_tenant_id or (tenants[0] if len(tenants) == 1 else "")
    if not tenant or not settings.teams_service_url:
        return None
    return TenantEndpoint(tenant, settings.teams_service_url)


def dispatcher_for(
    settings: Settings,
    database: Database,
    sender: ProactiveSender,
    graph: GraphClient | None = None,
) -> Dispatcher:
    """The dispatcher as settings configure it (`graph`: installs the app where missing)."""
    return Dispatcher(
        database,
        sender,
        tz=settings.tz,
        language=settings.language,
        limits=limits_for(settings),
        endpoint=configured_endpoint(settings),
        chats=PersonalChats(sender, graph, manifest_id=settings.teams_app_id or settings.app_id),
    )


def worker_name() -> str:
    """A name unique to this dispatcher instance, for claims and logs."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Dispatcher(PersonalTargets):
    """Claims due outbox rows and sends them through the proactive sender (finding and opening
    chats: `bot.dispatch_targets`; recording outcomes: `bot.dispatch_outcomes`)."""

    def __init__(
        self,
        database: Database,
        sender: ProactiveSender,
        *,
        tz: ZoneInfo,
        language: Lang = "da",
        limits: DispatchLimits | None = None,
        worker: str | None = None,
        clock: Callable[[], float] = monotonic,
        now: Callable[[], datetime] = utcnow,
        endpoint: TenantEndpoint | None = None,
        chats: PersonalChats | None = None,
    ) -> None:
        self.database = database
        self.sender = sender
        self.tz = tz
        self.language = language
        self.limits = limits or DispatchLimits()
        self.worker = worker or worker_name()
        # `clock` paces sends (monotonic seconds); `now` is the wall clock that leases, due
        # times and lateness are read against. Both are injectable so tests need not sleep.
        self.clock = clock
        self.now = now
        self._share = 1
        self._global = SlidingWindows(
            rate_windows(self.limits.global_per_second), margin=self.limits.margin_seconds
        )
        self._beaten = -float("inf")
        self._conversations = ConversationPaces(self.limits)
        self._wake = asyncio.Event()
        self._drain_lock = asyncio.Lock()
        # The configured tenant and serviceUrl, for opening chats before any was seen.
        self.endpoint = endpoint
        # One chat opening per person at a time: a second row for them waits and then finds
        # the chat the first one opened (or the one their own message brought meanwhile).
        self._opening: dict[str, asyncio.Lock] = {}
        self.chats = chats or PersonalChats(sender)
        if self.chats.graph is not None:
            self.chats.graph.pace = self._global_slot  # Graph calls count against the limit

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
                    wait = min(interval, max(0.0, (next_due - self.now()).total_seconds()))
            except asyncio.CancelledError:
                raise
            except Exception as error:  # a database outage must not end the loop
                log.warning("dispatcher pass failed", extra=fields(error=type(error).__name__))
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for swallows a cancellation
            # that arrives just as the awaited event is set, and a stopped dispatcher runs on.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(wait, 0.05)):
                    await self._wake.wait()

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
                wait = (next_due - self.now()).total_seconds()
                if wait > settle:
                    return report
                await asyncio.sleep(max(wait, 0.0) + 0.01)

    async def _next_due(self) -> datetime | None:
        async with self.database.transaction() as session:
            return await outbox_dispatch.next_due(session=session)

    async def _pump(self, report: DispatchReport) -> None:
        """Claim and send until nothing more is claimable, keeping the pipeline full.

        One loop decides every send: the earliest-claimed job among conversations whose own
        windows and the global window allow a send now; one send per conversation at a time.
        """
        sending: set[asyncio.Task[None]] = set()
        changed = asyncio.Event()
        in_flight = 0
        order = 0
        queued: dict[int, Job] = {}  # by delivery id: the jobs claimed and not yet finished
        low_water = max(1, self.limits.batch_size // 2)

        async def send(conversation: ConversationPace) -> None:
            nonlocal in_flight
            job = conversation.queue[0]
            try:
                finished = await self._attempt(job, conversation, report)
            except asyncio.CancelledError:
                raise
            except Exception:  # one bad item is logged and skipped
                log.exception("delivery crashed", extra=fields(key=job.delivery.key))
                finished = True
            if finished:
                conversation.queue.popleft()
                queued.pop(job.delivery.id, None)
                in_flight -= 1
            conversation.sending = False
            changed.set()

        try:
            await self._expire(report)
            more = True
            while True:
                if await self._beat():
                    more = True  # rows given back for a retry, or freed by a dead dispatcher
                if more and in_flight <= low_water:
                    jobs, claimed = await self._claim(self.limits.batch_size - in_flight, report)
                    more = claimed > 0
                    for job in jobs:
                        waiting = queued.get(job.delivery.id)
                        if waiting is not None:
                            # Its lease ran out while it waited here and this claim renewed
                            # it: one job per row, holding the new lease, never two sends.
                            waiting.delivery = job.delivery
                            continue
                        order += 1
                        job.order = order
                        queued[job.delivery.id] = job
                        self._conversations.of(job.pace_key).queue.append(job)
                        in_flight += 1
                if in_flight == 0:
                    if more:
                        continue
                    return
                changed.clear()
                now = self.clock()
                conversation, at = (None, now)
                if len(sending) < self.limits.concurrency:
                    conversation, at = next_send(self._conversations.values(), self._global, now)
                if conversation is None:
                    timeout = min(max(at - now, 0.001), self.limits.heartbeat_seconds)
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(timeout):
                            await changed.wait()
                    continue
                conversation.windows.record(now)
                self._global.record(now)
                conversation.sending = True
                task = asyncio.create_task(send(conversation))
                sending.add(task)
                task.add_done_callback(sending.discard)
        finally:
            for task in list(sending):
                task.cancel()
            if sending:
                await asyncio.gather(*sending, return_exceptions=True)
            self._conversations.forget_idle(self.clock())
            await self._leave()

    async def _beat(self) -> bool:
        """Heartbeat now and then, and pace at this dispatcher's share of the global rate."""
        now = self.clock()
        if now - self._beaten < self.limits.heartbeat_seconds:
            return False
        self._beaten = now
        try:
            live = await self._as_worker(outbox_dispatch.heartbeat, ttl=self.limits.heartbeat_ttl)
        except Exception as error:  # keep the last share; the database will be back
            log.info("heartbeat failed", extra=fields(error=type(error).__name__))
            return True
        if live != self._share:
            self._share = live
            self._global.retune(
                rate_windows(self.limits.global_per_second / live),
                margin=self.limits.margin_seconds,
            )
        return True

    async def _as_worker(self, operation: Callable[..., Awaitable[T]], **arguments: Any) -> T:
        """A call of storage.outbox_dispatch that acts as this worker, now (a heartbeat, a
        claim), in a transaction of its own."""
        async with self.database.transaction() as session:
            return await operation(session=session, worker=self.worker, now=self.now(), **arguments)

    async def _leave(self) -> None:
        self._beaten = -float("inf")
        with contextlib.suppress(Exception):
            async with self.database.transaction() as session:
                await outbox_dispatch.leave(session=session, worker=self.worker)

    async def _expire(self, report: DispatchReport) -> None:
        try:
            async with self.database.transaction() as session:
                report.missed += await outbox_dispatch.expire_overdue(
                    session=session, now=self.now(), grace=self.limits.grace
                )
        except Exception as error:  # another dispatcher holds the rows: it will do it
            log.info("could not expire overdue rows", extra=fields(error=type(error).__name__))

    async def _claim(self, limit: int, report: DispatchReport) -> tuple[list[Job], int]:
        """Claim due rows and find each one's conversation; the unresolvable are settled here."""
        claim = await self._as_worker(
            outbox_dispatch.claim_due,
            lease=self.limits.lease,
            limit=limit,
            per_recipient=self.limits.per_conversation_claim,
        )
        jobs = await self._jobs_for(claim.deliveries, report)
        return jobs, len(claim.deliveries)

    async def _attempt(
        self, job: Job, conversation: ConversationPace, report: DispatchReport
    ) -> bool:
        """Send `job` once; False when it should be tried again right here (a short 429)."""
        delivery = job.delivery
        now = self.now()
        if delivery.lease_until and delivery.lease_until - now < self.limits.lease / 4:
            # It waited so long that the lease may run out mid-send: hand it back untouched.
            await self._settle(
                outbox_dispatch.mark_retry,
                delivery,
                report,
                retry_at=now,
                error="lease ran short",
                count_attempt=False,
            )
            return True
        # A row can fall past its grace after this pass's expiry ran (it was planned since,
        # or claimed in the same moment): it is missed all the same, never sent days late.
        too_old = now - delivery.due_at > self.limits.grace
        if too_old or (delivery.expires_at and now >= delivery.expires_at):
            error = "not sent in time" if too_old else "expired before sending"
            await self._settle(outbox_dispatch.mark_missed, delivery, report, error=error)
            report.missed += 1
            return True
        late = now - delivery.due_at > self.limits.late_after
        try:
            info = job.conversation
            if info is None:
                info, opened = await self._open(job)
                if opened:
                    # The slot this send was picked in went to opening the chat (a call against
                    # the same global limit); the message itself waits for one of its own.
                    await self._global_slot()
        except NotInstalledError as error:
            async with self.database.transaction() as session:
                await self._unreachable(session, delivery, error.reason, report)
            return True
        except GraphThrottledError as error:
            return await self._refused(job, conversation, report, 429, error.retry_after)
        except (GraphError, InstallationPendingError) as error:
            log.info("app installation not done", extra=fields(error=type(error).__name__))
            return await self._refused(job, conversation, report, 503, None)
        except ErrorResponseException as error:
            status, retry_after = status_of(error), retry_after_of(error)
            return await self._refused(job, conversation, report, status, retry_after)
        except (aiohttp.ClientError, OSError, TimeoutError) as error:
            log.info("channel unreachable", extra=fields(error=type(error).__name__))
            return await self._refused(job, conversation, report, 0, None)
        try:
            activity = render(
                delivery.message(),
                lang=job.lang,
                due_at=delivery.due_at,
                late=late,
                tz=self.tz,
            )
        except Exception as error:
            log.exception("delivery could not be rendered", extra=fields(key=delivery.key))
            await self._settle(
                outbox_dispatch.mark_failed, delivery, report, error=f"render: {error}"
            )
            report.failed += 1
            return True
        try:
            ids = await self.sender.send(info, activity)
        except ErrorResponseException as error:
            status, retry_after = status_of(error), retry_after_of(error)
        except (aiohttp.ClientError, OSError, TimeoutError) as error:
            status, retry_after = 0, None
            log.info("channel unreachable", extra=fields(error=type(error).__name__))
        else:
            await self._sent(delivery, info, ids, late, report)
            return True
        if status in UNREACHABLE_STATUSES:
            async with self.database.transaction() as session:
                await self._unreachable(session, delivery, f"{status} from channel", report)
            return True
        return await self._refused(job, conversation, report, status, retry_after)

    async def _global_slot(self) -> None:
        """Wait for room in the global window and take it (a call besides a send)."""
        while True:
            now = self.clock()
            at = self._global.earliest(now)
            if at <= now:
                self._global.record(now)
                return
            await asyncio.sleep(at - now)
