"""Registering an initiative one question at a time, for clients that cannot fill in a card."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, ClassVar

from bot.sdk import (
    CardAction,
    Choice,
    ChoicePrompt,
    DialogReason,
    DialogTurnResult,
    ListStyle,
    MessageFactory,
    PromptOptions,
    PromptValidatorContext,
    TextPrompt,
    WaterfallDialog,
    WaterfallStepContext,
)
from dialogs.base import GovbotDialog, PromptReading, Takes, remember
from dialogs.portfolio import Portfolio
from dialogs.portfolio_form import FIELDS, GAIN_FIELDS, FieldError, is_skip, parse_field, parse_form
from dialogs.portfolio_view import CHOICE_FIELDS, date_examples, duplicate_warning, error_text
from dialogs.texts import Lang, keys, text
from dialogs.turn import main_steps, say, turn_lang, turn_session
from storage.portfolio_search import similar_initiatives

# What each question takes, for telling an answer from something else said in the middle
# (bot/interruptions.py); the rest are free text in the user's own words.
NAME_FIELDS = frozenset({"unit", "lead"})
READ_FIELDS = frozenset(
    {"category", "funding", "estimated_cost", "business_case", "start_date", "end_date"}
)


# Set in the dialog's values once the intro has been said.
INTRO_SAID = "intro_said"


class RegisterInitiativeDialog(GovbotDialog):
    """Registration one question at a time, for clients that cannot fill in a card."""

    title_key: ClassVar[str] = "portfolio.title"

    @staticmethod
    def read_prompt(validations: Mapping[str, Any], said: str) -> PromptReading:
        """What the question being asked takes, and whether the form's parser reads `said`."""
        name = str(validations.get("field", ""))
        if name not in FIELDS:
            return PromptReading()
        try:
            parse_field(name, said.strip())
        except FieldError:
            reads = False
        else:
            reads = True
        takes = (
            Takes.NAME
            if name in NAME_FIELDS
            else Takes.CHOICE
            if name in READ_FIELDS
            else Takes.TEXT
        )
        return PromptReading(takes, reads)

    def __init__(self, portfolio: Portfolio) -> None:
        super().__init__(RegisterInitiativeDialog.__name__)
        self._portfolio = portfolio
        for name in FIELDS:
            self.add_dialog(
                TextPrompt(name, RegisterInitiativeDialog.validator(name, portfolio.today))
            )
        self.add_dialog(ChoicePrompt("duplicate"))
        # A near-duplicate is named right after the title, before the other questions are
        # asked for nothing; the form's fields follow, then the cross-field check and the save.
        title, *rest = (self._ask(i) for i in range(len(FIELDS)))
        self._waterfall = WaterfallDialog(
            "steps",
            [title, self.duplicate_step, self.duplicate_answer_step, *rest, self.check_step,
             self.save_step],
        )  # fmt: skip
        self.add_dialog(self._waterfall)
        self.initial_dialog_id = "steps"

    def _ask(self, index: int) -> Any:
        name = FIELDS[index]

        async def ask_step(step: WaterfallStepContext) -> DialogTurnResult:
            if index > 0:
                remember(step, FIELDS[index - 1])
            lang = turn_lang(step.context)
            if index == 0 and not step.values.get(INTRO_SAID):
                # What is about to happen, once, before the first bare question.
                step.values[INTRO_SAID] = True
                await step.context.send_activity(text("portfolio.intro", lang, count=len(FIELDS)))
            question = text(
                f"portfolio.ask.{name}", lang, **date_examples(self._portfolio.today(), lang)
            )
            prompt = MessageFactory.text(question)
            suggestions = _suggestions(name, lang)
            if suggestions:
                prompt = MessageFactory.suggested_actions(
                    [CardAction(type="imBack", title=s, value=s) for s in suggestions], question
                )
            others = [step.values.get(n, "") for n in GAIN_FIELDS if n != name]
            return await step.prompt(
                name,
                PromptOptions(prompt=prompt, validations={"field": name, "other_gains": others}),
            )

        ask_step.__name__ = f"ask_{name}_step"
        return ask_step

    @staticmethod
    def validator(name: str, today: Callable[[], date]) -> Any:
        """A prompt validator for field `name`, using the form's parser and its messages
        (examples of dates lie ahead of `today()`)."""

        async def validate(prompt: PromptValidatorContext) -> bool:
            raw = (prompt.recognized.value or "").strip() if prompt.recognized.succeeded else ""
            lang = turn_lang(prompt.context)
            try:
                parse_field(name, raw)
            except FieldError as error:
                await prompt.context.send_activity(error_text(error, lang, today()))
                return False
            if name == "gain_wellbeing":
                others = (prompt.options.validations or {}).get("other_gains", [])
                if is_skip(raw) and all(not o or is_skip(o) for o in others):
                    await prompt.context.send_activity(text("portfolio.error.gains", lang))
                    return False
            prompt.recognized.value = raw
            return True

        return validate

    async def duplicate_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        """Right after the title: a similar initiative is offered to follow instead."""
        remember(step, FIELDS[0])
        lang = turn_lang(step.context)
        similar = await similar_initiatives(
            session=turn_session(step.context), title=str(step.values.get(FIELDS[0], ""))
        )
        if not similar:
            return await step.next(None)
        step.values["similar_id"] = similar[0].initiative.id
        await step.context.send_activity(duplicate_warning(similar[0].initiative, lang))
        return await step.prompt(
            "duplicate",
            PromptOptions(
                prompt=MessageFactory.text(text("portfolio.ask.duplicate_choice", lang)),
                choices=[
                    Choice(text("portfolio.choice.follow", lang), synonyms=["ja", "yes", "1"]),
                    Choice(text("portfolio.choice.go_on", lang), synonyms=["nej", "no"]),
                    Choice(text("portfolio.choice.cancel", lang)),
                ],
                style=ListStyle.suggested_action,
            ),
        )

    async def duplicate_answer_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        """Follow the similar one, stop, or go on with the questions."""
        if step.reason == DialogReason.ReplaceCalled:  # "tilbage" from the next question
            return await self._waterfall.run_step(step, 0, DialogReason.ReplaceCalled, None)
        choice = step.result.index if step.result is not None else 1
        if choice == 0:
            await self._portfolio.follow(step.context, step.values["similar_id"])
            return await step.end_dialog()
        if choice == 2:
            await say(step.context, "dialog.cancelled", then=main_steps(turn_lang(step.context)))
            return await step.end_dialog()
        return await step.next(None)

    async def check_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        """The rules across fields (e.g. the end before the start), once every answer is in."""
        remember(step, FIELDS[-1])
        result = parse_form(step.values)
        if result.initiative is not None:
            return await step.next(None)
        lang = turn_lang(step.context)
        today = self._portfolio.today()
        for name, error in result.errors.items():
            await step.context.send_activity(
                f"{text(f'portfolio.field.{name}', lang)}: {error_text(error, lang, today)}"
            )
        await say(step.context, "dialog.restarted")
        return await step.replace_dialog(self.initial_dialog_id)

    async def save_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        await self._portfolio.register(step.context, parse_form(step.values))
        return await step.end_dialog()


def _suggestions(name: str, lang: Lang) -> list[str]:
    if name in CHOICE_FIELDS:
        return [_button(name, m.value, lang) for m in CHOICE_FIELDS[name]]
    if name == "business_case":
        return [text("portfolio.card.answer_yes", lang), text("portfolio.card.answer_no", lang)]
    return []


def _button(name: str, value: str, lang: Lang) -> str:
    """A choice's button: its short form where the label is too long for Teams' buttons."""
    short = f"portfolio.buttons.{name}.{value}"
    return text(short if short in keys(lang) else f"portfolio.{name}.{value}", lang)
