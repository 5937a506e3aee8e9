"""End to end: reminders reach members who never wrote to the bot, through chats it opens."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.app import DATABASE, PROACTIVE, ROSTERS
from bot.card_updates import keep_current
from bot.dispatch_pacing import DispatchLimits
from bot.dispatcher import Dispatcher, configured_endpoint
from bot.graph import GraphClient
from bot.personal_chats import PersonalChats
from bot.settings import Settings
from storage import outbox, outbox_dispatch
from storage.audit import Author
from storage.conversations import personal_conversation
from storage.db import Database
from storage.directory import ensure_person, get_person, link_identity
from storage.models.base import utcnow
from storage.outbox_payloads import UnreachableNotice
from tests.platform.outbox.test_outbox_dispatch import aad, arrivals, plan, talk
from tests.support.activities import (
    BOT_ID,
    TENANT_ID,
    installation_update,
    message,
    new_user,
    teams_activity,
)
from tests.support.channel import TestChannel
from tests.support.graph import StandInGraph
from tests.support.server import RunningBot, start_bot

TZ = ZoneInfo("Europe/Copenhagen")


def later_dispatcher(bot: RunningBot) -> Dispatcher:
    """A dispatcher whose wall clock is past the digests' gathering time (no test waits)."""
    gather = DispatchLimits().digest_gather
    return Dispatcher(bot.app[DATABASE], bot.app[PROACTIVE], tz=TZ, now=lambda: utcnow() + gather)


@pytest.fixture
async def quiet_bot(make_settings: Callable[..., Settings]) -> AsyncIterator[RunningBot]:
    """The app without its background dispatcher: each test runs the dispatcher it needs."""
    bot = await start_bot(make_settings(dispatcher=False))
    yield bot
    await bot.stop()


def in_roster(channel: TestChannel, n: int) -> None:
    """User `n` is a member of the tenant as Teams knows it (not a bot user yet)."""
    user = new_user(n)
    channel.add_member(
        user["user"],
        email=f"bruger{n}@norddjurs.dk",
        name=user["user_name"],
        aad_object_id=user["aad_object_id"],
    )


async def member(database: Database, n: int, *, linked: bool = True) -> str:
    """A directory person for user `n` (linked to their Entra object id); returns the email."""
    email = f"bruger{n}@norddjurs.dk"
    async with database.transaction() as session:
        await ensure_person(session=session, email=email, name=f"Bruger {n}", by=Author("test"))
        if linked:
            await link_identity(session=session, email=email, aad_object_id=aad(n), actor="test")
    return email


async def rostered_member(channel: TestChannel, database: Database, n: int) -> str:
    """User `n`, in Teams' roster and linked in the directory, who never wrote to the bot."""
    in_roster(channel, n)
    return await member(database, n)


async def test_a_member_who_never_wrote_gets_the_reminder_in_a_chat_the_bot_opens(
    quiet_bot: RunningBot, channel: TestChannel
) -> None:
    database = quiet_bot.app[DATABASE]
    await talk(quiet_bot, channel, 30)  # someone in the tenant did: its serviceUrl is known
    email = await rostered_member(channel, database, 31)
    await plan(database, "c:first", principal=email)
    await plan(database, "c:second", person_id=None, principal=aad(31))

    report = await Dispatcher(database, quiet_bot.app[PROACTIVE], tz=TZ).drain()

    assert report.sent == 2 and report.unreachable == 0
    [asked] = channel.created
    assert asked["isGroup"] is False
    assert asked["members"][0]["id"] == aad(31)
    assert asked["tenantID"] == TENANT_ID
    assert asked["channelData"] == {"tenant": {"id": TENANT_ID}}
    assert "activity" not in asked, "the chat is opened empty; the message follows it"
    chat = "a:1personal-1user-31"
    assert arrivals(channel.to(chat), ["c:first", "c:second"]) == {"c:first": 1, "c:second": 1}
    async with database.transaction() as session:
        stored = await personal_conversation(session=session, aad_object_id=aad(31))
        first = await outbox.get_delivery(session=session, key="c:first")
    assert stored is not None and stored.conversation_id == chat
    assert (first.status, first.sent_to) == ("sent", chat)


