"""What a message asks for: exact commands, parameter patterns, then the trained intent model.

Every capability declares its intents in `bot/capabilities/<name>/intents.yaml` (commands,
patterns with named groups for parameters, the label offered when the model is unsure) and its
training utterances in `training.yaml` beside it. This module reads those declarations in the
capabilities' priority order, validates them, trains the model and answers one question per
message: act on an intent, offer a few ("Vil du …?"), or leave the text to the fallbacks.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import yaml

from dialogs.base import CONTROL_COMMANDS
from knowledge.intent_model import (
    MODEL_FORMAT,
    IntentModel,
    Ranked,
    Utterance,
    expand,
)
from knowledge.schema_base import MAX_BUTTON_LABEL
from knowledge.slots import SlotFinder, Slots
from knowledge.text import fold, words

# Offered as card buttons with "Ingen af dem" after them: Teams shows five actions a card.
MAX_OFFERS = 4

# Beside this module; a path, not importlib.resources: the capabilities package imports us.
log = logging.getLogger(__name__)
CAPABILITY_ROOT = Path(__file__).parent / "capabilities"
LANGUAGES = ("da", "en")
# Fewer utterances than this per intent and language is not enough to learn from.
MIN_UTTERANCES = {"da": 12, "en": 6}
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


class IntentDeclarationError(ValueError):
    """A capability's intents.yaml or training.yaml is inconsistent."""


@dataclass(frozen=True)
class Intent:
    """One thing a user can ask for: how it is said exactly, and how it is offered."""

    key: str
    capability: str = ""
    family: str = ""  # what the intent counts as in evaluation ("meetings.move" → meetings.admin)
    commands: tuple[str, ...] = ()  # whole messages, compared after normalisation
    patterns: tuple[str, ...] = ()  # regexes with named groups for parameters
    offer: Mapping[str, str] = field(default_factory=dict)  # button label per language
    # Intents of an answer after which this one is likely ("og dataejeren?" after a role).
    follows: tuple[str, ...] = ()
    # A question that may be asked in the middle of a dialog: it answers and changes nothing.
    interrupts: bool = False

    @cached_property
    def compiled(self) -> tuple[re.Pattern[str], ...]:
        """The patterns, compiled once, matched against normalised text."""
        return tuple(re.compile(pattern) for pattern in self.patterns)

    @property
    def label(self) -> str:
        """The evaluation label: its family, or the intent itself."""
        return self.family or self.key


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


def normalise(text: str) -> str:
    """Lower-case, NFC, punctuation to spaces, single spaces."""
    text = unicodedata.normalize("NFC", text).casefold()
    if text.strip() == "?":
        return "?"
    text = re.sub(r"[^\w\s]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


# --- declarations ----------------------------------------------------------------------------


def _read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def load_intents(root: Path = CAPABILITY_ROOT) -> tuple[Intent, ...]:
    """Every capability's intents, in priority order (file order within a capability)."""
    declared: list[tuple[int, int, Intent]] = []
    seen: set[str] = set()
    for path in sorted(root.glob("*/intents.yaml")):
        data = _read_yaml(path) or {}
        capability = data.get("capability")
        if capability != path.parent.name:
            raise IntentDeclarationError(f"{path}: capability must be {path.parent.name!r}")
        priority = int(data.get("priority", 100))
        for order, item in enumerate(data.get("intents") or ()):
            key = item["key"]
            if key in seen:
                raise IntentDeclarationError(f"{path}: intent {key!r} is declared twice")
            seen.add(key)
            commands = tuple(item.get("commands") or ()) + CONTROL_COMMANDS.get(key, ())
            offer = dict(item.get("offer") or {})
            if offer and set(offer) != set(LANGUAGES):
                raise IntentDeclarationError(f"{path}: {key} offer needs da and en")
            if any(len(label) > MAX_BUTTON_LABEL for label in offer.values()):
                raise IntentDeclarationError(
                    f"{path}: {key} offer is a button: at most {MAX_BUTTON_LABEL} characters"
                )
            intent = Intent(
                key=key,
                capability=capability,
                family=item.get("family", ""),
                commands=commands,
                patterns=tuple(item.get("patterns") or ()),
                offer=offer,
                follows=tuple(item.get("follows") or ()),
                interrupts=bool(item.get("interrupts", False)),
            )
            for pattern in intent.patterns:
                try:
                    re.compile(pattern)
                except re.error as error:
                    raise IntentDeclarationError(f"{path}: {key}: {error}") from error
            declared.append((priority, order, intent))
    declared.sort(key=lambda item: (item[0], item[1]))
    return tuple(intent for _, _, intent in declared)


TRAINING_FILES = "*/training*.yaml"  # training.yaml, and training-<writer>.yaml beside it


def load_training(intents: Sequence[Intent], root: Path = CAPABILITY_ROOT) -> tuple[Utterance, ...]:
    """Every capability's training utterances, validated against the declared intents.

    A capability may hold several training files, each from another writer; an intent needs
    enough utterances per language over all of them, and no text may be trained twice."""
    declared = {intent.key: intent for intent in intents}
    utterances: list[Utterance] = []
    owner: dict[str, str] = {}
    counts: dict[tuple[str, str], int] = {}
    where: dict[str, Path] = {}
    for path in sorted(root.glob(TRAINING_FILES)):
        data = _read_yaml(path) or {}
        for key, by_lang in data.items():
            intent = declared.get(key)
            if intent is None:
                raise IntentDeclarationError(f"{path}: {key!r} is not a declared intent")
            if intent.capability != path.parent.name:
                raise IntentDeclarationError(f"{path}: {key!r} belongs to {intent.capability}")
            where.setdefault(key, path)
            for lang in LANGUAGES:
                texts = list((by_lang or {}).get(lang) or ())
                counts[(key, lang)] = counts.get((key, lang), 0) + len(texts)
                for text in texts:
                    folded = normalise(str(text))
                    if folded in owner:
                        twice = "twice" if owner[folded] == key else f"for {owner[folded]} too"
                        raise IntentDeclarationError(f"{path}: {text!r} ({key}) is trained {twice}")
                    owner[folded] = key
                    utterances.append(Utterance(str(text), key, lang))
    for (key, lang), count in sorted(counts.items()):
        if count < MIN_UTTERANCES[lang]:
            raise IntentDeclarationError(
                f"{where[key]}: {key} has {count} {lang} utterances, needs {MIN_UTTERANCES[lang]}"
            )
    return tuple(utterances)


# --- matching --------------------------------------------------------------------------------


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


def declarations_digest(root: Path = CAPABILITY_ROOT) -> str:
    """A digest of every capability's intents.yaml and training files (and the model format)."""
    digest = hashlib.sha256(f"format {MODEL_FORMAT}".encode())
    for path in sorted([*root.glob("*/intents.yaml"), *root.glob(TRAINING_FILES)]):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


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
