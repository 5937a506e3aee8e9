"""Portfolio services on a real session (SQLite and PostgreSQL), rolled back per test."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.portfolio import Category, Funding, Gain, InitiativeStatus, load_rules
from storage.access import Access, Actor, Role, access_of, grant_role
from storage.audit import Author, history
from storage.directory import touch_directory
from storage.models import ItSystem, OrgUnit, Person
from storage.models.portfolio import Initiative
from storage.portfolio import (
    InitiativeRecord,
    UnknownInitiativeError,
    get_initiative,
    my_initiatives,
    register_initiative,
)
from storage.portfolio_followers import follow_initiative
from storage.portfolio_moves import (
    MoveNotAllowedError,
    NotBodyMemberError,
    ReasonRequiredError,
    StaleMoveError,
    allowed_moves,
    move_initiative,
)
from storage.portfolio_report import portfolio_report
from storage.portfolio_search import search_initiatives, similar_initiatives
from tests.portfolio.factories import ANNE, BO, CHARLOTTE, new_initiative

RULES = load_rules("norddjurs")


async def _move(
    session: AsyncSession,
    initiative_id: int,
    to: InitiativeStatus,
    actor: Actor,
    access: Access,
    **more: Any,
) -> InitiativeRecord:
    """A move under the pack's rules, as every test here makes it."""
    return await move_initiative(
        session=session, initiative_id=initiative_id, to=to, actor=actor, access=access,
        rules=RULES, **more,
    )  # fmt: skip


async def _member(session: AsyncSession, principal: str, body: str, role: Role = Role.MEMBER):
    await grant_role(
        session=session, principal=principal, role=role, body_key=body, by=Author("test")
    )
    return await access_of(session=session, aad_object_id=principal)


async def test_register_matches_unit_lead_and_systems_to_the_directory(
    session: AsyncSession,
) -> None:
    unit = OrgUnit(name="Sundhed og Omsorg")
    session.add(unit)
    session.add(ItSystem(name="KMD Nexus", aliases=["Nexus"]))
    session.add(Person(email="mette.lund@norddjurs.dk", name="Mette Lund"))
    await session.flush()
    await touch_directory(session=session)  # written behind the services: say so, as they do

    record = await register_initiative(
        session=session,
        new=new_initiative(unit="sundhed & omsorg", systems=("nexus", "Sensorplatform")),
        actor=ANNE,
    )

    assert record.status is InitiativeStatus.IDE
    assert (record.org_unit_id, record.unit_name) == (unit.id, "Sundhed og Omsorg")
    assert record.lead_person_id is not None and record.lead_name == "Mette Lund"
    assert [(s.name, s.system_id is not None) for s in record.systems] == [
        ("KMD Nexus", True),
        ("Sensorplatform", False),
    ]
    assert record.gains == {
        Gain.KVALITET: "Færre fald om natten",
        Gain.TRIVSEL: "Roligere nattevagter",
    }
    assert [(h.from_status, h.to_status, h.actor_name) for h in record.history] == [
        (None, InitiativeStatus.IDE, "Anne Jensen")
    ]
    audit = await history(session=session, entity="initiative", entity_id=record.id)
    assert [a.action for a in audit] == ["register"]


async def test_unknown_unit_and_lead_are_kept_as_typed(session: AsyncSession) -> None:
    record = await register_initiative(
        session=session, new=new_initiative(unit="Teknik og Miljø", lead="ukendt@x.dk"), actor=ANNE
    )
    assert (record.org_unit_id, record.unit_name) == (None, "Teknik og Miljø")
    assert (record.lead_person_id, record.lead_name) == (None, "ukendt@x.dk")


async def test_similar_titles_are_found_and_different_ones_are_not(session: AsyncSession) -> None:
    first = await register_initiative(session=session, new=new_initiative(), actor=ANNE)
    await register_initiative(
        session=session, new=new_initiative(title="Chatbot til borgerservice"), actor=ANNE
    )

    near = await similar_initiatives(
        session=session, title="Digitale nattevagter med sensorer på plejecentrene"
    )
    assert [s.initiative.id for s in near] == [first.id]
    assert await similar_initiatives(session=session, title="Digital post til virksomheder") == []


