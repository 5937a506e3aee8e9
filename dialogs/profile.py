"""Min profil: the user's unit and preferred language, kept in user state.

"min profil" shows what is kept, on a card with a button for each thing the user can change:
"Ret enhed" asks for the unit alone, "Dansk" and "English" set the language at once. Nothing
the user did not pick is asked again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

from bot.sdk import (
    DialogTurnResult,
    MessageFactory,
    PromptOptions,
    PromptValidatorContext,
    StatePropertyAccessor,
    TextPrompt,
    TurnContext,
    WaterfallDialog,
    WaterfallStepContext,
)
from dialogs.base import GovbotDialog, PromptReading, Takes, retry_text
from dialogs.texts import LANGUAGES, Lang, text
from dialogs.turn import LANG_KEY, show, turn_lang

# The card's buttons: the unit is asked for, a language is set by its button alone.
EDIT_UNIT = "profile.unit"
SET_LANGUAGE = "profile.language"
# How long a unit's name may be.
UNIT_CHARS = (2, 100)


@dataclass
class UserProfile:
    """What the user told govbot about themselves."""

    unit: str | None = None
    language: str | None = None  # "da" | "en"; None = the rule in dialogs.language decides

    @classmethod
    def of(cls, stored: Mapping[str, Any]) -> UserProfile:
        """The profile as kept in user state (unknown keys ignored)."""
        unit, language = stored.get("unit"), stored.get("language")
        return cls(
            unit=unit if isinstance(unit, str) and unit else None,
            language=language if language in LANGUAGES else None,
        )


async def show_profile(context: TurnContext, profile: UserProfile) -> None:
    """The profile card: the unit and language kept, "Ret enhed", "Dansk" and "English"."""
    lang = turn_lang(context)
    language = text(f"profile.language_{profile.language}", lang) if profile.language else None
    languages = [
        {"title": text(f"profile.button_{code}", lang),
         "data": {"action": SET_LANGUAGE, "language": code}}
        for code in LANGUAGES
    ]  # fmt: skip
    await show(
        context,
        "profile",
        unit=profile.unit,
        language=language,
        edit_unit={"action": EDIT_UNIT},
        languages=languages,
    )


class ProfileCard:
    """The profile card, and its language buttons: they keep the unit and answer in the
    language chosen."""

    def __init__(self, profile_accessor: StatePropertyAccessor) -> None:
        self._profile = profile_accessor

    async def show(self, context: TurnContext, _match: object = None) -> None:
        """ "min profil": the card with what is kept."""
        await show_profile(context, UserProfile.of(await self._profile.get(context, dict)))

    async def set_language(self, context: TurnContext, data: Mapping[str, Any]) -> None:
        """A "Dansk" or "English" button (the value is checked, the card is untrusted)."""
        chosen = data.get("language")
        if chosen not in LANGUAGES:
            await self.show(context)
            return
        language: Lang = "en" if chosen == "en" else "da"
        profile = UserProfile.of(await self._profile.get(context, dict))
        profile.language = language
        await self._profile.set(context, asdict(profile))
        context.turn_state[LANG_KEY] = language  # this answer already in the chosen language
        await context.send_activity(
            MessageFactory.text(
                text("profile.language_saved", language,
                     language=text(f"profile.language_{language}", language))
            )
        )  # fmt: skip


class ProfileDialog(GovbotDialog):
    """ "Ret enhed": one question, the unit; the language is kept as it is."""

    title_key: ClassVar[str] = "profile.title"

    @staticmethod
    def read_prompt(validations: Mapping[str, Any], said: str) -> PromptReading:
        """Its one question takes a unit's name (bot/interruptions.py tells one from a request)."""
        return PromptReading(Takes.NAME, UNIT_CHARS[0] <= len(said.strip()) <= UNIT_CHARS[1])

    def __init__(self, profile_accessor: StatePropertyAccessor) -> None:
        super().__init__(ProfileDialog.__name__)
        self._profile = profile_accessor
        self.add_dialog(TextPrompt("unit", ProfileDialog.valid_unit))
        self.add_dialog(WaterfallDialog("steps", [self.ask_unit_step, self.save_step]))
        self.initial_dialog_id = "steps"

    async def ask_unit_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        lang = turn_lang(step.context)
        return await step.prompt(
            "unit",
            PromptOptions(
                prompt=MessageFactory.text(text("profile.ask_unit", lang)),
                retry_prompt=MessageFactory.text(retry_text("profile.unit_invalid", lang)),
            ),
        )

    async def save_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        profile = UserProfile.of(await self._profile.get(step.context, dict))
        profile.unit = step.result
        await self._profile.set(step.context, asdict(profile))
        await step.context.send_activity(
            MessageFactory.text(
                text("profile.unit_saved", turn_lang(step.context), unit=profile.unit)
            )
        )
        await show_profile(step.context, profile)
        return await step.end_dialog(profile)

    @staticmethod
    async def valid_unit(prompt: PromptValidatorContext) -> bool:
        """A unit name of 2–100 characters."""
        value = (prompt.recognized.value or "").strip()
        if prompt.recognized.succeeded and UNIT_CHARS[0] <= len(value) <= UNIT_CHARS[1]:
            prompt.recognized.value = value
            return True
        return False
