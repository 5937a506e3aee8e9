"""Retrieval over everything a pack says: each title, line, list item and sentence of every entry.

An entry's answer text (rendered from the pack: purpose, duties, members, cadence, principles,
procurement steps, FAQ answers) is cut into passages, one per list item or sentence, plus its
title and its source section. Passages are ranked with Okapi BM25 over the same normalised
tokens as the rest of govbot (Danish stemming, æøå folding), with three additions a stock BM25
library lacks and this corpus needs: query words are matched fuzzily (typos, inflections the
stemmer misses), compounds are split into words the pack uses ("styregruppeformand"), and the
pack's own synonym groups and abbreviations map a word to the one the pack says.

A passage also carries its entry's subject (the body, role or principle it belongs to), so
"hvor mange chefer fra velfærdsområdet er med i styregruppen" finds the list item
"2 chefer fra velfærdsområdet" under the steering group's members.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from knowledge.entry import Entry
from knowledge.sparse import Compressed
from knowledge.text import Language, Vocabulary, normalise

# Okapi BM25 constants; passages are short, so length matters little.
K1 = 1.2
B = 0.3
# A word only in the entry's subject counts for less than one in the passage itself.
CONTEXT_FACTOR = 0.6
SOURCE_FACTOR = 0.5
# Words that ask rather than say: they find nothing in a statement of fact.
QUESTION_WORDS = frozenset(
    normalise(
        "hvem hvad hvor hvornår hvordan hvorfor hvilke hvilken hvilket mange ofte tit "
        "who what where when how why which many often does"
    )
)
# Everyday words of a question that a statement of fact seldom repeats ("hvem tager referat",
# "hvad handler det mest om"): they weigh little, so missing them costs little, and unlike an
# unknown noun they do not make a question off-topic.
FILLERS = frozenset(
    normalise(
        """
        tager tage tog holder holde sikre sikrer bliver blive blevet slags type typer mest
        handler handle går gå ud inden efter før stå står gøre gør laver lave sidder sidde kommer
        komme sker ske bruges bruge brug brugt skal kunne kan må egentlig præcis særligt helst
        typisk normalt altid aldrig hos ved andre anden andet samme hinanden nogen hvilket
        første hele fx eksempel dvs evt spørgsmål vide ved gerne lige så sådan
        sørge sørger varetage varetager får fået give giver gives have hedder hed
        vær være været var kort fortalt overordnet generelt folk personer mennesker resten
        take takes taking hold holds make makes made get gets got kind kinds sort mostly really
        exactly usually always never other same thing things need needs want wants used use
        briefly overall people persons rest
        """
    )
)
# Below this similarity a query word does not match a passage word (no "borgmester"/"borger").
MIN_SIMILARITY = 0.7
# A long word that begins a compound of the pack's ("fællesforvaltning" in
# "fællesforvaltningsområdet") names the same thing, nearly as well as the compound itself.
FIRST_PART_LENGTH = 8
PART_SIMILARITY = 0.85
_BULLET = re.compile(r"^\s*(?:[-•*]|\d+\.)\s+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅ0-9])")
_SKIP_KINDS = frozenset({"overview"})


@dataclass(frozen=True, slots=True)
class Passage:
    """One indexed piece of an entry: a title, a list item, a sentence or a source."""

    entry: int
    language: Language
    kind: str  # title | fact | source
    text: str
    tokens: tuple[str, ...]
    context: frozenset[str]


@dataclass(frozen=True, slots=True)
class PassageHit:
    """A scored passage: BM25 score, and the idf share of the query it explains."""

    passage: Passage
    score: float
    coverage: float
    own: float


def passages_of(entry: Entry, index: int, subject: Mapping[str, Sequence[str]]) -> list[Passage]:
    """The passages of one entry in both languages; `subject` gives the names per language."""
    out: list[Passage] = []
    for lang in ("da", "en"):
        context = frozenset(t for name in subject.get(lang, ()) for t in normalise(name))
        title = entry.title(lang)
        pieces: list[tuple[str, str]] = [("title", title)]
        if entry.kind not in _SKIP_KINDS:
            for line in entry.text(lang).splitlines():
                line = _BULLET.sub("", line).strip()
                if not line or line.endswith(":"):
                    continue
                for sentence in _SENTENCE.split(line):
                    pieces.append(("fact", sentence.strip()))
        pieces.append(("source", entry.source.section))
        for kind, text in pieces:
            tokens = tuple(normalise(text))
            if tokens:
                out.append(Passage(index, lang, kind, text, tokens, context))
    return out


class PassageIndex:
    """BM25 over passages, with fuzzy, split and synonym-expanded query words."""

    def __init__(
        self,
        passages: Iterable[Passage],
        synonyms: Mapping[str, Sequence[str]] | None = None,
        everyday: Iterable[str] = (),
    ) -> None:
        unique: dict[tuple[int, str], Passage] = {}
        for p in passages:  # the members list reads the same in both languages
            unique.setdefault((p.entry, p.text), p)
        self.passages = tuple(unique.values())
        self.synonyms = dict(synonyms or {})
        self.fillers = FILLERS | {t for word in everyday for t in normalise(word)}
        # Everyday and question words are no part of a compound ("borgmester" ≠ borger + mest).
        self.not_parts = frozenset(self.fillers | QUESTION_WORDS)
        # Synonym keys a compound may end in ("digitaliseringsprojekt" → "…initiativ").
        self._tails = sorted((k for k in self.synonyms if len(k) >= 4), key=len, reverse=True)
        self.vocabulary = Vocabulary(p.tokens + tuple(p.context) for p in self.passages)
        count = len(self.passages) or 1
        df: dict[str, int] = {}
        for p in self.passages:
            for t in set(p.tokens) | p.context:
                df[t] = df.get(t, 0) + 1
        self._idf = {t: math.log(1 + (count - n + 0.5) / (n + 0.5)) for t, n in df.items()}
        self._max_idf = math.log(1 + (count + 0.5) / 0.5)
        self._filler_weight = 0.25 * self._max_idf
        self._avg = sum(len(p.tokens) for p in self.passages) / count
        # Passage × token, per token column: 1 when the word is in the passage itself, 0 when
        # only in its subject (stored, so that a column lists every passage that has it).
        self._columns = {t: n for n, t in enumerate(self.vocabulary.tokens)}
        rows, cols, own = [], [], []
        for n, p in enumerate(self.passages):
            for t in set(p.tokens) | p.context:
                rows.append(n)
                cols.append(self._columns[t])
                own.append(1.0 if t in p.tokens else 0.0)
        self._where = Compressed.of(cols, rows, own, len(self._columns))
        norm = np.array([K1 * (1 - B + B * len(p.tokens) / self._avg) for p in self.passages])
        self._saturation = (K1 + 1) / (1 + norm)
        self._source = np.array([p.kind == "source" for p in self.passages], dtype=bool)
        self._entry_of = np.array([p.entry for p in self.passages], dtype=np.int64)
        self._terms: dict[str, list[tuple[str, float, dict[str, float]]]] = {}
        self._alias_cache: dict[str, list[str]] = {}

    @property
    def max_idf(self) -> float:
        """The idf of a word no passage has: what one wholly specific word weighs."""
        return self._max_idf

    def idf(self, token: str) -> float:
        """BM25 idf of a passage token; unknown tokens weigh the most."""
        return self._idf.get(token, self._max_idf)

    def query_terms(self, text: str) -> list[tuple[str, float, dict[str, float]]]:
        """(word, weight, {passage token: similarity}) for each content word of `text`."""
        terms = self._terms.get(text)
        if terms is None:
            terms = self._query_terms(text)
            if len(self._terms) < 10_000:
                self._terms[text] = terms
        return terms

    def _query_terms(self, text: str) -> list[tuple[str, float, dict[str, float]]]:
        vocab = self.vocabulary
        words: list[str] = []
        for token in normalise(text):
            if token in QUESTION_WORDS:
                continue
            if token in self.fillers or token in self.synonyms:
                words.append(token)  # "afdelingsleder" is a filler, not "afdeling" + "leder"
                continue
            nearest = vocab.neighbours(token)
            if (not nearest or nearest[0][1] < 0.8) and _first_part_of(token, nearest):
                words.append(token)  # "fællesforvaltningen" is in "fællesforvaltningsområdet"
                continue
            parts = (
                vocab.split(token, self.not_parts) if not nearest or nearest[0][1] < 0.8 else None
            )
            weak = not nearest or nearest[0][1] < MIN_SIMILARITY
            # An unknown compound counts as its kind and, still, as a word the pack lacks.
            head = vocab.head(token) if weak and not parts else None
            words.extend(parts or ((head, token) if head else (token,)))
        terms: list[tuple[str, float, dict[str, float]]] = []
        for word in dict.fromkeys(words):
            neighbours = vocab.neighbours(word)
            near = {t: sim for t, sim in neighbours if sim >= MIN_SIMILARITY}
            if not neighbours or neighbours[0][1] < 0.8:  # a word of the pack's own is enough
                for compound in _first_part_of(word, neighbours):
                    near[compound] = max(near.get(compound, 0.0), PART_SIMILARITY)
            for alias_token in self._aliases(word):
                for token, similarity in vocab.neighbours(alias_token):
                    if similarity >= MIN_SIMILARITY:
                        near[token] = max(near.get(token, 0.0), 0.95 * similarity)
            best = max(near.items(), key=lambda kv: kv[1], default=None)
            if word in self.fillers:
                weight = self._filler_weight
            elif best:
                weight = self.idf(best[0])
            else:  # a word the pack never uses is what makes a question off-topic
                weight = self._max_idf if len(word) > 3 else self._max_idf / 2
            terms.append((word, weight, near))
        return terms

    def _aliases(self, word: str) -> list[str]:
        """Tokens the pack says for `word`: its synonyms, or a compound's with its head swapped."""
        found = self._alias_cache.get(word)
        if found is None:
            found = self._find_aliases(word)
            if len(self._alias_cache) < 50_000:
                self._alias_cache[word] = found
        return found

    def _find_aliases(self, word: str) -> list[str]:
        found = [t for alias in self.synonyms.get(word, ()) for t in normalise(alias)]
        if found:
            return found
        for tail in self._tails:
            head = word[: -len(tail)]
            if len(head) >= 3 and word.endswith(tail):
                for alias in self.synonyms[tail]:
                    tokens = normalise(alias)
                    if len(tokens) == 1:
                        found.append(head + tokens[0])
                return found
        return found

    def search(self, text: str, limit: int = 20, entry: int | None = None) -> list[PassageHit]:
        """The best `limit` passages for `text`, best first (only `entry`'s, when given)."""
        terms = self.query_terms(text)
        total = sum(w for _, w, _ in terms)
        if not terms or total == 0:
            return []
        where = self._where
        count = len(self.passages)
        score = np.zeros(count)
        explained = np.zeros(count)
        own = np.zeros(count)
        for _, weight, near in terms:
            # The best similarity of any of the word's near tokens, in the passage itself and
            # anywhere (passage or subject).
            best_own = np.zeros(count)
            best_any = np.zeros(count)
            for token, similarity in near.items():
                c = self._columns.get(token)
                if c is None:
                    continue
                span = slice(where.indptr[c], where.indptr[c + 1])
                found: np.ndarray = where.indices[span]
                best_any[found] = np.maximum(best_any[found], similarity)
                inside = found[where.data[span] > 0]
                best_own[inside] = np.maximum(best_own[inside], similarity)
            match = np.maximum(best_own, CONTEXT_FACTOR * best_any)
            score += weight * match
            explained += weight * best_any
            own += weight * best_own
        score *= self._saturation
        # A section name places a fact; it does not state one.
        score[self._source] *= SOURCE_FACTOR
        own[self._source] *= SOURCE_FACTOR
        found = np.flatnonzero(score > 0)
        if entry is not None:
            found = found[self._entry_of[found] == entry]
        coverage = explained[found] / total
        # Best first; equal scores (up to the last bits) by coverage, then entry.
        order = np.lexsort(
            (self._entry_of[found], -np.round(coverage, 12), -np.round(score[found], 12))
        )[:limit]
        return [
            PassageHit(self.passages[n], float(score[n]), float(coverage[i]), float(own[n] / total))
            for i, n in ((i, found[i]) for i in order)
        ]


def _first_part_of(word: str, nearest: Sequence[tuple[str, float]]) -> list[str]:
    """The pack's compounds that begin with `word` (a long word), with or without a linking s."""
    if len(word) < FIRST_PART_LENGTH:
        return []
    return [t for t, _ in nearest if t != word and t.startswith(word) and len(t) - len(word) >= 4]
