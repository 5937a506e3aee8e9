"""`python -m bot` runs the govbot CLI."""

import gc

# Off before the imports too (they are most of start-up); `bot.cli.main` explains.
gc.disable()

from bot.cli import main  # noqa: E402

main()
