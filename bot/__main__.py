"""`python -m bot` runs the govbot CLI."""

from bot.cli import main

main()
