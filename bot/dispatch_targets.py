"""Where each claimed row goes: its stored conversation, else the member to open a 1:1 chat
with (their Entra id from the directory, else asked of Graph by mail), else why not. Part of
the dispatcher (`bot.dispatcher`), kept apart from its sending loop.

Graph's look-ups for one claim run side by side, each through the dispatcher's limiter (the
client paces every call and waits out Graph's 429 as its Retry-After says); a member Graph is
throttled or down for is given back to be tried again, never marked unreachable for it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from bot.dispatch_outcomes import DeliveryOutcomes, DispatchReport
from bot.dispatch_pacing import DispatchLimits, Job
from bot.graph import GraphThrottledError
from bot.logs import fields
from bot.personal_chats import PersonalChats
from dialogs.language import recipient_language
from dialogs.texts import Lang
from storage import outbox_dispatch
from storage.conversations import (
    ConversationInfo,
    PersonalTarget,
    TenantEndpoint,
    remember_conversation,
)
from storage.db import Database
from storage.directory import link_identity
from storage.outbox import Delivery

log = logging.getLogger("bot.dispatcher")


class _GraphLater(Exception):
    """Graph could not answer now; ask again after `wait` seconds."""

    def __init__(self, why: str, *, throttled_for: float | None = None) -> None:
        super().__init__(why)
        self.why = why
        self.throttled_for = throttled_for  # Graph's Retry-After, when it throttled


class PersonalTargets(DeliveryOutcomes):
    """The dispatcher's finding and opening of chats (a part of `Dispatcher`, which sets these)."""

    database: Database
    language: Lang
    limits: DispatchLimits
    endpoint: TenantEndpoint | None
    chats: PersonalChats
    now: Callable[[], datetime]
    _opening: dict[str, asyncio.Lock]

    async def _jobs_for(self, deliveries: Sequence[Delivery], report: DispatchReport) -> list[Job]:
        """A job per claimed row that can go (in claim order); the rest are settled here."""
        found: list[tuple[Delivery, Job | PersonalTarget | str, str | None]] = []
        for delivery in deliveries:
            async with self.database.transaction() as session:
                conversation = await outbox_dispatch.resolve_recipient(
                    session=session, delivery=delivery
                )
                if conversation is not None:
                    lang = await recipient_language(
                        session=session, conversation=conversation, default=self.language
                    )
                    found.append((delivery, Job(delivery, conversation, lang), None))
                    continue
                target = await outbox_dispatch.personal_target(
                    session=session, delivery=delivery, configured=self.endpoint
                )
                recipient = await outbox_dispatch.recipient_of(session=session, delivery=delivery)
            email = recipient.email if recipient else None
            ask_graph = target == outbox_dispatch.NO_ENTRA_ID and email
            found.append((delivery, target, email if ask_graph else None))
        looked_up = await self._look_up_all({email for *_, email in found if email})
        jobs: list[Job] = []
        for delivery, where, email in found:
            if isinstance(where, Job):
                jobs.append(where)
                continue
            target = where
            if email is not None:
                answer = looked_up[email]
                if isinstance(answer, _GraphLater):
                    await self._ask_graph_later(delivery, answer, report)
                    continue
                if answer is not None:
                    async with self.database.transaction() as session:
                        target = await outbox_dispatch.personal_target(
                            session=session, delivery=delivery, configured=self.endpoint
                        )
            if isinstance(target, str):
                async with self.database.transaction() as session:
                    await self._unreachable(session, delivery, target, report)
                continue
            # Someone govbot has no chat with has neither a profile nor words of their own
            # kept: the municipality's language.
            jobs.append(Job(delivery, None, self.language, target))
        return jobs

    async def _look_up_all(self, emails: set[str]) -> dict[str, str | _GraphLater | None]:
        """Ask Graph for the Entra id of each member the rosters did not name, side by side
        (at most the dispatcher's concurrency at once); each one found is linked."""
        room = asyncio.Semaphore(self.limits.concurrency)

        async def one(email: str) -> str | _GraphLater | None:
            async with room:
                return await self._look_up(email)

        answers = await asyncio.gather(*(one(email) for email in sorted(emails)))
        return dict(zip(sorted(emails), answers, strict=True))

    async def _look_up(self, email: str) -> str | _GraphLater | None:
        try:
            found = await self.chats.find_entra_id(email)
        except GraphThrottledError as error:
            return _GraphLater("429 throttled by Graph", throttled_for=error.retry_after)
        except Exception as error:  # Graph down or refusing: the row says why, and waits
            log.info("graph look-up failed", extra=fields(error=type(error).__name__))
            return _GraphLater(f"graph look-up failed: {type(error).__name__}")
        if found is not None:
            async with self.database.transaction() as session:
                await link_identity(
                    session=session, email=email, aad_object_id=found, actor="graph"
                )
        return found

    async def _ask_graph_later(
        self, delivery: Delivery, later: _GraphLater, report: DispatchReport
    ) -> None:
        """Give a row back to be tried once Graph can answer; after the last attempt its
        member is unreachable for want of an Entra id."""
        throttled = later.throttled_for is not None
        if not throttled and delivery.attempts >= self.limits.max_attempts:
            async with self.database.transaction() as session:
                await self._unreachable(session, delivery, outbox_dispatch.NO_ENTRA_ID, report)
            return
        if later.throttled_for is not None:
            wait = later.throttled_for or self.limits.default_retry_after_seconds
        else:
            wait = self.limits.backoff(delivery.attempts)
        report.throttled += int(throttled)
        await self._retry(delivery, report, wait, later.why, count_attempt=not throttled)

    async def _open(self, job: Job) -> tuple[ConversationInfo, bool]:
        """The 1:1 chat for `job`'s target: one stored meanwhile, else a newly created one
        (then True)."""
        assert job.target is not None
        target = job.target
        lock = self._opening.setdefault(target.aad_object_id, asyncio.Lock())
        async with lock:
            async with self.database.transaction() as session:
                found = await outbox_dispatch.resolve_recipient(
                    session=session, delivery=job.delivery
                )
            opened = found is None
            if found is None:
                created = await self.chats.open(target)
                async with self.database.transaction() as session:
                    await remember_conversation(session=session, info=created)
                log.info("personal chat opened", extra=fields(key=job.delivery.key))
                found = created
        if not lock.locked():
            self._opening.pop(target.aad_object_id, None)
        job.conversation = found
        return found, opened
