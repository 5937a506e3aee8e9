"""Adaptive Card templates (`*.json.j2`) and their renderer."""

from dialogs.cards.render import MAIN_ACTIONS, card, card_json

__all__ = ["MAIN_ACTIONS", "card", "card_json"]
