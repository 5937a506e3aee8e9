"""Indkøb: from a need in the employee's words to a confirmed request that IT screens.

One waterfall step per slot: the need, the unit, reuse first, each screening question of the
pack, a justification and a plan for each departure, and the summary to confirm. A slot that
does not apply (no similar systems, a question its condition skips, a principle followed) is
passed on the way forward and on the way back, so "tilbage" always lands on a real question.
What the guide says at each slot is dialogs/procurement_prompts.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from bot.sdk import (
    DialogReason,
    DialogTurnResult,
    MessageFactory,
    PromptValidatorContext,
    StatePropertyAccessor,
    TextPrompt,
    WaterfallDialog,
    WaterfallStepContext,
)
from dialogs.base import GovbotDialog
from dialogs.procurement_notify import announce_request
from dialogs.procurement_outcome import guide_outcome
from dialogs.procurement_prompts import (
    GUIDE_STARTED,
    PROMPT,
    SlotPrompts,
    owner_shown,
    reuse_values,
)
from dialogs.procurement_slots import Slot, read_prompt, read_slot, slots_for
from dialogs.texts import Lang, text
from dialogs.turn import after_commit, say, turn_lang, turn_session, turn_user
from knowledge.packs import load_pack
from knowledge.screening import Screening, load_screening
from storage.directory_snapshots import directory_index
from storage.models.base import utcnow
from storage.procurement import Requester, RequestStatus, record_stopped, submit_request
from storage.procurement_reuse import find_existing

SKIP = "__skip__"


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
        self._prompts = SlotPrompts(pack_key, self._screening)
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
                intro = self._prompts.intro(lang, 1)
                said = f"{text('procurement.started_with_need', lang)} {intro}"
                await step.context.send_activity(MessageFactory.text(said))
                return await step.next({"slot": "need", "value": need.strip()})
        if not await self._applies(step, slot, backing):
            if backing:
                return await self._waterfall.run_step(
                    step, index - 1, DialogReason.ReplaceCalled, None
                )
            return await step.next(SKIP)
        profile_unit = await self._profile_unit(step) if slot.kind == "unit" else None
        return await self._prompts.ask(step, slot, profile_unit)

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
            step.values["reuse"] = reuse_values(found)
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
            answers=self._prompts.answers(values),
            reuse_candidates=systems,
            reuse_system_id=systems[0]["system_id"]
            if status == RequestStatus.REUSE and systems
            else None,
        )
        if status == RequestStatus.REUSE:
            suffix = "" if owner_shown(values.get("reuse") or {}) else "_no_owner"
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
            answers=self._prompts.answers(values),
            departures=self._prompts.departures(values),
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
