"""Questions about reminders: when a body's members are reminded of its meetings ("hvornår får
medlemmerne påmindelser"), told from the body's reminder rules; anything else about reminders
gets the hint on turning one's own on or off."""

from __future__ import annotations

from bot.capabilities.core import example_body
from bot.capabilities.meetings.base import MeetingTurns
from bot.capabilities.meetings.deadlines import deadline_words
from bot.intents import IntentMatch
from bot.sdk import TurnContext
from bot.subject import recall
from dialogs.turn import say, turn_session
from knowledge.calendar import reminder_time
from knowledge.meeting_words import meeting_bodies
from knowledge.schema_bodies import Body, ReminderRule
from knowledge.text import fold
from storage import meetings as service
from storage.models.base import utcnow


class ReminderTimes(MeetingTurns):
    """When govbot reminds a body's members, and how to switch one's own reminders."""

    async def reminders(self, context: TurnContext, match: IntentMatch) -> None:
        """ "hvornår får medlemmerne påmindelser", "kan du minde medlemmerne om næste møde?"."""
        body = self._asked_body(context, match)
        rules = {rule.kind: rule for rule in body.reminder_rules} if body else {}
        member = rules.get("member_reminder")
        asks_when = set(fold(match.text or "").split()) & deadline_words()["member_reminder"]
        if body is None or member is None or not asks_when:
            example = example_body(self.pack)(context)
            await say(context, "meetings.reminders_hint", body=example["body"])
            return
        now = utcnow()
        meeting = await service.next_meeting(session=turn_session(context), body=body.key, now=now)
        channel = rules.get("channel_post")
        name = self._name(context, body)
        due = reminder_time(member, meeting.start, self.tz) if meeting else None
        await say(
            context, "meetings.reminder_times", body=name, body_lower=name.lower(),
            member=self._offset(context, member),
            channel=self._offset(context, channel) if channel else None,
            next=self._when(context, meeting.start) if meeting else None,
            due=self._when(context, due) if due else None, sent=due is not None and due <= now,
        )  # fmt: skip

    def _asked_body(self, context: TurnContext, match: IntentMatch) -> Body | None:
        """The body named, the one just talked about, or the pack's first that meets."""
        said = match.params.get("body")
        if not said:
            subject = recall(context)
            said = subject.body if subject is not None and subject.body else None
        found = self.bodies.find(said) if said else None
        return found or next(iter(meeting_bodies(self.pack)), None)

    def _offset(self, context: TurnContext, rule: ReminderRule) -> str:
        """ "dagen før mødet", "3 arbejdsdage efter mødet"."""
        return self._t(context, "reminder_offset", n=abs(rule.offset), unit=rule.unit,
                       before=rule.offset < 0)  # fmt: skip
