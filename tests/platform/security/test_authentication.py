"""Bot Framework JWT validation over HTTP, against a local token issuer with its own RSA key."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator

import pytest
from sqlalchemy import func, select

from bot.settings import Settings
from storage.db import Database
from storage.models import BotStateDocument, ConversationRef
from tests.platform.security.token_issuer import TokenIssuer, new_key
from tests.support.activities import message
from tests.support.channel import TestChannel
from tests.support.server import RunningBot, start_bot

APP_ID = "8f0c1d2e-govbot-test-app"


@pytest.fixture
def issuer() -> Iterator[TokenIssuer]:
    token_issuer = TokenIssuer().start()
    yield token_issuer
    token_issuer.stop()


@pytest.fixture
async def secured_bot(
    make_settings: Callable[..., Settings], issuer: TokenIssuer
) -> AsyncIterator[RunningBot]:
    settings = make_settings(
        app_id=APP_ID,
        app_password="not-used-by-expect-replies",
        openid_metadata_url=issuer.metadata_url,
    )
    bot = await start_bot(settings)
    yield bot
    await bot.stop()


async def _rows(database: Database) -> tuple[int, int]:
    async with database.transaction() as session:
        refs = await session.scalar(select(func.count()).select_from(ConversationRef))
        state = await session.scalar(select(func.count()).select_from(BotStateDocument))
    return int(refs or 0), int(state or 0)


def _activity(channel: TestChannel) -> dict:
    # expectReplies answers in the HTTP body, so no outbound AAD token is needed to reply.
    return message("hjælp", service_url=channel.url, deliveryMode="expectReplies")


async def test_a_valid_token_is_processed(
    secured_bot: RunningBot, issuer: TokenIssuer, channel: TestChannel, database: Database
) -> None:
    token = issuer.token(audience=APP_ID, service_url=channel.url)
    response = await secured_bot.post(
        _activity(channel), headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status == 200
    body = json.loads(await response.text())
    assert "Det kan jeg hjælpe med" in json.dumps(body["activities"], ensure_ascii=False)
    assert (await _rows(database))[0] == 1


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer not.a.jwt",
        "Basic dXNlcjpwYXNz",
        "bad signature",
        "wrong audience",
        "expired",
        "wrong issuer",
        "unknown key id",
        "wrong service url",
    ],
)
async def test_a_request_without_a_valid_token_gets_401_and_is_not_processed(
    secured_bot: RunningBot,
    issuer: TokenIssuer,
    channel: TestChannel,
    database: Database,
    authorization: str | None,
) -> None:
    tokens = {
        "bad signature": lambda: issuer.token(
            audience=APP_ID, service_url=channel.url, key=new_key()
        ),
        "wrong audience": lambda: issuer.token(audience="someone-else", service_url=channel.url),
        "expired": lambda: issuer.token(audience=APP_ID, service_url=channel.url, lifetime=-900),
        "wrong issuer": lambda: issuer.token(
            audience=APP_ID, service_url=channel.url, issuer="https://evil.example"
        ),
        "unknown key id": lambda: issuer.token(
            audience=APP_ID, service_url=channel.url, kid="no-such-key"
        ),
        "wrong service url": lambda: issuer.token(
            audience=APP_ID, service_url="https://smba.example/other/"
        ),
    }
    headers = {}
    if authorization is not None:
        make = tokens.get(authorization)
        headers["Authorization"] = f"Bearer {make()}" if make else authorization

    response = await secured_bot.post(_activity(channel), headers=headers)

    assert response.status == 401
    assert await _rows(database) == (0, 0), "a refused request must not write anything"
    assert channel.received == []
