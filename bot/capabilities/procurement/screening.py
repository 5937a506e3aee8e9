"""IT's screening buttons on a request's card (take, ask, approve, conditions, reject,
dispensation) and the requester's answer to IT's question: each re-checked on the server, the
request's cards refreshed once the turn has committed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from bot.capabilities import Runtime
from bot.card_updates import keep_current
from bot.sdk import TurnContext
from dialogs.cards import MAIN_ACTIONS, card
from dialogs.permissions import acting_access
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
from dialogs.procurement_view import status_label
from dialogs.turn import (
    after_commit,
    answer_with_card,
    say,
    show,
    turn_lang,
    turn_session,
    turn_text,
    turn_user,
)
from storage import procurement_screening as screening
from storage.access import Actor, NotAuthorisedError
from storage.errors import DomainError
from storage.outbox import Delivery
from storage.outbox_payloads import Payload
from storage.procurement import (
    EventRecord,
    RequestRecord,
    RequestStatus,
    UnknownRequestError,
    get_request,
)

DECISION_VERBS = {
    "approve": RequestStatus.APPROVED,
    "conditions": RequestStatus.CONDITIONAL,
    "reject": RequestStatus.REJECTED,
    "dispensation": RequestStatus.DISPENSATION,
}
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


class ScreeningActions:
    """The buttons' handlers, bound to the app's settings."""

    def __init__(self, runtime: Runtime) -> None:
        self._settings = runtime.settings
        self._kick = runtime.outbox_kick
        self._database = runtime.database
        self._proactive = runtime.proactive

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
            except screening.StaleActionError as stale:
                raise self._stale(context, stale.request) from stale
            except NotAuthorisedError as error:
                raise DomainError("procurement.only_screeners") from error
            except screening.MissingNoteError as error:
                note = NOTE_NAMES.get(
                    DECISION_VERBS.get(verb, RequestStatus.RECEIVED),
                    "procurement.acted.note_question",
                )
                what = turn_text(context, note)
                raise DomainError("procurement.acted.note_needed", what=what) from error

        handle.__name__ = f"procurement_{verb}"
        return handle

    async def _act(
        self, context: TurnContext, verb: str, request_id: int, actor: Actor, note: str
    ) -> None:
        session = turn_session(context)
        event: EventRecord | None
        question: EventRecord | None = None
        if verb == "take":
            record, event = await screening.take_request(
                session=session, request_id=request_id, actor=actor
            )
        elif verb == "ask":
            record, question, event = await screening.ask_requester(
                session=session, request_id=request_id, actor=actor, question=note
            )
        else:
            record, event = await screening.decide_request(
                session=session,
                request_id=request_id,
                actor=actor,
                decision=DECISION_VERBS[verb],
                note=note,
            )
        if event is not None:  # asking moves it only when it takes the request
            await announce_status(
                session=session,
                record=record,
                event=event,
                default_channel=self._settings.it_channel,
                it_lang=self._settings.language,
            )
        if question is not None:
            await relay_question(session=session, record=record, question=question)
            await say(context, "procurement.acted.asked", id=record.id, name=record.requester_name)
        elif verb == "take":
            await say(context, "procurement.acted.taken", id=record.id)
        else:
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
            record, question, answer = await screening.answer_question(
                session=session,
                request_id=request_id,
                principal=turn_user(context).identity,
                answer=_note(data),
                question_id=question_id if isinstance(question_id, int) else None,
            )
        except UnknownRequestError as error:
            raise DomainError("procurement.acted.unknown") from error
        except screening.NotRequesterError as error:
            raise DomainError("procurement.acted.not_yours") from error
        except screening.NoOpenQuestionError as error:
            raise DomainError("procurement.acted.no_question", id=request_id) from error
        except screening.MissingNoteError as error:
            what = turn_text(context, "procurement.acted.note_answer")
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
    await show(
        context, "help", lead=turn_text(context, "fallback.card_unknown"), actions=MAIN_ACTIONS
    )
