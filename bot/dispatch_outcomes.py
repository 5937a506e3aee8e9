"""What became of each claimed row, recorded: sent, retried, failed, or unreachable (the body's
secretary then hears of it in one digest). Part of the dispatcher (`bot.dispatcher`), kept apart
from its sending loop; each outcome is committed on its own, right after the channel answered."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.dispatch_pacing import TRANSIENT_STATUSES, ConversationPace, DispatchLimits, Job
from bot.logs import fields
from bot.outbox_unreachable import report_unreachable
from storage import outbox_dispatch
from storage.conversations import ConversationInfo
from storage.db import Database
from storage.outbox import Delivery

log = logging.getLogger("bot.dispatcher")


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


class DeliveryOutcomes:
    """The dispatcher's recording of outcomes (a part of `Dispatcher`, which sets these)."""

    database: Database
    worker: str
    limits: DispatchLimits
    clock: Callable[[], float]
    now: Callable[[], datetime]

    async def _refused(
        self,
        job: Job,
        conversation: ConversationPace,
        report: DispatchReport,
        status: int,
        retry_after: float | None,
    ) -> bool:
        """Settle a send or chat opening the channel refused (or did not answer)."""
        delivery = job.delivery
        if status == 429:
            report.throttled += 1
            wait = retry_after or self.limits.default_retry_after_seconds
            conversation.paused_until = max(conversation.paused_until, self.clock() + wait)
            if job.inline_waited + wait <= self.limits.max_inline_wait_seconds:
                job.inline_waited += wait
                return False
            await self._retry(delivery, report, wait, "429 throttled", count_attempt=False)
            return True
        if (status == 0 or status in TRANSIENT_STATUSES) and (
            delivery.attempts < self.limits.max_attempts
        ):
            backoff = self.limits.backoff(delivery.attempts)
            await self._retry(delivery, report, backoff, f"{status or 'network'} from channel")
            return True
        log.warning("delivery failed", extra=fields(key=delivery.key, status=status))
        await self._settle(
            outbox_dispatch.mark_failed, delivery, report, error=f"{status} from channel"
        )
        report.failed += 1
        return True

    async def _retry(
        self,
        delivery: Delivery,
        report: DispatchReport,
        seconds: float,
        error: str,
        *,
        count_attempt: bool = True,
    ) -> None:
        """Give the row back to be tried again in `seconds` (throttled, or a transient error)."""
        report.retried += 1
        await self._settle(
            outbox_dispatch.mark_retry,
            delivery,
            report,
            retry_at=self.now() + timedelta(seconds=seconds),
            error=error,
            count_attempt=count_attempt,
        )

    async def _sent(
        self,
        delivery: Delivery,
        conversation: ConversationInfo,
        ids: list[str],
        late: bool,
        report: DispatchReport,
    ) -> None:
        ok = await self._settle(
            outbox_dispatch.mark_sent,
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
        ok = await outbox_dispatch.mark_unreachable(
            session=session, delivery_id=delivery.id, worker=self.worker, error=reason
        )
        if not ok:
            report.lost_claims += 1
            return
        report.unreachable += 1
        log.info("recipient unreachable", extra=fields(key=delivery.key, reason=reason))
        await report_unreachable(
            session=session,
            delivery=delivery,
            error=reason,
            now=self.now(),
            gather=self.limits.digest_gather,
        )
