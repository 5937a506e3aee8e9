"""The intent model and the declarations it is built from."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from scipy.sparse import hstack

from bot.intents import (
    CAPABILITY_ROOT,
    IntentDeclarationError,
    IntentMatcher,
    load_intents,
    load_training,
    normalise,
    trained_matcher,
)
from bot.nlu_eval import load_items
from knowledge.intent_model import IntentModel, Utterance, model_text

HELDOUT = Path(__file__).parent


def test_every_model_intent_has_training_data_in_both_languages() -> None:
    intents = load_intents()
    trained = {u.intent for u in load_training(intents)}
    model_only = {i.key for i in intents if not i.commands and not i.patterns}
    assert model_only <= trained, model_only - trained
    for lang in ("da", "en"):
        assert {u.intent for u in load_training(intents) if u.lang == lang} == trained


def test_the_held_out_sets_are_mostly_worded_apart_from_the_training_data() -> None:
    """Short messages ("tak", "hej") are bound to coincide; the rest must not."""
    training = {normalise(u.text) for u in load_training(load_intents())}
    for name, size in (("heldout.yaml", 300), ("heldout_followups.yaml", 90)):
        items = load_items(HELDOUT / name)
        assert len(items) >= size
        same = [i.text for i in items if normalise(i.text) in training]
        assert len(same) <= len(items) * 2 // 5, same
        assert all(len(normalise(t).split()) <= 8 for t in same), same


def test_a_message_trained_for_two_intents_is_refused(tmp_path: Path) -> None:
    for name, key in (("core", "help"), ("smalltalk", "smalltalk.thanks")):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "intents.yaml").write_text(
            yaml.safe_dump({"capability": name, "intents": [{"key": key}]}), "utf-8"
        )
        utterances = {"da": ["tak for det"] + [f"da {i}" for i in range(20)],
                      "en": [f"en {key} {i}" for i in range(10)]}  # fmt: skip
        (folder / "training.yaml").write_text(yaml.safe_dump({key: utterances}), "utf-8")
    with pytest.raises(IntentDeclarationError, match="trained for both"):
        load_training(load_intents(tmp_path), tmp_path)


def test_too_few_utterances_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "core"
    folder.mkdir()
    (folder / "intents.yaml").write_text(
        yaml.safe_dump({"capability": "core", "intents": [{"key": "help"}]}), "utf-8"
    )
    (folder / "training.yaml").write_text(
        yaml.safe_dump({"help": {"da": ["hjælp mig"], "en": ["help me"]}}), "utf-8"
    )
    with pytest.raises(IntentDeclarationError, match="needs"):
        load_training(load_intents(tmp_path), tmp_path)


def test_the_capability_folders_declare_their_own_name() -> None:
    names = {p.parent.name for p in CAPABILITY_ROOT.glob("*/intents.yaml")}
    assert {i.capability for i in load_intents()} == names


def test_training_is_deterministic() -> None:
    utterances = load_training(load_intents())
    first, second = IntentModel(utterances), IntentModel(utterances)
    for text in ("hvem er systemejer for xsystemx", "vi mangler et værktøj", "tak"):
        assert first.rank(text) == second.rank(text)


def test_the_fast_transform_equals_the_vectorizers() -> None:
    model = trained_matcher().model
    assert model is not None
    for text in ("Hej! Vi vil gerne købe et system til vagtplaner", "hvem ejer xsystemx?", "ø"):
        folded = [model_text(text)]
        expected = hstack([model._chars.transform(folded), model._words.transform(folded)])
        columns, values = model._features.transform(folded[0])
        got = np.zeros(expected.shape[1], dtype=np.float32)
        got[columns] = values
        assert np.allclose(expected.toarray().ravel(), got, atol=1e-6)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("hjælp", "help"),
        ("Hjælp!", "help"),
        ("annuller", "cancel"),
        ("Start forfra", "restart"),
        ("hej", "welcome"),
        ("Hej govbot!", "welcome"),
        ("min profil", "profile"),
        ("hvem ejer SBSYS?", "directory.who_owns"),
        ("næste møde i styregruppen", "meetings.next"),
    ],
)
def test_commands_and_patterns_come_first(text: str, key: str) -> None:
    match = trained_matcher().match(text)
    assert match is not None and match.key == key and match.via in ("command", "pattern")


def test_a_greeting_in_front_is_not_the_request() -> None:
    understood = trained_matcher().understand("Hej! Vi vil gerne købe et system til vagtplaner")
    assert understood.greeted
    assert understood.text == "Vi vil gerne købe et system til vagtplaner"
    assert understood.match is not None and understood.match.key == "procurement.start"


def test_a_table_without_training_matches_only_commands() -> None:
    from bot.intents import Intent

    table = (Intent("who_owns", patterns=(r"^hvem ejer (?P<system>.+)$",)),)
    matcher = IntentMatcher(table)
    match = matcher.match("Hvem ejer SBSYS?")
    assert match is not None and match.params == {"system": "sbsys"}
    assert matcher.match("blå kaniner") is None


def test_the_model_needs_two_intents() -> None:
    with pytest.raises(ValueError, match="two intents"):
        IntentModel([Utterance("hej", "welcome", "da")])
