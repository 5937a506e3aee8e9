"""Directory people linked to their Entra object ids from the rosters Teams reports."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.conversations import remember_teams_users
from storage.directory import link_identity
from storage.identity import clean_email
from storage.models.directory import Person


@dataclass(frozen=True)
class RosterMember:
    """One member of a team or chat as Teams lists them."""

    aad_object_id: str
    email: str | None = None
    name: str | None = None
    user_id: str | None = None  # their Teams id ("29:…")


async def link_roster(
    *, session: AsyncSession, members: Iterable[RosterMember], actor: str = "teams-roster"
) -> int:
    """Link each member's email in the directory to their Entra object id; returns how many
    people were newly linked (people already linked, and unknown emails, are left alone).
    Every member's Teams id is kept too (for cards' user-specific views)."""
    members = list(members)
    ids = {m.aad_object_id: m.user_id for m in members if m.aad_object_id and m.user_id}
    await remember_teams_users(session=session, users=ids)
    by_email = {clean_email(m.email): m for m in members if m.email and m.aad_object_id}
    if not by_email:
        return 0
    unlinked = set(
        await session.scalars(
            select(Person.email).where(
                Person.email.in_(list(by_email)), Person.aad_object_id.is_(None)
            )
        )
    )
    linked = 0
    for email in sorted(unlinked):
        member = by_email[email]
        person = await link_identity(
            session=session, email=email, aad_object_id=member.aad_object_id, actor=actor
        )
        linked += int(person is not None and person.aad_object_id == member.aad_object_id)
    return linked
