"""Said in the middle of the procurement guide, over HTTP: greetings and thanks get a short
reply, questions and IT problems an answer, another flow an offer to pause the guide with its
answers kept; each time the guide asks its question again, and real answers still answer."""

from __future__ import annotations

import pytest

from bot.interruptions import looks_like_question
from dialogs.base import cancels_flow
from tests.nlu import test_chat
from tests.nlu.test_chat import Chat
from tests.support.channel import Received

# The demo municipality's app and a welcomed user's chat, as in tests/nlu/test_chat.py.
demo_bot = test_chat.demo_bot
chat = test_chat.chat

UNIT_QUESTION = "Hvilken enhed eller afdeling er behovet i?"
NOT_USED = "Det svar kunne jeg ikke bruge"


async def _at_unit(chat: Chat) -> None:
    said = await chat.say("vi skal bruge et system til vagtplaner")
    assert UNIT_QUESTION in said


async def _at_first_question(chat: Chat) -> str:
    """The guide's first screening question (after the unit and the reuse card)."""
    await _at_unit(chat)
    said = await chat.say("Kultur og Fritid")
    if "Spørgsmål 1 af" not in said:
        said = await chat.say("Fortsæt med ny anmodning")
    assert "Spørgsmål 1 af" in said
    return said


def _joined(replies: list[Received]) -> str:
    return "\n".join(r.text for r in replies)


async def test_a_greeting_at_the_unit_question_is_greeted_and_the_question_asked_again(
    chat: Chat,
) -> None:
    await _at_unit(chat)
    replies = await chat.send("hej")
    assert "Hej!" in replies[0].text and "indkøb" not in replies[0].text.casefold()
    assert replies[-1].text == UNIT_QUESTION
    # A real unit, even one whose name is a word the model knows, is still the answer.
    said = await chat.say("IT-support")
    assert UNIT_QUESTION not in said and ("Findes det allerede" in said or "Spørgsmål 1" in said)


async def test_another_flow_at_the_unit_question_is_offered_as_a_pause(chat: Chat) -> None:
    await _at_unit(chat)
    replies = await chat.send("jeg vil gerne melde et nyt digitaliseringsprojekt")
    offer = replies[0]
    assert offer.card is not None and "pause" in offer.text and "gemt" in offer.text
    [button] = offer.card["actions"]
    assert button["title"] == "Registrér initiativ"
    assert replies[-1].text == UNIT_QUESTION  # not taken as the unit
    # Pressing it starts the initiative step by step on top of the paused guide ...
    started = _joined(await chat.send(value=button["data"]))
    assert "Hvad hedder initiativet?" in started
    # ... and when that ends the guide goes on at its question, answers kept.
    resumed = await chat.send("annuller")
    assert "fortsætter vi" in _joined(resumed) and resumed[-1].text == UNIT_QUESTION
    said = await chat.say("Kultur og Fritid")
    assert "Findes det allerede" in said or "Spørgsmål 1" in said


@pytest.mark.parametrize(
    ("said", "answer_has"),
    [
        ("min pc vil ikke starte", "IT-support"),
        ("hvem er formand for styregruppen", "ingen styregruppe som selvstændigt organ"),
        ("hvem er formand for direktionen", "Direktionen"),
        ("tak for hjælpen", "Det var så lidt"),
        ("hej", "Hej!"),
    ],
)
async def test_said_at_a_choice_question_is_answered_and_the_question_asked_again(
    chat: Chat, said: str, answer_has: str
) -> None:
    question = await _at_first_question(chat)
    replies = await chat.send(said)
    shown = _joined(replies)
    assert NOT_USED not in shown and answer_has in shown
    assert "Spørgsmål 1 af" in replies[-1].text and question.endswith(replies[-1].text)
    # The guide still takes its answer.
    assert "Spørgsmål 2 af" in await chat.say("almindelige")


async def test_a_greeting_in_front_of_a_purchase_still_starts_the_guide(chat: Chat) -> None:
    said = await chat.say("hej, jeg vil gerne købe et nyt system")
    assert "indkøbsguiden" in said.casefold()


@pytest.mark.parametrize("said", ["kan jeg se mine igangværende sager", "vis mine anmodninger"])
async def test_a_request_at_the_unit_question_is_answered_not_taken_as_the_unit(
    chat: Chat, said: str
) -> None:
    await _at_unit(chat)
    replies = await chat.send(said)
    shown = _joined(replies)
    assert "ingen anmodninger" in shown or "Dine anmodninger" in shown
    assert replies[-1].text == UNIT_QUESTION  # asked again, the guide's state kept
    answer = await chat.say("Kultur og Fritid")
    assert "Findes det allerede" in answer or "Spørgsmål 1" in answer


