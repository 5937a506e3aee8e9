"""Import files: Danish CSV, KITOS XLSX, broken files refused with line numbers."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.directory import current_assignments
from storage.directory_apply import apply_import
from storage.directory_export import export_rows
from storage.directory_import import ImportFileError, parse_rows, read_csv, read_import
from storage.models import AuditEntry, ItSystem, RoleAssignment
from tests.directory.helpers import (
    BROKEN_CSV,
    DANISH_CSV,
    KITOS_HEADER,
    PACK,
    write_csv,
    write_kitos,
)


def test_danish_semicolon_csv_with_bom(tmp_path: Path) -> None:
    rows = read_import(write_csv(tmp_path / "roller.csv", DANISH_CSV), PACK)
    sbsys_owner = rows[0]
    assert (sbsys_owner.line, sbsys_owner.system, sbsys_owner.role_key) == (
        2,
        "SBSYS",
        "systemejer",
    )
    assert sbsys_owner.aliases == ("sbsys esdh", "ESDH")
    assert sbsys_owner.email == "mette.holm@kommune.dk"
    momentum = [r.role_key for r in rows if r.system == "Momentum"]
    assert momentum == ["systemejer", "dataejer"]  # "System- og dataejer" is both roles
    dpo = next(r for r in rows if r.role_key == "databeskyttelsesraadgiver")
    assert dpo.system is None and dpo.line == 10


def test_comma_separated_english_headers() -> None:
    table = read_csv(b"system,role,name,email\nAcadre,System owner,Bo Berg,BO.BERG@kommune.dk\n")
    (row,) = parse_rows(table, PACK)
    assert (row.role_key, row.email) == ("systemejer", "bo.berg@kommune.dk")


def test_broken_file_lists_every_problem_with_its_line(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError) as caught:
        read_import(write_csv(tmp_path / "broken.csv", BROKEN_CSV), PACK)
    messages = [str(p) for p in caught.value.problems]
    assert messages[0].startswith("linje 3: ukendt rolle 'Kaffeansvarlig' (tilladte: Systemejer")
    assert "linje 4: navnet mangler" in messages
    assert "linje 5: ugyldig e-mail 'anna(at)kommune.dk'" in messages
    assert not any(m.startswith("linje 2") for m in messages)


def test_missing_columns_and_non_utf8_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="linje 1: overskriften mangler kolonnen 'Email'"):
        parse_rows(read_csv(b"System;Rolle;Navn\nSBSYS;Systemejer;Mette\n"), PACK)
    with pytest.raises(ImportFileError, match="ikke UTF-8"):
        read_csv("System;Rolle;Navn;Email\nSBSYS;Systemejer;Søren;s@k.dk\n".encode("latin-1"))


def test_kitos_export_pairs_names_and_emails_in_order(tmp_path: Path) -> None:
    rows = read_import(write_kitos(tmp_path / "kitos.xlsx"), PACK)
    supers = [(r.name, r.email) for r in rows if r.role_key == "superbruger"]
    assert supers == [("Eva Skov", "eva.skov@kommune.dk"), ("Tom Lind", "tom.lind@kommune.dk")]
    acadre = next(r for r in rows if r.system == "Acadre")
    assert acadre.aliases == ("ESDH",) and acadre.system_org_unit == "Teknik og Miljø"
    assert {r.system for r in rows} == {"Acadre", "Aula"}


def test_kitos_names_and_emails_that_do_not_pair_are_refused(tmp_path: Path) -> None:
    bad = ("Acadre", "", "IT", "Bo Berg, Eva Skov", "bo.berg@kommune.dk", "", "", "", "", "")
    assert len(bad) == len(KITOS_HEADER)
    with pytest.raises(ImportFileError, match="linje 2: Systemejer: 2 navn"):
        read_import(write_kitos(tmp_path / "kitos.xlsx", (bad,)), PACK)


async def test_import_is_idempotent_and_replace_ends_the_rest(
    session: AsyncSession, tmp_path: Path
) -> None:
    rows = read_import(write_csv(tmp_path / "roller.csv", DANISH_CSV), PACK)
    first = await apply_import(session=session, rows=rows, actor="test")
    assert (first.added, first.unchanged, first.ended) == (11, 0, 0)
    assert first.systems_added == 5
    again = await apply_import(session=session, rows=rows, actor="test")
    assert (again.added, again.unchanged, again.ended) == (0, 11, 0)

    kitos = read_import(write_kitos(tmp_path / "kitos.xlsx"), PACK)
    replaced = await apply_import(session=session, rows=kitos, actor="test", replace=True)
    assert (replaced.added, replaced.ended) == (5, 11)
    current = await current_assignments(session=session)
    assert {a.system.name for a in current if a.system} == {"Acadre", "Aula"}
    history = await session.scalar(select(func.count()).select_from(RoleAssignment))
    assert history == 16  # ended assignments are kept
    audited = await session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "end")
    )
    assert audited == 11


async def test_export_round_trips_through_import(session: AsyncSession, tmp_path: Path) -> None:
    rows = read_import(write_csv(tmp_path / "roller.csv", DANISH_CSV), PACK)
    await apply_import(session=session, rows=rows, actor="test")
    exported = await export_rows(session=session, pack=PACK)
    header = ";".join(exported[0])
    text = header + "\n" + "\n".join(";".join(r.values()) for r in exported) + "\n"
    again = read_import(write_csv(tmp_path / "export.csv", text), PACK)
    summary = await apply_import(session=session, rows=again, actor="test", replace=True)
    assert (summary.added, summary.ended, summary.unchanged) == (0, 0, 11)
    aliases = await session.scalar(select(ItSystem.aliases).where(ItSystem.name == "SBSYS"))
    assert aliases == ["sbsys esdh", "ESDH"]
