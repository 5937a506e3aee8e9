"""The Bot Framework SDK's dialogs (botbuilder.dialogs), typed: a part of bot/sdk.py.

bot/sdk.py declares the connector and the core, bot/sdk_schema.py the schema; this module the
dialog system, its waterfalls and prompts, the same way (declarations for mypy under
TYPE_CHECKING, the SDK's own objects at run time). bot/sdk.py re-exports every name, so govbot
imports them from there; tests/platform/test_sdk.py checks all three modules' declarations
against the installed SDK.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence
    from enum import Enum
    from typing import Any, ClassVar, Self

    from bot.sdk import Activity, CardAction, StatePropertyAccessor, TurnContext

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

__all__ = [
    "Choice",
    "ChoicePrompt",
    "ComponentDialog",
    "Dialog",
    "DialogContext",
    "DialogInstance",
    "DialogReason",
    "DialogSet",
    "DialogTurnResult",
    "DialogTurnStatus",
    "ListStyle",
    "Prompt",
    "PromptOptions",
    "PromptRecognizerResult",
    "PromptValidatorContext",
    "TextPrompt",
    "WaterfallDialog",
    "WaterfallStepContext",
]
