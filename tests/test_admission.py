"""Admission control (bot/admission.py): searches share a bounded number of slots fairly, and
what cannot wait is shed with a polite "busy", never left to time out.

The gate's order and shedding are checked directly (no timings: who goes first, who is shed);
then the bot answers "busy" where each kind of reader looks; then a real `excerpt-bot run`
process under a flood of accounts that each stay inside their own limits answers a normal
reader first, with the passage, while the flood is shed politely.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.admission import SEARCH_THREADS, Admission, Busy
from bot.handlers import BotApplication
from bot.handlers.state import BotState
from bot.i18n import t
from bot.store import Reader, Store

from .conftest import SHIPPED_CORPUS
from .support.fake_bot_api import FakeTelegram
from .support.harness import ask, press
from .support.processes import start_process, stop_process

QUOTE = "托派很擅长篡改历史"  # in the shipped post, by 暴躁皮皮
BUSY = {t("zh", "busy"), t("en", "busy")}


class Clock:
    """A clock the test moves: "asked lately" decays with it, and nothing else does."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Searches:
    """Searches through a gate, each held until the test releases it: the order they were let
    in, and how each ended."""

    def __init__(self, gate: Admission) -> None:
        self.gate = gate
        self.started: list[str] = []
        self.outcome: dict[str, str] = {}
        self._release: dict[str, asyncio.Event] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def ask(self, name: str, user: int, *, private: bool = True) -> None:
        self._release[name] = asyncio.Event()
        self._tasks[name] = asyncio.create_task(self._search(name, user, private))

    async def _search(self, name: str, user: int, private: bool) -> None:
        try:
            async with self.gate.admit(user, private=private):
                self.started.append(name)
                await self._release[name].wait()
            self.outcome[name] = "done"
        except Busy as busy:
            self.outcome[name] = f"busy:{busy.why}"

    async def settle(self) -> None:
        for _ in range(5):  # let every task run up to where it waits
            await asyncio.sleep(0)

    async def finish(self, name: str) -> None:
        self._release[name].set()
        await self._tasks[name]
        await self.settle()

    def cancel(self, name: str) -> asyncio.Task[None]:
        self._tasks[name].cancel()
        return self._tasks[name]


async def make_heavy(gate: Admission, user: int, searches: int = 12) -> None:
    """`user` asks as a script does: many searches in a moment."""
    for _ in range(searches):
        async with gate.admit(user, private=True):
            pass
    assert not gate.light(user)


async def test_a_light_user_goes_before_heavy_users_who_came_first() -> None:
    gate = Admission(slots=1, reserved=0, clock=Clock())
    for heavy in (1, 2, 3):
        await make_heavy(gate, heavy)
    searches = Searches(gate)
    searches.ask("heavy-1", 1)
    await searches.settle()
    searches.ask("heavy-2", 2)
    searches.ask("heavy-3", 3)
    searches.ask("reader", 10)
    await searches.settle()
    assert searches.started == ["heavy-1"]
    await searches.finish("heavy-1")
    assert searches.started == ["heavy-1", "reader"]
    await searches.finish("reader")
    await searches.finish("heavy-2")
    await searches.finish("heavy-3")
    assert searches.started == ["heavy-1", "reader", "heavy-2", "heavy-3"]


async def test_heavy_users_never_take_the_reserved_slot() -> None:
    gate = Admission(slots=2, reserved=1, clock=Clock())
    await make_heavy(gate, 1)
    await make_heavy(gate, 2)
    searches = Searches(gate)
    searches.ask("heavy-1", 1)
    searches.ask("heavy-2", 2)
    await searches.settle()
    assert searches.started == ["heavy-1"]  # a slot is free, but not for heavy-2
    searches.ask("reader", 10)
    await searches.settle()
    # The reader does not wait for heavy-1's search to end.
    assert searches.started == ["heavy-1", "reader"]
    await searches.finish("reader")
    await searches.finish("heavy-1")
    await searches.finish("heavy-2")
    assert searches.outcome == {"heavy-1": "done", "heavy-2": "done", "reader": "done"}


async def test_one_user_holds_one_slot_while_others_wait() -> None:
    gate = Admission(slots=2, reserved=0, clock=Clock())
    searches = Searches(gate)
    searches.ask("a-1", 1)
    searches.ask("a-2", 1)
    await searches.settle()
    assert searches.started == ["a-1"]  # a slot is free, but not for a second of user a's
    searches.ask("b", 2)
    await searches.settle()
    assert searches.started == ["a-1", "b"]
    await searches.finish("a-1")
    assert searches.started == ["a-1", "b", "a-2"]
    await searches.finish("b")
    await searches.finish("a-2")


