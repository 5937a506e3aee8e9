"""The bench's directory: the demo generator's 10,000 systems and 30,000 role assignments, and
the demo municipality `make run` loads (so `govbot serve` starts as it would the second time)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from storage.db import Database
from storage.demo import load_demo_data
from storage.demo.generate import generate_directory
from storage.models import ItSystem

DEMO_PACK = "randers"  # GOVBOT_KNOWLEDGE_PACK's default


@dataclass(frozen=True)
class Directory:
    """What was loaded."""

    systems: list[str]
    assignments: int


async def populate(url: str, *, systems: int, assignments: int, demo: bool = False) -> Directory:
    """Fill the (migrated, empty) database at `url` through the directory's own import, and
    with the demo municipality too when `demo`."""
    database = Database.connect(url)
    try:
        async with database.transaction() as session:
            await generate_directory(session=session, systems=systems, assignments=assignments)
        if demo:
            async with database.transaction() as session:
                await load_demo_data(session=session, pack_key=DEMO_PACK)
        async with database.transaction() as session:
            names = list(await session.scalars(select(ItSystem.name).order_by(ItSystem.id)))
    finally:
        await database.dispose()
    return Directory(names, assignments)
