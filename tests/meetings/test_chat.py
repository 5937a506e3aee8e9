"""The årshjul in chat, end to end over HTTP: reading the wheel, a secretary's changes, members,
the body's channel and the reminder card's buttons — with forged and replayed cards refused."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.app import DATABASE, PROACTIVE
from bot.capabilities.meetings import reading, reminder_times
from bot.dispatcher import Dispatcher
from bot.settings import Settings
from knowledge.amounts_and_dates import read_date
from knowledge.calendar import Lang, add_working_days, format_day, format_when, reminder_time
from knowledge.meeting_words import title_under_body
from knowledge.packs import load_pack
from storage import meetings, outbox
from storage.access import Role, grant_role
from storage.audit import Author, history
from storage.directory import touch_directory
from storage.meetings import MeetingInfo
from storage.models.base import utcnow
from storage.models.directory import Person
from storage.reminders import Planning
from tests.support.activities import message, new_user
from tests.support.channel import Received, TestChannel
from tests.support.seats import seat
from tests.support.server import RunningBot, start_bot

TZ = ZoneInfo("Europe/Copenhagen")
PACK = load_pack("norddjurs")
YEAR = utcnow().astimezone(TZ).year + 1
CHANNEL = "19:styregruppe@thread.tacv2"
SECRETARY, MEMBER, OTHER_MEMBER, OUTSIDER = 1, 2, 3, 4
STEERING = PACK.body("styregruppe")
NAME = STEERING.name_da


@pytest.fixture
async def bot(make_settings: Callable[..., Settings]) -> AsyncIterator[RunningBot]:
    """The app with the Norddjurs pack; the test drives the dispatcher itself."""
    running = await start_bot(make_settings(knowledge_pack="norddjurs", dispatcher=False))
    yield running
    await running.stop()


def email(n: int) -> str:
    return f"p{n}@norddjurs.dk"


class Chat:
    """Users talking to the running bot and what came back to them."""

    def __init__(self, bot: RunningBot, channel: TestChannel) -> None:
        self.bot, self.channel = bot, channel

    async def send(self, n: int, text: str | None = None, *, value: Any = None,
                   locale: str = "da-DK", **kw: Any) -> list[Received]:  # fmt: skip
        """User `n` writes `text` (or presses a button with `value`); returns the replies."""
        activity = message(
            text, service_url=self.channel.url, value=value, locale=locale, **new_user(n), **kw
        )
        response = await self.bot.post(activity)
        assert response.status in (200, 201)
        return await self.channel.replies_to(activity)

    async def say(self, n: int, text: str | None = None, **kw: Any) -> str:
        """The text of the replies to user `n`'s message."""
        return "\n".join(r.text or json.dumps(r.card, ensure_ascii=False)
                         for r in await self.send(n, text, **kw))  # fmt: skip


@pytest.fixture
async def chat(bot: RunningBot, channel: TestChannel) -> Chat:
    """Norddjurs' next year generated; a secretary and two members who talked to the bot."""
    talk = Chat(bot, channel)
    for n in (SECRETARY, MEMBER, OTHER_MEMBER, OUTSIDER):
        await talk.send(n, "hjælp")
    async with bot.app[DATABASE].transaction() as session:
        for n in (SECRETARY, MEMBER, OTHER_MEMBER, OUTSIDER):
            user = new_user(n)
            session.add(Person(email=email(n), name=user["user_name"],
                               aad_object_id=user["aad_object_id"]))  # fmt: skip
        await session.flush()
        await touch_directory(session=session)
        for n, role in ((SECRETARY, Role.SECRETARY), (MEMBER, Role.MEMBER),
                        (OTHER_MEMBER, Role.MEMBER)):  # fmt: skip
            await seat(session, PACK, email(n), role)
        await meetings.generate_year(
            session=session, plan=Planning(PACK, TZ, utcnow()), year=YEAR, actor="t"
        )
    await bot.app[DATABASE].directory.caught_up(session)  # as a turn making the change would
    return talk


