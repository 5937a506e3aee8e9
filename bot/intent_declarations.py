"""The intents every capability declares, read and validated: what a user can ask for.

Each capability declares its intents in `bot/capabilities/<name>/intents.yaml` (commands,
patterns with named groups for parameters, the label offered when the model is unsure, the
answers it follows) and its training utterances in `training*.yaml` beside it. This module
reads them in the capabilities' priority order and refuses an inconsistent declaration at
start-up; `bot.intents` matches messages against what it returns.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from dialogs.base import CONTROL_COMMANDS
from knowledge.intent_model import MODEL_FORMAT, Utterance
from knowledge.schema_base import MAX_BUTTON_LABEL
from knowledge.yaml_loader import safe_load

# Beside this module; a path, not importlib.resources: the capabilities package imports us.
CAPABILITY_ROOT = Path(__file__).parent / "capabilities"
LANGUAGES = ("da", "en")
# Fewer utterances than this per intent and language is not enough to learn from.
MIN_UTTERANCES = {"da": 12, "en": 6}
TRAINING_FILES = "*/training*.yaml"  # training.yaml, and training-<writer>.yaml beside it


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


def normalise(text: str) -> str:
    """Lower-case, NFC, punctuation to spaces, single spaces."""
    text = unicodedata.normalize("NFC", text).casefold()
    if text.strip() == "?":
        return "?"
    text = re.sub(r"[^\w\s]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _read_yaml(path: Path) -> Any:
    return safe_load(path.read_text(encoding="utf-8"))


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


def declarations_digest(root: Path = CAPABILITY_ROOT) -> str:
    """A digest of every capability's intents.yaml and training files (and the model format)."""
    digest = hashlib.sha256(f"format {MODEL_FORMAT}".encode())
    for path in sorted([*root.glob("*/intents.yaml"), *root.glob(TRAINING_FILES)]):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
