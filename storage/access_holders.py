"""Who holds govbot's roles, by name: active grants joined to the directory people they name."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.access import Grant, Role, list_grants
from storage.models import Person


@dataclass(frozen=True)
class Holder:
    """One active grant and the person behind it (name None when the directory lacks them)."""

    grant: Grant
    name: str | None
    email: str | None


async def role_holders(
    *, session: AsyncSession, role: Role | None = None, body_key: str | None = None
) -> list[Holder]:
    """Active grants (of `role`, in `body_key`) with the names of their holders."""
    grants = await list_grants(session=session, role=role, body_key=body_key)
    principals = {g.principal for g in grants}
    person_ids = {g.person_id for g in grants if g.person_id is not None}
    people: list[Person] = []
    if grants:
        people = list(
            await session.scalars(
                select(Person).where(
                    or_(
                        Person.email.in_(principals),
                        Person.aad_object_id.in_(principals),
                        Person.id.in_(person_ids),
                    )
                )
            )
        )
    by_key: dict[object, Person] = {}
    for person in people:
        by_key[person.id] = person
        by_key[person.email.lower()] = person
        if person.aad_object_id:
            by_key[person.aad_object_id.lower()] = person
    holders = []
    for grant in grants:
        known = by_key.get(grant.person_id) or by_key.get(grant.principal)
        holders.append(Holder(grant, known.name if known else None, known.email if known else None))
    return holders


async def grants_of_person(
    *,
    session: AsyncSession,
    principals: frozenset[str],
    person_id: int | None,
    role: Role,
    body_key: str | None,
) -> list[Grant]:
    """The active grants of `role` (in `body_key`) held under any of a person's identifiers."""
    return [
        g
        for g in await list_grants(session=session, role=role, body_key=body_key)
        if g.principal in principals or (person_id is not None and g.person_id == person_id)
    ]
