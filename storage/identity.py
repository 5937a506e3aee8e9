"""Who a user is in the directory: every principal they are known by, their person, their AAD id.

A principal is a lower-cased AAD object id or email. Teams tells the AAD id, the directory
holds emails; a user's directory person links the two (once, never rewritten from a chat).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ConversationRef, Person, TeamsUser


def clean_email(email: str) -> str:
    """The canonical (lower-case, trimmed) form of an email address."""
    return email.strip().lower()


def people_known_by(principals: Iterable[str]) -> Select[int]:
    """The ids of directory people whose AAD object id or email is one of `principals`."""
    keys = list(dict.fromkeys(p.strip().lower() for p in principals if p))
    return select(Person.id).where(or_(Person.aad_object_id.in_(keys), Person.email.in_(keys)))


async def person_id_of(*, session: AsyncSession, principals: Iterable[str]) -> int | None:
    """The directory person known by any of `principals` (AAD object id or email), if any."""
    return await session.scalar(people_known_by(principals).order_by(Person.id).limit(1))


async def principals_of(
    *, session: AsyncSession, aad_object_id: str | None, email: str | None
) -> frozenset[str]:
    """Every principal a user is known by: their own, and their directory person's."""
    found = {p.strip().lower() for p in (aad_object_id, email) if p}
    if found:
        rows = await session.execute(
            select(Person.email, Person.aad_object_id).where(Person.id.in_(people_known_by(found)))
        )
        for person_email, person_aad in rows:
            found.update(p.strip().lower() for p in (person_email, person_aad) if p)
    return frozenset(found)


# Teams draws a card's own view (Universal Actions' `refresh.userIds`) for at most this many users.
MAX_REFRESH_USERS = 60


async def teams_user_ids(
    *, session: AsyncSession, principals: Iterable[str], limit: int = MAX_REFRESH_USERS
) -> list[str]:
    """The Teams user ids ("29:…") of the users `principals` name (AAD object ids or emails,
    theirs or their directory person's) that govbot has seen: in their 1:1 chat, a shared
    conversation or a roster; the most recently seen first, at most `limit`."""
    keys: set[str] = set()
    for principal in principals:
        keys |= await principals_of(session=session, aad_object_id=None, email=principal)
    if not keys:
        return []
    kept = await session.execute(
        select(TeamsUser.user_id, TeamsUser.last_seen).where(TeamsUser.aad_object_id.in_(keys))
    )
    chats = await session.execute(
        select(ConversationRef.user_id, ConversationRef.last_seen).where(
            ConversationRef.conversation_type == "personal",
            ConversationRef.user_id.is_not(None),
            func.lower(ConversationRef.aad_object_id).in_(keys),
        )
    )
    newest: dict[str, datetime] = {}
    for user_id, seen in [*kept, *chats]:
        if user_id not in newest or seen > newest[user_id]:
            newest[str(user_id)] = seen
    ordered = sorted(newest, key=lambda user_id: (-newest[user_id].timestamp(), user_id))
    return ordered[:limit]


async def record_user_email(*, session: AsyncSession, conversation_id: str, email: str) -> None:
    """Remember the email of a 1:1 conversation's user, so reminders can find them by email."""
    await session.execute(
        update(ConversationRef)
        .where(ConversationRef.conversation_id == conversation_id)
        .values(user_email=clean_email(email))
    )
