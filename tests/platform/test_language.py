"""The one language rule over HTTP: the profile's choice, then the user's own words, then the
municipality's language (GOVBOT_LANGUAGE) — for answers, the welcome and proactive reminders.
The Teams locale is never what decides."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.app import DATABASE, DISPATCHER
from bot.settings import Settings
from dialogs.texts import Lang, text
from knowledge.packs import load_pack
from storage import meetings, outbox
from storage.access import Role
from storage.models.base import utcnow
from storage.models.directory import Person
from storage.procurement import Requester, submit_request
from storage.reminders import Planning
from tests.support.activities import installation_update, message, new_user
from tests.support.channel import Received, TestChannel
from tests.support.seats import seat
from tests.support.server import RunningBot, start_bot

TZ = ZoneInfo("Europe/Copenhagen")
EN_TEAMS = {"locale": "en-US"}


class Talk:
    """One user of an English-language Teams client talking to the running bot."""

    def __init__(self, bot: RunningBot, channel: TestChannel, n: int = 1) -> None:
        self.bot, self.channel, self.user = bot, channel, new_user(n)

    async def send(self, said: str | None, **kw: Any) -> list[Received]:
        activity = message(said, service_url=self.channel.url, **EN_TEAMS, **self.user, **kw)
        assert (await self.bot.post(activity)).status in (200, 201)
        return await self.channel.replies_to(activity)

    async def say(self, said: str) -> str:
        return "\n".join(r.text for r in await self.send(said))

    async def choose_english(self) -> None:
        """Press "English" on the "min profil" card."""
        card = (await self.send("min profil"))[-1].card
        assert card is not None
        english = [
            action["data"]
            for block in card["body"] + [{"actions": card.get("actions", [])}]
            for action in block.get("actions", [])
            if action.get("title") == "English"
        ]
        assert english, card
        replies = await self.send(None, value=english[0])
        assert "answer you in English" in "\n".join(r.text for r in replies)


@pytest.fixture
async def bot(make_settings: Callable[..., Settings]) -> AsyncIterator[RunningBot]:
    running = await start_bot(make_settings())
    yield running
    await running.stop()


async def test_an_english_teams_client_is_welcomed_and_answered_in_danish(
    bot: RunningBot, channel: TestChannel
) -> None:
    talk = Talk(bot, channel)
    await bot.post(installation_update(service_url=channel.url, **EN_TEAMS, **talk.user))
    assert len(channel.received) == 1
    assert "Jeg er govbot" in channel.received[0].text

    answer = await talk.say("hjælp")
    assert text("help.title", "da") in answer
    assert text("help.title", "en") not in answer
    # Nothing in the message says which language: still Danish, not the client's English.
    assert text("help.title", "da") in await talk.say("hjælp")


async def test_a_message_in_english_is_answered_in_english_and_the_chat_keeps_it(
    bot: RunningBot, channel: TestChannel
) -> None:
    talk = Talk(bot, channel)
    await talk.send("hjælp")
    assert text("help.title", "en") in await talk.say("help me please")
    # A message in neither language keeps the language the user last wrote in.
    assert text("help.title", "en") in await talk.say("help")
    assert text("help.title", "da") in await talk.say("hjælp")


async def test_english_chosen_in_the_profile_wins_over_danish_words(
    bot: RunningBot, channel: TestChannel
) -> None:
    talk = Talk(bot, channel)
    await talk.choose_english()
    answer = await talk.say("hvad kan du hjælpe mig med? hjælp")
    assert text("help.title", "en") in answer
    assert text("help.title", "da") not in answer


@pytest.mark.parametrize("locale", ["da-DK", "en-US"])
@pytest.mark.parametrize(("language", "welcome"), [("da", "Jeg er govbot"), ("en", "I'm govbot")])
async def test_govbot_language_is_the_default_whatever_the_teams_locale(
    make_settings: Callable[..., Settings],
    channel: TestChannel,
    language: str,
    welcome: str,
    locale: str,
) -> None:
    bot = await start_bot(make_settings(language=language))
    try:
        # A first message in neither language: the setting decides, not the client.
        await bot.post(installation_update(service_url=channel.url, locale=locale))
        await bot.post(message("SBSYS", service_url=channel.url, locale=locale))
    finally:
        await bot.stop()
    assert welcome in channel.received[0].text
    answer = channel.received[1].card or {}
    buttons = [action["title"] for action in answer.get("actions", [])]
    assert text("actions.help", "da" if language == "da" else "en") in buttons, answer


# --- proactive: the recipient's profile or the municipality's language, never the sender's --


PACK = load_pack("norddjurs")
MEMBER, ENGLISH_MEMBER, SECRETARY = 2, 3, 1


async def _reminders_after_talk(
    make_settings: Callable[..., Settings], channel: TestChannel, language: Lang
) -> dict[int, str]:
    """Members of Norddjurs' steering group who talked to govbot (one chose English); a member
    reminder due now for each; what each one's 1:1 chat received."""
    bot = await start_bot(
        make_settings(knowledge_pack="norddjurs", dispatcher=False, language=language)
    )
    try:
        people = {n: Talk(bot, channel, n) for n in (SECRETARY, MEMBER, ENGLISH_MEMBER)}
        # The member's message is in neither language, from an English Teams client.
        await people[MEMBER].send("SBSYS")
        await people[ENGLISH_MEMBER].choose_english()
        # The secretary, who writes Danish, plans the reminders: their language must not leak.
        await people[SECRETARY].send("hjælp")
        database = bot.app[DATABASE]
        async with database.transaction() as session:
            for n in people:
                user = new_user(n)
                session.add(Person(email=f"p{n}@norddjurs.dk", name=user["user_name"],
                                   aad_object_id=user["aad_object_id"]))  # fmt: skip
            await session.flush()
            for n in people:
                role = Role.SECRETARY if n == SECRETARY else Role.MEMBER
                await seat(session, PACK, f"p{n}@norddjurs.dk", role)
            year = utcnow().astimezone(TZ).year + 1
            await meetings.generate_year(
                session=session, plan=Planning(PACK, TZ, utcnow()), year=year, actor="t"
            )
            first = (
                await meetings.list_meetings(session=session, tz=TZ, year=year, body="styregruppe")
            )[0]
            for n in (MEMBER, ENGLISH_MEMBER):
                key = f"meeting:{first.id}:member_reminder:p{n}@norddjurs.dk"
                row = await outbox.get_delivery(session=session, key=key)
                assert row is not None and row.message().lang is None
                await outbox.enqueue(
                    session=session, key=key, due_at=utcnow(), payload=row.message(),
                    principal=row.principal, source="meetings", expires_at=row.expires_at,
                )  # fmt: skip
        before = len(channel.received)
        await bot.app[DISPATCHER].drain()
    finally:
        await bot.stop()
    delivered = channel.received[before:]
    return {
        n: "\n".join(r.text for r in delivered if r.conversation_id == f"a:1personal-1user-{n}")
        for n in (MEMBER, ENGLISH_MEMBER)
    }


