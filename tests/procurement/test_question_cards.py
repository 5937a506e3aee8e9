"""The screening questions over HTTP as Teams shows them: one card a question, its counter on a
line of its own above the question, a number that goes up by one and a total that never grows
(answers that add a conditional question were counted from the start), and every option a
short button with its full wording beside it."""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise
from typing import Any

import pytest

from bot.settings import Settings
from knowledge.screening import load_screening
from tests.support.activities import message
from tests.support.channel import TestChannel
from tests.support.server import start_bot

PACK = "randers"
COUNTER = re.compile(r"^Spørgsmål (\d+) af (\d+)$")
START = ["indkøb", "Et værktøj til vagtplanlægning i hjemmeplejen", "Sundhed og Omsorg"]
TYPED = {"text": "ved ikke", "number": "12", "person": "Mette Holm"}


def _question_card(card: dict[str, Any] | None) -> tuple[int, int, dict[str, Any]] | None:
    """(number, total, card) when `card` asks a screening question, else None."""
    if not card or not card.get("body"):
        return None
    first = card["body"][0]
    found = COUNTER.match(first.get("text", "")) if first.get("type") == "TextBlock" else None
    return (int(found[1]), int(found[2]), card) if found else None


@pytest.mark.parametrize(
    ("personal_data", "back_at"),
    [
        ("Følsomme", None),  # adds the data processing agreement question
        ("Ingen persondata", None),  # rules it out
        ("Følsomme", 3),  # "tilbage" at question 3, then on again
    ],
)
async def test_a_whole_guide_counts_once_and_shows_the_counter_on_its_own_line(
    make_settings: Callable[..., Settings],
    channel: TestChannel,
    personal_data: str,
    back_at: int | None,
) -> None:
    screening = load_screening(PACK)
    prompts = {q.prompt("da"): q for q in screening.questions}
    bot = await start_bot(make_settings(knowledge_pack=PACK, rate_limit_per_minute=0))
    seen: list[tuple[int, int]] = []
    went_back = False
    try:
        for said in START:
            await bot.post(message(said, service_url=channel.url))
        for _ in range(40):
            asked = _question_card(channel.received[-1].card)
            if asked is None:
                break
            number, total, card = asked
            seen.append((number, total))
            question_line = card["body"][1]
            assert question_line["type"] == "TextBlock", "the question follows on its own line"
            question = prompts[question_line["text"]]
            if back_at == number and not went_back:
                went_back = True
                await bot.post(message("tilbage", service_url=channel.url))
                continue
            buttons = card.get("actions") or []
            if question.kind != "choice":
                assert buttons == []
                await bot.post(message(TYPED[question.kind], service_url=channel.url))
                continue
            titles = [b["title"] for b in buttons]
            assert titles == [o.button("da") for o in question.options]
            for option in question.options:
                if option.button("da") != option.full_name("da"):
                    assert f"**{option.button('da')}** — {option.full_name('da')}" in [
                        block.get("text") for block in card["body"]
                    ], "the full wording stands beside a short button"
            wanted = personal_data if question.key == "personal_data" else titles[0]
            pressed = buttons[titles.index(wanted)]
            await bot.post(message(None, service_url=channel.url, value=pressed["data"]))
    finally:
        await bot.stop()

    numbers = [n for n, _ in seen]
    totals = [t for _, t in seen]
    assert len(seen) >= 8, seen
    steps = [b - a for a, b in pairwise(numbers)]
    if back_at is None:
        assert numbers == list(range(1, len(numbers) + 1)), seen
    else:
        assert steps.count(-1) == 1 and all(s in (1, -1) for s in steps), seen
    assert all(b <= a for a, b in pairwise(totals)), f"a total grew: {seen}"
    assert numbers[-1] == totals[-1], f"the last question is not 'N af N': {seen}"
    asked_agreement = personal_data != "Ingen persondata"
    assert totals[0] == len(screening.questions), "the first total counts every possible one"
    assert totals[-1] == len(screening.questions) - (0 if asked_agreement else 1)


async def test_a_profile_unit_too_long_for_a_button_is_named_and_sent_by_a_short_one(
    make_settings: Callable[..., Settings], channel: TestChannel
) -> None:
    unit = "Børn, Unge og Familie – Dagtilbud"
    bot = await start_bot(make_settings(knowledge_pack=PACK, rate_limit_per_minute=0))
    try:
        await bot.post(message("min profil", service_url=channel.url))
        # the profile card's "Ret enhed", as Teams submits it
        await bot.post(message(None, service_url=channel.url, value={"action": "profile.unit"}))
        for said in [unit, *START[:2]]:
            await bot.post(message(said, service_url=channel.url))
        asked = channel.received[-1].activity
        assert f"Ifølge din profil er du i **{unit}**" in asked["text"]
        mine = next(a for a in asked["suggestedActions"]["actions"] if a["title"] == "Min enhed")
        assert mine["value"] == unit
        await bot.post(message(mine["value"], service_url=channel.url))
    finally:
        await bot.stop()
    assert _question_card(channel.received[-1].card) is not None, "on to the first question"
