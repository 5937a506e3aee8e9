"""Conversation references: upserted on every turn, read by proactive senders."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from storage.data_subject import PersonalData, Subject, exporting
from storage.models import ConversationRef, TeamsUser
from storage.models.base import utcnow
from storage.sql import rowcount, upsert


@dataclass(frozen=True)
class ConversationInfo:
    """Where a conversation lives and who is in it (as plain data)."""

    conversation_id: str
    conversation_type: str
    channel_id: str
    service_url: str
    reference: dict[str, Any] = field(compare=False)
    tenant_id: str | None = None
    user_id: str | None = None
    aad_object_id: str | None = None
    user_name: str | None = None
    user_email: str | None = None
    team_id: str | None = None
    teams_channel_id: str | None = None
    locale: str | None = None


@dataclass(frozen=True)
class TenantEndpoint:
    """Where a tenant's Bot Connector lives (learnt from a conversation, or configured)."""

    tenant_id: str
    service_url: str


@dataclass(frozen=True)
class PersonalTarget(TenantEndpoint):
    """Someone to open a 1:1 chat with: their Entra object id, in the endpoint's tenant."""

    aad_object_id: str
    name: str | None = None
    email: str | None = None


_COLUMNS = [name for name in ConversationInfo.__dataclass_fields__ if name != "conversation_id"]


async def remember_conversation(*, session: AsyncSession, info: ConversationInfo) -> None:
    """Insert or refresh the reference of one conversation."""
    now = utcnow()
    values = asdict(info) | {"last_seen": now, "first_seen": now}
    await session.execute(
        upsert(
            session,
            ConversationRef,
            values,
            conflict_on=["conversation_id"],
            update=[*_COLUMNS, "last_seen"],
            # Teams sends no email with activities; one looked up once is kept.
            keep_when_null=["user_email", "aad_object_id", "user_name"],
        )
    )


REFRESH_INTERVAL = timedelta(minutes=5)
"""How long an unchanged conversation reference goes without its `last_seen` rewritten: a turn
in between writes nothing for it, and retention (days) still sees a live conversation."""


class RecentReferences:
    """The references this process stored lately (at most `limit`, the least recent dropped),
    so a turn rewrites its conversation's only when it changed or its `last_seen` is due."""

    def __init__(self, limit: int, interval: timedelta = REFRESH_INTERVAL) -> None:
        self._limit = limit
        self._interval = interval
        self._stored: OrderedDict[str, tuple[ConversationInfo, datetime]] = OrderedDict()

    def due(self, info: ConversationInfo, now: datetime) -> bool:
        """Whether the turn at `now` must store `info`: new, changed, or stored too long ago."""
        stored = self._stored.get(info.conversation_id)
        if stored is None or stored[0] != info:
            return True
        return not timedelta(0) <= now - stored[1] < self._interval

    def note(self, info: ConversationInfo, now: datetime) -> None:
        """`info` was stored (and committed) at `now`."""
        self._stored[info.conversation_id] = (info, now)
        self._stored.move_to_end(info.conversation_id)
        while len(self._stored) > self._limit:
            self._stored.popitem(last=False)


async def remember_teams_users(*, session: AsyncSession, users: dict[str, str]) -> None:
    """Keep each user's Teams id (`users`: Entra object id → "29:…"), seen now (in a turn of
    theirs, or in a roster)."""
    now = utcnow()
    for aad_object_id, user_id in sorted(users.items()):
        values = {"aad_object_id": aad_object_id.lower(), "user_id": user_id, "last_seen": now}
        await session.execute(
            upsert(session, TeamsUser, values, conflict_on=["aad_object_id"],
                   update=["user_id", "last_seen"])
        )  # fmt: skip


async def get_conversation(
    *, session: AsyncSession, conversation_id: str
) -> ConversationInfo | None:
    """The stored reference of one conversation, if the bot has seen it."""
    row = await session.scalar(
        select(ConversationRef).where(ConversationRef.conversation_id == conversation_id)
    )
    return _info(row) if row else None


