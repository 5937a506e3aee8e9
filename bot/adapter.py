"""The Bot Framework adapter: authentication, reused connector clients, and the error handler."""

from __future__ import annotations

import logging
from collections import OrderedDict
from types import SimpleNamespace
from typing import Any

import requests
from msrest.exceptions import SerializationError
from msrest.serialization import Model, Serializer

from bot.channel_client import ChannelClient
from bot.sdk import (
    Activity,
    ActivityTypes,
    AuthenticateRequestResult,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    BotFrameworkClient,
    CallerIdConstants,
    ClaimsIdentity,
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
    ConnectorClient,
    ConnectorFactory,
    ResourceResponse,
    TurnContext,
    UserTokenClient,
)
from bot.settings import Settings

log = logging.getLogger(__name__)

# Where the handler collects a turn's replies until its transaction commits.
HELD_REPLIES_KEY = "govbot.held_replies"

MAX_CACHED_CONNECTORS = 256
# Activity types botbuilder's send path keeps in the turn instead of posting them.
SDK_HANDLED = frozenset({ActivityTypes.invoke_response, ActivityTypes.trace, "delay"})


_JSON_SCALARS = frozenset({str, int, float, bool, type(None)})


def _plain_json(value: Any) -> bool:
    """True when `value` is made only of JSON's own types (as `json.loads` returns them)."""
    kind = type(value)
    if kind is dict:
        return all(type(key) is str and _plain_json(item) for key, item in value.items())
    if kind is list:
        return all(_plain_json(item) for item in value)
    return kind in _JSON_SCALARS


class ReplySerializer(Serializer):
    """msrest's serializer, minus work that cannot change a Bot Framework request body.

    An Adaptive Card is an untyped `object` that msrest copies node by node; a value made only
    of JSON types comes out equal to what went in, so it is passed through as it is (anything
    else still takes msrest's way). No Bot Framework model declares a validation constraint, so
    client-side validation only walks the activity; the Bot Connector validates what it gets.
    A model's unset fields are skipped before any work: msrest transforms each one's key and
    then drops it on a raised ValueError (an Activity has some 40 fields, a reply sets a few).
    """

    def __init__(self, models: dict[str, type]) -> None:
        super().__init__(models)
        self.client_side_validation = False

    def serialize_object(self, attr: Any, **kwargs: Any) -> Any:
        if _plain_json(attr):
            return attr
        return super().serialize_object(attr, **kwargs)

    def _serialize(self, target_obj: Any, data_type: str | None = None, **kwargs: Any) -> Any:
        """A JSON model's set fields as msrest's own loop writes them; all else as msrest."""
        if data_type or not isinstance(target_obj, Model):
            return super()._serialize(target_obj, data_type, **kwargs)
        if kwargs.setdefault("is_xml", target_obj.is_xml_model()):
            return super()._serialize(target_obj, data_type, **kwargs)
        key_transformer = kwargs.get("key_transformer", self.key_transformer)
        keep_readonly = kwargs.get("keep_readonly", False)
        serialized: dict[str, Any] = {}
        attr = None
        try:
            for attr, attr_desc in target_obj._attribute_map.items():
                value = getattr(target_obj, attr)
                if value is None:  # msrest: serialize_data raises ValueError, the field is left
                    continue
                if not keep_readonly and target_obj._validation.get(attr, {}).get("readonly"):
                    continue
                if attr == "additional_properties" and attr_desc["key"] == "":
                    serialized.update(value)
                    continue
                keys, value = key_transformer(attr, attr_desc.copy(), value)
                keys = keys if isinstance(keys, list) else [keys]
                kwargs["serialization_ctxt"] = attr_desc
                try:
                    new_attr = self.serialize_data(value, attr_desc["type"], **kwargs)
                except ValueError as error:
                    if isinstance(error, SerializationError):
                        raise
                    continue
                _merge(serialized, keys, new_attr)
        except (AttributeError, KeyError, TypeError) as error:
            message = f"Attribute {attr} in {type(target_obj).__name__} cannot be serialized."
            raise SerializationError(message) from error
        return serialized


