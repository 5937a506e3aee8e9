"""What a message asks for: exact commands, parameter patterns, then the trained intent model.

The capabilities' declared intents and training utterances (`bot.intent_declarations`) train
the model; this module answers one question per message: act on an intent, offer a few
("Vil du …?"), or leave the text to the fallbacks.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from bot.intent_declarations import (
    Intent,
    declarations_digest,
    load_intents,
    load_training,
    normalise,
)
from knowledge.intent_model import IntentModel, Ranked, Utterance, expand
from knowledge.slots import SlotFinder, Slots
from knowledge.text import fold, words

# Offered as card buttons with "Ingen af dem" after them: Teams shows five actions a card.
MAX_OFFERS = 4

log = logging.getLogger(__name__)
# Names that stand in for an unrecognised name in a second copy of each slotted utterance.
SAMPLE_NAMES: tuple[dict[str, str], ...] = (
    {"system": "Zylo", "body": "koordinationsgruppen", "person": "Kim Hansen", "unit": "Vej"},
    {"system": "Kvik Plan", "body": "forummet", "person": "Jane Doe", "unit": "Park og Natur"},
)
# A message of at most this many words right after an answer may be a follow-up to it, and
# the intents declared to follow that answer weigh this much more.
FOLLOW_UP_WORDS = 5
FOLLOW_UP_PRIOR = 10.0
# How many masked wordings the matcher keeps the model's ranking for.
RANK_CACHE_SIZE = 4096
# Words a greeting may add in front of a request ("Hej govbot, …").
_GREETING_EXTRAS = frozenset({"govbot", "der", "there", "igen", "again", "allesammen", "all"})


@dataclass(frozen=True)
class IntentMatch:
    """The intent a message matched, how, and any parameters it carried."""

    key: str
    score: float
    via: str  # command | pattern | model | offer
    params: dict[str, str] = field(default_factory=dict)
    text: str = ""  # the request as written, without a greeting in front


@dataclass(frozen=True)
class Understood:
    """What a message asks for: one intent to act on, a few to offer, or neither."""

    text: str  # the request, without a greeting in front
    match: IntentMatch | None = None
    # Intents the model thinks likely enough to offer as buttons, one per family, likeliest first.
    offers: tuple[Ranked, ...] = ()
    greeted: bool = False


@dataclass(frozen=True)
class Bands:
    """Confidence bands: act at or above `act`; offer between `offer` and `act`."""

    act: float = 0.5
    offer: float = 0.3
    # An offer below this probability is not shown next to the first.
    offer_floor: float = 0.08


class IntentMatcher:
    """Commands, then patterns (in priority order), then the model, for one message."""

    def __init__(
        self,
        intents: Sequence[Intent] | None = None,
        *,
        utterances: Sequence[Utterance] | None = None,
        bands: Bands = Bands(),
        model: IntentModel | None = None,
    ) -> None:
        self.intents = tuple(load_intents() if intents is None else intents)
        self._by_key = {intent.key: intent for intent in self.intents}
        self._commands = {normalise(c): i.key for i in self.intents for c in i.commands}
        # The same commands as typed without æøå ("hjaelp", "saet som it kanal", "ga tilbage").
        self._folded_commands = {
            fold(c): i.key for i in self.intents for c in i.commands if fold(c)
        }
        if model is None:
            if utterances is None:
                utterances = load_training(self.intents) if intents is None else ()
            if len({u.intent for u in utterances}) > 1:
                model = IntentModel.train(expand(utterances, SAMPLE_NAMES))
        self.model = model
        self.bands = bands
        # For each subject intent, the intents a short message after it is likelier to be.
        self._priors: dict[str, dict[str, float]] = {}
        self._ranked: dict[tuple[str, str], list[Ranked]] = {}
        for intent in self.intents:
            for subject in intent.follows:
                self._priors.setdefault(subject, {})[intent.key] = FOLLOW_UP_PRIOR
        welcome = self._by_key.get("welcome")
        self._greetings = frozenset(normalise(c) for c in (welcome.commands if welcome else ()))

    def intent(self, key: str) -> Intent | None:
        """The declared intent `key`."""
        return self._by_key.get(key)

    def command(self, text: str) -> str | None:
        """The intent `text` names as a whole command ("hjælp", "hej"), if any."""
        return self._command(normalise(text))

    def offer_label(self, key: str, lang: str) -> str:
        """The button label offering `key` in `lang`."""
        return self._by_key[key].offer.get(lang) or self._by_key[key].offer["da"]

    def match(self, text: str) -> IntentMatch | None:
        """The intent to act on for `text` without names resolved, or None."""
        return self.understand(text).match

    def understand(
        self, text: str, slots: SlotFinder | None = None, *, after: str | None = None
    ) -> Understood:
        """Act, offer or leave to the fallbacks; `slots` finds names anywhere in the text;
        `after` is the intent of the conversation's current subject, if any."""
        normalised = normalise(text)
        request, greeted = self._without_greeting(normalised)
        if not request:
            return Understood(text="")
        original = _without_leading_words(text, len(normalised.split()) - len(request.split()))
        found = self._exact(request)
        if found is not None:
            return Understood(original, replace(found, text=original), greeted=greeted)
        if self.model is None:
            return Understood(original, greeted=greeted)
        names = slots.find(original) if slots is not None else Slots(original, {})
        short = len(request.split()) <= FOLLOW_UP_WORDS
        prior_key = (after or "") if short and (after or "") in self._priors else ""
        prior = self._priors.get(prior_key)
        ranked = self._rank(names.masked, "")
        worded = names.as_words()
        if worded is not None:  # a name that is also a word is read both ways; the clearer wins
            other = self._rank(worded.masked, "")
            if other[0].probability > ranked[0].probability:
                kept = {slot: items for slot, items in worded.found.items() if items}
                ranked, names = other, Slots(original, {**names.found, **kept}, names.topics)
        # A request clear on its own ("og 2027?" is the årshjul) stands; only an unclear one
        # is read as a follow-up to the answer before it.
        if prior and ranked[0].probability < self.bands.act:
            ranked = self._rank(names.masked, prior_key)
        top = ranked[0]
        if top.probability >= self.bands.act:
            match = IntentMatch(
                top.intent, top.probability * 100, "model", names.params(), original
            )
            return Understood(original, match, greeted=greeted)
        if top.probability < self.bands.offer or not self._by_key[top.intent].offer:
            # Below the band, or the likeliest is one the fallbacks answer better than a
            # button could: governance questions get the knowledge answers' own "Mente du …?".
            return Understood(original, greeted=greeted)
        offers: list[Ranked] = []
        families: set[str] = set()
        for candidate in ranked:
            intent = self._by_key[candidate.intent]
            if candidate.probability < self.bands.offer_floor or not intent.offer:
                continue
            if intent.label in families:
                continue
            families.add(intent.label)
            offers.append(candidate)
            if len(offers) == MAX_OFFERS:
                break
        return Understood(original, offers=tuple(offers), greeted=greeted)

    def _rank(self, masked: str, prior_key: str) -> list[Ranked]:
        """The model's ranking of `masked` text, kept for the next time the same wording comes:
        with names masked ("hvem er systemejer for xsystemx") the common requests repeat."""
        key = (masked, prior_key)
        ranked = self._ranked.get(key)
        if ranked is None:
            assert self.model is not None
            ranked = self.model.rank(masked, prior=self._priors.get(prior_key))
            if len(self._ranked) >= RANK_CACHE_SIZE:
                self._ranked.pop(next(iter(self._ranked)))  # the oldest goes first
            self._ranked[key] = ranked
        return ranked

    def forget_rankings(self) -> None:
        """Drop the kept rankings (a benchmark measuring the model's own cost calls this)."""
        self._ranked.clear()

    def params_for(self, text: str, slots: SlotFinder | None) -> dict[str, str]:
        """The names `text` carries, as parameters for an intent chosen by a button."""
        return slots.find(text).params() if slots is not None else {}

    def _exact(self, request: str) -> IntentMatch | None:
        key = self._command(request)
        if key:
            return IntentMatch(key, 100.0, "command")
        # Danish typed without æøå ("sekretaer", "paamindelser") is also tried as the text
        # folding reads it ("sekretær"), pattern by pattern, so priorities hold.
        read = " ".join(words(request))
        return self._pattern((request, read) if read != request else (request,))

    def _command(self, request: str) -> str | None:
        folded = fold(request)
        return self._commands.get(request) or (
            self._folded_commands.get(folded) if folded else None
        )

    def _pattern(self, requests: tuple[str, ...]) -> IntentMatch | None:
        for intent in self.intents:
            for pattern in intent.compiled:
                for request in requests:
                    found = pattern.search(request)
                    if found:
                        params = {k: v.strip() for k, v in found.groupdict().items() if v}
                        return IntentMatch(intent.key, 100.0, "pattern", params)
        return None

    def _without_greeting(self, normalised: str) -> tuple[str, bool]:
        """The request after any greeting in front ("hej govbot, …"); "" when only a greeting."""
        words = normalised.split()
        if normalised in self._greetings:
            return normalised, False
        cut = 0
        while cut < len(words):
            two = " ".join(words[cut : cut + 2])
            if two in self._greetings and cut + 2 <= len(words):
                cut += 2
            elif words[cut] in self._greetings or (cut and words[cut] in _GREETING_EXTRAS):
                cut += 1
            else:
                break
        if cut == 0:
            return normalised, False
        if cut == len(words):
            return "hej", False  # a longer greeting is still a greeting
        return " ".join(words[cut:]), True


