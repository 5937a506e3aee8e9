"""An outbox message as the activity Teams shows: its text or card in the recipient's language."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.sdk import Activity, MessageFactory
from dialogs.cards import card
from dialogs.texts import Lang, text
from knowledge.calendar import format_when
from storage.outbox_payloads import Payload


def render(message: Payload, *, lang: Lang, due_at: datetime, late: bool, tz: ZoneInfo) -> Activity:
    """`message` in its own language (else the recipient's, `lang`), saying so when it comes
    `late`."""
    lang = message.lang or lang
    lines: list[str] = []
    if late:
        lines.append(text("outbox.late", lang, due=format_when(due_at, lang, tz)))
    if message.FORM == "text":
        lines.append(text(message.TEMPLATE, lang, **message.values()))
    said = "\n\n".join(lines) or None
    if message.FORM == "card":
        attachment = card(message.TEMPLATE, lang, **message.values())
        return MessageFactory.attachment(attachment, text=said)
    return MessageFactory.text(said or "")
