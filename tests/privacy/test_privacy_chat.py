"""Personal data in chat, over HTTP: "hvad ved du om mig" shows everything stored about the asker;
an admin erases a person after confirming (token, rights re-checked, audited)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from sqlalchemy import select

from bot.settings import Settings
from storage.access import Role, grant_role
from storage.audit import Author
from storage.db import Database
from storage.models import AuditEntry, ItSystem, Person, RoleAssignment
from storage.models.bot_state import BotStateDocument
from storage.models.procurement import ProcurementRequest
from storage.portfolio import register_initiative
from storage.procurement import Requester, submit_request
from tests.access.test_access_chat import ADMIN, ADMIN_AAD, seed, yes_of
from tests.portfolio.factories import ANNE as PORTFOLIO_ANNE
from tests.portfolio.factories import new_initiative
from tests.support.activities import message
from tests.support.channel import TestChannel
from tests.support.server import RunningBot, start_bot

ANNE_AAD = "00000000-0000-0000-0000-0000000000a1"  # the default test user


@pytest.fixture
async def bot(
    make_settings: Callable[..., Settings], database: Database
) -> AsyncIterator[RunningBot]:
    await seed(database)
    async with database.transaction() as session:
        anne = Person(email="anne.jensen@kommune.dk", name="Anne Jensen", aad_object_id=ANNE_AAD)
        session.add(anne)
        await session.flush()
        session.add(RoleAssignment(person_id=anne.id, role_key="systemejer", source="test"))
        await grant_role(
            session=session,
            principal=ANNE_AAD,
            role=Role.MEMBER,
            body_key="styregruppe",
            by=Author("test"),
        )
    running = await start_bot(make_settings(knowledge_pack="norddjurs"))
    yield running
    await running.stop()


async def test_a_user_sees_what_is_stored_about_them(bot: RunningBot, channel: TestChannel) -> None:
    await bot.post(message("hvad ved du om mig?", service_url=channel.url))
    shown = channel.received[-1]
    assert shown.card is not None
    for expected in (
        "Det ved govbot om dig",
        "Person",
        "anne.jensen@kommune.dk",
        "Roller i rollefortegnelsen",
        "Systemejer",
        "Adgange i govbot",
        "medlem",
        "Den tværgående digitaliseringsstyregruppe",
        "Samtaler med govbot",
    ):
        assert expected in shown.text, expected
    assert "mette" not in shown.text.lower(), "nobody else's data"

    await bot.post(message("What do you know about me?", service_url=channel.url, locale="en-US"))
    assert "What govbot knows about you" in channel.received[-1].text
    assert "Access in govbot" in channel.received[-1].text


RAW = (
    re.compile(r"\{'"),  # a dict printed as Python writes it
    re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d"),  # an ISO timestamp
    re.compile(r"\+00:00"),
    re.compile(r"System-id|System id"),
)
# Stored values that must never be shown as they are stored.
RAW_VALUES = frozenset({"personal", "groupChat", "en-US", "da-DK", "da", "en", "ide", "pending",
                        "True", "False", "systemejer", "styregruppe"})  # fmt: skip


@pytest.mark.parametrize(
    ("language", "locale", "asked", "expected"),
    [
        (
            "da",
            "da-DK",
            "hvad ved du om mig",
            [
                "Samtaletype: personlig chat",
                "Sprog i Teams: dansk",
                "Dit sprog: dansk",
                "Din enhed: Kultur",
                "Rolle: medlem",
                "Forum: Den tværgående digitaliseringsstyregruppe",
                "Status: idé",
                "System: SBSYS",
                "Kilde: sat i chatten",
                "kl. ",
            ],
        ),
        (
            "en",
            "en-US",
            "what do you know about me",
            [
                "Conversation type: personal chat",
                "Language in Teams: English",
                "Your language: English",
                "Your unit: Kultur",
                "Role: member",
                "Status: idea",
                "System: SBSYS",
                " at ",
            ],
        ),
    ],
)
async def test_what_is_stored_reads_as_a_person_reads_it(
    bot: RunningBot,
    channel: TestChannel,
    database: Database,
    language: str,
    locale: str,
    asked: str,
    expected: list[str],
) -> None:
    async with database.transaction() as session:
        anne = await session.scalar(select(Person).where(Person.aad_object_id == ANNE_AAD))
        assert anne is not None
        system = ItSystem(name="SBSYS")
        session.add(system)
        await session.flush()
        session.add(RoleAssignment(person_id=anne.id, role_key="systemejer", system_id=system.id,
                                   source="chat"))  # fmt: skip
        profile = {"profile": {"unit": "Kultur", "language": language}}
        session.add(BotStateDocument(key="msteams/users/29:1user-anne", etag="1",
                                     document=profile))  # fmt: skip
        await register_initiative(session=session, new=new_initiative(), actor=PORTFOLIO_ANNE)
    await bot.post(message(asked, service_url=channel.url, locale=locale))
    shown = channel.received[-1]
    assert shown.card is not None
    facts = [f"{fact['title']}: {fact['value']}" for fact in _facts(shown.card)]
    for line in expected:
        assert any(line in fact for fact in facts), (line, facts)
    for raw in RAW:
        found = [fact for fact in facts if raw.search(fact)]
        assert not found, (raw.pattern, found)
    raw_values = [f for f in _facts(shown.card) if f["value"] in RAW_VALUES]
    assert not raw_values


def _facts(card: dict[str, Any]) -> list[dict[str, str]]:
    return [fact for block in card["body"] if block["type"] == "FactSet" for fact in block["facts"]]


async def test_a_stranger_is_told_little_is_known(bot: RunningBot, channel: TestChannel) -> None:
    stranger = {
        "user": "29:1user-x",
        "aad_object_id": "0badc0de-0000-4000-8000-00000000000f",
        "user_name": "Xena Fremmed",
    }
    await bot.post(message("hvad ved du om mig", service_url=channel.url, **stranger))
    shown = channel.received[-1]
    assert "Xena Fremmed" in shown.text and "Anne" not in shown.text


async def test_an_admin_erases_a_person_after_confirming(
    bot: RunningBot, channel: TestChannel, database: Database
) -> None:
    url = channel.url
    async with database.transaction() as session:
        await submit_request(
            session=session,
            requester=Requester(
                principal=ANNE_AAD,
                name="Anne Jensen",
                email="anne.jensen@kommune.dk",
                aad_object_id=ANNE_AAD,
            ),
            pack_key="norddjurs",
            unit="Kultur",
            need="Et bookingsystem",
            answers={},
            departures=[],
        )
    await bot.post(message("slet Anne Jensens persondata", service_url=url))  # Anne: no admin
    assert "kun administratorer" in channel.received[-1].text

    await bot.post(message("slet Anne Jensens persondata", service_url=url, **ADMIN))
    assert "Alle oplysninger om Anne Jensen (anne.jensen@kommune.dk) slettes" in (
        channel.received[-1].text
    )
    yes = yes_of(channel)
    await bot.post(message(None, service_url=url, value=yes))  # replayed by Anne herself
    assert "ikke længere gyldig" in channel.received[-1].text
    await bot.post(message(None, service_url=url, value=yes, **ADMIN))
    assert "Sket: Anne Jensen er anonymiseret" in channel.received[-1].text
    await bot.post(message(None, service_url=url, value=yes, **ADMIN))
    assert "allerede gennemført" in channel.received[-1].text

    async with database.transaction() as session:
        anne = await session.scalar(select(Person).where(Person.name.like("Anonymiseret%")))
        assert anne is not None and anne.anonymised and anne.aad_object_id is None
        request = await session.scalar(select(ProcurementRequest))
        assert request is not None and request.requester_name.startswith("Anonymiseret")
        erased = await session.scalar(select(AuditEntry).where(AuditEntry.action == "erase"))
        assert erased is not None and erased.actor == ADMIN_AAD
        names = [str(e.before) + str(e.after) for e in await session.scalars(select(AuditEntry))]
        assert not any("Anne Jensen" in n for n in names)

    await bot.post(message("slet persondata om admin@kommune.dk", service_url=url, **ADMIN))
    assert "dine egne data" in channel.received[-1].text


async def test_a_section_with_nothing_to_show_has_no_heading(
    bot: RunningBot, channel: TestChannel, database: Database
) -> None:
    # an empty settings document is stored for a user who opened the profile and left it
    async with database.transaction() as session:
        session.add(BotStateDocument(key="msteams/users/29:1user-anne", etag="1",
                                     document={"profile": {}}))  # fmt: skip
    await bot.post(message("hvad ved du om mig", service_url=channel.url))
    shown = channel.received[-1]
    assert shown.card is not None
    headings = [b["text"] for b in shown.card["body"] if b["type"] == "TextBlock"]
    assert "Indstillinger" not in headings, headings
