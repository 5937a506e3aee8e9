"""A name index that stays fast on tens of thousands of names: system names, aliases, people.

`knowledge.text.FuzzyIndex` scores every name with two rapidfuzz scorers, which costs several
milliseconds at 20,000 names. Here an inverted index of name tokens picks the candidates first
(exact token, then typo-tolerant neighbours in the much smaller token vocabulary), and only those
candidates are scored. Names are normalised with `knowledge.text.name_key`, so case, æøå vs
ae/oe/aa and inflection never matter.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from rapidfuzz import fuzz, process

from knowledge.text import name_key

K = TypeVar("K", bound=Hashable)

# A query token this close to a vocabulary token counts as that token (typos, missing letters).
TOKEN_CUTOFF = 78.0
# At most this many candidates are scored; the rest share only common tokens with the query.
MAX_CANDIDATES = 64
# An all-words-present match scores at most this: below an exact name, above a typo.
SUBSET_CAP = 95.0
# The shortest name that may stand first in a compound word.
MIN_COMPOUND_HEAD = 5
# A single word of a message this close to a one-word name counts as that name ("momentm").
FUZZY_SPAN_CUTOFF = 88.0


@dataclass(frozen=True, slots=True)
class Span(Generic[K]):
    """Words `start:end` of a message name the keys `keys` (several when the name is shared)."""

    start: int
    end: int
    keys: tuple[K, ...]
    score: float
    compound: bool = False  # the name is only the first part of the word


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
        # For ranking candidates by a common token (see _candidates): only lists longer than
        # MAX_CANDIDATES are ever looked up so.
        self._sets = {
            token: frozenset(found)
            for token, found in self._postings.items()
            if len(found) > MAX_CANDIDATES
        }
        self._near: dict[str, tuple[tuple[str, float], ...]] = {}

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
        choices = {i: self._names[i][2] for i in self._candidates(query)}
        # Whole-name similarity, and "every query word is in the name" (capped below exact:
        # "opus" is in both "kmd opus okonomi" and "kmd opus lon").
        for scorer, cap in ((fuzz.ratio, 100.0), (fuzz.token_set_ratio, SUBSET_CAP)):
            for _, score, i in process.extract(
                query, choices, scorer=scorer, score_cutoff=cutoff, limit=None
            ):
                key, name, _ = self._names[i]
                score = min(float(score), cap)
                if key not in best or best[key].score < score:
                    best[key] = NameHit(key, name, score)
        return sorted(best.values(), key=lambda hit: (-hit.score, hit.name))[:limit]

    def spans(
        self,
        tokens: Sequence[str],
        *,
        max_words: int = 5,
        fuzzy: Callable[[str], bool],
        compounds: bool = False,
        taken: Sequence[bool] = (),
    ) -> list[Span[K]]:
        """Names found anywhere in `tokens` (words of a message), longest first, not overlapping.

        A window of words is a hit when its name key equals a name's; single words that
        `fuzzy` allows (long, not ordinary words) may also match a one-word name closely.
        """
        found: list[Span[K]] = []
        taken = list(taken) or [False] * len(tokens)
        # A window's name key is its words' keys joined (name_key works word by word), so
        # each word is stemmed once per message, not once per window it stands in.
        token_keys = [name_key(token) for token in tokens]
        for size in range(min(max_words, len(tokens)), 0, -1):
            for start in range(len(tokens) - size + 1):
                if any(taken[start : start + size]):
                    continue
                # A name starts and ends on a word of its own, never on a connector ("and
                # the executive board" is the board, not a name four words long).
                if not token_keys[start] or not token_keys[start + size - 1]:
                    continue
                key = " ".join(k for k in token_keys[start : start + size] if k)
                if not key:
                    continue
                window = " ".join(tokens[start : start + size])
                keys = tuple(dict.fromkeys(self._names[i][0] for i in self._exact.get(key, ())))
                score = 100.0
                if not keys and size == 1 and fuzzy(window):
                    hits = [
                        h
                        for h in self.search(window, limit=3, cutoff=FUZZY_SPAN_CUTOFF)
                        if len(name_key(h.name).split()) == 1
                    ]
                    if hits:
                        keys, score = (hits[0].key,), hits[0].score
                compound = False
                if not keys and size == 1 and compounds:
                    keys = self._compound_head(window)
                    compound = bool(keys)
                if keys:
                    found.append(Span(start, start + size, keys, score, compound))
                    for i in range(start, start + size):
                        taken[i] = True
        return sorted(found, key=lambda span: span.start)

    def _compound_head(self, word: str) -> tuple[K, ...]:
        """Keys of a one-word name that `word` starts with, as the first part of a Danish
        compound ("direktionsmøde", "styregruppemødet"); the name must be 5 letters or more."""
        key = name_key(word)
        for cut in range(len(key) - 1, MIN_COMPOUND_HEAD - 1, -1):
            head = key[:cut]
            found = self._exact.get(head) or self._exact.get(head.rstrip("s"))
            if found:
                return tuple(dict.fromkeys(self._names[i][0] for i in found))
        return ()

    def _candidates(self, query: str) -> list[int]:
        """Names sharing (near-)tokens with the query; rare tokens pick, common ones only rank."""
        lists = sorted(
            (len(self._postings[neighbour]), neighbour, similarity)
            for token in query.split()
            for neighbour, similarity in self._neighbours(token)
        )
        counts: dict[int, float] = {}
        for size, neighbour, similarity in lists:
            if len(counts) >= MAX_CANDIDATES and size > len(counts):
                members = self._sets[neighbour]
                for i in counts:
                    if i in members:
                        counts[i] += similarity
                continue
            for i in self._postings[neighbour]:
                counts[i] = counts.get(i, 0.0) + similarity
        if len(counts) <= MAX_CANDIDATES:
            return list(counts)
        return heapq.nlargest(MAX_CANDIDATES, counts, key=counts.__getitem__)

    def _neighbours(self, token: str) -> tuple[tuple[str, float], ...]:
        cached = self._near.get(token)
        if cached is not None:
            return cached
        if token in self._postings:
            found: tuple[tuple[str, float], ...] = ((token, 1.0),)
        elif len(token) < 4:
            found = ()
        else:
            found = tuple(
                (other, score / 100.0)
                for other, score, _ in process.extract(
                    token, self._vocabulary, scorer=fuzz.ratio, score_cutoff=TOKEN_CUTOFF, limit=8
                )
            )
        if len(self._near) < 100_000:
            self._near[token] = found
        return found
