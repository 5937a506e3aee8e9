"""Small factories for directory tests: hand-made files as a municipality would write them."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.packs import load_pack
from knowledge.schema import Pack
from storage.audit import Author
from storage.directory import end_assignment, ensure_person, set_assignment
from storage.directory_index import DirectoryIndex

PACK: Pack = load_pack("rebild")

# Danish headers, semicolons, a BOM, an organisation-wide role and a combined role.
DANISH_CSV = (
    "\ufeffSystem;Rolle;Navn;E-mail;Enhed;Aliaser\n"
    "SBSYS;Systemejer;Mette Holm;mette.holm@kommune.dk;Borgerservice;sbsys esdh|ESDH\n"
    "SBSYS;Superbruger;Jonas Kirk;jonas.kirk@kommune.dk;Borgerservice;\n"
    "SBSYS;Superbruger;Sofie Lund;sofie.lund@kommune.dk;Jobcenter;\n"
    "KMD Nexus;Systemejer;Søren Østergaard;soren.ostergaard@kommune.dk;Sundhed og Omsorg;Nexus\n"
    "KMD Nexus;Superbruger;Ida Bæk;ida.baek@kommune.dk;Sundhed og Omsorg;\n"
    "KMD Opus Økonomi;Systemejer;Karen Dahl;karen.dahl@kommune.dk;Økonomi;Opus Økonomi\n"
    "KMD Opus Løn;Systemejer;Peter Mørk;peter.mork@kommune.dk;HR og Løn;Opus Løn\n"
    "Momentum;System- og dataejer;Lars Bech;lars.bech@kommune.dk;Jobcenter;\n"
    ";Databeskyttelsesrådgiver (DPO);Hanne Friis;hanne.friis@kommune.dk;Direktionen;\n"
    ";Central informationssikkerhedskoordinator;Ole Krogh;ole.krogh@kommune.dk;IT;\n"
)

BROKEN_CSV = (
    "System;Rolle;Navn;Email\n"
    "SBSYS;Systemejer;Mette Holm;mette.holm@kommune.dk\n"
    "Acadre;Kaffeansvarlig;Bo Berg;bo.berg@kommune.dk\n"
    "Acadre;Systemejer;;anna@kommune.dk\n"
    "Acadre;Systemejer;Anna Ager;anna(at)kommune.dk\n"
)

KITOS_HEADER = (
    "IT System",
    "Lokal kaldenavn",
    "Ansv. organisationsenhed",
    "Systemejer",
    "Systemejer Email#",
    "Systemansvarlig",
    "Systemansvarlig Email#",
    "Superbruger",
    "Superbruger Email#",
    "Status",
)
KITOS_ROWS = (
    (
        "Acadre",
        "ESDH",
        "Teknik og Miljø",
        "Birgitte Krag",
        "birgitte.krag@kommune.dk",
        "Niels Vang",
        "niels.vang@kommune.dk",
        "Eva Skov, Tom Lind",
        "eva.skov@kommune.dk, tom.lind@kommune.dk",
        "Aktiv",
    ),
    (
        "Aula",
        "",
        "Børn og Skole",
        "Rikke Hald",
        "rikke.hald@kommune.dk",
        "",
        "",
        "",
        "",
        "Aktiv",
    ),
)


def write_csv(path: Path, text: str) -> Path:
    """Write `text` as UTF-8 (a BOM in the text stays)."""
    path.write_text(text, encoding="utf-8")
    return path


def write_kitos(path: Path, rows: tuple[tuple[str, ...], ...] = KITOS_ROWS) -> Path:
    """A KITOS system-usage export, shaped as KITOS writes it (first sheet)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "IT Systemer"
    sheet.append(KITOS_HEADER)
    for row in rows:
        sheet.append(row)
    workbook.create_sheet("Andet ark").append(("ignoreres",))
    workbook.save(path)
    return path


async def new_owner(session: AsyncSession, index: DirectoryIndex, system: str) -> None:
    """Hand the system owner role of `system` (as `index` has it) to a newcomer, Nanna Ny."""
    found = index.find_system(system).systems[0]
    (owner,) = index.holders(["systemejer"], found.id)
    await end_assignment(session=session, assignment_id=owner.id, by=Author("test"))
    newcomer = await ensure_person(
        session=session, email="ny@kommune.dk", name="Nanna Ny", by=Author("test")
    )
    await set_assignment(
        session=session,
        person_id=newcomer.id,
        role_key="systemejer",
        system_id=found.id,
        by=Author("test"),
    )
