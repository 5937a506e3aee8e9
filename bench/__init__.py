"""`make bench`: govbot's speed against a bare botbuilder bot, reminders, scale-out and memory."""
