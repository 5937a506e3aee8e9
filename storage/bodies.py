"""The governance bodies that hold meetings: who sits in each, and the channel it posts in.

Joining or leaving a body (which re-plans reminders) is storage.membership's add_member and
remove_member; this module only reads and sets what they and the reminder planner build on.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.schema import Pack
from knowledge.schema_bodies import Body
from storage.access import BODY_ROLES, Role, list_grants
from storage.audit import Author, record_change
from storage.errors import UnknownRecordError
from storage.models.base import utcnow
from storage.models.directory import Person
from storage.models.meetings import BodyChannel

# Where the årshjul's changes and reminders come from, in the audit log and the outbox.
SOURCE = "meetings"


class UnknownBodyError(UnknownRecordError):
    """The pack has no body with that key, or the body holds no meetings."""

    default_key = "meetings.unknown_body"
    param = "name"


@dataclass(frozen=True)
class Member:
    """A person holding a role in a body."""

    principal: str
    role: Role
    name: str | None


def meeting_body(pack: Pack, body_key: str) -> Body:
    """The pack's body that holds meetings; UnknownBodyError otherwise."""
    try:
        body = pack.body(body_key)
    except KeyError:
        raise UnknownBodyError(body_key) from None
    if body.cadence is None and not body.annual_items:
        raise UnknownBodyError(body_key)
    return body


async def members(*, session: AsyncSession, body: str) -> list[Member]:
    """Everyone holding a role in `body`, secretaries first."""
    grants = await list_grants(session=session, body_key=body)
    names: dict[int, str] = {}
    ids = [g.person_id for g in grants if g.person_id]
    if ids:
        rows = await session.execute(select(Person.id, Person.name).where(Person.id.in_(ids)))
        names = {person_id: name for person_id, name in rows}
    found = [
        Member(g.principal, g.role, names.get(g.person_id) if g.person_id else None)
        for g in grants
        if g.role in BODY_ROLES
    ]
    return sorted(found, key=lambda m: (BODY_ROLES.index(m.role), m.principal))


async def set_body_channel(
    *, session: AsyncSession, body: str, conversation_id: str, actor: str
) -> None:
    """Post the body's meeting reminders in this Teams channel."""
    row = await session.scalar(select(BodyChannel).where(BodyChannel.body_key == body))
    if row is None:
        session.add(BodyChannel(body_key=body, conversation_id=conversation_id, set_by=actor))
    else:
        row.conversation_id, row.set_by, row.set_at = conversation_id, actor, utcnow()
    await session.flush()
    await record_change(
        session,
        "body",
        body,
        by=Author(actor, SOURCE),
        action="set_channel",
        after={"conversation_id": conversation_id},
    )


async def body_channel(*, session: AsyncSession, body: str) -> str | None:
    """The conversation id of the body's channel, if one was set."""
    return await session.scalar(
        select(BodyChannel.conversation_id).where(BodyChannel.body_key == body)
    )
