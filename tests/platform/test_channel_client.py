"""govbot's pooled channel client sends what botbuilder's msrest path sends, byte for byte.

The same activities go to the stand-in channel once through the SDK's own ConnectorClient
(msrest over requests) and once through `ChannelClient` with the connector govbot's adapter
hands out; the channel keeps each request's method, path and raw body, and they must agree.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from botbuilder.core import MessageFactory
from botbuilder.schema import (
    Activity,
    CardAction,
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    Mention,
    SuggestedActions,
)
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import MicrosoftAppCredentials

from bot.adapter import GovbotAdapter, create_adapter
from bot.channel_client import ChannelClient, ChannelRefusedError
from bot.connectors import bot_connector
from bot.dispatch_pacing import retry_after_of, status_of
from bot.settings import Settings
from tests.platform.test_reply_serializer import _addressed as addressed
from tests.platform.test_reply_serializer import _replies as replies
from tests.support.channel import Request, TestChannel

CONVERSATION = "a:1personal/chat?x"


class FixedTokenCredentials(MicrosoftAppCredentials):
    """The SDK's credentials with Entra's token endpoint stood in for by a fixed token."""

    def get_access_token(self, force_refresh: bool = False) -> str:
        return "token-from-entra"


def _addressed(activity: Activity, *, reply_to: str | None = None) -> Activity:
    """Addressed as test_reply_serializer's replies, in a conversation whose id needs quoting."""
    activity = addressed(activity)
    activity.conversation = ConversationAccount(id=CONVERSATION, conversation_type="personal")
    activity.reply_to_id = reply_to
    activity.locale = "da-DK"
    activity.timestamp = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    return activity


def _activities() -> list[Activity]:
    text, help_card, hero, odd = replies()
    choices = MessageFactory.text('Vælg én: «systemejer» eller "databehandler" 👍')
    choices.suggested_actions = SuggestedActions(
        actions=[CardAction(type="imBack", title="Systemejer", value="systemejer")]
    )
    mention = MessageFactory.text("<at>Åse</at> skal godkende")
    mention.entities = [
        Mention(mentioned=ChannelAccount(id="29:user", name="Åse"), text="<at>Åse</at>")
    ]
    mention.channel_data = {"notification": {"alert": True}, "tenant": {"id": "t-1"}}
    return [
        _addressed(text),
        _addressed(help_card, reply_to="1:reply/to"),
        _addressed(hero),
        _addressed(odd),
        _addressed(choices, reply_to="f:2"),
        _addressed(mention),
        _addressed(Activity(type="typing")),
    ]


def _parameters() -> ConversationParameters:
    return ConversationParameters(
        is_group=False,
        bot=ChannelAccount(id="28:bot"),
        members=[ChannelAccount(id="aad-1", aad_object_id="aad-1")],
        tenant_id="t-1",
        channel_data={"tenant": {"id": "t-1"}},
    )


def _compared(request: Request) -> tuple[str, str, bytes, str | None, str | None]:
    return (
        request.method,
        request.path,
        request.body,
        request.headers.get("Content-Type"),
        request.headers.get("Authorization"),
    )


async def _through_sdk(connector: ConnectorClient) -> None:
    for activity in _activities():
        if activity.reply_to_id:
            await connector.conversations.reply_to_activity(
                activity.conversation.id, activity.reply_to_id, activity
            )
        else:
            await connector.conversations.send_to_conversation(activity.conversation.id, activity)
    await connector.conversations.update_activity(CONVERSATION, "1:7", _activities()[1])
    await connector.conversations.create_conversation(_parameters())


async def _through_channel_client(client: ChannelClient, connector: Any) -> None:
    for activity in _activities():
        await client.send(connector, activity)
    await client.update(connector, CONVERSATION, "1:7", _activities()[1])
    await client.create_conversation(connector, _parameters())


@pytest.fixture
async def adapter(make_settings: Callable[..., Settings]) -> Any:
    adapter = create_adapter(make_settings())
    yield adapter
    await adapter.close()


async def test_bodies_are_byte_identical_to_the_sdks(
    channel: TestChannel, adapter: GovbotAdapter
) -> None:
    stock = ConnectorClient(MicrosoftAppCredentials("", ""), base_url=channel.url)
    await _through_sdk(stock)
    by_sdk = [_compared(request) for request in channel.requests]
    channel.requests.clear()

    connector = await bot_connector(adapter, "", channel.url)
    await _through_channel_client(adapter.channel, connector)
    by_client = [_compared(request) for request in channel.requests]

    assert len(by_sdk) == 9
    assert by_client == by_sdk
    assert by_sdk[0][4] is None  # anonymous, as in development mode: no token at all


async def test_the_token_is_the_sdk_credentials_token(channel: TestChannel) -> None:
    credentials = FixedTokenCredentials("app-id", "secret")
    stock = ConnectorClient(credentials, base_url=channel.url)
    await stock.conversations.send_to_conversation(CONVERSATION, _activities()[0])
    client = ChannelClient()
    try:
        await client.send(stock, _activities()[0])
    finally:
        await client.close()
    by_sdk, by_client = channel.requests
    assert by_sdk.headers["Authorization"] == "Bearer token-from-entra"
    assert _compared(by_client)[1:] == _compared(by_sdk)[1:]


async def test_a_refusal_keeps_status_and_retry_after(
    channel: TestChannel, adapter: GovbotAdapter
) -> None:
    connector = await bot_connector(adapter, "", channel.url)
    channel.fail_next(429, retry_after=2.5)
    with pytest.raises(ChannelRefusedError) as refused:
        await adapter.channel.send(connector, copy.deepcopy(_activities()[0]))
    assert status_of(refused.value) == 429
    assert retry_after_of(refused.value) == 2.5
    channel.fail_next(403)
    with pytest.raises(ChannelRefusedError) as forbidden:
        await adapter.channel.create_conversation(connector, _parameters())
    assert status_of(forbidden.value) == 403
    assert retry_after_of(forbidden.value) is None


async def test_one_session_for_every_send_closed_with_the_adapter(
    channel: TestChannel, make_settings: Callable[..., Settings]
) -> None:
    adapter = create_adapter(make_settings())
    connector = await bot_connector(adapter, "", channel.url)
    sent = [await adapter.channel.send(connector, a) for a in _activities()[:3]]
    assert all(response.id for response in sent)
    session = adapter.channel._session
    assert session is not None and not session.closed
    await adapter.channel.send(connector, _activities()[3])
    assert adapter.channel._session is session
    await adapter.close()
    assert session.closed
    await adapter.close()  # a second close is harmless
