"""What the procurement guide says at each slot: the question with its buttons and cards, and
the retry when an answer does not fit; and what the guide's values say about the request."""

from __future__ import annotations

from typing import Any

from bot.sdk import Activity, DialogTurnResult, MessageFactory, PromptOptions, WaterfallStepContext
from dialogs.base import retry_text
from dialogs.cards import card
from dialogs.procurement_slots import Slot
from dialogs.procurement_view import principle_source, principle_title, summary_values
from dialogs.texts import Lang, text
from dialogs.turn import next_steps, turn_lang
from knowledge.packs import load_pack
from knowledge.schema_base import MAX_BUTTON_LABEL
from knowledge.screening import Option, Screening, option_buttons
from storage.procurement import DepartureAnswer
from storage.procurement_reuse import Reuse

PROMPT = "answer"
# When this guide began: its cards carry it, so a button pressed after the guide ended finds
# the request the guide made (dialogs/procurement_outcome.py).
GUIDE_STARTED = "guide_started"


def guide_of(values: dict[str, Any]) -> str:
    """When the guide with these values began, as its cards carry it."""
    return str(values.get(GUIDE_STARTED, ""))


def owner_shown(reuse: dict[str, Any]) -> bool:
    """Whether the reuse card names a system owner the employee could contact."""
    return any(system.get("owners") for system in reuse.get("systems") or [])


def reuse_values(found: Reuse) -> dict[str, Any]:
    """The reuse card's values (kept in the guide's state): similar systems with their owners,
    open requests and initiatives."""
    return {
        "systems": [
            {
                "system_id": s.system_id,
                "name": s.name,
                "description": s.description,
                "owners": list(s.owners),
            }
            for s in found.systems
        ],
        "requests": [
            {"request_id": r.request_id, "unit": r.unit, "need": r.need} for r in found.requests
        ],
        "initiatives": [
            {
                "id": i.initiative_id,
                "title": i.title,
                "status": i.status,
                "unit": i.unit,
                "lead": i.lead,
            }
            for i in found.initiatives
        ],
    }


def option_choice(option: Option, lang: Lang) -> dict[str, str]:
    """An option on the choices card: its short button, and its full label beside it."""
    button, label = option.button(lang), option.full_name(lang)
    return {"name": button, "detail": label if label != button else "", "text": label}


