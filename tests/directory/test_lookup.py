"""Lookups through the index: typos, missing æøå, ambiguity, and never another system's owner."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.directory_question import RoleVocabulary
from storage.db import Database
from storage.directory_apply import apply_import
from storage.directory_import import read_import
from storage.directory_snapshots import directory_index
from tests.directory.helpers import DANISH_CSV, PACK, new_owner, write_csv


@pytest.fixture
async def filled(session: AsyncSession, tmp_path: Path) -> AsyncSession:
    rows = read_import(write_csv(tmp_path / "roller.csv", DANISH_CSV), PACK)
    await apply_import(session=session, rows=rows, actor="test")
    return session


QUESTIONS = [
    # message, role asked, who must answer
    ("hvem er systemejer for SBSYS", "systemejer", {"Mette Holm"}),
    ("systemejr sbsys", "systemejer", {"Mette Holm"}),
    ("superbrugere i nexus", "superbruger", {"Ida Bæk"}),
    ("superbrugere i sbsys", "superbruger", {"Jonas Kirk", "Sofie Lund"}),
    ("hvem er systemejer for opus okonomi", "systemejer", {"Karen Dahl"}),
    ("hvem er systemejer for Opus Løn", "systemejer", {"Peter Mørk"}),
    ("systemejer kmd opus lon", "systemejer", {"Peter Mørk"}),
    ("hvem er dataejer på momentum", "dataejer", {"Lars Bech"}),
    ("hvem er systemejer for momentun", "systemejer", {"Lars Bech"}),
    ("who is the system owner of nexus", "systemejer", {"Søren Østergaard"}),
    ("hvem er systemejer for esdh", "systemejer", {"Mette Holm"}),  # an alias
    ("superbrugere i sbsys, hvem skal jeg kontakte", "superbruger", {"Jonas Kirk", "Sofie Lund"}),
]


@pytest.mark.parametrize(("message", "role", "people"), QUESTIONS)
async def test_role_questions_reach_the_right_people(
    filled: AsyncSession, message: str, role: str, people: set[str]
) -> None:
    question = RoleVocabulary(PACK).parse(message)
    assert question is not None and question.role.key == role
    index = await directory_index(session=filled)
    search = index.find_system(question.subject)
    assert search.outcome == "found", search
    holders = index.holders([role], search.systems[0].id)
    assert {a.person.name for a in holders} == people


async def test_organisation_wide_roles(filled: AsyncSession) -> None:
    vocabulary = RoleVocabulary(PACK)
    index = await directory_index(session=filled)
    for message, name in (
        ("hvem er vores DPO", "Hanne Friis"),
        ("hvem er informationssikkerhedskoordinator", "Ole Krogh"),
    ):
        question = vocabulary.parse(message)
        assert question is not None and question.subject == ""
        assert [a.person.name for a in index.holders([question.role.key])] == [name]


async def test_ambiguous_and_unknown_names_never_answer_with_another_system(
    filled: AsyncSession,
) -> None:
    index = await directory_index(session=filled)
    opus = index.find_system("opus")
    assert opus.outcome == "ambiguous"
    assert {s.name for s in opus.systems} == {"KMD Opus Økonomi", "KMD Opus Løn"}
    close = index.find_system("sbsis")
    assert close.outcome == "unknown" and [s.name for s in close.suggestions] == ["SBSYS"]
    far = index.find_system("Fronter")
    assert far.outcome == "unknown" and far.suggestions == ()


async def test_people_by_first_name_email_and_ambiguity(filled: AsyncSession) -> None:
    index = await directory_index(session=filled)
    soren = index.find_people("Soren")  # without ø
    assert soren.person is not None and soren.person.name == "Søren Østergaard"
    assert index.find_people("PETER.MORK@kommune.dk").person is not None
    assert index.find_people("Zacharias").people == ()


async def test_index_follows_changes(filled: AsyncSession) -> None:
    index = await directory_index(session=filled)
    await new_owner(filled, index, "SBSYS")
    fresh = await directory_index(session=filled)
    assert fresh is not index
    sbsys = fresh.find_system("SBSYS").systems[0]
    assert [a.person.name for a in fresh.holders(["systemejer"], sbsys.id)] == ["Nanna Ny"]


async def test_each_database_object_keeps_its_own_snapshot(database_url: str) -> None:
    first, second = Database.connect(database_url), Database.connect(database_url)
    try:
        async with first.transaction() as session:
            index = await directory_index(session=session)
            assert await directory_index(session=session) is index
        async with first.transaction() as session:
            assert await directory_index(session=session) is index, "kept across turns"
        async with second.transaction() as session:
            assert await directory_index(session=session) is not index, "nothing per engine"
    finally:
        await first.dispose()
        await second.dispose()


def test_the_subject_is_shown_without_the_sentence_s_punctuation() -> None:
    question = RoleVocabulary(PACK).parse("superbrugere i sbsys, hvem skal jeg kontakte?")
    assert question is not None and question.subject == "sbsys"
