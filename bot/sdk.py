"""The Bot Framework SDK, typed: the one module of govbot that imports botbuilder.

botbuilder and botframework-connector 4.17 ship no type information, so for mypy every name
govbot uses from them is declared here (under TYPE_CHECKING: signatures, no code) and at run
time each name is the SDK's own object. Everything else imports these names from here, so the
SDK's untyped surface stays in this one place; mypy refuses a direct `botbuilder` import
elsewhere (import-untyped).

The declarations cover what govbot uses, not the whole SDK: to use another name or member,
declare it here first. tests/bot/test_sdk.py checks every declared class, member and parameter
against the installed SDK, so a declaration cannot drift from what runs.

msrest (the connector's serializer) ships its own types and is imported where it is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import builtins
    from collections.abc import Awaitable, Callable, Sequence
    from datetime import datetime
    from enum import Enum
    from typing import Any, ClassVar, Self, dataclass_transform

    from msrest.exceptions import HttpOperationError

    # --- botbuilder.schema: msrest models (every field is optional, constructors take
    # keywords); field types follow each model's `_attribute_map`. -------------------------

    @dataclass_transform(kw_only_default=True)
    class _Model:
        def serialize(self, keep_readonly: bool = False, **kwargs: Any) -> dict[str, Any]: ...
        @classmethod
        def deserialize(cls, data: Any, content_type: str | None = None) -> Self: ...
        def as_dict(self, keep_readonly: bool = True, **kwargs: Any) -> dict[str, Any]: ...

    class ChannelAccount(_Model):
        id: str | None = None
        name: str | None = None
        aad_object_id: str | None = None
        role: str | None = None
        properties: Any = None

    class TeamsChannelAccount(ChannelAccount):
        given_name: str | None = None
        surname: str | None = None
        email: str | None = None
        user_principal_name: str | None = None
        tenant_id: str | None = None
        user_role: str | None = None

    class ConversationAccount(_Model):
        is_group: bool | None = None
        conversation_type: str | None = None
        id: str | None = None
        name: str | None = None
        aad_object_id: str | None = None
        role: str | None = None
        tenant_id: str | None = None
        properties: Any = None

    class ConversationReference(_Model):
        activity_id: str | None = None
        user: ChannelAccount | None = None
        bot: ChannelAccount | None = None
        conversation: ConversationAccount | None = None
        channel_id: str | None = None
        locale: str | None = None
        service_url: str | None = None

    class ResourceResponse(_Model):
        id: str | None = None

    class CardAction(_Model):
        type: str | None = None
        title: str | None = None
        image: str | None = None
        text: str | None = None
        display_text: str | None = None
        value: Any = None
        channel_data: Any = None
        image_alt_text: str | None = None

    class SuggestedActions(_Model):
        to: list[str] | None = None
        actions: list[CardAction] | None = None

    class Attachment(_Model):
        content_type: str | None = None
        content_url: str | None = None
        content: Any = None
        name: str | None = None
        thumbnail_url: str | None = None

    class ConversationParameters(_Model):
        is_group: bool | None = None
        bot: ChannelAccount | None = None
        members: list[ChannelAccount] | None = None
        topic_name: str | None = None
        activity: Activity | None = None
        channel_data: Any = None
        tenant_id: str | None = None

    class ConversationResourceResponse(_Model):
        activity_id: str | None = None
        service_url: str | None = None
        id: str | None = None

    class InvokeResponse(_Model):
        status: int | None = None
        body: Any = None

    class Activity(_Model):
        type: str | None = None
        id: str | None = None
        timestamp: datetime | None = None
        local_timestamp: datetime | None = None
        local_timezone: str | None = None
        service_url: str | None = None
        channel_id: str | None = None
        from_property: ChannelAccount | None = None
        conversation: ConversationAccount | None = None
        recipient: ChannelAccount | None = None
        text_format: str | None = None
        attachment_layout: str | None = None
        members_added: list[ChannelAccount] | None = None
        members_removed: list[ChannelAccount] | None = None
        reactions_added: list[Any] | None = None
        reactions_removed: list[Any] | None = None
        topic_name: str | None = None
        history_disclosed: bool | None = None
        locale: str | None = None
        text: str | None = None
        speak: str | None = None
        input_hint: str | None = None
        summary: str | None = None
        suggested_actions: SuggestedActions | None = None
        attachments: list[Attachment] | None = None
        entities: list[Any] | None = None
        channel_data: Any = None
        action: str | None = None
        reply_to_id: str | None = None
        label: str | None = None
        value_type: str | None = None
        value: Any = None
        name: str | None = None
        relates_to: ConversationReference | None = None
        code: str | None = None
        expiration: datetime | None = None
        importance: str | None = None
        delivery_mode: str | None = None
        listen_for: list[str] | None = None
        text_highlights: list[Any] | None = None
        semantic_action: Any = None
        caller_id: str | None = None

    class ErrorResponseException(HttpOperationError):
        """The Bot Connector refused a request; `response` is the HTTP response."""

    class ActivityTypes(str, Enum):  # noqa: UP042 (as the SDK has it)
        message = "message"
        contact_relation_update = "contactRelationUpdate"
        conversation_update = "conversationUpdate"
        typing = "typing"
        end_of_conversation = "endOfConversation"
        event = "event"
        invoke = "invoke"
        invoke_response = "invokeResponse"
        delete_user_data = "deleteUserData"
        message_update = "messageUpdate"
        message_delete = "messageDelete"
        installation_update = "installationUpdate"
        message_reaction = "messageReaction"
        suggestion = "suggestion"
        trace = "trace"
        handoff = "handoff"
        command = "command"
        command_result = "commandResult"

    class ActionTypes(str, Enum):  # noqa: UP042 (as the SDK has it)
        open_url = "openUrl"
        im_back = "imBack"
        post_back = "postBack"
        play_audio = "playAudio"
        play_video = "playVideo"
        show_image = "showImage"
        download_file = "downloadFile"
        signin = "signin"
        call = "call"
        message_back = "messageBack"

    class CallerIdConstants(str, Enum):  # noqa: UP042 (as the SDK has it)
        public_azure_channel = "urn:botframework:azure"
        us_gov_channel = "urn:botframework:azureusgov"
        bot_to_bot_prefix = "urn:botframework:aadappid:"

    # --- botframework.connector ---------------------------------------------------------

    class ConnectorClient:
        """The Bot Connector's REST client (msrest); `_serialize` is shared by its groups."""

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

    class BotState:
        def create_property(self, name: str) -> StatePropertyAccessor: ...
        async def load(self, turn_context: TurnContext, force: bool = False) -> None: ...
        async def save_changes(self, turn_context: TurnContext, force: bool = False) -> None: ...

    class ConversationState(BotState):
        def __init__(self, storage: Storage) -> None: ...

    class UserState(BotState):
        def __init__(self, storage: Storage, namespace: str = "") -> None: ...

    class TeamsInfo:
        @staticmethod
        async def get_member(turn_context: TurnContext, member_id: str) -> TeamsChannelAccount: ...

    # --- botbuilder.dialogs -------------------------------------------------------------

    class DialogTurnStatus(Enum):
        Empty = 1
        Waiting = 2
        Complete = 3
        Cancelled = 4

    class DialogReason(Enum):
        BeginCalled = 1
        ContinueCalled = 2
        EndCalled = 3
        ReplaceCalled = 4
        CancelCalled = 5
        NextCalled = 6

    class DialogTurnResult:
        def __init__(self, status: DialogTurnStatus, result: object = None) -> None: ...
        @property
        def status(self) -> DialogTurnStatus: ...
        @property
        def result(self) -> Any: ...

    class DialogInstance:
        """One dialog on the stack, with the state it keeps between turns."""

        id: str
        state: dict[str, Any]

    class Dialog:
        def __init__(self, dialog_id: str) -> None: ...
        @property
        def id(self) -> str: ...

    class DialogSet:
        def __init__(self, dialog_state: StatePropertyAccessor | None = None) -> None: ...
        def add(self, dialog: Dialog) -> Self: ...
        async def create_context(self, turn_context: TurnContext) -> DialogContext: ...
        def find_dialog(self, dialog_id: str) -> Dialog | None: ...

    class DialogContext:
        # The dialog context of the component dialog this one runs inside, if any.
        parent: DialogContext | None

        @property
        def context(self) -> TurnContext: ...
        @property
        def stack(self) -> list[DialogInstance]: ...
        @property
        def active_dialog(self) -> DialogInstance | None: ...
        async def begin_dialog(
            self, dialog_id: str, options: object = None
        ) -> DialogTurnResult: ...
        async def prompt(self, dialog_id: str, options: PromptOptions) -> DialogTurnResult: ...
        async def continue_dialog(self) -> DialogTurnResult: ...
        async def end_dialog(self, result: object = None) -> DialogTurnResult: ...
        async def replace_dialog(
            self, dialog_id: str, options: object = None
        ) -> DialogTurnResult: ...
        async def cancel_all_dialogs(
            self,
            cancel_parents: bool | None = None,
            event_name: str | None = None,
            event_value: object = None,
        ) -> DialogTurnResult: ...
        async def reprompt_dialog(self) -> None: ...

    class WaterfallStepContext(DialogContext):
        @property
        def index(self) -> int: ...
        @property
        def options(self) -> Any: ...
        @property
        def reason(self) -> DialogReason: ...
        @property
        def result(self) -> Any: ...
        @property
        def values(self) -> dict[str, Any]: ...
        async def next(self, result: object) -> DialogTurnResult: ...

    WaterfallStep = Callable[[WaterfallStepContext], Awaitable[DialogTurnResult]]

    class WaterfallDialog(Dialog):
        # The key of the running step's index in a waterfall instance's state.
        StepIndex: ClassVar[str]

        def __init__(
            self, dialog_id: str, steps: Sequence[WaterfallStep] | None = None
        ) -> None: ...
        async def run_step(
            self, dialog_context: DialogContext, index: int, reason: DialogReason, result: object
        ) -> DialogTurnResult: ...

    class ComponentDialog(Dialog):
        # None until set: every govbot dialog names its first dialog in __init__.
        initial_dialog_id: str
        # The component's own dialogs (botbuilder keeps no public accessor for the set).
        _dialogs: DialogSet

        def __init__(self, dialog_id: str) -> None: ...
        def add_dialog(self, dialog: Dialog) -> object: ...
        async def on_begin_dialog(
            self, inner_dc: DialogContext, options: object
        ) -> DialogTurnResult: ...
        async def on_continue_dialog(self, inner_dc: DialogContext) -> DialogTurnResult: ...
        async def resume_dialog(
            self, dialog_context: DialogContext, reason: DialogReason, result: object = None
        ) -> DialogTurnResult: ...

    class ListStyle(str, Enum):  # noqa: UP042 (as the SDK has it)
        none = "0"
        auto = "1"
        in_line = "2"
        list_style = "3"
        suggested_action = "4"
        hero_card = "5"

    class Choice:
        value: str | None
        action: CardAction | None
        synonyms: list[str] | None

        def __init__(
            self,
            value: str | None = None,
            action: CardAction | None = None,
            synonyms: list[str] | None = None,
        ) -> None: ...

    class PromptOptions:
        prompt: Activity | None
        retry_prompt: Activity | None
        choices: list[Choice] | None
        style: ListStyle | None
        validations: Any
        number_of_attempts: int

        def __init__(
            self,
            prompt: Activity | None = None,
            retry_prompt: Activity | None = None,
            choices: list[Choice] | None = None,
            style: ListStyle | None = None,
            validations: object = None,
            number_of_attempts: int = 0,
        ) -> None: ...

    class PromptRecognizerResult:
        succeeded: bool
        value: Any

    class PromptValidatorContext:
        context: TurnContext
        recognized: PromptRecognizerResult
        state: dict[str, object]
        options: PromptOptions

        @property
        def attempt_count(self) -> int: ...

    PromptValidator = Callable[[PromptValidatorContext], Awaitable[bool]]

    class Prompt(Dialog):
        def __init__(self, dialog_id: str, validator: PromptValidator | None = None) -> None: ...

    class TextPrompt(Prompt): ...

    class ChoicePrompt(Prompt):
        def __init__(
            self,
            dialog_id: str,
            validator: PromptValidator | None = None,
            default_locale: str | None = None,
        ) -> None: ...

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
    from botbuilder.core.teams import TeamsInfo
    from botbuilder.dialogs import (
        ComponentDialog,
        Dialog,
        DialogContext,
        DialogInstance,
        DialogReason,
        DialogSet,
        DialogTurnResult,
        DialogTurnStatus,
        WaterfallDialog,
        WaterfallStepContext,
    )
    from botbuilder.dialogs.choices import Choice, ListStyle
    from botbuilder.dialogs.prompts import (
        ChoicePrompt,
        Prompt,
        PromptOptions,
        PromptRecognizerResult,
        PromptValidatorContext,
        TextPrompt,
    )
    from botbuilder.integration.aiohttp import (
        CloudAdapter,
        ConfigurationBotFrameworkAuthentication,
    )
    from botbuilder.schema import (
        ActionTypes,
        Activity,
        ActivityTypes,
        Attachment,
        CallerIdConstants,
        CardAction,
        ChannelAccount,
        ConversationAccount,
        ConversationParameters,
        ConversationReference,
        ConversationResourceResponse,
        ErrorResponseException,
        InvokeResponse,
        ResourceResponse,
        SuggestedActions,
    )
    from botbuilder.schema.teams import TeamsChannelAccount
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
    "ActionTypes",
    "Activity",
    "ActivityHandler",
    "ActivityTypes",
    "Attachment",
    "AuthenticateRequestResult",
    "AuthenticationConstants",
    "BotAdapter",
    "BotFrameworkAuthentication",
    "BotFrameworkClient",
    "BotState",
    "CallerIdConstants",
    "CardAction",
    "CardFactory",
    "ChannelAccount",
    "Choice",
    "ChoicePrompt",
    "ClaimsIdentity",
    "CloudAdapter",
    "ComponentDialog",
    "ConfigurationBotFrameworkAuthentication",
    "ConnectorClient",
    "ConnectorFactory",
    "ConversationAccount",
    "ConversationParameters",
    "ConversationReference",
    "ConversationResourceResponse",
    "ConversationState",
    "Dialog",
    "DialogContext",
    "DialogInstance",
    "DialogReason",
    "DialogSet",
    "DialogTurnResult",
    "DialogTurnStatus",
    "ErrorResponseException",
    "InvokeResponse",
    "ListStyle",
    "MessageFactory",
    "Middleware",
    "Prompt",
    "PromptOptions",
    "PromptRecognizerResult",
    "PromptValidatorContext",
    "ResourceResponse",
    "StatePropertyAccessor",
    "Storage",
    "SuggestedActions",
    "TeamsChannelAccount",
    "TeamsInfo",
    "TextPrompt",
    "TurnContext",
    "UserState",
    "UserTokenClient",
    "WaterfallDialog",
    "WaterfallStepContext",
]
