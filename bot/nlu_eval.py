"""Scores the intent model on labelled messages it was not trained on.

A message counts as *reached* when the intent govbot acts on has the expected label (an
intent's family, e.g. meetings.move → meetings.admin). "Vil du …?" buttons count as asked
back, and leaving the text to the fallbacks counts as reaching the knowledge answers (that is
where such text goes). Follow-ups are resolved the way the follow-up capability routes them:
against the intent that answered the context message.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.capabilities.followup import other_subject_target
from bot.intent_declarations import normalise
from bot.intents import IntentMatcher
from knowledge.intent_model import Utterance, fill_slots
from knowledge.name_index import NameIndex
from knowledge.packs import load_pack
from knowledge.slots import SlotFinder, pack_topics
from knowledge.text import fold
from storage.demo.directory import PEOPLE, SYSTEMS

FALLBACK = "fallback"
OFFER = "offer"
OUT_OF_SCOPE = "out_of_scope"
# Labels whose handler starts a flow or reads or changes records; an out-of-scope message must
# reach none of them.
FLOW_PREFIXES = ("procurement.", "portfolio.", "meetings.", "directory.", "access.", "privacy.")
# Where a follow-up goes once resolved against its context.
FOLLOWUP_TARGETS = {
    "followup.next": "meetings.next",
    "followup.previous": "meetings.next",
    "followup.place": "meetings.next",
    "followup.email": "directory.role",
}


@dataclass(frozen=True)
class Item:
    """One labelled message, with the message before it for a follow-up."""

    text: str
    label: str
    lang: str
    context: str | None = None
    expect: dict[str, str] = field(default_factory=dict)


@dataclass
class Report:
    """Counts over one set."""

    total: int = 0
    reached: int = 0
    offered: int = 0
    out_of_scope: int = 0
    out_of_scope_flows: int = 0
    capability_reached: int = 0
    # Messages worded differently from every training utterance, and how many of them reached.
    novel: int = 0
    novel_reached: int = 0
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    predicted: Counter[str] = field(default_factory=Counter)
    expected: Counter[str] = field(default_factory=Counter)
    correct: Counter[str] = field(default_factory=Counter)

    @property
    def in_scope(self) -> int:
        """Messages govbot should act on."""
        return self.total - self.out_of_scope

    @property
    def right_intent_share(self) -> float:
        """In-scope messages that reached their intent (the figure held to its target)."""
        return share(self.reached, self.in_scope)

    @property
    def no_flow_share(self) -> float:
        """Out-of-scope messages that started no flow (the figure held to its target)."""
        return share(self.out_of_scope - self.out_of_scope_flows, self.out_of_scope)


def share(count: int, of: int) -> float:
    """`count` of `of` as a fraction (1.0 when there is nothing to count)."""
    return count / of if of else 1.0


def load_items(path: Path) -> list[Item]:
    """A held-out or training-style set: `items: [{text, intent, lang, context?}]`."""
    data = yaml.safe_load(path.read_text("utf-8")) or {}
    return [
        Item(
            str(i["text"]),
            str(i["intent"]),
            str(i.get("lang", "da")),
            i.get("context"),
            {str(k): str(v) for k, v in (i.get("expect") or {}).items()},
        )
        for i in data.get("items") or ()
    ]


def demo_slots(matcher: IntentMatcher, pack_key: str) -> SlotFinder:
    """Names as `make run` knows them: the demo directory and the pack's bodies."""
    pack = load_pack(pack_key)
    people = [(key, (f"{first} {last}",)) for key, (first, last, _unit) in PEOPLE.items()]
    systems = [
        (name, (name, *[a for a in aliases.split("|") if a])) for name, aliases, *_ in SYSTEMS
    ]
    vocabulary = matcher.model.vocabulary if matcher.model is not None else frozenset()
    return SlotFinder(
        {
            "body": NameIndex((b.key, b.names) for b in pack.bodies),
            "system": NameIndex(systems),
            "person": NameIndex(people),
        },
        ordinary=lambda word: fold(word) in vocabulary,
        topics=pack_topics(entry.title_da for entry in pack.faq),
    )


