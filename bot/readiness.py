"""Start-up work a server finishes before `/healthz` says it can answer.

The knowledge index (BM25 and phrasing scores over the pack) and the compiled message
and card templates are built on first use; built inside a turn they would hold the event loop,
and every conversation with it, for a second or two. A server builds them in a worker thread
from start-up on, beside the directory index, and is healthy once they are there.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.logs import fields
from dialogs.cards.render import compile_cards
from dialogs.texts import compile_texts
from knowledge.schema import Pack

log = logging.getLogger(__name__)


def warm(pack: Pack, cache_dir: Path | None = None) -> None:
    """Build what the first turns would otherwise build (blocking: run it in a thread); the
    compiled templates are kept in `cache_dir` (the model cache) for the next start."""
    compile_texts(cache_dir)
    compile_cards(cache_dir)
    _ = pack.knowledge


def freeze_imported() -> None:
    """In a process started with the collector off (`govbot serve`): keep what the imports
    made out of every collection, without first collecting.

    The modules' functions, classes and dicts are most of a server's objects (some 300,000);
    the collection `settle_heap` makes would walk them all (a quarter of a second of start-up,
    before /healthz) to find about 2 MB of import-time cycles. Frozen now, they are left out:
    that garbage stays, and start-up's own is still collected after the warm-up.
    """
    if not gc.isenabled():
        gc.freeze()


def settle_heap() -> None:
    """Collect once, keep start-up's survivors out of later scans, and collect from now on."""
    gc.collect()
    gc.freeze()
    gc.enable()


@dataclass
class WarmUp:
    """The warm-up of one server: `done` is set when it finished (or failed, logged)."""

    done: asyncio.Event = field(default_factory=asyncio.Event)
    failed: str | None = None
    cache_dir: Path | None = None  # where compiled templates are kept (GOVBOT_MODEL_CACHE)

    async def run(self, pack: Pack) -> None:
        began = time.perf_counter()
        try:
            await asyncio.to_thread(warm, pack, self.cache_dir)
        except Exception as error:
            # A broken template or index fails its turns as before; health reports it.
            self.failed = type(error).__name__
            log.exception("warm-up failed")
        else:
            log.info("warm-up done", extra=fields(seconds=round(time.perf_counter() - began, 2)))
        finally:
            # Only a process `bot.cli.main` started has the collector off (govbot serve, one
            # server for its lifetime). Freezing in a process that builds many apps (the tests,
            # the bench in-process) would keep every earlier app's cycles forever.
            if not gc.isenabled():
                settle_heap()
            self.done.set()

    @property
    def state(self) -> str:
        if not self.done.is_set():
            return "building"
        return "failed" if self.failed else "ready"