async def test_lifecycle_by_the_right_bodies(session: AsyncSession) -> None:
    record = await register_initiative(session=session, new=new_initiative(), actor=ANNE)
    programme = await _member(session, BO.principal, "programgruppe")
    steering = await _member(session, CHARLOTTE.principal, "styregruppe", Role.CHAIR)

    steps = [
        (InitiativeStatus.INDSTILLET, BO, programme),
        (InitiativeStatus.PRIORITERET, CHARLOTTE, steering),
        (InitiativeStatus.I_GANG, BO, programme),
        (InitiativeStatus.I_DRIFT, BO, programme),
        (InitiativeStatus.AFSLUTTET, BO, programme),
    ]
    for to, actor, access in steps:
        record = await _move(session, record.id, to, actor, access, reason=f"til {to}")
    assert record.status is InitiativeStatus.AFSLUTTET
    assert [(h.to_status, h.body_key) for h in record.history] == [
        (InitiativeStatus.IDE, None),
        (InitiativeStatus.INDSTILLET, "programgruppe"),
        (InitiativeStatus.PRIORITERET, "styregruppe"),
        (InitiativeStatus.I_GANG, "programgruppe"),
        (InitiativeStatus.I_DRIFT, "programgruppe"),
        (InitiativeStatus.AFSLUTTET, "programgruppe"),
    ]
    assert record.history[2].actor_name == "Charlotte Dahl"
    assert record.history[2].reason == "til prioriteret"


async def test_wrong_body_non_member_and_bad_moves_are_refused(session: AsyncSession) -> None:
    record = await register_initiative(session=session, new=new_initiative(), actor=ANNE)
    programme = await _member(session, BO.principal, "programgruppe")
    nobody = await access_of(session=session, aad_object_id=ANNE.principal)

    with pytest.raises(NotBodyMemberError) as refused:
        await _move(session, record.id, InitiativeStatus.INDSTILLET, ANNE, nobody)
    assert refused.value.bodies == ("programgruppe",)
    with pytest.raises(MoveNotAllowedError):
        await _move(session, record.id, InitiativeStatus.PRIORITERET, BO, programme)
    with pytest.raises(ReasonRequiredError):
        await _move(session, record.id, InitiativeStatus.AFVIST, BO, programme, reason="  ")
    moved = await _move(
        session,
        record.id,
        InitiativeStatus.INDSTILLET,
        BO,
        programme,
        expected_from=InitiativeStatus.IDE,
    )
    with pytest.raises(NotBodyMemberError):  # the programme group cannot prioritise
        await _move(session, moved.id, InitiativeStatus.PRIORITERET, BO, programme)
    with pytest.raises(StaleMoveError):  # an old card asking to move it from idé again
        await _move(
            session,
            moved.id,
            InitiativeStatus.INDSTILLET,
            BO,
            programme,
            expected_from=InitiativeStatus.IDE,
        )
    with pytest.raises(UnknownInitiativeError):
        await get_initiative(session=session, initiative_id=moved.id + 100)
    unchanged = await get_initiative(session=session, initiative_id=moved.id)
    assert unchanged.status is InitiativeStatus.INDSTILLET and len(unchanged.history) == 2


async def test_admin_may_make_any_move_and_moves_are_listed_per_viewer(
    session: AsyncSession,
) -> None:
    await grant_role(session=session, principal="admin@x.dk", role=Role.ADMIN, by=Author("test"))
    admin = await access_of(session=session, aad_object_id=None, email="admin@x.dk")
    programme = await _member(session, BO.principal, "programgruppe")
    nobody = await access_of(session=session, aad_object_id=ANNE.principal)

    assert {t.to for t, _ in allowed_moves(InitiativeStatus.IDE, programme, RULES)} == {
        InitiativeStatus.INDSTILLET,
        InitiativeStatus.AFVIST,
    }
    assert allowed_moves(InitiativeStatus.INDSTILLET, programme, RULES) == []
    assert allowed_moves(InitiativeStatus.IDE, nobody, RULES) == []
    assert {body for _, body in allowed_moves(InitiativeStatus.INDSTILLET, admin, RULES)} == {
        "admin"
    }


