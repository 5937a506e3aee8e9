"""What an outbox row says: one frozen model per kind of message, built by one function per kind.

A row stores its message as JSON in one shape, `{"lang", "subject"?, "recipient_name"?, "text":
{"key", "values"}}` or `{…, "card": {"name", "values"}}`. The template (the text's key or the
card's name) names the kind, so `decode` turns any stored row back into its model; the dispatcher
renders the model, never the JSON.

Every kind shares the envelope: `lang` (None: the recipient's language,
decided when the row is sent), `subject` (what
it is about, for the personal-data export and the "could not reach" notice) and
`recipient_name` (who it is for, named in that notice). Its own fields are the template's values.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

Lang = Literal["da", "en"]
Form = Literal["text", "card"]
ENVELOPE = frozenset({"lang", "subject", "recipient_name"})


class PayloadError(ValueError):
    """A payload that is not one of the message kinds, or does not survive being stored."""


class Payload(BaseModel):
    """The envelope every message kind shares; a kind adds its template and values."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    FORM: ClassVar[Form]
    TEMPLATE: ClassVar[str]
    # A field stored under another value name (the name is taken by the envelope).
    RENAMED: ClassVar[dict[str, str]] = {}

    lang: Lang | None = None
    subject: str | None = None
    recipient_name: str | None = None

    def values(self) -> dict[str, Any]:
        """The template's values."""
        return {
            self.RENAMED.get(name, name): value
            for name, value in self.model_dump().items()
            if name not in ENVELOPE
        }

    @classmethod
    def from_values(cls, envelope: dict[str, Any], values: dict[str, Any]) -> Payload:
        """The message from its stored envelope and values."""
        back = {stored: name for name, stored in cls.RENAMED.items()}
        return cls(**envelope, **{back.get(k, k): v for k, v in values.items()})

    def as_json(self) -> dict[str, Any]:
        """The stored form."""
        stored: dict[str, Any] = {"lang": self.lang}
        for name in ("subject", "recipient_name"):
            if getattr(self, name) is not None:
                stored[name] = getattr(self, name)
        name = "key" if self.FORM == "text" else "name"
        stored[self.FORM] = {name: self.TEMPLATE, "values": self.values()}
        return stored


class MeetingReminder(Payload):
    """A reminder card for one rule of a meeting's body, 1:1 or in the body's channel."""

    FORM = "card"
    TEMPLATE = "meeting_reminder"

    key: str
    meeting_id: int
    body: str
    rule: str
    kind: str
    personal: bool
    title: dict[str, str]
    rule_text: dict[str, str]
    when: dict[str, str]
    place: str | None = None
    teams_link: str | None = None
    agenda: str | None = None
    # How the member answered (acknowledged | snoozed | opted_out): the card shown in place of
    # the posted one then says so and offers no more answers.
    answered: str | None = None


class UnreachableNotice(Payload):
    """Told to the secretary (or whoever a row names) when its recipient cannot be reached."""

    FORM = "text"
    TEMPLATE = "outbox.unreachable"
    RENAMED = {"about": "subject"}

    who: str
    about: str


class UnreachableDigest(Payload):
    """One message to a secretary naming everyone a batch could not reach, and why.

    Each entry is `{"who", "why_da", "why_en"}`: the reason in both languages, as the reader's
    chat language is only known when it is sent.
    """

    FORM = "text"
    TEMPLATE = "outbox.unreachable_digest"
    RENAMED = {"about": "subject"}

    about: str
    missed: list[dict[str, str]]


class ProcurementScreeningCard(Payload):
    """A new procurement request, as the card IT screens it on."""

    FORM = "card"
    TEMPLATE = "procurement_it"

    id: int
    requester_name: str
    date: str
    # The request's summary as the dialogs show it (need, unit, facts, departures, path).
    summary: dict[str, Any]

    def values(self) -> dict[str, Any]:
        """The summary's values with the request's id, requester and date."""
        return {
            **self.summary,
            "id": self.id,
            "requester_name": self.requester_name,
            "date": self.date,
        }

    @classmethod
    def from_values(cls, envelope: dict[str, Any], values: dict[str, Any]) -> Payload:
        """The card from its stored values."""
        own = {name: values[name] for name in ("id", "requester_name", "date") if name in values}
        summary = {k: v for k, v in values.items() if k not in own}
        return cls(**envelope, **own, summary=summary)


