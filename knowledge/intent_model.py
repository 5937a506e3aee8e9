"""A trained intent classifier: word and character n-grams with a linear model (scikit-learn).

The same family as Rasa's default pipeline: TF-IDF over character n-grams inside word
boundaries (typos, missing æøå, Danish compounds) and over word uni- and bigrams, fed to a
linear SVM whose margins the caller turns into confidence bands. Training is deterministic
for the same utterances (liblinear's dual solver with a fixed random state).

Names found in a message (an IT system, a body, a person …) are replaced by a slot token before
the model sees it, in training and in use alike, so "hvem styrer rettighederne i Momentum" and
"… i {system}" look the same and the model never learns one system's name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge.text import fold

# The token each slot becomes: letters only, so both vectorizers keep it whole.
SLOT_TOKENS: dict[str, str] = {
    "system": "xsystemx",
    "body": "xbodyx",
    "person": "xpersonx",
    "unit": "xunitx",
    "year": "xyearx",
    "n": "xnumx",
}


@dataclass(frozen=True)
class Utterance:
    """One training message, its intent and its language."""

    text: str
    intent: str
    lang: str


@dataclass(frozen=True)
class Ranked:
    """An intent and the model's probability for it."""

    intent: str
    probability: float


def model_text(text: str) -> str:
    """The form the model reads: folded to lower-case ASCII words (slot tokens survive)."""
    return fold(text)


CHAR_NGRAMS = (2, 5)
WORD_NGRAMS = (1, 2)
_TOKEN = re.compile(r"(?u)\b\w+\b")
_SPACES = re.compile(r"\s\s+")
# Bump when the features or the file layout change: old cached models are then rebuilt.
MODEL_FORMAT = 1


def char_grams(text: str, low: int = CHAR_NGRAMS[0], high: int = CHAR_NGRAMS[1]) -> list[str]:
    """Character n-grams inside word boundaries, as scikit-learn's `char_wb` analyzer."""
    grams: list[str] = []
    for word in _SPACES.sub(" ", text).split():
        padded = f" {word} "
        for n in range(low, high + 1):
            if len(padded) <= n:  # the whole padded word, counted once
                grams.append(padded)
                break
            grams.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return grams


def word_grams(text: str, low: int = WORD_NGRAMS[0], high: int = WORD_NGRAMS[1]) -> list[str]:
    """Word n-grams, as scikit-learn's `word` analyzer with the token pattern below."""
    tokens = _TOKEN.findall(text)
    grams: list[str] = []
    for n in range(low, high + 1):
        grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return grams


