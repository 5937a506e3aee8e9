"""Tried as a new user would, over HTTP: natural wording, small talk, no dead ends, follow-ups."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from bot.intents import trained_matcher
from bot.nlu_eval import demo_slots
from bot.settings import Settings
from storage.db import Database
from storage.demo import load_demo_data
from tests.support.activities import message
from tests.support.channel import Received, TestChannel
from tests.support.server import RunningBot, start_bot


@pytest.fixture
async def demo_bot(make_settings: Callable[..., Settings]) -> AsyncIterator[RunningBot]:
    """The app on a database holding the demo municipality (Randers' pack), as `make run`."""
    settings = make_settings()
    database = Database.connect(settings.database_url)
    try:
        async with database.transaction() as session:
            await load_demo_data(session=session, pack_key=settings.knowledge_pack)
    finally:
        await database.dispose()
    bot = await start_bot(settings)
    yield bot
    await bot.stop()


class Chat:
    """One user's 1:1 chat; `say` returns what govbot answered to one message."""

    def __init__(self, bot: RunningBot, channel: TestChannel, **user: Any) -> None:
        self.bot, self.channel, self.user = bot, channel, user
        self.conversation = f"a:1personal-{user.get('user', '29:1user-anne').removeprefix('29:')}"

    async def send(self, text: str | None = None, value: Any = None) -> list[Received]:
        activity = message(text, service_url=self.channel.url, value=value, **self.user)
        response = await self.bot.post(activity)
        assert response.status in (200, 201)
        return await self.channel.replies_to(activity)

    async def say(self, text: str) -> str:
        return "\n".join(r.text for r in await self.send(text))


@pytest.fixture
async def chat(demo_bot: RunningBot, channel: TestChannel) -> Chat:
    anne = Chat(demo_bot, channel)
    await anne.send("hej")  # the welcome comes once; later answers stand alone
    return anne


async def test_a_greeting_in_front_of_a_wish_starts_the_procurement_guide(chat: Chat) -> None:
    answer = await chat.say("Hej! Vi står og mangler et system til vagtplaner")
    assert "Spørgsmål" in answer or "genbrug" in answer.lower() or "enhed" in answer.lower()
    assert "Det ved jeg desværre ikke" not in answer


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("super, mange tak", "Det var så lidt"),
        ("det var det hele", "Tak for nu"),
        ("thanks a lot!", "You're welcome"),
        ("hvem er du egentlig?", "Jeg er govbot"),
    ],
)
async def test_small_talk_gets_a_short_natural_answer(chat: Chat, text: str, expected: str) -> None:
    assert expected in await chat.say(text)


async def test_out_of_scope_is_declined_with_the_main_actions(chat: Chat) -> None:
    replies = await chat.send("kan du bestille pizza til fredagsbaren?")
    assert "Det kan jeg desværre ikke hjælpe med" in replies[-1].text
    assert replies[-1].card is not None and replies[-1].card["actions"]


async def test_an_it_problem_is_pointed_to_the_service_desk(chat: Chat) -> None:
    answer = await chat.say("min computer vil ikke starte, hvad gør jeg")
    assert "IT-support" in answer


async def test_a_question_about_buying_is_answered_with_the_guide_one_tap_away(chat: Chat) -> None:
    replies = await chat.send("hvem skal jeg kontakte hvis jeg vil købe et system?")
    assert "Kilde:" in replies[0].text and "IT & Digitalisering" in replies[0].text
    assert "Hvilken enhed" not in "\n".join(r.text for r in replies), "no guide started"
    offer = replies[-1].activity["suggestedActions"]["actions"]
    assert [a["title"] for a in offer] == ["Nyt it-system"]
    started = await chat.say(offer[0]["value"])
    assert "Indkøbsguiden går dit behov igennem" in started


async def test_what_the_pack_answers_is_not_sent_to_the_service_desk(chat: Chat) -> None:
    # Randers' equipment rule answers it; it reads like a support matter all the same.
    answer = await chat.say("hvornår bliver min computer skiftet?")
    assert "4–5 år" in answer and "Kilde:" in answer
    assert "IT-support" not in answer


async def test_an_access_request_names_who_grants_it(chat: Chat) -> None:
    answer = await chat.say("jeg skal have adgang til SBSYS")
    assert "Adgang til SBSYS" in answer and "@" in answer


