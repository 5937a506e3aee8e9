"""Following an initiative: joining it instead of registering a duplicate, and who hears of it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.access import Actor, principal_of
from storage.audit import Author, record_change
from storage.data_subject import (
    PersonalData,
    deleting_rows_of,
    exporting,
    principal_is,
)
from storage.models import Initiative, InitiativeFollower
from storage.portfolio import (
    ENTITY,
    InitiativeRecord,
    UnknownInitiativeError,
    initiative_record,
    initiative_row,
)


async def audience(*, session: AsyncSession, initiative_id: int) -> list[str]:
    """Who hears of an initiative's moves: its registrant and every follower, each once."""
    registrant = await session.scalar(
        select(Initiative.registered_by).where(Initiative.id == initiative_id)
    )
    if registrant is None:
        raise UnknownInitiativeError(initiative_id)
    followers = await session.scalars(
        select(InitiativeFollower.principal)
        .where(InitiativeFollower.initiative_id == initiative_id)
        .order_by(InitiativeFollower.id)
    )
    return list(dict.fromkeys(principal_of(p) for p in (registrant, *followers)))


async def is_follower(*, session: AsyncSession, initiative_id: int, actor: Actor) -> bool:
    """True when the actor registered or joined the initiative."""
    row = await initiative_row(session, initiative_id)
    if row.registered_by in actor.principals:
        return True
    found = await session.scalar(
        select(InitiativeFollower.id).where(
            InitiativeFollower.initiative_id == initiative_id,
            InitiativeFollower.principal.in_(actor.principals),
        )
    )
    return found is not None


async def follow_initiative(
    *, session: AsyncSession, initiative_id: int, actor: Actor
) -> InitiativeRecord:
    """Join an initiative instead of registering a duplicate (joining twice is harmless)."""
    row = await initiative_row(session, initiative_id)
    if not await is_follower(session=session, initiative_id=initiative_id, actor=actor):
        session.add(
            InitiativeFollower(
                initiative_id=row.id, principal=principal_of(actor.principal), name=actor.name
            )
        )
        await session.flush()
        await record_change(
            session, ENTITY, row.id, by=Author(principal_of(actor.principal)), action="follow"
        )
    return await initiative_record(session, row)


# --- personal data (storage.personal_data lists these) ------------------------------------


PERSONAL_DATA = (
    PersonalData(
        "initiative_following",
        (InitiativeFollower.principal, InitiativeFollower.name),
        export=exporting(
            principal_is(InitiativeFollower.principal), InitiativeFollower.initiative_id
        ),
        erase=deleting_rows_of(InitiativeFollower.principal),
    ),
)
