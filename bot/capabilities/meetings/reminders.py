"""The reminder card's buttons and a member's own reminder choices: seen, snooze, and 1:1
reminders off or on for a body. Each acts only on the acting user's own reminders."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.capabilities.meetings.base import MeetingTurns
from bot.card_updates import update_posted
from bot.intents import IntentMatch
from bot.sdk import TurnContext
from dialogs.cards import card
from dialogs.turn import after_commit, answer_with_card, say, turn_lang, turn_session
from knowledge.schema_bodies import Body
from storage import outbox, reminders
from storage.errors import DomainError
from storage.models.base import utcnow
from storage.outbox_payloads import MeetingReminder, PayloadError


class ReminderButtons(MeetingTurns):
    """A member's answers to their reminders."""

    async def _own_delivery(self, context: TurnContext, data: Mapping[str, Any]) -> outbox.Delivery:
        """The meeting reminder the card names, if it was sent to the acting user."""
        key = data.get("key")
        delivery = None
        if isinstance(key, str) and len(key) <= 500:
            delivery = await reminders.own_meeting_delivery(
                session=turn_session(context), key=key, principals=await self._principals(context)
            )
        if delivery is None:
            raise DomainError("meetings.not_yours")
        return delivery

    async def acknowledge(self, context: TurnContext, data: Mapping[str, Any]) -> None:
        """ "Set" on a reminder."""
        delivery = await self._own_delivery(context, data)
        await outbox.acknowledge(session=turn_session(context), key=delivery.key)
        await say(context, "meetings.acknowledged")
        self._show_answered(context, delivery, "acknowledged")

    async def snooze(self, context: TurnContext, data: Mapping[str, Any]) -> None:
        """ "Mind mig igen i morgen" on a reminder."""
        delivery = await self._own_delivery(context, data)
        assert delivery.principal is not None  # _own_delivery matched it to the user
        due = await reminders.snooze(
            session=turn_session(context), key=delivery.key, principal=delivery.principal,
            tz=self.tz, now=utcnow(),
        )  # fmt: skip
        if due is None:
            raise DomainError("meetings.not_yours")
        await say(context, "meetings.snoozed", when=self._when(context, due))
        self._changed(context)
        self._show_answered(context, delivery, "snoozed")

    async def opt_out(self, context: TurnContext, data: Mapping[str, Any]) -> None:
        """ "Ingen 1:1-påmindelser for dette forum" on a reminder."""
        said = data.get("body")
        body = self.bodies.find(said) if isinstance(said, str) and len(said) <= 100 else None
        if body is None or body.key != said:
            raise DomainError("meetings.not_yours")
        await self._set_opt_out(context, body, opted_out=True)
        if isinstance(data.get("key"), str):  # the card clicked (cards before it had no key)
            self._show_answered(context, await self._own_delivery(context, data), "opted_out")

    def _show_answered(self, context: TurnContext, delivery: outbox.Delivery, how: str) -> None:
        """Replace the reminder card with one saying `how` the member answered, without the
        buttons: at once for the member (on an Action.Execute) and, once the turn has
        committed, the posted card itself."""
        try:
            message = delivery.message()
        except PayloadError:
            return
        if not isinstance(message, MeetingReminder):
            return
        answered = message.model_copy(update={"answered": how})
        lang = answered.lang or turn_lang(context)
        answer_with_card(context, card(answered.TEMPLATE, lang, **answered.values()))
        sender = self._proactive
        if sender is None:
            return

        async def update() -> None:
            await update_posted(
                database=self._database, sender=sender, delivery=delivery, message=answered,
                tz=self.tz, language=self.language,
            )  # fmt: skip

        after_commit(context, update)

    async def opt_in(self, context: TurnContext, match: IntentMatch) -> None:
        """ "påmindelser til for styregruppen"."""
        await self._set_opt_out(context, self._body(context, match.params.get("body")),
                                opted_out=False)  # fmt: skip

    async def opt_out_text(self, context: TurnContext, match: IntentMatch) -> None:
        """ "påmindelser fra for styregruppen"."""
        await self._set_opt_out(context, self._body(context, match.params.get("body")),
                                opted_out=True)  # fmt: skip

    async def _set_opt_out(self, context: TurnContext, body: Body, *, opted_out: bool) -> None:
        member = await reminders.set_member_opt_out(
            session=turn_session(context), plan=self._planning(), body=body.key,
            principals=await self._principals(context), opted_out=opted_out,
        )  # fmt: skip
        if not member:
            raise DomainError("meetings.not_member", body=self._name(context, body))
        self._changed(context)
        key = "meetings.opted_out" if opted_out else "meetings.opted_in"
        await say(context, key, body=self._name(context, body), body_key=body.key)
