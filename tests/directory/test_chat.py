"""End to end over HTTP: a lookup, and an admin's hand-over with its confirmation."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import DATABASE
from bot.settings import Settings
from storage.access import Role, grant_role
from storage.audit import Author
from storage.conversations import get_conversation
from storage.db import Database
from storage.directory_apply import apply_import
from storage.directory_import import read_import
from storage.models import AuditEntry, Person
from tests.directory.helpers import DANISH_CSV, PACK, write_csv
from tests.support.activities import message
from tests.support.channel import TestChannel
from tests.support.server import RunningBot, reply_to, start_bot

ADMIN_AAD = "00000000-0000-0000-0000-0000000000ad"


async def _fill(database_url: str, tmp_path: Path) -> None:
    database = Database.connect(database_url)
    try:
        async with database.transaction() as session:
            rows = read_import(write_csv(tmp_path / "roller.csv", DANISH_CSV), PACK)
            await apply_import(session=session, rows=rows, actor="test")
            await grant_role(
                session=session, principal=ADMIN_AAD, role=Role.ADMIN, by=Author("test")
            )
    finally:
        await database.dispose()


def _mette_in_teams(channel: TestChannel) -> str:
    """Mette Holm of the directory as a Teams user the channel knows; her AAD object id."""
    aad = "00000000-0000-0000-0000-00000000beef"
    channel.add_member(
        "29:1user-mette", email="Mette.Holm@kommune.dk", name="Mette Holm", aad_object_id=aad
    )
    return aad


async def test_lookup_with_typo_answers_with_the_owner_card(
    running_bot: RunningBot, channel: TestChannel, database_url: str, tmp_path: Path
) -> None:
    await _fill(database_url, tmp_path)
    await running_bot.directory_seen()
    await running_bot.post(message("systemejr sbsys", service_url=channel.url))
    card = channel.received[-1]
    assert card.card is not None
    assert "Mette Holm" in card.text and "mette.holm@kommune.dk" in card.text
    assert "https://teams.microsoft.com/l/chat/0/0?users=mette.holm@kommune.dk" in str(card.card)
    assert "Kilde:" in card.text

    await running_bot.post(message("hvem er systemejer for opus", service_url=channel.url))
    choices = channel.received[-1].text
    assert "KMD Opus Økonomi" in choices and "KMD Opus Løn" in choices


async def test_an_english_question_naming_a_danish_person_is_answered_in_english(
    running_bot: RunningBot, channel: TestChannel, database_url: str, tmp_path: Path
) -> None:
    """The æøå of a name ("Søren") do not make an English message Danish."""
    await _fill(database_url, tmp_path)
    await running_bot.directory_seen()
    await running_bot.post(message("which systems does Søren own?", service_url=channel.url,
                                   locale="en-GB"))  # fmt: skip
    answer = channel.received[-1].text
    assert "Roles of Søren Østergaard" in answer and "System owner" in answer, answer


@pytest.mark.parametrize(
    ("text", "expected", "absent"),
    [
        ("sbsys", "Kontakter for SBSYS", None),
        ("Opus", "KMD Opus Løn", None),
        ("hvad er kitos", "Kilde:", "Kontakter for"),  # a question for the knowledge answers
        ("blå kaniner", "Det står ikke i vores materiale", "Kontakter for"),
    ],
)
async def test_a_bare_system_name_shows_its_contacts(
    running_bot: RunningBot,
    channel: TestChannel,
    database_url: str,
    tmp_path: Path,
    text: str,
    expected: str,
    absent: str | None,
) -> None:
    await _fill(database_url, tmp_path)
    await running_bot.directory_seen()
    await running_bot.post(message(text, service_url=channel.url))
    answer = channel.received[-1].text
    assert expected in answer
    assert absent is None or absent not in answer


async def test_handover_needs_admin_and_confirmation(
    make_settings: Callable[..., Settings],
    channel: TestChannel,
    database_url: str,
    tmp_path: Path,
) -> None:
    await _fill(database_url, tmp_path)
    bot = await start_bot(make_settings())
    try:
        ask = "overdrag roller fra mette.holm@kommune.dk til Ole Krogh"
        await bot.post(message(ask, service_url=channel.url))  # Anne is no admin
        assert "kun administratorer" in channel.received[-1].text

        admin = {"aad_object_id": ADMIN_AAD, "user": "29:1user-admin"}
        await bot.post(message(ask, service_url=channel.url, **admin))
        confirm = channel.received[-1]
        assert "Alle roller overdrages fra Mette Holm til Ole Krogh" in confirm.text
        assert "Systemejer — SBSYS" in confirm.text
        await bot.post(message("ja", service_url=channel.url, **admin))
        assert "1 roller er overdraget" in channel.received[-1].text

        await bot.post(message("hvem er systemejer for SBSYS", service_url=channel.url))
        assert "Ole Krogh" in channel.received[-1].text
    finally:
        await bot.stop()
    database = Database.connect(database_url)
    try:
        async with database.transaction() as session:
            actions = list(
                await session.scalars(
                    select(AuditEntry.action).where(AuditEntry.actor == ADMIN_AAD)
                )
            )
            assert actions.count("handover") == 1 and "end" in actions and "assign" in actions
    finally:
        await database.dispose()


async def test_personal_chat_links_the_teams_user_to_the_directory_person(
    running_bot: RunningBot, channel: TestChannel, database_url: str, tmp_path: Path
) -> None:
    await _fill(database_url, tmp_path)
    aad = _mette_in_teams(channel)
    await running_bot.post(
        message("hjælp", service_url=channel.url, user="29:1user-mette", aad_object_id=aad)
    )
    database = Database.connect(database_url)
    try:
        async with database.transaction() as session:
            person = await session.scalar(
                select(Person).where(Person.email == "mette.holm@kommune.dk")
            )
            assert person is not None and person.aad_object_id == aad
            conversation = await get_conversation(
                session=session, conversation_id="a:1personal-1user-mette"
            )
            assert conversation is not None and conversation.user_email == "mette.holm@kommune.dk"
    finally:
        await database.dispose()


async def test_the_member_look_up_waits_outside_the_turns_transaction_and_lock(
    running_bot: RunningBot, channel: TestChannel, database_url: str, tmp_path: Path
) -> None:
    """Teams' member endpoint is a network call: while it is slow, other turns still write."""
    await _fill(database_url, tmp_path)
    aad = _mette_in_teams(channel)
    held = channel.hold_member("29:1user-mette")
    first = asyncio.create_task(
        running_bot.post(
            message("hjælp", service_url=channel.url, user="29:1user-mette", aad_object_id=aad)
        )
    )
    await held.asked.wait()
    database = running_bot.app[DATABASE]
    async with asyncio.timeout(30):  # a guard: with the lock held this would never finish
        other = await running_bot.post(message("hjælp", service_url=channel.url))
        async with database.single_writer():
            pass  # the writer lock is free while the look-up waits
    assert other.status == 201 and channel.to("a:1personal-1user-anne")
    assert not first.done() and not channel.to("a:1personal-1user-mette")
    held.answer.set()
    assert (await first).status == 201
    async with database.transaction() as session:
        conversation = await get_conversation(
            session=session, conversation_id="a:1personal-1user-mette"
        )
    assert conversation is not None and conversation.user_email == "mette.holm@kommune.dk"


