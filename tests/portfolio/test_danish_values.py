"""Amounts and dates as Danes write them, over HTTP: the form card and the step-by-step dialog
accept them, the initiative card shows them back the Danish way, and every example date lies
ahead of today."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.settings import Settings
from knowledge.amounts_and_dates import read_date
from tests.portfolio.test_e2e import ANNE, BO, FORM, Chat
from tests.support.channel import TestChannel
from tests.support.server import RunningBot, start_bot


@pytest.fixture
async def portfolio_bot(make_settings: Callable[..., Settings]) -> AsyncIterator[RunningBot]:
    bot = await start_bot(make_settings(knowledge_pack="norddjurs", rate_limit_per_minute=0))
    yield bot
    await bot.stop()


def _today() -> date:
    return datetime.now(ZoneInfo("Europe/Copenhagen")).date()


def _example(sentence: str) -> date:
    """The example date in a prompt or an error ("fx 1. februar 2027")."""
    found = re.search(r"(\d{1,2}\. [a-zæøå]+ \d{4})", sentence)
    assert found is not None, sentence
    parsed = read_date(found.group(1))
    assert parsed is not None, sentence
    return parsed


def _facts(card: dict[str, object]) -> dict[str, str]:
    """The facts as Teams shows them (a leading "1\\." is markdown for a plain "1.")."""
    return {
        fact["title"]: re.sub(r"\\([.\-*+])", r"\1", fact["value"])
        for block in card["body"]  # type: ignore[attr-defined]
        if block.get("type") == "FactSet"
        for fact in block["facts"]
    }


@pytest.mark.parametrize(
    ("cost", "start", "end", "cost_shown", "period_shown"),
    [
        (
            "1,2 mio. kr.",
            "1. marts 2027",
            "marts 2028",
            "1,2 mio. kr.",
            "1. marts 2027 – 1. marts 2028",
        ),
        (
            "1.200.000 kr.",
            "1.3.2027",
            "01-03-2028",
            "1,2 mio. kr.",
            "1. marts 2027 – 1. marts 2028",
        ),
        ("250 t.kr.", "2027-03-01", "", "250.000 kr.", "1. marts 2027 – ingen slutdato"),
        ("1,5 mio", "01-03-2027", "-", "1,5 mio. kr.", "1. marts 2027 – ingen slutdato"),
        (
            "250.000",
            "marts 2027",
            "31. december 2027",
            "250.000 kr.",
            "1. marts 2027 – 31. december 2027",
        ),
    ],
)
async def test_the_form_accepts_what_danes_write_and_shows_it_back(
    portfolio_bot: RunningBot,
    channel: TestChannel,
    cost: str,
    start: str,
    end: str,
    cost_shown: str,
    period_shown: str,
) -> None:
    anne = Chat(portfolio_bot, channel, ANNE)
    form = await anne.card("registrer initiativ")
    inputs = {i["id"]: i for i in form["body"] if i["type"].startswith("Input.")}
    assert all("*" not in i.get("label", "") for i in inputs.values())
    assert _example(inputs["start_date"]["placeholder"]) > _today()
    submitted = {**FORM, "estimated_cost": cost, "start_date": start, "end_date": end}
    card = await anne.card(value={**submitted, "action": "portfolio.register"})
    facts = _facts(card)
    assert facts["Anslået udgift (kr.)"] == cost_shown
    assert facts["Periode"] == period_shown


async def test_the_dialog_accepts_what_danes_write_and_its_examples_lie_ahead(
    portfolio_bot: RunningBot, channel: TestChannel
) -> None:
    bo = Chat(portfolio_bot, channel, BO)
    answers = [
        "Chatbot til borgerservice",
        "En chatbot svarer borgerne om pas og kørekort døgnet rundt.",
        "Borgerservice",
        "tværgående",
        "Borgerbetjening",
        "Færre gentagne opkald",
        "-",
        "-",
        "pulje",
        "250 t.kr.",
        "nej",
    ]
    replies = await bo.send("registrer initiativ trin for trin")
    for answer in answers:
        replies = await bo.send(answer)
    asked = replies[-1].text
    assert "Hvornår starter initiativet?" in asked and _example(asked) > _today()
    refused = await bo.send("den første marts")
    assert _example(refused[0].text) > _today()
    for answer in ("1. marts 2027", "marts 2028", "Bo Holm", "-"):
        replies = await bo.send(answer)
    card = replies[-1].card
    assert card is not None, [r.text for r in replies]
    facts = _facts(card)
    assert facts["Anslået udgift (kr.)"] == "250.000 kr."
    assert facts["Periode"] == "1. marts 2027 – 1. marts 2028"