@pytest.mark.parametrize("language", ["da", "en"])
async def test_a_reminder_speaks_the_recipients_profile_else_the_municipalitys_language(
    make_settings: Callable[..., Settings], channel: TestChannel, language: Lang
) -> None:
    received = await _reminders_after_talk(make_settings, channel, language)
    other: Lang = "en" if language == "da" else "da"
    assert text("meetings.ack_button", language) in received[MEMBER]
    assert text("meetings.ack_button", other) not in received[MEMBER]
    assert text("meetings.ack_button", "en") in received[ENGLISH_MEMBER]


IT_CHANNEL = "19:it-digitalisering@thread.tacv2"


@pytest.mark.parametrize("language", ["da", "en"])
async def test_a_decision_reaches_the_requester_in_their_language_and_it_in_the_default(
    make_settings: Callable[..., Settings], channel: TestChannel, language: Lang
) -> None:
    screener = new_user(3)
    bot = await start_bot(
        make_settings(
            dispatcher=False,
            language=language,
            it_channel=IT_CHANNEL,
            it_screeners=frozenset({screener["aad_object_id"]}),
        )
    )
    requester = Talk(bot, channel, 1)
    in_it_channel = {"conversation": IT_CHANNEL, "conversation_type": "channel"}
    try:
        await requester.choose_english()
        # The screener writes Danish in IT's channel: neither decides the others' language.
        await bot.post(message("hjælp", service_url=channel.url, **screener, **in_it_channel))
        async with bot.app[DATABASE].transaction() as session:
            record = await submit_request(
                session=session,
                requester=Requester(
                    requester.user["aad_object_id"],
                    requester.user["user_name"],
                    aad_object_id=requester.user["aad_object_id"],
                    lang="da",  # written in Danish before the profile said English
                ),
                pack_key="randers",
                unit="Kultur",
                need="Bookingsystem",
                answers={},
            )
        take = {"action": "procurement.take", "request_id": record.id}
        await bot.post(message(None, service_url=channel.url, value=take, **screener))
        before = len(channel.received)
        await bot.app[DISPATCHER].drain()
    finally:
        await bot.stop()
    sent = channel.received[before:]
    news = [r.text for r in sent if r.conversation_id == "a:1personal-1user-1"]
    assert len(news) == 1
    assert news[0].startswith(f"News about your request **#{record.id}**")
    it_news = [r.text for r in sent if r.conversation_id == IT_CHANNEL]
    assert len(it_news) == 1
    opening = {"da": f"Anmodning #{record.id}", "en": f"Request #{record.id}"}[language]
    assert it_news[0].startswith(opening)
