"""The procurement screening as pure rules: questions from a pack, answers parsed, departures found.

Data lives in `packs/_shared/screening.yaml`; a pack may override questions, checks or the
follow-or-explain text by key in `packs/<pack>/screening.yaml`, which also names, for every
check, the pack principle it departs from. Loading validates every key a check or condition
names against the questions, and every check's principle against the pack.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources.abc import Traversable
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, ValidationError, model_validator

from knowledge.packs import SHARED, load_pack, packs_root
from knowledge.schema import Pack
from knowledge.schema_base import Key, Model, Offered, Sourced, Text
from knowledge.text import FuzzyIndex, Language, fold, name_key
from knowledge.yaml_loader import safe_load

AnswerValue = str | int | None
Kind = Literal["choice", "text", "number", "person"]
OptionKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
MAX_TEXT_ANSWER = 500
MAX_OPTIONS = 5  # Teams shows at most five actions on a card


class ScreeningError(Exception):
    """Screening data that does not load: every problem found."""

    def __init__(self, pack: str, problems: list[str]) -> None:
        self.problems = tuple(problems)
        heading = f"screening for '{pack}' has {len(problems)} problems:"
        super().__init__("\n".join((heading, *problems)))


class Option(Offered):
    """One answer to a choice question, offered as a button."""

    key: OptionKey
    label_da: Text
    label_en: Text

    @model_validator(mode="after")
    def _fits_a_button(self) -> Option:
        self.require_short_names("label")
        return self

    def full_name(self, lang: Language) -> str:
        """The option in full, as a summary shows it."""
        return self.label_en if lang == "en" else self.label_da

    def names(self) -> tuple[str, ...]:
        """Everything a user may write to choose this option."""
        shorts = tuple(s for s in (self.short_da, self.short_en) if s)
        return (self.label_da, self.label_en, *shorts, *self.synonyms_da, *self.synonyms_en)


class Condition(Model):
    """A test on one answer: in a set of options, outside it, or none given."""

    question: Key
    in_: tuple[OptionKey, ...] = Field(default=(), alias="in")
    not_in: tuple[OptionKey, ...] = ()
    is_none: bool | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Condition:
        given = sum(bool(x) for x in (self.in_, self.not_in, self.is_none is not None))
        if given != 1:
            raise ValueError("a condition needs exactly one of in, not_in, is_none")
        return self

    def holds(self, answers: Mapping[str, AnswerValue]) -> bool:
        """True when the answer to `question` satisfies this condition."""
        if self.question not in answers:
            return False
        value = answers[self.question]
        if self.is_none is not None:
            return (value is None) == self.is_none
        if self.in_:
            return value in self.in_
        return value not in self.not_in


class Question(Sourced):
    """One screening question."""

    key: Key
    kind: Kind
    label_da: Text
    label_en: Text
    prompt_da: Text
    prompt_en: Text
    options: tuple[Option, ...] = ()
    options_from_pack_funding: bool = False
    none_words: tuple[Text, ...] = ()
    same_as: Key | None = None
    same_words: tuple[Text, ...] = ()
    ask_if: Condition | None = None

    @model_validator(mode="after")
    def _options_fit_kind(self) -> Question:
        if (self.kind == "choice") != bool(self.options):
            raise ValueError("choice questions, and only they, have options")
        if len(self.options) > MAX_OPTIONS:
            raise ValueError(f"at most {MAX_OPTIONS} options, one button each")
        keys = [o.key for o in self.options]
        if len(keys) != len(set(keys)):
            raise ValueError("option keys must be unique")
        for lang in ("da", "en"):
            buttons = [fold(o.button(lang)) for o in self.options]
            if len(buttons) != len(set(buttons)):
                raise ValueError(f"two options share a {lang} button title")
        return self

    def label(self, lang: Language) -> str:
        """The short name of the question."""
        return self.label_en if lang == "en" else self.label_da

    def prompt(self, lang: Language) -> str:
        """The question as asked."""
        return self.prompt_en if lang == "en" else self.prompt_da

    def option(self, key: str) -> Option:
        """The option `key`; KeyError when unknown."""
        for option in self.options:
            if option.key == key:
                return option
        raise KeyError(key)

    def asked(self, answers: Mapping[str, AnswerValue]) -> bool:
        """Whether the question applies given earlier answers."""
        return self.ask_if is None or self.ask_if.holds(answers)


class Check(Sourced):
    """A rule: when every condition holds, the answers depart from a principle (which one is
    each pack's to say, in its `departs_from`)."""

    key: Key
    when: tuple[Condition, ...] = Field(min_length=1)
    explain_da: Text
    explain_en: Text

    def explain(self, lang: Language) -> str:
        """The departure in plain words."""
        return self.explain_en if lang == "en" else self.explain_da


class FollowOrExplain(Sourced):
    """How departures are explained: a justification always, a plan when required."""

    plan_required: bool = True
    intro_da: Text
    intro_en: Text

    def intro(self, lang: Language) -> str:
        """The explanation that opens the departures step."""
        return self.intro_en if lang == "en" else self.intro_da


class ScreeningFile(Model):
    """One screening.yaml: the shared file, or a pack's overrides (same keys replace)."""

    follow_or_explain: FollowOrExplain | None = None
    questions: tuple[Question, ...] = ()
    checks: tuple[Check, ...] = ()
    # Check key → the id of the pack principle it departs from; a pack's own file names one
    # for every check, so no departure is filed under a principle by guesswork.
    departs_from: dict[Key, Key] = Field(default_factory=dict)


@dataclass(frozen=True)
class Departure:
    """One check that fired, and the pack principle it departs from."""

    check: Check
    principle_id: str

    @property
    def key(self) -> str:
        """The check's key, which identifies the departure in a request."""
        return self.check.key


@dataclass(frozen=True)
class Screening:
    """The questions and checks that apply to one pack."""

    pack_key: str
    questions: tuple[Question, ...]
    checks: tuple[tuple[Check, str], ...]  # each check with the pack principle it uses
    follow_or_explain: FollowOrExplain

    def question(self, key: str) -> Question:
        """The question `key`; KeyError when unknown."""
        for question in self.questions:
            if question.key == key:
                return question
        raise KeyError(key)

    def asked(self, answers: Mapping[str, AnswerValue]) -> tuple[Question, ...]:
        """The questions that apply given `answers` (conditions read earlier answers only)."""
        return tuple(q for q in self.questions if q.asked(answers))

    def progress(self, key: str, answers: Mapping[str, AnswerValue]) -> tuple[int, int]:
        """Question `key`'s number, and how many questions can still be asked in all.

        A question whose condition waits on a question not yet answered still counts, so the
        total never grows as answers come in: it only shrinks when an answer rules one out.
        Answers to `key` and later questions (kept after "tilbage") are not yet settled.
        """
        keys = [q.key for q in self.questions]
        position = keys.index(key)
        settled = {k: v for k, v in answers.items() if k in keys[:position]}
        possible: dict[str, bool] = {}
        for question in self.questions:
            condition = question.ask_if
            if condition is None:
                possible[question.key] = True
            elif keys.index(condition.question) < position:
                possible[question.key] = question.asked(settled)
            else:  # decided by an answer still to come
                possible[question.key] = possible.get(condition.question, False)
        number = sum(possible[k] for k in keys[:position]) + 1
        return number, sum(possible.values())

    def departures(self, answers: Mapping[str, AnswerValue]) -> tuple[Departure, ...]:
        """Every check the answers trigger, in the data's order."""
        applicable = {q.key for q in self.asked(answers)}
        relevant = {k: v for k, v in answers.items() if k in applicable}
        return tuple(
            Departure(check, principle)
            for check, principle in self.checks
            if all(c.holds(relevant) for c in check.when)
        )


def _read(folder: str, root: Traversable | None = None) -> dict[str, Any] | None:
    path = (root or packs_root()).joinpath(folder).joinpath("screening.yaml")
    if not path.is_file():
        return None
    return safe_load(path.read_text(encoding="utf-8")) or {}


def _merged(base: tuple[Any, ...], local: tuple[Any, ...], key: str) -> tuple[Any, ...]:
    replaced = {getattr(item, key): item for item in local}
    kept = tuple(replaced.pop(getattr(item, key), item) for item in base)
    return kept + tuple(replaced.values())


def _problems(screening_file: ScreeningFile, pack: Pack) -> list[str]:
    problems: list[str] = []
    questions = {q.key: q for q in screening_file.questions}
    documents = {d.id for d in pack.registry}

    def check_condition(where: str, condition: Condition) -> None:
        target = questions.get(condition.question)
        if target is None:
            problems.append(f"{where}: unknown question '{condition.question}'")
            return
        known = {o.key for o in target.options}
        for key in (*condition.in_, *condition.not_in):
            if key not in known:
                problems.append(f"{where}: '{condition.question}' has no option '{key}'")

    for q in screening_file.questions:
        if q.ask_if is not None:
            check_condition(f"questions.{q.key}.ask_if", q.ask_if)
        if q.same_as is not None and q.same_as not in questions:
            problems.append(f"questions.{q.key}.same_as: unknown question '{q.same_as}'")
        if q.source.doc not in documents:
            problems.append(f"questions.{q.key}.source: unknown document '{q.source.doc}'")
    for check in screening_file.checks:
        for i, condition in enumerate(check.when):
            check_condition(f"checks.{check.key}.when[{i}]", condition)
        if check.source.doc not in documents:
            problems.append(f"checks.{check.key}.source: unknown document '{check.source.doc}'")
    principle_ids = {p.id for p in pack.principles}
    check_keys = {check.key for check in screening_file.checks}
    for check in screening_file.checks:
        principle = screening_file.departs_from.get(check.key)
        if principle is None:
            problems.append(f"departs_from: no principle named for check '{check.key}'")
        elif principle not in principle_ids:
            problems.append(f"departs_from.{check.key}: the pack has no principle '{principle}'")
    for key in screening_file.departs_from:
        if key not in check_keys:
            problems.append(f"departs_from: unknown check '{key}'")
    if screening_file.follow_or_explain is None:
        problems.append("follow_or_explain is missing")
    return problems


def _funding_options(question: Question, pack: Pack) -> Question:
    allowed = set(pack.procurement.funding.kinds) | {"unknown"}
    options = tuple(o for o in question.options if o.key in allowed)
    return question.model_copy(update={"options": options})


def _assemble(pack: Pack, root: Traversable | None = None) -> tuple[ScreeningFile, list[str]]:
    """The shared screening with the pack's own file over it, and every problem found."""
    try:
        shared = ScreeningFile.model_validate(_read(SHARED, root) or {})
        local = ScreeningFile.model_validate(_read(pack.key, root) or {})
    except ValidationError as exc:
        return ScreeningFile(), [str(exc)]
    merged = ScreeningFile(
        follow_or_explain=local.follow_or_explain or shared.follow_or_explain,
        questions=_merged(shared.questions, local.questions, "key"),
        checks=_merged(shared.checks, local.checks, "key"),
        departs_from=local.departs_from,
    )
    return merged, _problems(merged, pack)


def screening_problems(pack: Pack, root: Traversable | None = None) -> list[str]:
    """Every problem of `pack`'s screening under `root` (default: the bundled packs)."""
    return [f"{pack.key}/screening.yaml: {problem}" for problem in _assemble(pack, root)[1]]


@lru_cache(maxsize=8)
def load_screening(pack_key: str) -> Screening:
    """The validated screening for `pack_key`; raises ScreeningError listing every problem."""
    pack = load_pack(pack_key)
    merged, problems = _assemble(pack)
    if problems:
        raise ScreeningError(pack_key, problems)
    assert merged.follow_or_explain is not None
    checks = tuple((check, merged.departs_from[check.key]) for check in merged.checks)
    questions = tuple(
        _funding_options(q, pack) if q.options_from_pack_funding else q for q in merged.questions
    )
    return Screening(pack_key, questions, checks, merged.follow_or_explain)


# --- answers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Parsed:
    """A recognised answer: `value` is an option key, text, number or None ("none")."""

    value: AnswerValue


_NUMBER = re.compile(r"\d[\d.\s]*")


def _words_match(text: str, words: tuple[str, ...]) -> bool:
    key, folded = name_key(text), fold(text)
    return any((key and name_key(w) == key) or fold(w) == folded for w in words)


def parse_answer(
    question: Question, text: str, answers: Mapping[str, AnswerValue] | None = None
) -> Parsed | None:
    """The answer `text` gives to `question`, or None when it cannot be read as one."""
    text = (text or "").strip()
    if not text:
        return None
    if question.kind == "choice":
        return _parse_choice(question, text)
    if question.none_words and _words_match(text, question.none_words):
        return Parsed(None)
    if question.same_as and question.same_words and _words_match(text, question.same_words):
        return Parsed((answers or {}).get(question.same_as))
    if question.kind == "number":
        found = _NUMBER.search(text)
        if not found:
            return None
        number = int(re.sub(r"[.\s]", "", found.group()))
        return Parsed(number) if 0 < number <= 1_000_000 else None
    if len(text) > MAX_TEXT_ANSWER or (question.kind == "person" and len(text) < 2):
        return None
    return Parsed(text)


def _parse_choice(question: Question, text: str) -> Parsed | None:
    if text.isdigit() and 1 <= int(text) <= len(question.options):
        return Parsed(question.options[int(text) - 1].key)
    wanted = name_key(text)
    folded = fold(text)
    for option in question.options:
        if any(name_key(n) == wanted or fold(n) == folded for n in option.names()):
            return Parsed(option.key)
    index = FuzzyIndex((o.key, o.names()) for o in question.options)
    best = index.search(text, limit=1, cutoff=88.0)
    return Parsed(best[0].key) if best else None


def answer_label(question: Question, value: AnswerValue, lang: Language) -> str:
    """An answer as the user reads it in a summary."""
    if value is None:
        return (
            "–"
            if question.kind in ("text", "number")
            else ("ikke afklaret" if lang == "da" else "not settled")
        )
    if question.kind == "choice":
        try:
            option = question.option(str(value))
        except KeyError:
            return str(value)
        return option.full_name(lang)
    return str(value)


def option_buttons(question: Question, lang: Language) -> tuple[str, ...]:
    """The options' button titles, in order."""
    return tuple(o.button(lang) for o in question.options)