def _without_leading_words(text: str, count: int) -> str:
    """`text` as written, minus its first `count` words (and the punctuation after them)."""
    if count <= 0:
        return text.strip()
    pieces = re.findall(r"\w+|[^\w\s]+|\s+", text)
    words = 0
    for i, piece in enumerate(pieces):
        if re.match(r"\w", piece):
            words += 1
            if words == count:
                rest = "".join(pieces[i + 1 :])
                return re.sub(r"^[\s,.!;:–-]+", "", rest).strip()
    return ""


@cache
def trained_matcher(cache_dir: Path | None = None) -> IntentMatcher:
    """The matcher of the declared capabilities, trained once per process (deterministic).

    With `cache_dir`, the trained model is kept there under the digest of the declarations,
    so a start-up with unchanged training data loads arrays instead of training (and never
    imports scikit-learn); a changed file gives a new digest and a fresh model.
    """
    intents = load_intents()
    if cache_dir is None:
        return IntentMatcher(intents, utterances=load_training(intents))
    path = cache_dir / f"intents-{declarations_digest()}.npz"
    try:
        return IntentMatcher(intents, model=IntentModel.load(path))
    except (OSError, ValueError, KeyError):
        pass  # not built yet, or from another version: train and keep it
    matcher = IntentMatcher(intents, utterances=load_training(intents))
    if matcher.model is not None:
        try:
            matcher.model.save(path)
        except OSError as error:  # a read-only checkout still runs, it just trains each time
            log.warning("intent model not cached", extra={"error": type(error).__name__})
    return matcher
