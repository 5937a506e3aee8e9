"""The conversation's current subject: what govbot last answered about, for follow-ups.

After "hvem er systemejer for Acadre?" the subject is Acadre and the system owner; "og
dataejeren?" and "hvad med Aula?" are read against it. It lives in conversation state (so it
survives a restart), expires after a short while, and "annuller"/"start forfra" clear it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from bot.sdk import TurnContext
from storage.models.base import utcnow

_STORE_KEY = "govbot.subject_store"


@dataclass(frozen=True)
class Subject:
    """The last thing answered about; any field may be unknown."""

    intent: str  # the intent that answered ("directory.role", "meetings.next" …)
    at: str  # ISO time it was answered
    system: str | None = None  # the system's name
    role: str | None = None  # a pack role key
    body: str | None = None  # a pack body key
    meeting_id: int | None = None
    person_name: str | None = None
    person_email: str | None = None
    person_unit: str | None = None
    # When the answer offered or named several: "og dataejeren?" or "hendes mail?" then asks
    # which one is meant instead of guessing.
    systems: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class _Store:
    meta: dict[str, Any]
    expiry: timedelta
    now: datetime


def open_subject(
    context: TurnContext,
    meta: dict[str, Any],
    expiry: timedelta,
    now: datetime | None = None,
) -> None:
    """Make this conversation's subject (kept in `meta`) available to the turn's handlers."""
    context.turn_state[_STORE_KEY] = _Store(meta, expiry, now or utcnow())


def recall(context: TurnContext) -> Subject | None:
    """The current subject, or None when there is none or it is older than the expiry."""
    store: _Store | None = context.turn_state.get(_STORE_KEY)
    if store is None:
        return None
    raw = store.meta.get("subject")
    if not isinstance(raw, dict):
        return None
    try:
        subject = Subject(**raw)
        answered = datetime.fromisoformat(subject.at)
    except (TypeError, ValueError):
        store.meta.pop("subject", None)
        return None
    if store.now - answered > store.expiry:
        store.meta.pop("subject", None)
        return None
    return subject


def remember(context: TurnContext, intent: str, **fields: Any) -> None:
    """Make what was just answered the subject; fields not given are forgotten."""
    store: _Store | None = context.turn_state.get(_STORE_KEY)
    if store is None:
        return
    subject = Subject(intent=intent, at=store.now.isoformat(), **fields)
    store.meta["subject"] = asdict(subject)


def update(context: TurnContext, **fields: Any) -> None:
    """Add to the current subject (e.g. the one person an answer named)."""
    store: _Store | None = context.turn_state.get(_STORE_KEY)
    current = recall(context)
    if store is None or current is None:
        return
    store.meta["subject"] = asdict(replace(current, **fields))


def forget(context: TurnContext) -> None:
    """ "annuller" / "start forfra": no subject any more."""
    store: _Store | None = context.turn_state.get(_STORE_KEY)
    if store is not None:
        store.meta.pop("subject", None)
