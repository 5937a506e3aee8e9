"""The initiative portfolio: register, find duplicates, move through the lifecycle, search, report.

Who may make a lifecycle move is read from the pack's rules (knowledge.portfolio) and checked
against the actor's body grants (storage.access); nothing here knows about Teams.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Any, TypeVar

from rapidfuzz import fuzz
from sqlalchemy import Select, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.portfolio import (
    INITIAL_STATUS,
    Category,
    Funding,
    Gain,
    InitiativeStatus,
    PortfolioRules,
    Transition,
)
from knowledge.text import FuzzyIndex, normalise
from storage.access import Access, Actor, Role, principal_of
from storage.audit import record_change
from storage.data_subject import PersonalData, Subject, anonymous_name, anonymous_principal
from storage.directory_index import DirectoryIndex, directory_index
from storage.errors import DomainError
from storage.identity import people_known_by
from storage.models import (
    Initiative,
    InitiativeEvent,
    InitiativeFollower,
    InitiativeSystem,
)
from storage.models.base import utcnow

TERMINAL = frozenset({InitiativeStatus.AFSLUTTET, InitiativeStatus.AFVIST})
STALE_AFTER = timedelta(days=90)
DUPLICATE_CUTOFF = 72.0
# A near-duplicate shares at least this share of the longer title's content words.
DUPLICATE_OVERLAP = 0.6
ENTITY = "initiative"
E = TypeVar("E", bound=StrEnum)


class PortfolioError(DomainError):
    """Base of the portfolio's domain errors."""


class UnknownInitiativeError(PortfolioError):
    """No initiative has that id."""

    key = "portfolio.refused.unknown"

    def __init__(self, initiative_id: int) -> None:
        super().__init__(f"initiative {initiative_id} does not exist", id=initiative_id)
        self.initiative_id = initiative_id


class MoveNotAllowedError(PortfolioError):
    """The pack's rules have no move from the initiative's status to the wanted one."""

    key = "portfolio.refused.not_allowed"

    def __init__(self, current: InitiativeStatus, wanted: InitiativeStatus) -> None:
        super().__init__(f"no move {current} → {wanted}", from_status=current, to_status=wanted)
        self.current = current
        self.wanted = wanted


class StaleMoveError(PortfolioError):
    """The initiative has moved on since the card that asked for this move was shown."""

    key = "portfolio.refused.stale"

    def __init__(self, current: InitiativeStatus) -> None:
        super().__init__(f"initiative is now {current}", status=current)
        self.current = current


class NotBodyMemberError(PortfolioError):
    """The actor sits in none of the bodies that may make this move."""

    key = "portfolio.refused.not_member"

    def __init__(self, bodies: tuple[str, ...]) -> None:
        super().__init__(f"needs membership of {', '.join(bodies)}", bodies=bodies)
        self.bodies = bodies


class ReasonRequiredError(PortfolioError):
    """This move must say why (e.g. afvist, sat på pause)."""

    key = "portfolio.refused.reason"


@dataclass(frozen=True)
class NewInitiative:
    """A validated registration (the dialogs validate user input into this)."""

    title: str
    description: str
    unit: str
    category: Category
    core_task: str
    gains: dict[Gain, str]
    funding: Funding
    estimated_cost: int | None
    business_case: bool
    start_date: date
    end_date: date | None
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
class InitiativeRecord:
    """An initiative with everything known about it."""

    id: int
    title: str
    description: str
    unit_name: str
    org_unit_id: int | None
    category: Category
    core_task: str
    gains: dict[Gain, str]
    funding: Funding
    estimated_cost: int | None
    business_case: bool
    start_date: date
    end_date: date | None
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


@dataclass(frozen=True)
class SimilarInitiative:
    """A possible duplicate and how alike its title is (0–100)."""

    initiative: InitiativeSummary
    score: float


@dataclass(frozen=True)
class PortfolioReport:
    """The year's status: counts, gains, what moved this year, and what stood still."""

    year: int
    generated_at: datetime
    total: int
    by_status: dict[InitiativeStatus, int]
    by_category: dict[Category, int]
    by_funding: dict[Funding, int]
    by_unit: dict[str, int]
    gains: dict[Gain, list[tuple[InitiativeSummary, str]]]
    with_business_case: int
    estimated_cost_total: int
    changes: list[tuple[InitiativeSummary, HistoryEntry]]
    stale: list[InitiativeSummary]
    initiatives: list[InitiativeRecord] = field(default_factory=list)


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


def _summary(row: Initiative) -> InitiativeSummary:
    return InitiativeSummary(
        id=row.id,
        title=row.title,
        status=InitiativeStatus(row.status),
        unit_name=row.unit_name,
        category=Category(row.category),
        lead_name=row.lead_name,
        status_changed_at=row.status_changed_at,
    )