async def test_a_question_nothing_answers_is_not_taken_as_the_unit(chat: Chat) -> None:
    await _at_unit(chat)
    replies = await chat.send("kan vi ikke bare købe et bookingsystem?")
    assert "spørgsmål og ikke et svar" in replies[0].text
    assert replies[-1].text == UNIT_QUESTION


async def test_a_question_at_a_name_question_of_another_dialog_is_not_the_name(
    chat: Chat,
) -> None:
    """Every dialog's name slots are read the same way: here the initiative's unit."""
    assert "Hvad hedder initiativet?" in await chat.say("registrer initiativ trin for trin")
    await chat.say("Robotplæneklippere på kirkegårdene")
    unit_question = await chat.say("Robotter slår græsset, så gartnerne kan passe bedene")
    assert "Hvilken enhed" in unit_question
    replies = await chat.send("kan jeg se mine igangværende sager")
    assert "ingen anmodninger" in _joined(replies) or "Dine anmodninger" in _joined(replies)
    assert unit_question.endswith(replies[-1].text)
    assert "Hvilken slags initiativ" in await chat.say("Sundhed og Omsorg")


@pytest.mark.parametrize(
    ("said", "question"),
    [
        ("kan jeg se mine igangværende sager", True),
        ("må vi købe et bookingsystem", True),
        ("Skal være Kultur og Fritid", False),  # a verb first, but no subject: an answer
        ("har ingen afdeling endnu", False),
    ],
)
def test_a_verb_first_is_a_question_only_with_its_subject_after_it(
    said: str, question: bool
) -> None:
    assert looks_like_question(said) is question


async def test_a_unit_answered_with_a_verb_first_is_taken_as_the_unit(chat: Chat) -> None:
    await _at_unit(chat)
    said = await chat.say("Skal være Kultur og Fritid")
    assert "spørgsmål og ikke et svar" not in said and UNIT_QUESTION not in said


def test_a_verb_first_counts_as_a_question_only_where_a_name_is_asked() -> None:
    # A need in free text may start with its verb; only at a unit or person is it a question.
    need = "Kan vi automatisere vagtplanerne for hjemmeplejen"
    assert looks_like_question(need)
    assert not looks_like_question(need, verb_first_counts=False)
    assert looks_like_question("hvem kan hjælpe os med det", verb_first_counts=False)


CANCELLED = "jeg har stoppet det, vi var i gang med; intet er gemt eller sendt"


@pytest.mark.parametrize(
    "said", ["aflys det", "annuller", "glem det", "stop", "Annuller det hele!"]
)
async def test_a_cancel_at_the_unit_question_stops_the_guide_and_is_not_the_unit(
    chat: Chat, said: str
) -> None:
    await _at_unit(chat)
    replies = await chat.send(said)
    assert CANCELLED in replies[0].text and UNIT_QUESTION not in _joined(replies)
    assert replies[-1].activity.get("suggestedActions")  # a way forward: the main actions
    assert "Vi er ikke i gang med noget" in await chat.say("annuller")  # the guide is over


@pytest.mark.parametrize("said", ["aflys det", "cancel that", "glem det"])
async def test_a_cancel_at_the_initiative_s_unit_question_stops_the_registration(
    chat: Chat, said: str
) -> None:
    assert "Hvad hedder initiativet?" in await chat.say("registrer initiativ trin for trin")
    await chat.say("Robotplæneklippere på kirkegårdene")
    assert "Hvilken enhed" in await chat.say("Robotter slår græsset, så gartnerne kan passe bedene")
    shown = await chat.say(said)
    assert "stoppet" in shown or "stopped" in shown
    assert "Hvilken slags initiativ" not in shown
    mine = await chat.say("mine initiativer")
    assert "nogen initiativer endnu" in mine or "any initiatives yet" in mine  # nothing saved


@pytest.mark.parametrize(
    ("said", "cancels"),
    [("aflys det", True), ("cancel that", True), ("Glem det hele", True), ("lad være", True),
     ("aflys mødet i Kultur", False), ("Stop spild i hjemmeplejen", False), ("Kultur", False)],
)  # fmt: skip
def test_a_cancel_verb_cancels_a_flow_only_with_nothing_but_it_after_it(
    said: str, cancels: bool
) -> None:
    assert cancels_flow(said) is cancels


async def test_a_body_the_pack_has_none_of_at_the_unit_question_is_answered_not_the_unit(
    chat: Chat,
) -> None:
    """The demo municipality (Randers' pack) has no styregruppe: said so, the question again."""
    await _at_unit(chat)
    for said in ("styregruppen?", "hvornår mødes styregruppen?"):
        replies = await chat.send(said)
        assert "materiale har ingen styregruppe som selvstændigt organ" in replies[0].text
        assert replies[-1].text == UNIT_QUESTION  # asked again each time, never the unit
