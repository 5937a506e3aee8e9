"""Finding initiatives: possible duplicates of a new title, and search by words, unit and status."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.portfolio import (
    InitiativeStatus,
)
from knowledge.text import FuzzyIndex, normalise
from storage.models import (
    Initiative,
)
from storage.portfolio import TERMINAL, InitiativeSummary, initiative_summary

DUPLICATE_CUTOFF = 72.0
# A near-duplicate shares at least this share of the longer title's content words.
DUPLICATE_OVERLAP = 0.6


@dataclass(frozen=True)
class SimilarInitiative:
    """A possible duplicate and how alike its title is (0–100)."""

    initiative: InitiativeSummary
    score: float


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
        SimilarInitiative(initiative_summary(by_id[m.key]), m.score)
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
    query = select(Initiative)
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
    return [initiative_summary(row) for row in rows[:limit]]
