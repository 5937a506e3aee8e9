"""The KITOS sync at a municipality's size: a first sync of 2,000 system usages with 10,000
role assignments from the stand-in KITOS over loopback HTTP, then an incremental sync of 20
changed usages (each with its system owner replaced)."""

from __future__ import annotations

import time
from pathlib import Path

from pydantic import SecretStr

from bench.report import Row
from bot.kitos.setup import KitosConfig, sync_once
from knowledge.kitos_roles import load_kitos_role_mapping
from knowledge.packs import load_pack
from storage.db import Database
from storage.migrate import upgrade
from tests.support.kitos import API_EMAIL, API_PASSWORD, CVR, StandInKitos

ROLES = ("Systemejer", "Systemansvarlig", "Superbruger", "Superbruger", "Dataejer")


async def measure(workdir: Path, *, usages: int = 2_000, changes: int = 20) -> list[Row]:
    """Time the first and an incremental sync; five role assignments per usage."""
    url = f"sqlite+aiosqlite:///{workdir / 'kitos.db'}"
    upgrade(url)
    kitos = await StandInKitos().start()
    database = Database.connect(url)
    try:
        people = [
            kitos.add_user(f"Medarbejder {n:04}", f"medarbejder{n:04}@kommune.dk")
            for n in range(usages)
        ]
        ids: list[str] = []
        for n in range(usages):  # one a minute: KITOS' lastModified stamps differ
            kitos.tick()
            ids.append(
                kitos.add_usage(
                    f"KITOS-system {n:04}",
                    [(role, people[(n + i * 7) % len(people)]) for i, role in enumerate(ROLES)],
                    unit=f"Center {n % 40:02}",
                )
            )
        config = KitosConfig(
            url=kitos.url,
            user=API_EMAIL,
            password=SecretStr(API_PASSWORD),
            cvr=CVR,
            mapping=load_kitos_role_mapping(None, load_pack("randers")),
            interval_minutes=30,
        )
        began = time.perf_counter()
        first = await sync_once(config, database)
        first_seconds = time.perf_counter() - began
        kitos.tick(30)
        for n, usage in enumerate(ids[:changes]):
            roles = [(role, people[(n + i * 7) % len(people)]) for i, role in enumerate(ROLES)]
            roles[0] = ("Systemejer", people[(n + 1000) % len(people)])
            kitos.set_roles(usage, roles)
        began = time.perf_counter()
        second = await sync_once(config, database)
        second_seconds = time.perf_counter() - began
    finally:
        await database.dispose()
        await kitos.stop()
    return [
        Row(
            "kitos",
            f"first sync: {first.systems:,} usages, {first.added:,} assignments",
            f"{first_seconds:.1f} s",
        ),
        Row(
            "kitos",
            f"incremental sync: {changes} changed usages ({second.changed} holders replaced)",
            f"{second_seconds:.2f} s",
        ),
    ]
