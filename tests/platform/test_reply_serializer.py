"""The connector's lighter reply serializer writes exactly the body stock msrest writes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from botbuilder.core import CardFactory, MessageFactory
from botbuilder.schema import (
    Activity,
    CardAction,
    ChannelAccount,
    ConversationAccount,
    HeroCard,
)
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import MicrosoftAppCredentials
from msrest.serialization import Model, Serializer

from bot.adapter import ReplySerializer, _with_reply_serializer
from dialogs.cards import card


def _addressed(activity: Activity) -> Activity:
    activity.conversation = ConversationAccount(id="a:1", conversation_type="personal")
    activity.from_property = ChannelAccount(id="28:bot", name="govbot")
    activity.recipient = ChannelAccount(id="29:user", name="Åse Ørum", aad_object_id="aad-1")
    activity.reply_to_id = "1"
    activity.service_url = "http://127.0.0.1:1/"
    activity.channel_id = "msteams"
    activity.text_format = "markdown"
    activity.timestamp = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    return activity


def _replies() -> list[Activity]:
    help_card = card("help", "da", lead="Hej", actions=("who_owns", "help"))
    hero = HeroCard(title="t", buttons=[CardAction(type="imBack", title="ja", value="ja")])
    odd = MessageFactory.attachment(help_card)
    odd.attachments[0].content = {"when": datetime(2026, 5, 1, tzinfo=UTC), "n": (1, 2)}
    return [
        MessageFactory.text("**fed** tekst med æøå"),
        MessageFactory.attachment(help_card),
        MessageFactory.attachment(CardFactory.hero_card(hero)),
        odd,
    ]


@pytest.mark.parametrize("index", range(4))
def test_body_matches_msrest(index: int) -> None:
    client = ConnectorClient(MicrosoftAppCredentials("", ""), base_url="http://127.0.0.1:1/")
    stock = client._serialize.body(_addressed(_replies()[index]), "Activity")
    lighter = ReplySerializer(client._serialize.dependencies)
    assert lighter.body(_addressed(_replies()[index]), "Activity") == stock


def test_connector_operations_use_the_lighter_serializer() -> None:
    client = ConnectorClient(MicrosoftAppCredentials("", ""), base_url="http://127.0.0.1:1/")
    _with_reply_serializer(client)
    assert isinstance(client.conversations._serialize, ReplySerializer)
    assert client.attachments._serialize is client.conversations._serialize


class _Flattened(Model):
    """A model with what Bot Framework's do not use: flattened keys, extra properties."""

    _attribute_map = {  # noqa: RUF012 (msrest's own declaration style)
        "additional_properties": {"key": "", "type": "{object}"},
        "name": {"key": "properties.name", "type": "str"},
        "size": {"key": "properties.size", "type": "int"},
        "when": {"key": "when", "type": "iso-8601"},
        "unset": {"key": "unset", "type": "str"},
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for name in ("name", "size", "when", "unset"):
            setattr(self, name, kwargs.get(name))


def test_flattened_keys_and_extra_properties_come_out_as_msrest_writes_them() -> None:
    value = _Flattened(
        name="Åse", size=3, when=datetime(2026, 1, 2, tzinfo=UTC), additional_properties={"x": 1}
    )
    dependencies = {"_Flattened": _Flattened}
    stock = Serializer(dependencies).body(value, "_Flattened")
    assert ReplySerializer(dependencies).body(value, "_Flattened") == stock
    assert stock == {
        "x": 1,
        "properties": {"name": "Åse", "size": 3},
        "when": "2026-01-02T00:00:00.000Z",
    }
