"""The acceptance, tried as new users would, over HTTP against the running app.

Anne registers by card (after a rejected form), Bo by the step-by-step dialog, Charlotte is
warned of a near-duplicate and joins instead; the initiative moves through its lifecycle by the
right bodies, a non-member is refused (also when replaying a member's button), and the
portfolio is exported as CSV, XLSX and HTML and read back.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator, Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import select

from bot.app import DISPATCHER
from bot.cli import cli
from bot.settings import Settings
from knowledge.amounts_and_dates import read_date
from knowledge.portfolio import InitiativeStatus
from storage.access import Role, grant_role
from storage.audit import Author
from storage.db import Database
from storage.models.portfolio import Initiative, InitiativeEvent, InitiativeFollower
from tests.support.activities import message, new_user
from tests.support.channel import Received, TestChannel
from tests.support.server import RunningBot, start_bot

ANNE: dict[str, str] = {}  # the default Teams user of tests.support.activities
BO = new_user(2)
CHARLOTTE = new_user(3)
DAN = new_user(4)

FORM = {
    "title": "Digital nattevagt med sensorer på plejecentre",
    "description": "Sensorer i beboernes stuer varsler nattevagten ved fald og uro.",
    "unit": "Sundhed og Omsorg",
    "category": "lokal",
    "core_task": "Pleje og omsorg for ældre",
    "gain_quality": "Færre fald om natten",
    "gain_efficiency": "Færre unødige tilsyn",
    "gain_wellbeing": "",
    "funding": "pulje",
    "estimated_cost": "450000",
    "business_case": "true",
    "start_date": "2026-03-01",
    "end_date": "2027-06-30",
    "lead": "Anne Jensen",
    "systems": "Nexus",
}
BO_ANSWERS = [
    ("Chatbot <b>til</b> borgerservice & pas", "Beskriv kort"),
    ("En chatbot svarer borgerne om pas og kørekort døgnet rundt.", "Hvilken enhed"),
    ("Borgerservice", "Hvilken slags"),
    ("regional", "Vælg en af mulighederne"),
    ("tværgående", "kerneopgave"),
    ("Borgerbetjening", "kvaliteten"),
    ("-", "effektiviteten"),
    ("-", "trivsel"),
    ("-", "Beskriv mindst én forventet gevinst"),
    ("Færre gentagne opkald", "finansieres"),
    ("driftsbevilling", "anslåede udgift"),
    ("ved ikke", "business case"),
    ("nej", "starter"),
    ("1.9.2026", "slutter"),
    ("-", "projektleder"),
    ("Bo Holm", "it-systemer"),
    ("-", "registreret som idé"),
]


@pytest.fixture
async def norddjurs_bot(make_settings: Callable[..., Settings]) -> AsyncIterator[RunningBot]:
    bot = await start_bot(make_settings(knowledge_pack="norddjurs", rate_limit_per_minute=0))
    yield bot
    await bot.stop()


async def _grant(database_url: str, user: dict[str, str], body: str, role: Role) -> None:
    database = Database.connect(database_url)
    try:
        async with database.transaction() as session:
            await grant_role(
                session=session,
                principal=user["aad_object_id"],
                role=role,
                body_key=body,
                by=Author("test"),
            )
    finally:
        await database.dispose()


def _conversation(user: dict[str, str]) -> str:
    return f"a:1personal-{user.get('user', '29:1user-anne').removeprefix('29:')}"


class Chat:
    """One user's side of a 1:1 chat with the bot."""

    def __init__(self, bot: RunningBot, channel: TestChannel, user: dict[str, str]) -> None:
        self.bot, self.channel, self.user = bot, channel, user

    async def send(self, text: str | None = None, value: Any = None) -> list[Received]:
        activity = message(text, service_url=self.channel.url, value=value, **self.user)
        response = await self.bot.post(activity)
        assert response.status in (200, 201)
        return await self.channel.replies_to(activity)

    async def card(self, text: str | None = None, value: Any = None) -> dict[str, Any]:
        replies = await self.send(text, value)
        cards = [r.card for r in replies if r.card is not None]
        assert cards, [r.text for r in replies]
        return cards[-1]


