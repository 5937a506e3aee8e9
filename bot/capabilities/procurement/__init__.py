"""Indkøb in chat: the screening dialog, the requester's requests, IT's list and channel; IT's
buttons on a request's card are screening.py."""

from __future__ import annotations

from bot.capabilities import Runtime
from bot.capabilities.core import answered_before_flow
from bot.capabilities.procurement.screening import DECISION_VERBS, ScreeningActions
from bot.conversations import clean_text
from bot.intents import IntentMatch
from bot.sdk import TurnContext
from dialogs.formats import spoken_day
from dialogs.permissions import Requirement
from dialogs.procurement import ProcurementDialog, ProcurementOptions
from dialogs.procurement_outcome import guide_outcome
from dialogs.procurement_view import short, status_label, working_days_between
from dialogs.turn import (
    say,
    show,
    turn_dialogs,
    turn_lang,
    turn_session,
    turn_text,
    turn_user,
)
from knowledge.packs import load_pack
from storage.access import Role
from storage.errors import DomainError
from storage.models.base import utcnow
from storage.procurement import requests_of
from storage.procurement_screening import open_requests, set_it_channel

SCREENER = Requirement(Role.IT_SCREENER, "procurement.only_screeners")
ADMIN = Requirement(Role.ADMIN, "procurement.only_admins")

# A message this long that the model read as a wish describes the need itself.
MIN_NEED_WORDS = 4


class Procurement:
    """The capability's actions, bound to the app's settings."""

    def __init__(self, runtime: Runtime) -> None:
        self._settings = runtime.settings
        self._routes = runtime.routes

    # --- employees -------------------------------------------------------------------------

    async def start(self, context: TurnContext, match: IntentMatch) -> None:
        """Begin the dialog; a wish in the user's own words is the need (not "indkøb")."""
        said = match.text or clean_text(context.activity)
        # "skal vi spørge IT, før vi køber noget?" asks what the pack answers ("Kontakt IT
        # tidligt"): the answer, and the guide one tap away. A wish ("vi mangler et system …")
        # and a request ("kan du hjælpe mig med at købe …") start the guide.
        if await answered_before_flow(
            self._routes, context, match, "procurement.guide_offer", "procurement"
        ):
            return
        wish = match.via != "command" and len(said.split()) >= MIN_NEED_WORDS
        options = {"need": said} if wish else {}
        await turn_dialogs(context).begin_dialog(ProcurementDialog.__name__, options)

    async def mine(self, context: TurnContext, _match: IntentMatch) -> None:
        """The user's own requests with their status."""
        user = turn_user(context)
        lang = turn_lang(context)
        records = await requests_of(
            session=turn_session(context),
            principals=[p for p in (user.identity, user.aad_object_id, user.email) if p],
        )
        if not records:
            await say(context, "procurement.mine_none")
            return
        lines = [
            {
                "text": turn_text(
                    context,
                    "procurement.mine_line",
                    id=r.id,
                    status=status_label(r.status, lang),
                    need=short(r.need),
                    date=spoken_day(r.created_at, lang, self._settings.tz),
                ),
                "warning": False,
            }
            for r in records
        ]
        await show(
            context,
            "procurement_list",
            title=turn_text(context, "procurement.mine_title"),
            lines=lines,
        )

    # --- IT --------------------------------------------------------------------------------

    async def open_list(self, context: TurnContext, _match: IntentMatch) -> None:
        """Open requests by age for screeners, flagging those past the screening time."""
        records = await open_requests(session=turn_session(context))
        if not records:
            await say(context, "procurement.open_none")
            return
        limit = load_pack(self._settings.knowledge_pack).procurement.screening_time.working_days
        today = utcnow().astimezone(self._settings.tz).date()
        lang = turn_lang(context)
        lines = []
        for record in records:
            age = working_days_between(
                record.created_at.astimezone(self._settings.tz).date(), today
            )
            line = turn_text(
                context,
                "procurement.open_line",
                id=record.id,
                status=status_label(record.status, lang),
                days=age,
                unit=record.unit,
                need=short(record.need),
                screener=record.screener_name,
            )
            if age > limit:
                line = f"{line} · {turn_text(context, 'procurement.open_overdue', days=limit)}"
            lines.append({"text": line, "warning": age > limit})
        await show(
            context,
            "procurement_list",
            title=turn_text(context, "procurement.open_title", count=len(records)),
            lines=lines,
        )

    async def set_channel(self, context: TurnContext, _match: IntentMatch) -> None:
        """An admin makes the current Teams channel IT's channel."""
        conversation = context.activity.conversation
        if conversation is None or conversation.conversation_type != "channel":
            raise DomainError("procurement.channel_needed")
        assert conversation.id is not None  # app._parse_activity admits none without one
        await set_it_channel(
            session=turn_session(context),
            conversation_id=conversation.id,
            actor=turn_user(context).identity,
        )
        await say(context, "procurement.channel_set")


def register(runtime: Runtime) -> None:
    """Add the dialog, the intents and the screener and requester buttons."""
    procurement = Procurement(runtime)
    buttons = ScreeningActions(runtime)
    runtime.dialogs.add(
        ProcurementDialog(
            runtime.settings.knowledge_pack,
            ProcurementOptions(
                default_channel=runtime.settings.it_channel,
                it_lang=runtime.settings.language,
                tz=runtime.settings.tz,
                kick=runtime.outbox_kick,
            ),
            profile=runtime.user_state.create_property("profile"),
        )
    )
    routes = runtime.routes
    routes.action("procurement.start", procurement.start)
    routes.action("procurement.mine", procurement.mine)
    routes.action("procurement.open", procurement.open_list, requires=SCREENER)
    routes.action("procurement.set_channel", procurement.set_channel, requires=ADMIN)
    for verb in ("take", "ask", *DECISION_VERBS):
        routes.submit(f"procurement.{verb}", buttons.submit(verb), requires=SCREENER)
    routes.submit("procurement.answer", buttons.answer)
    # The channel card's `refresh`: every reader asks, each gets the view their role allows.
    routes.submit("procurement.view", buttons.view)
    routes.dialog_card("procurement.guide", ProcurementDialog.__name__, guide_outcome)
