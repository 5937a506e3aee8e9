"""The "could not reach" digest: whoever a row names hears once per batch who was not reached.

A row's `last_error` says why in a stable English phrase (it is also in the logs); the digest
and the delivery status view turn it into a sentence with the fix, in the reader's language.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.personal_chats import INSTALL_REFUSED, NOT_IN_CATALOG, NOT_INSTALLED
from dialogs.texts import Lang, text
from storage import outbox_dispatch
from storage.outbox import Delivery
from storage.outbox_digest import add_to_digest
from storage.outbox_payloads import PayloadError

# The start of a stored reason → its text under `outbox.why`.
_WHY = (
    (NOT_INSTALLED, "not_installed"),
    (NOT_IN_CATALOG, "not_in_catalog"),
    (INSTALL_REFUSED, "install_refused"),
    (outbox_dispatch.NO_ENTRA_ID, "no_entra_id"),
    (outbox_dispatch.NOT_IN_DIRECTORY, "not_in_directory"),
    (outbox_dispatch.NO_SERVICE_URL, "no_service_url"),
    ("403 from channel", "blocked"),
    ("404 from channel", "blocked"),
)


def why(error: str | None, who: str, lang: Lang) -> str:
    """Why a row was not delivered, and what fixes it, as a sentence in `lang`."""
    for start, key in _WHY:
        if (error or "").startswith(start):
            return text(f"outbox.why.{key}", lang, who=who)
    return text("outbox.why.other", lang, error=error or "?")


def batch_of(delivery: Delivery) -> str:
    """The batch a row belongs to: its key without the recipient (`meeting:12:member_reminder`)."""
    return delivery.key.rsplit(":", 1)[0] if ":" in delivery.key else delivery.key


def named(delivery: Delivery) -> tuple[str, str]:
    """Who a row was for and what about, as the row names them."""
    try:
        message = delivery.message()
    except PayloadError:  # its recipient is still worth telling about
        return delivery.recipient, delivery.key
    return message.recipient_name or delivery.recipient, message.subject or delivery.key


async def report_unreachable(
    *,
    session: AsyncSession,
    delivery: Delivery,
    error: str,
    now: datetime,
    gather: timedelta = timedelta(0),
) -> None:
    """Add `delivery` to the digest of everyone its `report_to` names (the body's secretaries);
    the digest goes out `gather` after its first entry, so one batch's failures share it."""
    who, about = named(delivery)
    entry = {"who": who, "why_da": why(error, who, "da"), "why_en": why(error, who, "en")}
    for target in delivery.report_to:
        reader = target.get("principal") or target.get("conversation_id") or "?"
        await add_to_digest(
            session=session,
            key=f"unreachable:{batch_of(delivery)}:{reader}",
            target=target,
            about=about,
            entry=entry,
            due_at=now + gather,
        )
