"""The shape of a knowledge pack: frozen pydantic models, validated when a pack is loaded.

Every entry carries a `source` (a document id and a section) and an `origin`: `local` facts come
from the municipality's own documents; `shared_default` is govbot's marked common standard used
where the documents are silent; `inspiration` is another municipality's practice, offered as such.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, StringConstraints, model_validator

from knowledge.text import name_key, normalise

if TYPE_CHECKING:
    from knowledge.answers import KnowledgeIndex

Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
# Teams cuts a button's title at about this many characters; a longer name needs a short one.
MAX_BUTTON_LABEL = 20
ButtonLabel = Annotated[str, StringConstraints(min_length=1, max_length=MAX_BUTTON_LABEL)]


def require_short_names(field: str, names: dict[str, tuple[str, str | None]]) -> None:
    """ValueError when a name per language, (full, short), is too long for a button and has
    no short form: `field` is the data's field name ("label", "name")."""
    for lang, (full, short) in names.items():
        if len(full) > MAX_BUTTON_LABEL and short is None:
            raise ValueError(
                f"{field}_{lang} is longer than {MAX_BUTTON_LABEL} characters: "
                f"give short_{lang} for its buttons"
            )


Origin = Literal["local", "shared_default", "inspiration"]
Scope = Literal["system", "contract", "organisation"]
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
FundingKind = Literal["driftsbevilling", "pulje", "eksterne_midler"]