async def steering_meetings(bot: RunningBot) -> list[MeetingInfo]:
    async with bot.app[DATABASE].transaction() as session:
        return await meetings.list_meetings(session=session, tz=TZ, year=YEAR, body="styregruppe")


async def first_steering_meeting(bot: RunningBot) -> MeetingInfo:
    return (await steering_meetings(bot))[0]


async def rows(bot: RunningBot, prefix: str) -> list[outbox.Delivery]:
    async with bot.app[DATABASE].transaction() as session:
        return await outbox.deliveries(session=session, key_prefix=prefix)


def submit_data(received: list[Received], action: str) -> dict[str, Any]:
    """The data of the card button with `action` among the replies, as a submit sends it (an
    Action.Execute's verb as its action: older clients submit it so)."""
    for item in received:
        for button in (item.card or {}).get("actions", []):
            if button.get("verb") == action:
                return {**button.get("data", {}), "action": action}
            if button.get("data", {}).get("action") == action:
                return button["data"]
    raise AssertionError(f"no {action} button in {received}")


async def test_next_meeting_and_the_years_wheel_in_danish_and_english(chat: Chat) -> None:
    first = await first_steering_meeting(chat.bot)

    answer = await chat.say(OUTSIDER, "Hvornår er næste møde i styregrupen?")
    title = title_under_body(first.title, STEERING)
    assert f"Næste møde i {NAME}: {title}, {format_when(first.start, 'da', TZ)}." in answer
    assert f"(møde {first.id})" in await chat.say(SECRETARY, "næste møde i styregruppen")
    answer = await chat.say(OUTSIDER, "next meeting of the steering group", locale="en-GB")
    title_en = title_under_body(first.title_en or first.title, STEERING)
    assert f"Next meeting of {STEERING.name_en}: {title_en}," in answer
    assert format_when(first.start, "en", TZ) in answer

    wheel = await chat.send(OUTSIDER, f"årshjulet for {YEAR}")
    card = wheel[0].card
    blocks = [b["text"] for b in card["body"]]
    assert blocks[0] == f"Årshjulet for {YEAR}"
    assert NAME in blocks and PACK.body("programgruppe").name_da in blocks
    steering = blocks[blocks.index(NAME) + 1]
    assert steering.count("\n- ") + 1 == 4
    assert "#" not in steering and f"møde {first.id})" not in steering, "no ids an outsider needs"
    assert NAME not in steering, "the body's name is its heading, not repeated on each line"
    _assert_in_date_order(card)
    secretary = (await chat.send(SECRETARY, f"årshjulet for {YEAR}"))[0].card
    blocks = [b["text"] for b in secretary["body"]]
    assert f"(møde {first.id})" in blocks[blocks.index(NAME) + 1], "the secretary's own body"

    assert "Fora med møder" in await chat.say(OUTSIDER, "næste møde i byrådet")
    assert f"Årshjulet for {YEAR + 5}" not in await chat.say(OUTSIDER, f"årshjulet for {YEAR + 5}")


async def test_next_meeting_without_a_body_lists_every_body_s_next_meeting(chat: Chat) -> None:
    first = await first_steering_meeting(chat.bot)
    wheel = await chat.send(OUTSIDER, "næste møde")
    blocks = [b["text"] for b in wheel[0].card["body"]]
    assert blocks[0] == "De næste møder"
    assert NAME in blocks and PACK.body("programgruppe").name_da in blocks
    assert format_when(first.start, "da", TZ) in blocks[blocks.index(NAME) + 1]
    assert "#" not in "".join(blocks)
    _assert_in_date_order(wheel[0].card)


def _assert_in_date_order(card: dict[str, Any]) -> None:
    """Each body's meetings in date order, and the bodies in the order of their first one."""
    sections = [
        [read_date(" ".join(line.split(" ")[2:5])) for line in block["text"].split("\n")]
        for block in card["body"][1:]
        if block["text"].startswith("- ")
    ]
    assert sections and all(None not in days for days in sections), sections
    for days in sections:
        assert days == sorted(days)  # type: ignore[type-var]
    firsts = [days[0] for days in sections]
    assert firsts == sorted(firsts)  # type: ignore[type-var]


