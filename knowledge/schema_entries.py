"""A pack's entries besides its bodies: documents, contacts, roles, principles, the procurement
path, hand-written questions and answers, and the vocabulary kept for matching."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, JsonValue, StringConstraints, model_validator

from knowledge.schema_base import Key, Model, Sourced, Text

Scope = Literal["system", "contract", "organisation"]
FundingKind = Literal["driftsbevilling", "pulje", "eksterne_midler"]


class Document(Model):
    """A source document that entries cite."""

    id: Key
    title: Text
    publisher: Text
    file: Text | None = None
    note_da: Text | None = None


class Phrasings(Model):
    """Question phrasings per language."""

    da: tuple[Text, ...] = Field(min_length=1)
    en: tuple[Text, ...] = ()


class Contact(Sourced):
    """Who to ask when the bot does not know."""

    needs_english = ("note_da",)

    key: Key
    name_da: Text
    name_en: Text
    note_da: Text | None = None
    note_en: Text | None = None
    body: Key | None = None
    role: Key | None = None
    email: Text | None = None


# --- roles --------------------------------------------------------------------------------


class GovernanceRole(Sourced):
    """A governance role: KITOS vocabulary, organisation-wide roles and local ones."""

    needs_english = ("responsibilities_da", "requirements_da", "appointment_da", "escalation_da")

    key: Key
    label_da: Text
    label_en: Text
    synonyms_da: tuple[Text, ...] = ()
    synonyms_en: tuple[Text, ...] = ()
    scope: Scope
    summary_da: Text
    summary_en: Text
    responsibilities_da: tuple[Text, ...] = Field(min_length=1)
    responsibilities_en: tuple[Text, ...] = Field(min_length=1)
    requirements_da: tuple[Text, ...] = ()
    requirements_en: tuple[Text, ...] = ()
    appointed_by: Key | None = None
    appointment_da: Text | None = None
    appointment_en: Text | None = None
    escalate_to: Key | None = None
    escalation_da: Text | None = None
    escalation_en: Text | None = None
    may_delegate_to: tuple[Key, ...] = ()
    kitos_column: Text | None = None
    combines: tuple[Key, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the role is known by, including the KITOS column."""
        extra = (self.kitos_column,) if self.kitos_column else ()
        return (self.label_da, *self.synonyms_da, self.label_en, *self.synonyms_en, *extra)


# --- principles ---------------------------------------------------------------------------


class Principle(Sourced):
    """A governance principle: what it requires, why, and what it presupposes."""

    needs_english = ("requires_da", "prerequisite_da")

    id: Key
    number: int | None = Field(default=None, ge=1, le=99)
    title_da: Text
    title_en: Text
    synonyms_da: tuple[Text, ...] = ()
    synonyms_en: tuple[Text, ...] = ()
    summary_da: Text
    summary_en: Text
    requires_da: tuple[Text, ...] = Field(min_length=1)
    requires_en: tuple[Text, ...] = Field(min_length=1)
    why_da: Text
    why_en: Text
    prerequisite_da: Text | None = None
    prerequisite_en: Text | None = None
    tags: tuple[Key, ...] = ()
    # Reserved for the procurement screening (machine-readable departures); free-form for now.
    checks: tuple[dict[str, JsonValue], ...] = ()


# --- procurement --------------------------------------------------------------------------


class ProcurementContact(Sourced):
    """Whom to contact first, and when."""

    name_da: Text
    name_en: Text
    body: Key | None = None
    role: Key | None = None
    when_da: Text
    when_en: Text


class ProcurementCheck(Sourced):
    """One thing IT looks at during screening."""

    needs_english = ("detail_da",)

    key: Key
    label_da: Text
    label_en: Text
    detail_da: Text | None = None
    detail_en: Text | None = None


class ScreeningTime(Sourced):
    """Expected screening time in working days."""

    working_days: int = Field(ge=1, le=60)
    note_da: Text
    note_en: Text


class Dispensation(Sourced):
    """Who may grant an exception from what, and on which terms."""

    needs_english = ("condition_da",)

    key: Key
    scope_da: Text
    scope_en: Text
    granted_by: Key
    consulted: Key | None = None
    condition_da: Text | None = None
    condition_en: Text | None = None


