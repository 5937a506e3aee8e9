"""What became of a procurement guide whose card is pressed after the guide ended.

The guide's cards carry when the guide began; the request that guide made is the requester's
first one from that moment on, so "Send til IT" pressed again says where that request is now.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bot.sdk import TurnContext
from dialogs.procurement_view import status_label
from dialogs.turn import say, step, turn_lang, turn_session, turn_user
from storage.procurement import RequestRecord, RequestStatus, requests_of

STOPPED = frozenset({RequestStatus.REUSE, RequestStatus.WITHDRAWN})


def _moment(value: object) -> datetime | None:
    """The guide's start from untrusted card data, as an aware UTC time."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def _made_by_guide(context: TurnContext, started: datetime) -> RequestRecord | None:
    user = turn_user(context)
    principals = [p for p in (user.identity, user.aad_object_id, user.email) if p]
    records = await requests_of(session=turn_session(context), principals=principals)
    made = [r for r in records if _aware(r.created_at) >= started]
    return min(made, key=lambda r: (r.created_at, r.id)) if made else None


async def guide_outcome(context: TurnContext, data: Mapping[str, Any]) -> bool:
    """Say what the guide behind an old card ended in: its request's status, or nothing sent."""
    started = _moment(data.get("guide"))
    if started is None:
        return False
    lang = turn_lang(context)
    record = await _made_by_guide(context, started)
    if record is None:
        await say(context, "procurement.outcome.nothing_sent", then=[step("procurement", lang)])
        return True
    key = "stopped" if record.status in STOPPED else "sent"
    await say(
        context,
        f"procurement.outcome.{key}",
        id=record.id,
        status=status_label(record.status, lang),
        then=[step("procurement_mine", lang)],
    )
    return True