async def test_a_secretary_moves_a_meeting_and_each_reminder_is_replanned_once(
    chat: Chat,
) -> None:
    meeting = await first_steering_meeting(chat.bot)
    prefix = f"meeting:{meeting.id}:"
    new_day = add_working_days(meeting.start.astimezone(TZ).date(), 3)
    said = f"{new_day.isoformat()} 10:00"

    # A member may not; nor may anyone touch a meeting that does not exist.
    assert f"Det må kun sekretæren for {NAME}" in await chat.say(
        MEMBER, f"flyt møde {meeting.id} til {said}"
    )
    assert "Jeg kan ikke finde møde 987654" in await chat.say(SECRETARY, "aflys møde 987654")

    asked = await chat.send(SECRETARY, f"flyt møde {meeting.id} til {said}")
    assert "Skal jeg flytte møde" in json.dumps(asked[0].card, ensure_ascii=False)
    yes = submit_data(asked, "meetings.move")
    assert set(yes) == {"action", "token"}, "the card carries a token, never the change"
    before = {d.key: d for d in await rows(chat.bot, prefix)}

    # The member replays the secretary's button: in the member's chat the token is unknown;
    # a forged token stands for nothing. Nothing changes.
    assert "ikke længere gyldig" in await chat.say(MEMBER, value=yes)
    forged = {**yes, "token": "x" * 24}
    assert "ikke længere gyldig" in await chat.say(SECRETARY, value=forged)
    assert {d.key: d for d in await rows(chat.bot, prefix)} == before
    # A second question about the same meeting, still unanswered when the first is.
    second = submit_data(
        await chat.send(SECRETARY, f"flyt møde {meeting.id} til {said}"), "meetings.move"
    )

    answer = await chat.say(SECRETARY, value=yes)
    new_start = datetime.combine(new_day, datetime.min.time(), tzinfo=TZ).replace(hour=10)
    assert f"er flyttet til {format_when(new_start, 'da', TZ)}" in answer
    # The same button again: its token is spent, and the card says the move is made. The second
    # card is stale: the meeting has moved since it was asked.
    assert "allerede gennemført" in await chat.say(SECRETARY, value=yes)
    assert "er ændret, siden du fik spørgsmålet" in await chat.say(SECRETARY, value=second)

    after = await rows(chat.bot, prefix)
    live = [d for d in after if d.status == "pending"]
    per_recipient = Counter(d.key for d in live)
    assert per_recipient and set(per_recipient.values()) == {1}, "one row per rule and person"
    member_key = f"{prefix}member_reminder:{email(MEMBER)}"
    rule = next(r for r in PACK.body("styregruppe").reminder_rules if r.key == "member_reminder")
    assert {d.key: d.due_at for d in live}[member_key] == reminder_time(rule, new_start, TZ)
    async with chat.bot.app[DATABASE].transaction() as session:
        moves = [e for e in await history(session=session, entity="meeting", entity_id=meeting.id)
                 if e.action == "move"]  # fmt: skip
    assert len(moves) == 1

    # Cancelling asks too, then stops every reminder; a second card finds it cancelled.
    asked = await chat.send(SECRETARY, f"aflys møde {meeting.id}")
    again = submit_data(await chat.send(SECRETARY, f"aflys møde {meeting.id}"), "meetings.cancel")
    assert "er aflyst" in await chat.say(SECRETARY, value=submit_data(asked, "meetings.cancel"))
    assert not [d for d in await rows(chat.bot, prefix) if d.status == "pending"]
    assert "allerede aflyst" in await chat.say(SECRETARY, value=again)


