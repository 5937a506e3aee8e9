"""Reuse first: systems the municipality already has, and open requests, that resemble a need."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.text import Vocabulary, normalise
from storage.directory import SNAPSHOTS_KEY, directory_token
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


Tokenised = Sequence[tuple[int, frozenset[str]]]


@dataclass(frozen=True)
class _SystemCorpus:
    """The systems in use, tokenised, as of one directory change token."""

    token: str
    names: dict[int, tuple[str, str | None]]  # id -> (name, description)
    documents: Tokenised
    vocabulary: Vocabulary
    postings: dict[str, list[int]]


# One corpus per database (its DirectorySnapshots), rebuilt when the directory changes:
# tokenising 10,000 systems takes most of a second, far too long to repeat on every need.
_corpora: WeakKeyDictionary[object, _SystemCorpus] = WeakKeyDictionary()


def _tokenised(documents: Iterable[tuple[int, str]]) -> Tokenised:
    return [(key, frozenset(normalise(text))) for key, text in documents]


def _corpus_of(token: str, rows: Sequence[Row[int, str, list[str], str | None]]) -> _SystemCorpus:
    documents = _tokenised(
        (sid, " ".join([name, *(aliases or []), description or ""]))
        for sid, name, aliases, description in rows
    )
    return _SystemCorpus(
        token=token,
        names={sid: (name, description) for sid, name, _aliases, description in rows},
        documents=documents,
        vocabulary=Vocabulary(tokens for _, tokens in documents),
        postings=_postings(documents),
    )


async def _system_corpus(session: AsyncSession) -> _SystemCorpus:
    """The corpus for `session`'s directory: the cached one while the change token holds."""
    owner = session.info.get(SNAPSHOTS_KEY)
    token = await directory_token(session=session)
    cached = _corpora.get(owner) if owner is not None else None
    if cached is not None and cached.token == token:
        return cached
    rows = (
        await session.execute(
            select(ItSystem.id, ItSystem.name, ItSystem.aliases, ItSystem.description).where(
                ItSystem.lifecycle_status != "udfaset"
            )
        )
    ).all()
    corpus = await asyncio.to_thread(_corpus_of, token, rows)
    if owner is not None:
        _corpora[owner] = corpus
    return corpus


def _rank(need: str, documents: Iterable[tuple[int, str]], limit: int) -> list[tuple[int, float]]:
    tokenised = _tokenised(documents)
    return _rank_tokenised(need, tokenised, Vocabulary(t for _, t in tokenised), limit)


def _postings(tokenised: Tokenised) -> dict[str, list[int]]:
    """Each token's documents, as positions in `tokenised`."""
    postings: dict[str, list[int]] = {}
    for position, (_key, tokens) in enumerate(tokenised):
        for token in tokens:
            postings.setdefault(token, []).append(position)
    return postings


def _rank_tokenised(
    need: str,
    tokenised: Tokenised,
    vocabulary: Vocabulary,
    limit: int,
    postings: dict[str, list[int]] | None = None,
) -> list[tuple[int, float]]:
    """`_coverage` of every document, computed only for those holding a query word's
    neighbour (the others score 0); ties keep the documents' order."""
    query = tuple(
        t
        for t in normalise(need)
        if t not in GENERIC_NEED_WORDS and (t in vocabulary or vocabulary.neighbours(t))
    )
    if not query:
        return []
    postings = postings if postings is not None else _postings(tokenised)
    total = sum(vocabulary.query_weight(token) for token in query)
    if not total:
        return []
    found: dict[int, float] = {}
    for token in query:
        best: dict[int, float] = {}
        for near, similarity in vocabulary.neighbours(token):
            for position in postings.get(near, ()):
                if similarity > best.get(position, 0.0):
                    best[position] = similarity
        weight = vocabulary.query_weight(token)
        for position, similarity in best.items():
            found[position] = found.get(position, 0.0) + weight * similarity
    scored = sorted(
        (position, score / total) for position, score in found.items() if score / total >= MIN_SCORE
    )
    good = sorted(((tokenised[p][0], score) for p, score in scored), key=lambda s: -s[1])
    return good[:limit]


async def find_existing(*, session: AsyncSession, need: str, limit: int = 3) -> Reuse:
    """Systems (names, aliases, descriptions), open requests and open initiatives like `need`."""
    corpus = await _system_corpus(session)
    system_hits = _rank_tokenised(need, corpus.documents, corpus.vocabulary, limit, corpus.postings)
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
                name=corpus.names[sid][0],
                description=corpus.names[sid][1],
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
