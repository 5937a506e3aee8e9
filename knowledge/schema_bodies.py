"""The governance bodies of a pack: who sits in them, what they decide, and their årshjul
(cadence, yearly items and reminder rules)."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from knowledge.schema_base import Key, Model, Offered, Sourced, Text
from knowledge.text import Language

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday"]
ReminderKind = Literal[
    "recommendations_deadline",
    "agenda_due",
    "agenda_approval",
    "member_reminder",
    "channel_post",
    "minutes_due",
]
Recipients = Literal["members", "secretary", "chair", "submitters", "channel"]


class Composition(Sourced):
    """Who sits in a body, by title: the official Danish title, and in English the title
    translated with the Danish in parentheses, so that either is found."""

    needs_english = ("chair", "members", "secretary", "note_da")

    chair: Text | None = None
    chair_en: Text | None = None
    members: tuple[Text, ...] = ()
    members_en: tuple[Text, ...] = ()
    secretary: Text | None = None
    secretary_en: Text | None = None
    note_da: Text | None = None
    note_en: Text | None = None

    @model_validator(mode="after")
    def _english_titles_keep_the_danish(self) -> Composition:
        pairs = [
            (self.chair, self.chair_en),
            (self.secretary, self.secretary_en),
            *zip(self.members, self.members_en, strict=False),
        ]
        bare = [en for da, en in pairs if da and en and en != da and not en.endswith(f"({da})")]
        if bare:
            raise ValueError(f"en engelsk titel skal slutte med den danske i parentes: {bare}")
        return self


class Follows(Model):
    """This body meets a number of working days before each meeting of another body."""

    body: Key
    working_days_before: int = Field(ge=0, le=60)


class Cadence(Sourced):
    """Machine-readable meeting rhythm for the årshjul; `defaults` names assumed fields."""

    needs_english = ("note_da",)

    meetings_per_year: int = Field(ge=1, le=52)
    preferred_months: tuple[Annotated[int, Field(ge=1, le=12)], ...] = ()
    weekday: Weekday | None = None
    start_time: Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
    duration_minutes: int = Field(ge=15, le=600)
    follows: Follows | None = None
    defaults: tuple[Key, ...] = ()
    note_da: Text | None = None
    note_en: Text | None = None

    @model_validator(mode="after")
    def _months_fit(self) -> Cadence:
        if len(self.preferred_months) > self.meetings_per_year:
            raise ValueError("preferred_months har flere måneder end meetings_per_year")
        if list(self.preferred_months) != sorted(set(self.preferred_months)):
            raise ValueError("preferred_months skal være stigende og uden gentagelser")
        unknown = set(self.defaults) - set(type(self).model_fields)
        if unknown:
            raise ValueError(f"defaults nævner ukendte felter: {sorted(unknown)}")
        return self


class ReminderRule(Sourced):
    """A reminder relative to a meeting: negative offsets are before it."""

    key: Key
    kind: ReminderKind
    offset: int = Field(ge=-60, le=60)
    unit: Literal["days", "working_days"]
    recipients: Recipients
    text_da: Text
    text_en: Text
    defaults: tuple[Literal["offset", "unit", "recipients"], ...] = ()


class AnnualItem(Sourced):
    """A yearly item on the wheel: its own event (seminar) or a point on a body's agenda."""

    key: Key
    kind: Literal["event", "agenda_item"]
    title_da: Text
    title_en: Text
    description_da: Text
    description_en: Text
    synonyms_da: tuple[Text, ...] = ()
    synonyms_en: tuple[Text, ...] = ()
    preferred_months: tuple[Annotated[int, Field(ge=1, le=12)], ...] = ()
    start_time: Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")] | None = (
        None
    )
    duration_minutes: int | None = Field(default=None, ge=15, le=600)
    responsible: Key | None = None
    defaults: tuple[Key, ...] = ()


class Decision(Sourced):
    """Something a body approves or decides ("Byrådet godkender strategien")."""

    needs_english = ("condition_da",)

    key: Key
    verb_da: Text
    verb_en: Text
    object_da: Text
    object_en: Text
    aliases_da: tuple[Text, ...] = ()
    aliases_en: tuple[Text, ...] = ()
    condition_da: Text | None = None
    condition_en: Text | None = None


class Body(Sourced, Offered):
    """A governance body, forum or unit named in the documents.

    A body that meets is offered as a button ("næste møde i …"): a long name needs a short one.
    """

    needs_english = ("duties_da", "meetings_da", "practice_da")

    key: Key
    name_da: Text
    name_en: Text
    purpose_da: Text
    purpose_en: Text
    duties_da: tuple[Text, ...] = ()
    duties_en: tuple[Text, ...] = ()
    composition: Composition | None = None
    meetings_da: Text | None = None
    meetings_en: Text | None = None
    practice_da: tuple[Text, ...] = ()
    practice_en: tuple[Text, ...] = ()
    cadence: Cadence | None = None
    annual_items: tuple[AnnualItem, ...] = ()
    decides: tuple[Decision, ...] = ()
    reminder_rules: tuple[ReminderRule, ...] = ()

    @property
    def is_meeting_series(self) -> bool:
        """Whether the body is a kind of meeting ("Dialogmøder mellem …"), not a group that meets:
        its questions then ask how often they are held, not how often it meets."""
        first = self.name_da.partition(" ")[0].casefold()
        return first.endswith(("møder", "møde"))

    @property
    def is_plural_en(self) -> bool:
        """Whether the English name is plural ("line departments and staff functions", "joint
        meetings between …"): its head noun, before any "between"/"for"/"of", ends in -s."""
        head = re.split(r" (?:between|for|of|in|with) ", self.name_en, maxsplit=1)[0]
        last = head.rsplit(" ", 1)[-1]
        return last.endswith("s") and not last.endswith(("ss", "'s", "us"))

    @model_validator(mode="after")
    def _consistent(self) -> Body:
        if self.reminder_rules and self.cadence is None:
            raise ValueError("reminder_rules kræver en cadence")
        for name, keys in (
            ("reminder_rules", [r.key for r in self.reminder_rules]),
            ("annual_items", [a.key for a in self.annual_items]),
            ("decides", [d.key for d in self.decides]),
        ):
            dupes = sorted({k for k in keys if keys.count(k) > 1})
            if dupes:
                raise ValueError(f"{name} har dublerede nøgler: {dupes}")
        if self.cadence is not None:
            self.require_short_names("name")
        return self

    def full_name(self, lang: Language) -> str:
        """The body's name in `lang`."""
        return self.name_en if lang == "en" else self.name_da

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the body is known by, Danish first."""
        return (self.name_da, *self.synonyms_da, self.name_en, *self.synonyms_en)