async def test_a_chat_goes_before_an_inline_query_that_came_first() -> None:
    gate = Admission(slots=1, reserved=0, clock=Clock())
    searches = Searches(gate)
    searches.ask("first", 1)
    await searches.settle()
    searches.ask("inline", 2, private=False)
    searches.ask("chat", 3)
    await searches.settle()
    await searches.finish("first")
    assert searches.started == ["first", "chat"]
    await searches.finish("chat")
    await searches.finish("inline")
    assert searches.started == ["first", "chat", "inline"]


async def test_when_too_many_wait_the_longest_queue_is_shed_not_the_newcomer() -> None:
    gate = Admission(slots=1, reserved=0, max_waiting=3, clock=Clock())
    searches = Searches(gate)
    searches.ask("holder", 9)
    await searches.settle()
    for n in range(3):
        searches.ask(f"flood-{n}", 1)
    await searches.settle()
    searches.ask("newcomer", 2)
    await searches.settle()
    assert searches.outcome == {"flood-0": "busy:crowded"}  # the flooder's oldest
    assert gate.waiting == 3
    for name in ("holder", "flood-1", "flood-2", "newcomer"):
        await searches.finish(name)
    assert searches.outcome["newcomer"] == "done"
    assert gate.stats.shed == {"crowded": 1}


async def test_a_newer_inline_query_sheds_the_same_users_older_one() -> None:
    gate = Admission(slots=1, reserved=0, clock=Clock())
    searches = Searches(gate)
    searches.ask("holder", 9)
    await searches.settle()
    searches.ask("typed-ge", 1, private=False)
    searches.ask("chat", 1)
    searches.ask("typed-geming", 1, private=False)
    await searches.settle()
    assert searches.outcome == {"typed-ge": "busy:superseded"}
    await searches.finish("holder")
    await searches.finish("chat")
    await searches.finish("typed-geming")
    assert searches.started == ["holder", "chat", "typed-geming"]


async def test_a_search_that_waited_too_long_is_shed() -> None:
    gate = Admission(slots=1, reserved=0, max_wait=0.05, clock=Clock())
    searches = Searches(gate)
    searches.ask("holder", 9)
    searches.ask("waiter", 1)
    while "waiter" not in searches.outcome:
        await asyncio.sleep(0.01)
    assert searches.outcome == {"waiter": "busy:waited"}
    await searches.finish("holder")
    assert gate.waiting == 0 and gate.running == 0


async def test_cancelled_searches_give_their_place_back() -> None:
    gate = Admission(slots=1, reserved=0, clock=Clock())
    searches = Searches(gate)
    searches.ask("running", 1)
    searches.ask("waiting", 2)
    await searches.settle()
    with pytest.raises(asyncio.CancelledError):
        await searches.cancel("waiting")
    assert gate.waiting == 0
    with pytest.raises(asyncio.CancelledError):
        await searches.cancel("running")
    assert gate.running == 0
    searches.ask("next", 3)
    await searches.settle()
    assert searches.started == ["running", "next"]
    await searches.finish("next")


async def test_asking_less_for_a_while_makes_a_user_light_again() -> None:
    clock = Clock()
    gate = Admission(half_life=10.0, clock=clock)
    await make_heavy(gate, 1)
    clock.now += 60.0
    assert gate.light(1)


# --- the database runs as many searches at once as the gate lets in --------------------------


async def test_a_store_with_two_connections_runs_two_calls_at_once(shipped_db: Path) -> None:
    store = await Store.open(shipped_db, connections=SEARCH_THREADS)
    try:
        first_is_running = threading.Event()

        def slow(reader: Reader) -> bool:  # a long search, holding its thread
            first_is_running.set()
            return second_ran.wait(timeout=30)

        def quick(reader: Reader) -> int:
            return len(reader.all_keys())

        second_ran = threading.Event()
        long_one = asyncio.ensure_future(store.run(slow))
        await asyncio.to_thread(first_is_running.wait, 30)
        assert await store.run(quick) > 0  # not queued behind the long one
        second_ran.set()
        assert await long_one is True
    finally:
        await store.close()


# --- the bot says "busy" where each reader looks ---------------------------------------------


def closed_gate(bot: BotApplication) -> None:
    """Every search is shed at once: no slot, no room to wait."""
    bot.bot_data.admission = Admission(slots=0, reserved=0, max_waiting=0)