def _gains(row: Initiative) -> dict[Gain, str]:
    values = {
        Gain.KVALITET: row.gain_quality,
        Gain.EFFEKTIVITET: row.gain_efficiency,
        Gain.TRIVSEL: row.gain_wellbeing,
    }
    return {gain: text for gain, text in values.items() if text}


def _history_entry(row: InitiativeEvent) -> HistoryEntry:
    return HistoryEntry(
        at=row.at,
        actor=row.actor,
        actor_name=row.actor_name,
        from_status=InitiativeStatus(row.from_status) if row.from_status else None,
        to_status=InitiativeStatus(row.to_status),
        body_key=row.body_key,
        reason=row.reason,
    )


async def _record(session: AsyncSession, row: Initiative) -> InitiativeRecord:
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
    return InitiativeRecord(
        id=row.id,
        title=row.title,
        description=row.description,
        unit_name=row.unit_name,
        org_unit_id=row.org_unit_id,
        category=Category(row.category),
        core_task=row.core_task,
        gains=_gains(row),
        funding=Funding(row.funding),
        estimated_cost=row.estimated_cost,
        business_case=row.business_case,
        start_date=row.start_date,
        end_date=row.end_date,
        lead_name=row.lead_name,
        lead_person_id=row.lead_person_id,
        status=InitiativeStatus(row.status),
        status_changed_at=row.status_changed_at,
        registered_by=row.registered_by,
        registered_by_name=row.registered_by_name,
        created_at=row.created_at,
        systems=tuple(SystemRef(s.name, s.system_id) for s in systems),
        followers=tuple(followers),
        history=tuple(_history_entry(e) for e in events),
    )


async def _row(session: AsyncSession, initiative_id: int) -> Initiative:
    row = await session.get(Initiative, initiative_id)
    if row is None:
        raise UnknownInitiativeError(initiative_id)
    return row


async def get_initiative(*, session: AsyncSession, initiative_id: int) -> InitiativeRecord:
    """One initiative with its systems, followers and history."""
    return await _record(session, await _row(session, initiative_id))


def title_overlap(a: str, b: str) -> float:
    """The share of the longer title's content words the other title has too (typos forgiven).

    Token-set scoring gives 100 whenever one title's words are a subset of the other's, so a
    one-word title would "duplicate" every title containing that word; this keeps it honest.
    """
    left, right = set(normalise(a)), set(normalise(b))
    if not left or not right:
        return 0.0
    shorter, longer = sorted((left, right), key=len)
    shared = sum(1 for word in shorter if any(fuzz.ratio(word, w) >= 80 for w in longer))
    return shared / len(longer)


async def similar_initiatives(
    *,
    session: AsyncSession,
    title: str,
    limit: int = 3,
    cutoff: float = DUPLICATE_CUTOFF,
    min_overlap: float = DUPLICATE_OVERLAP,
    open_only: bool = False,
) -> list[SimilarInitiative]:
    """Existing initiatives whose title is close to `title`, most alike first.

    `min_overlap` 0 lets a longer text (a procurement need) find every title it covers;
    `open_only` leaves out finished and rejected initiatives.
    """
    query = select(Initiative)
    if open_only:
        query = query.where(Initiative.status.not_in([s.value for s in TERMINAL]))
    rows = (await session.scalars(query)).all()
    by_id = {row.id: row for row in rows}
    index = FuzzyIndex(((row.id, [row.title]) for row in rows), kind="text")
    return [
        SimilarInitiative(_summary(by_id[m.key]), m.score)
        for m in index.search(title, limit=limit * 4, cutoff=cutoff)
        if title_overlap(title, by_id[m.key].title) >= min_overlap
    ][:limit]


async def search_initiatives(
    *,
    session: AsyncSession,
    words: str | None = None,
    status: InitiativeStatus | None = None,
    unit: str | None = None,
    limit: int = 25,
) -> list[InitiativeSummary]:
    """Initiatives matching any of: words (title, description, core task), status, unit."""
    query: Select[tuple[Initiative]] = select(Initiative)
    if status is not None:
        query = query.where(Initiative.status == status.value)
    rows = list((await session.scalars(query.order_by(Initiative.id))).all())
    if unit:
        units = FuzzyIndex((row.id, [row.unit_name]) for row in rows)
        wanted = {m.key for m in units.search(unit, limit=len(rows) or 1, cutoff=85)}
        rows = [row for row in rows if row.id in wanted]
    if words:
        texts = FuzzyIndex(
            (
                (row.id, [row.title, f"{row.title} {row.description} {row.core_task}"])
                for row in rows
            ),
            kind="text",
        )
        ranked = [m.key for m in texts.search(words, limit=limit, cutoff=75)]
        by_id = {row.id: row for row in rows}
        rows = [by_id[key] for key in ranked]
    return [_summary(row) for row in rows[:limit]]


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
    return [_summary(row) for row in rows]


