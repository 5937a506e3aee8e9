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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

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


class IntentModel:
    """Ranks intents for a message; built once from utterances."""

    def __init__(
        self,
        utterances: Sequence[Utterance],
        *,
        regularisation: float = 0.5,
        sharpness: float = 4.0,
    ) -> None:
        if len({u.intent for u in utterances}) < 2:
            raise ValueError("an intent model needs at least two intents")
        texts = [model_text(u.text) for u in utterances]
        labels = [u.intent for u in utterances]
        self._chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, dtype=np.float32
        )
        self._words = TfidfVectorizer(
            analyzer="word",
            ngram_range=(1, 2),
            sublinear_tf=True,
            token_pattern=r"(?u)\b\w+\b",
            dtype=np.float32,
        )
        features = hstack([self._chars.fit_transform(texts), self._words.fit_transform(texts)])
        # A linear SVM trains in well under a second on a few thousand utterances; its margins
        # become probabilities through a softmax whose `sharpness` the confidence bands are
        # tuned with (govbot nlu tune), so no slow calibration fit is needed at start-up.
        classifier = LinearSVC(C=regularisation, class_weight="balanced", random_state=0)
        classifier.fit(features, labels)
        self.intents: tuple[str, ...] = tuple(str(c) for c in classifier.classes_)
        self._sharpness = sharpness
        self._features = _Featurizer(self._chars, self._words)
        weights = classifier.coef_.astype(np.float32)  # (intents, features)
        self._weights = np.ascontiguousarray(weights.T)  # (features, intents): rows by feature
        self._bias = classifier.intercept_.astype(np.float32)
        self.vocabulary: frozenset[str] = frozenset(self._words.vocabulary_)

    def scores(self, text: str) -> np.ndarray:
        """The classifier's margin for every intent (in `intents` order)."""
        columns, values = self._features.transform(model_text(text))
        if not columns:
            return self._bias.copy()
        return np.asarray(values @ self._weights[columns]) + self._bias

    def rank(self, text: str, *, limit: int = 3) -> list[Ranked]:
        """The `limit` most probable intents for `text`, best first."""
        scores = self.scores(text) * self._sharpness
        scores = np.exp(scores - scores.max())
        probabilities = scores / scores.sum()
        order = np.argsort(-probabilities)[:limit]
        return [Ranked(self.intents[i], float(probabilities[i])) for i in order]


class _Featurizer:
    """The fitted vectorizers' transform for one message, without sklearn's per-call checks.

    Uses the vectorizers' own analyzers, vocabularies and idf weights, and reproduces their
    sublinear tf, idf and l2 normalisation per block (tested against `transform`).
    """

    def __init__(self, *vectorizers: TfidfVectorizer) -> None:
        self._blocks = []
        offset = 0
        for vectorizer in vectorizers:
            vocabulary = vectorizer.vocabulary_
            self._blocks.append(
                (
                    vectorizer.build_analyzer(),
                    vocabulary,
                    vectorizer.idf_.astype(np.float32),
                    offset,
                )
            )
            offset += len(vocabulary)
        self.width = offset

    def transform(self, text: str) -> tuple[list[int], np.ndarray]:
        """Feature columns present in `text` and their tf-idf values."""
        columns: list[int] = []
        values: list[float] = []
        for analyse, vocabulary, idf, offset in self._blocks:
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
            columns.extend((indices + offset).tolist())
            values.extend(weighted.tolist())
        return columns, np.asarray(values, dtype=np.float32)


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
