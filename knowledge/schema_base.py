"""The building blocks of every knowledge pack model: immutable models, sourced entries, names.

Every entry carries a `source` (a document id and a section) and an `origin`: `local` facts come
from the municipality's own documents; `shared_default` is govbot's marked common standard used
where the documents are silent; `inspiration` is another municipality's practice, offered as such.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Annotated, ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator

from knowledge.text import Language

Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
# Teams cuts a button's title at about this many characters; a longer name needs a short one.
MAX_BUTTON_LABEL = 20
ButtonLabel = Annotated[str, StringConstraints(min_length=1, max_length=MAX_BUTTON_LABEL)]
Origin = Literal["local", "shared_default", "inspiration"]


def english_of(field: str) -> str:
    """The English field beside a Danish one: `requires_da` → `requires_en`; a title kept in
    Danish under a bare name has its English with `_en` added (`chair` → `chair_en`)."""
    return field.removesuffix("_da") + "_en"


class Model(BaseModel):
    """Base for every pack model: immutable, and unknown fields are errors.

    `needs_english` names the Danish fields an English answer shows: wherever one is given, its
    English (see `english_of`) must be given too, a list item for item, so a user who writes
    English is never answered in Danish.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    needs_english: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="after")
    def _english_beside_danish(self) -> Self:
        problems = []
        for danish in self.needs_english:
            english = english_of(danish)
            da, en = getattr(self, danish), getattr(self, english)
            if not da:
                continue
            if not en:
                problems.append(f"{english} mangler ({danish} skal også stå på engelsk)")
            elif isinstance(da, tuple) and len(en) != len(da):
                problems.append(
                    f"{english} har {len(en)} punkter, {danish} har {len(da)}: "
                    "hvert punkt skal stå på engelsk"
                )
        if problems:
            raise ValueError("; ".join(problems))
        return self


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


class Offered(Model):
    """An entry offered as a button: a short name per language where its full name is too long
    for Teams' buttons, and the other names a user may write for it."""

    short_da: ButtonLabel | None = None
    short_en: ButtonLabel | None = None
    synonyms_da: tuple[Text, ...] = ()
    synonyms_en: tuple[Text, ...] = ()

    @abstractmethod
    def full_name(self, lang: Language) -> str:
        """The entry's name in full, in `lang`."""

    def button(self, lang: Language) -> str:
        """The entry's name on a button: its short name, else its full name."""
        return (self.short_en if lang == "en" else self.short_da) or self.full_name(lang)

    def require_short_names(self, field: str) -> None:
        """ValueError when a full name is too long for a button and has no short form: `field`
        is the data's field name of the full name ("label", "name")."""
        shorts: dict[Language, str | None] = {"da": self.short_da, "en": self.short_en}
        for lang, short in shorts.items():
            if len(self.full_name(lang)) > MAX_BUTTON_LABEL and short is None:
                raise ValueError(
                    f"{field}_{lang} is longer than {MAX_BUTTON_LABEL} characters: "
                    f"give short_{lang} for its buttons"
                )
