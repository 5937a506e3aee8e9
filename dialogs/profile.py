"""Min profil: the user's unit and preferred language, kept in user state."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, ClassVar

from bot.sdk import (
    Choice,
    ChoicePrompt,
    DialogTurnResult,
    ListStyle,
    MessageFactory,
    PromptOptions,
    PromptValidatorContext,
    StatePropertyAccessor,
    TextPrompt,
    WaterfallDialog,
    WaterfallStepContext,
)
from dialogs.base import GovbotDialog, remember, retry_text
from dialogs.texts import Lang, text
from dialogs.turn import turn_lang


@dataclass
class UserProfile:
    """What the user told govbot about themselves."""

    unit: str | None = None
    language: str | None = None  # "da" | "en"; None = the rule in dialogs.language decides


class ProfileDialog(GovbotDialog):
    """Two questions: which unit the user works in, and which language they want."""

    title_key: ClassVar[str] = "profile.title"

    def __init__(self, profile_accessor: StatePropertyAccessor) -> None:
        super().__init__(ProfileDialog.__name__)
        self._profile = profile_accessor
        self.add_dialog(TextPrompt("unit", ProfileDialog.valid_unit))
        self.add_dialog(ChoicePrompt("language"))
        self.add_dialog(
            WaterfallDialog("steps", [self.ask_unit_step, self.ask_language_step, self.save_step])
        )
        self.initial_dialog_id = "steps"

    async def ask_unit_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        return await step.prompt("unit", _asking(step, "unit"))

    async def ask_language_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        remember(step, "unit")
        return await step.prompt(
            "language",
            _asking(
                step,
                "language",
                choices=[
                    Choice("dansk", synonyms=["da", "danish", "dansk sprog"]),
                    Choice("English", synonyms=["en", "engelsk", "english"]),
                ],
                style=ListStyle.suggested_action,
            ),
        )

    async def save_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        language: Lang = "en" if step.result.value == "English" else "da"
        profile = UserProfile(unit=step.values["unit"], language=language)
        await self._profile.set(step.context, asdict(profile))
        await step.context.send_activity(
            MessageFactory.text(
                text(
                    "profile.saved",
                    language,
                    unit=profile.unit,
                    language=text(f"profile.language_{language}", language),
                )
            )
        )
        return await step.end_dialog(profile)

    @staticmethod
    async def valid_unit(prompt: PromptValidatorContext) -> bool:
        """A unit name of 2–100 characters."""
        value = (prompt.recognized.value or "").strip()
        if prompt.recognized.succeeded and 2 <= len(value) <= 100:
            prompt.recognized.value = value
            return True
        return False


def _asking(step: WaterfallStepContext, name: str, **options: Any) -> PromptOptions:
    """The question profile.ask_<name>, asked again with profile.<name>_invalid."""
    lang = turn_lang(step.context)
    return PromptOptions(
        prompt=MessageFactory.text(text(f"profile.ask_{name}", lang)),
        retry_prompt=MessageFactory.text(retry_text(f"profile.{name}_invalid", lang)),
        **options,
    )
