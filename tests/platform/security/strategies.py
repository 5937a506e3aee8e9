"""Hypothesis strategies for hostile activities, card payloads and request bodies."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

from tests.support.activities import message, new_user

INJECTIONS = (
    "'; DROP TABLE persons; --",
    '" OR 1=1 --',
    "<script>alert(1)</script>",
    "{{ 7*7 }}{% raw %}",
    "${jndi:ldap://x}",
    "[link](javascript:alert(1))",
    "<at>govbot</at> <at>",
    "\\u0000\x00\x1b[31m",
    "‮gnp.exe",  # right-to-left override
    "مرحبا שלום",
    "👩🏽‍💻🇩🇰" * 50,
    "\ud7ff\ufeff\u200b\u2028\u2029",
    "A" * 100_000,
)

json_scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
hostile_text = (
    st.sampled_from(INJECTIONS)
    | st.text(max_size=300)
    | st.text(alphabet=st.characters(codec="utf-8"), max_size=50)
)

ACTIVITY_FIELDS = (
    "type",
    "id",
    "text",
    "value",
    "from",
    "conversation",
    "recipient",
    "entities",
    "channelData",
    "attachments",
    "serviceUrl",
    "locale",
    "timestamp",
    "channelId",
    "name",
    "membersAdded",
    "membersRemoved",
    "action",
    "textFormat",
    "replyToId",
    "deliveryMode",
)
ACTIVITY_TYPES = (
    "message",
    "invoke",
    "conversationUpdate",
    "installationUpdate",
    "messageReaction",
    "event",
    "typing",
    "endOfConversation",
    "handoff",
    "no-such-type",
    "",
)
SUBMIT_ACTIONS = (
    "say",
    "procurement.approve",
    "procurement.decide",
    "portfolio.move",
    "directory.edit",
    "meetings.cancel",
    "access.confirm",
    "confirm.no",
    "privacy.erase_confirm",
    "no.such.action",
)
card_payloads = st.fixed_dictionaries(
    {"action": st.sampled_from(SUBMIT_ACTIONS) | json_scalars},
    optional={
        "id": json_values,
        "request_id": json_values,
        "initiative_id": json_values,
        "token": json_values,
        "text": hostile_text | json_values,
        "decision": json_values,
    },
)


@st.composite
def activities(draw: st.DrawFn, service_url: str) -> dict[str, Any]:
    """A Teams-shaped activity with some fields replaced by hostile values or removed."""
    user = new_user(draw(st.integers(min_value=1, max_value=40)))
    base = message(draw(hostile_text), service_url=service_url, **user)
    base["type"] = draw(st.sampled_from(ACTIVITY_TYPES))
    if draw(st.booleans()):
        base["value"] = draw(card_payloads)
        if draw(st.booleans()):
            base.pop("text", None)
    if base["type"] == "invoke":
        base["name"] = draw(st.sampled_from(("adaptiveCard/action", "task/fetch", "x")))
        base["value"] = {
            "action": {
                "type": "Action.Execute",
                "verb": draw(st.sampled_from(SUBMIT_ACTIONS)),
                "data": draw(card_payloads),
            }
        }
    activity = copy.deepcopy(base)
    for name in draw(st.lists(st.sampled_from(ACTIVITY_FIELDS), max_size=4, unique=True)):
        if draw(st.booleans()):
            activity.pop(name, None)
        else:
            activity[name] = draw(json_values)
    return activity
