"""The audit log: every change to govbot's records, with who, when, before and after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.data_subject import PersonalData, Subject, anonymous_name
from storage.models import AuditEntry
from storage.records import record_of


@dataclass(frozen=True)
class AuditRecord:
    """One audit entry as plain data."""

    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    source: str


@dataclass(frozen=True)
class Author:
    """Who made a change and by which way in ("chat", "cli", "import", "kitos", "teams",
    "meetings"): what the audit log keeps of every change besides the change itself."""

    actor: str
    source: str = "chat"


async def record_change(
    session: AsyncSession,
    entity: str,
    entity_id: str | int | None,
    *,
    by: Author,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Append one entry to the audit log (in the caller's transaction): what changed (the
    entity and its id), who did it and how."""
    session.add(
        AuditEntry(
            actor=by.actor,
            action=action,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            before=before,
            after=after,
            source=by.source,
        )
    )


async def history(
    *, session: AsyncSession, entity: str, entity_id: str | int, limit: int = 100
) -> list[AuditRecord]:
    """The newest audit entries of one record, newest first."""
    rows = await session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity == entity, AuditEntry.entity_id == str(entity_id))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
    )
    return [record_of(AuditRecord, row) for row in rows]


# --- personal data (storage.personal_data lists these) ------------------------------------


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


# Not exported: the trail of who changed what is kept for accountability, without the name.
_NAMING = (AuditEntry.actor, AuditEntry.before, AuditEntry.after)
PERSONAL_DATA = (PersonalData("audit", _NAMING, erase=_erase_audit_names),)
