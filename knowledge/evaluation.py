"""Evaluate the answer engine on question sets written apart from the packs.

A set is a YAML file: `pack: KEY` and `items: [{q, expect: [...], doc, lang}]`. An answer is
right when its text, as the user sees it, states one of the `expect` facts (case, dashes and
spaces ignored, a number in digits or words: `states_expected`), and confident when it was
given as an answer rather than "Mente du …?" or "det ved jeg ikke". The writers took the
expected facts from the Danish documents, so an English answer also states a fact when the
same entry's Danish answer does ("IT & Digitalisation" is "IT & Digitalisering"): the fact is
the entry's, whatever the language it is shown in. Items without `expect` are out of scope:
they are asked against every pack (or the item's own `pack`) and must never be answered
confidently.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from knowledge.answers import (
    Confidence,
    KnowledgeAnswer,
    KnowledgeIndex,
    answer_question,
    knowledge_index,
)
from knowledge.packs import available_packs, load_pack
from knowledge.retrieval import PassageHit
from knowledge.text import Language, normalise

TARGET_RIGHT = 0.95
_DASHES = re.compile(r"[-\u2010-\u2015\u2212]")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Item:
    """One question; `expect` is empty for an out-of-scope question."""

    question: str
    expect: tuple[str, ...]
    language: Language | None
    pack: str | None
    doc: str | None
    origin: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one question was answered."""

    item: Item
    pack: str
    verdict: str  # right | wrong | asked_back | unknown | confident (out of scope)
    answer: str


@dataclass
class PackReport:
    """The counts for one pack."""

    pack: str
    right: int = 0
    wrong: int = 0
    asked_back: int = 0
    unknown: int = 0
    out_of_scope: int = 0
    out_of_scope_confident: int = 0
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def total(self) -> int:
        """In-scope questions asked."""
        return self.right + self.wrong + self.asked_back + self.unknown

    @property
    def right_share(self) -> float:
        """Share of in-scope questions answered right and confidently."""
        return self.right / self.total if self.total else 1.0

    @property
    def meets_targets(self) -> bool:
        """≥ 95 % right and confident, none wrong and confident, no out-of-scope answered."""
        return (
            self.right_share >= TARGET_RIGHT
            and self.wrong == 0
            and self.out_of_scope_confident == 0
        )


# A number is one fact however it is spelt: "fire", "four" and "4" (one is left out: "en",
# "et" and "one" are mostly not numbers).
_NUMBER_SPELLINGS = tuple(
    frozenset(group)
    for group in (
        ("2", "to", "two"),
        ("3", "tre", "three"),
        ("4", "fire", "four"),
        ("5", "fem", "five"),
        ("6", "seks", "six"),
        ("7", "syv", "seven"),
        ("8", "otte", "eight"),
        ("9", "ni", "nine"),
        ("10", "ti", "ten"),
        ("12", "tolv", "twelve"),
    )
)
_SPELLINGS_OF = {word: group for group in _NUMBER_SPELLINGS for word in group}
_WORD = re.compile(r"\w+")


def states_expected(answer_text: str, expect: Iterable[str], *, literal: bool = False) -> bool:
    """Whether the answer says one of the expected facts.

    Case, dashes and white space are ignored ("niveau1" is "niveau 1"); a number in an expected
    fact may be spelt in digits or as a Danish or English word ("minimum 4" is stated by
    "minimum fire" and "minimum four"), matched as whole words. Unless `literal`, a fact of
    one word is also stated in another inflection of it, or as the last part of a compound:
    "styregruppen" by "Den tværgående digitaliseringsstyregruppe", "sekretær" by
    "Sekretæren" (`_in_other_forms`). A fact of several words is matched as written: their
    order, a number or a negation among them is part of the fact ("to gange om året" is not
    "fire gange om året", "gives af" not "gives ikke af").
    """
    expect = tuple(expect)
    if _literally(answer_text, expect):
        return True
    return not literal and any(_in_other_forms(answer_text, fact) for fact in expect)


# A word of a fact this long (stemmed) may stand as the last part of a compound.
MIN_COMPOUND_TAIL = 5


def _in_other_forms(answer_text: str, fact: str) -> bool:
    """Whether a one-word `fact` is in the answer stemmed, or ends one of its compounds."""
    if len(fact.split()) != 1:
        return False
    wanted = normalise(fact)
    if len(wanted) != 1 or wanted[0].isdigit():
        return False
    word = wanted[0]
    said = set(normalise(answer_text))
    return word in said or (len(word) >= MIN_COMPOUND_TAIL and any(t.endswith(word) for t in said))


