"""Every card template, rendered with representative data in both languages, parsed by
Microsoft's own Adaptive Cards renderer (npm `adaptivecards`) under Teams' host limits: no parse
or validation event at all, version ≤ 1.5, payload within Teams' message size, shallow nesting,
every button label short enough to read whole. All cards go through one node process."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from dialogs.cards import MAIN_ACTIONS, card_json
from dialogs.portfolio_form import parse_form
from dialogs.portfolio_view import form_fields
from dialogs.procurement_view import summary_values
from dialogs.texts import Lang, keys, text
from dialogs.turn import fit_buttons
from manifest.adaptive_cards import install_adaptivecards
from manifest.errors import ManifestError
from storage.procurement import DepartureAnswer
from tests.support.channel import MAX_BUTTON_LABEL, long_labels

HERE = Path(__file__).parent
LANGS: tuple[Lang, ...] = ("da", "en")
# Teams refuses a message over 28 KB; a card must leave room for the activity around it.
MAX_CARD_BYTES = 25_000
# Containers within containers: past a few levels Teams' narrow (mobile) layout has no room left.
MAX_NESTING = 4
NESTING_TYPES = {"AdaptiveCard", "Container", "ColumnSet", "Column", "ActionSet"}
LONG = "Et værktøj til vagtplanlægning i hjemmeplejen, som kan bruges på mobilen " * 3
PEOPLE = [
    {
        "name": f"Mette Holm Sørensen {n}",
        "facts": [
            {"title": "Systemejer", "value": "SBSYS, Cura, Nexus"},
            {"title": "Enhed", "value": "Sundhed og Omsorg"},
            {"title": "E-mail", "value": f"mette{n}@kommune.dk"},
        ],
        "chat_url": f"https://teams.microsoft.com/l/chat/0/0?users=mette{n}@kommune.dk",
    }
    for n in range(3)
]


def _procurement(lang: Lang) -> dict[str, Any]:
    departures = [
        DepartureAnswer(
            key="sensitive_outside_eu",
            principle_id="security",
            justification="Leverandøren er den eneste på markedet",
            plan="Flytter til EU-datacenter i 2028",
        )
    ]
    answers = {"personal_data": "sensitive", "hosting": "cloud_outside", "users": 40}
    return summary_values(
        pack_key="randers",
        need=LONG,
        unit="Sundhed og Omsorg",
        answers=answers,
        departures=departures,
        lang=lang,
    )


def samples(lang: Lang) -> dict[str, dict[str, Any]]:
    """Representative values for each template, every optional part switched on."""
    form = parse_form({"title": "Ny booking", "estimated_cost": "mange"})
    return {
        "access_list": {
            "title": "Hvem har adgang",
            "sections": [{"title": "Sekretærer", "lines": ["Anne Jensen", "Bo Lund"]}] * 3,
        },
        "choices": {
            "heading": "Spørgsmål 2 af 12",
            "lead": "Hvilket system mener du?",
            "choices": fit_buttons(
                [
                    {"name": "SBSYS", "detail": "Systemejer: Mette", "text": "sbsys"},
                    {"name": "Fagsystem til økonomistyring", "detail": "", "text": "økonomi"},
                ],
                lang,
            ),
            "hint": "Eller skriv navnet.",
        },
        "confirm": {
            "lead": "Overdrag rollerne fra Anne til Bo?",
            "lines": ["Systemejer for SBSYS", "Dataejer for Nexus"],
            "already_lead": "Bo har allerede:",
            "already_lines": ["Superbruger for SBSYS"],
            "typed": True,
            "yes": {"action": "confirm", "token": "abc"},
            "no": {"action": "cancel", "token": "abc"},
        },
        "directory_people": {
            "lead": "Det fandt jeg:",
            "title": "Systemejer for SBSYS",
            "note": "Fra KITOS",
            "entries": PEOPLE,
            "more": 2,
            "duties": [
                {
                    "role": "systemejer",
                    "summary": "Ejer systemet.",
                    "lines": "- Budget\n- Kontrakt",
                    "source": "Kilde: Randers",
                }
            ],
            "actions": [{"title": "Dataejer", "text": "hvem er dataejer for SBSYS"}] * 3,
        },
        "help": {"lead": "Det forstod jeg ikke.", "actions": MAIN_ACTIONS},
        "welcome": {"name": "Anne", "actions": MAIN_ACTIONS},
        "intent_offers": {
            "offers": [{"key": "directory.who_owns", "label": "Find en systemejer"}] * 3,
            "said": "hvem ejer det",
        },
        "knowledge_answer": {
            "entry": {
                "title": "Styregruppen",
                "text": LONG,
                "fact": "Styregruppen mødes hver måned.",
                "citation": {"text": "Randers' IT-strategi, afsnit 3"},
                "related": [
                    {"entry_id": f"faq.{n}", "question": "Hvem er formand?"} for n in range(5)
                ],
            },
            "records": ["Formand: Anne Jensen"],
        },
        "knowledge_suggest": {
            "suggestions": [
                {"entry_id": f"faq.{n}", "question": "Hvor tit mødes…?"} for n in range(3)
            ]
        },
        "knowledge_unknown": {
            "text": "Det står ikke i vores materiale.",
            "ask": [{"name": "Anne Jensen", "note": "DPO", "email": "anne@kommune.dk"}] * 2,
        },
        "meeting_reminder": {
            "key": "meeting:1:week:anne",
            "body": "styregruppen",
            "personal": True,
            "title": {"da": "Styregruppemøde", "en": "Steering group meeting"},
            "rule_text": {"da": "Om en uge", "en": "In a week"},
            "when": {"da": "4. marts 2027 13:00", "en": "4 March 2027 13:00"},
            "place": "Rådhuset, lokale 2",
            "teams_link": "https://teams.microsoft.com/l/meetup-join/1",
            "agenda": "https://kommune.sharepoint.com/agenda",
            "answered": None,
        },
        "meetings_list": {
            "heading": "Årshjulet 2027",
            "sections": [{"title": "Styregruppen", "rows": ["4. marts 13:00"] * 10}] * 3,
        },
        "portfolio_duplicate": {
            "warning": "Der findes et lignende initiativ.",
            "similar": [{"id": n, "title": LONG[:80]} for n in range(1, 4)],
            "form": {"title": "Ny booking"},
        },
        "portfolio_form": {
            "fields": form_fields(lang, form.values, form.errors, date(2026, 12, 2)),
            "error_count": len(form.errors),
        },
        "portfolio_initiative": {
            "i": {
                "id": 12,
                "title": "Ny booking",
                "status": "ide",
                "status_line": "Idé",
                "description": LONG,
                "facts": [("Enhed", "Kultur"), ("Budget", "1,2 mio. kr.")],
                "gains": ["Tid sparet"] * 3,
                "history": ["1.3.2027: oprettet"] * 3,
            },
            "moves": [
                {"verb": "Godkend", "to": "approved", "reason_required": False},
                {"verb": "Afvis", "to": "rejected", "reason_required": True},
                {"verb": "Sæt på pause", "to": "paused", "reason_required": True},
            ],
            "can_follow": True,
            "no_moves": "Du kan ikke flytte det.",
            "mine_text": "mine initiativer",
        },
        "portfolio_list": {
            "heading": "Initiativer",
            "rows": [{"id": n, "title": LONG[:80], "line": "Idé · Kultur"} for n in range(8)],
            "more": "3 flere",
        },
        "profile": {
            "unit": LONG[:60],
            "language": "dansk",
            "edit_unit": {"action": "profile.unit"},
            "languages": [
                {"title": title, "data": {"action": "profile.language", "language": code}}
                for code, title in (("da", "Dansk"), ("en", "English"))
            ],
        },
        "privacy_data": {
            "title": "Det ved jeg om dig",
            "intro": "Her er alt.",
            "sections": [
                {
                    "title": "Profil",
                    "rows": [[{"title": "Sprog", "value": "dansk"}]] * 3,
                    "more": "og 4 flere",
                }
            ]
            * 3,
        },
        "procurement_departure": {
            "intro": "Nogle svar afviger.",
            "head": "Afvigelse 1 af 2: Sikkerhed",
            "explanation": LONG,
            "source": "Randers IT-strategi",
        },
        "procurement_it": {
            **_procurement(lang),
            "id": 4,
            "requester_name": "Anne Jensen",
            "date": "01.02.2027",
            "checks": ["Persondata", "Drift"],
            "stage": "screening",
            "status_text": "under screening",
            "screener": "Ib Hansen",
            "decision_note": None,
            "buttons": True,
            # A screener's own view of the channel's card: refreshed for 60 screeners at most.
            "refresh": [f"29:1user-{n}" for n in range(60)],
        },
        "procurement_list": {
            "title": "Åbne anmodninger",
            "lines": [{"text": "#4 Booking", "warning": True}] * 5,
        },
        "procurement_question": {
            "id": 4,
            "need": LONG,
            "by": "Ib",
            "question": "Hvor ligger data?",
            "question_id": 2,
        },
        "procurement_status": {
            "id": 4,
            "need": LONG,
            "status": "godkendt med betingelser",
            "date": "1. februar 2027",
            "screener": "Ib Hansen",
            "note": "Databehandleraftalen skal være underskrevet før brug.",
        },
        "procurement_reuse": {
            "systems": [
                {"name": "SBSYS", "description": "ESDH", "owners": ["Mette"]},
                {"name": "Nexus", "description": "", "owners": []},
            ],
            "requests": [{"request_id": 3, "unit": "Kultur", "need": "Booking"}],
            "initiatives": [
                {"id": 5, "title": "Booking", "status": "ide", "unit": "Kultur", "lead": "Bo"}
            ],
        },
        "procurement_summary": _procurement(lang),
    }


def _templates() -> list[str]:
    folder = files("dialogs").joinpath("cards")
    return sorted(
        p.name.removesuffix(".json.j2") for p in folder.iterdir() if p.name.endswith(".json.j2")
    )


@cache
def _rendered() -> dict[str, dict[str, Any]]:
    return {
        f"{name}/{lang}": card_json(name, lang, **values)
        for lang in LANGS
        for name, values in samples(lang).items()
    }


@cache
def _microsoft_events() -> dict[str, list[str]]:
    """Every card through one node process: each card's parse and validation events."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is required to run Microsoft's Adaptive Cards renderer", pytrace=False)
    try:
        bundle = install_adaptivecards()
    except ManifestError as exc:
        pytest.fail(f"Microsoft's adaptivecards package is required: {exc}", pytrace=False)
    result = subprocess.run(
        [node, str(HERE / "parse_cards.js"), str(bundle), str(HERE / "teams_host_config.json")],
        input=json.dumps(_rendered()),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_every_template_has_sample_values() -> None:
    assert sorted(samples("da")) == _templates()


@pytest.mark.parametrize("name", _templates())
@pytest.mark.parametrize("lang", LANGS)
def test_microsoft_parses_the_card_without_a_warning(name: str, lang: Lang) -> None:
    assert _microsoft_events()[f"{name}/{lang}"] == []


@pytest.mark.parametrize("name", _templates())
@pytest.mark.parametrize("lang", LANGS)
def test_the_card_fits_teams(name: str, lang: Lang) -> None:
    card = _rendered()[f"{name}/{lang}"]
    assert float(card["version"]) <= 1.5
    assert len(json.dumps(card, ensure_ascii=False).encode()) <= MAX_CARD_BYTES
    assert long_labels({"attachments": [{"content": card}]}) == [], MAX_BUTTON_LABEL
    assert _nesting(card) <= MAX_NESTING


def _nesting(node: Any, depth: int = 0) -> int:
    """How deep containers (cards, containers, column sets, columns, action sets) go."""
    if isinstance(node, list):
        return max([depth, *(_nesting(item, depth) for item in node)])
    if not isinstance(node, dict):
        return depth
    here = depth + (node.get("type") in NESTING_TYPES)
    return max([here, *(_nesting(value, here) for value in node.values())])


def test_the_parser_reports_what_teams_would_refuse() -> None:
    """The check can fail: six actions and an unknown element are both reported."""
    broken = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [{"type": "Carousel2"}],
        "actions": [{"type": "Action.Submit", "title": str(n)} for n in range(6)],
    }
    node, bundle = shutil.which("node"), install_adaptivecards()
    assert node is not None
    result = subprocess.run(
        [node, str(HERE / "parse_cards.js"), str(bundle), str(HERE / "teams_host_config.json")],
        input=json.dumps({"broken": broken}),
        capture_output=True,
        text=True,
        check=True,
    )
    events = json.loads(result.stdout)["broken"]
    assert any(e.startswith("TooManyActions") for e in events)
    assert any(e.startswith("UnknownElementType") for e in events)


