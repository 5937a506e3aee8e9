"""Acceptance over HTTP: need → request with a justified departure → IT's channel → question,
answer, approval → the employee is told; all in the database and the export; across a restart."""

from __future__ import annotations

import asyncio
import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from sqlalchemy import select

from bot.cli import cli
from bot.settings import Settings
from storage import outbox
from storage.db import Database
from storage.models import ItSystem, Person, RoleAssignment
from storage.procurement import RequestStatus, all_requests, request_history
from tests.support.activities import message, new_user
from tests.support.channel import Received, TestChannel
from tests.support.server import RunningBot, start_bot

ANNE_CHAT = "a:1personal-1user-anne"
IT_CHANNEL = "19:it-indkob@thread.tacv2"
IB = new_user(7)  # IT screener
ADMIN = new_user(9)


async def _seed_directory(database: Database) -> None:
    async with database.transaction() as session:
        system = ItSystem(
            name="Booking Plus",
            aliases=["lokalebooking"],
            description="Booking af lokaler og mødelokaler",
        )
        owner = Person(email="mette@kommune.dk", name="Mette Hansen")
        session.add_all([system, owner])
        await session.flush()
        session.add(RoleAssignment(person_id=owner.id, role_key="systemejer", system_id=system.id))


async def _recorded_sent(database: Database, key: str) -> None:
    """Wait until the dispatcher has recorded the row as sent (with its activity id): the
    channel has the message a moment before that."""
    async with asyncio.timeout(10):
        while True:
            async with database.transaction() as session:
                row = await outbox.get_delivery(session=session, key=key)
            if row is not None and row.status == "sent":
                return
            await asyncio.sleep(0.02)


