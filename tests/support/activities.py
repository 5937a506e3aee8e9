"""Teams-shaped activities, built the way Teams sends them (ids with `29:`, tenant, channelData)."""

from __future__ import annotations

import uuid
from typing import Any

TENANT_ID = "72f988bf-86f1-41af-91ab-2d7cd011db47"
BOT_ID = "28:govbot-test-bot"


def teams_activity(
    activity_type: str,
    *,
    service_url: str,
    user: str = "29:1user-anne",
    aad_object_id: str = "00000000-0000-0000-0000-0000000000a1",
    user_name: str = "Anne Jensen",
    conversation: str | None = None,
    conversation_type: str = "personal",
    tenant: str = TENANT_ID,
    locale: str = "da-DK",
    **fields: Any,
) -> dict[str, Any]:
    """An activity as Teams posts it to /api/messages."""
    conversation_id = conversation or f"a:1personal-{user.removeprefix('29:')}"
    activity: dict[str, Any] = {
        "type": activity_type,
        "id": f"f:{uuid.uuid4().hex}",
        "timestamp": "2026-11-21T10:00:00.000Z",
        "localTimestamp": "2026-11-21T11:00:00.000+01:00",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": {"id": user, "name": user_name, "aadObjectId": aad_object_id},
        "conversation": {
            "id": conversation_id,
            "conversationType": conversation_type,
            "tenantId": tenant,
        },
        "recipient": {"id": BOT_ID, "name": "govbot"},
        "channelData": {"tenant": {"id": tenant}},
        "locale": locale,
    }
    activity.update(fields)
    return activity


def message(text: str | None, *, service_url: str, value: Any = None, **kw: Any) -> dict[str, Any]:
    """A message (text, or a card submit when `value` is given)."""
    activity = teams_activity("message", service_url=service_url, **kw)
    if text is not None:
        activity["text"] = text
        activity["textFormat"] = "plain"
    if value is not None:
        activity["value"] = value
    return activity


def installation_update(*, service_url: str, action: str = "add", **kw: Any) -> dict[str, Any]:
    """Teams' notice that the app was installed (or removed) in a conversation."""
    return teams_activity("installationUpdate", service_url=service_url, action=action, **kw)


def bot_added(*, service_url: str, **kw: Any) -> dict[str, Any]:
    """A conversationUpdate announcing the bot as a new member."""
    return teams_activity(
        "conversationUpdate",
        service_url=service_url,
        membersAdded=[{"id": BOT_ID}],
        **kw,
    )


def new_user(n: int) -> dict[str, str]:
    """Keyword arguments for a distinct Teams user number `n`."""
    return {
        "user": f"29:1user-{n}",
        "aad_object_id": str(uuid.UUID(int=n)),
        "user_name": f"Bruger {n}",
    }


def execute(
    button: dict[str, Any],
    *,
    service_url: str,
    inputs: dict[str, Any] | None = None,
    trigger: str = "manual",
    **kw: Any,
) -> dict[str, Any]:
    """The `adaptiveCard/action` invoke Teams sends when an Action.Execute is pressed (or, with
    `trigger="automatic"`, when a card's `refresh` fires): its verb, its data and the card's
    input values merged in."""
    action = {
        "type": "Action.Execute",
        "id": "",
        "verb": button["verb"],
        "data": {**button.get("data", {}), **(inputs or {})},
    }
    value = {"action": action, "trigger": trigger}
    return teams_activity("invoke", service_url=service_url, name="adaptiveCard/action",
                          value=value, **kw)  # fmt: skip
