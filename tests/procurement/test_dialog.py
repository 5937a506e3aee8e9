"""The procurement dialog as transcripts (what the employee says → what govbot answers), and the
screener buttons and lists as handler tests over the real app."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import update

from bot.settings import Settings
from dialogs.cards import card_json
from dialogs.procurement_view import summary_values
from storage.audit import Author
from storage.db import Database
from storage.models import ItSystem
from storage.models.procurement import ProcurementRequest
from storage.procurement import Requester, RequestStatus, all_requests, submit_request
from tests.support.activities import message, new_user
from tests.support.channel import Received, TestChannel
from tests.support.server import RunningBot, start_bot

ANNE_CHAT = "a:1personal-1user-anne"
START = ["indkøb", "Et værktøj til vagtplanlægning i hjemmeplejen", "Sundhed og Omsorg"]
# Randers, from the integrations question to the last one, departing from no principle.
INTEGRATIONS_ON = [
    "ingen",
    "sso",
    "10",
    "Ja, men ingen af dem dækker behovet",
    "nej",
    "50.000 kr",
    "driftsbevilling",
    "snarest",
    "Mette",
    "samme",
    "samme",
]


async def _talk(bot: RunningBot, channel: TestChannel, steps: list[str], **kw: object) -> str:
    """Send `steps`; return everything the bot said after the last one."""
    replies: list[Received] = []
    for step in steps:
        activity = message(step, service_url=channel.url, **kw)
        await bot.post(activity)
        replies = await channel.replies_to(activity)
    return "\n".join(r.text for r in replies)


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        (["indkøb"], "Fortæl med dine egne ord"),
        (["indkøb", "x"], "mindst 5"),
        (START, "Spørgsmål 1 af"),  # no similar systems: the reuse step passes by itself
        ([*START, "blå kaniner"], "Vælg en af knapperne"),
        ([*START, "ingen"], "Hvor skal løsningen køre"),
        # With no personal data the agreement question is skipped, forward and back.
        ([*START, "ingen", "lokalt"], "andre systemer"),
        ([*START, "ingen", "lokalt", "tilbage"], "Hvor skal løsningen køre"),
        ([*START, "ingen", "tilbage"], "oplysninger om personer"),
        ([*START, "tilbage"], "Hvilken enhed"),
        ([*START, "ingen", "annuller"], "jeg har stoppet det"),
        ([*START, "ingen", "start forfra"], "Fortæl med dine egne ord"),
        (
            [*START, "følsomme", "usa", "ja", *INTEGRATIONS_ON],
            "Afvigelse 1 af 1: Persondata og sikkerhed",
        ),
        (["we need an app for booking rooms", "Culture"], "Question 1 of"),
    ],
)
async def test_transcripts(
    running_bot: RunningBot, channel: TestChannel, steps: list[str], expected: str
) -> None:
    locale = "en-US" if steps[0].startswith("we ") else "da-DK"
    said = [await _talk(running_bot, channel, [s], locale=locale) for s in steps][-1]
    assert expected in said


async def test_reuse_stop_and_withdrawal_are_recorded(
    make_settings: Callable[..., Settings], channel: TestChannel, database: Database
) -> None:
    # A whole screening is more turns than the per-minute limit a test types in a second.
    running_bot = await start_bot(make_settings(rate_limit_per_minute=0))
    async with database.transaction() as session:
        session.add(ItSystem(name="Planner Pro", description="Vagtplanlægning og vagtplaner"))
    said = await _talk(running_bot, channel, [*START[:3]])
    assert "Findes det allerede?" in said
    said = await _talk(running_bot, channel, ["Jeg kontakter systemejeren"])
    assert "Planner Pro" in said
    steps = [
        "indkøb",
        "Vi skal udvikle vores egen app til borgere",
        "Borgerservice",
        "Fortsæt med ny anmodning",
        "ingen",
        "lokalt",
        "ingen",
        "sso",
        "5",
        "Ja, men ingen af dem dækker behovet",
        "ja",
        "100.000",
        "driftsbevilling",
        "i år",
        "Bo",
        "samme",
        "samme",
    ]
    said = await _talk(running_bot, channel, steps)
    assert "Afvigelse 1 af 1" in said
    said = await _talk(running_bot, channel, ["Træk anmodningen tilbage"])
    assert "trukket tilbage" in said
    await running_bot.stop()
    async with database.transaction() as session:
        statuses = [r.status for r in await all_requests(session=session)]
    assert statuses == [RequestStatus.REUSE, RequestStatus.WITHDRAWN]


async def _one_request(database: Database, days_old: int = 0) -> int:
    async with database.transaction() as session:
        record = await submit_request(
            session=session,
            requester=Requester(
                "00000000-0000-0000-0000-0000000000a1",
                "Anne Jensen",
                aad_object_id="00000000-0000-0000-0000-0000000000a1",
            ),
            pack_key="randers",
            unit="Kultur",
            need="Bookingsystem",
            answers={},
        )
        if days_old:
            await session.execute(
                update(ProcurementRequest)
                .where(ProcurementRequest.id == record.id)
                .values(created_at=record.created_at - timedelta(days=days_old))
            )
    return record.id


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"action": "procurement.approve", "request_id": 1}, "kun IT's screenere"),
        # The role is checked before the card's data is read (test_refusals has the screener's
        # garbage card).
        ({"action": "procurement.take", "request_id": "abc"}, "kun IT's screenere"),
        (
            {"action": "procurement.answer", "request_id": 1, "text": "svar"},
            "ikke noget åbent spørgsmål",
        ),
    ],
)
async def test_buttons_are_checked_on_the_server(
    running_bot: RunningBot,
    channel: TestChannel,
    database: Database,
    data: dict[str, object],
    expected: str,
) -> None:
    await _one_request(database)
    await running_bot.post(message(None, service_url=channel.url, value=data))
    assert expected in "\n".join(r.text for r in channel.received)


async def test_screener_buttons_and_open_list(
    make_settings: Callable[..., Settings], channel: TestChannel, database: Database
) -> None:
    screener = new_user(3)
    bot = await start_bot(make_settings(it_screeners=frozenset({screener["aad_object_id"]})))
    try:
        old = await _one_request(database, days_old=14)
        fresh = await _one_request(database)
        said = await _talk(bot, channel, ["åbne anmodninger"], **screener)
        assert f"#{old}" in said and "⚠ over 5 arbejdsdage" in said
        assert said.count("⚠") == 1
        for data, expected in [
            ({"action": "procurement.take", "request_id": fresh}, "Du har taget"),
            ({"action": "procurement.take", "request_id": fresh}, "allerede under screening"),
            ({"action": "procurement.reject", "request_id": fresh}, "Skriv en begrundelse"),
            (
                {"action": "procurement.reject", "request_id": fresh, "text": "Findes i SBSYS"},
                "er nu afvist",
            ),
            ({"action": "procurement.approve", "request_id": 999}, "kan jeg ikke finde"),
        ]:
            await bot.post(message(None, service_url=channel.url, value=data, **screener))
            # The turn's own reply: the outbox's news and IT's card shown anew may come after.
            replies = [r for r in channel.received if r.reply_to and r.method == "POST"]
            assert expected in replies[-1].text, data
        said = await _talk(bot, channel, ["sæt som IT-kanal"], **screener)
        assert "administrator" in said
        said = await _talk(bot, channel, ["åbne anmodninger"])
        assert "kun IT's screenere" in said
    finally:
        await bot.stop()


@pytest.mark.parametrize("lang", ["da", "en"])
def test_cards_render_as_adaptive_cards_1_5(lang: str) -> None:
    values = summary_values(
        pack_key="rebild",
        need="Booking",
        unit="Kultur",
        answers={"personal_data": "none"},
        departures=[],
        lang=lang,
    )
    for name, extra in [
        ("procurement_summary", {}),
        ("procurement_it", {"id": 4, "requester_name": "Anne", "date": "01.02.2027"}),
        ("procurement_reuse", {"systems": [], "requests": []}),
        (
            "procurement_question",
            {"id": 4, "need": "n", "by": "Ib", "question": "?", "question_id": 2},
        ),
        ("procurement_list", {"title": "t", "lines": [{"text": "x", "warning": True}]}),
    ]:
        rendered = card_json(name, lang, **{**values, **extra})
        assert rendered["type"] == "AdaptiveCard" and rendered["version"] == "1.5"


async def test_owners_are_matched_to_directory_people_or_kept_as_typed(
    running_bot: RunningBot, channel: TestChannel, database_url: str
) -> None:
    from storage.db import Database
    from storage.directory import ensure_person

    database = Database.connect(database_url)
    try:
        async with database.transaction() as session:
            await ensure_person(
                session=session, email="mette.holm@kommune.dk", name="Mette Holm", by=Author("test")
            )
    finally:
        await database.dispose()
    await running_bot.directory_seen()
    owners = ["mette holm", "samme", "Kurt Ukendt"]
    steps = [*START, "ingen", "lokalt", "nej", *INTEGRATIONS_ON[1:-3], *owners]
    await _talk(running_bot, channel, steps)
    said = "\n".join(r.text for r in channel.to(ANNE_CHAT))
    assert said.count("Mette Holm (mette.holm@kommune.dk)") >= 2, said[-1500:]
    assert "Kurt Ukendt" in said and "Kurt Ukendt (" not in said
