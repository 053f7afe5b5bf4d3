"""One sqlite3 connection on its own thread: `await db.run(fn)` calls `fn(connection)` there.

datasette's `Database.execute_fn` idiom: a whole unit of work (a search, a write and its
commit) is one function run on the connection's thread, so it costs one hop however many
statements it makes. sqlite3 blocks, and an event loop must not; a connection is used by one
thread at a time, and a single thread per connection keeps that true without locks.

Why not `loop.run_in_executor(ThreadPoolExecutor(1), ...)`: measured on this machine it costs
40-50 µs a hop against 20-30 µs for this queue and thread (bench/dbthread.py), and a search
makes one or two hops in about a millisecond. The thread is a daemon: a connection someone
forgot to close never keeps the process from exiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import sqlite3
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_Job = tuple[asyncio.AbstractEventLoop, "asyncio.Future[Any]", Callable[[], Any]]


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():  # the caller gave up (cancelled, timed out): nobody to tell
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


class DatabaseThread:
    """A sqlite3 connection and the one thread that uses it. Open with `await connect(...)`."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._work, name="sqlite", daemon=True)
        self._conn: sqlite3.Connection | None = None
        self._closed = False

    @classmethod
    async def connect(cls, database: str, **kwargs: Any) -> DatabaseThread:
        """`sqlite3.connect(database, **kwargs)` on a new thread; raises what it raises."""
        db = cls()
        db._thread.start()
        try:
            db._conn = await db._submit(
                lambda: sqlite3.connect(database, check_same_thread=False, **kwargs)
            )
        except BaseException:
            db._jobs.put(None)
            raise
        return db

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            loop, future, fn = job
            result: Any = None
            error: BaseException | None = None
            try:
                result = fn()
            except BaseException as exc:  # handed to the awaiting caller
                error = exc
            with contextlib.suppress(RuntimeError):  # the loop is gone: nobody to tell
                loop.call_soon_threadsafe(_settle, future, result, error)

    def _submit(self, fn: Callable[[], T]) -> asyncio.Future[T]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._jobs.put((loop, future, fn))
        return future

    def run(self, fn: Callable[[sqlite3.Connection], T]) -> asyncio.Future[T]:
        """Run `fn(connection)` on the connection's thread, after the calls before it.
        Cancelling the future does not stop `fn`: use `interrupt()` for that."""
        if self._closed or self._conn is None:
            raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
        conn = self._conn
        return self._submit(lambda: fn(conn))

    def interrupt(self) -> None:
        """Stop the statement running now (sqlite3 allows this from any thread)."""
        if self._conn is not None and not self._closed:
            self._conn.interrupt()

    async def close(self) -> None:
        """Close the connection once the calls already queued are done; then the thread ends."""
        if self._closed:
            return
        self._closed = True
        conn = self._conn
        try:
            if conn is not None:
                await self._submit(conn.close)
        finally:
            self._jobs.put(None)