def test_a_name_too_long_for_a_button_is_numbered_and_stands_beside_it() -> None:
    fitted = fit_buttons(
        [
            {"name": "SBSYS", "detail": "", "text": "sbsys"},
            {"name": "Fagsystem til økonomistyring", "detail": "Ejer: Bo", "text": "økonomi"},
        ],
        "da",
    )
    assert [(c["name"], c["detail"]) for c in fitted] == [
        ("SBSYS", ""),
        ("Valg 2", "Fagsystem til økonomistyring — Ejer: Bo"),
    ]


@pytest.mark.parametrize("lang", LANGS)
def test_every_next_step_title_fits_a_button(lang: Lang) -> None:
    """`actions.<key>` are the titles of suggested actions and card buttons everywhere."""
    titles = {
        key: text(key, lang)
        for key in keys(lang)
        if key.startswith("actions.") and not key.endswith("_say")
    }
    assert {k: t for k, t in titles.items() if len(t) > MAX_BUTTON_LABEL} == {}


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("1. marts 2027", "1\\. marts 2027"),  # a date, not a numbered list
        ("- ingen", "\\- ingen"),
        ("1.3.2027", "1.3.2027"),
        ("Kultur og Fritid", "Kultur og Fritid"),
    ],
)
def test_a_fact_value_that_looks_like_a_list_is_shown_as_written(written: str, shown: str) -> None:
    profile = card_json("profile", "da", unit=written, language=None, edit_unit={}, languages=[])
    [facts] = [block["facts"] for block in profile["body"] if block["type"] == "FactSet"]
    assert facts[0]["value"] == shown