async def audience(*, session: AsyncSession, initiative_id: int) -> list[str]:
    """Who hears of an initiative's moves: its registrant and every follower, each once."""
    registrant = await session.scalar(
        select(Initiative.registered_by).where(Initiative.id == initiative_id)
    )
    if registrant is None:
        raise UnknownInitiativeError(initiative_id)
    followers = await session.scalars(
        select(InitiativeFollower.principal)
        .where(InitiativeFollower.initiative_id == initiative_id)
        .order_by(InitiativeFollower.id)
    )
    return list(dict.fromkeys(principal_of(p) for p in (registrant, *followers)))


async def is_follower(*, session: AsyncSession, initiative_id: int, actor: Actor) -> bool:
    """True when the actor registered or joined the initiative."""
    row = await _row(session, initiative_id)
    if row.registered_by in actor.principals:
        return True
    found = await session.scalar(
        select(InitiativeFollower.id).where(
            InitiativeFollower.initiative_id == initiative_id,
            InitiativeFollower.principal.in_(actor.principals),
        )
    )
    return found is not None


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
        title=new.title,
        description=new.description,
        org_unit_id=unit_id,
        unit_name=unit_name,
        category=Category(new.category).value,
        core_task=new.core_task,
        gain_quality=new.gains.get(Gain.KVALITET),
        gain_efficiency=new.gains.get(Gain.EFFEKTIVITET),
        gain_wellbeing=new.gains.get(Gain.TRIVSEL),
        funding=Funding(new.funding).value,
        estimated_cost=new.estimated_cost,
        business_case=new.business_case,
        start_date=new.start_date,
        end_date=new.end_date,
        lead_person_id=lead_id,
        lead_name=lead_name,
        status=INITIAL_STATUS.value,
        status_changed_at=now,
        registered_by=principal_of(actor.principal),
        registered_by_name=actor.name,
        created_at=now,
        updated_at=now,
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
        session=session,
        actor=row.registered_by,
        action="register",
        entity=ENTITY,
        entity_id=row.id,
        after={"title": row.title, "unit": row.unit_name, "status": row.status},
        source=source,
    )
    return await _record(session, row)


async def follow_initiative(
    *, session: AsyncSession, initiative_id: int, actor: Actor
) -> InitiativeRecord:
    """Join an initiative instead of registering a duplicate (joining twice is harmless)."""
    row = await _row(session, initiative_id)
    if not await is_follower(session=session, initiative_id=initiative_id, actor=actor):
        session.add(
            InitiativeFollower(
                initiative_id=row.id, principal=principal_of(actor.principal), name=actor.name
            )
        )
        await session.flush()
        await record_change(
            session=session,
            actor=principal_of(actor.principal),
            action="follow",
            entity=ENTITY,
            entity_id=row.id,
        )
    return await _record(session, row)


def granting_body(transition: Transition, access: Access) -> str | None:
    """The body through which `access` may make `transition` ("admin" for admins), else None."""
    for body in transition.bodies:
        if access.in_body(body) & {Role(r) for r in transition.roles}:
            return body
    return "admin" if access.is_admin else None


def allowed_moves(
    status: InitiativeStatus, access: Access, rules: PortfolioRules
) -> list[tuple[Transition, str]]:
    """The moves out of `status` this user may make, each with the body that allows it."""
    moves = []
    for transition in rules.moves_from(status):
        body = granting_body(transition, access)
        if body is not None:
            moves.append((transition, body))
    return moves


async def move_initiative(
    *,
    session: AsyncSession,
    initiative_id: int,
    to: InitiativeStatus,
    actor: Actor,
    access: Access,
    rules: PortfolioRules,
    reason: str | None = None,
    expected_from: InitiativeStatus | None = None,
    source: str = "chat",
) -> InitiativeRecord:
    """Move an initiative one lifecycle step, if the pack's rules let the actor's body do it."""
    row = await _row(session, initiative_id)
    current = InitiativeStatus(row.status)
    if expected_from is not None and expected_from != current:
        raise StaleMoveError(current)
    transition = rules.transition(current, to)
    if transition is None:
        raise MoveNotAllowedError(current, to)
    body = granting_body(transition, access)
    if body is None:
        raise NotBodyMemberError(transition.bodies)
    reason = (reason or "").strip() or None
    if transition.reason_required and not reason:
        raise ReasonRequiredError()
    now = utcnow()
    row.status = to.value
    row.status_changed_at = now
    row.updated_at = now
    session.add(
        InitiativeEvent(
            initiative_id=row.id,
            at=now,
            actor=principal_of(actor.principal),
            actor_name=actor.name,
            from_status=current.value,
            to_status=to.value,
            body_key=None if body == "admin" else body,
            reason=reason,
        )
    )
    await session.flush()
    await record_change(
        session=session,
        actor=principal_of(actor.principal),
        action="move",
        entity=ENTITY,
        entity_id=row.id,
        before={"status": current.value},
        after={"status": to.value, "body": body, "reason": reason},
        source=source,
    )
    return await _record(session, row)