async def test_a_fresh_install_opens_chats_at_the_configured_service_url(
    make_settings: Callable[..., Settings], channel: TestChannel
) -> None:
    settings = make_settings(
        dispatcher=False, teams_service_url=channel.url, allowed_tenants=TENANT_ID
    )
    bot = await start_bot(settings)
    try:
        database = bot.app[DATABASE]
        in_roster(channel, 32)
        await plan(database, "f:1", principal=await member(database, 32))
        dispatcher = Dispatcher(
            database, bot.app[PROACTIVE], tz=TZ, endpoint=configured_endpoint(settings)
        )
        report = await dispatcher.drain()
        assert report.sent == 1
        assert arrivals(channel.to("a:1personal-1user-32"), ["f:1"]) == {"f:1": 1}
    finally:
        await bot.stop()


async def test_a_chat_that_appears_while_one_is_being_opened_gets_each_message_once(
    quiet_bot: RunningBot, channel: TestChannel
) -> None:
    """The member writes to the bot while the dispatcher is opening their chat."""
    database = quiet_bot.app[DATABASE]
    await talk(quiet_bot, channel, 33)
    email = await rostered_member(channel, database, 34)
    keys = ["i:1", "i:2", "i:3"]
    for key in keys:
        await plan(database, key, principal=email)
    held = channel.hold_creation(aad(34))
    dispatcher = Dispatcher(database, quiet_bot.app[PROACTIVE], tz=TZ)

    draining = asyncio.create_task(dispatcher.drain())
    await held.asked.wait()
    await quiet_bot.post(message("hjælp", service_url=channel.url, **new_user(34)))
    held.answer.set()
    report = await draining

    chat = "a:1personal-1user-34"
    assert arrivals(channel.to(chat), keys) == dict.fromkeys(keys, 1)
    assert len(channel.created) == 1, "the rows after the first found the chat"
    assert report.sent == 3
    # And a second pass, with the chat stored, sends nothing again.
    assert (await dispatcher.drain()).sent == 0
    assert arrivals(channel.to(chat), keys) == dict.fromkeys(keys, 1)


async def test_two_dispatchers_opening_the_same_chat_send_each_row_once(
    quiet_bot: RunningBot, channel: TestChannel
) -> None:
    """Rows for one member named two ways (email, Entra id) are two recipients to the claim."""
    database = quiet_bot.app[DATABASE]
    await talk(quiet_bot, channel, 35)
    email = await rostered_member(channel, database, 36)
    await plan(database, "two:email", principal=email)
    await plan(database, "two:aad", principal=aad(36))
    first = Dispatcher(database, quiet_bot.app[PROACTIVE], tz=TZ)
    second = Dispatcher(database, quiet_bot.app[PROACTIVE], tz=TZ)

    reports = await asyncio.gather(first.drain(), second.drain())

    assert sum(r.sent for r in reports) == 2
    chat = "a:1personal-1user-36"
    assert arrivals(channel.to(chat), ["two:email", "two:aad"]) == {"two:email": 1, "two:aad": 1}


