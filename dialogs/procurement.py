"""Indkøb: from a need in the employee's words to a confirmed request that IT screens.

One waterfall step per slot: the need, the unit, reuse first, each screening question of the
pack, a justification and a plan for each departure, and the summary to confirm. A slot that
does not apply (no similar systems, a question its condition skips, a principle followed) is
passed on the way forward and on the way back, so "tilbage" always lands on a real question.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from bot.sdk import (
    Activity,
    DialogReason,
    DialogTurnResult,
    MessageFactory,
    PromptOptions,
    PromptValidatorContext,
    StatePropertyAccessor,
    TextPrompt,
    WaterfallDialog,
    WaterfallStepContext,
)
from dialogs.base import GovbotDialog, retry_text
from dialogs.cards import card
from dialogs.procurement_notify import announce_request
from dialogs.procurement_outcome import guide_outcome
from dialogs.procurement_slots import Slot, read_prompt, read_slot, slots_for
from dialogs.procurement_view import principle_source, principle_title, summary_values
from dialogs.texts import Lang, text
from dialogs.turn import after_commit, next_steps, say, turn_lang, turn_session, turn_user
from knowledge.packs import load_pack
from knowledge.schema import MAX_BUTTON_LABEL
from knowledge.screening import Option, Screening, load_screening, option_buttons
from storage.directory_snapshots import directory_index
from storage.models.base import utcnow
from storage.procurement import (
    DepartureAnswer,
    Requester,
    RequestStatus,
    record_stopped,
    submit_request,
)
from storage.procurement_reuse import find_existing

SKIP = "__skip__"
PROMPT = "answer"
# When this guide began: its cards carry it, so a button pressed after the guide ended finds
# the request the guide made (dialogs/procurement_outcome.py).
GUIDE_STARTED = "guide_started"


def _guide(values: dict[str, Any]) -> str:
    return str(values.get(GUIDE_STARTED, ""))


def _owner_shown(reuse: dict[str, Any]) -> bool:
    """Whether the reuse card names a system owner the employee could contact."""
    return any(system.get("owners") for system in reuse.get("systems") or [])


@dataclass(frozen=True)
class ProcurementOptions:
    """What the dialog needs from the app: the IT channel default and IT's language (the
    municipality's), time zone, dispatcher kick."""

    default_channel: str
    it_lang: Lang
    tz: Any
    kick: Callable[[], Awaitable[None]] | None = None


async def _directory_person(step: WaterfallStepContext, typed: str) -> str:
    """A named owner as "Name (email)" when the directory knows exactly one such person."""
    index = await directory_index(session=turn_session(step.context))
    person = index.find_people(typed).person
    return f"{person.name} ({person.email})" if person else typed


def _option_choice(option: Option, lang: Lang) -> dict[str, str]:
    """An option on the choices card: its short button, and its full label beside it."""
    button, label = option.button(lang), option.label(lang)
    return {"name": button, "detail": label if label != button else "", "text": label}


