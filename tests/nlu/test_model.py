"""The intent model and the declarations it is built from."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer

from bot.intent_declarations import (
    CAPABILITY_ROOT,
    IntentDeclarationError,
    declarations_digest,
    load_intents,
    load_training,
    normalise,
)
from bot.intents import SAMPLE_NAMES, IntentMatcher, trained_matcher
from bot.nlu_eval import load_items
from knowledge.intent_model import (
    CHAR_NGRAMS,
    WORD_NGRAMS,
    IntentModel,
    Utterance,
    char_grams,
    expand,
    model_text,
    word_grams,
)

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
    with pytest.raises(IntentDeclarationError, match="is trained for"):
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
    first, second = IntentModel.train(utterances), IntentModel.train(utterances)
    for text in ("hvem er systemejer for xsystemx", "vi mangler et værktøj", "tak"):
        assert first.rank(text) == second.rank(text)


SAMPLES = (
    "Hej! Vi vil gerne købe et system til vagtplaner",
    "hvem ejer xsystemx?",
    "ø",
    "a",
    "  to   mellemrum  og en lang sammensætning digitaliseringsstrategien ",
    "",
)


def test_the_analyzers_are_scikit_learns() -> None:
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=CHAR_NGRAMS).build_analyzer()
    words = TfidfVectorizer(
        analyzer="word", ngram_range=WORD_NGRAMS, token_pattern=r"(?u)\b\w+\b"
    ).build_analyzer()
    for text in (model_text(t) for t in SAMPLES):
        assert char_grams(text) == chars(text)
        assert word_grams(text) == words(text)


def test_the_features_are_the_fitted_vectorizers_transform() -> None:
    utterances = expand(load_training(load_intents()), SAMPLE_NAMES)
    texts = [model_text(u.text) for u in utterances]
    chars = TfidfVectorizer(
        analyzer="char_wb", ngram_range=CHAR_NGRAMS, sublinear_tf=True, dtype=np.float32
    ).fit(texts)
    words = TfidfVectorizer(
        analyzer="word",
        ngram_range=WORD_NGRAMS,
        sublinear_tf=True,
        token_pattern=r"(?u)\b\w+\b",
        dtype=np.float32,
    ).fit(texts)
    model = IntentModel.train(utterances)
    for text in (model_text(t) for t in SAMPLES):
        expected = hstack([chars.transform([text]), words.transform([text])]).toarray().ravel()
        columns, values = model.features(text)
        got = np.zeros(expected.shape[0], dtype=np.float32)
        got[columns] = values
        assert np.allclose(expected, got, atol=1e-6)


def test_a_saved_model_ranks_as_the_trained_one(tmp_path: Path) -> None:
    model = trained_matcher().model
    assert model is not None
    model.save(tmp_path / "m.npz")
    loaded = IntentModel.load(tmp_path / "m.npz")
    for text in SAMPLES:
        assert loaded.rank(text) == model.rank(text)


def test_the_cache_is_keyed_by_the_declarations(tmp_path: Path) -> None:
    first = trained_matcher(tmp_path)
    assert list(tmp_path.glob("intents-*.npz")) == [
        tmp_path / f"intents-{declarations_digest()}.npz"
    ]
    (tmp_path / f"intents-{declarations_digest()}.npz").write_bytes(b"damaged")
    trained_matcher.cache_clear()
    again = trained_matcher(tmp_path)  # a damaged file is rebuilt, not trusted
    assert again.model is not None and first.model is not None
    assert again.model.rank("tak for hjælpen") == first.model.rank("tak for hjælpen")
    trained_matcher.cache_clear()


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
    from bot.intent_declarations import Intent

    table = (Intent("who_owns", patterns=(r"^hvem ejer (?P<system>.+)$",)),)
    matcher = IntentMatcher(table)
    match = matcher.match("Hvem ejer SBSYS?")
    assert match is not None and match.params == {"system": "sbsys"}
    assert matcher.match("blå kaniner") is None


def test_the_model_needs_two_intents() -> None:
    with pytest.raises(ValueError, match="two intents"):
        IntentModel.train([Utterance("hej", "welcome", "da")])


def test_a_wording_seen_before_is_not_ranked_again(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.nlu_eval import demo_slots

    matcher = trained_matcher()
    slots = demo_slots(matcher, "randers")
    assert matcher.model is not None
    calls: list[str] = []
    rank = matcher.model.rank
    monkeypatch.setattr(matcher.model, "rank", lambda t, **kw: calls.append(t) or rank(t, **kw))
    first = matcher.understand("hvem styrer rettighederne i SBSYS lige nu", slots)
    again = matcher.understand("hvem styrer rettighederne i Acadre lige nu", slots)
    assert first.match is not None and again.match is not None
    assert first.match.key == again.match.key and again.match.params == {"system": "acadre"}
    assert len(calls) <= 1  # the same masked wording: ranked once (or earlier in the run)
