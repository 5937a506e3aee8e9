"""The scoring behind `govbot nlu eval`."""

from __future__ import annotations

from bot.intents import trained_matcher
from bot.nlu_eval import Item, demo_slots, evaluate, format_report, pack_is_sure


def test_a_neighbour_label_accepted_as_reached_keeps_precision_at_most_one() -> None:
    matcher = trained_matcher()
    slots = demo_slots(matcher, "randers")
    # "hvem deltager?" after a meeting is asked of the members' list: counted as reached for
    # meetings.next, so it must count as predicting meetings.next too.
    items = [
        Item(
            "hvem deltager?",
            "meetings.next",
            "da",
            context="hvornår er næste møde i styregruppen?",
            expect={"attribute": "members"},
        ),
        Item("hvornår er næste møde i styregruppen?", "meetings.next", "da"),
    ]
    report = evaluate(matcher, items, slots)
    assert report.reached == 2
    assert report.predicted["meetings.next"] == 2
    row = next(line for line in format_report("set", report) if line.startswith("meetings.next"))
    assert row.split()[1:3] == [
        "100.0%",
        "100.0%",
    ]


def test_a_sure_pack_answer_is_scored_as_the_bot_gives_it_not_as_an_offer() -> None:
    matcher = trained_matcher()
    slots = demo_slots(matcher, "randers")
    # The model is unsure of "meeting plan" and would offer buttons, but the pack answers it
    # confidently, and the bot then answers instead of asking "Vil du …?".
    items = [Item("meeting plan", "knowledge.question", "en")]
    assert evaluate(matcher, items, slots).offered == 1
    report = evaluate(matcher, items, slots, sure=pack_is_sure("randers"))
    assert (report.offered, report.reached) == (0, 1)
