"""The bot's own Bot Connector client for a serviceUrl, for calls made outside any turn."""

from __future__ import annotations

from bot.sdk import AuthenticationConstants, ClaimsIdentity, CloudAdapter, ConnectorClient


async def bot_connector(adapter: CloudAdapter, app_id: str, service_url: str) -> ConnectorClient:
    """The (reused) connector client for `service_url`, signed in as the bot `app_id`."""
    claims = ClaimsIdentity(
        {
            AuthenticationConstants.AUDIENCE_CLAIM: app_id,
            AuthenticationConstants.APP_ID_CLAIM: app_id,
            AuthenticationConstants.SERVICE_URL_CLAIM: service_url,
        },
        True,
    )
    factory = adapter.bot_framework_authentication.create_connector_factory(claims)
    return await factory.create(service_url, None)