async def _news(
    bot: RunningBot, channel: TestChannel, user: dict[str, str], count: int
) -> list[str]:
    """The move notifications in a user's 1:1 chat once the outbox has nothing left to send."""

    def news() -> list[str]:
        return [r.text for r in channel.to(_conversation(user)) if r.text.startswith("Nyt om")]

    async with asyncio.timeout(10):
        while len(news()) < count:
            await channel.wait_for(
                len(channel.to(_conversation(user))) + 1, conversation_id=_conversation(user)
            )
    # A drain waits for the dispatcher's running pass and sends whatever is still due, so
    # anything that would arrive twice has arrived by now.
    await bot.app[DISPATCHER].drain()
    assert len(news()) == count, news()
    return news()


def _move_payload(card: dict[str, Any], verb: str) -> dict[str, Any]:
    for action in card["actions"]:
        if action["type"] == "Action.ShowCard" and action["title"] == verb:
            return dict(action["card"]["actions"][0]["data"])
    raise AssertionError(f"no {verb!r} among {[a['title'] for a in card['actions']]}")


def _titles(card: dict[str, Any]) -> list[str]:
    return [a["title"] for a in card["actions"]]


async def test_register_move_refuse_and_export(
    norddjurs_bot: RunningBot, channel: TestChannel, database_url: str, tmp_path: Path
) -> None:
    anne = Chat(norddjurs_bot, channel, ANNE)
    bo = Chat(norddjurs_bot, channel, BO)
    charlotte = Chat(norddjurs_bot, channel, CHARLOTTE)
    dan = Chat(norddjurs_bot, channel, DAN)
    await _grant(database_url, BO, "programgruppe", Role.MEMBER)
    await _grant(database_url, CHARLOTTE, "styregruppe", Role.CHAIR)

    # 1. Anne, by card: the form, a bad submit coming back with reasons and her input kept.
    form = await anne.card("registrer initiativ")
    assert [i["id"] for i in form["body"] if i["type"].startswith("Input.")][:3] == [
        "title",
        "description",
        "unit",
    ]
    bad = {**FORM, "title": "", "start_date": "31-02-2026", "category": "regional"}
    again = await anne.card(value={**bad, "action": "portfolio.register"})
    warnings = [b["text"] for b in again["body"] if b.get("color") == "Attention"]
    assert warnings[0].startswith("Der er 3 felter, der skal rettes")
    assert "Skal udfyldes." in warnings
    assert any(w.startswith("Skriv en dato som") and "2026-03-01" not in w for w in warnings)
    kept = {i["id"]: i.get("value") for i in again["body"] if i["type"].startswith("Input.")}
    assert kept["description"] == FORM["description"] and kept["start_date"] == "31-02-2026"
    replies = await anne.send(value={**FORM, "action": "portfolio.register"})
    assert "Initiativet **Digital nattevagt med sensorer på plejecentre** er registreret" in (
        replies[0].text
    )
    registered = replies[-1].card
    assert registered is not None and registered["body"][0]["text"].startswith("Digital nattevagt")
    assert not [a for a in registered["actions"] if a["type"] == "Action.ShowCard"], (
        "Anne sits in no body, so her card offers no moves"
    )

    # 2. Bo, step by step (with two answers refused on the way).
    replies = await bo.send("registrer initiativ trin for trin")
    assert "Hvad hedder initiativet?" in replies[-1].text
    for answer, expected in BO_ANSWERS:
        replies = await bo.send(answer)
        assert expected in "\n".join(r.text for r in replies), (answer, [r.text for r in replies])

    # 3. Charlotte, by card with a near-duplicate title: warned, and joins instead.
    near = {**FORM, "title": "Digitale nattevagter med sensorer på plejecentrene"}
    warning = await charlotte.card(value={**near, "action": "portfolio.register"})
    assert (
        "Et lignende initiativ findes: **Digital nattevagt med sensorer på plejecentre**"
        in (warning["body"][1]["text"])
    )
    assert warning["body"][1]["text"].endswith("vil du koble dig på i stedet?")
    similar = warning["body"][2]["items"]
    assert similar[0]["text"] == "**Digital nattevagt med sensorer på plejecentre**"
    follow = next(a for a in similar[1]["actions"] if a["title"] == "Kobl mig på")
    replies = await charlotte.send(value=follow["data"])
    assert "Du er nu koblet på" in replies[0].text

    # 4. The lifecycle: the programme group proposes, the steering group prioritises.
    card = await bo.card("initiativ 1")
    assert "Indstil" in _titles(card) and "Prioritér" not in _titles(card)
    replies = await bo.send(value={**_move_payload(card, "Indstil"), "reason": "Til årsplanen"})
    assert "flyttet fra idé til indstillet" in replies[0].text
    moved = replies[-1].card
    assert moved is not None
    assert "Prioritér" not in _titles(moved), "the programme group cannot prioritise"

    card = await charlotte.card("initiativ 1")
    prioritise = _move_payload(card, "Prioritér")
    # Dan, in no body, replays the steering group's button: refused, nothing changes.
    replies = await dan.send(value={**prioritise, "reason": "fordi"})
    assert replies[0].text.startswith(
        "Det må du ikke: kun medlemmer af Den tværgående digitaliseringsstyregruppe"
    )
    # Bo, in the wrong body, likewise.
    replies = await bo.send(value=prioritise)
    assert "kun medlemmer af Den tværgående digitaliseringsstyregruppe" in replies[0].text
    replies = await charlotte.send(value=prioritise)
    assert "flyttet fra indstillet til prioriteret" in replies[0].text
    # The same button again is stale now.
    replies = await charlotte.send(value=prioritise)
    assert "Initiativet har flyttet sig" in replies[0].text

    card = await bo.card("initiativ 1")
    replies = await bo.send(value=_move_payload(card, "Sæt i gang"))
    assert "flyttet fra prioriteret til i gang" in replies[0].text
    history = [b["text"] for b in replies[-1].card["body"] if b.get("isSubtle")]  # type: ignore[index]
    assert any("Charlotte" not in h and "Til årsplanen" in h for h in history)
    assert any("Bruger 3: indstillet → prioriteret" in h for h in history)

    # The registrant and the follower hear of each move 1:1 (not of their own), with who/why.
    anne_news = await _news(norddjurs_bot, channel, ANNE, 3)
    assert "flyttet fra idé til **indstillet** af Bruger 2 (" in anne_news[0]
    assert anne_news[0].endswith("Begrundelse: Til årsplanen")
    assert "til **prioriteret** af Bruger 3" in anne_news[1]
    assert "til **i gang** af Bruger 2" in anne_news[2]
    charlotte_news = await _news(norddjurs_bot, channel, CHARLOTTE, 2)
    assert ["indstillet" in charlotte_news[0], "i gang" in charlotte_news[1]] == [True, True]
    assert not [r for r in channel.to(_conversation(BO)) if "Nyt om" in r.text]

    # 5. Lists: by status and unit, and "mine initiativer".
    listing = await anne.card("initiativer i gang i Sundhed og Omsorg")
    assert listing["body"][0]["text"] == "Initiativer i gang i Sundhed og Omsorg"
    assert "Digital nattevagt" in listing["body"][1]["items"][0]["text"]
    mine = await charlotte.card("mine initiativer")
    assert [c["items"][0]["text"] for c in mine["body"][1:]] == [
        "**Digital nattevagt med sensorer på plejecentre**"  # the number is on its own card
    ]
    since = mine["body"][1]["items"][1]["text"]
    assert since.startswith("i gang siden ") and since.endswith(" · Sundhed og Omsorg")
    assert read_date(since.removeprefix("i gang siden ").split(" · ")[0]) is not None
    replies = await anne.send("initiativer om kørekort")
    assert "Chatbot <b>til</b> borgerservice & pas" in replies[-1].text

    # The database agrees, and the history has who, when and why.
    database = Database.connect(database_url)
    try:
        async with database.transaction() as session:
            first = await session.get(Initiative, 1)
            assert first is not None and first.status == InitiativeStatus.I_GANG.value
            events = (
                await session.scalars(
                    select(InitiativeEvent)
                    .where(InitiativeEvent.initiative_id == 1)
                    .order_by(InitiativeEvent.id)
                )
            ).all()
            assert [(e.to_status, e.body_key, e.reason) for e in events] == [
                ("ide", None, None),
                ("indstillet", "programgruppe", "Til årsplanen"),
                ("prioriteret", "styregruppe", None),
                ("i_gang", "programgruppe", None),
            ]
            followers = (await session.scalars(select(InitiativeFollower.name))).all()
            assert followers == ["Bruger 3"]
            assert await session.scalar(select(Initiative.id).where(Initiative.id == 3)) is None
    finally:
        await database.dispose()

    # 6. Exports, opened and read back.
    env = {"GOVBOT_DATABASE_URL": database_url, "GOVBOT_KNOWLEDGE_PACK": "norddjurs"}
    runner = CliRunner()
    for fmt in ("csv", "xlsx", "html"):
        out = tmp_path / f"portefolje.{fmt}"
        result = await asyncio.to_thread(
            runner.invoke, cli, ["portfolio", "export", "--format", fmt, "--out", str(out)], env=env
        )
        assert result.exit_code == 0, result.output
        assert "2 initiativer skrevet" in result.output

    rows = list(csv.DictReader(io.StringIO((tmp_path / "portefolje.csv").read_text("utf-8-sig"))))
    assert [(r["Titel"], r["Status"]) for r in rows] == [
        ("Digital nattevagt med sensorer på plejecentre", "i gang"),
        ("Chatbot <b>til</b> borgerservice & pas", "idé"),
    ]
    assert rows[0]["Anslået udgift (kr.)"] == "450000" and rows[1]["Anslået udgift (kr.)"] == ""
    assert rows[1]["Kategori"] == "tværgående" and rows[1]["Projektleder"] == "Bo Holm"

    book = load_workbook(tmp_path / "portefolje.xlsx")
    sheet = book["Initiativer"]
    header = [c.value for c in sheet[1]]
    assert header[:2] == ["Nr.", "Titel"] and "Status" in header
    first_row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert (first_row["Nr."], first_row["Status"]) == (1, "i gang")
    assert first_row["Anslået udgift (kr.)"] == 450000
    assert sheet.max_row == 3
    assert book["Historik"].max_row == 1 + 4 + 1

    page = _Page()
    page.feed((tmp_path / "portefolje.html").read_text("utf-8"))
    assert page.text_of("total") == "2"
    assert page.sections >= {
        "by-status",
        "by-category",
        "by-funding",
        "by-unit",
        "gains",
        "changes",
        "stale",
        "all",
    }
    html = (tmp_path / "portefolje.html").read_text("utf-8")
    assert "Chatbot &lt;b&gt;til&lt;/b&gt; borgerservice &amp; pas" in html
    assert "<b>til</b>" not in html
    assert "Norddjurs Kommune" in html


class _Page(HTMLParser):
    """Collects section ids and the text of elements with an id."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: set[str] = set()
        self._texts: dict[str, str] = {}
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        ids = dict(attrs).get("id")
        if tag == "section" and ids:
            self.sections.add(ids)
        elif ids:
            self._open = ids

    def handle_data(self, data: str) -> None:
        if self._open:
            self._texts[self._open] = self._texts.get(self._open, "") + data

    def handle_endtag(self, tag: str) -> None:
        self._open = None

    def text_of(self, element_id: str) -> str:
        return self._texts.get(element_id, "").strip()
