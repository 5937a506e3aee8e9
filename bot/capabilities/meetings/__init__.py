"""The årshjul in chat: next meeting, the year's wheel, secretaries' changes, members, the body's
channel, and the buttons on the reminder card (reading.py, changes.py, reminders.py).

Every button is re-checked: the meeting, its body and the actor's role come from the
database, never from the card's data.
"""

from __future__ import annotations

from dataclasses import replace

from bot.capabilities import Runtime
from bot.capabilities.core import answer_with, example_body
from bot.capabilities.meetings.changes import SecretaryChanges
from bot.capabilities.meetings.deadlines import deadline_words
from bot.capabilities.meetings.delivery import DeliveryStatus
from bot.capabilities.meetings.reading import WheelReading
from bot.capabilities.meetings.reminder_times import ReminderTimes
from bot.capabilities.meetings.reminders import ReminderButtons
from bot.intents import IntentMatch
from bot.sdk import TurnContext
from dialogs.permissions import Requirement
from storage.access import Role


def register(runtime: Runtime) -> None:
    """Add the årshjul's intents and the buttons of its cards.

    A secretary's change needs the secretary role (or admin) in the body it is about: the body
    named, or the body of the meeting named; a new year needs a secretary of any body.
    """
    deadline_words()  # read (and validated) now: a bad file stops start-up, not a question
    reading, meetings, reminders = (
        WheelReading(runtime), SecretaryChanges(runtime), ReminderButtons(runtime)
    )  # fmt: skip
    delivery = DeliveryStatus(runtime)
    of_body = Requirement(Role.SECRETARY, "meetings.not_allowed", body=meetings.body_named,
                          values=meetings.body_values)  # fmt: skip
    of_meeting = replace(of_body, body=meetings.body_of_meeting)
    any_body = Requirement(Role.SECRETARY, "meetings.not_allowed_any", any_body=True)
    routes = runtime.routes
    routes.action("meetings.next", reading.next_meeting)
    routes.action("meetings.year", reading.year)
    routes.action("meetings.members", reading.members)
    routes.action("meetings.generate", meetings.generate, requires=any_body)
    routes.action("meetings.add", meetings.add, requires=of_body)
    routes.action("meetings.move", meetings.move, requires=of_meeting)
    routes.action("meetings.cancel", meetings.cancel, requires=of_meeting)
    routes.action("meetings.delivery_status", delivery.show_status, requires=of_meeting)
    for field in ("place", "teams_link", "agenda"):

        async def update(context: TurnContext, match: IntentMatch, field: str = field) -> None:
            await meetings.update(context, match, field)

        routes.action(f"meetings.{field}", update, requires=of_meeting)
    routes.action("meetings.add_member", meetings.add_member, requires=of_body)
    routes.action("meetings.remove_member", meetings.remove_member, requires=of_body)
    routes.action("meetings.set_channel", meetings.set_channel, requires=of_body)
    routes.action("meetings.opt_in", reminders.opt_in)
    routes.action("meetings.opt_out", reminders.opt_out_text)
    example = example_body(meetings.pack)
    routes.action("meetings.admin", answer_with("meetings.admin_hint", example))
    routes.action("meetings.reminders", ReminderTimes(runtime).reminders)
    runtime.confirmable("meetings.move", meetings.confirm_move, requires=of_meeting)
    runtime.confirmable("meetings.cancel", meetings.confirm_cancel, requires=of_meeting)
    routes.submit("meetings.ack", reminders.acknowledge)
    routes.submit("meetings.snooze", reminders.snooze)
    routes.submit("meetings.opt_out", reminders.opt_out)
