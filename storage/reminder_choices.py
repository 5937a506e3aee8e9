"""A member's own choices about a body's reminders, and the reminders that are theirs."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.schema import Pack
from storage import bodies, outbox, reminders


async def own_meeting_delivery(
    *, session: AsyncSession, key: str, principals: frozenset[str]
) -> outbox.Delivery | None:
    """The meeting reminder `key`, if it was sent to one of `principals`."""
    if not key.startswith("meeting:"):
        return None
    delivery = await outbox.get_delivery(session=session, key=key)
    return delivery if delivery is not None and delivery.principal in principals else None


async def set_member_opt_out(
    *,
    session: AsyncSession,
    pack: Pack,
    body: str,
    principals: frozenset[str],
    opted_out: bool,
    tz: ZoneInfo,
    now: datetime,
) -> bool:
    """Turn the 1:1 reminders of the member known by `principals` off (or on) for `body` and
    re-plan the body's coming reminders; False when they hold no role in the body."""
    mine = [
        m for m in await bodies.members(session=session, body=body) if m.principal in principals
    ]
    if not mine:
        return False
    await reminders.set_opt_out(
        session=session, principal=mine[0].principal, body=body, opted_out=opted_out
    )
    await reminders.replan_body(session=session, pack=pack, body=body, tz=tz, now=now)
    return True
