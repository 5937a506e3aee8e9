"""The bench's directory: 10,000 systems and 30,000 role assignments, and a CSV to import.

Uses the demo generator (`storage/demo/generate.py`) when it exists; until then a plain bulk
insert into the foundation's directory tables, so the served database has the same size.
"""

from __future__ import annotations

import asyncio
import csv
import importlib
import inspect
import random
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert, select

from storage.db import Database
from storage.models import ItSystem, Person, RoleAssignment

ROLE_KEYS = ("systemejer", "dataejer", "kontraktejer", "superbruger", "systemansvarlig")


@dataclass(frozen=True)
class Directory:
    """What was loaded, and by what."""

    systems: list[str]
    assignments: int
    loaded_by: str


def _generator():  # type: ignore[no-untyped-def]
    try:
        return importlib.import_module("storage.demo.generate")
    except ImportError:
        return None


async def populate(url: str, *, systems: int, assignments: int) -> Directory:
    """Fill the (migrated, empty) database at `url` with a directory of the given size."""
    generator = _generator()
    database = Database.connect(url)
    try:
        if generator is not None and hasattr(generator, "generate"):
            await _call_generator(generator.generate, database, systems, assignments)
            loaded_by = "storage.demo.generate"
        else:
            await _bulk_insert(database, systems, assignments)
            loaded_by = "bench bulk insert (storage/demo/generate.py not landed)"
        async with database.transaction() as session:
            names = list(await session.scalars(select(ItSystem.name)))
    finally:
        await database.dispose()
    return Directory(names, assignments, loaded_by)


async def _call_generator(generate, database: Database, systems: int, assignments: int) -> None:  # type: ignore[no-untyped-def]
    params = inspect.signature(generate).parameters
    kwargs = {
        k: v for k, v in {"systems": systems, "assignments": assignments}.items() if k in params
    }
    async with database.transaction() as session:
        result = generate(session=session, **kwargs)
        if inspect.isawaitable(result):
            await result


async def _bulk_insert(database: Database, systems: int, assignments: int) -> None:
    rng = random.Random(9)
    people = max(1, systems // 3)
    async with database.transaction() as session:
        await session.execute(
            insert(Person),
            [{"email": f"person{i}@kommune.dk", "name": f"Person {i}"} for i in range(people)],
        )
        await session.execute(
            insert(ItSystem),
            [
                {"name": f"System {i:05d}", "aliases": [f"S{i}"], "vendor": f"Leverandør {i % 97}"}
                for i in range(systems)
            ],
        )
        person_ids = list(await session.scalars(select(Person.id)))
        system_ids = list(await session.scalars(select(ItSystem.id)))
        rows = [
            {
                "person_id": rng.choice(person_ids),
                "system_id": system_ids[i % len(system_ids)],
                "role_key": ROLE_KEYS[(i // len(system_ids)) % len(ROLE_KEYS)],
                "source": "bench",
            }
            for i in range(assignments)
        ]
        for start in range(0, len(rows), 5000):
            await session.execute(insert(RoleAssignment), rows[start : start + 5000])


def write_roles_csv(path: Path, *, rows: int, systems: list[str]) -> Path:
    """A role-import CSV of `rows` rows over `systems` (the columns the importer reads)."""
    rng = random.Random(30)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(["system", "rolle", "navn", "email"])
        for i in range(rows):
            person = rng.randrange(max(1, rows // 10))
            writer.writerow(
                [
                    rng.choice(systems),
                    ROLE_KEYS[i % len(ROLE_KEYS)],
                    f"Person {person}",
                    f"person{person}@kommune.dk",
                ]
            )
    return path


def populate_sync(url: str, *, systems: int, assignments: int) -> Directory:
    """`populate` for synchronous callers."""
    return asyncio.run(populate(url, systems=systems, assignments=assignments))
