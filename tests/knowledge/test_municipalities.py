"""Questions about another municipality's practice are not answered from this pack's material."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from knowledge.answers import Confidence, answer_question
from knowledge.municipalities import (
    MunicipalityNames,
    municipality_names,
    named_elsewhere,
    named_municipalities,
)
from knowledge.packs import available_packs, load_pack


def test_the_bundled_list_holds_every_municipality_once() -> None:
    assert len(municipality_names().names) == 98


def test_an_alias_must_belong_to_a_listed_municipality() -> None:
    with pytest.raises(ValidationError):
        MunicipalityNames(names=("Randers",), also_called={"Aarhus": ("Århus",)})


def test_names_are_found_in_their_written_forms() -> None:
    assert named_municipalities("Hvad gør Silkeborgs IT-afdeling?") == {"Silkeborg"}
    assert named_municipalities("Does Copenhagen use Chromebooks?") == {"København"}
    assert named_municipalities("Hvordan gør Ringkøbing-Skjern?") == {"Ringkøbing-Skjern"}


def test_a_name_that_is_also_a_word_counts_only_before_kommune() -> None:
    assert named_municipalities("Hvem viser vejen til en ny løsning?") == frozenset()
    assert named_municipalities("Hvad gør Vejen Kommune?") == {"Vejen"}


def test_the_packs_own_municipality_is_not_elsewhere() -> None:
    assert named_elsewhere("Hvad gør Randers med Chromebooks?", "Randers Kommune") == frozenset()


@pytest.mark.parametrize("pack_key", available_packs())
def test_another_municipalitys_practice_gets_an_honest_unknown(pack_key: str) -> None:
    pack = load_pack(pack_key)
    answer = answer_question(pack, "Bruger Silkeborg Kommune Chromebooks på skolerne?")
    assert answer.confidence is Confidence.UNKNOWN
    assert "Silkeborg" in answer.text and pack.municipality in answer.text
    assert answer.ask, "the reply names whom to ask"
    english = answer_question(pack, "Who is the chief executive of Aarhus Municipality?")
    assert english.confidence is Confidence.UNKNOWN
    assert english.language == "en" and "Aarhus" in english.text


def test_a_practice_the_pack_itself_describes_is_still_offered() -> None:
    # The KL analysis' practice from Jammerbugt is in the shared material.
    answer = answer_question(load_pack("randers"), "Hvordan gør Jammerbugt ved indkøb af it?")
    assert answer.confidence is Confidence.CONFIDENT
    assert "Jammerbugt" in answer.text


def test_a_national_body_is_named_like_another_municipality() -> None:
    assert named_elsewhere("Who is the CEO of KOMBIT?", "Rebild Kommune") == {"KOMBIT"}
    with pytest.raises(ValidationError):
        MunicipalityNames(names=("Randers",), organisations=("Randers",))


@pytest.mark.parametrize("pack_key", available_packs())
def test_a_question_about_a_national_body_is_not_answered_from_our_roles(pack_key: str) -> None:
    # The chief executive's entry says nothing of KOMBIT's; Randers' entries on KOMBIT's
    # components may still be offered as choices.
    answer = answer_question(load_pack(pack_key), "Who is the CEO of KOMBIT?")
    assert answer.confidence is not Confidence.CONFIDENT
