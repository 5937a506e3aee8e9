"""Dev-set questions kept as phrasings of the entries that answer them (knowledge.paraphrases):
validated, never shown on a button, left out per set for fitting, and never a held-out question."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from knowledge.answers import KnowledgeIndex
from knowledge.corpus import build_entries
from knowledge.evaluation import load_items
from knowledge.packs import available_packs, load_pack
from knowledge.paraphrases import Paraphrase, with_paraphrases, without_sets
from knowledge.text import normalise

SETS = Path(__file__).parent
HELD_OUT = ("heldout", "fresh")


def test_a_paraphrase_names_its_language_and_set() -> None:
    with pytest.raises(ValidationError):
        Paraphrase.model_validate({"entry": "faq:x", "q": "hvad er x", "lang": "de", "set": "dev"})
    with pytest.raises(ValidationError):
        Paraphrase.model_validate({"entry": "faq:x", "q": "hvad er x", "lang": "da"})


def test_a_paraphrase_of_an_unknown_entry_is_refused_with_its_file() -> None:
    entries = build_entries(load_pack("norddjurs"))
    stray = Paraphrase(entry="body:findes_ikke", q="hvem er det", lang="da", set="dev")
    with pytest.raises(ValueError, match=r"norddjurs/paraphrases\.yaml.*body:findes_ikke"):
        with_paraphrases(entries, [stray], "norddjurs")


@pytest.mark.parametrize("pack_key", available_packs())
def test_paraphrases_never_change_the_question_a_button_shows(pack_key: str) -> None:
    pack = load_pack(pack_key)
    assert pack.paraphrases, "every pack has dev-set paraphrases"
    plain = build_entries(pack)
    extended = KnowledgeIndex(pack).entries
    for before, after in zip(plain, extended, strict=True):
        assert before.question("da") == after.question("da")
        assert before.question("en") == after.question("en")


def test_a_set_is_matched_without_its_own_paraphrases() -> None:
    pack = load_pack("norddjurs")
    assert not any(p.set == "dev2" for p in without_sets(pack.paraphrases, frozenset({"dev2"})))
    # A dev2 question worded like no entry's own phrasing and no other set's question: a
    # phrasing of its own only while dev2's paraphrases are in.
    others = {tuple(normalise(p.q)) for p in pack.paraphrases if p.set != "dev2"}
    plain = KnowledgeIndex(pack, excluded_sets=None)
    asked = next(
        p
        for p in pack.paraphrases
        if p.set == "dev2"
        and tuple(normalise(p.q)) not in others
        and plain.rank(p.q, limit=1)[0].score < 1.0
    )
    with_own = KnowledgeIndex(pack).rank(asked.q, limit=1)[0]
    without_own = KnowledgeIndex(pack, excluded_sets=frozenset({"dev2"})).rank(asked.q, limit=1)
    assert with_own.score == pytest.approx(1.0)
    assert not without_own or without_own[0].score < with_own.score


def test_no_held_out_question_is_a_paraphrase() -> None:
    held_out = {
        tuple(normalise(item.question)) for name in HELD_OUT for item in load_items(SETS / name)
    }
    for pack_key in available_packs():
        for p in load_pack(pack_key).paraphrases:
            assert p.set not in HELD_OUT
            assert tuple(normalise(p.q)) not in held_out, (pack_key, p.set)
