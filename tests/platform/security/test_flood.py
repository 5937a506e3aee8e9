"""10,000 generated activities: no 5xx, and nothing that was stored before or between is lost."""

from __future__ import annotations

import collections
from collections.abc import Callable, Iterator

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bot.settings import Settings
from storage.access import Role, access_of, grant_role
from storage.audit import Author
from storage.conversations import get_conversation
from storage.db import Database
from tests.platform.security.strategies import activities
from tests.platform.security.threaded import ThreadedBot
from tests.support.activities import message

BATCH = 10  # activities posted at once per generated example
SENTINEL_EVERY = 500


@pytest.fixture
def flood_bot(make_settings: Callable[..., Settings]) -> Iterator[ThreadedBot]:
    bot = ThreadedBot(make_settings(rate_limit_per_minute=0))
    yield bot
    bot.stop()


def _sentinel(n: int, url: str, text: str | None, **kw: object) -> dict:
    return message(
        text,
        service_url=url,
        user=f"29:sentinel-{n}",
        aad_object_id=f"5e000000-0000-0000-0000-{n:012d}",
        user_name=f"Sentinel {n}",
        **kw,
    )


def test_ten_thousand_generated_activities_yield_no_5xx_and_lose_no_data(
    flood_bot: ThreadedBot, database: Database
) -> None:
    # The full 10,000 once, on SQLite (about 90 s of CPU); PostgreSQL repeats a fifth of it.
    generated = 10_000 if database.is_sqlite else 2_000
    url = flood_bot.channel.url
    # Before: a saved preference, a grant, and a dialog left half-way.
    english = {"action": "profile.language", "language": "en"}
    assert flood_bot.post(_sentinel(1, url, None, value=english)) == 201
    assert flood_bot.post(_sentinel(2, url, "min profil")) == 201
    assert flood_bot.post(_sentinel(2, url, None, value={"action": "profile.unit"})) == 201

    async def grant() -> None:
        async with database.transaction() as session:
            await grant_role(
                session=session,
                principal="5e000000-0000-0000-0000-000000000001",
                role=Role.IT_SCREENER,
                by=Author("test"),
            )

    flood_bot.call(grant())

    statuses: collections.Counter[int] = collections.Counter()
    sentinel_conversations: list[str] = []

    @settings(
        max_examples=generated // BATCH,
        phases=[Phase.generate],
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def flood(data: st.DataObject) -> None:
        batch = data.draw(st.lists(activities(url), min_size=BATCH, max_size=BATCH))
        statuses.update(flood_bot.post_all(batch))
        if sum(statuses.values()) % SENTINEL_EVERY == 0:
            conversation = f"a:sentinel-3-{len(sentinel_conversations)}"
            sentinel_conversations.append(conversation)
            assert flood_bot.post(_sentinel(3, url, "hjælp", conversation=conversation)) == 201

    flood()

    assert sum(statuses.values()) == generated
    assert not [status for status in statuses if status >= 500], statuses
    # After: the preference, the grant, the half-way dialog and every sentinel conversation.
    before = len(flood_bot.channel.received)
    flood_bot.post(_sentinel(1, url, "hjælp"))
    assert "Here is what I can do" in flood_bot.channel.received[before].text
    flood_bot.post(_sentinel(2, url, "Sundhed og Omsorg"))
    assert "du er i **Sundhed og Omsorg**" in flood_bot.channel.received[-2].text

    async def stored() -> tuple[bool, list[str]]:
        async with database.transaction() as session:
            access = await access_of(
                session=session, aad_object_id="5e000000-0000-0000-0000-000000000001"
            )
            missing = [
                c
                for c in sentinel_conversations
                if await get_conversation(session=session, conversation_id=c) is None
            ]
        return access.is_screener, missing

    is_screener, missing = flood_bot.call(stored())
    assert is_screener
    assert len(sentinel_conversations) == generated // SENTINEL_EVERY
    assert missing == []