def label_of(
    matcher: IntentMatcher,
    text: str,
    slots: SlotFinder,
    after: str | None = None,
    sure: Callable[[str], bool] | None = None,
) -> str:
    """What govbot does with `text` (after an answer of intent `after`): an intent's label,
    OFFER or FALLBACK."""
    understood = matcher.understand(text, slots, after=after)
    if understood.match is not None:
        intent = matcher.intent(understood.match.key)
        return intent.label if intent is not None else understood.match.key
    if understood.offers and not (sure is not None and sure(understood.text)):
        return OFFER
    return FALLBACK  # the fallbacks, or the pack's sure answer before a "Vil du …?"


def followup_label(
    matcher: IntentMatcher,
    item: Item,
    slots: SlotFinder,
    sure: Callable[[str], bool] | None = None,
) -> str:
    """The label a follow-up reaches once routed against its context message."""
    before = label_of(matcher, item.context or "", slots, sure=sure)
    said = label_of(matcher, item.text, slots, after=before, sure=sure)
    if said == "followup.other_subject":
        return other_subject_target(before, slots.find(item.text).params()) or FALLBACK
    return FOLLOWUP_TARGETS.get(said, said)


def pack_is_sure(pack_key: str) -> Callable[[str], bool]:
    """Whether the pack answers a text confidently (what the bot tries before "Vil du …?")."""
    from bot.capabilities.knowledge import is_sure
    from knowledge.answers import answer_question
    from knowledge.text import detect_language

    pack = load_pack(pack_key)

    def sure(text: str) -> bool:
        return is_sure(answer_question(pack, text, detect_language(text)))

    return sure


def capability(label: str) -> str:
    """The capability a label belongs to (knowledge for text left to the fallbacks)."""
    if label == FALLBACK:
        return "knowledge"
    if label in ("greeting", "help", "profile"):
        return "core"
    return label.split(".")[0]


def evaluate(
    matcher: IntentMatcher,
    items: Iterable[Item],
    slots: SlotFinder,
    trained: frozenset[str] = frozenset(),
    sure: Callable[[str], bool] | None = None,
) -> Report:
    """Score every item; `trained` holds the normalised training texts, to count novel ones."""
    report = Report()
    for item in items:
        got = (
            followup_label(matcher, item, slots, sure=sure)
            if item.context
            else label_of(matcher, item.text, slots, sure=sure)
        )
        report.total += 1
        report.expected[item.label] += 1
        if item.label == OUT_OF_SCOPE:
            report.predicted[got] += 1
            report.out_of_scope += 1
            if got.startswith(FLOW_PREFIXES):
                report.out_of_scope_flows += 1
                report.confusion[(item.label, got)] += 1
            continue
        if got == OFFER:
            report.offered += 1
        reached = got == item.label or (got == FALLBACK and item.label == "knowledge.question")
        # "hvem deltager?" after a meeting is asked of the members' list.
        reached = reached or (
            got == "meetings.members" and item.expect.get("attribute") == "members"
        )
        # A reached message counts as predicting its own label (precision never passes 100 %
        # when a neighbour label, e.g. the members' list for "hvem deltager?", is accepted).
        report.predicted[item.label if reached else got] += 1
        if normalise(item.text) not in trained:
            report.novel += 1
            report.novel_reached += int(reached)
        if reached:
            report.reached += 1
            report.correct[item.label] += 1
        else:
            report.confusion[(item.label, got)] += 1
        if reached or (got != OFFER and capability(got) == capability(item.label)):
            report.capability_reached += 1
    return report


