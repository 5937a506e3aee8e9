"""Follow-ups read against the conversation's subject: "hvad med Aula?", "og det efter?",
"hvor holdes det?", "hvad er hendes mail?".

Each follow-up is answered by re-asking the intent that set the subject with the new or
missing piece filled in, so the answer is the same one a full question would get — and says
what it resolved to ("Superbrugere for Acadre: …").
"""

from __future__ import annotations

from botbuilder.core import TurnContext

from bot.capabilities import Runtime
from bot.intents import IntentMatch
from bot.routing import Routes
from bot.subject import Subject, recall
from dialogs.turn import say
from storage.errors import DomainError

_MEETING_INTENTS = ("meetings.next", "meetings.members")


class FollowUps:
    """Answers follow-ups by routing them to the intent of the current subject."""

    def __init__(self, routes: Routes) -> None:
        self._routes = routes

    async def _ask(self, context: TurnContext, key: str, match: IntentMatch, **params: str) -> None:
        await self._routes.actions[key](
            context, IntentMatch(key, match.score, "followup", params, match.text)
        )

    async def other_subject(self, context: TurnContext, match: IntentMatch) -> None:
        """ "hvad med Aula?": the last question again, about another system or body."""
        subject = recall(context)
        system, body = match.params.get("system"), match.params.get("body")
        if system:
            role = subject.role if subject and subject.intent == "directory.role" else None
            params = {"system": system, **({"role": role} if role else {})}
            await self._ask(context, "directory.role", match, **params)
        elif body:
            intent = subject.intent if subject and subject.intent in _MEETING_INTENTS else None
            await self._ask(context, intent or "meetings.next", match, body=body)
        else:
            await say(context, "followup.unclear")

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
            raise DomainError("followup.no_meeting")
        await self._ask(context, "meetings.next", match, meeting=str(subject.meeting_id), step=step)

    async def place(self, context: TurnContext, match: IntentMatch) -> None:
        """ "hvor holdes det?": where the meeting just shown takes place."""
        subject = _meeting_subject(recall(context))
        if subject is None:
            raise DomainError("followup.no_meeting")
        await self._ask(
            context, "meetings.next", match, meeting=str(subject.meeting_id), step="same"
        )

    async def email(self, context: TurnContext, match: IntentMatch) -> None:
        """ "hvad er hendes mail?": the e-mail of the one person just named."""
        subject = recall(context)
        if subject is None or not subject.person_email:
            raise DomainError("followup.no_person")
        await say(
            context, "followup.email", name=subject.person_name or "", email=subject.person_email
        )


def _meeting_subject(subject: Subject | None) -> Subject | None:
    return subject if subject is not None and subject.meeting_id is not None else None


def register(runtime: Runtime) -> None:
    """Route the follow-up intents."""
    followups = FollowUps(runtime.routes)
    routes = runtime.routes
    routes.action("followup.other_subject", followups.other_subject)
    routes.action("followup.next", followups.next)
    routes.action("followup.previous", followups.previous)
    routes.action("followup.place", followups.place)
    routes.action("followup.email", followups.email)
