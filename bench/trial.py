"""A stranger's trial: first messages, each from a new user, over HTTP to the real app.

    python -m bench.trial messages.yaml [--pack randers] [-v]

`messages.yaml` holds `items: [{text, capability}]` written by someone who never saw the
training data. Every message starts a new 1:1 conversation on the demo municipality (what
`make run` serves); a message *lands* when the turn's intent belongs to the expected
capability. Prints the share per capability and, with -v, every miss with govbot's answer.
A reply is a *dead end* when nothing in it leads on: no button, no suggested action, and no
question or "skriv …"/"spørg …" hint in its text.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import re
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from bot.logs import FIELDS
from bot.settings import Settings
from dialogs.texts import text
from storage.db import Database
from storage.demo import load_demo_data
from storage.migrate import upgrade
from tests.support.activities import message
from tests.support.channel import Received, TestChannel
from tests.support.server import start_bot

# Turn intents that are not an intent key, and the capability they belong to.
_SPECIAL = {
    "answer_text": "knowledge",
    "sure_answer": "knowledge",
    "lookup_fallback": "directory",
    "not_understood": "none",
    "offer": "offer",
    "welcome": "smalltalk",
}
_CORE = {"help": "help", "profile": "help", "greeting": "smalltalk", "welcome": "smalltalk"}


def capability_of(intent: str) -> str:
    """The capability a turn's logged intent belongs to."""
    intent = intent.split(":", 1)[-1]
    if intent in _SPECIAL:
        return _SPECIAL[intent]
    if intent in _CORE:
        return _CORE[intent]
    if intent == "support.out_of_scope":
        return "out_of_scope"
    return intent.split(".", 1)[0]


_LEADS_ON = re.compile(
    r"\?|\b(skriv|spørg|vælg|kontakt|ring|sig til|write|ask|choose|say|contact|call"
    r"|let me know)\w*",
    re.IGNORECASE,
)
# The welcome a new user gets first has buttons of its own; it does not count as the answer.
_WELCOMES = tuple(text("welcome.title", lang, name="Anne") for lang in ("da", "en"))


def leads_on(replies: list[Received]) -> bool:
    """Whether a turn's replies offer a way forward (a button, a suggestion, a hint)."""
    for reply in replies:
        if (reply.activity.get("suggestedActions") or {}).get("actions"):
            return True
        card = reply.card
        if card is not None and (card.get("actions") or '"Action.' in json.dumps(card)):
            return True
        if _LEADS_ON.search(reply.text):
            return True
    return False


class _Intents(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        values: dict[str, Any] = getattr(record, FIELDS, None) or {}
        if record.getMessage() == "turn" and "intent" in values:
            self.seen.append(str(values["intent"]))


async def trial(items: list[dict[str, Any]], pack: str, verbose: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/trial.db"
        upgrade(url)
        database = Database.connect(url)
        async with database.transaction() as session:
            await load_demo_data(session=session, pack_key=pack)
        await database.dispose()
        settings = Settings.model_validate(
            {"database_url": url, "demo_data": False, "knowledge_pack": pack}
        )
        channel = await TestChannel().start()
        bot = await start_bot(settings)
        intents = _Intents()
        logging.getLogger("bot").addHandler(intents)
        logging.getLogger("bot").setLevel(logging.INFO)
        landed: Counter[str] = Counter()
        asked: Counter[str] = Counter()
        total: Counter[str] = Counter()
        dead_ends: Counter[str] = Counter()
        try:
            for number, item in enumerate(items):
                user = f"29:1trial-{number}"
                conversation = f"a:1personal-trial-{number}"
                before = len(intents.seen)
                await bot.post(message(str(item["text"]), service_url=channel.url, user=user,
                                       aad_object_id=f"00000000-0000-0000-0000-{number:012d}",
                                       conversation=conversation))  # fmt: skip
                turn = intents.seen[before] if len(intents.seen) > before else "-"
                got, want = capability_of(turn), str(item["capability"])
                total[want] += 1
                replies = channel.to(conversation)
                answer = [r for r in replies if not r.text.startswith(_WELCOMES)] or replies
                if not leads_on(answer):
                    dead_ends[want] += 1
                    if verbose:
                        print(
                            f"DEAD END {want}: {item['text']!r} → "
                            f"{' | '.join(r.text[:120] for r in channel.to(conversation))}"
                        )
                if got == want or (want == "smalltalk" and got == "help" and turn == "welcome"):
                    landed[want] += 1
                elif got == "offer":
                    asked[want] += 1
                elif verbose:
                    answer = " | ".join(r.text[:160] for r in channel.to(conversation))
                    print(f"MISS {want:13} got {turn:28} {item['text']!r}\n     → {answer}")
        finally:
            logging.getLogger("bot").removeHandler(intents)
            await bot.stop()
            await channel.stop()
    print(f"{'capability':14} landed  asked-back  dead-ends  n")
    for name in sorted(total):
        print(f"{name:14} {landed[name] / total[name]:6.0%}  {asked[name]:10}  "
              f"{dead_ends[name]:9}  {total[name]}")  # fmt: skip
    all_landed, all_total = sum(landed.values()), sum(total.values())
    print(f"{'all':14} {all_landed / all_total:6.0%}  {sum(asked.values()):10}  "
          f"{sum(dead_ends.values()):9}  {all_total}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("messages", type=Path)
    parser.add_argument("--pack", default="randers")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    items = (yaml.safe_load(args.messages.read_text("utf-8")) or {}).get("items") or []
    asyncio.run(trial(items, args.pack, args.verbose))


if __name__ == "__main__":
    main()
