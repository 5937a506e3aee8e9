"""Which other Danish municipalities (or national bodies) a question names
(packs/_shared/municipalities.yaml).

A pack holds one municipality's material. "Bruger Silkeborg Kommune Chromebooks?" asked of
Randers' pack matches Randers' Chromebook rule word for word, yet the pack cannot know what
Silkeborg does; the answer engine uses `named_elsewhere` to keep such questions from being
answered confidently by an entry that does not name that municipality itself.
"""

from __future__ import annotations

import re
from functools import cache

from pydantic import Field, model_validator

from knowledge.schema_base import Model, Text
from knowledge.shared_data import load_shared

MUNICIPALITIES_FILE = "municipalities.yaml"
# A name, with a hyphenated second half ("Ringkøbing-Skjern"); `forms` adds the genitive "-s".
_NAME = re.compile(r"[a-zæøå]+(?:-[a-zæøå]+)*", re.IGNORECASE)
_KOMMUNE = re.compile(r"\s+kommunes?\b", re.IGNORECASE)


class MunicipalityNames(Model):
    """The country's municipalities, the other names people use, and which are also words."""

    names: tuple[Text, ...] = Field(min_length=1)
    also_called: dict[Text, tuple[Text, ...]] = Field(default_factory=dict)
    only_with_kommune: tuple[Text, ...] = ()
    # National bodies a question may ask about in the same way ("Who is the CEO of KOMBIT?"):
    # the pack holds what it says of them, nothing more.
    organisations: tuple[Text, ...] = ()

    @model_validator(mode="after")
    def _known_names(self) -> MunicipalityNames:
        unknown = (set(self.also_called) | set(self.only_with_kommune)) - set(self.names)
        if unknown:
            raise ValueError(f"ukendte kommunenavne: {sorted(unknown)}")
        if len(set(self.names)) != len(self.names):
            raise ValueError("et kommunenavn står to gange")
        if set(self.names) & set(self.organisations):
            raise ValueError("et navn står både som kommune og som organisation")
        return self

    def forms(self) -> dict[str, str]:
        """Every written form, casefolded, mapped to the municipality's name."""
        out: dict[str, str] = {}
        for name in (*self.names, *self.organisations):
            for form in (name, *self.also_called.get(name, ())):
                folded = form.casefold()
                out[folded] = name
                out.setdefault(folded + "s", name)
        return out


@cache
def municipality_names() -> MunicipalityNames:
    """The validated list bundled with the packs."""
    return load_shared(MUNICIPALITIES_FILE, MunicipalityNames)


@cache
def _forms() -> tuple[dict[str, str], frozenset[str]]:
    names = municipality_names()
    return names.forms(), frozenset(n.casefold() for n in names.only_with_kommune)


def named_municipalities(text: str) -> frozenset[str]:
    """The municipalities `text` names, by their list names."""
    forms, only_with_kommune = _forms()
    found: set[str] = set()
    for match in _NAME.finditer(text):
        word = match.group().casefold()
        name = forms.get(word)
        if name is None:
            continue
        if name.casefold() in only_with_kommune and not _KOMMUNE.match(text, match.end()):
            continue
        found.add(name)
    return frozenset(found)


def named_elsewhere(text: str, own: str) -> frozenset[str]:
    """The municipalities `text` names other than `own` ("Rebild Kommune" or "Rebild")."""
    own_names = named_municipalities(own)
    return named_municipalities(text) - own_names
