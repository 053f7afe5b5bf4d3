"""Which database the bot serves, and switching to a rebuilt one without a restart.

`excerpt-bot index` publishes a new build with `os.replace`, so the served path gets a new
inode. `LiveStore.reload()` opens the new file, checks it, and swaps it in: searches that
already started finish on the old connection, which closes once they are done. A file that
fails to open or fails `quick_check` is never served; the old database keeps serving.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from bot.models import StoreStats
from bot.store import SHRINK_SHARE, Store, StoreError, file_identity

log = logging.getLogger(__name__)

RETIRE_GRACE = 2.0  # seconds a replaced store stays open for calls that just fetched it


@dataclass(frozen=True, slots=True)
class ReloadResult:
    changed: bool
    stats: StoreStats | None
    error: str | None = None


class LiveStore:
    def __init__(
        self,
        path: Path,
        on_change: Callable[[], Awaitable[None]] | None = None,
        *,
        meaning: bool = True,
        connections: int = 1,
    ) -> None:
        self.path = path
        self._meaning = meaning  # read the meaning index of the databases it serves
        self._connections = connections  # calls each served database runs at once
        self._on_change = on_change
        self._store: Store | None = None
        self.stats: StoreStats | None = None
        self._lock = asyncio.Lock()
        self._retiring: dict[asyncio.Task[None], Store] = {}
        self._refused: tuple[int, ...] | None = None  # a bad file: do not retry it every tick

    @property
    def current(self) -> Store | None:
        return self._store

    async def open(self) -> StoreStats:
        """Open the configured file; raises StoreError when it cannot be served."""
        store = await Store.open(self.path, meaning=self._meaning, connections=self._connections)
        self._store = store
        self.stats = await store.stats()
        return self.stats

    def changed_on_disk(self) -> bool:
        try:
            identity = file_identity(self.path)
        except OSError:
            return False  # gone for a moment (mid-replace) or removed: keep serving
        return self._store is not None and identity not in (self._store.identity, self._refused)

    async def reload(self, *, force: bool = False) -> ReloadResult:
        """Serve the file at `path` if it is a different, healthy database."""
        async with self._lock:
            if not force and not self.changed_on_disk():
                return ReloadResult(False, self.stats)
            try:
                candidate = await Store.open(
                    self.path, meaning=self._meaning, connections=self._connections
                )
            except StoreError as exc:
                return self._refuse(str(exc))
            try:
                verdict = await candidate.quick_check()
                stats = await candidate.stats()
            except StoreError as exc:
                verdict, stats = str(exc), None
            if verdict != "ok" or stats is None:
                await candidate.close()
                return self._refuse(f"{self.path} failed its integrity check: {verdict}")
            shrink = self._shrink(stats)
            if shrink is not None:
                await candidate.close()
                return self._refuse(f"{self.path} {shrink} (not built with --allow-shrink)")
            old, self._store, self.stats = self._store, candidate, stats
            self._refused = None
            if old is not None:
                task = asyncio.create_task(old.retire(RETIRE_GRACE))
                self._retiring[task] = old
                task.add_done_callback(lambda done: self._retiring.pop(done, None))
            log.info(
                "now serving %s: %d passages, built %s", self.path, stats.passages, stats.built_at
            )
        if self._on_change is not None:
            await self._on_change()
        return ReloadResult(True, stats)

    def _shrink(self, new: StoreStats) -> str | None:
        """Why a new file looks like a mistake (what `excerpt-bot index` refuses to publish:
        an empty build, or one that lost most documents), unless it was built on purpose."""
        if new.shrink_allowed:
            return None
        if not new.passages:
            return "has no passages"
        served = self.stats.documents if self.stats is not None else 0
        if served - new.documents > SHRINK_SHARE * served:
            return f"has {new.documents} documents where the served one has {served}"
        return None

    def _refuse(self, reason: str) -> ReloadResult:
        with contextlib.suppress(OSError):
            self._refused = file_identity(self.path)
        log.error("not switching to the new database: %s; still serving the previous one", reason)
        return ReloadResult(False, self.stats, reason)

    async def close(self) -> None:
        """Close every connection, the retiring ones too (an open one would keep the process
        from exiting)."""
        for task, old in list(self._retiring.items()):
            task.cancel()
            await old.close()
        if self._store is not None:
            await self._store.close()
            self._store = None