class Step(Model):
    """One step on the procurement path."""

    text_da: Text
    text_en: Text
    # What already says this step at the end of the guide, so its summary leaves it out:
    # `guide` — the guide itself does it (contact IT, describe the need, explain departures);
    # `dispensations` — the summary's dispensation lines say who grants what.
    covered_by: Literal["guide", "dispensations"] | None = None

    @property
    def ahead_after_guide(self) -> bool:
        """Whether the step still lies ahead of an employee who has been through the guide."""
        return self.covered_by is None


class Funding(Sourced):
    """How new systems and initiatives are paid for."""

    summary_da: Text
    summary_en: Text
    kinds: tuple[FundingKind, ...] = Field(min_length=1)


class Procurement(Sourced):
    """The municipality's "contact IT early" path."""

    summary_da: Text
    summary_en: Text
    guide_name: Text | None = None
    guide_name_en: Text | None = None
    contact: ProcurementContact
    checks: tuple[ProcurementCheck, ...] = Field(min_length=1)
    screening_time: ScreeningTime
    dispensations: tuple[Dispensation, ...] = Field(min_length=1)
    next_steps: tuple[Step, ...] = Field(min_length=1)
    funding: Funding
    principles: tuple[Key, ...] = ()


# --- faq ----------------------------------------------------------------------------------


class FaqEntry(Sourced):
    """A hand-written question and answer."""

    id: Key
    title_da: Text
    title_en: Text
    questions: Phrasings
    answer_da: Text
    answer_en: Text
    tags: tuple[Key, ...] = ()
    related: tuple[Annotated[str, StringConstraints(pattern=r"^[a-z0-9_:]+$")], ...] = ()


# --- matching vocabulary -------------------------------------------------------------------


class Terms(Model):
    """Words the documents use for the same thing, and abbreviations, kept for matching only.

    Each synonym group is matched as one word ("formand", "forperson", "mødeleder"); each
    abbreviation stands for its expansion ("dpo" → "databeskyttelsesrådgiver").
    """

    synonyms: tuple[tuple[Text, ...], ...] = ()
    abbreviations: dict[Text, Text] = Field(default_factory=dict)
    # Everyday words of a question that a statement of fact seldom repeats ("fungerer",
    # "bestemmer"): they weigh little and never make a question off-topic.
    everyday: tuple[Text, ...] = ()
    # What people say → the words the documents use, one way only ("lasts" → "levetid",
    # "penge" → "midler"); English questions reach Danish text the same way.
    says: dict[Text, tuple[Text, ...]] = Field(default_factory=dict)
    # Words that ask where a role takes a fault ("melder en fejl", "escalate"): a question
    # naming a role and a system with one of them asks whom the role's duties escalate to.
    escalation: tuple[Text, ...] = ()
    # Verbs that ask the same only beside one of those words or with "til"/"hen"/"to" after
    # them: alone they are as often a plain report ("where is the annual report").
    escalation_reporting: tuple[Text, ...] = ()

    @model_validator(mode="after")
    def _groups_have_two(self) -> Terms:
        short = [g for g in self.synonyms if len(g) < 2]
        if short:
            raise ValueError(f"en synonymgruppe skal have mindst to ord: {short}")
        return self

    def pairs(self) -> list[tuple[str, str]]:
        """Every (word, word meaning the same) pair, in both directions."""
        out: list[tuple[str, str]] = []
        for group in self.synonyms:
            out.extend((a, b) for a in group for b in group if a != b)
        for short, long_ in self.abbreviations.items():
            out.extend(((short, long_), (long_, short)))
        for said, meant in self.says.items():
            out.extend((said, m) for m in meant)
        return out


# --- the pack -----------------------------------------------------------------------------


class Overviews(Model):
    """Sources for the generated overview answers (all bodies, all roles, all principles)."""

    bodies: Sourced
    roles: Sourced
    principles: Sourced


class ItSupport(Model):
    """The municipality's IT support (service desk), for problems that are not governance."""

    name_da: Text
    name_en: Text
    phone: Text | None = None
    url: Text | None = None
