"""Adapter middleware run after authentication and before the bot: tenant gate, rate limit."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from limits import RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter

from bot.conversations import tenant_of
from bot.logs import fields
from bot.notices import tell
from bot.sdk import Activity, ActivityTypes, Middleware, TurnContext
from dialogs.language import stateless_language
from dialogs.texts import Lang, text

log = logging.getLogger(__name__)

Next = Callable[[], Awaitable[None]]

# Activity types a person sends by acting; installs and membership changes are never limited.
USER_ACTIVITY_TYPES = frozenset({ActivityTypes.message, ActivityTypes.invoke})


class TenantGate(Middleware):
    """Drops activities from tenants outside `allowed` (empty = every tenant) without a reply."""

    def __init__(self, allowed: frozenset[str]) -> None:
        self._allowed = frozenset(tenant.lower() for tenant in allowed)

    async def on_turn(self, context: TurnContext, logic: Next) -> None:
        tenant = tenant_of(context.activity)
        if not self._allowed or (tenant or "").lower() in self._allowed:
            await logic()
            return
        activity = context.activity
        log.warning(
            "activity from a tenant that is not allowed",
            extra=fields(
                tenant=tenant or "-",
                activity_id=activity.id or "-",
                type=activity.type or "-",
                sender=_sender(activity),
            ),
        )


# Teams refreshes every visible card with `refresh` when a channel is opened (Universal Actions):
# those invokes are the client's, not the person's, so they get their own, larger budget and never
# use up the turns the person types or clicks.
REFRESHES_PER_TURN_ALLOWED = 10


class RateLimit(Middleware):
    """At most `per_minute` turns per user in any minute; the first turn over it is told why.

    Automatic card refreshes count in a window of their own, `REFRESHES_PER_TURN_ALLOWED` times
    as large. Counts live in memory: a limit protects this process, and a restart forgiving the
    counts is harmless (0 = unlimited).
    """

    def __init__(self, per_minute: int, *, language: Lang) -> None:
        self._language = language
        self._turns = RateLimitItemPerMinute(max(per_minute, 1))
        self._refreshes = RateLimitItemPerMinute(max(per_minute, 1) * REFRESHES_PER_TURN_ALLOWED)
        self._notices = RateLimitItemPerMinute(1)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._enabled = per_minute > 0

    async def on_turn(self, context: TurnContext, logic: Next) -> None:
        activity = context.activity
        if not self._enabled or activity.type not in USER_ACTIVITY_TYPES:
            await logic()
            return
        sender = _sender(activity)
        window, key = (
            (self._refreshes, "refresh")
            if _is_automatic_refresh(activity)
            else (self._turns, "turn")
        )
        if await self._limiter.hit(window, key, sender):
            await logic()
            return
        log.warning(
            "rate limited",
            extra=fields(sender=sender, activity_id=activity.id or "-", type=activity.type),
        )
        # One notice a minute, so a flood is not answered by a flood; an invoke always needs one.
        noticed = await self._limiter.hit(self._notices, "notice", sender)
        if noticed or activity.type == ActivityTypes.invoke:
            await tell(
                context, text("security.rate_limited", stateless_language(activity, self._language))
            )


def _is_automatic_refresh(activity: Activity) -> bool:
    """A card's `refresh` that Teams sent on its own when the card came into view."""
    value = activity.value
    return (
        activity.type == ActivityTypes.invoke
        and activity.name == "adaptiveCard/action"
        and isinstance(value, dict)
        and value.get("trigger") == "automatic"
    )


def _sender(activity: Activity) -> str:
    sender = activity.from_property
    if sender is None:
        return "-"
    return str(sender.aad_object_id or sender.id or "-")[:128]