async def test_a_shed_search_is_answered_busy_in_chat_inline_and_on_buttons(
    fake: FakeTelegram, bot: BotApplication
) -> None:
    reader = fake.user(3001)
    found = await ask(fake, "革命", user=reader)  # dozens of passages: a reply with paging
    welcome = await ask(fake, "/start", user=reader)  # with example searches
    closed_gate(bot)

    busy = await ask(fake, QUOTE, user=reader)
    assert busy["text"] in BUSY
    mark = fake.mark()
    fake.message(QUOTE, user=reader)  # shed again, soon after

    inline = await fake.answer_of(fake.inline_query(QUOTE, user=reader))
    assert inline.params["results"] == []
    assert inline.params["button"]["text"] == t("zh", "busy_inline")
    assert inline.params["is_personal"] is True and inline.params["cache_time"] == 0

    toast = await fake.answer_of(await press(fake, found, "btn_next"))
    assert toast.params["text"] in BUSY
    example = next(b for b in welcome["reply_markup"]["inline_keyboard"][0] if "🔎" in b["text"])
    pressed = fake.callback(example["callback_data"], message=welcome, user=reader)
    toast = await fake.answer_of(pressed)  # answered once: a second answer is a violation
    assert toast.params["text"] in BUSY

    # In a chat, "busy" once in a while per user: the second shed message got no second note.
    await ask(fake, "/help", user=reader)
    notes = [c for c in fake.calls[mark:] if c.method == "sendMessage"]
    assert [c.params["text"] for c in notes if c.params["text"] in BUSY] == []
    assert bot.bot_data.admission.stats.shed["crowded"] >= 5


# --- a real process under a flood ------------------------------------------------------------


def corpus_runs(length: int = 256) -> Callable[[int], str]:
    """The i-th run of `length` characters of the shipped post: a pasted paragraph, the
    costliest search there is, different each time."""
    text = "".join((SHIPPED_CORPUS / "2022-03-06-trotskyism-commentaries.md").read_text().split())
    return lambda i: text[(i * 97) % (len(text) - length) :][:length]


async def test_a_reader_is_answered_first_while_a_flood_within_every_limit_is_shed(
    fake: FakeTelegram, shipped_db: Path, tmp_path: Path
) -> None:
    process = await start_process(fake, tmp_path, "--db", str(shipped_db))
    try:
        await fake.wait_for("deleteWebhook", timeout=60)  # polling starts next
        await fake.answer_of(fake.message("/help", user=fake.user(1)), timeout=30)
        limits = BotState()
        chats, inline = int(limits.message_throttle.burst), int(limits.inline_throttle.burst)
        run = corpus_runs()
        flooders = [fake.user(70_000 + n, first_name="Flood") for n in range(12)]
        flood_chats = []
        newest_inline = {}
        for n in range(chats):  # each account's whole burst: inside its own limits
            for user in flooders:
                flood_chats.append(fake.message(run(n * 31 + user["id"]), user=user))
        for n in range(inline):
            for user in flooders:
                newest_inline[user["id"]] = fake.inline_query(run(n + user["id"]), user=user)

        reader = fake.user(5002)
        asked = fake.message(QUOTE, user=reader)
        answer = await fake.answer_of(asked, timeout=60)
        assert "暴躁皮皮" in answer.result["text"]  # the passage: not "busy", not "too slow"
        # Answered before the flood was worked off, though it came after all of it.
        flooder_ids = {user["id"] for user in flooders}
        before = [
            c
            for c in fake.calls[: fake.calls.index(answer)]
            if c.method == "sendMessage" and c.params["chat_id"] in flooder_ids
        ]
        searched = [c for c in before if c.params["text"] not in BUSY]
        assert len(searched) < len(flood_chats) // 4, len(searched)
        typed = await fake.answer_of(fake.inline_query(QUOTE, user=reader), timeout=60)
        assert typed.params["results"]

        # The flood is shed politely: every account hears "busy" in its chat, and its newest
        # inline query is answered (results, or the "busy" button), none left to time out.
        for user in flooders:
            call = await fake.answer_of(newest_inline[user["id"]], timeout=60)
            assert call.status == 200
        for user in flooders:
            heard = [
                c.params["text"]
                for c in fake.calls
                if c.method == "sendMessage" and c.params["chat_id"] == user["id"]
            ]
            assert any(text in BUSY for text in heard), user["id"]
    finally:
        code, _, stderr = await stop_process(process)
    assert code == 0, stderr
    assert "Traceback" not in stderr and not re.search(r"\bERROR\b", stderr), stderr[-2000:]