class ProcurementDialog(GovbotDialog):
    """The procurement screening conversation for one knowledge pack."""

    title_key: ClassVar[str] = "procurement.title"
    read_prompt = staticmethod(read_prompt)  # what each slot takes (dialogs/procurement_slots.py)

    def __init__(
        self,
        pack_key: str,
        options: ProcurementOptions,
        profile: StatePropertyAccessor | None = None,
    ) -> None:
        super().__init__(ProcurementDialog.__name__)
        self._profile = profile
        self._pack_key = pack_key
        self._screening: Screening = load_screening(pack_key)
        self._options = options
        self._slots: tuple[Slot, ...] = slots_for(self._screening)
        self.add_dialog(TextPrompt(PROMPT, ProcurementDialog.valid_answer))
        steps = [self._slot_step(i) for i in range(len(self._slots))] + [self.submit_step]
        self._waterfall = WaterfallDialog("steps", steps)
        self.add_dialog(self._waterfall)
        self.initial_dialog_id = "steps"

    # --- the generic slot step -------------------------------------------------------------

    def _slot_step(
        self, index: int
    ) -> Callable[[WaterfallStepContext], Awaitable[DialogTurnResult]]:
        async def step(step_context: WaterfallStepContext) -> DialogTurnResult:
            return await self._run_slot(step_context, index)

        step.__name__ = f"{self._slots[index].key}_step"
        return step

    async def _run_slot(self, step: WaterfallStepContext, index: int) -> DialogTurnResult:
        ended = await self._keep(step)
        if ended is not None:
            return ended
        slot = self._slots[index]
        backing = step.result is None and index > 0
        if index == 0 and step.result is None and not step.values.get("asked_need"):
            need = (step.options or {}).get("need") if isinstance(step.options, dict) else None
            step.values["asked_need"] = True
            step.values[GUIDE_STARTED] = utcnow().isoformat()
            if need and 5 <= len(need.strip()) <= 2000:
                # Say what is happening: the wish was heard and the guide begins.
                lang = turn_lang(step.context)
                said = f"{text('procurement.started_with_need', lang)} {self._intro(lang, 1)}"
                await step.context.send_activity(MessageFactory.text(said))
                return await step.next({"slot": "need", "value": need.strip()})
        if not await self._applies(step, slot, backing):
            if backing:
                return await self._waterfall.run_step(
                    step, index - 1, DialogReason.ReplaceCalled, None
                )
            return await step.next(SKIP)
        return await self._ask(step, slot)

    async def _keep(self, step: WaterfallStepContext) -> DialogTurnResult | None:
        """Store the previous prompt's answer; end the dialog when it stops the request."""
        result = step.result
        if not isinstance(result, dict) or "slot" not in result:
            return None
        values = step.values
        slot, value = result["slot"], result.get("value")
        if slot == "need":
            values["need"] = value
        elif slot == "unit":
            values["unit"] = value
        elif slot == "reuse":
            if value == "stop":
                return await self._stop(step, RequestStatus.REUSE)
        elif slot.startswith("justify:"):
            if result.get("withdraw"):
                return await self._stop(step, RequestStatus.WITHDRAWN)
            values.setdefault("explain", {}).setdefault(slot[8:], {})["justification"] = value
        elif slot.startswith("plan:"):
            values.setdefault("explain", {}).setdefault(slot[5:], {})["plan"] = value
        elif slot.startswith("q:"):
            question = self._screening.question(slot[2:])
            if question.kind == "person" and isinstance(value, str) and "(" not in value:
                value = await _directory_person(step, value)
            values.setdefault("answers", {})[slot[2:]] = value
        return None

    async def _applies(self, step: WaterfallStepContext, slot: Slot, backing: bool) -> bool:
        answers = step.values.get("answers", {})
        if slot.kind == "reuse":
            found = await find_existing(
                session=turn_session(step.context), need=step.values["need"]
            )
            step.values["reuse"] = {
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
                    {"request_id": r.request_id, "unit": r.unit, "need": r.need}
                    for r in found.requests
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
            if not found and not backing:
                await say(step.context, "procurement.reuse_none")
            return bool(found)
        if slot.kind == "question":
            return self._screening.question(slot.target).asked(answers)
        if slot.kind in ("justify", "plan"):
            fired = {d.key for d in self._screening.departures(answers)}
            if slot.target not in fired:
                return False
            return slot.kind == "justify" or self._screening.follow_or_explain.plan_required
        return True

    # --- prompts ---------------------------------------------------------------------------

    async def _ask(self, step: WaterfallStepContext, slot: Slot) -> DialogTurnResult:
        lang = turn_lang(step.context)
        values = step.values
        answers = values.get("answers", {})
        validations: dict[str, Any] = {
            "slot": slot.key,
            "pack": self._pack_key,
            "guide": _guide(values),
        }
        buttons: list[str] = []
        said: dict[str, str] = {}  # what a button sends, where that is not its title
        lines: list[str] = []
        shown: dict[str, Any] | None = None  # the values of a question's card
        retry = "dialog.retry"
        if slot.kind == "need":
            if not values.get("need"):  # the first thing the guide says: what it is about to do
                lines.append(self._intro(lang, 2))
            lines.append(text("procurement.ask_need", lang))
            retry = "procurement.need_invalid"
        elif slot.kind == "unit":
            lines.append(text("procurement.ask_unit", lang))
            retry = "procurement.unit_invalid"
            profile_unit = await self._profile_unit(step)
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
            suffix = "" if _owner_shown(values["reuse"]) else "_no_owner"
            await step.context.send_activity(
                MessageFactory.attachment(
                    card(
                        "procurement_reuse", lang, **values["reuse"], suffix=suffix,
                        guide=_guide(values),
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
                "choices": [_option_choice(option, lang) for option in question.options],
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
                        "procurement_summary", lang, **self._summary(values, lang),
                        guide=_guide(values),
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

    def _intro(self, lang: Lang, asked_before: int) -> str:
        """What the guide does, how many questions it asks, and when IT answers (pack data)."""
        days = load_pack(self._pack_key).procurement.screening_time.working_days
        # The need and unit (when still to ask) and the questions every request is asked.
        questions = asked_before + len(self._screening.asked({}))
        return text("procurement.intro", lang, questions=questions, days=days)

    @staticmethod
    def _message(body: str, buttons: list[str], said: dict[str, str]) -> Activity:
        return next_steps(MessageFactory.text(body), [(b, said.get(b, b)) for b in buttons])

    async def _profile_unit(self, step: WaterfallStepContext) -> str | None:
        if self._profile is None:
            return None
        unit = (await self._profile.get(step.context, dict)).get("unit")
        return unit if isinstance(unit, str) and unit else None

    @staticmethod
    async def valid_answer(prompt: PromptValidatorContext) -> bool:
        """Read the answer to the slot being asked, from a button or free text."""
        spec = prompt.options.validations or {}
        raw = prompt.recognized.value if prompt.recognized.succeeded else None
        value = prompt.context.activity.value
        if isinstance(value, dict) and value.get("guide") not in (None, spec.get("guide")):
            # A button of an earlier guide's card: what became of that guide, then this
            # guide's question again (it is not an answer to it).
            await guide_outcome(prompt.context, value)
            if prompt.options.prompt is not None:
                await prompt.context.send_activity(prompt.options.prompt)
            return False
        if isinstance(value, dict) and isinstance(value.get("procurement_choice"), str):
            raw = value["procurement_choice"]
        result = read_slot(spec, raw)
        if result is None:
            return False
        prompt.recognized.value = result
        return True

    # --- the end ---------------------------------------------------------------------------

    def _departures(self, values: dict[str, Any]) -> list[DepartureAnswer]:
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

    def _answers(self, values: dict[str, Any]) -> dict[str, Any]:
        answers = values.get("answers", {})
        asked = {q.key for q in self._screening.asked(answers)}
        return {k: v for k, v in answers.items() if k in asked}

    def _summary(self, values: dict[str, Any], lang: Lang) -> dict[str, Any]:
        return summary_values(
            pack_key=self._pack_key,
            need=values["need"],
            unit=values["unit"],
            answers=self._answers(values),
            departures=self._departures(values),
            lang=lang,
        )

    def _requester(self, step: WaterfallStepContext) -> Requester:
        user = turn_user(step.context)
        return Requester(
            principal=user.identity,
            name=user.name or user.email or user.identity,
            email=user.email,
            aad_object_id=user.aad_object_id,
            lang=turn_lang(step.context),
        )

    async def _stop(self, step: WaterfallStepContext, status: RequestStatus) -> DialogTurnResult:
        values = step.values
        systems = (values.get("reuse") or {}).get("systems") or []
        await record_stopped(
            session=turn_session(step.context),
            requester=self._requester(step),
            pack_key=self._pack_key,
            unit=values.get("unit", ""),
            need=values.get("need", ""),
            status=status,
            answers=self._answers(values),
            reuse_candidates=systems,
            reuse_system_id=systems[0]["system_id"]
            if status == RequestStatus.REUSE and systems
            else None,
        )
        if status == RequestStatus.REUSE:
            suffix = "" if _owner_shown(values.get("reuse") or {}) else "_no_owner"
            await say(
                step.context,
                f"procurement.reuse_stopped{suffix}",
                system=systems[0]["name"] if systems else None,
            )
        else:
            await say(step.context, "procurement.withdrawn")
        return await step.end_dialog(status.value)

    async def submit_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        ended = await self._keep(step)
        if ended is not None:
            return ended
        values = step.values
        session = turn_session(step.context)
        record = await submit_request(
            session=session,
            requester=self._requester(step),
            pack_key=self._pack_key,
            unit=values["unit"],
            need=values["need"],
            answers=self._answers(values),
            departures=self._departures(values),
            reuse_candidates=(values.get("reuse") or {}).get("systems") or [],
        )
        # Without IT's channel the screeners get it 1:1 and the admins are told to set the
        # channel up: that is theirs to fix, so the employee hears only that it is on its way.
        await announce_request(
            session=session,
            record=record,
            default_channel=self._options.default_channel,
            tz=self._options.tz,
            it_lang=self._options.it_lang,
        )
        days = load_pack(self._pack_key).procurement.screening_time.working_days
        await say(step.context, "procurement.sent", id=record.id, days=days)
        if self._options.kick is not None:
            after_commit(step.context, self._options.kick)
        return await step.end_dialog(record.id)
