"""Danish-first text normalisation and fuzzy ranking, shared by answers, directory and portfolio.

Every comparison in govbot goes through the same steps so that "Økonomiudvalget",
"okonomiudvalget" and "oekonomiudvalg" meet: casefold, accents stripped, the digraphs aa/ae/oe
read as å/æ/ø, stop words dropped, Danish inflection endings removed (Snowball), and finally
å/æ/ø folded to ASCII so a keyboard without them matches too.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
import threading
import unicodedata
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Generic, Literal, TypeVar

import snowballstemmer
from rapidfuzz import fuzz, process

K = TypeVar("K", bound=Hashable)
Language = Literal["da", "en"]

_WORD = re.compile(r"[0-9a-zæøå]+")
_DIGRAPH = re.compile(r"aa|ae|oe")
_DIGRAPH_TO_LETTER = {"aa": "å", "ae": "æ", "oe": "ø"}
_ASCII = str.maketrans({"å": "a", "æ": "ae", "ø": "o"})
_KEEP = frozenset("æøå")
# A first part this long makes a three-letter last part a word of its own, not an ending.
LONG_FIRST_PART = 8

# Function words that carry no meaning for matching. Question words (hvem, hvad, hvor, hvornår,
# who, what, how, ...) are deliberately kept: they tell "who chairs" from "how often".
STOP_WORDS_DA = frozenset(
    """
    af alle alt anden at blev blive bliver da de dem den denne der deres det dette dig din dine
    disse dog du efter egentlig eller en end er et for fra få gerne ham han hans har have havde
    hej hende hendes her hos hun ikke ind jeg jer jeres jo kan kunne lige man med meget men mig
    min mine mit mon mig nogen noget nogle nu når og også om op os over på sig sin sine sit skal
    skulle som sådan tak til ud under var vi vil ville vor vore vores være været venligst
    kommune kommunen kommunens randers norddjurs rebild fortæl fortael hvis før ny nyt nye må
    får fik godmorgen goddag hejsa halløj
    """.split()
)
STOP_WORDS_EN = frozenset(
    """
    a about am an and any are as at be been being by can could did do does doing for from had
    has have hello hi i in into is it's its me my of on or our ours please should so tell than
    thanks that the their them then there these they this those to us was we were will with
    would you your new hey morning quick
    """.split()
)
# Plural and singular of "princip" mean different things here: "principperne" asks for all of
# them, "princip 7" for one. Snowball would merge them, so these keep their own stem.
_STEM_OVERRIDES = {
    "principper": "principper",
    "principperne": "principper",
    "principles": "principles",
}
# Everyday words that mean the same as a word the phrasings use.
_EQUIVALENTS = {
    "gør": "laver",
    "gøre": "lave",
    "software": "system",
    "softwaren": "systemet",
    "app": "system",
    "apps": "systemer",
    "forpligtet": "ansvar",
    "forpligtelser": "ansvar",
    # "år" is too short for Snowball and fuzzy matching, so "hvert år", "om året" and "årligt"
    # would never meet: the family is read as one word.
    "året": "år",
    "årets": "år",
    "årlig": "år",
    "årligt": "år",
    "årlige": "år",
    "årligen": "år",
}
_NAME_CONNECTORS = frozenset({"og", "and", "for", "the", "of", "i", "en", "et", "den", "det", "af"})

# A Snowball stemmer keeps the word it works on inside itself, so threads stemming at once (the
# warm-up's knowledge index beside the directory index build) corrupt each other's: one each.
_STEMMERS = threading.local()

LONGEST_WORD = 40
"""Tokens longer than this are not taken apart (compound parts, contained words, fuzzy
neighbours). Danish compounds in the packs stay well under it ("informationssikkerheds-
koordinator" is 33); taking apart a pasted 4,000-letter "word" tries every split point and
substring and held the event loop for seconds (found by the flood test)."""


def _stemmer() -> snowballstemmer.DanishStemmer:
    stemmer: snowballstemmer.DanishStemmer | None = getattr(_STEMMERS, "danish", None)
    if stemmer is None:
        stemmer = _STEMMERS.danish = snowballstemmer.stemmer("danish")
    return stemmer


@lru_cache(maxsize=256)
def _strip_accent(char: str) -> str:
    if char in _KEEP:
        return char
    return "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))


def _canonical(text: str) -> str:
    """Casefold, strip accents (keeping æøå) and read aa/ae/oe as å/æ/ø."""
    text = unicodedata.normalize("NFC", text).casefold()
    if not text.isascii():
        text = "".join(_strip_accent(c) for c in text)
    return _DIGRAPH.sub(lambda m: _DIGRAPH_TO_LETTER[m.group()], text)


def _words(text: str) -> list[str]:
    return _WORD.findall(_canonical(text))


_STOP = frozenset(w for words in (STOP_WORDS_DA, STOP_WORDS_EN) for w in map(_canonical, words))
_CONNECTORS = frozenset(map(_canonical, _NAME_CONNECTORS))


# A noun in -ation names what its verb in -ere does ("koordination" / "koordinerer"); Snowball
# keeps them apart, so the noun is read as the verb's stem.
_ACTION_NOUN = re.compile(r"^(\w{3,})ation(?:en|ens|er|erne|ernes)?$")


# Names and passages repeat a small vocabulary ("system", "ejer", "kommune" …) thousands of
# times; Snowball is pure Python, so each distinct word is stemmed once (most of the directory
# and knowledge index builds were spent stemming the same words again). A 10,000-system
# directory and a pack have a few thousand distinct words; the bound keeps the compound
# splitting's trial parts in turns from growing the cache without end.
@lru_cache(maxsize=1 << 14)
def _stem(word: str) -> str:
    if word in _STEM_OVERRIDES:
        return _STEM_OVERRIDES[word]
    action = _ACTION_NOUN.match(word)
    if action:
        word = action.group(1) + "ere"
    return _stemmer().stemWord(word) if len(word) > 3 and not word.isdigit() else word


def words(text: str) -> list[str]:
    """The words of `text`, casefolded, accents stripped and aa/ae/oe read as å/æ/ø."""
    return _words(text)


def fold(text: str) -> str:
    """Lowercase ASCII form of `text` with punctuation turned into single spaces."""
    return " ".join(_words(text)).translate(_ASCII)


@lru_cache(maxsize=65536)
def normalise(text: str) -> tuple[str, ...]:
    """Content tokens of `text`: stop words dropped, inflection removed, æøå folded."""
    words = (_EQUIVALENTS.get(w, w) for w in _words(text))
    return tuple(
        _stem(w).translate(_ASCII) for w in words if w not in _STOP and (len(w) > 1 or w.isdigit())
    )


# Danish particle verbs say with two words what a compound says with one: "skriver under" is
# "underskriver", "sætter op" is "opsætter". The particle is a stop word, so it is lost unless
# joined first.
_PARTICLES = frozenset("under op ind ud over af til frem sammen".split())


# A sentence ends at ! or ?, or at . or : before a capital or a question word ("Hej! Hvem …",
# "Jeg er ny. Hvem …", "jeg er ny. hvem …"); "pr. medarbejder" and "kl. 10" go on.
_SENTENCE_END = re.compile(
    r"(?<=[!?])\s+|(?<=[.:])\s+(?=[A-ZÆØÅ]|(?:hvem|hvad|hvor|hvornår|hvordan|hvilke|hvilken|who"
    r"|what|when|where|how|which)\b)"
)


def question_focus(text: str) -> str | None:
    """The question sentences of a message that also says something else, or None.

    "Hej, jeg er ny i Digitalisering. Hvem er formand for styregruppen?" asks only its last
    sentence; the first frames it, as "Jeg skal bruge det til intranettet" after a question
    does. None when every sentence, or none, is a question.
    """
    sentences = [s for s in _SENTENCE_END.split(text.strip()) if s]
    asked = [s for s in sentences if s.endswith("?")]
    if not asked or len(asked) == len(sentences):
        return None
    return " ".join(asked)


def particle_compounds(text: str) -> list[str]:
    """Each verb joined with the particle after it ("skriver under" → "underskriver")."""
    found = _words(text)
    return [
        particle + verb
        for verb, particle in itertools.pairwise(found)
        if particle in _PARTICLES and verb not in _STOP and len(verb) > 2
    ]


@lru_cache(maxsize=65536)
def name_key(text: str) -> str:
    """Exact-lookup key for a name: "System- og dataejere" and "system & dataejer" agree."""
    return " ".join(_stem(w).translate(_ASCII) for w in _words(text) if w not in _CONNECTORS)


_DA_MARKERS = frozenset(
    map(
        _canonical,
        """hvem hvad hvor hvornår hvordan hvilke hvilken hvorfor er en et og i på af til med jeg
        vi der den det de kan skal min vores mødes møder ejer laver godkender ansvar tak hej
        farvel hjælp ja nej annuller mig""".split(),
    )
)
_EN_MARKERS = frozenset(
    """who what where when how which why is are the a an of to does do did our my i we can
    should meet meets meeting chairs chair owner owns approves responsible responsibilities
    steering group about please help hello hi thanks thank bye goodbye yes cancel me as with
    from on and this that have has be not show give make remove revoke add set next""".split()
)


def detect_language(text: str) -> Language:
    """Guess Danish or English from function words; Danish wins ties and letters æøå decide."""
    return clear_language(text) or "da"


# A capitalised word inside a sentence: a name ("Søren", "Østergaard"), whose æøå say nothing
# about the language the rest of the message is written in.
_NAME_INSIDE = re.compile(r"(?<=[^\s.!?:])\s+[A-ZÆØÅ]\w*")


# English function words enough to read a sentence with a Danish term in it as English.
ENGLISH_AROUND_DANISH = 2


def clear_language(text: str) -> Language | None:
    """Danish or English when the text says so (æøå outside names, or more function words of
    one), else None."""
    lowered = text.casefold()
    raw = re.findall(r"[a-z]+", lowered)
    canonical = _words(text)
    # A word of both languages ("i") tells neither.
    english = sum(1 for w in raw if w in _EN_MARKERS and w not in _DA_MARKERS)
    danish = sum(1 for w in canonical if w in _DA_MARKERS and w not in _EN_MARKERS)
    # "what does følg-eller-forklar mean" is English about a Danish term: æøå decide only
    # when the sentence around them is not plainly English.
    plainly_english = english >= ENGLISH_AROUND_DANISH and danish == 0
    if any(c in _NAME_INSIDE.sub(" ", text).casefold() for c in "æøå") and not plainly_english:
        return "da"
    if english == danish:
        return None
    return "en" if english > danish else "da"


def token_similarity(a: str, b: str) -> float:
    """Similarity in [0, 1] of two normalised tokens, tolerant of typos and compounds."""
    if a == b:
        return 1.0
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) <= 3:
        return 0.0
    ratio = fuzz.ratio(a, b)
    # Short words differ by one letter from unrelated words ("vejr"/"ejer"): demand more.
    score = (ratio - 50.0) / 50.0 if ratio >= (80.0 if len(short) <= 5 else 70.0) else 0.0
    if (len(short) >= 4 and long_.startswith(short)) or (len(short) >= 3 and long_.endswith(short)):
        # A compound ("styregruppeformand") contains its parts; credit grows with coverage.
        score = max(score, 0.35 + 0.5 * len(short) / len(long_))
    return score if score >= 0.4 else 0.0


class Vocabulary:
    """A fixed set of normalised tokens with idf weights and cached fuzzy neighbours."""

    def __init__(self, documents: Iterable[Iterable[str]]) -> None:
        df: dict[str, int] = {}
        count = 0
        for doc in documents:
            count += 1
            for token in set(doc):
                df[token] = df.get(token, 0) + 1
        self._tokens = tuple(sorted(df))
        self._idf = {t: math.log(1.0 + count / n) for t, n in df.items()}
        self.max_weight = math.log(1.0 + count) if count else 1.0
        self._cache: dict[str, tuple[tuple[str, float], ...]] = {}
        # Every token on one line each, so that the tokens containing a word are found by
        # str.find in C rather than by a loop over the vocabulary.
        self._joined = "\n".join(self._tokens)
        self._starts = list(
            itertools.accumulate((len(t) + 1 for t in self._tokens[:-1]), initial=0)
        )

    def __contains__(self, token: object) -> bool:
        return token in self._idf

    @property
    def tokens(self) -> tuple[str, ...]:
        """Every token, sorted."""
        return self._tokens

    def weight(self, token: str) -> float:
        """Idf of a vocabulary token; unknown tokens weigh the most (they are specific)."""
        return self._idf.get(token, self.max_weight)

    def neighbours(self, token: str) -> tuple[tuple[str, float], ...]:
        """Vocabulary tokens similar to `token`, with similarity, best first."""
        cached = self._cache.get(token)
        if cached is not None:
            return cached
        found: dict[str, float] = {}
        if token in self._idf:
            found[token] = 1.0
        if 3 < len(token) <= LONGEST_WORD:
            for other, _score, _ in process.extract(
                token, self._tokens, scorer=fuzz.ratio, score_cutoff=70, limit=None
            ):
                found[other] = max(found.get(other, 0.0), token_similarity(token, other))
            for other in sorted(self._containing(token) | self._contained(token)):
                found[other] = max(found.get(other, 0.0), token_similarity(token, other))
        result = tuple(sorted(((t, s) for t, s in found.items() if s > 0), key=lambda x: -x[1]))
        if len(self._cache) < 50_000:
            self._cache[token] = result
        return result

    def _containing(self, token: str) -> set[str]:
        """Vocabulary tokens other than `token` that contain it."""
        out: set[str] = set()
        joined, starts = self._joined, self._starts
        at = joined.find(token)
        while at != -1:
            other = self._tokens[bisect.bisect_right(starts, at) - 1]
            if other != token:
                out.add(other)
            at = joined.find(token, at + 1)
        return out

    def _contained(self, token: str) -> set[str]:
        """Vocabulary tokens of three or more letters inside `token`, other than itself."""
        idf = self._idf
        return {
            token[i:j]
            for i in range(len(token) - 2)
            for j in range(i + 3, len(token) + 1)
            if (j - i) < len(token) and token[i:j] in idf
        }

    def split(self, token: str, not_parts: frozenset[str] = frozenset()) -> tuple[str, str] | None:
        """Two vocabulary words a compound is made of ("styregruppeformand"), if any.

        A part in `not_parts` (everyday words such as "mest") makes no compound: "borgmester"
        is no "borger" + "mest".
        """
        if not 7 <= len(token) <= LONGEST_WORD or token in self._idf:
            return None
        for i in range(len(token) - 3, 2, -1):
            left, right = token[:i], token[i:]
            right_stem = _stem(right)
            # A three-letter last part is mostly an ending ("runn" + "ing"), not a word, unless
            # a long word of the pack's comes before it ("programgruppe" + "møderne", stemmed
            # "programgrup" + "mod").
            short = len(right_stem) == 3
            if len(right_stem) < 3 or right_stem not in self._idf or right_stem in not_parts:
                continue
            for candidate in (left, left[:-1] if left[-1] in "se" else left):
                left_stem = _stem(candidate)
                if short and len(left_stem) < LONG_FIRST_PART:
                    continue
                if left_stem in self._idf and left_stem not in not_parts:
                    return left_stem, right_stem
        return None

    def head(self, token: str) -> str | None:
        """The vocabulary word a compound ends in, when its first part is unknown.

        Danish compounds name their kind last: an "omsorgssystem" or a "lønsystem" is a system,
        a "sensorløsning" a løsning, whatever the pack calls the first part.
        """
        if not 8 <= len(token) <= LONGEST_WORD or token in self._idf:
            return None
        for i in range(3, len(token) - 4):
            right_stem = _stem(token[i:])
            if len(right_stem) >= 5 and right_stem in self._idf:
                return right_stem
        return None

    def query_weight(self, token: str) -> float:
        """Weight of a query token: the idf of its best neighbour, else high (it is specific)."""
        near = self.neighbours(token)
        if near and near[0][1] >= 0.65:
            return self.weight(near[0][0])
        # An unknown word is what makes a question off-topic; a short one may just be a typo.
        return self.max_weight if len(token) > 3 else self.max_weight / 2


@dataclass(frozen=True, slots=True)
class Match(Generic[K]):
    """One fuzzy hit: the key, the name it matched on and the score (0–100)."""

    key: K
    text: str
    score: float


class FuzzyIndex(Generic[K]):
    """Names (or texts) per key, normalised once; exact lookup first, then rapidfuzz ranking.

    `kind="name"` suits system and role names (ratio and token-set ratio on name keys);
    `kind="text"` suits free text such as initiative descriptions (token-set ratio on content
    tokens, stop words removed). Token-set scoring only runs on entries sharing a (fuzzy) word
    with the query, found through an inverted index, so large indexes stay fast.
    """

    def __init__(
        self, entries: Iterable[tuple[K, Iterable[str]]], *, kind: Literal["name", "text"] = "name"
    ) -> None:
        self._kind = kind
        self._keys: list[K] = []
        self._texts: list[str] = []
        self._choices: list[str] = []
        self._exact: dict[str, list[int]] = {}
        self._by_word: dict[str, list[int]] = {}
        for key, names in entries:
            for name in names:
                choice = self._prepare(name)
                if not choice:
                    continue
                n = len(self._choices)
                self._exact.setdefault(choice, []).append(n)
                for word in set(choice.split()):
                    self._by_word.setdefault(word, []).append(n)
                self._keys.append(key)
                self._texts.append(name)
                self._choices.append(choice)
        self._words = list(self._by_word)

    def _prepare(self, text: str) -> str:
        return name_key(text) if self._kind == "name" else " ".join(normalise(text))

    def __len__(self) -> int:
        return len(self._choices)

    def exact(self, text: str) -> tuple[K, ...]:
        """Keys with a name equal to `text` after normalisation."""
        seen: dict[K, None] = {}
        for i in self._exact.get(self._prepare(text), ()):
            seen[self._keys[i]] = None
        return tuple(seen)

    def _sharing_a_word(self, query: str) -> dict[int, str]:
        # A word shared by a large part of the index ("kmd", "system") finds everything and
        # decides nothing; rare words pick the candidates unless the query has only common ones.
        common = max(50, len(self._choices) // 50)
        hits: list[tuple[bool, list[int]]] = []
        for word in set(query.split()):
            cutoff = 100 if len(word) <= 3 else 80
            for other, _score, _ in process.extract(
                word, self._words, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None
            ):
                rows = self._by_word[other]
                hits.append((len(rows) > common, rows))
        rare = [rows for is_common, rows in hits if not is_common]
        return {i: self._choices[i] for rows in (rare or [r for _, r in hits]) for i in rows}

    def search(self, text: str, *, limit: int = 5, cutoff: float = 80.0) -> list[Match[K]]:
        """Best match per key at or above `cutoff`, highest score first."""
        query = self._prepare(text)
        if not query:
            return []
        best: dict[K, Match[K]] = {}

        def keep(i: int, score: float) -> None:
            key = self._keys[i]
            if key not in best or best[key].score < score:
                best[key] = Match(key, self._texts[i], float(score))

        for i in self._exact.get(query, ()):
            keep(i, 100.0)
        if self._kind == "name":
            for _choice, score, i in process.extract(
                query, self._choices, scorer=fuzz.ratio, score_cutoff=cutoff, limit=limit * 4
            ):
                keep(i, score)
        candidates = self._sharing_a_word(query)
        for _choice, score, i in process.extract(
            query, candidates, scorer=fuzz.token_set_ratio, score_cutoff=cutoff, limit=limit * 4
        ):
            keep(i, score)
        return sorted(best.values(), key=lambda m: -m.score)[:limit]


def similarity(a: str, b: str) -> float:
    """Similarity (0–100) of two free texts on their content tokens."""
    return float(fuzz.token_set_ratio(" ".join(normalise(a)), " ".join(normalise(b))))
