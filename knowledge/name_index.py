"""A name index that stays fast on tens of thousands of names: system names, aliases, people.

`knowledge.text.FuzzyIndex` scores every name with two rapidfuzz scorers, which costs several
milliseconds at 20,000 names. Here an inverted index of name tokens picks the candidates first
(exact token, then typo-tolerant neighbours in the much smaller token vocabulary), and only those
candidates are scored. Names are normalised with `knowledge.text.name_key`, so case, æøå vs
ae/oe/aa and inflection never matter.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from rapidfuzz import fuzz, process

from knowledge.text import name_key

K = TypeVar("K", bound=Hashable)

# A query token this close to a vocabulary token counts as that token (typos, missing letters).
TOKEN_CUTOFF = 78.0
# At most this many candidates are scored; the rest share only common tokens with the query.
MAX_CANDIDATES = 400


@dataclass(frozen=True, slots=True)
class NameHit(Generic[K]):
    """One key whose best name scored `score` (0–100) against the query."""

    key: K
    name: str
    score: float


class NameIndex(Generic[K]):
    """Names per key; `search` returns the best-scoring keys, exact matches scoring 100."""

    def __init__(self, entries: Iterable[tuple[K, Iterable[str]]]) -> None:
        self._names: list[tuple[K, str, str]] = []  # key, original name, normalised name
        self._exact: dict[str, list[int]] = {}
        self._postings: dict[str, list[int]] = {}
        for key, names in entries:
            for name in names:
                normalised = name_key(name)
                if not normalised:
                    continue
                index = len(self._names)
                self._names.append((key, name, normalised))
                self._exact.setdefault(normalised, []).append(index)
                for token in set(normalised.split()):
                    self._postings.setdefault(token, []).append(index)
        self._vocabulary = list(self._postings)

    def __len__(self) -> int:
        return len(self._names)

    def exact(self, text: str) -> tuple[K, ...]:
        """Keys with a name equal to `text` after normalisation."""
        return tuple(dict.fromkeys(self._names[i][0] for i in self._exact.get(name_key(text), ())))

    def search(self, text: str, *, limit: int = 8, cutoff: float = 70.0) -> list[NameHit[K]]:
        """Best hit per key scoring at least `cutoff`, best first."""
        query = name_key(text)
        if not query:
            return []
        best: dict[K, NameHit[K]] = {}
        for i in self._exact.get(query, ()):
            key, name, _ = self._names[i]
            best[key] = NameHit(key, name, 100.0)
        for i in self._candidates(query):
            key, name, normalised = self._names[i]
            if key in best and best[key].score >= 100.0:
                continue
            score = _score(query, normalised)
            if score >= cutoff and (key not in best or best[key].score < score):
                best[key] = NameHit(key, name, score)
        return sorted(best.values(), key=lambda hit: (-hit.score, hit.name))[:limit]

    def _candidates(self, query: str) -> list[int]:
        """Names sharing a (near-)token with the query, those sharing the most tokens first."""
        counts: dict[int, float] = {}
        for token in query.split():
            for neighbour, similarity in self._neighbours(token):
                for i in self._postings[neighbour]:
                    counts[i] = counts.get(i, 0.0) + similarity
        if len(counts) <= MAX_CANDIDATES:
            return list(counts)
        ranked = sorted(counts.items(), key=lambda item: -item[1])
        return [i for i, _ in ranked[:MAX_CANDIDATES]]

    def _neighbours(self, token: str) -> list[tuple[str, float]]:
        if token in self._postings:
            found = [(token, 1.0)]
            if len(token) < 5:
                return found
        else:
            found = []
        if len(token) < 4:
            return found
        for other, score, _ in process.extract(
            token, self._vocabulary, scorer=fuzz.ratio, score_cutoff=TOKEN_CUTOFF, limit=8
        ):
            if other != token:
                found.append((other, score / 100.0))
        return found


def _score(query: str, name: str) -> float:
    """How well `query` names `name`: whole-name similarity, or all query words in the name."""
    whole = fuzz.ratio(query, name)
    # "opus" inside "kmd opus okonomi" is a strong but not exact hit: every word matched.
    subset = fuzz.token_set_ratio(query, name)
    return max(whole, min(subset, 95.0))
