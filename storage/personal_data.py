"""Personal data: what govbot stores about one person, and erasing it (GDPR art. 15 and 17).

Each storage module that keeps something about people declares it next to its tables
(`PERSONAL_DATA`, see storage.data_subject); REGISTRY below lists those declarations, so what
"hvad ved du om mig" and `govbot person show|erase` cover never depends on what was imported
before. A new table is covered by declaring it in its module and adding it here; a test reads
the models' metadata and fails for any column naming a person that no declaration covers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from storage import (
    access,
    audit,
    bot_state,
    conversations,
    directory_personal_data,
    meetings,
    outbox,
    portfolio,
    portfolio_followers,
    procurement,
    reminders,
)
from storage.audit import Author, record_change
from storage.data_subject import PersonalData, Subject, anonymous_name
from storage.errors import UnknownPersonError
from storage.models import ConversationRef, Person

__all__ = [
    "REGISTRY",
    "PersonalData",
    "Section",
    "Subject",
    "anonymous_name",
    "erase_person",
    "export_personal_data",
    "plain",
    "subject_of",
]

# In report order; the audit log last, so it is scrubbed after every other change.
REGISTRY: tuple[PersonalData, ...] = (
    *directory_personal_data.PERSONAL_DATA,
    *access.PERSONAL_DATA,
    *conversations.PERSONAL_DATA,
    *bot_state.PERSONAL_DATA,
    *procurement.PERSONAL_DATA,
    *portfolio.PERSONAL_DATA,
    *portfolio_followers.PERSONAL_DATA,
    *reminders.PERSONAL_DATA,
    *meetings.PERSONAL_DATA,
    *outbox.PERSONAL_DATA,
    *audit.PERSONAL_DATA,
)


@dataclass(frozen=True)
class Section:
    """One kind of data about the subject: `kind` names it, `items` are its rows as stored
    (moments, flags and documents kept as they are, for the reader to put in words)."""

    kind: str
    items: tuple[dict[str, Any], ...]


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
    conditions: list[ColumnElement[bool]] = (
        [ConversationRef.aad_object_id.in_(principals)] if principals else []
    )
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
    """Everything stored about `subject`, one section per exported kind that has rows."""
    sections = []
    for declared in REGISTRY:
        if declared.export is None:
            continue
        rows = await declared.export(session, subject)
        if rows:
            sections.append(Section(declared.kind, tuple(rows)))
    return sections


async def erase_person(*, session: AsyncSession, subject: Subject, actor: str) -> dict[str, int]:
    """End the person's roles and grants and anonymise them everywhere; history stays, nameless."""
    if subject.person_id is None and not subject.principals and not subject.channel_user_ids:
        raise UnknownPersonError(subject.email or "")
    changed = {declared.kind: await declared.erase(session, subject) for declared in REGISTRY}
    await record_change(
        session,
        "person",
        subject.person_id,
        by=Author(actor, "privacy"),
        action="erase",
        after={"erased": {kind: n for kind, n in changed.items() if n}},
    )
    return changed


def plain(value: Any) -> Any:
    """A stored value for a JSON export: a moment as ISO text, anything else JSON lacks as text."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    return str(value)
