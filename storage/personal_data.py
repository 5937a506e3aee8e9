"""Personal data: what govbot stores about one person, and erasing it (GDPR art. 15 and 17).

Each capability that stores something about people registers an exporter (and, when it
holds names or contact data, an eraser) here; "hvad ved du om mig" and `govbot person erase`
walk the registry, so a new table is covered by registering it, not by editing this module.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.audit import record_change
from storage.models import (
    AccessGrant,
    AuditEntry,
    BotStateDocument,
    ConversationRef,
    Person,
    RoleAssignment,
)
from storage.models.base import utcnow


@dataclass(frozen=True)
class Subject:
    """The person asked about: every identifier they may be stored under."""

    principals: frozenset[str]  # lower-cased AAD object id and/or email
    person_id: int | None
    channel_user_ids: frozenset[str]
    name: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Section:
    """One kind of data about the subject: `kind` names it, `items` are its rows as text."""

    kind: str
    items: tuple[dict[str, str], ...]


Exporter = Callable[[AsyncSession, Subject], Awaitable[list[dict[str, Any]]]]
Eraser = Callable[[AsyncSession, Subject], Awaitable[int]]

_EXPORTERS: dict[str, Exporter] = {}
_ERASERS: dict[str, Eraser] = {}


class UnknownPersonError(Exception):
    """No person, grant or conversation is stored under the given identity."""


def register_exporter(kind: str, exporter: Exporter) -> None:
    """Include `exporter`'s rows under `kind` in every personal-data report."""
    if kind in _EXPORTERS and _EXPORTERS[kind] is not exporter:
        raise ValueError(f"personal data {kind!r} is exported twice")
    _EXPORTERS[kind] = exporter


def register_eraser(kind: str, eraser: Eraser) -> None:
    """Run `eraser` (returns rows changed) whenever a person is erased."""
    if kind in _ERASERS and _ERASERS[kind] is not eraser:
        raise ValueError(f"personal data {kind!r} is erased twice")
    _ERASERS[kind] = eraser


def exported_kinds() -> tuple[str, ...]:
    """Every registered kind, in registration order."""
    return tuple(_EXPORTERS)


async def subject_of(
    *,
    session: AsyncSession,
    aad_object_id: str | None = None,
    email: str | None = None,
    channel_user_id: str | None = None,
) -> Subject:
    """Gather every identifier the person is known by (directory, conversations)."""
    principals = {p.strip().lower() for p in (aad_object_id, email) if p and p.strip()}
    person = None
    if principals:
        person = await session.scalar(
            select(Person).where(
                or_(Person.aad_object_id.in_(principals), Person.email.in_(principals))
            )
        )
    if person is not None:
        principals |= {p.lower() for p in (person.email, person.aad_object_id) if p}
    conditions = [ConversationRef.aad_object_id.in_(principals)] if principals else []
    if channel_user_id:
        conditions.append(ConversationRef.user_id == channel_user_id)
    channel_ids: set[str] = {channel_user_id} if channel_user_id else set()
    if conditions:
        rows = await session.execute(
            select(ConversationRef.user_id, ConversationRef.aad_object_id).where(or_(*conditions))
        )
        for user_id, aad in rows:
            if user_id:
                channel_ids.add(user_id)
            if aad:
                principals.add(aad.lower())
    return Subject(
        principals=frozenset(principals),
        person_id=person.id if person else None,
        channel_user_ids=frozenset(channel_ids),
        name=person.name if person else None,
        email=person.email if person else email,
    )


async def export_personal_data(*, session: AsyncSession, subject: Subject) -> list[Section]:
    """Everything stored about `subject`, one section per registered kind that has rows."""
    sections = []
    for kind, exporter in _EXPORTERS.items():
        rows = await exporter(session, subject)
        if rows:
            items = tuple({k: _plain(v) for k, v in row.items()} for row in rows)
            sections.append(Section(kind, items))
    return sections


async def erase_person(*, session: AsyncSession, subject: Subject, actor: str) -> dict[str, int]:
    """End the person's roles and grants and anonymise them everywhere; history stays, nameless."""
    if subject.person_id is None and not subject.principals and not subject.channel_user_ids:
        raise UnknownPersonError("nothing is stored under that identity")
    changed = {kind: await eraser(session, subject) for kind, eraser in _ERASERS.items()}
    await record_change(
        session=session,
        actor=actor,
        action="erase",
        entity="person",
        entity_id=subject.person_id,
        after={"erased": {kind: n for kind, n in changed.items() if n}},
        source="privacy",
    )
    return changed


def anonymous_name(subject: Subject) -> str:
    """What an erased person is called from now on."""
    return f"Anonymiseret person {subject.person_id or ''}".strip()


