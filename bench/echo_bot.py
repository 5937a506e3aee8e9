"""The framework's own bare echo bot (BotBuilder-Samples 02.echo-bot shape), the baseline.

Run as `python -m bench.echo_bot PORT`: CloudAdapter + `adapter.process(...)` on aiohttp, with
nothing of govbot's, so the comparison is govbot against botbuilder 4.17 as it ships.
"""

from __future__ import annotations

import sys
from types import SimpleNamespace

from aiohttp import web
from aiohttp.web import Request, Response
from botbuilder.core import ActivityHandler, MessageFactory, TurnContext
from botbuilder.core.integration import aiohttp_error_middleware
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

CONFIG = SimpleNamespace(APP_ID="", APP_PASSWORD="", APP_TYPE="MultiTenant", APP_TENANTID="")


class EchoBot(ActivityHandler):
    """Echoes every message."""

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        await turn_context.send_activity(MessageFactory.text(f"Echo: {turn_context.activity.text}"))


ADAPTER = CloudAdapter(ConfigurationBotFrameworkAuthentication(CONFIG))
BOT = EchoBot()


async def on_error(context: TurnContext, error: Exception) -> None:
    """Like the sample: report the error to stderr and the user."""
    print(f"[on_turn_error] unhandled error: {error}", file=sys.stderr)
    await context.send_activity("The bot encountered an error or bug.")


ADAPTER.on_turn_error = on_error


async def messages(req: Request) -> Response:
    """The sample's endpoint: hand the request to the adapter."""
    return await ADAPTER.process(req, BOT)


async def healthz(_req: Request) -> Response:
    """Readiness for the bench."""
    return web.json_response({"status": "ok"})


def main() -> None:
    """Serve on 127.0.0.1:PORT."""
    app = web.Application(middlewares=[aiohttp_error_middleware])
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)


if __name__ == "__main__":
    main()