# --- reporting ---------------------------------------------------------------------------------


async def all_initiatives(*, session: AsyncSession) -> list[InitiativeRecord]:
    """Every initiative with systems and history, oldest first (for exports)."""
    rows = (await session.scalars(select(Initiative).order_by(Initiative.id))).all()
    return [await _record(session, row) for row in rows]


def _ordered(counter: Counter[E], order: Iterable[E]) -> dict[E, int]:
    return {key: counter[key] for key in order if counter[key]}


async def portfolio_report(
    *, session: AsyncSession, year: int, now: datetime | None = None, tz: tzinfo = UTC
) -> PortfolioReport:
    """The yearly status report's figures, as of `now`; the year runs by the local clock `tz`."""
    now = now or utcnow()
    records = await all_initiatives(session=session)
    start = datetime(year, 1, 1, tzinfo=tz)
    end = datetime(year + 1, 1, 1, tzinfo=tz)
    gains: dict[Gain, list[tuple[InitiativeSummary, str]]] = {gain: [] for gain in Gain}
    changes: list[tuple[InitiativeSummary, HistoryEntry]] = []
    for record in records:
        for gain, text in record.gains.items():
            gains[gain].append((record.summary, text))
        changes.extend((record.summary, e) for e in record.history if start <= e.at < end)
    changes.sort(key=lambda change: change[1].at)
    units = Counter(r.unit_name for r in records)
    return PortfolioReport(
        year=year,
        generated_at=now,
        total=len(records),
        by_status=_ordered(Counter(r.status for r in records), list(InitiativeStatus)),
        by_category=_ordered(Counter(r.category for r in records), list(Category)),
        by_funding=_ordered(Counter(r.funding for r in records), list(Funding)),
        by_unit=dict(sorted(units.items(), key=lambda item: (-item[1], item[0]))),
        gains=gains,
        with_business_case=sum(1 for r in records if r.business_case),
        estimated_cost_total=sum(r.estimated_cost or 0 for r in records),
        changes=changes,
        stale=[
            r.summary
            for r in records
            if r.status not in TERMINAL and now - r.status_changed_at >= STALE_AFTER
        ],
        initiatives=records,
    )


# --- personal data (storage.personal_data lists these) ------------------------------------


def _initiatives_of(subject: Subject) -> Any:
    conditions = [Initiative.registered_by.in_(subject.principals)]
    if subject.person_id is not None:
        conditions.append(Initiative.lead_person_id == subject.person_id)
    return or_(*conditions)


async def _export_initiatives(session: AsyncSession, subject: Subject) -> list[dict[str, Any]]:
    rows = await session.scalars(select(Initiative).where(_initiatives_of(subject)))
    return [{"id": r.id, "title": r.title, "status": r.status} for r in rows]


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


async def _export_following(session: AsyncSession, subject: Subject) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(InitiativeFollower).where(InitiativeFollower.principal.in_(subject.principals))
    )
    return [{"initiative_id": r.initiative_id} for r in rows]


async def _erase_following(session: AsyncSession, subject: Subject) -> int:
    result = await session.execute(
        delete(InitiativeFollower).where(InitiativeFollower.principal.in_(subject.principals))
    )
    return int(result.rowcount or 0)


async def _erase_history(session: AsyncSession, subject: Subject) -> int:
    """Who moved an initiative stays in its history, without a name."""
    result = await session.execute(
        update(InitiativeEvent)
        .where(func.lower(InitiativeEvent.actor).in_(subject.principals))
        .values(actor=anonymous_principal(subject), actor_name=anonymous_name(subject))
    )
    return int(result.rowcount or 0)


PERSONAL_DATA = (
    PersonalData(
        "initiatives",
        (
            Initiative.registered_by,
            Initiative.registered_by_name,
            Initiative.lead_person_id,
            Initiative.lead_name,
        ),
        export=_export_initiatives,
        erase=_erase_initiatives,
    ),
    PersonalData(
        "initiative_following",
        (InitiativeFollower.principal, InitiativeFollower.name),
        export=_export_following,
        erase=_erase_following,
    ),
    PersonalData(
        "initiative_history",
        (InitiativeEvent.actor, InitiativeEvent.actor_name),
        erase=_erase_history,
    ),
)