async def test_roles_in_other_words_reach_the_directory(chat: Chat) -> None:
    answer = await chat.say("jeg kan ikke logge på Fasit – hvem skal jeg skrive til?")
    assert "Fasit" in answer and "@" in answer


async def test_a_role_alone_follows_up_on_the_system(chat: Chat) -> None:
    first = await chat.say("hvem er systemejer for Acadre?")
    assert "Acadre" in first
    answer = await chat.say("og superbrugerne?")
    assert "Superbruger" in answer and "Acadre" in answer


async def test_another_system_follows_up_with_the_same_role(chat: Chat) -> None:
    await chat.say("hvem er systemejer for SBSYS?")
    answer = await chat.say("hvad med Aula?")
    assert "Systemejer" in answer and "Aula" in answer


async def test_a_pronoun_follows_up_on_the_system(chat: Chat) -> None:
    await chat.say("kontakter for Momentum")
    answer = await chat.say("hvem ejer det?")
    assert "Systemejer" in answer and "Momentum" in answer


async def test_english_follow_ups_resolve_too(chat: Chat) -> None:
    await chat.say("who is the system owner of Acadre?")
    answer = await chat.say("and the super-users?")
    assert "Acadre" in answer and "uper" in answer


async def test_next_and_previous_meeting_and_its_place(chat: Chat) -> None:
    first = await chat.say("hvornår er næste møde i direktionen?")
    assert "Direktionen" in first
    after = await chat.say("og det efter?")
    assert "Direktionen" in after and after != first
    before = await chat.say("og det før?")
    assert before.startswith("Mødet før") and before.split(": ", 1)[1] == first.split(": ", 1)[1]
    where = await chat.say("hvor holdes det?")
    assert "Direktionen" in where


async def test_a_follow_up_with_nothing_before_asks_instead_of_guessing(chat: Chat) -> None:
    answer = await chat.say("og det efter?")
    assert "Hvilket møde mener du" in answer


async def test_unsure_offers_buttons_that_act_on_the_message(chat: Chat) -> None:
    matcher = trained_matcher()
    candidates = (
        "initiativ", "system", "møde", "roller", "portefølje", "adgang", "projekt", "ejer",
        "licens", "kontrakt", "data", "sikkerhed", "referat", "dagsorden", "formand", "status",
        "oversigt", "godkend", "anmodning", "persondata", "leverandør", "liste", "ny", "bestil",
    )  # fmt: skip
    unsure = [t for t in candidates if matcher.understand(t).offers]
    assert unsure, "one of these short words should leave the model unsure"
    replies = await chat.send(unsure[0])
    card = replies[-1].card
    assert card is not None and "ikke helt sikker" in replies[-1].text
    offers = [a for a in card["actions"] if a["data"].get("action") == "intent.choose"]
    assert offers and card["actions"][-1]["title"] == "Ingen af dem"
    chosen = await chat.send(value=offers[0]["data"])
    assert chosen and "Den knap kender jeg ikke" not in chosen[0].text


@pytest.mark.parametrize(
    ("start", "question", "answer_has"),
    [
        ("indkøb", "hvem er systemejer for SBSYS?", "SBSYS"),
        ("registrer initiativ trin for trin", "hvad laver en superbruger?", "Kilde:"),
        (
            "registrer initiativ trin for trin",
            "hvornår er næste møde i direktionen?",
            "Direktionen",
        ),
        ("indkøb", "who is the system owner of Acadre?", "Acadre"),
        # At the title question: what an initiative is, not "Mente du" with bodies.
        ("registrer initiativ trin for trin", "hvad er et initiativ?", "indstiller initiativer"),
    ],
)
async def test_a_question_inside_a_dialog_is_answered_and_the_prompt_asked_again(
    chat: Chat, start: str, question: str, answer_has: str
) -> None:
    prompt = await chat.send(start)
    replies = await chat.send(question)
    shown = "\n".join(r.text for r in replies)
    assert answer_has in shown
    # The dialog asks again where it was: its last prompt comes back after the answer.
    assert replies[-1].text == prompt[-1].text
    # And the dialog is still running: "annuller" cancels it.
    stopped = await chat.say("annuller")
    assert "jeg har stoppet det" in stopped or "I have stopped" in stopped


