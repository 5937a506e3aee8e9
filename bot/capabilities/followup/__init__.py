"""Follow-ups read against the conversation's subject: "hvad med Aula?", "og det efter?",
"hvor holdes det?", "hvad er hendes mail?".

Each follow-up is answered by re-asking the intent that set the subject with the new or
missing piece filled in, so the answer is the same one a full question would get — and says
what it resolved to ("Superbrugere for Acadre: …").
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.capabilities import Runtime
from bot.intents import IntentMatch
from bot.routing import Routes
from bot.sdk import TurnContext
from bot.subject import Subject, recall
from dialogs.texts import either, text
from dialogs.turn import ask_which, say, step, turn_lang

# The kind of name each answer asked about: "hvad med X?" asks that question again when X is
# of that kind; otherwise X's own kind decides (a system's roles, a person's, a body's meeting).
_ASKED_ABOUT = {
    "directory.role": "system",
    "directory.access_request": "system",
    "directory.person": "person",
    "meetings.next": "body",
    "meetings.members": "body",
    "meetings.year": "year",
}
_BY_KIND = (
    ("system", "directory.role"),
    ("person", "directory.person"),
    ("body", "meetings.next"),
    ("year", "meetings.year"),
)


def other_subject_target(subject_intent: str | None, params: Mapping[str, str]) -> str | None:
    """The intent "hvad med X?" re-asks after an answer of `subject_intent`; None if unclear."""
    if subject_intent is not None and _ASKED_ABOUT.get(subject_intent, "") in params:
        return subject_intent
    for kind, intent in _BY_KIND:
        if kind in params:
            return intent
    if subject_intent in ("portfolio.list", "directory.role"):
        # The list reads a unit from the words, the role question a role ("og dataejeren?").
        return subject_intent
    return None


class FollowUps:
    """Answers follow-ups by routing them to the intent of the current subject."""

    def __init__(self, routes: Routes) -> None:
        self._routes = routes

    async def _ask(self, context: TurnContext, key: str, match: IntentMatch, **params: str) -> None:
        await self._routes.actions[key](
            context, IntentMatch(key, match.score, "followup", params, match.text)
        )

    async def other_subject(self, context: TurnContext, match: IntentMatch) -> None:
        """ "hvad med Aula?": the last question again, about another system, person, body …"""
        subject = recall(context)
        target = other_subject_target(subject.intent if subject else None, match.params)
        if target is None:
            await _ask_what(context, "followup.unclear")
            return
        kind = _ASKED_ABOUT.get(target)
        params = {kind: match.params[kind]} if kind and kind in match.params else {}
        if target == "directory.role" and subject and subject.intent == target and subject.role:
            params["role"] = subject.role  # "hvad med Aula?" after the system owner of SBSYS
        await self._ask(context, target, match, **params)

    async def next(self, context: TurnContext, match: IntentMatch) -> None:
        """ "og det efter?": the meeting after the one just shown."""
        await self._step(context, match, "next")

    async def previous(self, context: TurnContext, match: IntentMatch) -> None:
        """ "det før?": the meeting before the one just shown."""
        await self._step(context, match, "previous")

    async def _step(self, context: TurnContext, match: IntentMatch, step: str) -> None:
        if match.params.get("body") and step == "next":  # "næste direktionsmøde"
            await self._ask(context, "meetings.next", match, body=match.params["body"])
            return
        subject = _meeting_subject(recall(context))
        if subject is None:
            await _ask_what(context, "followup.no_meeting")
            return
        await self._ask(context, "meetings.next", match, meeting=str(subject.meeting_id), step=step)

    async def place(self, context: TurnContext, match: IntentMatch) -> None:
        """ "hvor holdes det?": where the meeting just shown takes place."""
        subject = _meeting_subject(recall(context))
        if subject is None:
            await _ask_what(context, "followup.no_meeting")
            return
        await self._ask(
            context, "meetings.next", match, meeting=str(subject.meeting_id), step="same"
        )

    async def email(self, context: TurnContext, match: IntentMatch) -> None:
        """ "hvad er hendes mail?", "hvor sidder hun?": how to reach the one person just named."""
        subject = recall(context)
        if subject is not None and not subject.person_email and len(subject.people) > 1:
            # Two or more were named: which one, as buttons (a name alone shows that person).
            lang = turn_lang(context)
            lead = text("followup.which_of", lang, names=either(subject.people, lang))
            await ask_which(context, lead, [(name, name) for name in subject.people])
            return
        if subject is None or not subject.person_email:
            await _ask_what(context, "followup.no_person")
            return
        await say(
            context,
            "followup.email",
            name=subject.person_name or "",
            email=subject.person_email,
            unit=subject.person_unit,
        )


# The buttons under "Hvilket møde mener du?" and its kin: where such a question starts.
_STARTS = {
    "followup.unclear": ("who_owns", "meetings", "question"),
    "followup.no_meeting": ("meetings",),
    "followup.no_person": ("who_owns",),
}


async def _ask_what(context: TurnContext, key: str) -> None:
    """No subject to read the follow-up against (none, or expired): one short question with
    buttons that start where the follow-up could have come from — never a guess."""
    lang = turn_lang(context)
    await ask_which(context, text(key, lang), [step(a, lang) for a in _STARTS[key]])


def _meeting_subject(subject: Subject | None) -> Subject | None:
    return subject if subject is not None and subject.meeting_id is not None else None


def register(runtime: Runtime) -> None:
    """Route the follow-up intents."""
    followups = FollowUps(runtime.routes)
    runtime.routes.methods("followup", followups, "other_subject next previous place email")
