"""A botbuilder `Storage` over govbot's database, so dialogs survive restarts."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any

from jsonpickle.pickler import Pickler
from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.sdk import BotState, CachedBotState, ConversationState, Storage, TurnContext, UserState
from storage.data_subject import PersonalData, Subject
from storage.db import Database
from storage.models import BotStateDocument
from storage.models.base import utcnow
from storage.sql import rowcount, upsert
from storage.state_codec import Unencodable, decode, encode


class ETagConflictError(KeyError):
    """A write carried an eTag that no longer matches the stored document."""


# Built once: the per-turn reads and writes then skip constructing the statement (SQLAlchemy
# caches the compiled SQL, but not building the expression each time).
_READ = select(BotStateDocument.key, BotStateDocument.document, BotStateDocument.etag).where(
    BotStateDocument.key.in_(bindparam("keys", expanding=True))
)
_UPDATE_IF_CURRENT = (
    update(BotStateDocument)
    .where(
        BotStateDocument.key == bindparam("match_key"),
        BotStateDocument.etag == bindparam("match_etag"),
    )
    .values(
        document=bindparam("new_document"),
        etag=bindparam("new_etag"),
        updated_at=bindparam("new_updated_at"),
    )
    # State documents are never loaded as ORM objects, so there is nothing to synchronise.
    .execution_options(synchronize_session=False)
)


TOUCH_INTERVAL = timedelta(minutes=5)
"""How stale a conversation's `last_active` may get before a turn that changes nothing else
rewrites its state. botbuilder writes a state document only when it changed, so a fresher stamp
would turn every read-only turn into a write; retention (days) and the dialog expiry (hours)
read `updated_at` and `last_active` far coarser than this."""


def recently_active(stamp: object, now: datetime, interval: timedelta = TOUCH_INTERVAL) -> bool:
    """Whether a `last_active` stamp (ISO text, as kept in conversation state) is less than
    `interval` old, so the turn at `now` need not rewrite it."""
    if not isinstance(stamp, str):
        return False
    try:
        return timedelta(0) <= now - datetime.fromisoformat(stamp) < interval
    except (TypeError, ValueError):
        return False


def user_state_key(channel_id: str, user_id: str) -> str:
    """botbuilder's UserState key for one user of one channel."""
    return f"{channel_id}/users/{user_id}"


def conversation_state_key(channel_id: str, conversation_id: str) -> str:
    """botbuilder's ConversationState key for one conversation of one channel."""
    return f"{channel_id}/conversations/{conversation_id}"


async def state_documents(*, session: AsyncSession, keys: list[str]) -> dict[str, dict[str, Any]]:
    """The stored state documents under `keys` as plain JSON (SDK objects left flattened), for
    readers outside a turn such as the outbox dispatcher; unknown keys are left out."""
    rows = await session.execute(_READ, {"keys": keys})
    return {key: dict(document) for key, document, _etag in rows if isinstance(document, dict)}


async def load_together(turn_context: TurnContext, *states: BotState) -> None:
    """Read the turn's documents of `states` in one storage read (one query), as each state's
    own `load` would one by one; a state already loaded this turn is left as it is."""
    pending = [state for state in states if not _loaded(state, turn_context)]
    storages = {id(state._storage) for state in pending}
    if len(storages) != 1:  # nothing to read, or states on different storages
        for state in pending:
            await state.load(turn_context)
        return
    keys = [state.get_storage_key(turn_context) for state in pending]
    items = await pending[0]._storage.read(keys)
    for state, key in zip(pending, keys, strict=True):
        turn_context.turn_state[state._context_service_key] = _CachedState(items.get(key))


class _CachedState(CachedBotState):
    """botbuilder's cached state, hashed (to see whether the turn changed it) through the
    state codec rather than a jsonpickle flattening on load and again on save."""

    def compute_hash(self, obj: object) -> str:
        try:
            return str(encode(obj))
        except Unencodable:
            return super().compute_hash(obj)


def flatten(item: Any) -> Any:
    """A state item as the JSON stored for it: the state codec's, else jsonpickle's."""
    try:
        return encode(item)
    except Unencodable:
        return Pickler().flatten(item)


def _loaded(state: BotState, turn_context: TurnContext) -> bool:
    return state.get_cached_state(turn_context) is not None


class _ReadOncePerTurn(BotState):
    """A state read from storage once per turn, even when there is nothing stored.

    botbuilder's `load` reads again whenever the turn's copy is empty, so a brand-new
    conversation queried its state at every property access (two or three times a turn), and
    a state cleared in the turn came back from storage on the next access.
    """

    async def load(self, turn_context: TurnContext, force: bool = False) -> None:
        if force or self.get_cached_state(turn_context) is None:
            await super().load(turn_context, force)


class TurnConversationState(_ReadOncePerTurn, ConversationState):
    """botbuilder's ConversationState, read once per turn."""


