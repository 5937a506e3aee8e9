"""Access grants: who is admin, IT screener, or secretary/chair/member of a governance body.

A principal is a lower-cased AAD object id or email. A user matches a grant through either,
or through the directory person the grant names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from storage.audit import Author, record_change
from storage.data_subject import (
    PersonalData,
    Subject,
    exporting,
    held_by,
    kept_history,
)
from storage.errors import DomainError
from storage.identity import people_known_by
from storage.models import AccessGrant
from storage.models.base import utcnow
from storage.records import record_of
from storage.sql import matches


class Role(StrEnum):
    """Roles inside govbot (everyone else is an employee)."""

    ADMIN = "admin"
    IT_SCREENER = "it_screener"
    SECRETARY = "secretary"
    CHAIR = "chair"
    MEMBER = "member"


# The roles that are a seat in a governance body, in the order its members are listed.
BODY_ROLES = (Role.SECRETARY, Role.CHAIR, Role.MEMBER)


class NotAuthorisedError(DomainError):
    """The acting user lacks the role an action needs."""

    def __init__(self, needed: Role, body_key: str | None = None) -> None:
        super().__init__(role=needed, body=body_key)
        self.needed = needed
        self.body_key = body_key


class LastAdminError(DomainError):
    """Ending these grants would leave govbot without an administrator."""

    default_key = "access.last_admin"


@dataclass(frozen=True)
class Grant:
    """One active or ended grant, as plain data."""

    id: int
    principal: str
    person_id: int | None
    role: Role
    body_key: str | None
    granted_by: str
    granted_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class Access:
    """The roles one user holds right now."""

    grants: frozenset[tuple[Role, str | None]]

    @property
    def is_admin(self) -> bool:
        return (Role.ADMIN, None) in self.grants

    @property
    def is_screener(self) -> bool:
        return self.is_admin or (Role.IT_SCREENER, None) in self.grants

    def has(self, role: Role, body_key: str | None = None) -> bool:
        """True when the user holds `role` (for `body_key`), or is an admin."""
        return self.is_admin or (role, body_key) in self.grants

    def in_body(self, body_key: str) -> frozenset[Role]:
        """The user's roles in one body."""
        return frozenset(role for role, key in self.grants if key == body_key)

    def require(self, role: Role, body_key: str | None = None) -> None:
        """Raise NotAuthorisedError unless the user holds `role` (admins hold every role)."""
        if not self.has(role, body_key):
            raise NotAuthorisedError(role, body_key)


NO_ACCESS = Access(frozenset())


@dataclass(frozen=True)
class Actor:
    """Who acts: their principal (AAD object id or email), display name, and the roles they hold."""

    principal: str
    name: str
    access: Access = NO_ACCESS
    email: str | None = None

    @property
    def principals(self) -> tuple[str, ...]:
        """Every lower-cased identifier the actor is known by."""
        return tuple(dict.fromkeys(principal_of(p) for p in (self.principal, self.email) if p))


def principal_of(value: str) -> str:
    """The canonical form of an AAD object id or email."""
    return value.strip().lower()


def _grant(row: AccessGrant) -> Grant:
    return record_of(Grant, row, role=Role(row.role))


def _active_grants(principal: str, role: Role, body_key: str | None) -> Select[AccessGrant]:
    """`principal`'s active grants of `role` in `body_key` (None: the role held outside bodies)."""
    return select(AccessGrant).where(
        AccessGrant.principal == principal_of(principal),
        AccessGrant.role == role.value,
        matches(AccessGrant.body_key, body_key),
        AccessGrant.revoked_at.is_(None),
    )


def _audited(row: AccessGrant) -> dict[str, str | None]:
    """What the audit log records of a grant."""
    return {"principal": row.principal, "role": row.role, "body": row.body_key}


async def access_of(
    *, session: AsyncSession, aad_object_id: str | None, email: str | None = None
) -> Access:
    """Every active role of the user known by `aad_object_id` and/or `email`."""
    principals = [principal_of(p) for p in (aad_object_id, email) if p]
    if not principals:
        return NO_ACCESS
    rows = await session.execute(
        select(AccessGrant.role, AccessGrant.body_key).where(
            AccessGrant.revoked_at.is_(None),
            or_(
                AccessGrant.principal.in_(principals),
                AccessGrant.person_id.in_(people_known_by(principals)),
            ),
        )
    )
    return Access(frozenset((Role(role), body_key) for role, body_key in rows))


