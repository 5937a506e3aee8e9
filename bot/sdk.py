"""The Bot Framework SDK, typed: with bot/sdk_schema.py and bot/sdk_dialogs.py, the only place
importing botbuilder.

botbuilder and botframework-connector 4.17 ship no type information, so for mypy every name
govbot uses from them is declared here (under TYPE_CHECKING: signatures, no code) and at run
time each name is the SDK's own object. Everything else imports these names from here, so the
SDK's untyped surface stays in this one place; mypy refuses a direct `botbuilder` import
elsewhere (import-untyped).

This module holds the connector (authentication and the Bot Connector's client) and the core
(the turn, adapters, the activity handler, state); the schema (botbuilder.schema: activities
and what they carry) is declared in bot/sdk_schema.py and the dialog system (botbuilder.dialogs)
in bot/sdk_dialogs.py, and both are re-exported here. The declarations cover what govbot uses,
not the whole SDK: to use another name or member, declare it first. tests/platform/test_sdk.py
checks every declared class, member and parameter against the installed SDK, so a declaration
cannot drift from what runs.

msrest (the connector's serializer) ships its own types and is imported where it is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot import sdk_dialogs, sdk_schema
from bot.sdk_dialogs import *  # noqa: F403 (re-exported: each name is listed there)
from bot.sdk_schema import *  # noqa: F403 (re-exported: each name is listed there)

if TYPE_CHECKING:
    import builtins
    from collections.abc import Awaitable, Callable
    from typing import Any, ClassVar, Self

    from bot.sdk_schema import (
        Activity,
        Attachment,
        CardAction,
        ChannelAccount,
        ConversationReference,
        InvokeResponse,
        ResourceResponse,
        TeamsChannelAccount,
    )

    # --- botframework.connector ---------------------------------------------------------

    class BotFrameworkConnectorConfiguration:
        """A connector client's settings: the serviceUrl it calls and the credentials that
        sign its calls (botframework's AppCredentials)."""

        base_url: str
        credentials: Any

    class ConnectorClient:
        """The Bot Connector's REST client (msrest); `_serialize` is shared by its groups."""

        config: BotFrameworkConnectorConfiguration
        _serialize: Any
        conversations: Any
        attachments: Any

    class BotFrameworkClient:
        """Sends activities to skills (govbot has none)."""

    class ClaimsIdentity:
        claims: dict[str, Any]
        is_authenticated: bool
        authentication_type: str | None

        def __init__(
            self,
            claims: dict[str, Any],
            is_authenticated: bool,
            authentication_type: str | None = None,
        ) -> None: ...

    class ConnectorFactory:
        async def create(self, service_url: str, audience: str | None) -> ConnectorClient: ...

    class UserTokenClient:
        """OAuth tokens for users (govbot configures no OAuth connection)."""

    class AuthenticateRequestResult:
        audience: str | None
        claims_identity: ClaimsIdentity | None
        caller_id: str | None
        # None only before authentication; every authenticate_* call sets it.
        connector_factory: ConnectorFactory

    class AuthenticationConstants:
        TO_CHANNEL_FROM_BOT_LOGIN_URL: ClassVar[str]
        TO_CHANNEL_FROM_BOT_OAUTH_SCOPE: ClassVar[str]
        TO_BOT_FROM_CHANNEL_TOKEN_ISSUER: ClassVar[str]
        TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL: ClassVar[str]
        TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL: ClassVar[str]
        OAUTH_URL: ClassVar[str]
        AUDIENCE_CLAIM: ClassVar[str]
        APP_ID_CLAIM: ClassVar[str]
        SERVICE_URL_CLAIM: ClassVar[str]

    class BotFrameworkAuthentication:
        async def authenticate_request(
            self, activity: Activity, auth_header: str
        ) -> AuthenticateRequestResult: ...
        async def authenticate_streaming_request(
            self, auth_header: str, channel_id_header: str
        ) -> AuthenticateRequestResult: ...
        def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory: ...
        async def create_user_token_client(
            self, claims_identity: ClaimsIdentity
        ) -> UserTokenClient | None: ...
        def create_bot_framework_client(self) -> BotFrameworkClient: ...
        def get_originating_audience(self) -> str: ...
        async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity: ...

    class ConfigurationBotFrameworkAuthentication(BotFrameworkAuthentication):
        def __init__(self, configuration: Any) -> None: ...

    # --- botbuilder.core ----------------------------------------------------------------

    Logic = Callable[["TurnContext"], Awaitable[Any]]
    TurnErrorHandler = Callable[["TurnContext", Exception], Awaitable[Any]]

    class TurnContext:
        adapter: BotAdapter
        activity: Activity
        # Replies collected for a turn whose delivery mode is "expectReplies".
        buffered_reply_activities: builtins.list[Activity]

        def __init__(
            self, adapter_or_context: BotAdapter | TurnContext, request: Activity | None = None
        ) -> None: ...
        @property
        def turn_state(self) -> dict[str, Any]: ...
        @property
        def responded(self) -> bool: ...
        async def send_activity(
            self,
            activity_or_text: Activity | str,
            speak: str | None = None,
            input_hint: str | None = None,
        ) -> ResourceResponse | None: ...
        async def send_activities(
            self, activities: builtins.list[Activity]
        ) -> builtins.list[ResourceResponse]: ...
        @staticmethod
        def get_conversation_reference(activity: Activity) -> ConversationReference: ...
        @staticmethod
        def remove_recipient_mention(activity: Activity) -> str: ...

    class Middleware:
        async def on_turn(
            self, context: TurnContext, logic: Callable[[], Awaitable[None]]
        ) -> None: ...

    class BotAdapter:
        # Where a turn's state keeps the connector client for the turn's serviceUrl.
        BOT_CONNECTOR_CLIENT_KEY: ClassVar[str]
        on_turn_error: TurnErrorHandler | None

        def __init__(self, on_turn_error: TurnErrorHandler | None = None) -> None: ...
        async def send_activities(
            self, context: TurnContext, activities: list[Activity]
        ) -> list[ResourceResponse]: ...
        async def update_activity(
            self, context: TurnContext, activity: Activity
        ) -> ResourceResponse | None: ...
        async def delete_activity(
            self, context: TurnContext, reference: ConversationReference
        ) -> None: ...
        def use(self, middleware: Middleware) -> Self: ...
        async def run_pipeline(
            self, context: TurnContext, callback: Logic | None = None
        ) -> None: ...

    class CloudAdapter(BotAdapter):
        """botbuilder-integration-aiohttp's adapter over CloudAdapterBase."""

        bot_framework_authentication: BotFrameworkAuthentication

        def __init__(
            self, bot_framework_authentication: BotFrameworkAuthentication | None = None
        ) -> None: ...
        async def process_activity(
            self,
            auth_header_or_authenticate_request_result: str | AuthenticateRequestResult,
            activity: Activity,
            logic: Logic,
        ) -> InvokeResponse | None: ...
        async def continue_conversation(
            self,
            reference: ConversationReference,
            callback: Logic,
            bot_app_id: str | None = None,
            claims_identity: ClaimsIdentity | None = None,
            audience: str | None = None,
        ) -> None: ...

    class ActivityHandler:
        async def on_turn(self, turn_context: TurnContext) -> None: ...
        async def on_message_activity(self, turn_context: TurnContext) -> None: ...
        async def on_members_added_activity(
            self, members_added: list[ChannelAccount], turn_context: TurnContext
        ) -> None: ...
        async def on_installation_update_add(self, turn_context: TurnContext) -> None: ...
        async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse | None: ...

    class MessageFactory:
        @staticmethod
        def text(
            text: str, speak: str | None = None, input_hint: str | None = None
        ) -> Activity: ...
        @staticmethod
        def suggested_actions(
            actions: list[CardAction],
            text: str | None = None,
            speak: str | None = None,
            input_hint: str | None = None,
        ) -> Activity: ...
        @staticmethod
        def attachment(
            attachment: Attachment,
            text: str | None = None,
            speak: str | None = None,
            input_hint: str | None = None,
        ) -> Activity: ...

    class CardFactory:
        @staticmethod
        def adaptive_card(card: dict[str, Any]) -> Attachment: ...

    class Storage:
        """Where bot state lives: documents by key, written with optimistic eTags."""

        async def read(self, keys: list[str]) -> dict[str, Any]: ...
        async def write(self, changes: dict[str, Any]) -> None: ...
        async def delete(self, keys: list[str]) -> None: ...

    class StatePropertyAccessor:
        async def get(
            self, turn_context: TurnContext, default_value_or_factory: Any = None
        ) -> Any: ...
        async def set(self, turn_context: TurnContext, value: Any) -> None: ...
        async def delete(self, turn_context: TurnContext) -> None: ...

    class CachedBotState:
        """One state document as a turn read it, with the hash `save_changes` compares."""

        state: dict[str, Any]

        def __init__(self, state: dict[str, Any] | None = None) -> None: ...
        def compute_hash(self, obj: object) -> str: ...

    class BotState:
        # The storage it reads and writes, and where a turn's state keeps its CachedBotState.
        _storage: Storage
        _context_service_key: str

        def create_property(self, name: str) -> StatePropertyAccessor: ...
        def get_cached_state(self, turn_context: TurnContext) -> CachedBotState | None: ...
        def get_storage_key(self, turn_context: TurnContext) -> str: ...
        async def load(self, turn_context: TurnContext, force: bool = False) -> None: ...
        async def save_changes(self, turn_context: TurnContext, force: bool = False) -> None: ...

    class ConversationState(BotState):
        def __init__(self, storage: Storage) -> None: ...

    class UserState(BotState):
        def __init__(self, storage: Storage, namespace: str = "") -> None: ...

    class TeamsInfo:
        @staticmethod
        async def get_member(turn_context: TurnContext, member_id: str) -> TeamsChannelAccount: ...

else:
    from botbuilder.core import (
        ActivityHandler,
        BotAdapter,
        BotState,
        CardFactory,
        ConversationState,
        MessageFactory,
        Middleware,
        StatePropertyAccessor,
        Storage,
        TurnContext,
        UserState,
    )
    from botbuilder.core.bot_state import CachedBotState
    from botbuilder.core.teams import TeamsInfo
    from botbuilder.integration.aiohttp import (
        CloudAdapter,
        ConfigurationBotFrameworkAuthentication,
    )
    from botframework.connector import BotFrameworkConnectorConfiguration
    from botframework.connector.aio import ConnectorClient
    from botframework.connector.auth import (
        AuthenticateRequestResult,
        AuthenticationConstants,
        BotFrameworkAuthentication,
        ClaimsIdentity,
        ConnectorFactory,
        UserTokenClient,
    )
    from botframework.connector.skills import BotFrameworkClient

__all__ = [
    "ActivityHandler",
    "AuthenticateRequestResult",
    "AuthenticationConstants",
    "BotAdapter",
    "BotFrameworkAuthentication",
    "BotFrameworkClient",
    "BotFrameworkConnectorConfiguration",
    "BotState",
    "CachedBotState",
    "CardFactory",
    "ClaimsIdentity",
    "CloudAdapter",
    "ConfigurationBotFrameworkAuthentication",
    "ConnectorClient",
    "ConnectorFactory",
    "ConversationState",
    "MessageFactory",
    "Middleware",
    "StatePropertyAccessor",
    "Storage",
    "TeamsInfo",
    "TurnContext",
    "UserState",
    "UserTokenClient",
]
__all__ += sdk_schema.__all__ + sdk_dialogs.__all__
