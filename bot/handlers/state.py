"""What every handler shares: `BotState` (the application's `bot_data`), the typed `Context`
handlers receive, and `BotApplication`, the Application they run in."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot, Job

from bot.admission import Admission
from bot.daily import DEFAULT_TIMEZONE
from bot.metrics import Metrics
from bot.models import DocumentSummary, StoreStats
from bot.reload import LiveStore
from bot.state_store import StateStore
from bot.store import CorpusReader
from bot.throttle import Throttle


class RecentIds:
    """The last `size` ids seen, to recognise one seen again (memory stays bounded)."""

    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._seen: OrderedDict[int, None] = OrderedDict()

    def first_time(self, key: int) -> bool:
        """Remember `key`; whether it is new."""
        if key in self._seen:
            return False
        self._seen[key] = None
        if len(self._seen) > self._size:
            self._seen.popitem(last=False)
        return True


@dataclass
class BotState:
    """Everything the handlers share, created empty by PTB and filled in `post_init`."""

    live: LiveStore | None = None  # the served database; swapped on reload
    secret: bytes = b""  # signs callback data; derived from the token, same on every replica
    examples: tuple[str, ...] = ()
    started_at: float = field(default_factory=time.monotonic)  # reset when polling starts
    fatal: str | None = None  # why the bot stopped itself; the CLI exits non-zero with it
    last_conflict_warning: float = 0.0
    conflict_grace: float = 10.0  # seconds after starting when a 409 means "I am the newcomer"
    metrics: Metrics = field(default_factory=Metrics)
    # A reader types about one inline query per keystroke, debounced by the client: 4 at once
    # and 2 a second, with the newest always answered (see inline_query), keeps up with a
    # person and holds a flooder to 2 searches a second.
    inline_throttle: Throttle = field(default_factory=lambda: Throttle(rate=2.0, burst=4))
    inline_waiting: dict[int, Update] = field(default_factory=dict)  # user -> newest query
    # Every search goes through this gate: a bounded number in flight, the rest shared fairly
    # between users and shed with a polite "busy" (see bot.admission).
    admission: Admission = field(default_factory=Admission)
    # A user whose searches are shed hears "busy" once in a while, not once per message: the
    # replies would take the bot's whole sending rate (30 a second) from everyone else.
    busy_notices: Throttle = field(default_factory=lambda: Throttle(rate=0.1, burst=1))
    # Forwarding a dozen messages to find their sources is a burst a person makes.
    message_throttle: Throttle = field(default_factory=lambda: Throttle(rate=1.0, burst=20))
    # A webhook delivery retried after a slow answer, a proxy replaying a request: the same
    # update_id again is dropped (per process; replicas each see their own deliveries).
    recent_updates: RecentIds = field(default_factory=RecentIds)
    greeted: OrderedDict[int, None] = field(default_factory=OrderedDict)  # see smalltalk.py
    # Every document of the served build, for `/toc 关键词` (see toc.py): (build tag, list).
    toc_documents: tuple[str, list[DocumentSummary]] | None = None

    admins: frozenset[int] = frozenset()
    state_store: StateStore | None = None  # subscriptions and feedback (its own file)
    timezone: str = DEFAULT_TIMEZONE
    clock: Callable[[], float] = time.time  # the daily schedule's clock (a seam for tests)
    scheduler: Job[Context] | None = None  # posts the daily excerpts
    listed_chats: frozenset[int] = frozenset()  # daily chats set by EXCERPT_BOT_DAILY_CHATS
    watcher: Job[Context] | None = None  # polls the database file for a rebuild
    stop: asyncio.Event | None = None  # set to stop serving (SIGTERM, or a fatal conflict)

    @property
    def store(self) -> CorpusReader | None:
        return self.live.current if self.live else None

    @property
    def stats(self) -> StoreStats | None:
        return self.live.stats if self.live else None

    def require_store(self) -> CorpusReader:
        """The database to use for this call; fetch it per call, a reload may swap it."""
        store = self.store
        if store is None:
            raise RuntimeError("the store is not open (post_init has not run)")
        return store


class Context(CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], BotState]):
    """What every handler gets (PTB's contexttypesbot pattern): typed shortcuts to the
    shared state instead of reaching into `bot_data`."""

    @property
    def state(self) -> BotState:
        return self.bot_data

    @property
    def store(self) -> CorpusReader:
        """The served corpus database, fetched per call: a reload may swap it."""
        return self.bot_data.require_store()

    @property
    def state_store(self) -> StateStore | None:
        """Subscriptions and feedback; None when the bot has no writable state file."""
        return self.bot_data.state_store

    @property
    def metrics(self) -> Metrics:
        return self.bot_data.metrics


# The Application these handlers run in, as PTB's generics spell it.
BotApplication = Application[ExtBot[Any], Context, dict[Any, Any], dict[Any, Any], BotState, Any]