async def grant_role(
    *,
    session: AsyncSession,
    principal: str,
    role: Role,
    by: Author,
    body_key: str | None = None,
    person_id: int | None = None,
) -> Grant:
    """Give `principal` a role; granting a role already held returns the existing grant.

    A seat in a body goes through storage.membership.add_member, which re-plans its reminders.
    """
    if (role in BODY_ROLES) != (body_key is not None):
        raise ValueError("secretary, chair and member need a body; admin and screener none")
    principal = principal_of(principal)
    existing = await session.scalar(_active_grants(principal, role, body_key))
    if existing is not None:
        return _grant(existing)
    row = AccessGrant(
        principal=principal,
        person_id=person_id,
        role=role.value,
        body_key=body_key,
        granted_by=by.actor,
    )
    session.add(row)
    await session.flush()
    await record_change(
        session, "access_grant", row.id, by=by, action="grant", after=_audited(row),
    )  # fmt: skip
    return _grant(row)


async def revoke_role(
    *,
    session: AsyncSession,
    principal: str,
    role: Role,
    by: Author,
    body_key: str | None = None,
) -> int:
    """End `principal`'s active grants of `role` (for `body_key`); returns how many ended.

    Leaving a body goes through storage.membership.remove_member, which cancels its reminders.
    The last administrator's grant is never ended (LastAdminError).
    """
    rows = list(await session.scalars(_active_grants(principal, role, body_key)))
    if role is Role.ADMIN:
        await _keep_an_admin(session, {row.id for row in rows}, principal_of(principal))
    ended = 0
    for row in rows:
        row.revoked_at = utcnow()
        ended += 1
        await record_change(
            session, "access_grant", row.id, by=by, action="revoke", before=_audited(row),
        )  # fmt: skip
    return ended


async def refuse_last_admin(*, session: AsyncSession, ending: Iterable[Grant], name: str) -> None:
    """LastAdminError (naming `name`) when ending `ending` would leave govbot with no admin."""
    await _keep_an_admin(session, {g.id for g in ending if g.role is Role.ADMIN}, name)


async def _keep_an_admin(session: AsyncSession, ending_ids: set[int], name: str) -> None:
    if not ending_ids:
        return
    admins = await list_grants(session=session, role=Role.ADMIN)
    if all(grant.id in ending_ids for grant in admins):
        raise LastAdminError(name=name)


async def list_grants(
    *, session: AsyncSession, role: Role | None = None, body_key: str | None = None
) -> list[Grant]:
    """Active grants, optionally of one role and/or one body."""
    query = select(AccessGrant).where(AccessGrant.revoked_at.is_(None))
    if role is not None:
        query = query.where(AccessGrant.role == role.value)
    if body_key is not None:
        query = query.where(AccessGrant.body_key == body_key)
    rows = await session.scalars(
        query.order_by(AccessGrant.body_key, AccessGrant.role, AccessGrant.id)
    )
    return [_grant(row) for row in rows]


async def seed_roles(
    *, session: AsyncSession, admins: frozenset[str], screeners: frozenset[str]
) -> None:
    """Grant the admins and screeners named in settings (the first admins come from there)."""
    for principals, role in ((admins, Role.ADMIN), (screeners, Role.IT_SCREENER)):
        for principal in sorted(principals):
            await grant_role(
                session=session, principal=principal, role=role, by=Author("settings", "settings"),
            )  # fmt: skip


# --- personal data (storage.personal_data lists these) ------------------------------------


def _grants_of(subject: Subject) -> ColumnElement[bool]:
    return held_by(subject, AccessGrant.principal, AccessGrant.person_id)


async def _erase_grants(session: AsyncSession, subject: Subject) -> int:
    """End the person's grants; they stay, without the principal, as history of who held what."""
    now = utcnow()
    rows = list(await session.scalars(select(AccessGrant).where(_grants_of(subject))))
    for row in rows:
        row.principal = f"anonymised:{row.id}"
        row.revoked_at = row.revoked_at or now
    return len(rows)


PERSONAL_DATA = (
    PersonalData(
        "access",
        (AccessGrant.principal, AccessGrant.person_id),
        export=exporting(
            _grants_of,
            AccessGrant.role,
            AccessGrant.body_key.label("body"),
            AccessGrant.granted_at,
            AccessGrant.revoked_at,
        ),
        erase=_erase_grants,
    ),
    kept_history("access_history", (AccessGrant.granted_by, None)),
)
