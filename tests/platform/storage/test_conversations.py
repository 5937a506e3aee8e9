"""Conversation references are upserted and found again for proactive messages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from storage.conversations import (
    REFRESH_INTERVAL,
    ConversationInfo,
    RecentReferences,
    get_conversation,
    personal_conversation,
    remember_conversation,
)
from storage.identity import MAX_REFRESH_USERS, teams_user_ids
from storage.models import TeamsUser


def _info(**overrides: object) -> ConversationInfo:
    values: dict[str, object] = {
        "conversation_id": "a:1personal-anne",
        "conversation_type": "personal",
        "channel_id": "msteams",
        "service_url": "https://smba.trafficmanager.net/emea/",
        "reference": {"conversation": {"id": "a:1personal-anne"}},
        "tenant_id": "tenant-1",
        "user_id": "29:anne",
        "aad_object_id": "aad-anne",
        "user_name": "Anne",
    }
    values.update(overrides)
    return ConversationInfo(**values)  # type: ignore[arg-type]


async def test_remember_inserts_then_refreshes(session: AsyncSession) -> None:
    await remember_conversation(session=session, info=_info())
    await remember_conversation(
        session=session, info=_info(service_url="https://smba.trafficmanager.net/de/")
    )
    stored = await get_conversation(session=session, conversation_id="a:1personal-anne")
    assert stored is not None
    assert stored.service_url == "https://smba.trafficmanager.net/de/"


async def test_personal_conversation_by_aad_id_or_email(session: AsyncSession) -> None:
    await remember_conversation(session=session, info=_info(user_email="anne@kommune.dk"))
    await remember_conversation(
        session=session,
        info=_info(conversation_id="19:channel@thread.tacv2", conversation_type="channel"),
    )
    by_aad = await personal_conversation(session=session, aad_object_id="aad-anne")
    by_email = await personal_conversation(session=session, email="Anne@Kommune.dk")
    assert by_aad is not None and by_aad.conversation_id == "a:1personal-anne"
    assert by_email == by_aad
    assert await personal_conversation(session=session, aad_object_id="someone-else") is None


async def test_a_refresh_without_email_keeps_the_known_email(session: AsyncSession) -> None:
    await remember_conversation(session=session, info=_info(user_email="anne@kommune.dk"))
    await remember_conversation(session=session, info=_info(user_email=None))
    stored = await get_conversation(session=session, conversation_id="a:1personal-anne")
    assert stored is not None and stored.user_email == "anne@kommune.dk"


async def test_a_cards_refresh_names_the_60_users_seen_most_recently(
    session: AsyncSession,
) -> None:
    """Teams refreshes a card for 60 users at most: with 62 named, the two seen longest ago go
    (they can still refresh the card by hand)."""
    start = datetime(2026, 1, 1, tzinfo=UTC)  # before the chat, seen now
    for n in range(61):
        session.add(TeamsUser(aad_object_id=f"aad-{n}", user_id=f"29:{n}",
                              last_seen=start + timedelta(minutes=n)))  # fmt: skip
    # One more known only by their 1:1 chat, seen last of all.
    await remember_conversation(session=session, info=_info(aad_object_id="aad-chat"))
    await session.flush()

    found = await teams_user_ids(
        session=session, principals=[*(f"aad-{n}" for n in range(61)), "aad-chat"]
    )

    assert len(found) == MAX_REFRESH_USERS == 60
    assert found[0] == "29:anne" and found[1] == "29:60"
    assert "29:0" not in found and "29:1" not in found


def test_an_unchanged_reference_is_stored_again_only_when_its_last_seen_is_due() -> None:
    recent = RecentReferences(limit=2)
    now = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    assert recent.due(_info(), now)  # never stored by this process
    recent.note(_info(), now)
    assert not recent.due(_info(reference={"other": 1}), now + REFRESH_INTERVAL / 2)
    assert recent.due(_info(user_name="Anne Jensen"), now)  # changed
    assert recent.due(_info(), now + REFRESH_INTERVAL)  # a long-lived conversation
    assert recent.due(_info(), now - timedelta(seconds=1))  # the clock moved back
    recent.note(_info(conversation_id="b"), now)
    recent.note(_info(conversation_id="c"), now)
    assert recent.due(_info(), now), "the least recent is dropped past the limit"
