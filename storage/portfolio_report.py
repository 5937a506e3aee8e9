"""The portfolio's year report: counts, gains, what moved this year and what stood still."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from enum import StrEnum
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.portfolio import (
    Category,
    Funding,
    Gain,
    InitiativeStatus,
)
from storage.models import (
    Initiative,
)
from storage.models.base import utcnow
from storage.portfolio import (
    TERMINAL,
    HistoryEntry,
    InitiativeRecord,
    InitiativeSummary,
    initiative_record,
)

STALE_AFTER = timedelta(days=90)
E = TypeVar("E", bound=StrEnum)


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


async def all_initiatives(*, session: AsyncSession) -> list[InitiativeRecord]:
    """Every initiative with systems and history, oldest first (for exports)."""
    rows = (await session.scalars(select(Initiative).order_by(Initiative.id))).all()
    return [await initiative_record(session, row) for row in rows]


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