def _plain(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    return "" if value is None else str(value)


# --- the foundation's own tables ----------------------------------------------------------


async def _export_person(session: AsyncSession, subject: Subject) -> list[dict[str, Any]]:
    if subject.person_id is None:
        return []
    person = await session.get(Person, subject.person_id)
    if person is None:
        return []
    return [
        {
            "name": person.name,
            "email": person.email,
            "aad_object_id": person.aad_object_id,
            "anonymised": person.anonymised,
        }
    ]


async def _export_roles(session: AsyncSession, subject: Subject) -> list[dict[str, Any]]:
    if subject.person_id is None:
        return []
    rows = await session.scalars(
        select(RoleAssignment)
        .where(RoleAssignment.person_id == subject.person_id)
        .order_by(RoleAssignment.valid_from)
    )
    return [
        {
            "role": row.role_key,
            "system_id": row.system_id,
            "valid_from": row.valid_from,
            "valid_to": row.valid_to,
            "source": row.source,
        }
        for row in rows
    ]


def _grants_of(subject: Subject) -> Any:
    conditions = [AccessGrant.principal.in_(subject.principals)]
    if subject.person_id is not None:
        conditions.append(AccessGrant.person_id == subject.person_id)
    return or_(*conditions)


async def _export_grants(session: AsyncSession, subject: Subject) -> list[dict[str, Any]]:
    rows = await session.scalars(select(AccessGrant).where(_grants_of(subject)))
    return [
        {
            "role": row.role,
            "body": row.body_key,
            "granted_at": row.granted_at,
            "revoked_at": row.revoked_at,
        }
        for row in rows
    ]


def _refs_of(subject: Subject) -> Any:
    conditions = [ConversationRef.aad_object_id.in_(subject.principals)]
    if subject.channel_user_ids:
        conditions.append(ConversationRef.user_id.in_(subject.channel_user_ids))
    if subject.email:
        conditions.append(ConversationRef.user_email == subject.email.lower())
    return or_(*conditions)


async def _export_conversations(session: AsyncSession, subject: Subject) -> list[dict[str, Any]]:
    rows = await session.scalars(select(ConversationRef).where(_refs_of(subject)))
    return [
        {
            "conversation_type": row.conversation_type,
            "user_name": row.user_name,
            "user_email": row.user_email,
            "locale": row.locale,
            "first_seen": row.first_seen,
            "last_seen": row.last_seen,
        }
        for row in rows
    ]


def _state_keys(subject: Subject) -> list[str]:
    # botbuilder's UserState key is "<channel>/users/<channel user id>".
    return [f"msteams/users/{user_id}" for user_id in subject.channel_user_ids]


async def _export_state(session: AsyncSession, subject: Subject) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(BotStateDocument).where(BotStateDocument.key.in_(_state_keys(subject)))
    )
    return [{"preferences": {k: v for k, v in row.document.items() if k != "eTag"}} for row in rows]


async def _erase_person(session: AsyncSession, subject: Subject) -> int:
    if subject.person_id is None:
        return 0
    person = await session.get(Person, subject.person_id)
    if person is None:
        return 0
    person.name = anonymous_name(subject)
    person.email = f"anonymised-{person.id}@invalid"
    person.aad_object_id = None
    person.anonymised = True
    return 1


async def _erase_roles(session: AsyncSession, subject: Subject) -> int:
    if subject.person_id is None:
        return 0
    result = await session.execute(
        update(RoleAssignment)
        .where(RoleAssignment.person_id == subject.person_id, RoleAssignment.valid_to.is_(None))
        .values(valid_to=utcnow())
    )
    return int(result.rowcount or 0)


async def _erase_grants(session: AsyncSession, subject: Subject) -> int:
    now = utcnow()
    rows = list(await session.scalars(select(AccessGrant).where(_grants_of(subject))))
    for row in rows:
        row.principal = f"anonymised:{row.id}"
        row.revoked_at = row.revoked_at or now
    return len(rows)


async def _erase_conversations(session: AsyncSession, subject: Subject) -> int:
    result = await session.execute(delete(ConversationRef).where(_refs_of(subject)))
    return int(result.rowcount or 0)


async def _erase_state(session: AsyncSession, subject: Subject) -> int:
    result = await session.execute(
        delete(BotStateDocument).where(BotStateDocument.key.in_(_state_keys(subject)))
    )
    return int(result.rowcount or 0)


async def _erase_audit_names(session: AsyncSession, subject: Subject) -> int:
    """Keep the audit trail, but not the person's name, email or ids in it."""
    identifiers = {i for i in (*subject.principals, subject.name, subject.email) if i}
    if not identifiers:
        return 0
    replacement = anonymous_name(subject)
    changed = 0
    for row in await session.scalars(select(AuditEntry)):
        actor = replacement if row.actor.lower() in identifiers else row.actor
        before = _scrub(row.before, identifiers, replacement)
        after = _scrub(row.after, identifiers, replacement)
        if (actor, before, after) != (row.actor, row.before, row.after):
            row.actor, row.before, row.after = actor, before, after
            changed += 1
    return changed


def _scrub(value: Any, identifiers: set[str], replacement: str) -> Any:
    lowered = {i.lower() for i in identifiers}
    if isinstance(value, dict):
        return {k: _scrub(v, identifiers, replacement) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, identifiers, replacement) for v in value]
    if isinstance(value, str) and value.lower() in lowered:
        return replacement
    return value


for _kind, _exporter, _eraser in (
    ("person", _export_person, _erase_person),
    ("roles", _export_roles, _erase_roles),
    ("access", _export_grants, _erase_grants),
    ("conversations", _export_conversations, _erase_conversations),
    ("preferences", _export_state, _erase_state),
    ("audit", None, _erase_audit_names),
):
    if _exporter is not None:
        register_exporter(_kind, _exporter)
    register_eraser(_kind, _eraser)