async def test_place_link_and_agenda_are_set_by_the_secretary_only(chat: Chat) -> None:
    meeting = await first_steering_meeting(chat.bot)
    assert "Stedet for møde" in await chat.say(
        SECRETARY, f"sæt sted for møde {meeting.id} til Rådhuset, lokale 3"
    )
    assert "Et Teams-link skal starte med https://" in await chat.say(
        SECRETARY, f"sæt teams link for møde {meeting.id} til http://x.dk"
    )
    link = "https://teams.microsoft.com/l/meetup-join/19%3aabc"
    assert link in await chat.say(SECRETARY, f"sæt teams link for møde {meeting.id} {link}")
    agenda = "https://norddjurs.dk/dagsorden/Styregruppe.pdf"
    assert agenda in await chat.say(SECRETARY, f"vedhæft dagsorden til møde {meeting.id} {agenda}")
    assert "Det må kun" in await chat.say(OUTSIDER, f"sæt sted for møde {meeting.id} til Kælderen")

    async with chat.bot.app[DATABASE].transaction() as session:
        found = await meetings.get_meeting(session=session, meeting_id=meeting.id)
        row = await outbox.get_delivery(
            session=session, key=f"meeting:{meeting.id}:member_reminder:{email(MEMBER)}"
        )
    assert (found.place, found.teams_link, found.agenda) == ("Rådhuset, lokale 3", link, agenda)
    assert row.payload["card"]["values"]["place"] == "Rådhuset, lokale 3", "reminders follow"


async def test_members_are_managed_by_the_secretary_in_chat(chat: Chat) -> None:
    meeting = await first_steering_meeting(chat.bot)
    outsider_key = f"meeting:{meeting.id}:member_reminder:{email(OUTSIDER)}"
    assert "Det må kun" in await chat.say(MEMBER, "tilføj Bruger 4 som medlem af styregruppen")

    assert f"Bruger 4 er nu medlem af {NAME}" in await chat.say(
        SECRETARY, "tilføj Bruger 4 som medlem af styregruppen"
    )
    listed = await chat.say(OUTSIDER, "medlemmer af styregruppen")
    assert "Bruger 1 – sekretær" in listed and "Bruger 4 – medlem" in listed
    assert [d.status for d in await rows(chat.bot, outsider_key)] == ["pending"]

    assert f"ikke længere med i {NAME}" in await chat.say(
        SECRETARY, "fjern Bruger 4 fra styregruppen"
    )
    assert [d.status for d in await rows(chat.bot, outsider_key)] == ["cancelled"]
    assert "har ingen rolle" in await chat.say(SECRETARY, "fjern Bruger 4 fra styregruppen")
    nobody = "tilføj Ingen Sådan som medlem af styregruppen"
    assert "kan ikke finde" in await chat.say(SECRETARY, nobody)


async def test_set_channel_is_done_in_the_channel_by_its_secretary(chat: Chat) -> None:
    meeting = await first_steering_meeting(chat.bot)
    in_channel = {"conversation": CHANNEL, "conversation_type": "channel"}
    assert "Skriv det i forummets Teams-kanal" in await chat.say(
        SECRETARY, "sæt som kanal for styregruppen"
    )
    assert "Det må kun" in await chat.say(MEMBER, "sæt som kanal for styregruppen", **in_channel)
    assert f"Denne kanal får nu opslagene om møder i {NAME}" in await chat.say(
        SECRETARY, "sæt som kanal for styregruppen", **in_channel
    )
    posts = await rows(chat.bot, f"meeting:{meeting.id}:channel_post:channel")
    assert [(d.status, d.conversation_id, d.kind) for d in posts] == [
        ("pending", CHANNEL, "channel")
    ]


