"""The bench's directory: the demo generator's 10,000 systems and 30,000 role assignments."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from storage.db import Database
from storage.demo.generate import generate_directory
from storage.models import ItSystem


@dataclass(frozen=True)
class Directory:
    """What was loaded."""

    systems: list[str]
    assignments: int


async def populate(url: str, *, systems: int, assignments: int) -> Directory:
    """Fill the (migrated, empty) database at `url` through the directory's own import."""
    database = Database.connect(url)
    try:
        async with database.transaction() as session:
            await generate_directory(session=session, systems=systems, assignments=assignments)
        async with database.transaction() as session:
            names = list(await session.scalars(select(ItSystem.name).order_by(ItSystem.id)))
    finally:
        await database.dispose()
    return Directory(names, assignments)