async def test_search_by_words_status_and_unit(session: AsyncSession) -> None:
    sensors = await register_initiative(session=session, new=new_initiative(), actor=ANNE)
    chatbot = await register_initiative(
        session=session,
        new=new_initiative(
            title="Chatbot til borgerservice",
            description="En chatbot svarer på spørgsmål om pas og kørekort.",
            unit="Borgerservice",
        ),
        actor=BO,
    )
    await register_initiative(
        session=session,
        new=new_initiative(title="Robotstøvsugere på plejecentre", description="Rengøring."),
        actor=BO,
    )
    programme = await _member(session, BO.principal, "programgruppe")
    await _move(session, sensors.id, InitiativeStatus.INDSTILLET, BO, programme)

    found = await search_initiatives(session=session, words="sensorer")
    assert [i.id for i in found] == [sensors.id]
    assert [i.id for i in await search_initiatives(session=session, words="kørekort")] == [
        chatbot.id
    ]
    in_unit = await search_initiatives(session=session, unit="sundhed og omsorg")
    assert len(in_unit) == 2
    indstillet = await search_initiatives(
        session=session, status=InitiativeStatus.INDSTILLET, unit="Sundhed og omsorg"
    )
    assert [i.id for i in indstillet] == [sensors.id]
    assert await search_initiatives(session=session, words="blockchain") == []


async def test_mine_covers_registered_led_and_followed(session: AsyncSession) -> None:
    session.add(Person(email="bo@x.dk", name="Bo Holm", aad_object_id=BO.principal))
    await session.flush()
    await touch_directory(session=session)
    registered = await register_initiative(session=session, new=new_initiative(), actor=ANNE)
    led = await register_initiative(
        session=session, new=new_initiative(title="Chatbot", lead="Bo Holm"), actor=CHARLOTTE
    )
    followed = await register_initiative(
        session=session, new=new_initiative(title="Robotter"), actor=CHARLOTTE
    )
    await follow_initiative(session=session, initiative_id=followed.id, actor=BO)
    await follow_initiative(session=session, initiative_id=followed.id, actor=BO)

    assert [i.id for i in await my_initiatives(session=session, actor=ANNE)] == [registered.id]
    assert {i.id for i in await my_initiatives(session=session, actor=BO)} == {led.id, followed.id}
    record = await get_initiative(session=session, initiative_id=followed.id)
    assert record.followers == ("Bo Holm",)


async def test_report_counts_changes_and_stale(session: AsyncSession) -> None:
    fresh = await register_initiative(session=session, new=new_initiative(), actor=ANNE)
    old = await register_initiative(
        session=session,
        new=new_initiative(
            title="Chatbot",
            category=Category.TVAERGAAENDE,
            funding=Funding.DRIFTSBEVILLING,
            unit="Borgerservice",
            estimated_cost=None,
            business_case=False,
        ),
        actor=ANNE,
    )
    row = await session.get(Initiative, old.id)
    assert row is not None
    row.status_changed_at = row.status_changed_at - timedelta(days=120)
    await session.flush()

    report = await portfolio_report(session=session, year=fresh.created_at.year)

    assert report.total == 2
    assert report.by_status == {InitiativeStatus.IDE: 2}
    assert report.by_category == {Category.LOKAL: 1, Category.TVAERGAAENDE: 1}
    assert report.by_funding == {Funding.DRIFTSBEVILLING: 1, Funding.PULJE: 1}
    assert report.by_unit == {"Borgerservice": 1, "Sundhed og Omsorg": 1}
    assert report.with_business_case == 1 and report.estimated_cost_total == 450_000
    assert [s.id for s in report.stale] == [old.id]
    assert len(report.changes) == 2
    assert len(report.gains[Gain.KVALITET]) == 2
    last_year = await portfolio_report(session=session, year=fresh.created_at.year - 1)
    assert last_year.changes == []
    assert (await session.scalar(select(Initiative.id).where(Initiative.id == old.id))) == old.id