async def test_reminder_card_buttons_act_for_their_recipient_only(chat: Chat) -> None:
    meeting = await first_steering_meeting(chat.bot)
    in_channel = {"conversation": CHANNEL, "conversation_type": "channel"}
    await chat.say(SECRETARY, "sæt som kanal for styregruppen", **in_channel)
    key = f"meeting:{meeting.id}:member_reminder:{email(MEMBER)}"
    database = chat.bot.app[DATABASE]
    async with database.transaction() as session:
        row = await outbox.get_delivery(session=session, key=key)
        await outbox.enqueue(
            session=session, key=key, due_at=utcnow(), payload=row.message(),
            principal=row.principal, source="meetings", expires_at=row.expires_at,
        )  # fmt: skip
    before = len(chat.channel.received)
    await Dispatcher(database, chat.bot.app[PROACTIVE], tz=TZ).drain()
    delivered = chat.channel.received[before:]
    assert [r.conversation_id for r in delivered] == ["a:1personal-1user-2"]
    ack, snooze, opt_out = (
        submit_data(delivered, f"meetings.{verb}") for verb in ("ack", "snooze", "opt_out")
    )

    # Another member pressing (or replaying) the buttons is refused.
    for data in (ack, snooze):
        refused = await chat.say(OTHER_MEMBER, value=data)
        assert "Den påmindelse kan jeg ikke finde hos dig" in refused
    assert "ikke finde hos dig" in await chat.say(MEMBER, value={**ack, "key": "procurement:1:x"})

    assert "Tak – jeg har noteret" in await chat.say(MEMBER, value=ack)
    async with database.transaction() as session:
        assert (await outbox.get_delivery(session=session, key=key)).acknowledged_at is not None

    answer = await chat.say(MEMBER, value=snooze)
    assert "jeg minder dig igen" in answer
    snoozed = [d for d in await rows(chat.bot, f"{key}:snooze:") if d.status == "pending"]
    assert len(snoozed) == 1 and snoozed[0].principal == email(MEMBER)
    assert format_when(snoozed[0].due_at, "da", TZ) in answer

    assert f"Du er ikke med i {NAME}" in await chat.say(OUTSIDER, value={**opt_out})
    assert "ikke finde hos dig" in await chat.say(MEMBER, value={**opt_out, "body": "nej"})
    assert "Du får ikke længere personlige påmindelser" in await chat.say(MEMBER, value=opt_out)
    later = f"meeting:{(await steering_meetings(chat.bot))[1].id}:"
    statuses = {d.key: d.status for d in await rows(chat.bot, later)}
    assert statuses[f"{later}member_reminder:{email(MEMBER)}"] == "cancelled"
    assert statuses[f"{later}member_reminder:{email(OTHER_MEMBER)}"] == "pending"
    assert statuses[f"{later}channel_post:channel"] == "pending", "the channel post stays"

    back_on = await chat.say(MEMBER, "påmindelser til for styregruppen")
    assert "igen personlige påmindelser" in back_on
    statuses = {d.key: d.status for d in await rows(chat.bot, later)}
    assert statuses[f"{later}member_reminder:{email(MEMBER)}"] == "pending"


async def pending_rows_of(bot: RunningBot, principal: str) -> dict[str, datetime]:
    """The reminder rows waiting to go to `principal`, by key, with when they are due."""
    async with bot.app[DATABASE].transaction() as session:
        found = await outbox.deliveries(session=session, key_prefix="meeting:", status=("pending",))
    return {d.key: d.due_at for d in found if d.principal == principal}


async def test_an_admin_granting_membership_plans_the_same_reminders_as_adding_a_member(
    chat: Chat,
) -> None:
    admin = 5
    async with chat.bot.app[DATABASE].transaction() as session:
        user = new_user(admin)
        session.add(Person(email=email(admin), name=user["user_name"],
                           aad_object_id=user["aad_object_id"]))  # fmt: skip
        await session.flush()
        await grant_role(
            session=session, principal=user["aad_object_id"], role=Role.ADMIN, by=Author("t")
        )
    newcomer = email(OUTSIDER)

    asked = await chat.send(admin, "giv Bruger 4 adgang som medlem for styregruppen")
    answer = await chat.say(admin, value=submit_data(asked, "access.grant"))
    assert "Sket: Bruger 4 er nu medlem af" in answer
    granted = await pending_rows_of(chat.bot, newcomer)
    assert granted, "the new member's reminders are planned"

    asked = await chat.send(admin, "fjern Bruger 4s adgang som medlem af styregruppen")
    assert "er ikke længere medlem af" in await chat.say(
        admin, value=submit_data(asked, "access.revoke")
    )
    assert await pending_rows_of(chat.bot, newcomer) == {}, "revoking cancels them"

    assert f"Bruger 4 er nu medlem af {NAME}" in await chat.say(
        SECRETARY, "tilføj Bruger 4 som medlem af styregruppen"
    )
    assert await pending_rows_of(chat.bot, newcomer) == granted