def _literally(answer_text: str, expect: Iterable[str]) -> bool:
    """The literal comparison of `states_expected`."""
    seen = fold_for_compare(answer_text)
    bare = seen.replace(" ", "")
    for fact in expect:
        wanted = fold_for_compare(fact)
        if wanted in seen or wanted.replace(" ", "") in bare:
            return True
        numbers = [m for m in _WORD.finditer(wanted) if m.group() in _SPELLINGS_OF]
        for m in numbers:
            for spelling in _SPELLINGS_OF[m.group()] - {m.group()}:
                variant = wanted[: m.start()] + spelling + wanted[m.end() :]
                if re.search(rf"(?<!\w){re.escape(variant)}(?!\w)", seen):
                    return True
    return False


def answer_states(
    index: KnowledgeIndex,
    question: str,
    lang: Language,
    entry: int,
    hits: Sequence[PassageHit],
    expect: Sequence[str],
) -> bool:
    """Whether entry `entry`'s answer to `question`, as it would be shown, states `expect` (for
    an English question, in English or in the entry's Danish: see the module docstring)."""
    fact = index._fact(entry, list(hits), lang)
    answer = index.replies.confident(question, lang, entry, 1.0, fact=fact)
    return states_expected(answer.text, expect) or _states_in_danish(index, answer, expect)


def fold_for_compare(text: str) -> str:
    """Casefolded text with every dash and hyphen as a space and runs of white space as one.

    "business-case" and "business case", "3–4" and "3-4" are the same fact spelt two ways.
    """
    text = unicodedata.normalize("NFC", text).casefold()
    return _SPACE.sub(" ", _DASHES.sub(" ", text)).strip()


def load_items(directory: Path) -> list[Item]:
    """Every item of every *.yaml file in `directory`, in file order."""
    items: list[Item] = []
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        file_pack = data.get("pack")
        for raw in data.get("items") or ():
            expect = raw.get("expect") or ()
            if isinstance(expect, str):
                expect = (expect,)
            items.append(
                Item(
                    question=str(raw["q"]),
                    expect=tuple(str(e) for e in expect),
                    language=raw.get("lang"),
                    # Out-of-scope items go to every pack unless the item names its own.
                    pack=raw.get("pack") or (file_pack if expect else None),
                    doc=str(raw["doc"]) if raw.get("doc") is not None else None,
                    origin=path.name,
                )
            )
    return items


Answerer = Callable[[str, str, Language | None], KnowledgeAnswer]


def _answer(pack: str, question: str, language: Language | None) -> KnowledgeAnswer:
    return answer_question(load_pack(pack), question, language)


def evaluate(
    items: Iterable[Item],
    packs: Sequence[str] | None = None,
    answerer: Answerer = _answer,
    *,
    literal: bool = False,
) -> dict[str, PackReport]:
    """Ask every item of the `packs` (default: all) and count the outcomes per pack; `literal`
    counts an answer right only when its own text states the fact word for word (no other
    inflection, no Danish answer behind an English one)."""
    keys = list(packs or available_packs())
    reports = {key: PackReport(key) for key in keys}
    for item in items:
        targets = [item.pack] if item.pack else keys
        for pack in targets:
            if pack not in reports:
                continue
            report = reports[pack]
            answer = answerer(pack, item.question, item.language)
            confident = answer.confidence is Confidence.CONFIDENT
            if not item.expect:
                report.out_of_scope += 1
                verdict = "confident" if confident else answer.confidence.value
                report.out_of_scope_confident += confident
            elif confident:
                right = states_expected(answer.text, item.expect, literal=literal) or (
                    not literal
                    and _states_in_danish(knowledge_index(load_pack(pack)), answer, item.expect)
                )
                verdict = "right" if right else "wrong"
                report.right += right
                report.wrong += not right
            elif answer.confidence is Confidence.SUGGEST:
                verdict = "asked_back"
                report.asked_back += 1
            else:
                verdict = "unknown"
                report.unknown += 1
            report.outcomes.append(Outcome(item, pack, verdict, answer.text))
    return reports


def _states_in_danish(
    index: KnowledgeIndex, answer: KnowledgeAnswer, expect: Sequence[str]
) -> bool:
    """Whether an English answer's entry states `expect` in its Danish answer (the one way the
    eval and the labels read an English answer: see the module docstring)."""
    if answer.language != "en" or answer.entry is None:
        return False
    return states_expected(index.answer_entry(answer.entry.id, "da").text, expect)


def summary_lines(reports: dict[str, PackReport]) -> list[str]:
    """One line per pack, the way `govbot knowledge eval` prints them."""
    lines = [
        f"{'pack':<10} {'right':>6} {'wrong':>6} {'asked':>6} {'unknown':>8} {'right %':>8}"
        f" {'oos':>5} {'oos conf':>9}  target"
    ]
    for r in reports.values():
        lines.append(
            f"{r.pack:<10} {r.right:>6} {r.wrong:>6} {r.asked_back:>6} {r.unknown:>8}"
            f" {r.right_share:>8.1%} {r.out_of_scope:>5} {r.out_of_scope_confident:>9}"
            f"  {'met' if r.meets_targets else 'MISSED'}"
        )
    return lines