class IntentModel:
    """Ranks intents for a message. Holds only arrays, so using it needs nothing but numpy;
    `train` (scikit-learn) builds one, `save`/`load` keep it between start-ups."""

    def __init__(
        self,
        *,
        intents: Sequence[str],
        vocabularies: tuple[dict[str, int], dict[str, int]],
        idf: tuple[np.ndarray, np.ndarray],
        weights: np.ndarray,
        bias: np.ndarray,
        sharpness: float,
    ) -> None:
        self.intents = tuple(intents)
        self._vocabularies = vocabularies
        self._idf = idf
        self._offsets = (0, len(vocabularies[0]))
        self._weights = weights  # (features, intents)
        self._bias = bias
        self._sharpness = sharpness
        self.vocabulary: frozenset[str] = frozenset(vocabularies[1])

    @classmethod
    def train(
        cls,
        utterances: Sequence[Utterance],
        *,
        regularisation: float = 0.5,
        sharpness: float = 4.0,
    ) -> IntentModel:
        """Fit TF-IDF features and a linear SVM on `utterances` (deterministic)."""
        # Imported here: scikit-learn takes seconds to import and is needed only to train.
        from scipy.sparse import hstack
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.svm import LinearSVC

        if len({u.intent for u in utterances}) < 2:
            raise ValueError("an intent model needs at least two intents")
        texts = [model_text(u.text) for u in utterances]
        chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=CHAR_NGRAMS, sublinear_tf=True, dtype=np.float32
        )
        words = TfidfVectorizer(
            analyzer="word",
            ngram_range=WORD_NGRAMS,
            sublinear_tf=True,
            token_pattern=_TOKEN.pattern,
            dtype=np.float32,
        )
        features = hstack([chars.fit_transform(texts), words.fit_transform(texts)])
        # A linear SVM trains in about a second on a few thousand utterances; its margins
        # become probabilities through a softmax whose `sharpness` the confidence bands are
        # tuned with (govbot nlu tune), so no slow calibration fit is needed.
        classifier = LinearSVC(C=regularisation, class_weight="balanced", random_state=0)
        classifier.fit(features, [u.intent for u in utterances])
        return cls(
            intents=[str(c) for c in classifier.classes_],
            vocabularies=(
                {str(k): int(v) for k, v in chars.vocabulary_.items()},
                {str(k): int(v) for k, v in words.vocabulary_.items()},
            ),
            idf=(chars.idf_.astype(np.float32), words.idf_.astype(np.float32)),
            weights=np.ascontiguousarray(classifier.coef_.T.astype(np.float32)),
            bias=classifier.intercept_.astype(np.float32),
            sharpness=sharpness,
        )

    def features(self, text: str) -> tuple[list[int], np.ndarray]:
        """The feature columns present in `text` and their tf-idf values (sublinear tf, idf,
        l2 per block: what the fitted vectorizers' transform gives, tested against it)."""
        columns: list[int] = []
        values: list[float] = []
        blocks = ((char_grams, 0), (word_grams, 1))
        for analyse, block in blocks:
            vocabulary, idf = self._vocabularies[block], self._idf[block]
            counts: dict[int, int] = {}
            for gram in analyse(text):
                index = vocabulary.get(gram)
                if index is not None:
                    counts[index] = counts.get(index, 0) + 1
            if not counts:
                continue
            indices = np.fromiter(counts, dtype=np.int64, count=len(counts))
            tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float32, count=len(counts)))
            weighted = tf * idf[indices]
            weighted /= np.sqrt(np.dot(weighted, weighted))
            columns.extend((indices + self._offsets[block]).tolist())
            values.extend(weighted.tolist())
        return columns, np.asarray(values, dtype=np.float32)

    def scores(self, text: str) -> np.ndarray:
        """The classifier's margin for every intent (in `intents` order)."""
        columns, values = self.features(model_text(text))
        if not columns:
            return self._bias.copy()
        scores: np.ndarray = np.asarray(values @ self._weights[columns]) + self._bias
        return scores

    def rank(
        self, text: str, *, limit: int = 3, prior: Mapping[str, float] | None = None
    ) -> list[Ranked]:
        """The `limit` most probable intents for `text`, best first; `prior` weighs intents
        that the conversation so far makes likelier (a follow-up after an answer)."""
        scores = self.scores(text) * self._sharpness
        scores = np.exp(scores - scores.max())
        if prior:
            scores *= np.array([prior.get(intent, 1.0) for intent in self.intents])
        probabilities = scores / scores.sum()
        order = np.argsort(-probabilities)[:limit]
        return [Ranked(self.intents[i], float(probabilities[i])) for i in order]

    def save(self, path: Path) -> None:
        """Write the model to `path` (an .npz file), atomically."""
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial.npz")
        chars, words = self._vocabularies
        np.savez(
            partial,
            format=np.array(MODEL_FORMAT),
            intents=np.array(self.intents),
            chars=np.array(sorted(chars, key=chars.__getitem__)),
            words=np.array(sorted(words, key=words.__getitem__)),
            char_idf=self._idf[0],
            word_idf=self._idf[1],
            weights=self._weights,
            bias=self._bias,
            sharpness=np.array(self._sharpness),
        )
        partial.replace(path)

    @classmethod
    def load(cls, path: Path) -> IntentModel:
        """A model written by `save`; ValueError when the file is of another format."""
        with np.load(path, allow_pickle=False) as data:
            if int(data["format"]) != MODEL_FORMAT:
                raise ValueError(f"{path}: model format {int(data['format'])}")
            return cls(
                intents=[str(i) for i in data["intents"]],
                vocabularies=(
                    {str(g): i for i, g in enumerate(data["chars"])},
                    {str(g): i for i, g in enumerate(data["words"])},
                ),
                idf=(data["char_idf"], data["word_idf"]),
                weights=np.ascontiguousarray(data["weights"]),
                bias=data["bias"],
                sharpness=float(data["sharpness"]),
            )


def fill_slots(template: str, samples: dict[str, str] | None = None) -> str:
    """A training template with each `{slot}` as its token, or as a sample name when given."""
    out = template
    for slot, token in SLOT_TOKENS.items():
        value = (samples or {}).get(slot, token)
        out = out.replace("{" + slot + "}", value)
    return out


def expand(templates: Iterable[Utterance], samples: Sequence[dict[str, str]]) -> list[Utterance]:
    """Each template with slot tokens, and once more per sample set where it has slots.

    The sample copies teach the model what a sentence looks like when a name was not
    recognised (a system the directory does not know yet), without naming real systems.
    """
    out: list[Utterance] = []
    for i, utterance in enumerate(templates):
        out.append(Utterance(fill_slots(utterance.text), utterance.intent, utterance.lang))
        if "{" in utterance.text and samples:
            sample = samples[i % len(samples)]
            filled = fill_slots(utterance.text, sample)
            out.append(Utterance(filled, utterance.intent, utterance.lang))
    return out
