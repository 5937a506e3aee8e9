"""Joining and leaving a governance body: the one way in and out, and the reminders follow.

A secretary adding a member and an admin granting a body role both go through `add_member`
and `remove_member`, so every change of a body's members re-plans its coming meetings'
reminders (storage.reminders) in the same transaction. Who sits in a body is read from
storage.bodies.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.access import BODY_ROLES, Role, grant_role, principal_of, revoke_role
from storage.audit import Author
from storage.bodies import Member
from storage.directory import PersonInfo, get_person
from storage.errors import UnknownPersonError
from storage.identity import person_id_of
from storage.models.directory import Person
from storage.reminders import Planning, cancel_unwanted, replan_body


async def known_person(*, session: AsyncSession, email: str) -> PersonInfo:
    """The directory person with `email`; UnknownPersonError when the directory lacks them."""
    person = await get_person(session=session, email=email)
    if person is None:
        raise UnknownPersonError(email)
    return person


async def add_member(
    *,
    session: AsyncSession,
    plan: Planning,
    body: str,
    principal: str,
    role: Role,
    by: Author,
    person_id: int | None = None,
) -> Member:
    """Give `principal` a role in a body and re-plan the reminders of its coming meetings.

    This is the one way into a body, whether a secretary adds a member or an admin grants the
    role: the new member's reminders are planned at once either way.
    """
    if role not in BODY_ROLES:
        raise ValueError(f"{role} is not a body role")
    principal = principal_of(principal)
    if person_id is None:
        person_id = await person_id_of(session=session, principals=[principal])
    grant = await grant_role(
        session=session, principal=principal, role=role, by=by,
        body_key=body, person_id=person_id,
    )  # fmt: skip
    await replan_body(session=session, plan=plan, body=body)
    name = None
    if person_id is not None:
        name = await session.scalar(select(Person.name).where(Person.id == person_id))
    return Member(grant.principal, grant.role, name)


async def remove_member(
    *,
    session: AsyncSession,
    plan: Planning,
    body: str,
    principal: str,
    by: Author,
    role: Role | None = None,
) -> int:
    """End `principal`'s role (every role, when None) in a body; returns how many grants ended.

    Their unsent reminders that no remaining role brings are cancelled, and the body's coming
    meetings re-planned.
    """
    principal = principal_of(principal)
    ended = 0
    for each in (role,) if role else BODY_ROLES:
        ended += await revoke_role(
            session=session, principal=principal, role=each, by=by, body_key=body,
        )  # fmt: skip
    if ended:
        await cancel_unwanted(session=session, pack=plan.pack, body=body, principal=principal)
        await replan_body(session=session, plan=plan, body=body)
    return ended
