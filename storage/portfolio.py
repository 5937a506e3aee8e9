"""The initiative portfolio's records: register an initiative, read it, list one's own.

Following an initiative and who hears of its moves are storage.portfolio_followers, moving
through the lifecycle storage.portfolio_moves, finding duplicates and searching
storage.portfolio_search, the year's report storage.portfolio_report; nothing here knows about
Teams.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from knowledge.portfolio import (
    INITIAL_STATUS,
    Category,
    Funding,
    Gain,
    InitiativeStatus,
)
from storage.access import Actor, principal_of
from storage.audit import Author, record_change
from storage.data_subject import (
    PersonalData,
    Subject,
    anonymous_name,
    exporting,
    held_by,
    kept_history,
)
from storage.directory_index import DirectoryIndex
from storage.directory_snapshots import directory_index
from storage.errors import DomainError, UnknownRecordError
from storage.identity import people_known_by
from storage.models import (
    Initiative,
    InitiativeEvent,
    InitiativeFollower,
    InitiativeSystem,
)
from storage.models.base import utcnow
from storage.records import record_of, row_by_id, row_values

TERMINAL = frozenset({InitiativeStatus.AFSLUTTET, InitiativeStatus.AFVIST})
ENTITY = "initiative"


class PortfolioError(DomainError):
    """Base of the portfolio's domain errors."""


class UnknownInitiativeError(PortfolioError, UnknownRecordError):
    """No initiative has that id."""

    default_key = "portfolio.refused.unknown"


@dataclass(frozen=True)
class InitiativePlan:
    """What an initiative proposes, as its registration gives it and its record keeps it."""

    title: str
    description: str
    category: Category
    core_task: str
    gains: dict[Gain, str]
    funding: Funding
    estimated_cost: int | None
    business_case: bool
    start_date: date
    end_date: date | None


@dataclass(frozen=True)
class NewInitiative(InitiativePlan):
    """A validated registration (the dialogs validate user input into this)."""

    unit: str
    lead: str
    systems: tuple[str, ...] = ()


@dataclass(frozen=True)
class HistoryEntry:
    """One lifecycle step."""

    at: datetime
    actor: str
    actor_name: str
    from_status: InitiativeStatus | None
    to_status: InitiativeStatus
    body_key: str | None
    reason: str | None


@dataclass(frozen=True)
class SystemRef:
    """A related system as given, and the directory system it matched (if any)."""

    name: str
    system_id: int | None


@dataclass(frozen=True)
class InitiativeSummary:
    """An initiative in a list."""

    id: int
    title: str
    status: InitiativeStatus
    unit_name: str
    category: Category
    lead_name: str
    status_changed_at: datetime


@dataclass(frozen=True)
class InitiativeRecord(InitiativePlan):
    """An initiative with everything known about it."""

    id: int
    unit_name: str
    org_unit_id: int | None
    lead_name: str
    lead_person_id: int | None
    status: InitiativeStatus
    status_changed_at: datetime
    registered_by: str
    registered_by_name: str
    created_at: datetime
    systems: tuple[SystemRef, ...] = ()
    followers: tuple[str, ...] = ()
    history: tuple[HistoryEntry, ...] = ()

    @property
    def summary(self) -> InitiativeSummary:
        """The list form of this initiative."""
        return InitiativeSummary(
            self.id,
            self.title,
            self.status,
            self.unit_name,
            self.category,
            self.lead_name,
            self.status_changed_at,
        )


# --- the directory: units, people and systems by the names users type ------------------------


def _match_unit(index: DirectoryIndex, text: str) -> tuple[int | None, str]:
    unit = index.find_unit(text)
    return (unit.id, unit.name) if unit else (None, text)


def _match_person(index: DirectoryIndex, text: str) -> tuple[int | None, str]:
    person = index.find_people(text).person
    return (person.id, person.name) if person else (None, text)  # unknown or ambiguous: as typed


def _match_systems(index: DirectoryIndex, names: Iterable[str]) -> list[SystemRef]:
    refs: dict[str, SystemRef] = {}
    for name in names:
        found = index.find_system(name)
        system = found.systems[0] if found.outcome == "found" else None
        ref = SystemRef(system.name, system.id) if system else SystemRef(name, None)
        refs.setdefault(ref.name.casefold(), ref)
    return list(refs.values())


# --- reading -----------------------------------------------------------------------------------


def initiative_summary(row: Initiative) -> InitiativeSummary:
    """An initiative's summary as plain data."""
    return record_of(
        InitiativeSummary,
        row,
        status=InitiativeStatus(row.status),
        category=Category(row.category),
    )


# The column each kind of gain is kept in.
GAIN_COLUMNS = {
    Gain.KVALITET: "gain_quality",
    Gain.EFFEKTIVITET: "gain_efficiency",
    Gain.TRIVSEL: "gain_wellbeing",
}


def _gains(row: Initiative) -> dict[Gain, str]:
    values = {gain: getattr(row, column) for gain, column in GAIN_COLUMNS.items()}
    return {gain: text for gain, text in values.items() if text}


def _history_entry(row: InitiativeEvent) -> HistoryEntry:
    return record_of(
        HistoryEntry,
        row,
        from_status=InitiativeStatus(row.from_status) if row.from_status else None,
        to_status=InitiativeStatus(row.to_status),
    )


