"""The base of every govbot dialog: "annuller", "start forfra", "tilbage", "hjælp" at any step."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, ClassVar

from bot.sdk import (
    ActivityTypes,
    ComponentDialog,
    DialogContext,
    DialogReason,
    DialogTurnResult,
    DialogTurnStatus,
    WaterfallDialog,
    WaterfallStepContext,
)
from dialogs.texts import Lang, text
from dialogs.turn import INTERRUPT_KEY, main_steps, say, turn_lang
from knowledge.text import fold

# Words that steer the conversation itself, in Danish and English (matched whole, normalised).
CONTROL_COMMANDS: dict[str, tuple[str, ...]] = {
    "cancel": ("annuller", "afbryd", "stop", "glem det", "cancel", "abort", "quit"),
    "restart": ("start forfra", "forfra", "start over", "restart"),
    "back": ("tilbage", "gå tilbage", "back", "go back"),
    "help": ("hjælp", "help", "?"),
}


def _key(message: str) -> str:
    """Folded (so "hjaelp" and "ga tilbage" meet "hjælp" and "gå tilbage"); "?" as it is."""
    return fold(message) or message.strip()


_LOOKUP = {_key(word): command for command, words in CONTROL_COMMANDS.items() for word in words}
# Inside a flow, a cancel verb with only "it"/"that" after it stops the flow too ("aflys det",
# "annuller det hele", "cancel that"): such a message is never a unit's or an initiative's
# name. Outside a flow "aflys det" stays the secretary's "cancel the meeting just shown".
FLOW_CANCEL_VERBS = frozenset(
    _key(w) for w in "aflys annuller afbryd stop stands glem drop cancel abort quit forget".split()
)
FLOW_CANCEL_OBJECTS = frozenset(
    _key(w)
    for w in """det den dette denne hele alt sammen bare lige nu venligst tak igen
        that it this all everything please now then""".split()
)
FLOW_CANCEL_PHRASES = frozenset(
    _key(w) for w in ("lad være", "lad det være", "never mind", "nevermind", "drop it")
)
_OPTIONS_KEY = "govbot.options"


class Takes(StrEnum):
    """What kind of answer the prompt being asked takes."""

    CHOICE = "choice"  # one of its buttons or options
    NAME = "name"  # a short name: a unit, a person
    TEXT = "text"  # free text in the user's own words


@dataclass(frozen=True)
class PromptReading:
    """What the prompt being asked makes of a message, for deciding whether the message is an
    answer or something else said in the middle of the flow ("hej", "min pc vil ikke starte")."""

    takes: Takes = Takes.TEXT
    reads: bool = True  # the prompt would take the message as its answer
    title: str = ""  # the flow's name in the turn's language ("din anmodning om et nyt system")
    flow: str = ""  # the capability whose flow it is ("procurement"): not offered inside itself


def prompt_validations(inner_dc: DialogContext) -> Mapping[str, Any]:
    """The `validations` of the prompt being asked (botbuilder keeps its options in its state)."""
    active = inner_dc.active_dialog
    options = active.state.get("options") if active is not None else None
    found = options.get("validations") if isinstance(options, dict) else None
    found = found if found is not None else getattr(options, "validations", None)
    return found if isinstance(found, Mapping) else {}


def control_command(message: str | None) -> str | None:
    """ "cancel", "restart", "back" or "help" when the whole message is such a command."""
    return _LOOKUP.get(_key(message)) if message else None


def cancels_flow(message: str | None) -> bool:
    """Whether `message`, said inside a flow, stops it: "annuller", or a cancel verb with only
    words for "it" after it ("aflys det", "glem det hele", "cancel that")."""
    if not message:
        return False
    if control_command(message) == "cancel":
        return True
    folded = _key(message)
    first, *rest = folded.split() or [""]
    if folded in FLOW_CANCEL_PHRASES:
        return True
    return first in FLOW_CANCEL_VERBS and all(word in FLOW_CANCEL_OBJECTS for word in rest)


def retry_text(key: str, lang: Lang, /, **values: Any) -> str:
    """A prompt's retry message with the way out of the dialog after it (never a dead end)."""
    return f"{text(key, lang, **values)} {text('dialog.way_out', lang)}"


def remember(step: WaterfallStepContext, name: str) -> None:
    """Keep the previous prompt's answer; a step re-run by "tilbage" has no result to keep."""
    if step.result is not None:
        step.values[name] = step.result


