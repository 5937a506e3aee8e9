"""End to end: outbox rows delivered over HTTP to the test channel, exactly once, within limits."""

from __future__ import annotations

import asyncio
from collections import Counter, deque
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from time import monotonic
from zoneinfo import ZoneInfo

import pytest

from bot.app import DATABASE, DISPATCHER, PROACTIVE
from bot.dispatch_pacing import DispatchLimits
from bot.dispatcher import Dispatcher
from bot.settings import Settings
from storage import outbox
from storage.db import Database
from storage.models.base import utcnow
from storage.outbox_payloads import UnreachableNotice
from tests.support.activities import message, new_user
from tests.support.channel import Failure, Received, TestChannel
from tests.support.server import RunningBot, start_bot

TZ = ZoneInfo("Europe/Copenhagen")
CHANNEL_CONVERSATION = "19:styregruppe@thread.tacv2"


async def talk(bot: RunningBot, channel: TestChannel, n: int) -> str:
    """User `n` says hello, so govbot knows their 1:1 chat; returns its conversation id."""
    await bot.post(message("hjælp", service_url=channel.url, **new_user(n)))
    return f"a:1personal-1user-{n}"


def aad(n: int) -> str:
    return new_user(n)["aad_object_id"]


def note(marker: str) -> UnreachableNotice:
    """A payload whose rendered text contains `marker`, to tell deliveries apart."""
    return UnreachableNotice(who=marker, about="x")


async def plan(
    database: Database, key: str, *, due_in: timedelta = timedelta(0), **kw: object
) -> None:
    async with database.transaction() as session:
        await outbox.enqueue(
            session=session,
            key=key,
            due_at=utcnow() + due_in,
            payload=kw.pop("payload", None) or note(key),
            source="test",
            **kw,
        )


def arrivals(received: list[Received], keys: list[str]) -> Counter[str]:
    """How many times each key's message arrived."""
    counts: Counter[str] = Counter()
    for item in received:
        for key in keys:
            if f"nå {key} med" in item.text:
                counts[key] += 1
    return counts


async def settled(database: Database, prefix: str, seconds: float = 30.0) -> dict[str, str]:
    """The statuses under `prefix` once none is pending or claimed any more."""
    deadline = monotonic() + seconds
    while True:
        found = await statuses(database, prefix)
        if not {"pending", "claimed"} & set(found.values()) or monotonic() > deadline:
            return found
        await asyncio.sleep(0.05)


async def statuses(database: Database, prefix: str) -> dict[str, str]:
    async with database.transaction() as session:
        return {
            d.key: d.status for d in await outbox.deliveries(session=session, key_prefix=prefix)
        }


async def test_due_rows_reach_a_person_and_a_channel_exactly_once(
    running_bot: RunningBot, channel: TestChannel
) -> None:
    database = running_bot.app[DATABASE]
    await talk(running_bot, channel, 1)
    await running_bot.post(
        message(
            "hjælp",
            service_url=channel.url,
            conversation=CHANNEL_CONVERSATION,
            conversation_type="channel",
        )
    )
    before = len(channel.received)
    await plan(database, "t:personal", principal=aad(1))
    await plan(database, "t:channel", conversation_id=CHANNEL_CONVERSATION, kind="channel")
    await plan(database, "t:later", principal=aad(1), due_in=timedelta(hours=1))

    await running_bot.app[DISPATCHER].kick()
    await channel.wait_for(before + 2)
    # drain() waits for the kicked pass to end and sends what is still due: a duplicate
    # would have gone out by the time it returns.
    await running_bot.app[DISPATCHER].drain()

    new = channel.received[before:]
    assert arrivals(new, ["t:personal", "t:channel"]) == {"t:personal": 1, "t:channel": 1}
    assert {r.conversation_id for r in new} == {"a:1personal-1user-1", CHANNEL_CONVERSATION}
    assert await settled(database, "t:p") == {"t:personal": "sent"}
    assert await statuses(database, "t:") == {
        "t:personal": "sent",
        "t:channel": "sent",
        "t:later": "pending",
    }