async def test_a_member_without_the_app_is_unreachable_with_the_reason_and_the_fix(
    quiet_bot: RunningBot, channel: TestChannel
) -> None:
    database = quiet_bot.app[DATABASE]
    secretary = await talk(quiet_bot, channel, 37)
    in_roster(channel, 38)
    channel.not_installed.add(aad(38))
    email = await member(database, 38)
    unlinked = await member(database, 39, linked=False)
    report_to = [{"principal": aad(37)}]
    reminder = UnreachableNotice(subject="påmindelse om mødet", who="x", about="x")
    for key, principal, name in (
        ("n:missing", email, "Bruger 38"),
        ("n:unlinked", unlinked, "Bruger 39"),
    ):
        payload = reminder.model_copy(update={"recipient_name": name})
        await plan(database, key, principal=principal, report_to=report_to, payload=payload)
    seen = len(channel.to(secretary))

    await Dispatcher(database, quiet_bot.app[PROACTIVE], tz=TZ).drain()
    assert len(channel.to(secretary)) == seen, "the digest waits for the rest of the batch"
    await later_dispatcher(quiet_bot).drain()

    async with database.transaction() as session:
        missing = await outbox.get_delivery(session=session, key="n:missing")
        unlinked_row = await outbox.get_delivery(session=session, key="n:unlinked")
    assert missing.status == unlinked_row.status == "unreachable"
    assert missing.last_error == "the app is not installed for the user"
    assert unlinked_row.last_error == "no Entra object id known for the recipient"
    assert len(channel.to("a:1personal-1user-38")) == 0
    [digest] = channel.to(secretary)[seen:]
    assert (
        "appen er ikke installeret for Bruger 38 — installér den via Teams admin center"
        in digest.text
    )
    assert "jeg kender ikke Bruger 39s Teams-konto" in digest.text


TEAM = "19:styregruppe-team@thread.tacv2"


def team_event(channel: TestChannel, *, members_added: list[dict[str, str]]) -> dict[str, object]:
    """Teams' conversationUpdate in the body's team (the bot, or people, added)."""
    return teams_activity(
        "conversationUpdate",
        service_url=channel.url,
        conversation=TEAM,
        conversation_type="channel",
        membersAdded=members_added,
        channelData={"team": {"id": TEAM}, "tenant": {"id": TENANT_ID}},
    )


async def test_the_bot_added_to_a_team_learns_every_members_entra_id_page_by_page(
    quiet_bot: RunningBot, channel: TestChannel
) -> None:
    database = quiet_bot.app[DATABASE]
    people = range(40, 45)
    for n in people:
        in_roster(channel, n)
        await member(database, n, linked=False)
    channel.rosters[TEAM] = [new_user(n)["user"] for n in people]

    response = await quiet_bot.post(team_event(channel, members_added=[{"id": BOT_ID}]))
    assert response.status < 300
    await quiet_bot.app[ROSTERS].settled()

    assert channel.roster_pages == [(TEAM, None), (TEAM, "2"), (TEAM, "4")]
    async with database.transaction() as session:
        for n in people:
            person = await get_person(session=session, email=f"bruger{n}@norddjurs.dk")
            assert person is not None and person.aad_object_id == aad(n)


async def test_the_daily_pass_syncs_every_roster_and_a_gone_team_does_not_stop_it(
    quiet_bot: RunningBot, channel: TestChannel
) -> None:
    database = quiet_bot.app[DATABASE]
    in_roster(channel, 46)
    await member(database, 46, linked=False)
    await quiet_bot.post(team_event(channel, members_added=[{"id": BOT_ID}]))
    await quiet_bot.post(
        message(
            "hjælp", service_url=channel.url, conversation="19:gone", conversation_type="groupChat"
        )
    )
    await quiet_bot.app[ROSTERS].settled()  # the first sync found an empty roster: 404
    channel.rosters[TEAM] = [new_user(46)["user"]]
    ticks: list[float] = []

    async def one_day(seconds: float) -> None:
        ticks.append(seconds)
        if len(ticks) > 1:
            raise asyncio.CancelledError  # one pass is enough

    with pytest.raises(asyncio.CancelledError):
        await quiet_bot.app[ROSTERS].run_daily(sleep=one_day)

    assert ticks == [86400.0, 86400.0]
    assert ("19:gone", None) in channel.roster_pages
    async with database.transaction() as session:
        person = await get_person(session=session, email="bruger46@norddjurs.dk")
    assert person is not None and person.aad_object_id == aad(46)


@pytest.fixture
async def graph(channel: TestChannel) -> AsyncIterator[StandInGraph]:
    """A stand-in Graph beside the stand-in channel."""
    stand_in = await StandInGraph(channel, manifest_id=APP_ID).start()
    yield stand_in
    await stand_in.stop()


