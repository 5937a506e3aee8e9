"""Hostile and broken requests never get a 5xx from /api/messages, and never a stack trace."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.settings import Settings
from tests.platform.security.strategies import INJECTIONS, activities, card_payloads, json_values
from tests.platform.security.threaded import ThreadedBot
from tests.support.activities import message

EXAMPLES = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
TRACE_MARKERS = ("Traceback", 'File "', "Error:", "Exception")


@pytest.fixture
def threaded_bot(make_settings: Callable[..., Settings]) -> Iterator[ThreadedBot]:
    bot = ThreadedBot(make_settings(rate_limit_per_minute=0))
    yield bot
    bot.stop()


def _assert_healthy(bot: ThreadedBot) -> None:
    """The app still answers an ordinary message, and never showed a trace to anyone."""
    assert bot.post(message("hjælp", service_url=bot.channel.url, user="29:1user-check")) == 201
    assert "Det kan jeg hjælpe med" in bot.channel.received[-1].text
    for received in bot.channel.received:
        assert not any(marker in received.text for marker in TRACE_MARKERS), received.text


@EXAMPLES
@given(data=st.data())
def test_generated_activities_get_no_5xx(threaded_bot: ThreadedBot, data: st.DataObject) -> None:
    activity = data.draw(activities(threaded_bot.channel.url))
    status = threaded_bot.post(activity)
    assert status < 500, json.dumps(activity)[:2000]


@EXAMPLES
@given(payload=card_payloads)
def test_card_submits_with_foreign_ids_get_no_5xx(threaded_bot: ThreadedBot, payload: dict) -> None:
    status = threaded_bot.post(message(None, service_url=threaded_bot.channel.url, value=payload))
    assert status < 500


@EXAMPLES
@given(body=json_values)
def test_any_json_body_gets_a_4xx_or_is_processed(threaded_bot: ThreadedBot, body: object) -> None:
    assert threaded_bot.post(body) < 500


@EXAMPLES
@given(
    body=st.binary(max_size=2000),
    content_type=st.sampled_from(
        ("application/json", "application/json; charset=latin-1", "text/plain", "", "x/y")
    ),
)
def test_raw_bytes_get_a_4xx(threaded_bot: ThreadedBot, body: bytes, content_type: str) -> None:
    assert threaded_bot.post_raw(body, content_type) < 500


@pytest.mark.parametrize(
    "broken",
    [
        {"conversation": 5},
        {"conversation": {"id": 5}},
        {"from": "x"},
        {"from": {"id": 5, "aadObjectId": ["a"]}},
        {"recipient": "bot"},
        {"value": [1, 2, 3]},
        {"value": "x", "text": None},
        {"entities": "x"},
        {"entities": [{"type": "mention", "mentioned": 5}]},
        {"entities": [{"type": "mention", "mentioned": {"id": "28:govbot-test-bot"}, "text": 5}]},
        {"channelData": 7},
        {"channelData": {"tenant": "x", "team": 5, "channel": []}},
        {"attachments": {"a": 1}},
        {"attachments": [5, "x", None]},
        {"locale": 7},
        {"locale": "x" * 1000},
        {"timestamp": "yesterday"},
        {"type": "messageReaction", "reactionsAdded": "x"},
        {"type": "conversationUpdate", "membersAdded": "x"},
        {"type": "conversationUpdate", "membersAdded": [5, None]},
        {"type": "installationUpdate", "action": 5},
        {"type": "invoke", "name": 5, "value": "x"},
        {"type": "invoke", "name": "adaptiveCard/action", "value": {"action": "x"}},
        {"type": "event", "name": "x", "value": {"a": 1}},
        {"type": "endOfConversation"},
        {"type": "handoff"},
        {"type": "unknown-type"},
        {"type": 5},
        {"id": {"a": 1}},
        {"serviceUrl": "ftp://x"},
        {"serviceUrl": "http://127.0.0.1:9/unreachable/"},
        {"deliveryMode": "expectReplies", "text": "hjælp"},
        {"deliveryMode": 5},
        {"text": 12345},
        {"text": ["a"]},
    ],
)
def test_mistyped_fields_get_no_5xx(threaded_bot: ThreadedBot, broken: dict) -> None:
    activity = message("hjælp", service_url=threaded_bot.channel.url)
    activity.update(broken)
    assert threaded_bot.post(activity) < 500
    _assert_healthy(threaded_bot)


@pytest.mark.parametrize("text", INJECTIONS)
def test_hostile_text_is_answered_without_a_trace(threaded_bot: ThreadedBot, text: str) -> None:
    before = len(threaded_bot.channel.received)
    assert threaded_bot.post(message(text, service_url=threaded_bot.channel.url)) == 201
    assert len(threaded_bot.channel.received) > before, "hostile text still gets an answer"
    _assert_healthy(threaded_bot)


def test_malformed_requests_get_4xx_and_the_app_keeps_working(threaded_bot: ThreadedBot) -> None:
    assert threaded_bot.post_raw(b"{not json", "application/json") == 400
    assert threaded_bot.post_raw(b'{"type": "message"}', "text/plain") == 415
    assert threaded_bot.post_raw(b"\xff\xfe\x00", "application/json") == 400
    assert threaded_bot.post_raw(b"[]", "application/json") == 400
    assert threaded_bot.post_raw(b"x" * (300 * 1024), "application/json") == 413
    _assert_healthy(threaded_bot)