async def test_english_other_subject_pronoun_and_meetings(chat: Chat) -> None:
    await chat.say("who is the system owner of SBSYS?")
    other = await chat.say("what about Aula?")
    assert "Aula" in other and "@" in other
    await chat.say("contacts for Momentum")
    owner = await chat.say("who owns it?")
    assert "Momentum" in owner
    first = await chat.say("when is the next meeting of the executive board?")
    after = await chat.say("and the one after that?")
    assert after != first and "meeting" in after.lower()
    before = await chat.say("and the one before?")
    assert before.split(": ", 1)[1] == first.split(": ", 1)[1]
    where = await chat.say("where is it held?")
    assert "meeting" in where.lower()


@pytest.mark.parametrize(
    ("question", "follow_up"),
    [
        ("hvem er systemejer for KMD Sag?", "hvad er hans mail?"),
        ("who is the system owner of KMD Sag?", "what's his email?"),
    ],
)
async def test_an_attribute_of_the_one_person_named(
    chat: Chat, question: str, follow_up: str
) -> None:
    answer = await chat.say(question)
    assert "KMD Sag" in answer
    email = await chat.say(follow_up)
    assert "@" in email and email.split("@")[0].split()[-1] in answer


async def test_members_of_the_body_just_shown(chat: Chat) -> None:
    await chat.say("hvornår er næste møde i direktionen?")
    answer = await chat.say("hvem deltager?")
    assert "Direktionen" in answer


async def test_an_unsure_question_inside_a_dialog_is_not_taken_as_the_answer(chat: Chat) -> None:
    matcher = trained_matcher()
    slots = demo_slots(matcher, "randers")
    candidates = (
        "hvem sidder med licenserne?", "hvem tager sig af licenserne?", "hvem har projektet?",
        "hvem tager sig af projektet?", "hvem sidder med data?", "hvem kigger på styregruppen?",
    )  # fmt: skip
    unsure = [
        q for q in candidates
        if (understood := matcher.understand(q, slots)).match is None
        and any(matcher.intent(o.intent).interrupts for o in understood.offers)  # type: ignore[union-attr]
    ]  # fmt: skip
    assert unsure, "one of these questions should leave the model unsure"
    prompt = await chat.send("indkøb")
    replies = await chat.send(unsure[0])
    # Not the answer to the prompt: "Vil du …?" with the questions it may be, then the prompt.
    offers_card = next(r.card for r in replies if r.card and "ikke helt sikker" in r.text)
    assert replies[-1].text == prompt[-1].text
    offers = [a for a in offers_card["actions"] if a["data"].get("action") == "intent.choose"]
    chosen = await chat.send(value=offers[0]["data"])
    assert "Den knap kender jeg ikke" not in chosen[0].text
    assert chosen[-1].text == prompt[-1].text  # answered, and the guide asks again


async def test_an_answer_a_prompt_cannot_use_names_the_way_out(chat: Chat) -> None:
    await chat.send("indkøb")
    await chat.send("Vi skal have et nyt system til sagsbehandling og journalisering")
    question = await chat.say("Borgerservice")
    assert "Spørgsmål 1" in question
    retry = await chat.say("bananer")
    assert "Det svar kunne jeg ikke bruge" in retry and "annuller" in retry


@pytest.mark.parametrize(
    ("question", "follow_up", "expected"),
    [
        ("hvilke systemer ejer Søren Østergaard?", "hvad med Karen Dahl?", "Karen Dahl"),
        ("jeg skal have adgang til SBSYS", "og til Acadre?", "Acadre"),
        ("årshjulet for 2027", "og 2028?", "2028"),
        ("which systems does Søren Østergaard own?", "what about Karen Dahl?", "Karen Dahl"),
    ],
)
async def test_another_subject_of_the_same_kind_asks_the_same_question(
    chat: Chat, question: str, follow_up: str, expected: str
) -> None:
    await chat.say(question)
    answer = await chat.say(follow_up)
    assert expected in answer and "Det ved jeg desværre ikke" not in answer


@pytest.mark.parametrize(
    ("question", "follow_up", "expected"),
    [
        ("hvem er systemejer for KMD Sag?", "hvor sidder han?", "hører til"),
        ("who is the system owner of KMD Sag?", "which unit is he in?", "works in"),
    ],
)
async def test_where_the_person_just_named_works(
    chat: Chat, question: str, follow_up: str, expected: str
) -> None:
    await chat.say(question)
    assert expected in await chat.say(follow_up)


