"""Indkøb in chat: the screening dialog, the requester's requests, IT's buttons in its channel."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from bot.capabilities import Runtime
from bot.card_updates import keep_current
from bot.conversations import clean_text
from bot.handler import DIALOG_CONTEXT_KEY
from bot.intents import IntentMatch
from bot.sdk import TurnContext
from dialogs.cards import MAIN_ACTIONS, card
from dialogs.formats import spoken_day
from dialogs.permissions import Requirement, acting_access
from dialogs.procurement import ProcurementDialog, ProcurementOptions
from dialogs.procurement_notify import (
    announce_status,
    it_card_key,
    relay_answer,
    relay_question,
    requester_card,
    requester_card_key,
    requester_lang,
    screener_ids,
    screening_card,
)
from dialogs.procurement_outcome import guide_outcome
from dialogs.procurement_view import short, status_label, working_days_between
from dialogs.texts import text
from dialogs.turn import (
    after_commit,
    answer_with_card,
    say,
    show,
    turn_lang,
    turn_session,
    turn_user,
)
from knowledge.packs import load_pack
from storage.access import Actor, NotAuthorisedError, Role
from storage.errors import DomainError
from storage.models.base import utcnow
from storage.outbox import Delivery
from storage.outbox_payloads import Payload
from storage.procurement import (
    RequestRecord,
    RequestStatus,
    UnknownRequestError,
    get_request,
    requests_of,
)
from storage.procurement_screening import (
    MissingNoteError,
    NoOpenQuestionError,
    NotRequesterError,
    StaleActionError,
    answer_question,
    ask_requester,
    decide_request,
    open_requests,
    set_it_channel,
    take_request,
)

DECISION_VERBS = {
    "approve": RequestStatus.APPROVED,
    "conditions": RequestStatus.CONDITIONAL,
    "reject": RequestStatus.REJECTED,
    "dispensation": RequestStatus.DISPENSATION,
}
SCREENER = Requirement(Role.IT_SCREENER, "procurement.only_screeners")
ADMIN = Requirement(Role.ADMIN, "procurement.only_admins")
NOTE_NAMES = {
    RequestStatus.CONDITIONAL: "procurement.acted.note_conditions",
    RequestStatus.REJECTED: "procurement.acted.note_reason",
}


def _request_id(data: Mapping[str, Any]) -> int | None:
    """The request id a card sent, if it is a plausible one (submit data is untrusted)."""
    value = data.get("request_id")
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    return value if isinstance(value, int) and 0 < value < 2**31 else None


def _note(data: Mapping[str, Any], limit: int = 2000) -> str:
    # IT's card names each text box after its action ("reject_text"), so no two share an id.
    verb = str(data.get("action", "")).removeprefix("procurement.")
    value = data.get("text", data.get(f"{verb}_text"))
    return value.strip()[:limit] if isinstance(value, str) else ""


# A message this long that the model read as a wish describes the need itself.
MIN_NEED_WORDS = 4


class Procurement:
    """The capability's actions, bound to the app's settings."""

    def __init__(self, runtime: Runtime) -> None:
        self._settings = runtime.settings
        self._kick = runtime.outbox_kick
        self._database = runtime.database
        self._proactive = runtime.proactive

    # --- employees -------------------------------------------------------------------------

    async def start(self, context: TurnContext, match: IntentMatch) -> None:
        """Begin the dialog; a wish in the user's own words is the need (not "indkøb")."""
        said = match.text or clean_text(context.activity)
        wish = match.via != "command" and len(said.split()) >= MIN_NEED_WORDS
        options = {"need": said} if wish else {}
        await context.turn_state[DIALOG_CONTEXT_KEY].begin_dialog(
            ProcurementDialog.__name__, options
        )

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
                "text": _t(
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
            context, "procurement_list", title=_t(context, "procurement.mine_title"), lines=lines
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
            line = _t(
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
                line = f"{line} · {_t(context, 'procurement.open_overdue', days=limit)}"
            lines.append({"text": line, "warning": age > limit})
        await show(
            context,
            "procurement_list",
            title=_t(context, "procurement.open_title", count=len(records)),
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

    async def _screener(self, context: TurnContext) -> Actor:
        """The acting IT screener (the routing checked the role), as the service's actor."""
        access = await acting_access(context)
        user = turn_user(context)
        return Actor(principal=user.identity, name=user.name or user.identity, access=access)

    def submit(self, verb: str) -> Callable[[TurnContext, Mapping[str, Any]], Awaitable[None]]:
        """The handler of one screener button."""

        async def handle(context: TurnContext, data: Mapping[str, Any]) -> None:
            request_id = _request_id(data)
            if request_id is None:
                await _unknown_card(context)
                return
            actor = await self._screener(context)
            try:
                await self._act(context, verb, request_id, actor, _note(data))
            except UnknownRequestError as error:
                raise DomainError("procurement.acted.unknown") from error
            except StaleActionError as stale:
                raise self._stale(context, stale.request) from stale
            except NotAuthorisedError as error:
                raise DomainError("procurement.only_screeners") from error
            except MissingNoteError as error:
                note = NOTE_NAMES.get(
                    DECISION_VERBS.get(verb, RequestStatus.RECEIVED),
                    "procurement.acted.note_question",
                )
                what = _t(context, note)
                raise DomainError("procurement.acted.note_needed", what=what) from error

        handle.__name__ = f"procurement_{verb}"
        return handle

    async def _act(
        self, context: TurnContext, verb: str, request_id: int, actor: Actor, note: str
    ) -> None:
        session = turn_session(context)
        channel, it_lang = self._settings.it_channel, self._settings.language
        if verb == "take":
            record, event = await take_request(session=session, request_id=request_id, actor=actor)
            await announce_status(
                session=session,
                record=record,
                event=event,
                default_channel=channel,
                it_lang=it_lang,
            )
            await say(context, "procurement.acted.taken", id=record.id)
        elif verb == "ask":
            record, question, moved = await ask_requester(
                session=session, request_id=request_id, actor=actor, question=note
            )
            if moved is not None:
                await announce_status(
                    session=session,
                    record=record,
                    event=moved,
                    default_channel=channel,
                    it_lang=it_lang,
                )
            await relay_question(session=session, record=record, question=question)
            await say(context, "procurement.acted.asked", id=record.id, name=record.requester_name)
        else:
            record, event = await decide_request(
                session=session,
                request_id=request_id,
                actor=actor,
                decision=DECISION_VERBS[verb],
                note=note,
            )
            await announce_status(
                session=session,
                record=record,
                event=event,
                default_channel=channel,
                it_lang=it_lang,
            )
            await say(
                context,
                "procurement.acted.decided",
                id=record.id,
                status=status_label(record.status, turn_lang(context)),
                name=record.requester_name,
            )
        after_commit(context, self._kick)
        await self._show_current(context, record)

    async def view(self, context: TurnContext, data: Mapping[str, Any]) -> None:
        """The screening card as the acting user may see it (its `refresh` asks): a screener's
        with the buttons that still make sense, anyone else's read-only."""
        request_id = _request_id(data)
        if request_id is None:
            await _unknown_card(context)
            return
        try:
            record = await get_request(session=turn_session(context), request_id=request_id)
        except UnknownRequestError as error:
            raise DomainError("procurement.acted.unknown") from error
        screener = (await acting_access(context)).is_screener
        await self._answer_with_it_card(context, record, buttons=screener)

    async def _answer_with_it_card(
        self, context: TurnContext, record: RequestRecord, *, buttons: bool
    ) -> None:
        it_lang = self._settings.language
        refresh = await screener_ids(turn_session(context))
        shown = screening_card(record, self._settings.tz, it_lang, refresh=refresh, buttons=buttons)
        answer_with_card(context, card(shown.TEMPLATE, it_lang, **shown.values()))

    async def _show_current(self, context: TurnContext, record: RequestRecord) -> None:
        """Show the request as it now stands: to the screener who acted at once (on an
        Action.Execute), and, once the turn has committed, in place of every screening card
        posted for it (with only the buttons that still make sense) and of its requester's."""
        await self._answer_with_it_card(context, record, buttons=True)
        sender = self._proactive
        if sender is None:
            return
        session, tz, it_lang = turn_session(context), self._settings.tz, self._settings.language
        channel_card = screening_card(record, tz, it_lang, refresh=await screener_ids(session))
        personal_card = screening_card(record, tz, it_lang)

        def it_card(row: Delivery) -> Payload:
            shown = channel_card if row.kind == "channel" else personal_card
            return shown.model_copy(update={"lang": it_lang})

        lang = await requester_lang(session, record)
        requester = requester_card(record, lang, tz)

        async def refresh() -> None:
            for prefix, message in ((it_card_key(record.id), it_card),
                                    (requester_card_key(record.id), requester)):  # fmt: skip
                await keep_current(
                    database=self._database, sender=sender, key_prefix=prefix,
                    message=message, tz=tz, language=it_lang,
                )  # fmt: skip

        after_commit(context, refresh)

    def _stale(self, context: TurnContext, record: RequestRecord) -> DomainError:
        return DomainError(
            "procurement.acted.stale",
            id=record.id,
            status=status_label(record.status, turn_lang(context)),
            by=record.screener_name,
        )

    async def answer(self, context: TurnContext, data: Mapping[str, Any]) -> None:
        """The requester answers IT's question from the question card."""
        request_id = _request_id(data)
        if request_id is None:
            await _unknown_card(context)
            return
        question_id = data.get("question_id")
        session = turn_session(context)
        try:
            record, question, answer = await answer_question(
                session=session,
                request_id=request_id,
                principal=turn_user(context).identity,
                answer=_note(data),
                question_id=question_id if isinstance(question_id, int) else None,
            )
        except UnknownRequestError as error:
            raise DomainError("procurement.acted.unknown") from error
        except NotRequesterError as error:
            raise DomainError("procurement.acted.not_yours") from error
        except NoOpenQuestionError as error:
            raise DomainError("procurement.acted.no_question", id=request_id) from error
        except MissingNoteError as error:
            what = _t(context, "procurement.acted.note_answer")
            raise DomainError("procurement.acted.note_needed", what=what) from error
        await relay_answer(
            session=session,
            record=record,
            question=question,
            answer=answer,
            default_channel=self._settings.it_channel,
            it_lang=self._settings.language,
        )
        await say(context, "procurement.acted.answered")
        after_commit(context, self._kick)


async def _unknown_card(context: TurnContext) -> None:
    """A button whose data names no request: an old or foreign card, explained as such."""
    await show(context, "help", lead=_t(context, "fallback.card_unknown"), actions=MAIN_ACTIONS)


def _t(context: TurnContext, key: str, **values: Any) -> str:
    return text(key, turn_lang(context), **values)


def register(runtime: Runtime) -> None:
    """Add the dialog, the intents and the screener and requester buttons."""
    procurement = Procurement(runtime)
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
        routes.submit(f"procurement.{verb}", procurement.submit(verb), requires=SCREENER)
    routes.submit("procurement.answer", procurement.answer)
    # The channel card's `refresh`: every reader asks, each gets the view their role allows.
    routes.submit("procurement.view", procurement.view)
    routes.dialog_card("procurement.guide", ProcurementDialog.__name__, guide_outcome)
