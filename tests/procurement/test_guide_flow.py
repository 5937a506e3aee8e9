"""The guide over HTTP as an employee meets it: what it says first, the reuse step's buttons,
the end of the guide, and buttons of its cards pressed after it ended."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from bot.settings import Settings
from knowledge.packs import load_pack
from knowledge.screening import load_screening
from storage.db import Database
from storage.models import ItSystem, Person, RoleAssignment
from tests.procurement.test_dialog import INTEGRATIONS_ON
from tests.support.activities import message, new_user
from tests.support.channel import Received, TestChannel
from tests.support.server import RunningBot, start_bot

ANNE_CHAT = "a:1personal-1user-anne"
ADMIN = new_user(9)
ADMIN_CHAT = "a:1personal-1user-9"
SCREENER = new_user(7)
NEED = "Et værktøj til vagtplanlægning i hjemmeplejen"
# Randers: no personal data (so no agreement question), on premises; no departure.
ANSWERS = ["ingen", "lokalt", *INTEGRATIONS_ON]


@pytest.fixture
async def bot(make_settings: Callable[..., Settings]) -> AsyncIterator[RunningBot]:
    running = await start_bot(
        make_settings(
            rate_limit_per_minute=0,
            admins=frozenset({ADMIN["aad_object_id"]}),
            it_screeners=frozenset({SCREENER["aad_object_id"]}),
        )
    )
    yield running
    await running.stop()


class Anne:
    """The employee's side of the chat."""

    def __init__(self, bot: RunningBot, channel: TestChannel) -> None:
        self.bot, self.channel = bot, channel

    async def send(
        self, text: str | None = None, value: dict[str, Any] | None = None
    ) -> list[Received]:
        activity = message(text, service_url=self.channel.url, value=value)
        await self.bot.post(activity)
        return await self.channel.replies_to(activity)

    async def press(self, card: dict[str, Any] | None, title: str) -> list[Received]:
        assert card is not None
        [data] = [a["data"] for a in card["actions"] if a["title"] == title]
        return await self.send(value=data)


def _said(replies: list[Received]) -> str:
    return "\n".join(r.text for r in replies)


def _suggested(replies: list[Received]) -> list[str]:
    return [
        action["title"]
        for reply in replies
        for action in (reply.activity.get("suggestedActions") or {}).get("actions", [])
    ]


def _questions(pack: str, asked_before: int) -> int:
    return asked_before + len(load_screening(pack).asked({}))


async def test_the_guide_says_first_what_it_does_how_long_and_when_it_answers(
    bot: RunningBot, channel: TestChannel
) -> None:
    anne = Anne(bot, channel)
    days = load_pack("randers").procurement.screening_time.working_days
    said = _said(await anne.send("indkøb"))
    assert f"omkring {_questions('randers', 2)} korte spørgsmål" in said
    assert f"svarer inden for {days} arbejdsdage" in said
    assert said.index("Indkøbsguiden går") < said.index("Fortæl med dine egne ord")

    await anne.send("annuller")
    said = _said(await anne.send("vi står og mangler et system til vagtplanlægning"))
    assert f"omkring {_questions('randers', 1)} korte spørgsmål" in said
    assert said.index("Indkøbsguiden går") < said.index("Hvilken enhed")


@pytest.mark.parametrize(
    ("owner", "buttons"),
    [
        (True, ["Ny anmodning", "Kontakt systemejer"]),
        (False, ["Ny anmodning", "Det dækker behovet"]),
    ],
)
async def test_the_reuse_step_offers_the_owner_only_when_one_is_shown_and_its_buttons_once(
    bot: RunningBot, channel: TestChannel, database: Database, owner: bool, buttons: list[str]
) -> None:
    async with database.transaction() as session:
        system = ItSystem(name="Planner Pro", description="Vagtplanlægning og vagtplaner")
        session.add(system)
        if owner:
            person = Person(email="mette@kommune.dk", name="Mette Hansen")
            session.add(person)
            await session.flush()
            session.add(
                RoleAssignment(person_id=person.id, role_key="systemejer", system_id=system.id)
            )
    anne = Anne(bot, channel)
    await anne.send("indkøb")
    await anne.send(NEED)
    replies = await anne.send("Sundhed og Omsorg")
    [card] = [r.card for r in replies if r.card and "Findes det allerede?" in r.text]
    assert [a["title"] for a in card["actions"]] == buttons
    assert ("Systemejer: Mette Hansen" in _said(replies)) is owner
    # The card's answers are not repeated as suggested actions under the question.
    assert not set(buttons) & set(_suggested(replies))

    said = _said(await anne.press(card, buttons[1]))
    assert "Planner Pro" in said and ("kontakter systemejeren" in said) is owner


