"""The meaning look-up of a large collection, in a process of its own, begun as a search
starts: it runs on a second core while the search's text path runs on the first.

At tens of millions of characters a meaning look-up (encoding the query, the Hamming scan of
`bot.meaning.SignIndex`, reading and scoring the few hundred vectors it points to) takes
10-15 ms, a third of a search, and the search needs it only after its text path (10-20 ms
for a long query) has found that the reader's words are not in the collection as typed.
In one process the two run one after the other: both are Python and numpy that hold the GIL
most of the time (a thread begun ahead was measured slower, the two taking turns). In a
second process the look-up is done, or nearly, when the text path asks for it. Measured at
24 M characters (the book corpus ×25, the bench's 290 queries, three rounds in one process
each): p95 34.4 / 33.4 / 36.3 ms → 24.3 / 23.5 / 25.0 ms, p50 8.6 → 8.9 ms, every result the
same. A look-up the search turns out not to need is cancelled if it has not started.

A collection served by sign bits has one (above `bot.meaning.EXACT_MAX_UNITS` units,
about 2 M characters), and so does one served exactly from `bot.meaning.LOOK_AHEAD_MIN_UNITS`
units (about 1 M characters): there scoring every unit and encoding the query take 6-9 ms.
Measured on a 1.65 M-character Hugo blog (38.6k units, 100 queries written by reading it,
three rounds alternated with the look-up in the search's process): p50 12.9 → 8.6 ms, p95
22.8 → 16.9 ms, every answer the same. Below that size the look-up is a few milliseconds.
Only on a machine where this process may use two CPUs or more. The process holds the
encoder (the search's own process then loads it only if the process fails) and its own copy
of the index (sign bits: 64 bytes a unit, 36 MB at 24 M characters; exact: 512 bytes a
unit, 20 MB at 40k units).

If the process cannot start, dies, or the database file it finds is not the one this store
opened, every look-up is done in the search's own process, as without one.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import TYPE_CHECKING

from bot.meaning import Encoder, MeaningHit, MeaningIndex, VectorRows, cpus_available
from bot.store.schema import QueryTimeout

if TYPE_CHECKING:
    # What the worker opens the database with (bot.store.reading.open_meaning_index): passed
    # in, since the store's reading module is what starts this one.
    IndexOpener = Callable[[Path, tuple[int, ...], int], tuple[MeaningIndex | None, VectorRows]]

log = logging.getLogger(__name__)

# How long a search waits for a look-up that has no deadline of its own (the CLI's): far
# beyond a look-up's time even behind a queue of them, so only a process that hangs reaches it.
_WAIT_CAP = 30.0

# The worker's state: set once by `_start` in the worker process.
_index: MeaningIndex | None = None
_rows: VectorRows | None = None
_encoder: Encoder | None = None


def _start(
    open_index: IndexOpener, path: Path, identity: tuple[int, ...], exact_max_units: int
) -> None:
    """Pool initializer, in the worker: the same database file the store opened, its
    meaning index, and the encoder, loaded before the first look-up."""
    global _index, _rows, _encoder
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _index, _rows = open_index(path, identity, exact_max_units)
    if _index is None:
        raise RuntimeError(f"{path} has no meaning index")
    _encoder = Encoder()
    _encoder.warm_up()


def _ready() -> int:
    """This worker's pid, once `_start` has run."""
    return os.getpid()


def _nearest(forms: list[str], k: int) -> list[MeaningHit]:
    """The index's first `k` passages for the query's `forms` (MeaningIndex.top)."""
    assert _index is not None and _rows is not None and _encoder is not None
    return _index.top(_encoder.encode(forms), k, _rows)


class LookAhead:
    """One query's meaning look-up, running in the meaning process."""

    def __init__(self, process: MeaningProcess, future: Future[list[MeaningHit]]) -> None:
        self._process = process
        self._future = future

    def result(self, deadline: float | None) -> list[MeaningHit] | None:
        """The passages found, waiting for them (on the database thread) until `deadline`
        (time.monotonic), past which the search has run out of time (QueryTimeout); None if
        the process failed: the caller looks up itself."""
        left = _WAIT_CAP if deadline is None else min(_WAIT_CAP, deadline - time.monotonic())
        try:
            return self._future.result(timeout=max(0.0, left))
        except FutureTimeout:
            self._future.cancel()
            if deadline is not None and time.monotonic() >= deadline:
                raise QueryTimeout("the query ran out of time") from None
            self._process.failed("a look-up did not return")
        except CancelledError:
            pass  # cancelled by shutting the process down: the store is closing
        except Exception as exc:  # the process died, or the look-up raised there
            self._process.failed(repr(exc))
        return None

    def cancel(self) -> None:
        """Not needed after all: dropped if it has not started."""
        self._future.cancel()


class MeaningProcess:
    """The worker process of one open store (see the module's docstring)."""

    def __init__(
        self,
        open_index: IndexOpener,
        path: Path,
        identity: tuple[int, ...],
        exact_max_units: int,
    ) -> None:
        # "spawn", not "fork": the store's process has other threads (database, event loop).
        self._pool: ProcessPoolExecutor | None = ProcessPoolExecutor(
            1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start,
            initargs=(open_index, path, identity, exact_max_units),
        )
        self.path = path
        # Started now, so that loading the encoder there overlaps whatever the caller does
        # next; the first look-up waits for it.
        self._started = self._pool.submit(_ready)

    @property
    def working(self) -> bool:
        return self._pool is not None

    def look_up(self, forms: list[str], k: int) -> LookAhead | None:
        """Begin the look-up of a query's forms; None once the process has failed."""
        if self._pool is None:
            return None
        try:
            return LookAhead(self, self._pool.submit(_nearest, forms, k))
        except RuntimeError as exc:  # broken or shut down
            self.failed(repr(exc))
            return None

    def wait_started(self, timeout: float = _WAIT_CAP) -> int | None:
        """The process's pid once it has loaded the index and the encoder; None if it could
        not (it has failed: look-ups are done in the search's process)."""
        try:
            return self._started.result(timeout=timeout)
        except Exception as exc:
            self.failed(repr(exc))
            return None

    def failed(self, why: str) -> None:
        """Stop using the process: every later look-up is done in the search's process."""
        if self._pool is None:
            return
        log.warning(
            "meaning look-up process for %s failed (%s); looking up in this process", self.path, why
        )
        # Not waited for: this runs on a database thread, and the process may hang.
        self._shut_down(wait=False)

    def close(self) -> None:
        """Stop the process (waits for a look-up it is running: milliseconds)."""
        self._shut_down(wait=True)

    def _shut_down(self, *, wait: bool) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=wait, cancel_futures=True)


def start_meaning_process(
    open_index: IndexOpener, path: Path, identity: tuple[int, ...], exact_max_units: int
) -> MeaningProcess | None:
    """A meaning process for a store whose index is read by sign bits, when one pays (two
    CPUs or more: see the module's docstring); None otherwise or if none can be started
    here. `open_index`: what the worker opens the database with (a module-level function:
    it is pickled by name)."""
    if cpus_available() < 2:
        return None
    try:
        return MeaningProcess(open_index, path, identity, exact_max_units)
    except (OSError, RuntimeError) as exc:
        log.warning("no meaning look-up process for %s (%r)", path, exc)
        return None
