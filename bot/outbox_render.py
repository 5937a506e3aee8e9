"""An outbox message as the activity Teams shows: its text or card in the recipient's language."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.sdk import Activity, MessageFactory
from dialogs.cards import card
from dialogs.texts import Lang, locale_lang, text
from knowledge.calendar import format_when
from storage.outbox_payloads import Payload


def render(
    message: Payload, *, locale: str | None, due_at: datetime, late: bool, tz: ZoneInfo
) -> Activity:
    """`message` in its language (else the chat's, `locale`), saying so when it comes `late`."""
    lang: Lang = message.lang or locale_lang(locale)
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