def _merge(serialized: dict[str, Any], keys: list[str], value: Any) -> None:
    """Put `value` at the path `keys` (a flattened msrest key such as `properties.name`)."""
    for key in reversed(keys):
        value = {key: value}
    for key in keys:
        if key not in serialized:
            serialized.update(value)
        value = value[key]
        serialized = serialized[key]


def _with_reply_serializer(client: ConnectorClient) -> ConnectorClient:
    """Give the client's operation groups the lighter serializer (they share one instance)."""
    serializer = ReplySerializer(client._serialize.dependencies)
    client._serialize = serializer
    for group in (client.conversations, client.attachments):
        group._serialize = serializer
    return client


class ReusingConnectorFactory(ConnectorFactory):
    """Hands out one ConnectorClient per (serviceUrl, audience) instead of one per turn.

    botbuilder 4.17 builds a fresh msrest client for every turn, which costs most of a bare
    bot's CPU; the client holds only credentials (which refresh their own tokens) and a URL.
    """

    def __init__(
        self, inner: ConnectorFactory, cache: OrderedDict[tuple[str, str], ConnectorClient]
    ):
        self._inner = inner
        self._cache = cache

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        key = (service_url, audience or "")
        client = self._cache.get(key)
        if client is not None:
            self._cache.move_to_end(key)
            return client
        client = _with_reply_serializer(await self._inner.create(service_url, audience))
        self._cache[key] = client
        if len(self._cache) > MAX_CACHED_CONNECTORS:
            _, evicted = self._cache.popitem(last=False)
            await _close(evicted)
        return client


class SigningKeysUnavailableError(Exception):
    """Bot Framework's signing keys could not be fetched, so no token can be checked now."""


class GovbotAuthentication(BotFrameworkAuthentication):
    """Bot Framework authentication from settings, with connector reuse and no OAuth client."""

    def __init__(self, settings: Settings) -> None:
        configuration = SimpleNamespace(
            APP_ID=settings.app_id,
            APP_PASSWORD=settings.app_password.get_secret_value(),
            APP_TYPE=settings.app_type,
            APP_TENANTID=settings.app_tenant_id,
        )
        if settings.openid_metadata_url:
            # The SDK only takes a metadata URL together with the rest of a cloud's constants;
            # these are the public cloud's, so only where the signing keys come from changes.
            vars(configuration).update(
                TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=settings.openid_metadata_url,
                TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL=(
                    AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL
                ),
                TO_BOT_FROM_CHANNEL_TOKEN_ISSUER=(
                    AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER
                ),
                TO_CHANNEL_FROM_BOT_OAUTH_SCOPE=AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE,
                TO_CHANNEL_FROM_BOT_LOGIN_URL=AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL,
                OAUTH_URL=AuthenticationConstants.OAUTH_URL,
                CALLER_ID=CallerIdConstants.public_azure_channel,
            )
        self._inner = ConfigurationBotFrameworkAuthentication(configuration)
        self._connectors: OrderedDict[tuple[str, str], ConnectorClient] = OrderedDict()

    async def authenticate_request(
        self, activity: Activity, auth_header: str
    ) -> AuthenticateRequestResult:
        """Validate the request's token; any token the SDK cannot accept is a PermissionError.

        The SDK lets malformed, unknown-key and badly signed tokens escape as assorted
        exceptions; they are the caller's fault, so they become 401s, never 4xx/5xx guesses.
        Only a failure to fetch the signing keys is ours (SigningKeysUnavailableError).
        """
        try:
            result = await self._inner.authenticate_request(activity, auth_header)
        except PermissionError:
            raise
        except requests.RequestException as error:
            raise SigningKeysUnavailableError(type(error).__name__) from error
        except Exception as error:  # PyJWT, Key, Attribute errors, the SDK's bare Exception
            raise PermissionError(f"token refused: {type(error).__name__}") from error
        result.connector_factory = ReusingConnectorFactory(
            result.connector_factory, self._connectors
        )
        return result

    async def authenticate_streaming_request(
        self, auth_header: str, channel_id_header: str
    ) -> AuthenticateRequestResult:
        return await self._inner.authenticate_streaming_request(auth_header, channel_id_header)

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return ReusingConnectorFactory(
            self._inner.create_connector_factory(claims_identity), self._connectors
        )

    async def create_user_token_client(
        self, claims_identity: ClaimsIdentity
    ) -> UserTokenClient | None:
        # govbot configures no OAuth connection, so no turn needs a token client.
        return None

    def create_bot_framework_client(self) -> BotFrameworkClient:
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return self._inner.get_originating_audience()

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self._inner.authenticate_channel_request(auth_header)

    async def close(self) -> None:
        """Close the pooled HTTP sessions of every cached connector."""
        while self._connectors:
            _, client = self._connectors.popitem()
            await _close(client)


