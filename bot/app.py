"""The aiohttp app factory: engine → storage → state → services → dialogs → bot → adapter."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import sys
from collections.abc import AsyncIterator
from functools import partial
from typing import Any

from aiohttp import web
from msrest.serialization import Deserializer

from bot.adapter import GovbotAdapter, SigningKeysUnavailableError, create_adapter
from bot.assembly import build_bot
from bot.dispatcher import Dispatcher, dispatcher_for
from bot.errors import turn_error_handler
from bot.graph import graph_for
from bot.handler import GovBot
from bot.kitos.schedule import KitosSchedule
from bot.kitos.setup import KitosConfig, kitos_config, sync_once
from bot.kitos.sync import SyncReport
from bot.logs import fields
from bot.middleware import RateLimit, TenantGate
from bot.proactive import ProactiveSender
from bot.readiness import WarmUp
from bot.retention import retention_running
from bot.rosters import RosterSync
from bot.sdk import Activity
from bot.settings import Settings
from knowledge.packs import load_pack
from knowledge.schema import Pack
from storage.access import seed_roles
from storage.db import Database

log = logging.getLogger(__name__)

SETTINGS = web.AppKey("settings", Settings)
DATABASE = web.AppKey("database", Database)
ADAPTER = web.AppKey("adapter", GovbotAdapter)
BOT = web.AppKey("bot", GovBot)
PROACTIVE = web.AppKey("proactive", ProactiveSender)
DISPATCHER = web.AppKey("dispatcher", Dispatcher)
ROSTERS = web.AppKey("rosters", RosterSync)
WARM_UP = web.AppKey("warm_up", WarmUp)

HEALTH_TIMEOUT_SECONDS = 3.0
_dumps = partial(json.dumps, ensure_ascii=False, default=str)

# `Activity().deserialize(body)` builds a new msrest Deserializer per call, after scanning
# Activity's package (botbuilder.schema) for the model classes it may meet, as this does. One
# serves every request: a Deserializer keeps no state between calls (`__call__` only reads
# what `__init__` set).
_ACTIVITY_MODELS = vars(sys.modules[Activity.__module__.rsplit(".", 1)[0]])
_ACTIVITY_DESERIALIZER = Deserializer(
    {name: model for name, model in _ACTIVITY_MODELS.items() if isinstance(model, type)}
)


def create_app(settings: Settings, *, database: Database | None = None) -> web.Application:
    """The web app serving `/api/messages` and `/healthz`; the database is migrated beforehand."""
    # A role mapping that does not fit the pack stops start-up (KitosRoleMappingError).
    pack = load_pack(settings.knowledge_pack)
    kitos = kitos_config(settings, pack)
    database = database or Database.connect(settings.database_url)
    database.directory.after_build = leave_snapshot_to_refcounting
    adapter = create_adapter(settings)
    adapter.on_turn_error = turn_error_handler(settings.language)
    adapter.use(TenantGate(settings.allowed_tenants))
    adapter.use(RateLimit(settings.rate_limit_per_minute, language=settings.language))
    proactive = ProactiveSender(adapter, settings.app_id)
    graph = graph_for(settings)
    dispatcher = dispatcher_for(settings, database, proactive, graph)
    rosters = RosterSync(database, adapter, settings.app_id)
    bot = build_bot(
        settings,
        database,
        proactive=proactive,
        outbox_kick=dispatcher.kick,
        roster_changed=rosters.sync_soon,
    )

    app = web.Application(client_max_size=settings.max_request_bytes)
    app[SETTINGS] = settings
    app[DATABASE] = database
    app[ADAPTER] = adapter
    app[BOT] = bot
    app[PROACTIVE] = proactive
    app[DISPATCHER] = dispatcher
    app[ROSTERS] = rosters
    app[WARM_UP] = WarmUp(cache_dir=settings.model_cache)
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    app.on_startup.append(_seed_access)
    app.cleanup_ctx.append(_close_resources)
    app.cleanup_ctx.append(_keep_directory)
    app.cleanup_ctx.append(partial(_warm_up, pack))
    if settings.dispatcher:
        app.cleanup_ctx.append(_run_dispatcher)
    app.cleanup_ctx.append(_retention)
    if kitos is not None and settings.kitos_schedule:
        app.cleanup_ctx.append(partial(_run_kitos_sync, kitos))
    app.cleanup_ctx.append(_sync_rosters_daily)
    return app


async def _run_kitos_sync(config: KitosConfig, app: web.Application) -> AsyncIterator[None]:
    """The KITOS sync runs beside the web server on its interval, full once a night."""
    database, settings = app[DATABASE], app[SETTINGS]

    async def sync(full: bool) -> SyncReport:
        return await sync_once(config, database, full=full)

    schedule = KitosSchedule(sync, interval_minutes=config.interval_minutes, tz=settings.tz)
    task = asyncio.create_task(schedule.run_forever(), name="kitos-sync")
    yield
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


def leave_snapshot_to_refcounting() -> None:
    """Take the objects alive now (the new directory snapshot among them) out of the cyclic
    garbage collector's scans, for a server that keeps its snapshot for many turns.

    A 10,000-system snapshot is a few hundred thousand objects; every full collection walked
    them all (100-150 ms, a stall of every turn in flight). The snapshot holds no reference
    cycles, so refcounting still frees it when a newer one replaces it. Collecting first keeps
    today's garbage out of the frozen set; it runs once per rebuild (in the rebuild's worker
    thread), which costs far more. A process-wide choice, so the app makes it, not storage.
    """
    gc.collect()
    gc.freeze()


async def _keep_directory(app: web.Application) -> AsyncIterator[None]:
    """The directory index is built beside the web server from start-up on, never in a turn."""
    task = asyncio.create_task(app[DATABASE].directory.keep_current(), name="directory-index")
    yield
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def _warm_up(pack: Pack, app: web.Application) -> AsyncIterator[None]:
    """The knowledge index and the templates are built beside the web server, never in a turn."""
    task = asyncio.create_task(app[WARM_UP].run(pack), name="warm-up")
    yield
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def _retention(app: web.Application) -> AsyncIterator[None]:
    async with retention_running(app[SETTINGS], app[DATABASE]):
        yield


async def _run_dispatcher(app: web.Application) -> AsyncIterator[None]:
    """The outbox dispatcher runs beside the web server: every minute, and when kicked."""
    task = asyncio.create_task(app[DISPATCHER].run_forever(), name="outbox-dispatcher")
    yield
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def _sync_rosters_daily(app: web.Application) -> AsyncIterator[None]:
    """Every team's and group chat's members are read again once a day."""
    task = asyncio.create_task(app[ROSTERS].run_daily(), name="roster-sync")
    yield
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await app[ROSTERS].stop()


async def _seed_access(app: web.Application) -> None:
    """Grant the admins and screeners named in settings; a down database only logs."""
    settings = app[SETTINGS]
    if not settings.admins and not settings.it_screeners:
        return
    try:
        async with app[DATABASE].transaction() as session:
            await seed_roles(
                session=session, admins=settings.admins, screeners=settings.it_screeners
            )
    except Exception as error:
        log.warning("could not seed access roles", extra=fields(error=type(error).__name__))


async def _close_resources(app: web.Application) -> AsyncIterator[None]:
    yield
    await app[ADAPTER].close()
    graph = app[DISPATCHER].chats.graph
    if graph is not None:
        await graph.close()
    await app[DATABASE].dispose()


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def messages(request: web.Request) -> web.Response:
    """Bot Framework's messaging endpoint.

    Calls `process_activity` directly: botbuilder 4.17's `CloudAdapter.process()` answers 500
    whenever a turn has a body (expectReplies, invokes), because it serialises it twice.
    """
    if request.content_type != "application/json":
        return _error(415, "Content-Type must be application/json")
    try:
        body = await request.json()
    except web.HTTPRequestEntityTooLarge:
        return _error(413, "request too large")
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        return _error(400, "body is not valid JSON")
    activity = _parse_activity(body)
    if isinstance(activity, str):
        return _error(400, activity)
    adapter = request.app[ADAPTER]
    try:
        invoke_response = await adapter.process_activity(
            request.headers.get("Authorization", ""), activity, request.app[BOT].on_turn
        )
    except PermissionError:
        return _error(401, "unauthorized")
    except SigningKeysUnavailableError as error:
        log.warning("signing keys unavailable", extra=fields(error=str(error)))
        return _error(503, "cannot verify tokens right now")
    except Exception:
        # Turn errors are handled inside the pipeline; what reaches here came with the request.
        log.exception("activity rejected", extra=fields(activity_id=activity.id or "-"))
        return _error(400, "activity could not be processed")
    if invoke_response is None:
        return web.Response(status=201)
    status = int(invoke_response.status or 200)
    if status >= 500:
        status = 400 if status == 501 else 503
    body = invoke_response.body
    if hasattr(body, "serialize"):
        body = body.serialize()
    return web.json_response(body, status=status, dumps=_dumps)


def _parse_activity(body: Any) -> Activity | str:
    """The activity in a request body, or why it is not one."""
    if not isinstance(body, dict):
        return "body must be a JSON object"
    try:
        activity = _ACTIVITY_DESERIALIZER("Activity", body)
    except Exception:
        return "body is not a Bot Framework activity"
    if not isinstance(activity.type, str) or not activity.type:
        return "activity.type is required"
    if not isinstance(activity.service_url, str) or not activity.service_url.startswith(
        ("http://", "https://")
    ):
        return "activity.serviceUrl must be an http(s) URL"
    if not activity.conversation or not isinstance(activity.conversation.id, str):
        return "activity.conversation.id is required"
    if not isinstance(activity.channel_id, str) or not activity.channel_id:
        return "activity.channelId is required"
    # User state is keyed on the sender, so every activity needs one.
    sender = activity.from_property
    if not sender or not isinstance(sender.id, str) or not sender.id:
        return "activity.from.id is required"
    return activity


async def healthz(request: web.Request) -> web.Response:
    """200 when the server can answer: the database answers a round-trip and start-up has
    built the directory index, the knowledge index and the templates; 503 until then
    (`"status": "starting"`), or when the database cannot be reached.

    Turns that come earlier are still answered (they wait for the directory index), but a
    load balancer or a bench should not count the server ready before it is.
    """
    database = request.app[DATABASE]
    try:
        async with asyncio.timeout(HEALTH_TIMEOUT_SECONDS):
            await database.ping()
    except Exception as error:
        log.warning("health check failed", extra=fields(error=type(error).__name__))
        return web.json_response({"status": "unavailable", "database": "unreachable"}, status=503)
    directory = "ready" if database.directory.ready else "building"
    knowledge = request.app[WARM_UP].state
    if knowledge == "failed":
        status = "unavailable"
    else:
        status = "ok" if directory == knowledge == "ready" else "starting"
    body = {"status": status, "database": "ok", "directory": directory, "knowledge": knowledge}
    return web.json_response(body, status=200 if status == "ok" else 503)