async def test_from_need_to_approved_request_across_a_restart(
    make_settings: Callable[..., Settings],
    channel: TestChannel,
    database: Database,
    tmp_path: Path,
) -> None:
    settings = make_settings(
        it_screeners=frozenset({IB["aad_object_id"]}),
        admins=frozenset({ADMIN["aad_object_id"]}),
        rate_limit_per_minute=0,  # a screening is more turns than a test types per minute
    )
    await _seed_directory(database)
    url = channel.url

    async def say(bot: RunningBot, activity: dict[str, Any]) -> list[Received]:
        """Send one activity; the bot's replies to it (never a late notice of an earlier turn)."""
        await bot.post(activity)
        return await channel.replies_to(activity)

    async def anne(bot: RunningBot, text: str | None, **kw: object) -> str:
        return "\n".join(r.text for r in await say(bot, message(text, service_url=url, **kw)))

    bot = await start_bot(settings)
    try:
        # An admin makes IT's Teams channel the screening channel.
        replies = await say(
            bot,
            message(
                "sæt som IT-kanal",
                service_url=url,
                conversation=IT_CHANNEL,
                conversation_type="channel",
                **ADMIN,
            ),
        )
        assert "IT's kanal" in replies[-1].text
        # The screener has a 1:1 chat with govbot (so answers can reach them).
        await bot.post(message("hej", service_url=url, **IB))

        said = await anne(bot, "vi vil gerne have et nyt bookingsystem")
        assert "Hvilken enhed" in said
        said = await anne(bot, "Kultur og Fritid")
        assert "Findes det allerede?" in said and "Booking Plus" in said
        assert "Systemejer: Mette Hansen" in said
        said = await anne(bot, "Fortsæt med ny anmodning")
        assert "Spørgsmål 1 af" in said and "oplysninger om personer" in said
        said = await anne(bot, "almindelige")
        assert "Hvor skal løsningen køre" in said
    finally:
        await bot.stop()

    # The app restarts in the middle of the screening; the dialog resumes where it was.
    bot = await start_bot(settings)
    try:
        said = await anne(bot, "Cloud/SaaS med data i EU/EØS")
        assert "databehandleraftale" in said
        for answer, expected_next in [
            ("ja", "andre systemer"),
            ("Outlook-kalenderen", "logge ind"),
            ("egne logins", "hvor mange medarbejdere"),
            ("45", "standardløsning"),
            ("Ja, men ingen af dem dækker behovet", "egenudvikling"),
            ("nej", "koster"),
            ("ca. 60.000 kr. om året", "finansieres"),
            ("driftsbevilling", "Hvornår"),
            ("1. marts 2027", "systemejer"),
            ("Mette Hansen", "dataejer"),
            ("samme", "kontraktejer"),
        ]:
            said = await anne(bot, answer)
            assert expected_next.lower() in said.lower(), (answer, said)
        said = await anne(bot, "samme")
        assert "Følg-eller-forklar" in said and "Afvigelse 1 af 1" in said
        said = await anne(bot, "Leverandørens modul til fælles login kommer først i version 5")
        assert "plan" in said
        plan = "Vi skifter til fælles login, når version 5 kommer i 2027"
        replies = await say(bot, message(plan, service_url=url))
        summary = replies[-2]
        assert summary.card is not None and "tjek den, før den går til IT" in summary.text
        assert "version 5" in summary.text and "arbejdsdage" in summary.text
        assert "Direktionen" in summary.text  # who grants a dispensation

        said = await anne(bot, "send til IT")
        assert "er sendt til IT" in said
        async with database.transaction() as session:
            [request] = await all_requests(session=session)
        assert request.status is RequestStatus.RECEIVED
        assert request.answers["user_management"] == "own_logins"
        assert (
            request.answers["data_owner"] == "Mette Hansen (mette@kommune.dk)"
        )  # matched to the directory
        [departure] = request.departures
        assert departure.key == "own_logins" and "version 5" in departure.justification
        assert departure.plan and "2027" in departure.plan

        it_card = await channel.arrived(IT_CHANNEL, f"Ny anmodning #{request.id}")
        assert it_card.card is not None and "Anne Jensen" in it_card.text
        assert "version 5" in it_card.text
        await _recorded_sent(database, f"procurement:{request.id}:it:channel")

        # The screener asks a question from the card; it reaches Anne 1:1 as a card.
        ask = {
            "action": "procurement.ask",
            "request_id": request.id,
            "text": "Hvor mange lokaler skal kunne bookes?",
        }
        replies = await say(
            bot,
            message(
                None,
                service_url=url,
                value=ask,
                conversation=IT_CHANNEL,
                conversation_type="channel",
                **IB,
            ),
        )
        assert "er sendt" in [r for r in replies if r.method == "POST"][-1].text
        # IT's card now says who screens it, in place; the channel's card is read-only, and
        # Teams asks govbot for the screener's own view
        # (tests/platform/outbox/test_universal_actions.py).
        [screening] = [r for r in channel.to(IT_CHANNEL) if r.method == "PUT"]
        assert screening.reply_to == it_card.activity_id and screening.card is not None
        assert "Status: under screening – Bruger 7" in screening.text
        assert screening.card["actions"] == []
        assert screening.card["refresh"]["userIds"] == [IB["user"]]
        question_card = await channel.arrived(ANNE_CHAT, "Hvor mange lokaler")
        assert question_card.card is not None
        submit = next(a for a in question_card.card["actions"] if a["type"] == "Action.Submit")

        # Anne answers in the card; the answer goes back to IT.
        said = await anne(bot, None, value={**submit["data"], "text": "12 lokaler og 2 sale"})
        assert "sendt videre til IT" in said
        await channel.arrived(IT_CHANNEL, "12 lokaler og 2 sale")
        await channel.arrived("a:1personal-1user-7", "12 lokaler og 2 sale")

        # The screener approves; a second click on the same button changes nothing.
        approve = {"action": "procurement.approve", "request_id": request.id}
        for _ in range(2):
            await bot.post(
                message(
                    None,
                    service_url=url,
                    value=approve,
                    conversation=IT_CHANNEL,
                    conversation_type="channel",
                    **IB,
                )
            )
        replies = [r.text for r in channel.to(IT_CHANNEL) if r.reply_to and r.method == "POST"]
        assert "er nu godkendt" in replies[-2] and "allerede godkendt" in replies[-1]
        decided = [r for r in channel.to(IT_CHANNEL) if r.method == "PUT"][-1]
        assert decided.reply_to == it_card.activity_id and decided.card is not None
        assert "Status: godkendt – Bruger 7" in decided.text
        assert decided.card["actions"] == [], "a decided request offers no more buttons"
        news = await channel.arrived(ANNE_CHAT, "er nu **godkendt**")
        assert f"#{request.id}" in news.text
        # Anne heard of each change once: taken into screening, then approved.
        changes = [r.text for r in channel.to(ANNE_CHAT) if "Nyt om din anmodning" in r.text]
        assert len(changes) == 2

        said = await anne(bot, "status på min anmodning")
        assert f"#{request.id} · godkendt" in said
    finally:
        await bot.stop()

    async with database.transaction() as session:
        [request] = await all_requests(session=session)
        events = await request_history(session=session, request_id=request.id)
    assert request.status is RequestStatus.APPROVED and request.screener_name == "Bruger 7"
    assert [(e.kind, e.to_status) for e in events] == [
        ("status", "modtaget"),
        ("status", "under_screening"),
        ("question", None),
        ("answer", None),
        ("status", "godkendt"),
    ]

    out = tmp_path / "anmodninger.csv"
    result = await asyncio.to_thread(
        CliRunner().invoke,
        cli,
        ["procurement", "export", "--format", "csv", "--out", str(out)],
        env={"GOVBOT_DATABASE_URL": settings.database_url},
    )
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8-sig") as handle:
        [row] = list(csv.DictReader(handle, delimiter=";"))
    assert row["status"] == "godkendt" and row["behov"] == "vi vil gerne have et nyt bookingsystem"
    assert row["Brugerstyring og login"] == "Med egne brugernavne og adgangskoder i systemet"
    assert "version 5" in row["afvigelser"] and "12 lokaler" in row["dialog_med_it"]

    xlsx = tmp_path / "anmodninger.xlsx"
    result = await asyncio.to_thread(
        CliRunner().invoke,
        cli,
        ["procurement", "export", "--format", "xlsx", "--out", str(xlsx)],
        env={"GOVBOT_DATABASE_URL": settings.database_url},
    )
    assert result.exit_code == 0 and xlsx.stat().st_size > 0
    # The reuse candidates shown to Anne are kept with the request.
    async with database.transaction() as session:
        names = (await session.scalars(select(ItSystem.name))).all()
    assert request.reuse_candidates[0]["name"] in names
