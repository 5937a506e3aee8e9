"""The demo municipality's role directory: real Danish municipal systems, fictional people.

Written in the import format and loaded through the importer, so the demo exercises the same
validation as a real file.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.packs import load_pack
from storage.directory_apply import apply_import
from storage.directory_import import parse_rows, read_csv

DOMAIN = "demokommune.dk"

# Fictional people: (first name, last name, unit).
PEOPLE = {
    "mh": ("Mette", "Holm", "Borgerservice"),
    "so": ("Søren", "Østergaard", "Sundhed og Omsorg"),
    "kd": ("Karen", "Dahl", "Økonomi"),
    "pm": ("Peter", "Mørk", "HR og Løn"),
    "lb": ("Lars", "Bech", "Jobcenter"),
    "bk": ("Birgitte", "Krag", "Teknik og Miljø"),
    "rh": ("Rikke", "Hald", "Børn og Skole"),
    "nv": ("Niels", "Vang", "IT og Digitalisering"),
    "aj": ("Anders", "Juhl", "IT og Digitalisering"),
    "hf": ("Hanne", "Friis", "Direktionen"),
    "ok": ("Ole", "Krogh", "IT og Digitalisering"),
    "jk": ("Jonas", "Kirk", "Borgerservice"),
    "sl": ("Sofie", "Lund", "Jobcenter"),
    "ib": ("Ida", "Bæk", "Sundhed og Omsorg"),
    "es": ("Eva", "Skov", "Teknik og Miljø"),
    "tl": ("Tom", "Lind", "Teknik og Miljø"),
    "ma": ("Maria", "Aagaard", "Børn og Skole"),
    "cn": ("Christian", "Nørgaard", "Familie og Handicap"),
    "lm": ("Line", "Mikkelsen", "Familie og Handicap"),
    "fg": ("Frederik", "Gram", "Kultur og Fritid"),
    "ch": ("Camilla", "Hviid", "Økonomi"),
    "jw": ("Jens", "Westergaard", "Sundhed og Omsorg"),
    "ae": ("Anne", "Eriksen", "Ejendomme"),
    "th": ("Thomas", "Hedegaard", "Beskæftigelse"),
}

# (system, aliases, owner, system manager, super-users)
SYSTEMS: tuple[tuple[str, str, str, str, str], ...] = (
    ("SBSYS", "ESDH|sbsys esdh", "mh", "nv", "jk sl"),
    ("Acadre", "Acadre ESDH", "bk", "nv", "es tl"),
    ("KMD Nexus", "Nexus|Nexus omsorg", "so", "jw", "ib"),
    ("KMD Opus Økonomi", "Opus Økonomi", "kd", "ch", "ch"),
    ("KMD Opus Løn", "Opus Løn|Opus HR", "pm", "aj", "pm"),
    ("Momentum", "", "lb", "th", "sl"),
    ("Aula", "", "rh", "ma", "ma"),
    ("KMD Sag", "", "bk", "nv", "tl"),
    ("Fasit", "", "lb", "th", "sl"),
    ("Columna Cura", "Cura", "so", "jw", "ib"),
    ("DUBU", "Digital Udsatte Børn og Unge", "cn", "lm", "lm"),
    ("Sensum Bosted", "Bosted", "cn", "lm", "lm"),
    ("KY", "Kommunernes Ydelsessystem", "lb", "th", "sl"),
    ("KSD", "Kommunernes Sygedagpengesystem|Sygedagpengesystemet", "lb", "th", "sl"),
    ("Prisme", "Fujitsu Prisme", "kd", "ch", "ch"),
    ("Silkeborg Data Løn", "SD Løn|SD", "pm", "aj", "pm"),
    ("Indfak", "", "kd", "ch", "ch"),
    ("FLIS", "Fælleskommunalt Ledelsesinformationssystem", "kd", "ch", "ch"),
    ("Meebook", "", "rh", "ma", "ma"),
    ("MinUddannelse", "", "rh", "ma", "ma"),
    ("Tabulex TEA", "TEA", "rh", "ma", "ma"),
    ("KMD Institution", "Pladsanvisning", "rh", "ma", "ma"),
    ("UNI-Login", "Unilogin", "rh", "aj", "ma"),
    ("Microsoft 365", "M365|Office 365|Teams|Outlook", "ok", "aj", "nv"),
    ("OS2rollekatalog", "Rollekatalog", "ok", "aj", "nv"),
    ("OS2sofd", "SOFD", "pm", "aj", "nv"),
    ("OS2forms", "", "mh", "aj", "jk"),
    ("KITOS", "", "ok", "nv", "nv"),
    ("Serviceplatformen", "", "ok", "aj", "nv"),
    ("Digital Post", "Fjernprint|e-Boks", "mh", "nv", "jk"),
    ("NemLog-in", "", "ok", "aj", "nv"),
    ("MitID Erhverv", "", "ok", "aj", "nv"),
    ("BBR", "Bygnings- og Boligregistret", "bk", "es", "tl"),
    ("Byg og Miljø", "BOM", "bk", "es", "tl"),
    ("Plandata.dk", "Plandata", "bk", "es", "tl"),
    ("Cicero", "Bibliotekssystem", "fg", "nv", "fg"),
    ("Conventus", "Foreningsportal", "fg", "nv", "fg"),
    ("GetOrganized", "", "mh", "nv", "jk"),
    ("EG Bolig", "", "ae", "nv", "ae"),
    ("Planner", "", "so", "jw", "ib"),
    ("LetDialog", "", "mh", "aj", "jk"),
)

ORGANISATION_WIDE = (
    ("Databeskyttelsesrådgiver (DPO)", "hf", "Direktionen"),
    ("Central informationssikkerhedskoordinator", "ok", "IT og Digitalisering"),
    ("Lokal informationssikkerhedskoordinator", "jw", "Sundhed og Omsorg"),
    ("Lokal informationssikkerhedskoordinator", "ma", "Børn og Skole"),
    ("IT-kontaktperson", "aj", "IT og Digitalisering"),
    ("IT-vejleder", "jk", "Borgerservice"),
)


def email_of(key: str) -> str:
    """The demo address of the person with `key`."""
    first, last, _ = PEOPLE[key]
    return (
        f"{first}.{last}@{DOMAIN}".lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    )


def _name(key: str) -> str:
    first, last, _ = PEOPLE[key]
    return f"{first} {last}"


def demo_csv() -> str:
    """The demo directory as an import file (semicolon CSV with Danish headers)."""
    lines = ["System;Rolle;Navn;Email;Enhed;Aliaser"]
    for system, aliases, owner, manager, supers in SYSTEMS:
        lines.append(
            f"{system};Systemejer;{_name(owner)};{email_of(owner)};{PEOPLE[owner][2]};{aliases}"
        )
        lines.append(
            f"{system};Systemansvarlig;{_name(manager)};{email_of(manager)};{PEOPLE[manager][2]};"
        )
        for key in supers.split():
            lines.append(f"{system};Superbruger;{_name(key)};{email_of(key)};{PEOPLE[key][2]};")
    for role, key, unit in ORGANISATION_WIDE:
        lines.append(f";{role};{_name(key)};{email_of(key)};{unit};")
    return "\n".join(lines) + "\n"


async def load(*, session: AsyncSession, pack_key: str) -> None:
    """Import the demo directory."""
    rows = parse_rows(read_csv(demo_csv().encode("utf-8")), load_pack(pack_key))
    await apply_import(session=session, rows=rows, actor="demo", source="demo")
