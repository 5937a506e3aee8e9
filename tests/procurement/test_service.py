"""Procurement records on a real database: submit, IT's loop, history, stale clicks, reuse."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.access import Access, Actor, NotAuthorisedError, Role
from storage.audit import Author, history
from storage.db import Database
from storage.directory import ensure_system
from storage.models import ItSystem, Person, RoleAssignment
from storage.procurement import (
    DepartureAnswer,
    Requester,
    RequestStatus,
    record_stopped,
    request_history,
    requests_of,
    submit_request,
)
from storage.procurement_reuse import find_existing
from storage.procurement_screening import (
    MissingNoteError,
    NoOpenQuestionError,
    NotRequesterError,
    StaleActionError,
    answer_question,
    ask_requester,
    decide_request,
    it_channel,
    open_question,
    open_requests,
    set_it_channel,
    take_request,
)

ANNE = Requester(
    principal="aad-anne", name="Anne Jensen", email="anne@kommune.dk", aad_object_id="aad-anne"
)
SCREENER = Actor("aad-ib", "Ib IT", Access(frozenset({(Role.IT_SCREENER, None)})))
EMPLOYEE = Actor("aad-bo", "Bo", Access(frozenset()))


async def _submit(session: AsyncSession, need: str = "Et bookingsystem til mødelokaler") -> int:
    record = await submit_request(
        session=session,
        requester=ANNE,
        pack_key="randers",
        unit="Kultur",
        need=need,
        answers={"personal_data": "ordinary", "own_development": "yes", "users": 40},
        departures=[
            DepartureAnswer(
                "own_development",
                "it_arkitektur",
                "Intet på markedet",
                "Flyttes til standard ved næste udbud",
            )
        ],
    )
    return record.id


async def test_submit_keeps_every_answer_and_departure(session: AsyncSession) -> None:
    request_id = await _submit(session)
    [record] = await requests_of(session=session, principals=["AAD-ANNE"])
    assert record.id == request_id
    assert record.status is RequestStatus.RECEIVED
    assert record.answers["users"] == 40
    assert record.departures[0].justification == "Intet på markedet"
    assert record.departures[0].plan == "Flyttes til standard ved næste udbud"
    assert [r.id for r in await open_requests(session=session)] == [request_id]
    events = await request_history(session=session, request_id=request_id)
    assert [(e.kind, e.to_status) for e in events] == [("status", "modtaget")]


async def test_the_screening_loop_with_history_and_audit(session: AsyncSession) -> None:
    request_id = await _submit(session)
    record, _ = await take_request(session=session, request_id=request_id, actor=SCREENER)
    assert record.status is RequestStatus.SCREENING and record.screener_name == "Ib IT"
    _, question, moved = await ask_requester(
        session=session, request_id=request_id, actor=SCREENER, question="Hvor mange lokaler?"
    )
    assert moved is None, "the request was already under screening"
    assert (await open_question(session=session, request_id=request_id)) == question
    with pytest.raises(NotRequesterError):
        await answer_question(
            session=session, request_id=request_id, principal="aad-bo", answer="12"
        )
    _, asked, answer = await answer_question(
        session=session, request_id=request_id, principal="aad-anne", answer="12 lokaler"
    )
    assert asked.id == question.id and answer.answers_event_id == question.id
    assert await open_question(session=session, request_id=request_id) is None
    with pytest.raises(NoOpenQuestionError):
        await answer_question(
            session=session, request_id=request_id, principal="aad-anne", answer="igen"
        )
    record, _ = await decide_request(
        session=session, request_id=request_id, actor=SCREENER, decision=RequestStatus.APPROVED
    )
    assert record.status is RequestStatus.APPROVED and record.decided_at is not None
    kinds = [
        (e.kind, e.to_status) for e in await request_history(session=session, request_id=request_id)
    ]
    assert kinds == [
        ("status", "modtaget"),
        ("status", "under_screening"),
        ("question", None),
        ("answer", None),
        ("status", "godkendt"),
    ]
    audit = await history(session=session, entity="procurement_request", entity_id=request_id)
    assert {a.action for a in audit} >= {"create", "status:godkendt", "question", "answer"}
    assert await open_requests(session=session) == []


async def test_a_repeated_or_stale_click_changes_nothing(session: AsyncSession) -> None:
    request_id = await _submit(session)
    await decide_request(
        session=session,
        request_id=request_id,
        actor=SCREENER,
        decision=RequestStatus.REJECTED,
        note="Vi har allerede et system",
    )
    for action in (
        take_request(session=session, request_id=request_id, actor=SCREENER),
        decide_request(
            session=session,
            request_id=request_id,
            actor=SCREENER,
            decision=RequestStatus.REJECTED,
            note="igen",
        ),
        decide_request(
            session=session, request_id=request_id, actor=SCREENER, decision=RequestStatus.APPROVED
        ),
        ask_requester(session=session, request_id=request_id, actor=SCREENER, question="?"),
    ):
        with pytest.raises(StaleActionError) as caught:
            await action
        assert caught.value.request.status is RequestStatus.REJECTED
    events = await request_history(session=session, request_id=request_id)
    assert len(events) == 2


@pytest.mark.parametrize("decision", [RequestStatus.CONDITIONAL, RequestStatus.REJECTED])
async def test_conditions_and_rejections_need_a_note(
    session: AsyncSession, decision: RequestStatus
) -> None:
    request_id = await _submit(session)
    with pytest.raises(MissingNoteError):
        await decide_request(
            session=session, request_id=request_id, actor=SCREENER, decision=decision, note="  "
        )


async def test_only_screeners_act(session: AsyncSession) -> None:
    request_id = await _submit(session)
    with pytest.raises(NotAuthorisedError):
        await take_request(session=session, request_id=request_id, actor=EMPLOYEE)
    with pytest.raises(NotAuthorisedError):
        await decide_request(
            session=session, request_id=request_id, actor=EMPLOYEE, decision=RequestStatus.APPROVED
        )


async def test_dispensation_sought_then_approved(session: AsyncSession) -> None:
    request_id = await _submit(session)
    record, _ = await decide_request(
        session=session, request_id=request_id, actor=SCREENER, decision=RequestStatus.DISPENSATION
    )
    assert record.is_open
    record, _ = await decide_request(
        session=session,
        request_id=request_id,
        actor=SCREENER,
        decision=RequestStatus.CONDITIONAL,
        note="Kun med SSO",
    )
    assert record.decision_note == "Kun med SSO"


async def test_reuse_stop_is_recorded(session: AsyncSession) -> None:
    record = await record_stopped(
        session=session,
        requester=ANNE,
        pack_key="randers",
        unit="Kultur",
        need="booking",
        status=RequestStatus.REUSE,
    )
    assert record.status is RequestStatus.REUSE and not record.is_open
    with pytest.raises(ValueError):
        await record_stopped(
            session=session,
            requester=ANNE,
            pack_key="randers",
            unit="K",
            need="x",
            status=RequestStatus.APPROVED,
        )


async def test_it_channel_set_in_teams_wins_over_the_setting(session: AsyncSession) -> None:
    assert await it_channel(session=session, default="19:env@thread") == "19:env@thread"
    assert await it_channel(session=session) is None
    await set_it_channel(session=session, conversation_id="19:it@thread", actor="aad-admin")
    await session.flush()
    assert await it_channel(session=session, default="19:env@thread") == "19:it@thread"


async def test_reuse_finds_systems_with_owners_and_open_requests(session: AsyncSession) -> None:
    session.add_all(
        [
            ItSystem(
                name="Booking Plus",
                aliases=["lokalebooking"],
                description="Booking af lokaler og mødelokaler",
            ),
            ItSystem(name="SBSYS", aliases=["ESDH"], description="Sags- og dokumenthåndtering"),
        ]
    )
    mette = Person(email="mette@kommune.dk", name="Mette Hansen")
    session.add(mette)
    await session.flush()
    booking = await session.scalar(select(ItSystem).where(ItSystem.name == "Booking Plus"))
    assert booking is not None
    session.add(RoleAssignment(person_id=mette.id, role_key="systemejer", system_id=booking.id))
    await _submit(session, need="Vi mangler et bookingsystem til sale")
    await session.flush()

    found = await find_existing(session=session, need="vi vil gerne have et nyt bookingsystem")
    assert [s.name for s in found.systems] == ["Booking Plus"]
    assert found.systems[0].owners == ("Mette Hansen",)
    assert [r.need for r in found.requests] == ["Vi mangler et bookingsystem til sale"]
    assert not await find_existing(session=session, need="parkering af cykler")


async def test_reuse_ignores_words_every_need_shares(session: AsyncSession) -> None:
    session.add_all(
        [
            ItSystem(name="KY", description="Kommunernes Ydelsessystem"),
            ItSystem(name="Booking Plus", description="Booking af lokaler og mødelokaler"),
        ]
    )
    await session.flush()
    found = await find_existing(
        session=session, need="vi vil gerne købe et system til booking af mødelokaler"
    )
    assert [s.name for s in found.systems] == ["Booking Plus"]
    assert not await find_existing(session=session, need="en app til forældrekommunikation")


async def test_reuse_finds_open_initiatives_with_their_lead_and_unit(
    session: AsyncSession,
) -> None:
    from dataclasses import replace as changed

    from dialogs.cards import card
    from dialogs.procurement_prompts import reuse_values
    from knowledge.portfolio import InitiativeStatus, load_rules
    from storage.portfolio import register_initiative
    from storage.portfolio_moves import move_initiative
    from tests.portfolio.factories import ANNE as REGISTRANT
    from tests.portfolio.factories import new_initiative

    booking = await register_initiative(
        session=session,
        new=new_initiative(title="Fælles bookingsystem til mødelokaler", lead="Jens Bo"),
        actor=REGISTRANT,
    )
    ended = await register_initiative(
        session=session,
        new=changed(new_initiative(), title="Bookingsystem til sportshaller"),
        actor=REGISTRANT,
    )
    admin = Access(frozenset({(Role.ADMIN, None)}))
    await move_initiative(
        session=session,
        initiative_id=ended.id,
        to=InitiativeStatus.AFVIST,
        actor=Actor("aad-admin", "Admin"),
        access=admin,
        rules=load_rules("norddjurs"),
        reason="Dækket af andet",
    )

    found = await find_existing(session=session, need="vi vil gerne have et nyt bookingsystem")

    assert [(i.initiative_id, i.lead, i.unit) for i in found.initiatives] == [
        (booking.id, "Jens Bo", "Sundhed og Omsorg")
    ]
    # The card as the guide shows it, from the guide's own values (systems and requests too).
    shown = card("procurement_reuse", "da", **reuse_values(found)).content
    lines = [b["text"] for b in shown["body"]]
    assert "**Fælles bookingsystem til mødelokaler** (initiativ nr. 1, idé)" in lines
    assert "Projektleder: Jens Bo · Sundhed og Omsorg" in lines


async def test_reuse_sees_a_system_added_after_its_corpus_was_built(database: Database) -> None:
    """The tokenised systems are kept per directory change token: a change rebuilds them."""
    need = "vi vil gerne have et nyt bookingsystem"
    async with database.transaction() as session:
        assert not (await find_existing(session=session, need=need)).systems
    async with database.transaction() as session:
        await ensure_system(session=session, name="Bookingsystem Plus", by=Author("test"))
    async with database.transaction() as session:
        found = await find_existing(session=session, need=need)
    assert [s.name for s in found.systems] == ["Bookingsystem Plus"]