APP_ID = "00000000-0000-0000-0000-00000000b075"


def graph_dispatcher(bot: RunningBot, graph: StandInGraph, slept: list[float]) -> Dispatcher:
    """A dispatcher that installs through the stand-in Graph and never waits in real time."""

    async def no_wait(seconds: float) -> None:
        slept.append(seconds)

    client = GraphClient(
        tenant_id=TENANT_ID,
        client_id="govbot-graph",
        client_secret="s3cret",
        graph_url=graph.url,
        login_url=graph.login_url,
        sleep=no_wait,
    )
    chats = PersonalChats(bot.app[PROACTIVE], client, manifest_id=APP_ID, sleep=no_wait)
    return Dispatcher(bot.app[DATABASE], bot.app[PROACTIVE], tz=TZ, chats=chats)


async def test_a_member_without_the_app_gets_it_installed_through_graph_then_the_reminder(
    quiet_bot: RunningBot, channel: TestChannel, graph: StandInGraph
) -> None:
    database = quiet_bot.app[DATABASE]
    await talk(quiet_bot, channel, 50)
    in_roster(channel, 51)
    channel.not_installed.add(aad(51))
    email = await member(database, 51)
    await plan(database, "g:1", principal=email)
    graph.throttle.extend([1.5, 0.5])  # Graph throttles the first two calls

    async def teams_tells_the_bot(user_id: str) -> None:
        # As Teams does: the new installation arrives at the bot as an installationUpdate.
        user = new_user(51)
        assert user_id == user["aad_object_id"]
        await quiet_bot.post(installation_update(service_url=channel.url, **user))

    graph.on_install = teams_tells_the_bot
    slept: list[float] = []
    report = await graph_dispatcher(quiet_bot, graph, slept).drain()

    assert report.sent == 1 and report.unreachable == 0
    assert graph.installed == [aad(51)]
    assert slept[:2] == [1.5, 0.5], "Graph's Retry-After was honoured"
    assert graph.tokens_issued == 1, "one token for every call"
    reminders = arrivals(channel.to("a:1personal-1user-51"), ["g:1"])
    assert reminders == {"g:1": 1}


async def test_a_member_no_roster_names_is_found_by_mail_in_graph(
    quiet_bot: RunningBot, channel: TestChannel, graph: StandInGraph
) -> None:
    database = quiet_bot.app[DATABASE]
    await talk(quiet_bot, channel, 52)
    in_roster(channel, 53)
    email = await member(database, 53, linked=False)
    graph.users[email] = aad(53)
    await plan(database, "m:1", principal=email)

    report = await graph_dispatcher(quiet_bot, graph, []).drain()

    assert report.sent == 1
    assert ("GET", "/v1.0/users") in graph.requests
    async with database.transaction() as session:
        person = await get_person(session=session, email=email)
    assert person is not None and person.aad_object_id == aad(53)
    assert arrivals(channel.to("a:1personal-1user-53"), ["m:1"]) == {"m:1": 1}