@pytest.mark.parametrize(
    ("question", "follow_up", "expected", "chosen_has"),
    [
        ("hvem er systemejer for SBSYS og Acadre?", "og dataejeren?", "Mener du", "dataejer"),
        ("who is the system owner of SBSYS and Acadre?", "and the data owner?", "Do you mean",
         "data owner"),
        ("hvem er superbruger for SBSYS?", "hvad er hendes mail?", "Mener du Jonas Kirk eller",
         "@"),
        ("who are the super users of SBSYS?", "what's her email?", "Do you mean Jonas Kirk or",
         "@"),
    ],
)  # fmt: skip
async def test_two_candidates_before_a_follow_up_ask_which_with_buttons(
    chat: Chat, question: str, follow_up: str, expected: str, chosen_has: str
) -> None:
    await chat.send(question)
    replies = await chat.send(follow_up)
    card = replies[-1].card
    assert expected in replies[-1].text and card is not None and len(card["actions"]) >= 2
    chosen = "\n".join(r.text for r in await chat.send(value=card["actions"][0]["data"]))
    assert chosen_has in chosen.lower() and expected not in chosen


async def test_a_follow_up_with_no_subject_asks_with_a_button(chat: Chat) -> None:
    replies = await chat.send("og det efter?")
    card = replies[-1].card
    assert card is not None and "Hvilket møde mener du" in replies[-1].text
    assert [a["data"]["text"] for a in card["actions"]] == ["næste møde"]


@pytest.mark.parametrize(
    "question",
    [
        "goddag, hvem kan hjælpe mig med persondata?",
        "hvem skal jeg spørge om GDPR",
        "hvem kan jeg spørge om databeskyttelse?",
        "who can help me with GDPR?",
    ],
)
async def test_whom_to_ask_about_personal_data_is_the_dpo(chat: Chat, question: str) -> None:
    replies = await chat.send(question)
    answer = replies[0].text
    assert "DPO" in answer and "Hanne Friis" in answer  # the demo municipality's DPO
    assert "Mente du" not in answer and "Jeg kender ikke et system" not in answer


async def test_a_misspelt_role_still_finds_the_holder(chat: Chat) -> None:
    # "sytemejer" is stemmed before it is compared: it must meet the stemmed role names.
    answer = await chat.say("hvem er sytemejer for sbsys")
    assert "Mette Holm" in answer and "Det står ikke i vores materiale" not in answer


@pytest.mark.parametrize(
    ("question", "system", "holder"),
    [
        ("jeg er superbruger, hvordan melder jeg en fejl i Acadre", "Acadre", "Niels Vang"),
        ("hej jeg er superbruger i sbsys og der er en fejl, hvem skal jeg kontakte", "SBSYS",
         "Niels Vang"),
        ("I'm a super user, how do I report a bug in Nexus?", "KMD Nexus", "Jens Westergaard"),
    ],
)  # fmt: skip
async def test_a_super_user_reporting_a_fault_is_told_where_the_role_escalates(
    chat: Chat, question: str, system: str, holder: str
) -> None:
    """Not the system's super-users: up the role's escalation chain (superbrugeransvarlig,
    none in the demo directory, then systemansvarlig) to the first one registered."""
    answer = await chat.say(question)
    assert f"Systemansvarlig for {system}" in answer or f"System manager for {system}" in answer
    assert holder in answer and ("superbrugeransvarlig" in answer or "coordinator" in answer)
    assert "Jeg kender ikke et system" not in answer and "Eva Skov" not in answer


@pytest.mark.parametrize(
    "question",
    [
        "hvor skal jeg som superbruger melde fejl hen",
        "som superbruger, hvem skal jeg eskalere til?",
    ],
)
async def test_where_a_super_user_escalates_without_a_system_is_the_role_s_duty(
    chat: Chat, question: str
) -> None:
    answer = await chat.say(question)
    assert "Superbruger eskalerer til Superbrugeransvarlig" in answer
    assert "Mente du" not in answer and "Rollerne i oversigten ændres" not in answer


