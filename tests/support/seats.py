"""Seating people in a governance body for a test's set-up, the way a secretary would."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.schema import Pack
from storage import membership
from storage.access import Role
from storage.audit import Author
from storage.bodies import Member
from storage.models.base import utcnow
from storage.reminders import Planning

TZ = ZoneInfo("Europe/Copenhagen")


async def seat(
    session: AsyncSession, pack: Pack, principal: str, role: Role, body: str = "styregruppe"
) -> Member:
    """Give `principal` a seat in `body`; the body's coming reminders are re-planned from now."""
    return await membership.add_member(
        session=session, plan=Planning(pack, TZ, utcnow()), body=body, principal=principal,
        role=role, by=Author("test"),
    )  # fmt: skip