async def personal_conversation(
    *, session: AsyncSession, aad_object_id: str | None = None, email: str | None = None
) -> ConversationInfo | None:
    """The newest 1:1 conversation with a user, found by AAD object id or email."""
    if not aad_object_id and not email:
        return None
    query = select(ConversationRef).where(ConversationRef.conversation_type == "personal")
    if aad_object_id:
        query = query.where(ConversationRef.aad_object_id == aad_object_id)
    else:
        query = query.where(ConversationRef.user_email == (email or "").lower())
    row = await session.scalar(query.order_by(ConversationRef.last_seen.desc()).limit(1))
    return _info(row) if row else None


async def tenant_endpoint(
    *, session: AsyncSession, tenant_id: str | None = None
) -> TenantEndpoint | None:
    """The serviceUrl of the newest conversation seen in `tenant_id` (or in any tenant)."""
    query = select(ConversationRef.tenant_id, ConversationRef.service_url).where(
        ConversationRef.tenant_id.is_not(None)
    )
    if tenant_id:
        query = query.where(ConversationRef.tenant_id == tenant_id)
    row = (await session.execute(query.order_by(ConversationRef.last_seen.desc()).limit(1))).first()
    return TenantEndpoint(str(row[0]), str(row[1])) if row else None


async def shared_conversations(*, session: AsyncSession) -> list[ConversationInfo]:
    """Every team channel and group chat govbot has seen, newest first (their rosters)."""
    rows = await session.scalars(
        select(ConversationRef)
        .where(ConversationRef.conversation_type != "personal")
        .order_by(ConversationRef.last_seen.desc())
    )
    return [_info(row) for row in rows]


def _info(row: ConversationRef) -> ConversationInfo:
    return ConversationInfo(
        conversation_id=row.conversation_id,
        **{name: getattr(row, name) for name in _COLUMNS},
    )


# --- personal data (storage.personal_data lists these) ------------------------------------


def _refs_of(subject: Subject) -> Any:
    conditions: list[ColumnElement[bool]] = [ConversationRef.aad_object_id.in_(subject.principals)]
    if subject.channel_user_ids:
        conditions.append(ConversationRef.user_id.in_(subject.channel_user_ids))
    if subject.email:
        conditions.append(ConversationRef.user_email == subject.email.lower())
    return or_(*conditions)


async def _erase_conversations(session: AsyncSession, subject: Subject) -> int:
    result = await session.execute(delete(ConversationRef).where(_refs_of(subject)))
    return rowcount(result)


def _teams_user_of(subject: Subject) -> Any:
    return or_(
        TeamsUser.aad_object_id.in_(subject.principals),
        TeamsUser.user_id.in_(subject.channel_user_ids),
    )


async def _export_teams_users(session: AsyncSession, subject: Subject) -> list[dict[str, Any]]:
    rows = await session.scalars(select(TeamsUser).where(_teams_user_of(subject)))
    return [{"user_id": row.user_id, "last_seen": row.last_seen} for row in rows]


async def _erase_teams_users(session: AsyncSession, subject: Subject) -> int:
    return rowcount(await session.execute(delete(TeamsUser).where(_teams_user_of(subject))))


PERSONAL_DATA = (
    PersonalData(
        "conversations",
        (
            ConversationRef.user_id,
            ConversationRef.aad_object_id,
            ConversationRef.user_email,
            ConversationRef.user_name,
            ConversationRef.reference,
        ),
        export=exporting(
            _refs_of,
            ConversationRef.conversation_type,
            ConversationRef.user_name,
            ConversationRef.user_email,
            ConversationRef.locale,
            ConversationRef.first_seen,
            ConversationRef.last_seen,
        ),
        erase=_erase_conversations,
    ),
    PersonalData(
        "teams_users",
        (TeamsUser.aad_object_id, TeamsUser.user_id),
        export=_export_teams_users,
        erase=_erase_teams_users,
    ),
)