async def _close(client: ConnectorClient) -> None:
    try:
        # botframework-connector 4.17's ConnectorClient has no close(): this raises
        # AttributeError, which is logged below, and the client's session stays open.
        await client.close()  # type: ignore[attr-defined]
    except Exception:  # closing is best effort at shutdown
        log.debug("connector close failed", exc_info=True)


def hold_replies(context: TurnContext, activities: list[Activity]) -> list[ResourceResponse] | None:
    """Keep replies back while the handler's turn transaction is open (None = send now)."""
    held: list[Activity] | None = context.turn_state.get(HELD_REPLIES_KEY)
    if held is None or any(a.type == ActivityTypes.invoke_response for a in activities):
        return None
    held.extend(activities)
    return [ResourceResponse(id="") for _ in activities]


class RepliesAfterCommit:
    """For an adapter: a turn's replies are held until its writes commit, then delivered."""

    async def send_activities(
        self, context: TurnContext, activities: list[Activity]
    ) -> list[ResourceResponse]:
        held = hold_replies(context, activities)
        if held is not None:
            return held
        return await self.deliver(context, activities)

    async def deliver(
        self, context: TurnContext, activities: list[Activity]
    ) -> list[ResourceResponse]:
        """Send replies that are not (or no longer) held."""
        raise NotImplementedError


class GovbotAdapter(RepliesAfterCommit, CloudAdapter):
    """A CloudAdapter that holds a turn's replies until the turn's writes are committed, and
    sends messages through govbot's pooled channel client instead of msrest."""

    def __init__(self, authentication: GovbotAuthentication) -> None:
        super().__init__(authentication)
        self.authentication = authentication
        self.channel = ChannelClient()

    async def close(self) -> None:
        """Close the channel client's session and the cached connectors."""
        await self.channel.close()
        await self.authentication.close()

    async def deliver(
        self, context: TurnContext, activities: list[Activity]
    ) -> list[ResourceResponse]:
        for activity in activities:
            # govbot's texts are written in markdown (bold, lists); say so rather than rely on
            # each client's default.
            message = activity.type == ActivityTypes.message
            if message and activity.text and not activity.text_format:
                activity.text_format = "markdown"
        connector: ConnectorClient | None = context.turn_state.get(self.BOT_CONNECTOR_CLIENT_KEY)
        responses: list[ResourceResponse] = []
        for activity in activities:
            if connector is None or activity.type in SDK_HANDLED:
                # Invoke responses, traces and delays never reach the channel: the SDK's way.
                responses += await CloudAdapter.send_activities(self, context, [activity])
                continue
            activity.id = None  # as the SDK does: the channel gives the id
            sent = await self.channel.send(connector, activity)
            responses.append(sent if sent.id else ResourceResponse(id=""))
        return responses


def create_adapter(settings: Settings) -> GovbotAdapter:
    """The adapter govbot uses; close `adapter.authentication` on shutdown."""
    return GovbotAdapter(GovbotAuthentication(settings))