async def test_a_question_during_a_confirmation_is_answered_and_the_question_asked_again(
    make_settings: Callable[..., Settings],
    channel: TestChannel,
    database_url: str,
    tmp_path: Path,
) -> None:
    await _fill(database_url, tmp_path)
    bot = await start_bot(make_settings())
    admin = {"aad_object_id": ADMIN_AAD, "user": "29:1user-admin"}
    try:
        ask = "overdrag roller fra mette.holm@kommune.dk til Ole Krogh"
        await bot.post(message(ask, service_url=channel.url, **admin))
        confirm = channel.received[-1].text
        before = len(channel.received)
        await bot.post(message("hvad laver en systemejer?", service_url=channel.url, **admin))
        shown = [r.text for r in channel.received[before:]]
        assert any("Kilde:" in t for t in shown), shown  # the knowledge answer
        assert shown[-1] == confirm  # and the confirmation again, still pending
        await bot.post(message("ja", service_url=channel.url, **admin))
        assert "1 roller er overdraget" in channel.received[-1].text
    finally:
        await bot.stop()


METTE_OWNS_TWO = DANISH_CSV + (
    "Acadre;Systemejer;Mette Holm;mette.holm@kommune.dk;Borgerservice;\n"
    "SBSYS;Superbruger;Mette Holm;mette.holm@kommune.dk;Borgerservice;\n"
)