async def _to_summary(anne: Anne) -> dict[str, Any]:
    await anne.send("indkøb")
    await anne.send(NEED)
    replies = await anne.send("Sundhed og Omsorg")
    if "Findes det allerede?" in _said(replies):  # an earlier request of the same kind
        await anne.send("Ny anmodning")
    for answer in ANSWERS:
        replies = await anne.send(answer)
    [card] = [r.card for r in replies if r.card and "tjek den, før den går til IT" in r.text]
    return card


async def _sent(anne: Anne) -> dict[str, Any]:
    """Through the guide and "Send til IT"; the summary card that was pressed."""
    summary = await _to_summary(anne)
    await anne.press(summary, "Send til IT")
    # The requester's own card of the request comes through the outbox after the turn: wait for
    # it, or it lands among the replies to whatever the test sends next.
    await anne.channel.arrived(ANNE_CHAT, "Kortet opdateres, når der sker noget")
    return summary


async def test_the_end_of_the_guide_says_what_comes_next_once_and_tells_the_admin_of_the_channel(
    bot: RunningBot, channel: TestChannel
) -> None:
    await bot.post(message("hej", service_url=channel.url, **ADMIN))  # reachable 1:1
    anne = Anne(bot, channel)
    summary = await _to_summary(anne)
    shown = Received(ANNE_CHAT, {"attachments": [{"content": summary}]}, None, "POST").text
    # The employee has just contacted IT and followed the guide: not told to do so again.
    assert "Kontakt IT & Digitalisering og følg Indkøbsguiden" not in shown
    assert "skriver I en begrundelse og en plan" not in shown
    assert shown.count("Dispensation fra Indkøbsguiden") == 1
    assert "IT & Digitalisering vurderer sammen med dit fagområde" in shown
    assert [a["title"] for a in summary["actions"]] == ["Send til IT"]

    replies = await anne.press(summary, "Send til IT")
    said = _said(replies)
    assert "Din anmodning **#1** er sendt til IT" in said and "arbejdsdage" in said
    assert "kanal" not in said  # IT's channel is the admins' business, not the employee's
    notice = await channel.arrived(ADMIN_CHAT, "IT's kanal ikke er sat op")
    assert "Anmodning #1" in notice.text and "sæt som IT-kanal" in notice.text

    # The screening cards are shown anew when a screener takes it; the admin's notice is not one.
    take = {"action": "procurement.take", "request_id": 1}
    await bot.post(message(None, service_url=channel.url, value=take, **SCREENER))
    assert [r.method for r in channel.to(ADMIN_CHAT) if "Ny anmodning" in r.text] == []
    assert [r for r in channel.to(ADMIN_CHAT) if r.method == "PUT"] == []


async def test_buttons_of_an_ended_guide_say_what_became_of_it(
    bot: RunningBot, channel: TestChannel
) -> None:
    anne = Anne(bot, channel)
    summary = await _sent(anne)
    said = _said(await anne.press(summary, "Send til IT"))
    assert "Anmodning #1 er allerede sendt til IT – den er nu modtaget." in said
    assert "kender jeg ikke" not in said

    take = {"action": "procurement.take", "request_id": 1}
    await bot.post(message(None, service_url=channel.url, value=take, **SCREENER))
    said = _said(await anne.press(summary, "Send til IT"))
    assert "Anmodning #1 er allerede sendt til IT – den er nu under screening." in said

    # A guide stopped before anything was sent: said so, with the way to start again.
    second = await _to_summary(anne)
    await anne.send("annuller")
    replies = await anne.press(second, "Send til IT")
    assert "blev afbrudt, før noget blev sendt til IT" in _said(replies)
    assert "Nyt it-system" in _suggested(replies)


@pytest.mark.parametrize(
    ("into_another", "answer", "then"),
    [
        ([("min profil", None), (None, {"action": "profile.unit"})], "Økonomi", "**Økonomi**"),
        (
            [("indkøb", None), ("Lokalebooking til kulturhusene", None), ("Kultur", None)],
            "ingen",
            "Hvor skal løsningen køre",
        ),
    ],
)
async def test_a_button_of_an_ended_guide_pressed_in_another_dialog_is_no_answer_to_it(
    bot: RunningBot,
    channel: TestChannel,
    into_another: list[tuple[str | None, dict[str, str] | None]],
    answer: str,
    then: str,
) -> None:
    anne = Anne(bot, channel)
    summary = await _sent(anne)
    for said, pressed in into_another:  # the profile's unit question, a new guide's first one
        asked = await anne.send(said, pressed)
    replies = await anne.press(summary, "Send til IT")
    assert "Anmodning #1 er allerede sendt til IT" in _said(replies)
    assert replies[-1].text == asked[-1].text  # that dialog's question again
    assert then in _said(await anne.send(answer))  # and it goes on from there
