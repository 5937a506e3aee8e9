"""What a message in the middle of a flow is: the answer to its question, or something else.

botbuilder's interruption pattern, decided with what the prompt takes (dialogs/base.py
`PromptReading`) and what the intent model reads in the message:

- a greeting or small talk ("hej", "tak for hjælpen") gets its short reply;
- a question or a problem for another capability ("hvem er formand for styregruppen", "min pc
  vil ikke starte") is answered;
- a clear request that starts another flow ("jeg vil gerne melde et nyt digitaliseringsprojekt")
  is offered as a button that puts this flow on pause with its answers kept;

and each time the flow asks its question again. A message the prompt can read stays its answer
unless it is plainly something else, so a unit named "IT-support" is still a unit; a question
("kan jeg se mine igangværende sager") or a request the model is sure of ("vis mine
anmodninger") is never taken as a name, in every dialog's name slots (`Takes.NAME`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from enum import Enum

from bot.intents import IntentMatch, IntentMatcher, Understood
from bot.routing import Routes, SlotSource
from bot.sdk import TurnContext
from dialogs.base import PromptReading, Takes
from dialogs.texts import text
from dialogs.turn import say, show, turn_lang, turn_session
from storage.directory_snapshots import directory_index

# Small talk this short is small talk, not an answer ("tak for hjælpen", "hej govbot").
SMALL_TALK_WORDS = 5
# ... and the model sure of it (a score in per cent): a free-text "nej" is an answer.
SURE_SOCIAL = 90.0
# A name (a unit, a person) is shorter than this; a request is a sentence.
SENTENCE_WORDS = 4
# ... and a request the model is this sure of (per cent) is one from this many words on.
SURE_REQUEST = 85.0
SURE_REQUEST_WORDS = 3
# Intents that are greetings or small talk: replied to briefly wherever they come.
SOCIAL_CAPABILITIES = frozenset({"smalltalk"})
GREETING = "welcome"
# Intents that are never said in the middle of a flow on their own ("og dataejeren?").
NEVER_INTERRUPT = frozenset({"followup"})

QUESTION_WORDS = frozenset(
    "hvem hvad hvor hvordan hvornår hvilken hvilke hvilket hvorfor hvor who what where when "
    "how which why".split()
)
# A yes/no question starts with its verb and then its subject ("kan jeg se …", "må vi …"); an
# answer that starts with a verb has no subject after it ("Skal være Hjemmeplejen").
QUESTION_VERBS = frozenset(
    "kan kunne må skal vil har findes gider can could may do does is are will would".split()
)
QUESTION_SUBJECTS = frozenset(
    "jeg vi du man i der det den de han hun we you it there they he she".split()
)

Offer = Callable[[TurnContext, Understood], Awaitable[None]]


class Kind(Enum):
    """What an intent is, said in the middle of a flow."""

    SOCIAL = "social"  # a greeting or small talk
    ANSWER = "answer"  # answered on the spot; the flow goes on
    FLOW = "flow"  # starts another flow: offered, pausing this one
    NONE = "none"  # not taken as an interruption


def looks_like_question(said: str, *, verb_first_counts: bool = True) -> bool:
    """A question mark, or a question word or a verb and its subject first ("kan jeg se mine
    sager"): answers to prompts rarely look like that; a verb first counts only in a sentence,
    and only where `verb_first_counts` (a name slot: a need written in free text may well
    start "Kan vi automatisere …")."""
    words = [w.strip(",.!") for w in said.strip().casefold().split()]
    first = words[0] if words else ""
    verb_first = (
        verb_first_counts
        and first in QUESTION_VERBS
        and len(words) >= SURE_REQUEST_WORDS
        and words[1] in QUESTION_SUBJECTS
    )
    return said.rstrip().endswith("?") or first in QUESTION_WORDS or verb_first


def _asks_instead(understood: Understood, kind: Kind, *, at_name: bool) -> bool:
    """Whether a message the prompt could read as its answer asks something the intents
    answer instead ("hvad betyder SaaS?", "hvad er en databehandleraftale?" at a choice)."""
    return kind is Kind.ANSWER and looks_like_question(understood.text, verb_first_counts=at_name)


class Interruptions:
    """Decides and answers what is said in the middle of a flow (`TurnRouter.interrupt`)."""

    def __init__(
        self, matcher: IntentMatcher, routes: Routes, slots: SlotSource, offer: Offer
    ) -> None:
        self._matcher = matcher
        self._routes = routes
        self._slots = slots
        self._offer = offer

    def kind(self, key: str, flow: str = "") -> Kind:
        """What intent `key` is when said inside the flow of capability `flow`."""
        intent = self._matcher.intent(key)
        if intent is None or key not in self._routes.actions:
            return Kind.NONE
        if key == GREETING or intent.capability in SOCIAL_CAPABILITIES:
            return Kind.SOCIAL
        if intent.interrupts:
            return Kind.ANSWER
        if intent.offer and intent.capability not in NEVER_INTERRUPT | {flow}:
            return Kind.FLOW
        return Kind.NONE

    async def __call__(
        self, context: TurnContext, said: str, reading: PromptReading = PromptReading()
    ) -> bool:
        """True when `said` was answered as something else than the prompt's answer."""
        understood = self._matcher.understand(said, await self._slots(context))
        match = understood.match
        question = looks_like_question(said, verb_first_counts=reading.takes is Takes.NAME)
        if question and await self._routes.answered_ahead(context, understood.text):
            return True  # "hvornår mødes styregruppen?" where the pack has none: never an answer
        if match is None:
            return await self._unsure(context, understood, question, reading)
        kind = self.kind(match.key, reading.flow)
        if kind is Kind.NONE:
            if question and reading.reads and reading.takes is Takes.NAME:
                # Nothing to answer it with here ("kan vi købe et system?" inside the guide),
                # but a question is not a name either.
                await say(context, "dialog.question_not_name", title=reading.title)
                return True
            return False
        words = len(understood.text.split())
        if reading.reads and reading.takes is Takes.CHOICE:
            # One of the question's own answers ("nej", "ingen") – but a question that names a
            # choice's word ("hvad er en databehandleraftale?") asks, it does not choose.
            if not _asks_instead(understood, kind, at_name=False):
                return False
        if kind is Kind.SOCIAL:
            sure = match.via == "command" or match.score >= SURE_SOCIAL
            if reading.reads and (words > SMALL_TALK_WORDS or not sure):
                return False
        elif reading.reads and not await self._plainly_else(context, understood, reading, kind):
            return False
        return await self._answer(context, match, understood, kind, reading)

    async def _plainly_else(
        self, context: TurnContext, understood: Understood, reading: PromptReading, kind: Kind
    ) -> bool:
        """Whether a message the prompt could take as its answer is plainly something else."""
        assert understood.match is not None
        at_name = reading.takes is Takes.NAME
        if _asks_instead(understood, kind, at_name=at_name):
            return True  # a question is never an answer (as before: "hvad betyder SaaS?")
        if reading.takes is not Takes.NAME:
            return False  # free text is the user's own words: a need may name anything
        if looks_like_question(understood.text):
            return True  # a question is never a name ("kan jeg se mine sager?")
        words = len(understood.text.split())
        exact = understood.match.via in ("command", "pattern")
        sure = understood.match.score >= SURE_REQUEST and words >= SURE_REQUEST_WORDS
        if not exact and not sure and words < SENTENCE_WORDS:
            return False  # "IT-support", "Kultur og Fritid": a name
        index = await directory_index(session=turn_session(context))
        return index.find_unit(understood.text) is None

    async def _answer(
        self,
        context: TurnContext,
        match: IntentMatch,
        understood: Understood,
        kind: Kind,
        reading: PromptReading,
    ) -> bool:
        if kind is Kind.FLOW:
            lang = turn_lang(context)
            offers = [{"key": match.key, "label": self._matcher.offer_label(match.key, lang)}]
            lead = text("dialog.pause_offer", lang, title=reading.title)
            await show(context, "intent_offers", offers=offers, said=understood.text[:500],
                       lead=lead, pause=True)  # fmt: skip
            return True
        if match.key == GREETING:
            await say(context, "dialog.greeted", title=reading.title)
            return True
        if kind is Kind.ANSWER and await self._routes.answered_ahead(context, understood.text):
            return True
        await self._routes.actions[match.key](context, match)
        return True

    async def _unsure(
        self, context: TurnContext, understood: Understood, question: bool, reading: PromptReading
    ) -> bool:
        """A question the model is unsure of: the pack's sure answer, or "Vil du …?" with the
        questions it may be; never taken as the prompt's answer. Asked where a name is, the
        other flows it may be are offered too, and a question nothing reads is said to be one:
        it is never the name."""
        if not question:
            return False
        kinds = {Kind.ANSWER, Kind.FLOW} if reading.takes is Takes.NAME else {Kind.ANSWER}
        offers = tuple(o for o in understood.offers if self.kind(o.intent, reading.flow) in kinds)
        if offers or reading.takes is Takes.NAME:
            if await self._routes.answer_if_sure(context, understood.text):
                return True
        if offers:
            await self._offer(context, replace(understood, offers=offers))
            return True
        if reading.takes is Takes.NAME:
            await say(context, "dialog.question_not_name", title=reading.title)
            return True
        return False