async def test_429_retry_after_is_honoured_and_nothing_is_lost(
    running_bot: RunningBot, channel: TestChannel
) -> None:
    database = running_bot.app[DATABASE]
    conversation = await talk(running_bot, channel, 2)
    before = len(channel.received)
    channel.fail_next(429, retry_after=0.4, count=2, conversation_id=conversation)
    await plan(database, "r:1", principal=aad(2))

    started = monotonic()
    await running_bot.app[DISPATCHER].kick()
    await channel.wait_for(before + 1)
    assert monotonic() - started >= 0.8, "each Retry-After was waited out"
    assert arrivals(channel.received[before:], ["r:1"]) == {"r:1": 1}
    await settled(database, "r:")
    async with database.transaction() as session:
        row = await outbox.get_delivery(session=session, key="r:1")
    assert (row.status, row.attempts) == ("sent", 1)


async def test_transient_errors_back_off_and_then_deliver(
    running_bot: RunningBot, channel: TestChannel
) -> None:
    database = running_bot.app[DATABASE]
    await talk(running_bot, channel, 3)
    before = len(channel.received)
    channel.fail_next(503)
    channel.fail_next(412)
    await plan(database, "b:1", principal=aad(3))

    await running_bot.app[DISPATCHER].kick()
    await channel.wait_for(before + 1, seconds=15)
    await settled(database, "b:")
    async with database.transaction() as session:
        row = await outbox.get_delivery(session=session, key="b:1")
    assert (row.status, row.attempts) == ("sent", 3)
    assert arrivals(channel.received[before:], ["b:1"]) == {"b:1": 1}


GATHER_SECONDS = 3600.0


@pytest.fixture
async def gathering_bot(make_settings: Callable[..., Settings]) -> AsyncIterator[RunningBot]:
    """The app with its dispatcher running and a digest that gathers for an hour: however slow
    the machine, the digest never goes out before the test moves a dispatcher's clock past it."""
    bot = await start_bot(make_settings(reminder_digest_seconds=GATHER_SECONDS))
    yield bot
    await bot.stop()


async def test_blocked_or_unknown_recipients_are_reported_to_the_secretary_in_one_digest(
    gathering_bot: RunningBot, channel: TestChannel
) -> None:
    running_bot = gathering_bot
    database = running_bot.app[DATABASE]
    member = await talk(running_bot, channel, 4)
    secretary = await talk(running_bot, channel, 5)
    seen = {member: len(channel.to(member)), secretary: len(channel.to(secretary))}
    channel.fail_next(403, conversation_id=member)
    report_to = [{"principal": aad(5)}]
    reminder = UnreachableNotice(
        lang="da",
        subject="påmindelse om styregruppemødet 4. feb. 2027",
        recipient_name="Bruger 4",
        who="x",
        about="x",
    )
    await plan(database, "u:blocked", principal=aad(4), payload=reminder, report_to=report_to)
    await plan(
        database,
        "u:stranger",
        principal="stranger@norddjurs.dk",
        payload=reminder.model_copy(update={"recipient_name": "Ukendt Person"}),
        report_to=report_to,
    )

    await running_bot.app[DISPATCHER].kick()
    found = await settled(database, "u:")
    assert found["u:blocked"] == found["u:stranger"] == "unreachable"
    assert len(channel.to(secretary)) == seen[secretary], "the digest gathers the batch first"
    # A dispatcher whose clock stands past the gathering time sends it (no test waits for it).
    past_gathering = utcnow() + timedelta(seconds=GATHER_SECONDS)
    later = Dispatcher(database, running_bot.app[PROACTIVE], tz=TZ, now=lambda: past_gathering)
    await later.drain()

    [digest] = channel.to(secretary)[seen[secretary] :]
    assert "Jeg kunne ikke nå 2 personer med: påmindelse om styregruppemødet" in digest.text
    assert "**Bruger 4**: Bruger 4 har blokeret govbot eller fjernet appen" in digest.text
    assert "**Ukendt Person**: jeg kender ikke Ukendt Persons Teams-konto" in digest.text
    assert len(channel.to(member)) == seen[member], "the blocked member got nothing"
    assert await statuses(database, "unreachable:u:") == {f"unreachable:u:{aad(5)}:1": "sent"}


