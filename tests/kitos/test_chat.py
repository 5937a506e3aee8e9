"""End to end over HTTP: govbot serve's scheduled KITOS sync against the stand-in, then Teams
questions answered from what it brought: the role holder, the sync's status, and a hand-edit
of a KITOS assignment refused ("rettes i KITOS")."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.settings import Settings
from storage.access import Role, grant_role
from storage.audit import Author
from storage.db import Database
from storage.kitos_runs import last_runs
from tests.support.activities import message
from tests.support.channel import TestChannel
from tests.support.kitos import API_EMAIL, API_PASSWORD, CVR, StandInKitos
from tests.support.server import start_bot

ADMIN_AAD = "00000000-0000-0000-0000-0000000000ad"
ADMIN = {"aad_object_id": ADMIN_AAD, "user": "29:1user-admin"}
FIRST_RUN_SECONDS = 30.0


async def _first_run(database: Database) -> None:
    """Wait until the app's schedule has recorded its first run (it starts with the app)."""
    async with asyncio.timeout(FIRST_RUN_SECONDS):
        while True:
            async with database.transaction() as session:
                newest, _ = await last_runs(session=session)
            if newest is not None:
                return
            await asyncio.sleep(0.05)


async def test_serve_syncs_kitos_and_answers_from_it(
    kitos: StandInKitos,
    make_settings: Callable[..., Settings],
    channel: TestChannel,
    database: Database,
) -> None:
    owner = kitos.add_user("Birgitte Krag", "birgitte.krag@kommune.dk")
    helper = kitos.add_user("Niels Vang", "niels.vang@kommune.dk")
    nameless = kitos.add_user("Bo Berg", "")
    kitos.add_usage(
        "Acadre",
        [("Systemejer", owner), ("Superbruger", helper), ("Superbruger", nameless)],
        unit="Teknik og Miljø",
    )
    async with database.transaction() as session:
        await grant_role(session=session, principal=ADMIN_AAD, role=Role.ADMIN, by=Author("test"))
    settings = make_settings(
        knowledge_pack="rebild",
        kitos_url=kitos.url,
        kitos_user=API_EMAIL,
        kitos_password=API_PASSWORD,
        kitos_cvr=CVR,
    )
    bot = await start_bot(settings)
    try:
        await _first_run(database)
        await bot.directory_seen()
        await bot.post(message("hvem er systemejer for Acadre", service_url=channel.url))
        answer = channel.received[-1].text
        assert "Birgitte Krag" in answer and "birgitte.krag@kommune.dk" in answer

        await bot.post(
            message("hvornår blev KITOS sidst synkroniseret?", service_url=channel.url, **ADMIN)
        )
        status = channel.received[-1].text
        assert "KITOS blev sidst synkroniseret" in status and "fuld afstemning" in status
        assert "1 systemer læst, 2 tildelinger tilføjet" in status
        assert "1 konflikter skal rettes i KITOS" in status and nameless in status
        assert "Kaffeansvarlig" in status  # a role type with no mapping, reported

        await bot.post(
            message("afslut Birgitte Krag som systemejer for Acadre", service_url=channel.url,
                    **ADMIN)
        )  # fmt: skip
        refused = channel.received[-1].text
        assert "rettes i KITOS" in refused and "Acadre" in refused

        await bot.post(message("hvornår blev KITOS sidst synkroniseret?", service_url=channel.url))
        assert "kun administratorer" in channel.received[-1].text
    finally:
        await bot.stop()