class ProcurementNews(Payload):
    """What every message about a procurement request names: the request and its need."""

    id: int
    need: str


class ProcurementStatusNews(ProcurementNews):
    """A request changed status: told to its requester 1:1."""

    FORM = "text"
    TEMPLATE = "procurement.notify.status"

    by: str
    note: str | None = None
    status: str


class ProcurementRequesterCard(ProcurementNews):
    """The requester's card of their request: where it stands, shown anew in place after
    every status change."""

    FORM = "card"
    TEMPLATE = "procurement_status"

    status: str
    date: str
    screener: str | None = None
    note: str | None = None


class ProcurementChannelStatus(ProcurementStatusNews):
    """A request changed status: told in IT's channel."""

    TEMPLATE = "procurement.notify.channel_status"


class ProcurementQuestion(ProcurementNews):
    """IT's question about a request, as a card its requester can answer in."""

    FORM = "card"
    TEMPLATE = "procurement_question"

    by: str
    question: str | None = None
    question_id: int


class ProcurementAnswer(ProcurementNews):
    """The requester's answer to IT's question, brought back to IT."""

    FORM = "text"
    TEMPLATE = "procurement.notify.answer"

    name: str
    question: str | None = None
    answer: str | None = None


class ProcurementChannelMissing(ProcurementNews):
    """Told to govbot's admins: a request went to the screeners 1:1, IT's channel is not set."""

    FORM = "text"
    TEMPLATE = "procurement.notify.channel_missing"


class InitiativeMoved(Payload):
    """An initiative moved in its lifecycle: told to whoever registered or follows it."""

    FORM = "text"
    TEMPLATE = "portfolio.notify.moved"

    id: int
    title: str
    from_status: str | None = None
    to_status: str
    by: str
    body: str | None = None
    reason: str | None = None


KINDS: tuple[type[Payload], ...] = (
    MeetingReminder,
    UnreachableNotice,
    UnreachableDigest,
    ProcurementScreeningCard,
    ProcurementStatusNews,
    ProcurementRequesterCard,
    ProcurementChannelStatus,
    ProcurementQuestion,
    ProcurementAnswer,
    ProcurementChannelMissing,
    InitiativeMoved,
)
_BY_TEMPLATE: dict[tuple[Form, str], type[Payload]] = {(k.FORM, k.TEMPLATE): k for k in KINDS}


def decode(stored: dict[str, Any]) -> Payload:
    """The message a stored payload holds; PayloadError when it is none of the kinds."""
    parts: tuple[tuple[Form, str], ...] = (("text", "key"), ("card", "name"))
    for form, name in parts:
        part = stored.get(form)
        if part is None:
            continue
        if not (isinstance(part, dict) and isinstance(part.get(name), str)):
            raise PayloadError(f"payload.{form} needs a {name!r}")
        kind = _BY_TEMPLATE.get((form, part[name]))
        if kind is None:
            raise PayloadError(f"no message kind has the {form} {part[name]!r}")
        envelope = {k: v for k, v in stored.items() if k in ENVELOPE}
        try:
            return kind.from_values(envelope, dict(part.get("values") or {}))
        except (ValidationError, TypeError) as error:
            raise PayloadError(f"{kind.__name__}: {error}") from error
    raise PayloadError("payload needs a text or a card")


def stored_form(payload: Payload) -> dict[str, Any]:
    """The JSON to store for `payload`, checked to come back as the same message."""
    if not isinstance(payload, KINDS):
        raise PayloadError(
            f"payload must be one of the message kinds, not {type(payload).__name__}"
        )
    try:
        stored: dict[str, Any] = json.loads(json.dumps(payload.as_json()))
    except (TypeError, ValueError) as error:
        raise PayloadError(f"{type(payload).__name__} does not store as JSON: {error}") from error
    if decode(stored).as_json() != stored:
        raise PayloadError(f"{type(payload).__name__} does not come back as it was stored")
    return stored