def format_report(name: str, report: Report) -> list[str]:
    """The report as lines: totals, per-label precision/recall, the confusion pairs."""
    lines = [
        f"== {name}: {report.total} messages ({report.in_scope} in scope, "
        f"{report.out_of_scope} out of scope)",
        f"in scope, right intent:      {report.reached}/{report.in_scope} "
        f"= {report.right_intent_share:.1%}",
        f"in scope, right capability:  {report.capability_reached}/{report.in_scope} "
        f"= {share(report.capability_reached, report.in_scope):.1%}",
        f"in scope, asked back:        {report.offered}",
        f"worded unlike any training utterance, right intent: {report.novel_reached}/"
        f"{report.novel} = {share(report.novel_reached, report.novel):.1%}",
        f"out of scope, no flow:       {report.out_of_scope - report.out_of_scope_flows}/"
        f"{report.out_of_scope} = "
        f"{report.no_flow_share:.1%}",
        "label                          recall   precision   n",
    ]
    for label in sorted(report.expected):
        if label == OUT_OF_SCOPE:
            continue
        recall = share(report.correct[label], report.expected[label])
        predicted = report.predicted[label]
        if label == "knowledge.question":  # text left to the fallbacks reaches it too
            predicted += report.predicted[FALLBACK]
        precision = share(report.correct[label], predicted)
        lines.append(f"{label:30} {recall:6.1%}   {precision:8.1%}   {report.expected[label]}")
    lines.append("confusions (expected → got: count)")
    for (expected, got), count in report.confusion.most_common():
        lines.append(f"  {expected} → {got}: {count}")
    return lines


# Names the training templates are filled with for the training-set figure.
DEMO_SAMPLES = {
    "system": "SBSYS",
    "body": "styregruppen",
    "person": "Mette Holm",
    "unit": "Borgerservice",
    "year": "2027",
    "n": "12",
}


def training_items(matcher: IntentMatcher, utterances: Sequence[Utterance]) -> list[Item]:
    """The training utterances as items, names filled in (for the figure beside held-out)."""
    items: list[Item] = []
    for utterance in utterances:
        intent = matcher.intent(utterance.intent)
        if intent is None or intent.key.startswith("followup."):
            continue
        text = fill_slots(utterance.text, DEMO_SAMPLES)
        items.append(Item(text, intent.label, utterance.lang))
    return items


@dataclass(frozen=True)
class Held:
    """One training utterance scored by a model that did not see it (cross-validation)."""

    label: str
    top: str
    probability: float


def cross_validate(utterances: Sequence[Utterance], folds: int = 5) -> list[Held]:
    """Each utterance scored by a model trained on the other folds (a template and its
    filled copies stay in one fold, so a fold never sees its own sentence)."""
    from bot.intents import SAMPLE_NAMES
    from knowledge.intent_model import IntentModel, expand

    held: list[Held] = []
    for part in range(folds):
        train = [u for i, u in enumerate(utterances) if i % folds != part]
        test = [u for i, u in enumerate(utterances) if i % folds == part]
        model = IntentModel.train(expand(train, SAMPLE_NAMES))
        for utterance in test:
            top = model.rank(fill_slots(utterance.text), limit=1)[0]
            held.append(Held(utterance.intent, top.intent, top.probability))
    return held


def band_table(held: Sequence[Held], thresholds: Iterable[float]) -> list[str]:
    """For each act threshold: the share acted on and how often the act was right."""
    lines = ["act≥   acted   right-when-acted   right-below"]
    for threshold in thresholds:
        acted = [h for h in held if h.probability >= threshold]
        below = [h for h in held if h.probability < threshold]
        right = sum(h.top == h.label for h in acted)
        right_below = sum(h.top == h.label for h in below)
        lines.append(
            f"{threshold:4.2f}   {len(acted) / len(held):6.1%}   "
            f"{right / max(1, len(acted)):16.1%}   {right_below / max(1, len(below)):10.1%}"
        )
    return lines