async def initiative_record(session: AsyncSession, row: Initiative) -> InitiativeRecord:
    """An initiative with its gains, systems and history, as plain data."""
    systems = await session.scalars(
        select(InitiativeSystem)
        .where(InitiativeSystem.initiative_id == row.id)
        .order_by(InitiativeSystem.id)
    )
    followers = await session.scalars(
        select(InitiativeFollower.name)
        .where(InitiativeFollower.initiative_id == row.id)
        .order_by(InitiativeFollower.id)
    )
    events = await session.scalars(
        select(InitiativeEvent)
        .where(InitiativeEvent.initiative_id == row.id)
        .order_by(InitiativeEvent.at, InitiativeEvent.id)
    )
    return record_of(
        InitiativeRecord,
        row,
        category=Category(row.category),
        gains=_gains(row),
        funding=Funding(row.funding),
        status=InitiativeStatus(row.status),
        systems=tuple(SystemRef(s.name, s.system_id) for s in systems),
        followers=tuple(followers),
        history=tuple(_history_entry(e) for e in events),
    )


async def initiative_row(session: AsyncSession, initiative_id: int) -> Initiative:
    """The initiative's row; UnknownInitiativeError when there is none."""
    return await row_by_id(session, Initiative, initiative_id, UnknownInitiativeError)


async def get_initiative(*, session: AsyncSession, initiative_id: int) -> InitiativeRecord:
    """One initiative with its systems, followers and history."""
    return await initiative_record(session, await initiative_row(session, initiative_id))


async def my_initiatives(*, session: AsyncSession, actor: Actor) -> list[InitiativeSummary]:
    """Initiatives the actor registered, leads, or joined."""
    principals = actor.principals
    person_ids = people_known_by(principals)
    followed = select(InitiativeFollower.initiative_id).where(
        InitiativeFollower.principal.in_(principals)
    )
    rows = await session.scalars(
        select(Initiative)
        .where(
            or_(
                Initiative.registered_by.in_(principals),
                Initiative.lead_person_id.in_(person_ids),
                Initiative.id.in_(followed),
            )
        )
        .order_by(Initiative.status_changed_at.desc(), Initiative.id.desc())
    )
    return [initiative_summary(row) for row in rows]


# --- writing -----------------------------------------------------------------------------------


async def register_initiative(
    *, session: AsyncSession, new: NewInitiative, actor: Actor, source: str = "chat"
) -> InitiativeRecord:
    """Add an initiative as an idé, matching unit, lead and systems to the directory."""
    directory = await directory_index(session=session)
    unit_id, unit_name = _match_unit(directory, new.unit)
    lead_id, lead_name = _match_person(directory, new.lead)
    now = utcnow()
    row = Initiative(
        **row_values(
            new,
            Initiative,
            org_unit_id=unit_id,
            unit_name=unit_name,
            category=Category(new.category).value,
            **{column: new.gains.get(gain) for gain, column in GAIN_COLUMNS.items()},
            funding=Funding(new.funding).value,
            lead_person_id=lead_id,
            lead_name=lead_name,
            status=INITIAL_STATUS.value,
            status_changed_at=now,
            registered_by=principal_of(actor.principal),
            registered_by_name=actor.name,
            created_at=now,
            updated_at=now,
        )
    )
    session.add(row)
    await session.flush()
    for ref in _match_systems(directory, new.systems):
        session.add(InitiativeSystem(initiative_id=row.id, system_id=ref.system_id, name=ref.name))
    session.add(
        InitiativeEvent(
            initiative_id=row.id,
            at=now,
            actor=row.registered_by,
            actor_name=actor.name,
            from_status=None,
            to_status=INITIAL_STATUS.value,
        )
    )
    await session.flush()
    await record_change(
        session,
        ENTITY,
        row.id,
        by=Author(row.registered_by, source),
        action="register",
        after={"title": row.title, "unit": row.unit_name, "status": row.status},
    )
    return await initiative_record(session, row)


# --- personal data (storage.personal_data lists these) ------------------------------------


def _initiatives_of(subject: Subject) -> ColumnElement[bool]:
    return held_by(subject, Initiative.registered_by, Initiative.lead_person_id)


async def _erase_initiatives(session: AsyncSession, subject: Subject) -> int:
    rows = list(await session.scalars(select(Initiative).where(_initiatives_of(subject))))
    name = anonymous_name(subject)
    for row in rows:
        if row.registered_by in subject.principals:
            row.registered_by = f"anonymised:{subject.person_id or row.id}"
            row.registered_by_name = name
        if subject.person_id is not None and row.lead_person_id == subject.person_id:
            row.lead_name = name
    return len(rows)


PERSONAL_DATA = (
    PersonalData(
        "initiatives",
        (
            Initiative.registered_by,
            Initiative.registered_by_name,
            Initiative.lead_person_id,
            Initiative.lead_name,
        ),
        export=exporting(_initiatives_of, Initiative.id, Initiative.title, Initiative.status),
        erase=_erase_initiatives,
    ),
    kept_history("initiative_history", (InitiativeEvent.actor, InitiativeEvent.actor_name)),
)