class Model(BaseModel):
    """Base for every pack model: immutable, and unknown fields are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Source(Model):
    """Where a fact comes from: a document id from the registry and a section in it."""

    doc: Key
    section: Text


class Sourced(Model):
    """An entry with a source and an origin marker."""

    source: Source
    origin: Origin = "local"
    inspired_by: Text | None = None

    @model_validator(mode="after")
    def _inspiration_names_its_municipality(self) -> Sourced:
        if (self.origin == "inspiration") != (self.inspired_by is not None):
            raise ValueError("inspired_by skal angives netop når origin er 'inspiration'")
        return self


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

    key: Key
    name_da: Text
    name_en: Text
    note_da: Text | None = None
    note_en: Text | None = None
    body: Key | None = None
    role: Key | None = None
    email: Text | None = None


# --- bodies -------------------------------------------------------------------------------


class Composition(Sourced):
    """Who sits in a body, by title."""

    chair: Text | None = None
    members: tuple[Text, ...] = ()
    secretary: Text | None = None
    note_da: Text | None = None


class Follows(Model):
    """This body meets a number of working days before each meeting of another body."""

    body: Key
    working_days_before: int = Field(ge=0, le=60)


class Cadence(Sourced):
    """Machine-readable meeting rhythm for the årshjul; `defaults` names assumed fields."""

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
    description_en: Text | None = None
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

    key: Key
    verb_da: Text
    verb_en: Text
    object_da: Text
    object_en: Text
    aliases_da: tuple[Text, ...] = ()
    aliases_en: tuple[Text, ...] = ()
    condition_da: Text | None = None
    condition_en: Text | None = None


class Body(Sourced):
    """A governance body, forum or unit named in the documents."""

    key: Key
    name_da: Text
    name_en: Text
    # A body that meets is offered as a button ("næste møde i …"): a long name needs a short one.
    short_da: ButtonLabel | None = None
    short_en: ButtonLabel | None = None
    synonyms_da: tuple[Text, ...] = ()
    synonyms_en: tuple[Text, ...] = ()
    purpose_da: Text
    purpose_en: Text
    duties_da: tuple[Text, ...] = ()
    duties_en: tuple[Text, ...] = ()
    composition: Composition | None = None
    meetings_da: Text | None = None
    meetings_en: Text | None = None
    practice_da: tuple[Text, ...] = ()
    practice_en: tuple[Text, ...] = ()  # when absent, English answers quote the Danish
    cadence: Cadence | None = None
    annual_items: tuple[AnnualItem, ...] = ()
    decides: tuple[Decision, ...] = ()
    reminder_rules: tuple[ReminderRule, ...] = ()

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
            names = {"da": (self.name_da, self.short_da), "en": (self.name_en, self.short_en)}
            require_short_names("name", names)
        return self

    def button(self, lang: Literal["da", "en"]) -> str:
        """The body's name on a button: its short name, else its name."""
        if lang == "en":
            return self.short_en or self.name_en
        return self.short_da or self.name_da

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the body is known by, Danish first."""
        return (self.name_da, *self.synonyms_da, self.name_en, *self.synonyms_en)


# --- roles --------------------------------------------------------------------------------


class GovernanceRole(Sourced):
    """A governance role: KITOS vocabulary, organisation-wide roles and local ones."""

    key: Key
    label_da: Text
    label_en: Text
    synonyms_da: tuple[Text, ...] = ()
    synonyms_en: tuple[Text, ...] = ()
    scope: Scope
    summary_da: Text
    summary_en: Text
    responsibilities_da: tuple[Text, ...] = Field(min_length=1)
    responsibilities_en: tuple[Text, ...] = ()
    requirements_da: tuple[Text, ...] = ()
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

    id: Key
    number: int | None = Field(default=None, ge=1, le=99)
    title_da: Text
    title_en: Text
    synonyms_da: tuple[Text, ...] = ()
    synonyms_en: tuple[Text, ...] = ()
    summary_da: Text
    summary_en: Text
    requires_da: tuple[Text, ...] = Field(min_length=1)
    why_da: Text
    prerequisite_da: Text | None = None
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

    key: Key
    label_da: Text
    label_en: Text
    detail_da: Text | None = None


class ScreeningTime(Sourced):
    """Expected screening time in working days."""

    working_days: int = Field(ge=1, le=60)
    note_da: Text
    note_en: Text


class Dispensation(Sourced):
    """Who may grant an exception from what, and on which terms."""

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
    title_en: Text | None = None
    questions: Phrasings
    answer_da: Text
    answer_en: Text | None = None
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


class Pack(Model):
    """One municipality's assembled knowledge: its own entries plus included shared ones."""

    key: Key
    municipality: Text
    summary_da: Text
    summary_en: Text
    documents: tuple[Key, ...] = Field(min_length=1)
    registry: tuple[Document, ...]
    overviews: Overviews
    contacts: tuple[Contact, ...] = Field(min_length=1)
    # None when the pack's documents name no service desk: govbot's general advice is used.
    it_support: ItSupport | None = None
    bodies: tuple[Body, ...]
    roles: tuple[GovernanceRole, ...]
    principles: tuple[Principle, ...]
    procurement: Procurement
    faq: tuple[FaqEntry, ...]
    terms: Terms = Terms()

    @cached_property
    def knowledge(self) -> KnowledgeIndex:
        """The index the pack's questions are answered from, built on first use and kept with
        the pack (so it lives as long as the pack, and nothing else holds it)."""
        from knowledge.answers import KnowledgeIndex

        return KnowledgeIndex(self)

    @cached_property
    def _bodies(self) -> dict[str, Body]:
        return {b.key: b for b in self.bodies}

    @cached_property
    def _roles(self) -> dict[str, GovernanceRole]:
        return {r.key: r for r in self.roles}

    @cached_property
    def _role_names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        for role in self.roles:
            for name in (role.key.replace("_", " "), *role.names):
                names.setdefault(name_key(name), role.key)
        return names

    def body(self, key: str) -> Body:
        """The body with `key`; KeyError when the pack has none."""
        return self._bodies[key]

    def role(self, key: str) -> GovernanceRole:
        """The role with `key`; KeyError when the pack has none."""
        return self._roles[key]

    def principle(self, principle_id: str) -> Principle:
        """The principle with `principle_id`; KeyError when the pack has none."""
        for principle in self.principles:
            if principle.id == principle_id:
                return principle
        raise KeyError(principle_id)

    def document(self, doc_id: str) -> Document:
        """The registry document with `doc_id`; KeyError when unknown."""
        for doc in self.registry:
            if doc.id == doc_id:
                return doc
        raise KeyError(doc_id)

    def role_by_name(self, text: str) -> GovernanceRole | None:
        """The role whose key, label, synonym or KITOS column equals `text` after normalising."""
        key = self._role_names.get(name_key(text))
        return self._roles[key] if key else None

    def role_names(self) -> dict[str, str]:
        """Normalised name → role key, for fuzzy matching elsewhere (see text.name_key)."""
        return dict(self._role_names)

    def expand_role(self, key: str) -> tuple[str, ...]:
        """The roles a holder of `key` holds: "system_og_dataejer" → systemejer and dataejer."""
        role = self.role(key)
        return role.combines or (role.key,)

    def synonym_map(self) -> dict[str, tuple[str, ...]]:
        """Normalised word → the phrases that mean the same (from `terms`)."""
        found: dict[str, list[str]] = {}
        for word, other in self.terms.pairs():
            tokens = normalise(word)
            if len(tokens) == 1:
                found.setdefault(tokens[0], []).append(other)
        return {k: tuple(dict.fromkeys(v)) for k, v in found.items()}

    @property
    def default_contact(self) -> Contact:
        """The first contact: whom to ask when nothing else fits."""
        return self.contacts[0]