class GovbotDialog(ComponentDialog):
    """A component dialog whose steps can be cancelled, restarted, stepped back and explained."""

    title_key: ClassVar[str] = "dialog.title"

    @staticmethod
    def read_prompt(validations: Mapping[str, Any], said: str) -> PromptReading:
        """What the prompt being asked makes of `said`; by default any text answers it."""
        return PromptReading()

    async def resume_dialog(
        self, dialog_context: DialogContext, reason: DialogReason, result: object = None
    ) -> DialogTurnResult:
        # Another flow started on top of this one (paused from one of its questions) ended:
        # this one goes on where it was, with its answers so far.
        title = text(self.title_key, turn_lang(dialog_context.context))
        await say(dialog_context.context, "dialog.resumed", title=title)
        return await super().resume_dialog(dialog_context, reason, result)

    async def on_begin_dialog(self, inner_dc: DialogContext, options: object) -> DialogTurnResult:
        if inner_dc.parent and inner_dc.parent.active_dialog:
            inner_dc.parent.active_dialog.state[_OPTIONS_KEY] = options
        return await super().on_begin_dialog(inner_dc, options)

    async def on_continue_dialog(self, inner_dc: DialogContext) -> DialogTurnResult:
        activity = inner_dc.context.activity
        is_message = activity.type == ActivityTypes.message
        command = control_command(activity.text) if is_message else None
        if is_message and cancels_flow(activity.text):
            await inner_dc.cancel_all_dialogs()
            await say(
                inner_dc.context, "dialog.cancelled", then=main_steps(turn_lang(inner_dc.context))
            )
            return DialogTurnResult(DialogTurnStatus.Cancelled)
        if command == "restart":
            await inner_dc.cancel_all_dialogs()
            await say(inner_dc.context, "dialog.restarted")
            # This dialog is the parent's active dialog while it runs.
            active = inner_dc.parent.active_dialog if inner_dc.parent else None
            options = active.state.get(_OPTIONS_KEY) if active else None
            return await super().on_begin_dialog(inner_dc, options)
        if command == "back":
            return await self._step_back(inner_dc)
        if command == "help":
            title = text(self.title_key, turn_lang(inner_dc.context))
            await say(inner_dc.context, "dialog.help_in_dialog", title=title)
            await inner_dc.reprompt_dialog()
            return DialogTurnResult(DialogTurnStatus.Waiting)
        # botbuilder's interruption pattern: a question for another capability is answered,
        # then the prompt is asked again; it is never taken as the answer to the prompt.
        interrupt = inner_dc.context.turn_state.get(INTERRUPT_KEY)
        said = activity.text if activity.type == ActivityTypes.message else None
        if (
            interrupt is not None
            and said
            and await interrupt(inner_dc.context, said, self._reading(inner_dc, said))
        ):
            await inner_dc.reprompt_dialog()
            return DialogTurnResult(DialogTurnStatus.Waiting)
        return await super().on_continue_dialog(inner_dc)

    def _reading(self, inner_dc: DialogContext, said: str) -> PromptReading:
        title = text(self.title_key, turn_lang(inner_dc.context))
        # A dialog's title is its capability's text ("procurement.title"): that names the flow.
        flow = self.title_key.partition(".")[0]
        return replace(self.read_prompt(prompt_validations(inner_dc), said), title=title, flow=flow)

    async def _step_back(self, inner_dc: DialogContext) -> DialogTurnResult:
        waterfall_index = next(
            (
                i
                for i, instance in enumerate(inner_dc.stack)
                if isinstance(self._dialogs.find_dialog(instance.id), WaterfallDialog)
            ),
            None,
        )
        if waterfall_index is None:
            return await super().on_continue_dialog(inner_dc)
        instance = inner_dc.stack[waterfall_index]
        step_index: int = instance.state.get(WaterfallDialog.StepIndex, 0)
        if step_index <= 0:
            await say(inner_dc.context, "dialog.no_back")
            await inner_dc.reprompt_dialog()
            return DialogTurnResult(DialogTurnStatus.Waiting)
        # Drop the prompts above the waterfall and run the previous step again.
        del inner_dc.stack[:waterfall_index]
        waterfall: Any = self._dialogs.find_dialog(instance.id)
        return await waterfall.run_step(inner_dc, step_index - 1, DialogReason.ReplaceCalled, None)