class TurnUserState(_ReadOncePerTurn, UserState):
    """botbuilder's UserState, read once per turn."""


_bound_session: ContextVar[AsyncSession | None] = ContextVar("bot_state_session", default=None)


@contextmanager
def state_in(session: AsyncSession) -> Iterator[None]:
    """Inside this block (and this task), SqlStorage on the session's database reads and writes
    through `session`: a turn's state then commits or rolls back with the turn's other writes,
    on the turn's one connection."""
    token = _bound_session.set(session)
    try:
        yield
    finally:
        _bound_session.reset(token)


class SqlStorage(Storage):
    """JSON documents with eTag optimistic concurrency, in the `bot_state` table.

    Dialog state holds SDK objects (DialogState, DialogInstance, PromptOptions): items are
    written with the typed state codec (storage.state_codec), and documents that botbuilder's
    jsonpickle flattening wrote before are still read.
    """

    def __init__(self, database: Database) -> None:
        self._database = database

    async def read(self, keys: list[str]) -> dict[str, Any]:
        """Load the documents stored under `keys`; unknown keys are left out."""
        if keys is None:
            raise Exception("Keys are required when reading")
        keys = list(keys)
        if not keys:
            return {}
        bound = self._bound()
        if bound is not None:
            return await self._read(bound, keys)
        async with self._database.sessions() as session:
            return await self._read(session, keys)

    @staticmethod
    async def _read(session: AsyncSession, keys: list[str]) -> dict[str, Any]:
        rows = await session.execute(_READ, {"keys": keys})
        return {key: decode(dict(document, e_tag=etag)) for key, document, etag in rows}

    async def write(self, changes: Mapping[str, Any]) -> None:
        """Save documents; a stale eTag raises ETagConflictError and writes nothing."""
        if changes is None:
            raise Exception("Changes are required when writing")
        if not changes:
            return
        bound = self._bound()
        if bound is not None:
            for key, item in dict(changes).items():
                await self._write_one(bound, key, item)
            return
        async with self._database.transaction() as session:
            for key, item in dict(changes).items():
                await self._write_one(session, key, item)

    async def delete(self, keys: Iterable[str]) -> None:
        """Remove documents; unknown keys are ignored."""
        keys = list(keys or [])
        if not keys:
            return
        statement = delete(BotStateDocument).where(BotStateDocument.key.in_(keys))
        bound = self._bound()
        if bound is not None:
            await bound.execute(statement)
            return
        async with self._database.transaction() as session:
            await session.execute(statement)

    def _bound(self) -> AsyncSession | None:
        """The session bound by `state_in`, if it is on this storage's database."""
        session = _bound_session.get()
        return session if session is not None and session.bind is self._database.engine else None

    async def _write_one(self, session: AsyncSession, key: str, item: Any) -> None:
        expected = item.get("e_tag") if isinstance(item, dict) else getattr(item, "e_tag", None)
        if expected == "":
            raise Exception("SqlStorage.write(): etag missing")
        document = flatten(item)
        if isinstance(document, dict):
            document.pop("e_tag", None)
        new_etag = uuid.uuid4().hex
        if expected and expected != "*":
            result = await session.execute(
                _UPDATE_IF_CURRENT,
                {
                    "match_key": key,
                    "match_etag": expected,
                    "new_document": document,
                    "new_etag": new_etag,
                    "new_updated_at": utcnow(),
                },
            )
            if rowcount(result) == 1:
                return
            exists = await session.scalar(
                select(BotStateDocument.key).where(BotStateDocument.key == key)
            )
            if exists is not None:
                raise ETagConflictError(f"eTag conflict for {key!r}")
            await session.execute(
                insert(BotStateDocument).values(key=key, document=document, etag=new_etag)
            )
            return
        values = {"key": key, "document": document, "etag": new_etag, "updated_at": utcnow()}
        await session.execute(
            upsert(
                session,
                BotStateDocument,
                values,
                conflict_on=["key"],
                update=["document", "etag", "updated_at"],
            )
        )


# --- personal data (storage.personal_data lists these) ------------------------------------


def _user_state_keys(subject: Subject) -> list[str]:
    return [user_state_key("msteams", user_id) for user_id in subject.channel_user_ids]


async def _export_state(session: AsyncSession, subject: Subject) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(BotStateDocument).where(BotStateDocument.key.in_(_user_state_keys(subject)))
    )
    return [{"preferences": {k: v for k, v in row.document.items() if k != "eTag"}} for row in rows]


async def _erase_state(session: AsyncSession, subject: Subject) -> int:
    result = await session.execute(
        delete(BotStateDocument).where(BotStateDocument.key.in_(_user_state_keys(subject)))
    )
    return rowcount(result)


PERSONAL_DATA = (
    PersonalData(
        "preferences",
        (BotStateDocument.key, BotStateDocument.document),
        export=_export_state,
        erase=_erase_state,
    ),
)
