"""Sections 3 and 4: reminder fan-out under Teams' limits, and two servers on PostgreSQL.

Deliveries are real outbox rows sent by the real dispatcher (`govbot reminders run`, or the
loop inside `govbot serve`) to the bench channel, which enforces Teams' limits with 429s.
Each carries a number in its text, so duplicates and losses are counted exactly.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import subprocess
import sys
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter

import aiohttp
import psutil
from botbuilder.schema import Activity
from sqlalchemy.engine import make_url

from bench.channel import BenchChannel
from bench.limits import TeamsLimits, minimum_span
from bench.postgres import admin_connection
from bench.report import Row, measured, skipped
from bench.servers import Server, _base_env, start_govbot
from bot.conversations import conversation_info
from storage import outbox
from storage.conversations import remember_conversation
from storage.db import Database
from storage.migrate import upgrade
from storage.models.base import utcnow
from storage.models.directory import Person
from storage.outbox_payloads import UnreachableNotice
from tests.support.activities import message, new_user

POSTGRES_ENV = "GOVBOT_TEST_DATABASE_URL"
MARK = re.compile(r"bench-(\d+)\b")
BUSY_SHARE = 20  # one channel gets 1/20 of the deliveries (and meets its per-thread limits)
PER_PERSON = 4


@dataclass(frozen=True)
class Plan:
    """Who gets how many deliveries."""

    total: int
    per_conversation: Counter[str]


async def plan_deliveries(
    database: Database, service_url: str, total: int, *, stored: bool = True
) -> Plan:
    """Store the conversations and enqueue `total` due deliveries: every BUSY_SHARE-th to one
    busy channel, the rest to people's 1:1 chats (PER_PERSON each), in that mixed order.

    With `stored=False` the people are directory entries with an Entra id whom govbot never
    talked to: the dispatcher opens each 1:1 chat first (one creation per person, counted in
    the plan as a call against the global limit)."""
    counts: Counter[str] = Counter()
    channel_activity = message(
        "hej",
        service_url=service_url,
        conversation="19:bench-channel@thread.tacv2",
        conversation_type="channel",
        **new_user(900_000),
    )
    busy = sum(1 for n in range(total) if n % BUSY_SHARE == 0)
    async with database.transaction() as session:
        info = conversation_info(Activity().deserialize(channel_activity))
        assert info is not None
        await remember_conversation(session=session, info=info)
        people = (total - busy + PER_PERSON - 1) // PER_PERSON
        for person in range(people):
            user = new_user(800_000 + person)
            if not stored:
                session.add(
                    Person(
                        email=f"bench{person}@bench.invalid",
                        name=user["user_name"],
                        aad_object_id=user["aad_object_id"],
                    )
                )
                counts[f"create:{user['aad_object_id']}"] += 1
                continue
            activity = message("hej", service_url=service_url, **user)
            person_info = conversation_info(Activity().deserialize(activity))
            assert person_info is not None
            await remember_conversation(session=session, info=person_info)
        now = utcnow()
        for n in range(total):
            payload = UnreachableNotice(lang="da", who=f"bench-{n}", about="bench")
            if n % BUSY_SHARE == 0:
                target = {"conversation_id": info.conversation_id, "kind": "channel"}
                counts[info.conversation_id] += 1
            else:
                user = new_user(800_000 + (n - n // BUSY_SHARE - 1) % people)
                target = {"principal": user["aad_object_id"], "kind": "personal"}
                chat = user["user"] if stored else user["aad_object_id"]
                counts[f"a:1personal-{chat.removeprefix('29:')}"] += 1
            await outbox.enqueue(
                session=session,
                key=f"bench:{n}",
                due_at=now,
                payload=payload,
                source="bench",
                **target,
            )
    return Plan(total, counts)


def _delivered(channel: BenchChannel) -> Counter[int]:
    seen: Counter[int] = Counter()
    for _conversation, text in channel.texts:
        found = MARK.search(text)
        if found:
            seen[int(found.group(1))] += 1
    return seen


async def _wait_for(channel: BenchChannel, total: int, seconds: float) -> None:
    deadline = perf_counter() + seconds
    while len(_delivered(channel)) < total and perf_counter() < deadline:
        channel.arrived.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(channel.arrived.wait(), max(0.0, deadline - perf_counter()))
    await asyncio.sleep(2.0)  # anything sent twice would arrive now


def _outcome_rows(section: str, channel: BenchChannel, plan: Plan) -> list[Row]:
    seen = _delivered(channel)
    duplicates = sum(count - 1 for count in seen.values())
    lost = plan.total - len(seen)
    span = channel.arrivals[-1] - channel.arrivals[0] if len(channel.arrivals) > 1 else 0.0
    minimum = minimum_span(plan.per_conversation)
    rows = [
        measured(section, f"deliveries ({plan.total:,}) delivered", len(seen), digits=0),
        measured(section, "duplicates", duplicates, digits=0, target="0", ok=duplicates == 0),
        measured(section, "lost", lost, digits=0, target="0", ok=lost == 0),
        measured(section, "429s answered by the channel", channel.throttled, digits=0),
        measured(section, "1:1 chats opened", channel.created, digits=0),
        measured(section, "first to last delivery", span, " s", digits=1),
        measured(section, "theoretical minimum (Teams' limits)", minimum, " s", digits=1),
    ]
    if minimum and lost == 0:
        ratio = span / minimum
        rows.append(
            measured(
                section,
                "time / theoretical minimum ratio",
                ratio,
                digits=2,
                target="<= 1.15",
                ok=ratio <= 1.15,
            )
        )
    return rows


async def measure(workdir: Path, deliveries: int, *, stored: bool = True) -> list[Row]:
    """`govbot reminders run` fans out `deliveries` to a channel enforcing Teams' limits
    (`stored=False`: to people whose 1:1 chats it must open first)."""
    section = "fan-out" if stored else "fan-out, new chats"
    url = f"sqlite+aiosqlite:///{workdir / ('fanout.db' if stored else 'fanout-new.db')}"
    upgrade(url)
    channel = await BenchChannel(limits=TeamsLimits()).start()
    try:
        database = Database.connect(url)
        try:
            plan = await plan_deliveries(database, channel.url, deliveries, stored=stored)
        finally:
            await database.dispose()
        timeout = minimum_span(plan.per_conversation) * 3 + 60
        env = _base_env(GOVBOT_DATABASE_URL=url, MicrosoftAppId="")
        log = (workdir / "reminders.log").open("wb")
        began = perf_counter()
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "reminders",
            "run",
            cwd=workdir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            await asyncio.wait_for(process.wait(), timeout)
        except TimeoutError:
            process.kill()
            await process.wait()
        elapsed = perf_counter() - began
        log.close()
        await asyncio.sleep(0.5)
    finally:
        await channel.stop()
    rows = _outcome_rows(section, channel, plan)
    rows.append(measured(section, "`govbot reminders run` wall time", elapsed, " s", digits=1))
    return rows


# --- scale-out ------------------------------------------------------------------------------


async def _sees_the_others_writes(channel: BenchChannel, a: Server, b: Server) -> bool:
    """A conversation's first turn on one server welcomes; its next turn, on the other, must
    not (the welcome flag is conversation state the first server wrote)."""
    async with aiohttp.ClientSession() as client:
        for first, second, n in ((a, b, 700_001), (b, a, 700_002)):
            counts = []
            for server in (first, second, first):
                activity = message(
                    "hvad laver en systemejer", service_url=channel.url, **new_user(n)
                )
                activity["id"] = f"f:{uuid.uuid4().hex}"
                conversation = activity["conversation"]["id"]
                before = channel.received[conversation]
                async with client.post(f"{server.url}/api/messages", json=activity) as response:
                    await response.read()
                counts.append(channel.received[conversation] - before)
            # first turn: welcome + answer; on the other server and back: the answer alone
            if not (counts[0] == counts[1] + 1 == counts[2] + 1):
                return False
    return True


def _sent_by(channel: BenchChannel, server: Server) -> int:
    """Deliveries that came over the server's (kept-alive) connections to the channel."""
    ports = {
        c.laddr.port
        for c in psutil.Process(server.process.pid).net_connections(kind="tcp")
        if c.raddr and c.raddr.port == channel.port
    }
    return sum(channel.senders[port] for port in ports)


