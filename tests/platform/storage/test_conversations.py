"""Conversation references are upserted and found again for proactive messages."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage.conversations import (
    ConversationInfo,
    get_conversation,
    personal_conversation,
    remember_conversation,
)


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
