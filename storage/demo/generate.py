"""A large synthetic directory (default 10,000 systems, 30,000 assignments) for benchmarks.

Deterministic for a seed. `rows()` gives validated import rows; `write_csv()` the same as an
import file (for timing `govbot import roles`).
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from storage.directory_apply import ImportRow, ImportSummary, apply_import

_PREFIXES = (
    "KMD",
    "EG",
    "Netcompany",
    "Fujitsu",
    "Systematic",
    "Columna",
    "Visma",
    "Schultz",
    "Rambøll",
    "Formpipe",
    "Tabulex",
    "Dedu",
    "OS2",
    "Silkeborg Data",
    "Nordic",
    "Kombit",
    "Edlund",
    "Atea",
)
_WORDS = (
    "Sag",
    "Opus",
    "Nexus",
    "Borger",
    "Plan",
    "Skole",
    "Løn",
    "Økonomi",
    "Portal",
    "Cura",
    "Arkiv",
    "Byg",
    "Miljø",
    "Kort",
    "Ydelse",
    "Bolig",
    "Vej",
    "Park",
    "Kultur",
    "Tilsyn",
    "Booking",
    "Journal",
    "Faktura",
    "Indkøb",
    "Kontrakt",
    "Vagt",
    "Rute",
    "Hjælpemiddel",
    "Visitation",
    "Tandpleje",
    "Sundhed",
    "Dagtilbud",
    "Fritid",
    "Bibliotek",
    "Affald",
    "Beredskab",
    "Ejendom",
    "Energi",
    "Trafik",
    "Data",
    "Analyse",
    "Dialog",
    "Post",
    "Login",
)
_SUFFIXES = ("", "", " Pro", " Online", " 365", " Plus", " Mobil", " Web", " Direkte", " Flex")
_FIRST = (
    "Anne",
    "Mette",
    "Søren",
    "Lars",
    "Karen",
    "Peter",
    "Hanne",
    "Jens",
    "Maria",
    "Niels",
    "Camilla",
    "Thomas",
    "Line",
    "Frederik",
    "Ida",
    "Jonas",
    "Sofie",
    "Rikke",
    "Ole",
    "Eva",
)
_LAST = (
    "Jensen",
    "Nielsen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Poulsen",
    "Holm",
    "Dahl",
    "Krogh",
    "Bech",
    "Lund",
    "Kirk",
    "Friis",
    "Vang",
    "Hald",
    "Skov",
)
_UNITS = (
    "Borgerservice",
    "Jobcenter",
    "Sundhed og Omsorg",
    "Økonomi",
    "Børn og Skole",
    "Teknik og Miljø",
    "IT og Digitalisering",
    "HR og Løn",
    "Kultur og Fritid",
)
_ROLES = ("systemejer", "systemansvarlig", "superbruger")


def system_names(count: int, rng: random.Random) -> list[str]:
    """`count` distinct, plausible system names."""
    names: dict[str, None] = {}
    while len(names) < count:
        name = (
            f"{rng.choice(_PREFIXES)} {rng.choice(_WORDS)}{rng.choice(_WORDS).lower()}"
            f"{rng.choice(_SUFFIXES)}"
        )
        if name in names:
            name = f"{name} {len(names)}"
        names[name] = None
    return list(names)


def rows(systems: int = 10_000, assignments: int = 30_000, seed: int = 7) -> list[ImportRow]:
    """Import rows: every system gets an owner, then roles until `assignments` is reached."""
    rng = random.Random(seed)
    names = system_names(systems, rng)
    people = [
        (
            f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
            f"person{i:05d}@bench.example.dk",
            rng.choice(_UNITS),
        )
        for i in range(max(1, assignments // 6))
    ]
    out: list[ImportRow] = []
    for n in range(assignments):
        system = names[n % systems]
        role = _ROLES[min(n // systems, len(_ROLES) - 1)]
        name, email, unit = people[rng.randrange(len(people))]
        aliases = (system.split(" ", 1)[1],) if n < systems and n % 3 == 0 else ()
        out.append(
            ImportRow(
                line=n + 2,
                role_key=role,
                name=name,
                email=email,
                system=system,
                org_unit=None,
                aliases=aliases,
                system_org_unit=unit,
            )
        )
    return out


def write_csv(path: Path, systems: int = 10_000, assignments: int = 30_000) -> Path:
    """The generated directory as a semicolon CSV import file (Danish headers)."""
    labels = {
        "systemejer": "Systemejer",
        "systemansvarlig": "Systemansvarlig",
        "superbruger": "Superbruger",
    }
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(("System", "Rolle", "Navn", "Email", "Aliaser"))
        for row in rows(systems, assignments):
            writer.writerow(
                (row.system, labels[row.role_key], row.name, row.email, "|".join(row.aliases))
            )
    return path


async def generate_directory(
    *, session: AsyncSession, systems: int = 10_000, assignments: int = 30_000
) -> ImportSummary:
    """Fill the directory with the generated rows (in the caller's transaction)."""
    return await apply_import(
        session=session, rows=rows(systems, assignments), actor="generator", source="generator"
    )
