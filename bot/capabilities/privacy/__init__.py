"""Personal data in chat: "hvad ved du om mig" for anyone, erasing a person for admins.

The erasure is confirmed through dialogs.confirmation (a one-time token on the card); on yes the
person is read again from the database and admin rights checked again (storage.personal_data
audits it).
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from bot.capabilities import Runtime
from bot.capabilities.access import find_target
from bot.capabilities.privacy.reading import Reader
from bot.intents import IntentMatch
from bot.sdk import TurnContext
from dialogs.confirmation import Confirmations
from dialogs.permissions import Requirement
from dialogs.texts import text
from dialogs.turn import say, show, turn_lang, turn_session, turn_user
from knowledge.packs import load_pack
from knowledge.schema import Pack
from storage.access import Role
from storage.errors import DomainError
from storage.personal_data import Section, erase_person, export_personal_data, subject_of

MAX_ITEMS = 10
ADMIN = Requirement(Role.ADMIN, "privacy.not_admin")


def card_sections(sections: list[Section], reader: Reader) -> list[dict[str, Any]]:
    """Sections as the privacy card shows them: labelled facts, at most MAX_ITEMS rows each."""
    shown = []
    for section in sections:
        rows = [
            [{"title": title, "value": value} for title, value in reader.facts(section.kind, item)]
            for item in section.items[:MAX_ITEMS]
        ]
        kept = [facts for facts in rows if facts]
        extra = len(section.items) - MAX_ITEMS
        if not kept and extra <= 0:
            continue  # a heading with nothing under it reads as data gone missing
        shown.append(
            {
                "title": reader.label(section.kind),
                "rows": kept,
                "more": text("privacy.more", reader.lang, count=extra) if extra > 0 else None,
            }
        )
    return shown


class Privacy:
    """Show a user their data; let an admin erase a person."""

    def __init__(self, confirmations: Confirmations, pack: Pack, tz: ZoneInfo) -> None:
        self.confirmations = confirmations
        self.pack = pack
        self.tz = tz  # the municipality's clock, for every moment shown

    async def mine(self, context: TurnContext, _match: IntentMatch) -> None:
        """ "hvad ved du om mig": everything stored about the asking user."""
        user = turn_user(context)
        lang = turn_lang(context)
        session = turn_session(context)
        subject = await subject_of(
            session=session, aad_object_id=user.aad_object_id, email=user.email,
            channel_user_id=user.channel_user_id,
        )  # fmt: skip
        sections = await export_personal_data(session=session, subject=subject)
        if not sections:
            await say(context, "privacy.nothing")
            return
        await show(context, "privacy_data", title=text("privacy.title", lang),
                   intro=text("privacy.intro", lang),
                   sections=card_sections(sections, Reader(lang, self.pack, self.tz)))  # fmt: skip

    async def erase(self, context: TurnContext, match: IntentMatch) -> None:
        """ "slet Anne Jensens persondata": ask an admin to confirm the erasure."""
        target = await find_target(context, match.params.get("person", ""))
        await self._not_self(context, target.principals)
        change = {"name": target.name, "email": target.email, "person_id": target.person_id}
        lead = text("privacy.confirm_erase", turn_lang(context), name=target.name,
                    email=target.email)  # fmt: skip
        await self.confirmations.ask(context, "privacy.erase", change, lead=lead)

    async def _not_self(self, context: TurnContext, principals: frozenset[str]) -> None:
        user = turn_user(context)
        mine = {p.lower() for p in (user.aad_object_id, user.email) if p}
        if mine & principals:
            raise DomainError("privacy.self")

    async def confirm_erase(self, context: TurnContext, change: dict[str, Any]) -> None:
        """A confirmed erasure: check again, erase (audited)."""
        session = turn_session(context)
        subject = await subject_of(session=session, email=change["email"])
        if subject.person_id != change["person_id"] or not subject.principals:
            raise DomainError("privacy.already_erased")
        await self._not_self(context, subject.principals)
        changed = await erase_person(
            session=session, subject=subject, actor=turn_user(context).identity
        )
        await say(context, "privacy.erased", name=change["name"], count=sum(changed.values()))


def register(runtime: Runtime) -> None:
    """Add "hvad ved du om mig" and the admins' erasure."""
    settings = runtime.settings
    privacy = Privacy(runtime.confirmations, load_pack(settings.knowledge_pack), settings.tz)
    routes = runtime.routes
    routes.action("privacy.mine", privacy.mine)
    routes.action("privacy.erase", privacy.erase, requires=ADMIN)
    runtime.confirmable("privacy.erase", privacy.confirm_erase, requires=ADMIN)