class SlotPrompts:
    """The guide's questions for one knowledge pack's screening."""

    def __init__(self, pack_key: str, screening: Screening) -> None:
        self._pack_key = pack_key
        self._screening = screening

    async def ask(
        self, step: WaterfallStepContext, slot: Slot, profile_unit: str | None
    ) -> DialogTurnResult:
        """Prompt for `slot`; `profile_unit` is the unit the user's profile names, if any."""
        lang = turn_lang(step.context)
        values = step.values
        answers = values.get("answers", {})
        validations: dict[str, Any] = {
            "slot": slot.key,
            "pack": self._pack_key,
            "guide": guide_of(values),
        }
        buttons: list[str] = []
        said: dict[str, str] = {}  # what a button sends, where that is not its title
        lines: list[str] = []
        shown: dict[str, Any] | None = None  # the values of a question's card
        retry = "dialog.retry"
        if slot.kind == "need":
            if not values.get("need"):  # the first thing the guide says: what it is about to do
                lines.append(self.intro(lang, 2))
            lines.append(text("procurement.ask_need", lang))
            retry = "procurement.need_invalid"
        elif slot.kind == "unit":
            lines.append(text("procurement.ask_unit", lang))
            retry = "procurement.unit_invalid"
            if profile_unit and len(profile_unit) > MAX_BUTTON_LABEL:
                # Too long for a button: "Min enhed" sends it, and the question names it.
                lines.append(text("procurement.profile_unit", lang, unit=profile_unit))
                buttons.append(text("procurement.button_profile_unit", lang))
                said[buttons[-1]] = profile_unit
            elif profile_unit:
                buttons.append(profile_unit)
        elif slot.kind == "reuse":
            # "Jeg kontakter systemejeren" only when the card names an owner to contact; the
            # card's buttons are the answers, so they are not repeated below the message.
            suffix = "" if owner_shown(values["reuse"]) else "_no_owner"
            await step.context.send_activity(
                MessageFactory.attachment(
                    card(
                        "procurement_reuse", lang, **values["reuse"], suffix=suffix,
                        guide=guide_of(values),
                    )
                )
            )  # fmt: skip
            lines.append(text(f"procurement.reuse_ask{suffix}", lang))
            retry = f"procurement.reuse_invalid{suffix}"
        elif slot.kind == "question":
            question = self._screening.question(slot.target)
            n, total = self._screening.progress(question.key, answers)
            shown = {
                "heading": text("procurement.question_progress", lang, n=n, total=total),
                "lead": question.prompt(lang),
                "choices": [option_choice(option, lang) for option in question.options],
                "hint": None,
            }
            buttons += option_buttons(question, lang)
            if question.same_as:
                validations["same"] = answers.get(question.same_as)
            retry = f"procurement.{question.kind}_invalid"
        elif slot.kind == "justify":
            await step.context.send_activity(
                MessageFactory.attachment(
                    card("procurement_departure", lang, **self._departure(slot, answers, lang))
                )
            )
            lines.append(text("procurement.ask_justification", lang))
            buttons.append(text("procurement.withdraw", lang))
            retry = "procurement.explain_invalid"
        elif slot.kind == "plan":
            lines.append(text("procurement.ask_plan", lang))
            retry = "procurement.explain_invalid"
        else:  # confirm
            await step.context.send_activity(
                MessageFactory.attachment(
                    card(
                        "procurement_summary", lang, **self.summary(values, lang),
                        guide=guide_of(values),
                    )
                )
            )  # fmt: skip
            lines.append(text("procurement.confirm_ask", lang))
            retry = "procurement.confirm_invalid"
        controls = [text("procurement.button_back", lang), text("procurement.button_cancel", lang)]
        buttons += controls
        if slot.kind == "need":
            buttons = [text("procurement.button_cancel", lang)]
        if shown is not None:
            # The question as a card: its options as buttons with each one's detail beside it.
            prompt = next_steps(
                MessageFactory.attachment(card("choices", lang, **shown)),
                [(c, c) for c in controls],
            )
        else:
            prompt = self._message("\n\n".join(lines), buttons, said)
        # The confirmation's own retry already names "annuller"; every other one gets it added.
        say_retry = text if retry == "procurement.confirm_invalid" else retry_text
        reason = {"reason": ""} if retry == "dialog.retry" else {}
        retry_message = self._message(say_retry(retry, lang, **reason), buttons, said)
        return await step.prompt(
            PROMPT,
            PromptOptions(prompt=prompt, retry_prompt=retry_message, validations=validations),
        )

    def _departure(self, slot: Slot, answers: dict[str, Any], lang: Lang) -> dict[str, Any]:
        """What the departure card shows: which principle, why this answer departs, the source."""
        departures = self._screening.departures(answers)
        keys = [d.key for d in departures]
        departure = departures[keys.index(slot.target)]
        pack = load_pack(self._pack_key)
        first = keys.index(slot.target) == 0
        return {
            "intro": self._screening.follow_or_explain.intro(lang) if first else None,
            "head": text(
                "procurement.departure_head",
                lang,
                n=keys.index(slot.target) + 1,
                total=len(keys),
                principle=principle_title(pack, departure.principle_id, lang),
            ),
            "explanation": departure.check.explain(lang),
            # The card names the principle, so it cites where the pack states that principle.
            "source": principle_source(pack, departure.principle_id),
        }

    def intro(self, lang: Lang, asked_before: int) -> str:
        """What the guide does, how many questions it asks, and when IT answers (pack data)."""
        days = load_pack(self._pack_key).procurement.screening_time.working_days
        # The need and unit (when still to ask) and the questions every request is asked.
        questions = asked_before + len(self._screening.asked({}))
        return text("procurement.intro", lang, questions=questions, days=days)

    @staticmethod
    def _message(body: str, buttons: list[str], said: dict[str, str]) -> Activity:
        return next_steps(MessageFactory.text(body), [(b, said.get(b, b)) for b in buttons])

    def departures(self, values: dict[str, Any]) -> list[DepartureAnswer]:
        answers = values.get("answers", {})
        explain = values.get("explain", {})
        return [
            DepartureAnswer(
                key=d.key,
                principle_id=d.principle_id,
                justification=explain.get(d.key, {}).get("justification", ""),
                plan=explain.get(d.key, {}).get("plan"),
            )
            for d in self._screening.departures(answers)
        ]

    def answers(self, values: dict[str, Any]) -> dict[str, Any]:
        answers = values.get("answers", {})
        asked = {q.key for q in self._screening.asked(answers)}
        return {k: v for k, v in answers.items() if k in asked}

    def summary(self, values: dict[str, Any], lang: Lang) -> dict[str, Any]:
        return summary_values(
            pack_key=self._pack_key,
            need=values["need"],
            unit=values["unit"],
            answers=self.answers(values),
            departures=self.departures(values),
            lang=lang,
        )
