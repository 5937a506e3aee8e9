"""The secretary's view of a meeting's reminders: who got theirs, who acknowledged it, who
could not be reached and why, who opted out ("status på påmindelser for møde 12")."""

from __future__ import annotations

from itertools import groupby

from bot.capabilities.meetings.base import MeetingTurns
from bot.intents import IntentMatch
from bot.outbox_unreachable import why
from bot.sdk import TurnContext
from dialogs.texts import in_lang
from dialogs.turn import say, show, step, turn_lang, turn_session
from storage.reminder_status import RecipientStatus, meeting_delivery_status


class DeliveryStatus(MeetingTurns):
    """Where each reminder of a meeting stands, per recipient."""

    async def show_status(self, context: TurnContext, match: IntentMatch) -> None:
        """ "status på påmindelser for møde 12" (the body's secretary, or an admin)."""
        meeting = await self._meeting(context, int(match.params["id"]))
        found = await meeting_delivery_status(session=turn_session(context), meeting_id=meeting.id)
        again = [step("delivery_status", turn_lang(context), id=meeting.id)]
        if not found:
            await say(context, "meetings.delivery_none", id=meeting.id, then=again)
            return
        body = self.pack.body(meeting.body)
        rules = {rule.key: rule for rule in body.reminder_rules}
        sections = []
        for rule_key, group in groupby(found, key=lambda s: s.rule):
            rule = rules.get(rule_key)
            title = in_lang(rule, "text", turn_lang(context)) if rule else rule_key
            sections.append({"title": title, "rows": [self._row(context, s) for s in group]})
        counts = {s.standing for s in found}
        await show(
            context, "meetings_list",
            heading=self._t(context, "delivery_heading", id=meeting.id,
                            title=self._title(context, meeting),
                            when=self._when(context, meeting.start)),
            sections=sections, then=again if "planned" in counts else [],
        )  # fmt: skip

    def _row(self, context: TurnContext, status: RecipientStatus) -> str:
        standing = self._t(context, f"delivery_{status.standing}")
        if status.standing == "unreachable":
            standing = f"{standing}: {why(status.error, status.name, turn_lang(context))}"
        elif status.standing == "planned":
            standing = f"{standing} {self._when(context, status.due_at)}"
        return self._t(context, "member_row", name=status.name, role=standing)
