"""Danish normalisation and fuzzy ranking."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from knowledge.text import (
    FuzzyIndex,
    Vocabulary,
    detect_language,
    fold,
    name_key,
    normalise,
    particle_compounds,
    question_focus,
    similarity,
    token_similarity,
)

danish_words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzæøå", min_size=1, max_size=15)
phrases = st.lists(danish_words, min_size=1, max_size=6).map(" ".join)
# Without a, e and o around them, aa/ae/oe can only be read one way ("aæ" spelled "aae" cannot).
unambiguous = st.lists(
    st.text(alphabet="bcdfghijklmnpqrstuvwxyzæøå", min_size=1, max_size=15), min_size=1, max_size=6
).map(" ".join)


@given(st.text())
def test_fold_is_ascii_lowercase_and_ignores_case(text: str) -> None:
    folded = fold(text)
    assert all(c.isascii() for c in folded)
    assert folded == folded.lower()
    # Some letters change identity under case mapping (Turkish "ı" upper-cases to "I"); for the
    # rest, case must not matter.
    assume(text.upper().casefold() == text.casefold())
    assert fold(text.upper()) == fold(text.lower())


@given(phrases)
def test_normalise_ignores_case_and_punctuation(text: str) -> None:
    assert normalise(text.upper()) == normalise(text)
    assert normalise(f"{text}?!") == normalise(text)
    assert normalise(text.replace(" ", " - ")) == normalise(text)


@given(unambiguous)
def test_digraphs_and_danish_letters_agree(text: str) -> None:
    spelled = text.replace("å", "aa").replace("æ", "ae").replace("ø", "oe")
    assert normalise(spelled) == normalise(text)
    assert name_key(spelled) == name_key(text)


@given(st.text(), st.text())
def test_token_similarity_is_symmetric_and_bounded(a: str, b: str) -> None:
    score = token_similarity(a, b)
    assert 0.0 <= score <= 1.0
    assert score == token_similarity(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Økonomiudvalget", "okonomiudvalget"),
        ("Økonomiudvalget", "oekonomiudvalg"),
        ("styregruppen", "Styregruppe"),
        ("mødes", "modes"),
        ("databeskyttelsesrådgiveren", "databeskyttelsesraadgiver"),
        ("Superbrugere", "superbruger"),
        ("Hvem er formand for programgruppen?", "hvem formand programgruppe"),
    ],
)
def test_normalise_meets_spelling_variants(a: str, b: str) -> None:
    assert normalise(a) == normalise(b)


def test_stop_words_are_dropped_but_question_words_kept() -> None:
    assert normalise("Hvem er formand for styregruppen?") == ("hvem", "formand", "styregrup")
    assert normalise("How often does the steering group meet") == (
        "how",
        "oft",
        "steering",
        "group",
        "meet",
    )


def test_plural_principles_differ_from_one_principle() -> None:
    assert normalise("principperne") != normalise("princippet")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("hvor tit mødes styregruppen", "da"),
        ("hvem er formand for programgruppen", "da"),
        ("hvad laver en superbruger", "da"),
        ("hvad er KITOS", "da"),
        ("who chairs the steering group", "en"),
        ("what does a data owner do", "en"),
        ("How often does styregruppen meet?", "en"),
        ("dpo", "da"),
        # a name's æøå do not make English Danish; Danish words' æøå still decide
        ("which systems does Søren own?", "en"),
        ("who is Mette Østergaard?", "en"),
        ("Søren Holm", "da"),
        ("Hvornår mødes styregruppen", "da"),
        ("hvem ejer Økonomi", "da"),
        ("Næste møde", "da"),
        # plain English around a Danish term is English; a Danish sentence stays Danish
        ("what does følg-eller-forklar mean", "en"),
        ("hvad betyder følg-eller-forklar", "da"),
        ("på mødet is fint", "da"),
        ("What can I do about følg-eller-forklar?", "en"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_vocabulary_weights_and_compounds() -> None:
    vocab = Vocabulary([["styregrup", "formand"], ["programgrup", "formand"], ["hvem"]])
    assert vocab.weight("styregrup") > vocab.weight("formand")
    assert vocab.weight("ukendt") == vocab.max_weight
    assert vocab.split("styregruppeformand") == ("styregrup", "formand")
    assert vocab.split("fodboldklub") is None
    assert vocab.neighbours("styregrupe")[0][0] == "styregrup"


SYSTEMS = [
    ("sbsys", ["SBSYS", "SBSYS ESDH"]),
    ("acadre", ["Acadre"]),
    ("opus_okonomi", ["KMD Opus Økonomi"]),
    ("opus_lon", ["KMD Opus Løn"]),
    ("nexus", ["KMD Nexus", "Nexus"]),
    ("momentum", ["Momentum"]),
]


def test_fuzzy_index_exact_typo_and_ambiguous() -> None:
    index = FuzzyIndex(SYSTEMS)
    assert index.exact("sbsys") == ("sbsys",)
    assert index.exact("kmd opus okonomi") == ("opus_okonomi",)
    assert index.search("acadr")[0].key == "acadre"
    assert index.search("sbys")[0].key == "sbsys"
    ambiguous = {m.key for m in index.search("opus", cutoff=90)}
    assert ambiguous == {"opus_okonomi", "opus_lon"}
    assert index.search("bookingsystem til lokaler", cutoff=85) == []


def test_text_similarity_for_duplicates() -> None:
    assert similarity("Nyt bookingsystem til mødelokaler", "bookingsystem til moedelokaler") >= 90
    assert similarity("Nyt bookingsystem", "Velfærdsteknologi i hjemmeplejen") < 50
    text_index = FuzzyIndex([(1, ["Digital post til borgere"]), (2, ["Robot til lønkørsel"])],
                            kind="text")  # fmt: skip
    assert text_index.search("digital post til borgerne", cutoff=80)[0].key == 1


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("hvert år", "om året"),
        ("årligt", "år"),
        ("koordination", "koordinerer"),
        ("organisationen", "organiserer"),
        ("administration", "administrere"),
    ],
)
def test_word_families_the_stemmer_misses_meet(one: str, other: str) -> None:
    assert set(normalise(one)) & set(normalise(other))


@pytest.mark.parametrize(
    ("text", "joined"),
    [
        ("Hvem skriver under på kontrakten?", ["underskriver"]),
        ("hvem sætter det op", []),  # "det" is no verb: nothing joined
        ("hvem melder fejl ind", ["indfejl"]),  # joined blindly; the index keeps pack words only
        ("hvem ejer systemet", []),
    ],
)
def test_particle_verbs_are_joined_into_compounds(text: str, joined: list[str]) -> None:
    assert particle_compounds(text) == joined


def test_a_pasted_giant_word_is_not_taken_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every split point of a 4,000-letter token stemmed, every substring looked up: seconds of
    # CPU on the event loop for one hostile message. Such a token stays one token.
    import knowledge.text as text

    vocab = Vocabulary([["styregrup", "formand"], ["aaaa"]])
    stemmed: list[str] = []
    monkeypatch.setattr(text, "_stem", lambda word: stemmed.append(word) or word)
    giant = "a" * 4000
    assert vocab.split(giant) is None
    assert vocab.head(giant) is None
    assert vocab.neighbours(giant) == ()
    assert stemmed == []
    assert vocab.split("styregrupformand") == ("styregrup", "formand")  # real compounds still split


@pytest.mark.parametrize(
    ("message", "focus"),
    [
        ("Hej! Jeg er ny her. Hvem er formand for styregruppen?",
         "Hvem er formand for styregruppen?"),
        ("Quick one: Who chairs the programme group?", "Who chairs the programme group?"),
        ("Hvad koster en licens pr. medarbejder?", None),
        ("hej. jeg er ny her. hvem er formand for styregruppen?",
         "hvem er formand for styregruppen?"),
        ("Hvem sender dagsordenen ud? Jeg skal bruge det til intranettet.",
         "Hvem sender dagsordenen ud?"),
        ("Hvem er formand for styregruppen?", None),
        ("Hvem er formand? Og hvem er sekretær?", None),
        ("Jeg vil gerne købe et system.", None),
    ],
)  # fmt: skip
def test_the_question_of_a_message_that_also_frames_it(message: str, focus: str | None) -> None:
    assert question_focus(message) == focus


def test_a_compound_ending_in_a_short_stem_splits_only_after_a_long_first_part() -> None:
    vocabulary = Vocabulary([set(normalise("programgruppen holder møder på kontoret"))])
    # "programgruppemøderne" stems to "programgruppemod": "møde" is stemmed to three letters.
    (token,) = normalise("programgruppemøderne")
    assert vocabulary.split(token) == ("programgrup", "mod")
    # After a short first part, three letters are more likely an ending than a word.
    (short,) = normalise("kontormøder")
    assert vocabulary.split(short) is None
