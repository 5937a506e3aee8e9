"""Admins give and remove govbot roles in chat, over HTTP: confirmation behind a one-time token,
rights re-checked on yes, every change audited; anyone asks who holds a role."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from sqlalchemy import select

from bot.settings import Settings
from storage.access import Role, access_of, grant_role, revoke_role
from storage.audit import Author
from storage.db import Database
from storage.models import AuditEntry, Person
from tests.support.activities import message, new_user
from tests.support.channel import TestChannel
from tests.support.server import RunningBot, start_bot

ADMIN = new_user(9)
ADMIN_AAD = ADMIN["aad_object_id"]
ENGLISH_CHAT = "a:1personal-admin-english"  # a fresh chat: its language follows the locale
GROUP = {"conversation": "19:group-chat@thread.v2", "conversation_type": "groupChat"}


async def seed(database: Database) -> None:
    """Directory people (two Mettes for ambiguity) and one admin."""
    async with database.transaction() as session:
        session.add_all(
            [
                Person(email="bo.berg@kommune.dk", name="Bo Berg"),
                Person(email="mette.holm@kommune.dk", name="Mette Holm"),
                Person(email="mette.lund@kommune.dk", name="Mette Lund"),
                Person(email="admin@kommune.dk", name="Ada Admin", aad_object_id=ADMIN_AAD),
            ]
        )
        await session.flush()
        await grant_role(session=session, principal=ADMIN_AAD, role=Role.ADMIN, by=Author("test"))


@pytest.fixture
async def bot(
    make_settings: Callable[..., Settings], database: Database
) -> AsyncIterator[RunningBot]:
    await seed(database)
    running = await start_bot(make_settings(knowledge_pack="norddjurs"))
    yield running
    await running.stop()


async def roles_of(database: Database, email: str) -> frozenset[tuple[Role, str | None]]:
    async with database.transaction() as session:
        return (await access_of(session=session, aad_object_id=None, email=email)).grants


def yes_of(channel: TestChannel) -> dict[str, Any]:
    """The data of the yes button on the newest confirmation card."""
    card = channel.received[-1].card
    assert card is not None, channel.received[-1].text
    return dict(card["actions"][0]["data"])


async def test_an_admin_grants_after_confirming_and_the_card_is_spent(
    bot: RunningBot, channel: TestChannel, database: Database
) -> None:
    url = channel.url
    await bot.post(
        message("giv Bo Berg adgang som sekretær for styregruppen", service_url=url, **ADMIN)
    )
    confirm = channel.received[-1]
    assert "Bo Berg (bo.berg@kommune.dk) får adgang som sekretær for" in confirm.text
    yes = yes_of(channel)
    assert set(yes) == {"action", "token"}, "the card carries a token, never the change"
    assert await roles_of(database, "bo.berg@kommune.dk") == frozenset()

    await bot.post(message(None, service_url=url, value=yes, **ADMIN))
    assert "Sket: Bo Berg er nu sekretær for" in channel.received[-1].text
    assert await roles_of(database, "bo.berg@kommune.dk") == {(Role.SECRETARY, "styregruppe")}

    await bot.post(message(None, service_url=url, value=yes, **ADMIN))
    # A token works once; pressed again, the card says the change is already made.
    assert "allerede gennemført" in channel.received[-1].text, "a token works once"

    await bot.post(message("hvem er sekretær for styregruppen", service_url=url))
    assert "Bo Berg (bo.berg@kommune.dk)" in channel.received[-1].text

    async with database.transaction() as session:
        [entry] = list(
            await session.scalars(
                select(AuditEntry)
                .where(AuditEntry.entity == "access_grant", AuditEntry.action == "grant")
                .where(AuditEntry.actor == ADMIN_AAD)
            )
        )
    assert entry.source == "chat"
    assert entry.after == {
        "principal": "bo.berg@kommune.dk",
        "role": "secretary",
        "body": "styregruppe",
    }


async def test_email_screener_and_revoke_in_english(
    bot: RunningBot, channel: TestChannel, database: Database
) -> None:
    url = channel.url
    await bot.post(message("gør ny.kollega@kommune.dk til it-screener", service_url=url, **ADMIN))
    assert "ny.kollega@kommune.dk" in channel.received[-1].text
    await bot.post(message(None, service_url=url, value=yes_of(channel), **ADMIN))
    assert await roles_of(database, "ny.kollega@kommune.dk") == {(Role.IT_SCREENER, None)}

    await bot.post(
        message(
            "revoke ny.kollega@kommune.dk's access as IT screener",
            service_url=url,
            locale="en-US",
            conversation=ENGLISH_CHAT,
            **ADMIN,
        )
    )
    assert "loses access as IT screener" in channel.received[-1].text
    await bot.post(
        message(
            None,
            service_url=url,
            value=yes_of(channel),
            locale="en-US",
            conversation=ENGLISH_CHAT,
            **ADMIN,
        )
    )
    assert "is no longer IT screener" in channel.received[-1].text
    assert await roles_of(database, "ny.kollega@kommune.dk") == frozenset()


async def test_possessive_revoke_and_no_button(
    bot: RunningBot, channel: TestChannel, database: Database
) -> None:
    url = channel.url
    async with database.transaction() as session:
        await grant_role(
            session=session,
            principal="bo.berg@kommune.dk",
            role=Role.MEMBER,
            body_key="programgruppe",
            by=Author("test"),
        )
    ask = "fjern Bo Bergs adgang som medlem af programgruppen"
    await bot.post(message(ask, service_url=url, **ADMIN))
    card = channel.received[-1].card
    assert card is not None
    no = card["actions"][1]["data"]
    await bot.post(message(None, service_url=url, value=no, **ADMIN))
    assert "ændrer ikke noget" in channel.received[-1].text
    await bot.post(message(None, service_url=url, value={**no, "action": "access.revoke"}, **ADMIN))
    assert "sagde du nej til" in channel.received[-1].text, "no spends the token too"
    assert await roles_of(database, "bo.berg@kommune.dk") == {(Role.MEMBER, "programgruppe")}

    await bot.post(message(ask, service_url=url, **ADMIN))
    await bot.post(message(None, service_url=url, value=yes_of(channel), **ADMIN))
    assert "Bo Berg er ikke længere medlem af" in channel.received[-1].text
    assert await roles_of(database, "bo.berg@kommune.dk") == frozenset()


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("giv Mette adgang som admin", "Flere passer på"),
        ("giv Karl Ukendt adgang som admin", "kan ikke finde"),
        ("giv Bo Berg adgang som sekretær for fodboldklubben", "kender ikke forummet"),
        ("giv Bo Berg adgang som sekretær", "Hvilket forum"),
        ("gør Bo Berg til admin for styregruppen", "gælder hele govbot"),
        ("fjern Bo Bergs adgang som formand for styregruppen", "ingen adgang at fjerne"),
        ("fjern Ada Admins adgang som admin", "den sidste administrator"),
    ],
)
async def test_changes_that_cannot_be_made_are_explained(
    bot: RunningBot, channel: TestChannel, said: str, expected: str
) -> None:
    await bot.post(message(said, service_url=channel.url, **ADMIN))
    last = channel.received[-1]
    assert expected in last.text
    assert last.card is None, "nothing to confirm"


async def test_the_full_list_is_for_admins(bot: RunningBot, channel: TestChannel) -> None:
    await bot.post(message("hvem har adgang", service_url=channel.url))
    assert "kun administratorer" in channel.received[-1].text
    await bot.post(message("hvem har adgang", service_url=channel.url, **ADMIN))
    listing = channel.received[-1].text
    assert "Administrator" in listing and "Ada Admin (admin@kommune.dk)" in listing


async def test_refusals_employee_replay_forged_token_and_lost_rights(
    bot: RunningBot, channel: TestChannel, database: Database
) -> None:
    url = channel.url
    ask = "giv Bo Berg adgang som admin"
    await bot.post(message(ask, service_url=url))  # Anne is no admin
    assert "kun administratorer" in channel.received[-1].text

    # Anne replays the admin's card payload: in her own chat the token is unknown, and in a
    # shared group chat it is not hers.
    await bot.post(message(ask, service_url=url, **ADMIN))
    yes = yes_of(channel)
    await bot.post(message(None, service_url=url, value=yes))
    assert "ikke længere gyldig" in channel.received[-1].text
    await bot.post(message(ask, service_url=url, **GROUP, **ADMIN))
    group_yes = yes_of(channel)
    await bot.post(message(None, service_url=url, value=group_yes, **GROUP))
    assert "hører til en anden persons ændring" in channel.received[-1].text
    for forged in (
        {"action": "access.grant", "token": "x" * 24},
        {"action": "access.grant", "token": 42},
        {"action": "access.grant", "principal": "bo.berg@kommune.dk", "role": "admin"},
    ):
        await bot.post(message(None, service_url=url, value=forged, **ADMIN))
        assert "ikke længere gyldig" in channel.received[-1].text
    assert await roles_of(database, "bo.berg@kommune.dk") == frozenset()

    # The admin loses the role before saying yes: nothing happens.
    async with database.transaction() as session:
        await grant_role(
            session=session, principal="admin2@kommune.dk", role=Role.ADMIN, by=Author("test")
        )
        await revoke_role(session=session, principal=ADMIN_AAD, role=Role.ADMIN, by=Author("test"))
    await bot.post(message(None, service_url=url, value=yes, **ADMIN))
    assert "kun administratorer" in channel.received[-1].text
    assert await roles_of(database, "bo.berg@kommune.dk") == frozenset()