@pytest.mark.parametrize(
    "question",
    [
        "hvem laver rapporten til direktionen?",
        "where is the annual report?",
        "as a super user, where is the annual report for Nexus?",
        "hvem laver superbrugerrapporten?",
        "who writes the super user report?",
    ],
)
async def test_a_question_about_a_report_is_not_a_super_user_escalation(
    chat: Chat, question: str
) -> None:
    """ "rapport"/"report" alone is a report someone writes, not a fault to take further."""
    answer = await chat.say(question)
    assert "eskalerer til" not in answer and "escalates to" not in answer
    assert "går videre med fejl" not in answer and "takes faults" not in answer


@pytest.mark.parametrize(
    ("question", "answer_has"),
    [
        ("hvad koster det at få et nyt system", "Finansiering"),
        ("hvordan søger man dispensation fra indkøbsguiden?", "Dispensation fra Indkøbsguiden"),
        ("what does SaaS mean?", "Software-as-a-Service"),
    ],
)
async def test_a_governance_question_is_answered_not_asked_back_or_started(
    chat: Chat, question: str, answer_has: str
) -> None:
    answer = await chat.say(question)
    assert answer_has in answer
    assert "Mente du" not in answer and "Did you mean" not in answer
    assert "Hvilken enhed" not in answer  # not the procurement guide


async def test_a_question_naming_a_choices_word_is_answered_not_recorded(chat: Chat) -> None:
    # "databehandleraftale" is a word of the "Ja" choice at the guide's third question: asked
    # about, it is answered, the question is asked again, and nothing is recorded for it.
    for said in ("vi vil gerne købe et system til booking af mødelokaler", "Kultur og Fritid",
                 "Ny anmodning", "ja", "Cloud i EU/EØS"):  # fmt: skip
        answer = await chat.say(said)
    assert "Spørgsmål 3 af" in answer and "databehandleraftale?" in answer
    answer = await chat.say("hvad er en databehandleraftale?")
    assert "artikel 28" in answer, answer
    assert "Spørgsmål 3 af" in answer and "Spørgsmål 4 af" not in answer
    assert "Spørgsmål 4 af" in await chat.say("nej")


@pytest.mark.parametrize(("said", "expected"), [("ok", "Godt."), ("forstået", "Godt."),
                                                ("det er i orden", "Godt.")])  # fmt: skip
async def test_an_acknowledgement_gets_a_short_reply_not_an_unknown(
    chat: Chat, said: str, expected: str
) -> None:
    answer = await chat.say(said)
    assert answer.startswith(expected) and "Det står ikke i vores materiale" not in answer


async def test_a_follow_up_asks_about_the_one_holder_of_an_organisation_role(chat: Chat) -> None:
    await chat.say("hvem er vores DPO")
    answer = await chat.say("hvad er hendes mail?")
    # Danish genitive of a name ending in s: "Friis'", not "Friiss".
    assert "Hanne Friis' mail er hanne.friis@demokommune.dk" in answer, answer


async def test_a_body_without_meetings_on_the_wheel_is_no_unknown_forum(chat: Chat) -> None:
    answer = await chat.say("næste møde i sekretariatschefgruppen")
    assert "Sekretariatschefgruppen har ingen faste møder i govbots årshjul" in answer, answer
    assert "Jeg kender ikke forummet" not in answer


async def test_who_keeps_kitos_current_is_no_admin_refusal(chat: Chat) -> None:
    answer = await chat.say("hvem opdaterer KITOS")
    assert "administrator" not in answer, answer  # the sync status is admins'; this is not
    # The pack's reply: an answer with its source, choices, or whom to ask.
    assert any(reply in answer for reply in ("Kilde:", "Mente du", "Spørg ")), answer


async def test_how_to_report_a_new_need_starts_the_guide(chat: Chat) -> None:
    answer = await chat.say("hvordan melder jeg et nyt behov")
    assert "indkøbsguiden" in answer.casefold() and "Mente du" not in answer, answer


async def test_a_question_the_pack_answers_is_answered_before_the_registration_form(
    chat: Chat,
) -> None:
    # The model reads it as registering; the pack answers it, and the form is one tap away.
    answer = await chat.say("hvordan kommer vores lokale projekt med i porteføljen?")
    assert "Sekretariatschefgruppen indstiller" in answer, answer
    assert "registrerer du det i porteføljen" in answer
    assert "Hvad hedder initiativet?" not in answer