async def measure_scale_out(workdir: Path, deliveries: int) -> list[Row]:
    """Two `govbot serve` on one PostgreSQL database dispatch the same outbox."""
    section = "scale-out"
    admin_url = os.environ.get(POSTGRES_ENV)
    if not admin_url:
        return [skipped(section, "two servers on PostgreSQL", f"{POSTGRES_ENV} is not set")]
    name = f"govbot_bench_{os.getpid()}"
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    with admin_connection(admin_url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    servers: list[Server] = []
    channel = await BenchChannel(limits=TeamsLimits()).start()
    try:
        upgrade(url)
        database = Database.connect(url)
        try:
            plan = await plan_deliveries(database, channel.url, deliveries)
            for n in (1, 2):
                servers.append(start_govbot(workdir, url, name=f"govbot-pg-{n}"))
            await _wait_for(channel, plan.total, minimum_span(plan.per_conversation) * 3 + 60)
            by_server = [_sent_by(channel, server) for server in servers]
            shared = await _sees_the_others_writes(channel, *servers)
        finally:
            await database.dispose()
    finally:
        for server in servers:
            server.stop()
        await channel.stop()
        with admin_connection(admin_url) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    rows = _outcome_rows(section, channel, plan)
    rows.append(
        Row(
            section,
            "sent by each server",
            " / ".join(str(n) for n in by_server),
            "both share the work",
            all(by_server),
        )
    )
    rows.append(
        Row(
            section, "each server sees the other's writes", "yes" if shared else "NO", "yes", shared
        )
    )
    return rows