@pytest.mark.parametrize("pack", ["norddjurs", "randers", "rebild"])
async def test_demo_initiatives_follow_each_packs_rules(session: AsyncSession, pack: str) -> None:
    from storage.demo.portfolio import INITIATIVES, load

    await load(session=session, pack_key=pack)
    report = await portfolio_report(session=session, year=2026)
    assert report.total == len(INITIATIVES)
    assert report.by_status == {
        InitiativeStatus.IDE: 1,
        InitiativeStatus.INDSTILLET: 1,
        InitiativeStatus.I_GANG: 1,
        InitiativeStatus.I_DRIFT: 1,
    }


async def test_register_matches_through_the_directory_services(session: AsyncSession) -> None:
    from storage.directory import ensure_person, ensure_system, set_assignment

    mette = await ensure_person(
        session=session,
        email="mette.lund@norddjurs.dk",
        name="Mette Lund",
        by=Author("test"),
        org_unit="Sundhed og Omsorg",
    )
    await ensure_person(session=session, email="mette.lind@x.dk", name="Mette Lind", by=Author("t"))
    nexus = await ensure_system(session=session, name="KMD Nexus", by=Author("test"))
    await set_assignment(
        session=session,
        person_id=mette.id,
        role_key="systemejer",
        system_id=nexus.id,
        by=Author("t"),
    )

    by_email = await register_initiative(
        session=session,
        new=new_initiative(unit="sundhed og omsorg", lead="Mette.Lund@norddjurs.dk"),
        actor=ANNE,
    )
    ambiguous = await register_initiative(
        session=session, new=new_initiative(title="Andet", lead="Mette"), actor=ANNE
    )

    assert (by_email.lead_person_id, by_email.lead_name) == (mette.id, "Mette Lund")
    assert by_email.unit_name == "Sundhed og Omsorg" and by_email.org_unit_id is not None
    assert (ambiguous.lead_person_id, ambiguous.lead_name) == (None, "Mette")


@pytest.mark.parametrize(
    ("title", "warned"),
    [
        ("Sensorer", False),  # one word of a four-word title
        ("Chatbot", False),  # one word of a two-word title
        ("Digital nattevagt", False),  # half of the title
        ("Chatbot til borgerservice", True),
        ("Chatbott til borgerservicen", True),  # typos and inflection
        ("Digitale nattevagter med sensorer", True),
    ],
)
async def test_one_word_titles_do_not_duplicate_every_title_with_that_word(
    session: AsyncSession, title: str, warned: bool
) -> None:
    await register_initiative(session=session, new=new_initiative(), actor=ANNE)
    await register_initiative(
        session=session, new=new_initiative(title="Chatbot til borgerservice"), actor=ANNE
    )
    found = await similar_initiatives(session=session, title=title)
    assert bool(found) is warned, [s.initiative.title for s in found]


async def test_a_one_word_title_still_finds_the_same_one_word_title(session: AsyncSession) -> None:
    first = await register_initiative(
        session=session, new=new_initiative(title="Chatbot"), actor=ANNE
    )
    assert [
        s.initiative.id for s in await similar_initiatives(session=session, title="chatbot")
    ] == [first.id]


async def test_the_report_year_and_the_html_dates_follow_the_local_clock(
    session: AsyncSession,
) -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from bot.portfolio_export import to_html
    from storage.models.portfolio import InitiativeEvent

    record = await register_initiative(session=session, new=new_initiative(), actor=ANNE)
    new_year_in_copenhagen = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # 00:30 on 1 January
    event = await session.scalar(
        select(InitiativeEvent).where(InitiativeEvent.initiative_id == record.id)
    )
    assert event is not None
    event.at = new_year_in_copenhagen
    await session.flush()
    copenhagen = ZoneInfo("Europe/Copenhagen")

    local = await portfolio_report(session=session, year=2027, tz=copenhagen)
    utc = await portfolio_report(session=session, year=2027)

    assert len(local.changes) == 1 and utc.changes == []
    html = to_html(local, "da", "Norddjurs Kommune", copenhagen).decode()
    assert "01.01.2027" in html and "31.12.2026" not in html
