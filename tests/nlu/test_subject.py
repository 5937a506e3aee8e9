"""The conversation's subject: remembered, recalled within its expiry, forgotten after it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from bot.subject import forget, open_subject, recall, remember

T0 = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
EXPIRY = timedelta(minutes=30)


def _turn(meta: dict[str, Any], at: datetime) -> TurnContext:
    context = TurnContext(object(), Activity(type="message", text="x"))  # type: ignore[arg-type]
    open_subject(context, meta, EXPIRY, now=at)
    return context


def test_a_subject_is_recalled_within_its_expiry_and_not_after() -> None:
    meta: dict[str, Any] = {}
    remember(_turn(meta, T0), "directory.role", system="Acadre", role="systemejer")
    recalled = recall(_turn(meta, T0 + EXPIRY - timedelta(seconds=1)))
    assert recalled is not None and (recalled.system, recalled.role) == ("Acadre", "systemejer")
    assert recall(_turn(meta, T0 + EXPIRY + timedelta(seconds=1))) is None
    assert "subject" not in meta, "an expired subject is dropped from the state"


def test_forget_and_a_damaged_subject_leave_none() -> None:
    meta: dict[str, Any] = {}
    remember(_turn(meta, T0), "meetings.next", body="direktion", meeting_id=3)
    forget(_turn(meta, T0))
    assert recall(_turn(meta, T0)) is None
    meta["subject"] = {"intent": "x", "at": "not a time"}
    assert recall(_turn(meta, T0)) is None