async def test_graph_look_ups_run_side_by_side_and_a_long_throttle_gives_the_row_back(
    quiet_bot: RunningBot, channel: TestChannel, graph: StandInGraph
) -> None:
    database = quiet_bot.app[DATABASE]
    await talk(quiet_bot, channel, 56)
    found = (57, 58, 59)
    for n in found:
        in_roster(channel, n)
        email = await member(database, n, linked=False)
        graph.users[email] = aad(n)
        await plan(database, f"s:{n}", principal=email)
    graph.meet = len(found)

    report = await graph_dispatcher(quiet_bot, graph, []).drain()

    assert graph.most_in_flight == len(found), "the three look-ups were in flight together"
    assert report.sent == len(found)
    for n in found:
        assert arrivals(channel.to(f"a:1personal-1user-{n}"), [f"s:{n}"]) == {f"s:{n}": 1}

    # Graph throttles longer than the client waits: the row is given back for Retry-After,
    # not marked unreachable, and goes out once that has passed.
    in_roster(channel, 60)
    email = await member(database, 60, linked=False)
    graph.users[email] = aad(60)
    await plan(database, "s:60", principal=email)
    graph.meet = 0
    graph.throttle.extend([45.0, 45.0])  # 90 s in all: more than the client's 60 s
    # The pass runs on a stopped clock, so the row's new time is measured from a known
    # instant, however long a busy machine takes over the pass.
    throttled = graph_dispatcher(quiet_bot, graph, [])
    start = utcnow()
    throttled.now = lambda: start
    report = await throttled.drain()
    assert report.throttled == 1 and report.retried == 1 and report.unreachable == 0
    async with database.transaction() as session:
        row = await outbox.get_delivery(session=session, key="s:60")
    assert row.status == "pending" and row.last_error == "429 throttled by Graph"
    assert row.available_at >= start + timedelta(seconds=40)

    later = graph_dispatcher(quiet_bot, graph, [])
    later.now = lambda: start + timedelta(seconds=50)
    assert (await later.drain()).sent == 1
    assert arrivals(channel.to("a:1personal-1user-60"), ["s:60"]) == {"s:60": 1}


async def test_an_app_missing_from_the_catalog_leaves_the_member_unreachable_with_the_fix(
    quiet_bot: RunningBot, channel: TestChannel, graph: StandInGraph
) -> None:
    database = quiet_bot.app[DATABASE]
    await talk(quiet_bot, channel, 54)
    in_roster(channel, 55)
    channel.not_installed.add(aad(55))
    graph.manifest_id = "another-app"
    await plan(database, "k:1", principal=await member(database, 55))

    report = await graph_dispatcher(quiet_bot, graph, []).drain()

    assert report.unreachable == 1 and graph.installed == []
    async with database.transaction() as session:
        row = await outbox.get_delivery(session=session, key="k:1")
    assert row.last_error == "the app is not in the organisation's app catalog"


async def test_a_card_changed_before_it_went_out_goes_out_changed_or_is_updated_once_sent(
    quiet_bot: RunningBot, channel: TestChannel
) -> None:
    """IT may act on a request before its card's send is recorded: nothing stays stale."""
    database = quiet_bot.app[DATABASE]
    chat = await talk(quiet_bot, channel, 60)
    await plan(database, "card:waiting", principal=aad(60))
    await plan(database, "card:sending", principal=aad(60))
    async with database.transaction() as session:
        claim = await outbox_dispatch.claim_due(
            session=session, worker="w", now=utcnow(), lease=timedelta(minutes=1), limit=10
        )
        [sending] = [d for d in claim.deliveries if d.key == "card:sending"]
        await outbox_dispatch.release(  # leave only "card:sending" claimed
            session=session,
            worker="w",
            ids=[d.id for d in claim.deliveries if d.key != "card:sending"],
        )
    newer = UnreachableNotice(who="ny udgave", about="x")
    waits: list[float] = []

    async def the_send_is_recorded_meanwhile(seconds: float) -> None:
        waits.append(seconds)
        async with database.transaction() as session:
            await outbox_dispatch.mark_sent(
                session=session, delivery_id=sending.id, worker="w", sent_to=chat,
                activity_id="1:posted-card",
            )  # fmt: skip

    updated = await keep_current(
        database=database, sender=quiet_bot.app[PROACTIVE], key_prefix="card:",
        message=newer, tz=TZ, language="da", sleep=the_send_is_recorded_meanwhile,
    )  # fmt: skip

    assert updated == 1 and len(waits) == 1
    [put] = [r for r in channel.to(chat) if r.method == "PUT"]
    assert put.reply_to == "1:posted-card" and "ny udgave" in put.text
    async with database.transaction() as session:
        waiting = await outbox.get_delivery(session=session, key="card:waiting")
    assert waiting is not None and waiting.status == "pending"
    assert "ny udgave" in json.dumps(waiting.payload, ensure_ascii=False)