async def test_after_downtime_recent_rows_go_out_late_and_old_ones_are_missed(
    running_bot: RunningBot, channel: TestChannel
) -> None:
    database = running_bot.app[DATABASE]
    conversation = await talk(running_bot, channel, 6)
    before = len(channel.received)
    await plan(database, "d:recent", principal=aad(6), due_in=-timedelta(hours=2))
    await plan(database, "d:old", principal=aad(6), due_in=-timedelta(days=3))

    await running_bot.app[DISPATCHER].kick()
    late = await channel.wait_for(before + 1, conversation_id=conversation)
    await running_bot.app[DISPATCHER].drain()
    assert "Denne besked kommer for sent" in late[-1].text
    assert arrivals(channel.received[before:], ["d:recent", "d:old"]) == {"d:recent": 1}
    assert await settled(database, "d:") == {"d:recent": "sent", "d:old": "missed"}


async def test_a_row_past_its_grace_is_missed_even_when_claimed_before_expiry_ran(
    own_dispatch_bot: RunningBot, channel: TestChannel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The background pass may already be past its expiry step when an old row appears."""
    database = own_dispatch_bot.app[DATABASE]
    await talk(own_dispatch_bot, channel, 7)
    before = len(channel.received)
    await plan(database, "g:old", principal=aad(7), due_in=-timedelta(days=3))
    dispatcher = Dispatcher(database, own_dispatch_bot.app[PROACTIVE], tz=TZ)

    async def expiry_already_ran(report: object) -> None:
        return None

    monkeypatch.setattr(dispatcher, "_expire", expiry_already_ran)
    report = await dispatcher.drain()
    assert report.missed == 1 and report.sent == 0
    assert arrivals(channel.received[before:], ["g:old"]) == {}
    assert await statuses(database, "g:") == {"g:old": "missed"}


@pytest.fixture
async def own_dispatch_bot(make_settings: Callable[..., Settings]) -> AsyncIterator[RunningBot]:
    """The app without its background dispatcher, for tests that run dispatchers of their own:
    otherwise the app's dispatcher may claim the rows first, whenever its pass comes round."""
    bot = await start_bot(make_settings(dispatcher=False))
    yield bot
    await bot.stop()


class TeamsLimits:
    """A gate for the test channel that answers 429 beyond Teams' sliding-window limits."""

    def __init__(self, windows: tuple[tuple[int, float], ...], global_per_second: float) -> None:
        self.windows = windows
        self.global_per_second = global_per_second
        self.seen: dict[str, deque[float]] = {}
        self.all: deque[float] = deque()
        self.refused = 0

    def __call__(self, conversation_id: str) -> Failure | None:
        now = monotonic()
        times = self.seen.setdefault(conversation_id, deque())
        for count, seconds in self.windows:
            recent = [t for t in times if t > now - seconds]
            if len(recent) >= count:
                self.refused += 1
                return Failure(429, retry_after=seconds / count)
        if len([t for t in self.all if t > now - 1.0]) >= self.global_per_second:
            self.refused += 1
            return Failure(429, retry_after=1 / self.global_per_second)
        times.append(now)
        self.all.append(now)
        return None


# Teams' windows, four times faster, so the test takes a second or two.
FAST_WINDOWS = ((7, 0.25), (8, 0.5), (60, 7.5))


async def test_fan_out_stays_within_teams_limits(
    own_dispatch_bot: RunningBot, channel: TestChannel
) -> None:
    database = own_dispatch_bot.app[DATABASE]
    users = range(10, 14)
    for n in users:
        await talk(own_dispatch_bot, channel, n)
    before = len(channel.received)
    keys = [f"f:{n}:{i}" for n in users for i in range(6)]
    for key in keys:
        await plan(database, key, principal=aad(int(key.split(":")[1])))
    gate = TeamsLimits(FAST_WINDOWS, global_per_second=40)
    channel.gate = gate
    dispatcher = Dispatcher(
        database,
        own_dispatch_bot.app[PROACTIVE],
        tz=TZ,
        limits=DispatchLimits(global_per_second=40, conversation_windows=FAST_WINDOWS),
    )

    report = await dispatcher.drain(settle=2)

    assert arrivals(channel.received[before:], keys) == dict.fromkeys(keys, 1)
    assert report.sent == len(keys)
    assert report.throttled == gate.refused  # every refusal was waited out, none lost


async def test_a_dispatcher_killed_mid_batch_loses_and_repeats_nothing(
    own_dispatch_bot: RunningBot, channel: TestChannel
) -> None:
    database = own_dispatch_bot.app[DATABASE]
    users = range(20, 24)
    for n in users:
        await talk(own_dispatch_bot, channel, n)
    before = len(channel.received)
    keys = [f"k:{n}:{i}" for n in users for i in range(5)]
    for key in keys:
        await plan(database, key, principal=aad(int(key.split(":")[1])))

    limits = DispatchLimits(
        concurrency=1, lease=timedelta(seconds=1), conversation_windows=FAST_WINDOWS
    )
    # The first dispatcher's wall clock stands still: on a busy machine its one-second leases
    # would otherwise run short mid-pass and hand rows back, so the kill left none claimed.
    start = utcnow()
    first = Dispatcher(
        database, own_dispatch_bot.app[PROACTIVE], tz=TZ, limits=limits, now=lambda: start
    )
    task = asyncio.create_task(first.drain(settle=5))
    calls = 0

    def kill_on_the_ninth_send(conversation_id: str) -> Failure | None:
        nonlocal calls
        calls += 1
        if calls >= 9:
            task.cancel()  # the process dies while this send is in flight
            return Failure(503)
        return None

    channel.gate = kill_on_the_ninth_send
    with pytest.raises(asyncio.CancelledError):
        await task
    channel.gate = None
    assert len(channel.received) - before == 8
    left = Counter((await statuses(database, "k:")).values())
    assert left["sent"] == 8 and left["claimed"] > 0, "the kill left claimed rows behind"

    # The second dispatcher's wall clock stands past the dead one's lease: no waiting for it.
    after_lease = limits.lease + timedelta(seconds=1)
    second = Dispatcher(
        database,
        own_dispatch_bot.app[PROACTIVE],
        tz=TZ,
        limits=limits,
        now=lambda: utcnow() + after_lease,
    )
    await second.drain(settle=3)

    assert arrivals(channel.received[before:], keys) == dict.fromkeys(keys, 1)
    assert set((await statuses(database, "k:")).values()) == {"sent"}


async def test_two_dispatchers_share_the_work_exactly_once(
    own_dispatch_bot: RunningBot, channel: TestChannel, database_url: str
) -> None:
    database = own_dispatch_bot.app[DATABASE]
    users = range(30, 40)
    for n in users:
        await talk(own_dispatch_bot, channel, n)
    before = len(channel.received)
    keys = [f"two:{n}:{i}" for n in users for i in range(4)]
    for key in keys:
        await plan(database, key, principal=aad(int(key.split(":")[1])))

    other = Database.connect(database_url)  # a second engine, as a second process has
    limits = DispatchLimits(batch_size=8, conversation_windows=FAST_WINDOWS)
    try:
        a = Dispatcher(database, own_dispatch_bot.app[PROACTIVE], tz=TZ, limits=limits)
        b = Dispatcher(other, own_dispatch_bot.app[PROACTIVE], tz=TZ, limits=limits)
        reports = await asyncio.gather(a.drain(settle=1), b.drain(settle=1))
    finally:
        await other.dispose()

    assert arrivals(channel.received[before:], keys) == dict.fromkeys(keys, 1)
    assert sum(r.sent for r in reports) == len(keys)
    assert all(r.lost_claims == 0 for r in reports)
