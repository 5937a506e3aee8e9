"""Conversation flows (botbuilder-dialogs), and the words and cards they speak with."""
