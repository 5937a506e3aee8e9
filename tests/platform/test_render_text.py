"""The terminal's buttons: an Action.Execute is pressed as a submit of its verb and data."""

from __future__ import annotations

from bot.render_text import card_actions
from bot.sdk import MessageFactory
from dialogs.cards import card


def test_a_reminder_card_s_execute_buttons_press_as_their_verb() -> None:
    reminder = card(
        "meeting_reminder",
        "da",
        key="meeting:1:week:anne",
        body="styregruppe",
        personal=True,
        title={"da": "Styregruppemøde", "en": "Steering group meeting"},
        rule_text={"da": "Om en uge", "en": "In a week"},
        when={"da": "4. marts 2027 13:00", "en": "4 March 2027 13:00"},
        place=None,
        teams_link=None,
        agenda=None,
        answered=None,
    )
    pressed = dict(card_actions(MessageFactory.attachment(reminder)))
    assert pressed["Set"] == {"key": "meeting:1:week:anne", "action": "meetings.ack"}
