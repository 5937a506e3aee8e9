"""Reuse first: systems the municipality already has, and open requests, that resemble a need."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.text import Vocabulary, normalise
from storage.models import ItSystem, Person, RoleAssignment
from storage.portfolio_search import similar_initiatives
from storage.procurement import open_similar

OWNER_ROLES = ("systemejer", "system_og_dataejer")
MIN_SCORE = 0.55
# Words every need shares ("et system til …", "vi vil gerne købe en app"): they say nothing
# about which system, so they must not make one match ("Ydelsessystem" is not a booking tool).
GENERIC_NEED_WORDS = frozenset(
    token
    for word in (
        "system systemer løsning løsninger app apps applikation program programmer software "
        "værktøj værktøjer platform portal it digital digitalt ny nyt nye købe køb anskaffe "
        "anskaffelse indkøb bruge brug behov mangle mangler have gerne kunne skal online "
        "system application tool solution need want buy new"
    ).split()
    for token in normalise(word)
)


@dataclass(frozen=True)
class SystemMatch:
    """An existing system close to the need, with its current system owners."""

    system_id: int
    name: str
    description: str | None
    owners: tuple[str, ...]
    score: float


@dataclass(frozen=True)
class RequestMatch:
    """An open request with a similar need."""

    request_id: int
    need: str
    unit: str
    requester_name: str
    score: float


@dataclass(frozen=True)
class InitiativeMatch:
    """An open initiative in the portfolio with a similar title, and who runs it."""

    initiative_id: int
    title: str
    status: str
    unit: str
    lead: str
    score: float


@dataclass(frozen=True)
class Reuse:
    """What already exists for a need."""

    systems: tuple[SystemMatch, ...] = ()
    requests: tuple[RequestMatch, ...] = ()
    initiatives: tuple[InitiativeMatch, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.systems or self.requests or self.initiatives)


def _coverage(query: tuple[str, ...], doc: set[str], vocabulary: Vocabulary) -> float:
    """Weighted share of the query's content words the document contains (fuzzily)."""
    if not query:
        return 0.0
    total = found = 0.0
    for token in query:
        weight = vocabulary.query_weight(token)
        total += weight
        best = max(
            (similarity for near, similarity in vocabulary.neighbours(token) if near in doc),
            default=0.0,
        )
        found += weight * best
    return found / total if total else 0.0


def _rank(need: str, documents: Iterable[tuple[int, str]], limit: int) -> list[tuple[int, float]]:
    tokenised = [(key, set(normalise(text))) for key, text in documents]
    vocabulary = Vocabulary(tokens for _, tokens in tokenised)
    query = tuple(
        t
        for t in normalise(need)
        if t not in GENERIC_NEED_WORDS and (t in vocabulary or vocabulary.neighbours(t))
    )
    scored = [(key, _coverage(query, tokens, vocabulary)) for key, tokens in tokenised]
    good = sorted((s for s in scored if s[1] >= MIN_SCORE), key=lambda s: -s[1])
    return good[:limit]


async def find_existing(*, session: AsyncSession, need: str, limit: int = 3) -> Reuse:
    """Systems (names, aliases, descriptions), open requests and open initiatives like `need`."""
    systems = {
        row.id: row
        for row in await session.scalars(
            select(ItSystem).where(ItSystem.lifecycle_status != "udfaset")
        )
    }
    system_texts = (
        (sid, " ".join([s.name, *(s.aliases or []), s.description or ""]))
        for sid, s in systems.items()
    )
    system_hits = _rank(need, system_texts, limit)
    owners: dict[int | None, list[str]] = {}  # system_id IN (…) leaves out NULL
    if system_hits:
        rows = await session.execute(
            select(RoleAssignment.system_id, Person.name)
            .join(Person, Person.id == RoleAssignment.person_id)
            .where(
                RoleAssignment.system_id.in_([sid for sid, _ in system_hits]),
                RoleAssignment.role_key.in_(OWNER_ROLES),
                RoleAssignment.valid_to.is_(None),
            )
            .order_by(Person.name)
        )
        for system_id, name in rows:
            owners.setdefault(system_id, []).append(name)
    requests = {r.id: r for r in await open_similar(session=session)}
    request_hits = _rank(need, ((rid, r.need) for rid, r in requests.items()), limit)
    initiatives = await similar_initiatives(
        session=session, title=need, limit=limit, min_overlap=0.0, open_only=True
    )
    return Reuse(
        initiatives=tuple(
            InitiativeMatch(
                initiative_id=s.initiative.id,
                title=s.initiative.title,
                status=s.initiative.status.value,
                unit=s.initiative.unit_name,
                lead=s.initiative.lead_name,
                score=round(s.score / 100, 3),
            )
            for s in initiatives
        ),
        systems=tuple(
            SystemMatch(
                system_id=sid,
                name=systems[sid].name,
                description=systems[sid].description,
                owners=tuple(owners.get(sid, ())),
                score=round(score, 3),
            )
            for sid, score in system_hits
        ),
        requests=tuple(
            RequestMatch(
                request_id=rid,
                need=requests[rid].need,
                unit=requests[rid].unit,
                requester_name=requests[rid].requester_name,
                score=round(score, 3),
            )
            for rid, score in request_hits
        ),
    )