def _people(card: dict[str, Any]) -> list[dict[str, Any]]:
    """The card's people: each Container's name, facts and buttons."""
    return [
        {
            "name": block["items"][0]["text"],
            "facts": {f["title"]: f["value"] for f in block["items"][1]["facts"]},
            "buttons": [a["title"] for a in block["items"][2]["actions"]],
        }
        for block in card["body"]
        if block["type"] == "Container"
    ]


@pytest.mark.parametrize(
    ("asked", "facts"),
    [
        ("hvilke systemer ejer Mette", {"Systemejer": "Acadre, SBSYS"}),
        ("hvilke roller har Mette Holm", {"Systemejer": "Acadre, SBSYS", "Superbruger": "SBSYS"}),
        ("hvem kan jeg kontakte om sbsys", {"Rolle": "Systemejer, Superbruger"}),
    ],
)
async def test_a_person_is_shown_once_with_every_role_they_hold(
    running_bot: RunningBot,
    channel: TestChannel,
    database_url: str,
    tmp_path: Path,
    asked: str,
    facts: dict[str, str],
) -> None:
    database = Database.connect(database_url)
    try:
        async with database.transaction() as session:
            rows = read_import(write_csv(tmp_path / "roller.csv", METTE_OWNS_TWO), PACK)
            await apply_import(session=session, rows=rows, actor="test")
    finally:
        await database.dispose()
    await running_bot.directory_seen()
    await running_bot.post(message(asked, service_url=channel.url))
    card = channel.received[-1].card
    assert card is not None, channel.received[-1].text
    mette = [p for p in _people(card) if p["name"] == "Mette Holm"]
    assert len(mette) == 1, _people(card)
    assert mette[0]["facts"] == {
        **facts,
        "Enhed": "Borgerservice",
        "E-mail": "mette.holm@kommune.dk",
    }
    assert mette[0]["buttons"] == ["Start chat"]  # inside her own block, so it needs no name
    assert str(card).count("mette.holm@kommune.dk") == 2  # the fact and the chat link, once
    assert "hele organisationen" not in channel.received[-1].text


async def test_the_typed_confirmations_buttons_answer_it_and_later_say_what_became_of_it(
    make_settings: Callable[..., Settings],
    channel: TestChannel,
    database_url: str,
    tmp_path: Path,
) -> None:
    await _fill(database_url, tmp_path)
    bot = await start_bot(make_settings())
    admin = {"aad_object_id": ADMIN_AAD, "user": "29:1user-admin"}

    async def asked() -> tuple[dict[str, object], dict[str, object]]:
        ask = "overdrag roller fra mette.holm@kommune.dk til Ole Krogh"
        await bot.post(message(ask, service_url=channel.url, **admin))
        card = channel.received[-1].card
        assert card is not None
        yes, no = (action["data"] for action in card["actions"])
        return yes, no

    async def press(data: dict[str, object]) -> str:
        await bot.post(message(None, service_url=channel.url, value=data, **admin))
        return channel.received[-1].text

    try:
        left, _ = await asked()
        await bot.post(message("annuller", service_url=channel.url, **admin))
        assert "aldrig besvaret" in await press(left)  # nothing changed, said so

        yes, no = await asked()
        assert "1 roller er overdraget" in await press(yes)  # the button answers the prompt
        # The same card's buttons after the dialog ended: what became of the change.
        assert "allerede gennemført" in await press(yes)
        assert "allerede gennemført" in await press(no)
    finally:
        await bot.stop()


