"""The questions govbot shows on buttons ("Relaterede spørgsmål", "Mente du …?") read as a person
would write them: a meeting series is held rather than meets, an English plural takes "are",
a proper name takes no "the", and a Danish name's article is not capitalised mid-sentence."""

from __future__ import annotations

import pytest

from knowledge.answers import knowledge_index
from knowledge.packs import load_pack
from knowledge.render import in_sentence, is_proper_name, lcfirst, lower_article


def _question(pack: str, entry_id: str, lang: str) -> str:
    return knowledge_index(load_pack(pack)).entry(entry_id).question(lang)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("pack", "entry_id", "lang", "question"),
    [
        (
            "randers",
            "body:dialogmoder:cadence",
            "da",
            "Hvor ofte holdes Dialogmøder mellem forretningsområde og IT & Digitalisering?",
        ),
        (
            "randers",
            "body:dialogmoder:cadence",
            "en",
            "How often are the dialogue meetings between business area and IT & Digitalisation"
            " held?",
        ),
        (
            "randers",
            "body:faellesmoder:members",
            "da",
            "Hvem deltager i Fællesmøder mellem fagforvaltning og IT & Digitalisering?",
        ),
        (
            "randers",
            "body:fagforvaltninger_og_stabe",
            "en",
            "What are the line departments and staff functions?",
        ),
        ("randers", "body:it_digitalisering", "en", "What is IT & Digitalisation?"),
        (
            "rebild",
            "body:faellescenter_okonomi_it",
            "en",
            "What is the Joint Centre for Finance and IT?",
        ),
        (
            "norddjurs",
            "body:styregruppe:cadence",
            "da",
            "Hvor tit mødes den tværgående digitaliseringsstyregruppe?",
        ),
        (
            "norddjurs",
            "body:styregruppe:cadence",
            "en",
            "How often does the cross-cutting digitalisation steering group meet?",
        ),
    ],
)
def test_a_shown_question_reads_naturally(
    pack: str, entry_id: str, lang: str, question: str
) -> None:
    assert _question(pack, entry_id, lang) == question


def test_name_case_rules() -> None:
    assert (
        lower_article("Den tværgående digitaliseringsstyregruppe")
        == "den tværgående digitaliseringsstyregruppe"
    )
    assert lower_article("Digitalisering") == "Digitalisering"  # a unit's proper name
    assert lcfirst("Joint Centre for Finance and IT") == "Joint Centre for Finance and IT"
    assert (
        lcfirst("Dialogue meetings between business area and IT")
        == "dialogue meetings between business area and IT"
    )
    assert is_proper_name("IT & Digitalisation") and is_proper_name("SkoleNet (school IT network)")
    assert not is_proper_name("city council")


def test_govbots_suggested_meeting_times_are_said_once_and_plainly() -> None:
    entry = knowledge_index(load_pack("randers")).entry("body:direktion:cadence")
    assert "i govbots årshjul er forslag, som sekretæren kan ændre." in entry.text_da
    assert entry.text_da.count("govbot") == 1
    assert "in govbot's annual cycle are suggestions the secretary can change." in entry.text_en


def test_a_body_named_in_an_english_sentence_takes_the() -> None:
    assert in_sentence("City council", "en") == "the city council"
    assert in_sentence("IT & Digitalisation", "en") == "IT & Digitalisation"
    assert in_sentence("Byrådet", "da") == "Byrådet"


def test_principles_a_pack_does_not_set_are_not_called_its_own() -> None:
    # Norddjurs' kommissorium sets no IT principles: govbot's shared ones are shown as such.
    norddjurs = knowledge_index(load_pack("norddjurs")).entry("principles:all")
    assert "Norddjurs Kommunes eget materiale fastlægger ingen it-principper" in norddjurs.text_da
    assert "Norddjurs Kommunes principper:" not in norddjurs.text_da
    rebild = knowledge_index(load_pack("rebild")).entry("principles:all")
    assert "Rebild Kommunes principper:\n- 1. Digitalisering skal styrke" in rebild.text_da


def test_shared_principles_after_a_packs_own_start_a_paragraph() -> None:
    # Markdown would run a line straight after a list item into that item.
    randers = knowledge_index(load_pack("randers")).entry("principles:all").text_da
    assert "\n\nDerudover bruger govbot disse fælles principper" in randers


@pytest.mark.parametrize(
    ("pack", "entry_id", "lang", "question"),
    [
        # A role is spoken of with its article, as in "hvad laver en superbruger".
        ("rebild", "role:superbruger:escalation", "da", "Hvem skal en superbruger eskalere til?"),
        # A principle's title is a sentence of its own: quoted, it reads as a name.
        ("randers", "principle:indkobsguiden", "da",
         'Hvad betyder princippet "Indkøbsguiden skal altid følges"?'),
    ],
)  # fmt: skip
def test_role_and_principle_questions_read_as_written(
    pack: str, entry_id: str, lang: str, question: str
) -> None:
    assert _question(pack, entry_id, lang) == question