async def test_agenda_and_minutes_deadlines_are_told_from_the_body_s_reminder_rules(
    chat: Chat,
) -> None:
    """ "hvornår er næste dagsorden klar": the next meeting with the deadline its rule sets, and
    that an offset the kommissorium does not give is govbot's suggestion."""
    programme = PACK.body("programgruppe")
    async with chat.bot.app[DATABASE].transaction() as session:
        first = (await meetings.list_meetings(session=session, tz=TZ, year=YEAR,
                                              body="programgruppe"))[0]  # fmt: skip
    rules = {rule.kind: rule for rule in programme.reminder_rules}
    agenda_day = format_day(reminder_time(rules["agenda_due"], first.start, TZ), "da", TZ)
    answer = await chat.say(OUTSIDER, "hvornår er næste dagsorden til programgruppen klar")
    assert answer.startswith(f"Næste møde i {programme.name_da}:")
    assert f"Dagsordenen skal sendes ud senest {agenda_day}." in answer
    assert "govbots forslag" in answer

    steering = await first_steering_meeting(chat.bot)
    rules = {rule.kind: rule for rule in STEERING.reminder_rules}
    minutes_day = format_day(reminder_time(rules["minutes_due"], steering.start, TZ), "da", TZ)
    answer = await chat.say(SECRETARY, "hvornår skal referatet fra styregruppemødet være ude")
    assert f"(møde {steering.id})" in answer and f"senest {minutes_day}." in answer
    answer = await chat.say(OUTSIDER, "when is the agenda for the next steering group meeting due?",
                            locale="en-GB")  # fmt: skip
    assert "is due to be sent by" in answer


