"""The procurement dialog's slots and how an answer to each is read (buttons or free text)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from dialogs.base import PromptReading, Takes
from dialogs.texts import LANGUAGES, text
from knowledge.screening import Screening, load_screening, parse_answer
from knowledge.text import fold

SlotKind = Literal["need", "unit", "reuse", "question", "justify", "plan", "confirm"]
NEED_CHARS = (5, 2000)
UNIT_CHARS = (2, 200)
EXPLAIN_CHARS = (5, 1000)
CONFIRM_WORDS = ("send", "bekræft", "ja", "ok", "confirm", "yes", "send it")
# Besides the buttons' own titles: what people write, and the buttons' longer earlier titles.
CONTINUE_WORDS = (
    "fortsæt",
    "videre",
    "fortsæt med ny anmodning",
    "continue",
    "go on",
    "go on with a new request",
)
STOP_WORDS = (
    "jeg kontakter systemejeren",
    "i'll contact the system owner",
    "kontakter systemejeren",
    "systemejeren",
    "contact the system owner",
    "contact the owner",
)


@dataclass(frozen=True)
class Slot:
    """One thing the dialog asks: its kind and, for questions and departures, which one."""

    kind: SlotKind
    target: str = ""

    @property
    def key(self) -> str:
        """A stable name, kept in dialog state: "need", "q:hosting", "justify:own_logins"."""
        prefix = "q" if self.kind == "question" else self.kind
        return f"{prefix}:{self.target}" if self.target else self.kind


def slots_for(screening: Screening) -> tuple[Slot, ...]:
    """Every slot in order; which apply is decided as the conversation goes."""
    departures = [
        slot
        for check, _ in screening.checks
        for slot in (Slot("justify", check.key), Slot("plan", check.key))
    ]
    return (
        Slot("need"),
        Slot("unit"),
        Slot("reuse"),
        *(Slot("question", q.key) for q in screening.questions),
        *departures,
        Slot("confirm"),
    )


WITHDRAW_WORDS = ("træk anmodningen tilbage", "withdraw the request")
WITHDRAW_LABELS = ("procurement.withdraw",)
# The slots answered in free text, and how long the answer may be.
FREE_TEXT_CHARS = {"need": NEED_CHARS, "unit": UNIT_CHARS}
# The slots answered by a choice: each choice, the buttons that send it, the words that mean it.
CHOICES: dict[str, tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]] = {
    "reuse": (
        ("stop", ("procurement.reuse_stop", "procurement.reuse_stop_no_owner"), STOP_WORDS),
        ("continue", ("procurement.reuse_continue",), CONTINUE_WORDS),
    ),
    "confirm": (("confirm", ("procurement.confirm",), CONFIRM_WORDS),),
}


def _labels(key: str) -> set[str]:
    return {fold(text(key, lang)) for lang in LANGUAGES}


def _chosen_by(label_keys: tuple[str, ...], words: tuple[str, ...]) -> set[str]:
    """The folded texts that choose an answer: its buttons' titles and the words for it."""
    return {label for key in label_keys for label in _labels(key)} | set(map(fold, words))


def _length_ok(value: str, bounds: tuple[int, int]) -> bool:
    return bounds[0] <= len(value) <= bounds[1]


def read_slot(spec: dict[str, Any], raw: str | None) -> dict[str, Any] | None:
    """The answer `raw` gives to the slot named in `spec`, or None when it is not one."""
    if raw is None:
        return None
    value = " ".join(raw.split())
    slot: str = spec.get("slot", "")
    folded = fold(value)
    if slot in FREE_TEXT_CHARS:
        return {"slot": slot, "value": value} if _length_ok(value, FREE_TEXT_CHARS[slot]) else None
    if slot in CHOICES:
        for choice, labels, words in CHOICES[slot]:
            if value == choice or folded in _chosen_by(labels, words):
                return {"slot": slot, "value": choice}
        return None
    if slot.startswith("justify:") and folded in _chosen_by(WITHDRAW_LABELS, WITHDRAW_WORDS):
        return {"slot": slot, "withdraw": True}
    if slot.startswith(("justify:", "plan:")):
        return {"slot": slot, "value": value} if _length_ok(value, EXPLAIN_CHARS) else None
    if slot.startswith("q:"):
        question = load_screening(spec["pack"]).question(slot[2:])
        same = question.same_as
        parsed = parse_answer(question, value, {same: spec.get("same")} if same else None)
        return None if parsed is None else {"slot": slot, "value": parsed.value}
    return None


def read_prompt(validations: Mapping[str, Any], said: str) -> PromptReading:
    """What the slot named in `validations` makes of `said`: the kind of answer it takes, and
    whether it takes `said` (the guide's questions and buttons take only what they can read)."""
    slot: str = validations.get("slot", "")
    reads = read_slot(dict(validations), said) is not None
    if slot == "need" or slot.startswith(("justify:", "plan:")):
        return PromptReading(Takes.TEXT, reads)
    if slot == "unit":
        return PromptReading(Takes.NAME, reads)
    if slot.startswith("q:"):
        kind = load_screening(validations["pack"]).question(slot[2:]).kind
        takes = {"choice": Takes.CHOICE, "person": Takes.NAME}.get(kind, Takes.TEXT)
        return PromptReading(takes, reads)
    return PromptReading(Takes.CHOICE, reads)