@pytest.mark.parametrize(
    "asked",
    ["hvilke systemer kender du?", "hvilke systemer har vi i kommunen?", "hvem er systemejer for"],
)
async def test_asking_what_the_directory_holds_names_systems_to_ask_about(
    asked: str,
    running_bot: RunningBot,
    channel: TestChannel,
    database_url: str,
    tmp_path: Path,
) -> None:
    await _fill(database_url, tmp_path)
    await running_bot.directory_seen()
    await running_bot.post(message(asked, service_url=channel.url))
    answer = channel.received[-1]
    # SBSYS has the most role holders, so it leads; nobody is looked up by the name "vi i …".
    assert "Rolleoversigten kender 5 systemer, fx SBSYS" in answer.text, answer.text
    assert "der hedder" not in answer.text
    steps = answer.activity["suggestedActions"]["actions"]
    assert steps[0]["title"] == "SBSYS"
    assert steps[0]["value"] in ("hvem kan jeg kontakte om SBSYS", "hvem er systemejer for SBSYS")


@pytest.mark.parametrize(
    ("question", "says", "admin_says"),
    [
        ("Hvem er DPO?", ("Der er endnu ikke registreret nogen person som databeskyttelsesrådgiver",
                          "Indtil da kan du spørge IT", "Overvåger om reglerne overholdes"),
         "Som administrator registrerer du en"),
        ("who is the DPO?", ("No person is registered as data protection officer",
                             "Until then you can ask", "Monitors compliance with the rules"),
         "As an administrator you register one"),
    ],
)  # fmt: skip
async def test_an_organisation_role_nobody_holds_says_what_it_does_and_how_one_is_registered(
    running_bot: RunningBot, channel: TestChannel, database_url: str, question: str,
    says: tuple[str, ...], admin_says: str,
) -> None:  # fmt: skip
    """No DPO in govbot's records is no dead end: the role's duties from the pack and whom to ask
    meanwhile; an administrator is also told how to register one, with a button (others are
    not shown what they cannot do)."""
    database = Database.connect(database_url)
    try:
        async with database.transaction() as session:
            await grant_role(
                session=session, principal=ADMIN_AAD, role=Role.ADMIN, by=Author("test")
            )
    finally:
        await database.dispose()
    await running_bot.post(message(question, service_url=channel.url))
    answer = channel.received[-1]
    assert answer.card is not None and all(said in answer.text for said in says)
    assert admin_says not in answer.text and not answer.card.get("actions")
    admin = {"aad_object_id": ADMIN_AAD, "user": "29:1user-admin"}
    await running_bot.post(message(question, service_url=channel.url, **admin))
    answer = channel.received[-1]
    assert answer.card is not None and admin_says in answer.text
    [button] = answer.card["actions"]
    await running_bot.post(message(button["data"]["text"], service_url=channel.url, **admin))
    assert "sæt Mette Holm som systemejer" in channel.received[-1].text or (
        "set Mette Holm as system owner" in channel.received[-1].text
    )


@pytest.mark.parametrize(
    ("question", "locale"),
    [
        ("who writes the super user report?", "en-US"),
        ("who makes the report for the super users?", "en-US"),
        ("hvem skriver rapporten for superbrugerne?", "da-DK"),
    ],
)
async def test_a_role_beside_the_packs_own_words_names_no_system(
    make_settings: Callable[..., Settings], channel: TestChannel, question: str, locale: str
) -> None:
    # "report" is no system: the words are the pack's, so its answers (or whom to ask) reply,
    # not "I don't know a system called 'report'" (nor the stems "mak report").
    await reply_to(make_settings(knowledge_pack="rebild"), channel, question, locale=locale)
    answer = "\n".join(a.text or "" for a in channel.received)
    assert "system called" not in answer and "system, der hedder" not in answer
    ways = ("Spørg ", "Please ask ", "Mente du", "Did you mean")
    assert any(way in answer for way in ways), answer


async def test_an_unknown_name_beside_a_role_is_still_an_unknown_system(
    make_settings: Callable[..., Settings], channel: TestChannel
) -> None:
    await reply_to(make_settings(knowledge_pack="rebild"), channel, "hvem er systemejer for Zyxwa")
    answer = "\n".join(a.text or "" for a in channel.received)
    assert 'Jeg kender ikke et system, der hedder "Zyxwa"' in answer