async def test_a_passed_deadline_is_told_as_passed_with_the_way_on(
    chat: Chat, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two days before the first steering group meeting, its agenda deadline (five working
    days before) has passed: told in the past tense, with the meeting after's deadline, and
    whom to ask (the secretary: how to move the meeting). A month before, it is still ahead."""
    first, second = (await steering_meetings(chat.bot))[:2]
    monkeypatch.setattr(reading, "utcnow", lambda: first.start - timedelta(days=2))
    agenda = {rule.kind: rule for rule in STEERING.reminder_rules}["agenda_due"]

    def due(meeting: MeetingInfo, lang: Lang) -> str:
        return format_day(reminder_time(agenda, meeting.start, TZ), lang, TZ)

    answer = await chat.say(OUTSIDER, "hvornår er næste dagsorden til styregruppen klar")
    assert answer.startswith(f"Næste møde i {NAME}: "), answer
    assert f"Fristen for dagsordenen var {due(first, 'da')}." in answer, answer
    later = format_when(second.start, "da", TZ)
    assert f"Til mødet efter, {later}, er fristen {due(second, 'da')}." in answer
    assert f"så skriv til sekretæren for {NAME}." in answer and "senest" not in answer
    answer = await chat.say(SECRETARY, "hvornår er næste dagsorden til styregruppen klar")
    assert f'kan du flytte mødet, fx "flyt møde {first.id} til fredag kl. 13".' in answer
    answer = await chat.say(OUTSIDER, "when is the agenda for the next steering group meeting due?",
                            locale="en-GB")  # fmt: skip
    assert f"The agenda deadline was {due(first, 'en')}." in answer, answer
    later = format_when(second.start, "en", TZ)
    assert f"For the meeting after, {later}, the deadline is {due(second, 'en')}." in answer

    monkeypatch.setattr(reading, "utcnow", lambda: first.start - timedelta(days=30))
    answer = await chat.say(OUTSIDER, "hvornår er næste dagsorden til styregruppen klar")
    assert f"{agenda.text_da} senest {due(first, 'da')}." in answer, answer


async def test_when_is_the_next_one_asks_for_the_meeting_after(chat: Chat) -> None:
    meetings_of_year = await steering_meetings(chat.bot)
    await chat.say(OUTSIDER, "hej, hvornår er næste møde i styregruppen?")
    answer = await chat.say(OUTSIDER, "og hvornår er det næste?")
    second = title_under_body(meetings_of_year[1].title, STEERING)
    assert answer.startswith(f"Mødet efter i {NAME}: {second},")


async def test_a_secretary_names_the_meeting_by_its_body_or_as_the_one_just_shown(
    chat: Chat,
) -> None:
    """ "aflys næste møde i styregruppen", "flyt det til …": the same confirmation as with the
    meeting's number, and the same check of who may."""
    meeting = await first_steering_meeting(chat.bot)
    asked = json.dumps((await chat.send(SECRETARY, "aflys næste møde i styregruppen"))[0].card,
                       ensure_ascii=False)  # fmt: skip
    assert f"Skal jeg aflyse møde {meeting.id} " in asked
    assert "Det må kun sekretæren" in await chat.say(MEMBER, "aflys næste møde i styregruppen")

    new_day = add_working_days(meeting.start.astimezone(TZ).date(), 2)
    await chat.say(SECRETARY, "hvornår er næste møde i styregruppen?")
    asked = json.dumps((await chat.send(SECRETARY, f"flyt det til {new_day.isoformat()} 10:00"))[0]
                       .card, ensure_ascii=False)  # fmt: skip
    assert f"Skal jeg flytte møde {meeting.id} " in asked
    await chat.say(SECRETARY, "hvornår er næste møde i styregruppen?")
    asked = json.dumps((await chat.send(SECRETARY, "flyt det til fredag kl. 10"))[0].card,
                       ensure_ascii=False)  # fmt: skip
    assert f"Skal jeg flytte møde {meeting.id} " in asked and "fredag" in asked, asked
    assert "Hvilket møde mener du?" in await chat.say(OUTSIDER, "flyt det til 2027-05-05 10:00")
    assert (await first_steering_meeting(chat.bot)).start == meeting.start, "nothing confirmed"


async def test_a_time_of_day_in_english_is_read_on_the_12_hour_clock(chat: Chat) -> None:
    """ "move the next meeting to friday at 2pm" moves it to 14:00, not 02:00; Danish "kl. 14.30"
    and "14.30" keep their 24-hour reading."""
    meeting = await first_steering_meeting(chat.bot)

    async def asked(text: str, **kw: Any) -> str:
        return json.dumps((await chat.send(SECRETARY, text, **kw))[0].card, ensure_ascii=False)

    await chat.say(SECRETARY, "next meeting of the steering group", locale="en-GB")
    question = await asked("move the next meeting to friday at 2pm", locale="en-GB")
    assert f"Shall I move meeting {meeting.id} " in question, question
    assert " to Friday " in question and " at 14:00? The members' " in question, question
    question = await asked("move the next meeting of the steering group to friday 2:30 p.m.",
                           locale="en-GB")  # fmt: skip
    assert "Friday" in question and "at 14:30?" in question, question
    question = await asked("flyt næste møde i styregruppen til fredag kl. 14.30")
    assert "fredag" in question and "kl. 14.30?" in question, question
    question = await asked("flyt næste møde i styregruppen til fredag 14.30")
    assert "kl. 14.30?" in question, question


async def test_a_yearly_item_is_told_by_its_own_date(chat: Chat) -> None:
    """ "hvornår er seminaret": the programme group's yearly seminar on the wheel, not the list
    of every body's next meeting."""
    programme = PACK.body("programgruppe")
    seminar = next(i for i in programme.annual_items if i.key == "digitaliseringsseminar")
    async with chat.bot.app[DATABASE].transaction() as session:
        found = await meetings.next_meeting(
            session=session, body="programgruppe", now=utcnow(), item=seminar
        )
    assert found is not None and found.kind == "event"
    answer = await chat.say(OUTSIDER, "hvornår er seminaret")
    assert answer.startswith(f"{seminar.title_da} holdes {format_when(found.start, 'da', TZ)}.")
    assert f"{programme.name_da} står for det." in answer
    # "digitalisering" inside "digitaliseringsseminaret" names no body beside the seminar.
    answer = await chat.say(OUTSIDER, "hvornår er digitaliseringsseminaret")
    assert answer.startswith(f"{seminar.title_da} holdes {format_when(found.start, 'da', TZ)}.")
    answer = await chat.say(OUTSIDER, "when is the seminar?", locale="en-GB")
    assert answer.startswith("The internal digitalisation seminar is held ")


async def test_when_members_are_reminded_is_told_from_the_reminder_rules(chat: Chat) -> None:
    """ "hvornår får medlemmerne påmindelser": the member reminder rule and the time it gives
    the next meeting; turning one's own reminders off keeps its hint."""
    steering = await first_steering_meeting(chat.bot)
    rules = {rule.kind: rule for rule in STEERING.reminder_rules}
    due = format_when(reminder_time(rules["member_reminder"], steering.start, TZ), "da", TZ)
    for asked in ("hvornår får medlemmerne påmindelser", "kan du minde medlemmerne om næste møde?"):
        answer = await chat.say(OUTSIDER, asked)
        assert answer.startswith(f"Medlemmerne af {NAME} får af sig selv en påmindelse 1:1 dagen "
                                 "før mødet kl. 9"), answer  # fmt: skip
        assert f"kommer påmindelsen {due}." in answer
    answer = await chat.say(OUTSIDER, "when do members get reminders?", locale="en-GB")
    assert "get a 1:1 reminder by themselves the day before the meeting" in answer
    assert (await chat.say(MEMBER, "hvordan slår jeg påmindelserne fra")).startswith(
        'Skriv "påmindelser fra for'
    )


async def test_a_member_reminder_already_sent_is_told_in_the_past_tense(
    chat: Chat, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The morning of the day before the meeting, after 9, the reminder has gone out."""
    steering = await first_steering_meeting(chat.bot)
    rules = {rule.kind: rule for rule in STEERING.reminder_rules}
    sent = reminder_time(rules["member_reminder"], steering.start, TZ)
    monkeypatch.setattr(reminder_times, "utcnow", lambda: sent + timedelta(hours=1))
    answer = await chat.say(OUTSIDER, "hvornår får medlemmerne påmindelser")
    assert f"kom påmindelsen {format_when(sent, 'da', TZ)}." in answer, answer
    answer = await chat.say(OUTSIDER, "when do members get reminders?", locale="en-GB")
    assert f"the reminder went out {format_when(sent, 'en', TZ)}." in answer, answer


async def test_a_secretary_asking_how_to_add_a_member_gets_the_command(chat: Chat) -> None:
    answer = await chat.say(SECRETARY, "jeg er sekretær, hvordan tilføjer jeg et nyt medlem")
    assert "som medlem af" in answer and "tilføj" in answer, answer
    assert "Det står ikke i vores materiale" not in answer


async def test_who_are_the_members_after_a_meeting_is_of_that_body(chat: Chat) -> None:
    """An English follow-up about a body's role holders reads the body just talked about."""
    await chat.say(OUTSIDER, "when does the steering group meet next?", locale="en-GB")
    answer = await chat.say(OUTSIDER, "who are the members?", locale="en-GB")
    assert f"Member of {STEERING.name_en}" in answer, answer
    assert "Bruger 2" in answer and "Bruger 3" in answer


@pytest.mark.parametrize("asked", ["hvornår er det andet møde i styregruppen?",
                                   "hvornår er årets andet møde i styregruppen"])  # fmt: skip
async def test_the_second_meeting_of_the_year_is_the_second_not_the_next(
    chat: Chat, bot: RunningBot, asked: str
) -> None:
    second = (await steering_meetings(bot))[1]
    answer = await chat.say(OUTSIDER, asked)
    assert "møde 2 af 4" in answer.casefold() and "Næste møde" not in answer, answer
    day = second.start.astimezone(TZ)
    assert f"{day.day}. " in answer and str(day.year) in answer
