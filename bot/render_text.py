"""Plain-text rendering of replies (text, Adaptive Cards, suggested actions) for the terminal."""

from __future__ import annotations

from typing import Any

from bot.sdk import Activity

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"


def card_actions(activity: Activity) -> list[tuple[str, Any]]:
    """The (title, submit data) of every card button and suggested action in a reply."""
    found: list[tuple[str, Any]] = []
    for attachment in activity.attachments or []:
        if attachment.content_type == ADAPTIVE_CARD and isinstance(attachment.content, dict):
            found.extend(_actions(attachment.content))
    if activity.suggested_actions and activity.suggested_actions.actions:
        for action in activity.suggested_actions.actions:
            found.append((action.title or str(action.value), {"text": str(action.value)}))
    return found


def _actions(element: dict[str, Any]) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for action in element.get("actions", []) or []:
        if action.get("type") == "Action.Submit":
            found.append((action.get("title", ""), action.get("data", {})))
        elif action.get("type") == "Action.Execute":
            # Pressed here as a submit, its verb the action (the handlers are the same).
            found.append(
                (action.get("title", ""), {**action.get("data", {}), "action": action.get("verb")})
            )
        elif action.get("type") == "Action.ShowCard" and isinstance(action.get("card"), dict):
            found.extend(_actions(action["card"]))
    for child in element.get("body", []) or []:
        if isinstance(child, dict):
            found.extend(_actions(child))
            for item in child.get("items", []) or []:
                if isinstance(item, dict):
                    found.extend(_actions(item))
    return found


def card_text(content: dict[str, Any]) -> list[str]:
    """The visible text of an Adaptive Card, line by line."""
    lines: list[str] = []
    for element in content.get("body", []) or []:
        lines.extend(_element_text(element))
    return lines


def _element_text(element: Any) -> list[str]:
    if not isinstance(element, dict):
        return []
    kind = element.get("type")
    if kind == "TextBlock":
        return [str(element.get("text", ""))]
    if kind == "RichTextBlock":
        return [
            "".join(
                str(r.get("text", "")) for r in element.get("inlines", []) if isinstance(r, dict)
            )
        ]
    if kind == "FactSet":
        return [f"{f.get('title', '')}: {f.get('value', '')}" for f in element.get("facts", [])]
    if kind in ("Input.Text", "Input.ChoiceSet", "Input.Date", "Input.Number", "Input.Toggle"):
        return [f"[{element.get('label') or element.get('placeholder') or element.get('id')}]"]
    lines: list[str] = []
    for key in ("items", "columns"):
        for child in element.get(key, []) or []:
            lines.extend(_element_text(child))
    return lines


def render(activity: Activity) -> str:
    """A reply as the terminal shows it, buttons numbered."""
    lines: list[str] = []
    if activity.text:
        lines.append(activity.text)
    for attachment in activity.attachments or []:
        if attachment.content_type == ADAPTIVE_CARD and isinstance(attachment.content, dict):
            lines.extend(card_text(attachment.content))
    return "\n".join(line for line in lines if line)
