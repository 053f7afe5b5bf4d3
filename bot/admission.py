"""Admission control for searches: a bounded number in flight, shared fairly between users,
and the rest shed with a polite "busy" instead of a timeout.

Per-user throttles (`bot.throttle`) bound what one user may ask, not what all of them ask
together: sixteen accounts, each inside its limits, pasting paragraphs, asked for several
times the CPU the bot has, and every search, a normal reader's too, waited in one
first-come queue in front of the database thread until it timed out. Here a search first
takes a slot: `slots` at a time, as many as the database has threads (`SEARCH_THREADS`),
since a search let in beyond them would only queue inside a thread, out of reach of any
choice. While the slots are taken it waits in its user's own queue, and a freed slot goes to

1. the user who has asked the least lately: one point a search asked for (shed or not),
   one more for every `cost_unit` seconds of search time used, decayed with `half_life`
   and counted in steps of `step` points, so that people at a person's pace tie and whoever
   asks at a script's pace stands behind them all. Asking, not receiving, is what counts:
   sixteen flooders who are mostly shed each *receive* less than a reader does; then
2. a private chat or a button before an inline query (inline clients show the newest query
   and the user is still typing; a person in a chat waits for this very answer), then
3. the search that came first.

A search cannot be interrupted, and a pasted paragraph takes a hundred milliseconds or more:
so `reserved` slots are only for users at a person's pace (the first step of "asked
lately"), and a reader never waits for a flooder's search to end, only shares the CPU with
it. A user has at most `per_user` searches running, even while a slot is free.

Waiting is bounded twice: a search that waited `max_wait` seconds is shed (the user is told
the bot is busy: soon, while a retry may still work), and when `max_waiting` searches wait,
the oldest search of the user with the longest queue is shed, so a newcomer is never turned
away to keep a flooder's backlog. A user's inline query also sheds their own older one still
waiting: the client no longer shows it. Everything runs on the event loop's thread: no
locks.

Why around the search call and not in a custom PTB `BaseUpdateProcessor`: an update
processor sees updates, not work. It cannot tell a search from /help, holds an update for
its whole handling (replies wait for the sending rate limiter there too, so its bound is no
bound on CPU), never sees the inline answers `inline_query` defers to a task of its own, and
could only answer "busy" by knowing every kind of update the handlers answer. The search
thread is where the CPU goes (profiled under the flood with py-spy: it was busy 84% of the
time, the event loop 52%, half of that answering "busy" to inline queries that the same
user's next one had already replaced), and
`run_search` is the one way every handler searches.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections import Counter, OrderedDict, deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

# Threads of the served database (`Store.open(connections=...)`): one kept for people at a
# person's pace, one for everyone.
SEARCH_THREADS = 2


class Busy(Exception):
    """This search was shed: too much is waiting for the search threads."""

    def __init__(self, why: str) -> None:
        super().__init__(f"search shed ({why})")
        self.why = why  # waited | crowded | superseded


@dataclass(eq=False)
class _Ticket:
    user: int
    private: bool  # a private chat or a button; False for an inline query
    seq: int  # arrival order
    granted: asyncio.Future[bool]  # set to whether it runs as a heavy user's search
    expiry: asyncio.TimerHandle | None = None


@dataclass
class AdmissionStats:
    """What `Admission` has done since it started."""

    admitted: int = 0
    # Why searches were shed: "waited" `max_wait` seconds; "crowded": `max_waiting` were
    # waiting and this user had the most; "superseded" by the same user's newer inline query.
    shed: Counter[str] = field(default_factory=Counter)
    most_waiting: int = 0


class Admission:
    """A fair, bounded gate in front of the searches. `async with admission.admit(user,
    private=...)` around a search; raises `Busy` when the search is shed."""

    def __init__(
        self,
        *,
        slots: int = SEARCH_THREADS,
        reserved: int = 1,
        per_user: int = 1,
        max_waiting: int = 24,
        max_wait: float = 1.0,
        step: float = 10.0,
        cost_unit: float = 0.05,
        half_life: float = 10.0,
        max_users: int = 50_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.slots = slots
        # Slots a heavy user's search never takes (one at least is left for everyone).
        self.reserved = max(0, min(reserved, slots - 1))
        self.per_user = per_user
        self.max_waiting = max_waiting
        self.max_wait = max_wait
        self.step = step  # points of "asked lately" that make one step of priority
        self.cost_unit = cost_unit  # seconds of search time that count as one more ask
        self.half_life = half_life  # seconds for "asked lately" to halve
        self.stats = AdmissionStats()
        self._max_users = max_users
        self._clock = clock
        self._seq = itertools.count()
        self._running = 0
        self._running_heavy = 0
        self._running_by_user: dict[int, int] = {}
        self._queues: dict[int, deque[_Ticket]] = {}  # users with searches waiting
        self._waiting = 0
        # user -> (points asked lately, when last updated); the most recent last
        self._asked: OrderedDict[int, tuple[float, float]] = OrderedDict()

    @property
    def waiting(self) -> int:
        return self._waiting

    @property
    def running(self) -> int:
        return self._running

    def asked(self, user: int) -> float:
        """How much `user` has asked lately, in points (see the module doc)."""
        points, at = self._asked.get(user, (0.0, 0.0))
        if not points:
            return 0.0
        decay: float = 0.5 ** ((self._clock() - at) / self.half_life)
        return points * decay

    @contextlib.asynccontextmanager
    async def admit(self, user: int, *, private: bool) -> AsyncIterator[None]:
        """Hold a slot for the body; wait for one fairly; raise `Busy` if shed."""
        heavy = await self._enter(user, private)
        started = self._clock()
        try:
            yield
        finally:
            self._leave(user, heavy, self._clock() - started)

    def light(self, user: int) -> bool:
        """Whether `user` asks at a person's pace (may take a reserved slot)."""
        return self.asked(user) < self.step

    # --- waiting -----------------------------------------------------------------------------
    async def _enter(self, user: int, private: bool) -> bool:
        self._count(user, 1.0)
        if not self._queues and self._may_run(user):
            return self._start(user)
        loop = asyncio.get_running_loop()
        ticket = _Ticket(user, private, next(self._seq), loop.create_future())
        if not private:
            for older in [t for t in self._queues.get(user, ()) if not t.private]:
                self._shed(older, "superseded")
        self._queues.setdefault(user, deque()).append(ticket)
        self._waiting += 1
        self.stats.most_waiting = max(self.stats.most_waiting, self._waiting)
        ticket.expiry = loop.call_later(self.max_wait, self._shed, ticket, "waited")
        if self._waiting > self.max_waiting:
            self._shed(self._crowding_out(), "crowded")
        self._dispatch()  # a slot may be free for someone this user does not wait behind
        try:
            return await ticket.granted
        except asyncio.CancelledError:
            granted = ticket.granted
            if granted.done() and not granted.cancelled() and granted.exception() is None:
                self._leave(user, granted.result(), 0.0)  # granted, cancelled before it ran
            else:
                self._remove(ticket)
            raise

    def _crowding_out(self) -> _Ticket:
        """The oldest waiting search of the user with the most waiting (ties: the one who
        asked more lately), to shed when too many wait."""
        queue = max(
            self._queues.values(),
            key=lambda q: (len(q), self.asked(q[0].user)),
        )
        return queue[0]

    def _shed(self, ticket: _Ticket, why: str) -> None:
        if ticket.granted.done():
            return
        self._remove(ticket)
        self.stats.shed[why] += 1
        ticket.granted.set_exception(Busy(why))
        # Retrieved here so that a waiter cancelled meanwhile leaves no "never retrieved"
        # warning; the waiter itself still gets the exception.
        ticket.granted.exception()

    def _remove(self, ticket: _Ticket) -> None:
        if ticket.expiry is not None:
            ticket.expiry.cancel()
        queue = self._queues.get(ticket.user)
        if queue is None or ticket not in queue:
            return
        queue.remove(ticket)
        self._waiting -= 1
        if not queue:
            del self._queues[ticket.user]

    # --- running -----------------------------------------------------------------------------
    def _may_run(self, user: int) -> bool:
        if self._running >= self.slots or self._running_by_user.get(user, 0) >= self.per_user:
            return False
        return self.light(user) or self._running_heavy < self.slots - self.reserved

    def _start(self, user: int) -> bool:
        """Count a search of `user` as running; whether it runs as a heavy user's."""
        heavy = not self.light(user)
        self._running += 1
        self._running_heavy += heavy
        self._running_by_user[user] = self._running_by_user.get(user, 0) + 1
        self.stats.admitted += 1
        return heavy

    def _leave(self, user: int, heavy: bool, seconds: float) -> None:
        self._running -= 1
        self._running_heavy -= heavy
        left = self._running_by_user.get(user, 1) - 1
        if left:
            self._running_by_user[user] = left
        else:
            self._running_by_user.pop(user, None)
        self._count(user, seconds / self.cost_unit)
        self._dispatch()

    def _count(self, user: int, points: float) -> None:
        self._asked[user] = (self.asked(user) + points, self._clock())
        self._asked.move_to_end(user)
        if len(self._asked) > self._max_users:
            self._asked.popitem(last=False)  # the longest-idle user: their points have decayed

    def _dispatch(self) -> None:
        """Give free slots to the waiting searches that come first (see the module doc)."""
        while self._running < self.slots:
            best: tuple[tuple[int, int, int], _Ticket] | None = None
            for user, queue in self._queues.items():
                if not self._may_run(user):
                    continue
                ticket = next((t for t in queue if t.private), queue[0])
                key = (int(self.asked(user) / self.step), 0 if ticket.private else 1, ticket.seq)
                if best is None or key < best[0]:
                    best = (key, ticket)
            if best is None:
                return
            ticket = best[1]
            self._remove(ticket)
            ticket.granted.set_result(self._start(ticket.user))
