"""The bot under a flood it cannot refuse per user: normal readers beside accounts that each
stay inside their own limits, through the fake Bot API server (loopback only).

    python -m bench.load --db PATH [--seconds 40] [--readers 20] [--flooders 16]

Runs `excerpt-bot run --db PATH` as its own process, polling the fake server in this one.

- Readers (20): people at a human pace. Each thinks 2-6 s, then asks one thing (a private-chat
  search or an inline query, half and half, from the relevance query sets in tests/data) and
  waits for the answer (10 s at most: after that it counts as unanswered).
- Flooders (16): each stays inside its own per-user limits (`BotState.inline_throttle` and
  `message_throttle`, read from the bot's code): the whole burst at once, then 95% of the
  refill rate, in private chat and inline at the same time, never waiting for answers. Each
  query is a 256-character run of the corpus's own text: the costliest kind of search there
  is (a pasted paragraph), different every time.

Phase 1: the readers alone. Phase 2: the readers beside the flooders. Latency is from the
update being queued at the fake to the bot's answer arriving there. An answer is a passage
(or "nothing found"), or a polite "busy" (the bot shedding load), or an apology (a search
stopped as too slow, an error); the readers' percentiles are over every answer they got.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import signal
import socket
import sqlite3
import statistics
import sys
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.proc import children, status_kb

ROOT = Path(__file__).resolve().parent.parent
READER_IDS, FLOODER_IDS = 20_000, 90_000
THINK_SECONDS = (2.0, 6.0)
READER_PATIENCE = 10.0  # seconds a reader waits before the question counts as unanswered
DRAIN_SECONDS = 5.0  # after a phase, for answers still on their way
FLOOD_QUERY_CHARS = 256  # the bot reads no more of a query than this (INLINE_QUERY_LIMIT)


@dataclass
class Asked:
    """One update a bench user sent, and what came of it."""

    at: float  # when it was queued at the fake
    private: bool
    reader: bool
    answered_at: float | None = None
    outcome: str = "unanswered"  # result | busy | apology | unanswered
    done: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class Phase:
    asked: list[Asked] = field(default_factory=list)

    def of(self, *, reader: bool) -> list[Asked]:
        return [a for a in self.asked if a.reader is reader]

    def latencies(self) -> list[float]:
        return [
            (a.answered_at - a.at) * 1000 for a in self.of(reader=True) if a.answered_at is not None
        ]

    def count(self, outcome: str, *, reader: bool) -> int:
        return sum(a.outcome == outcome for a in self.of(reader=reader))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


class Answers:
    """Matches the bot's calls at the fake to the updates they answer: an inline query by
    its id, a private message by its chat (answers come in the order asked)."""

    def __init__(self, fake: Any, classify: Callable[[Any], str]) -> None:
        self._fake = fake
        self._classify = classify
        self._seen = fake.mark()
        self.inline: dict[str, Asked] = {}
        self.chats: dict[int, deque[Asked]] = {}

    def scan(self) -> None:
        calls = self._fake.calls
        for call in calls[self._seen :]:
            if call.status != 200:
                continue
            asked: Asked | None = None
            if call.method == "answerInlineQuery":
                asked = self.inline.pop(str(call.params.get("inline_query_id")), None)
            elif call.method == "sendMessage":
                waiting = self.chats.get(int(call.params.get("chat_id", 0)))
                asked = waiting.popleft() if waiting else None
            if asked is not None and (not asked.reader or call.at - asked.at <= READER_PATIENCE):
                asked.answered_at = call.at
                asked.outcome = self._classify(call)
            if asked is not None:
                asked.done.set()
        self._seen = len(calls)

    async def follow(self) -> None:
        while True:
            self.scan()
            await asyncio.sleep(0.005)


def _classifier() -> Callable[[Any], str]:
    """What kind of answer a call is, by the bot's own words (bot.i18n)."""
    from bot.i18n import LANGUAGES, t

    def words(key: str) -> set[str]:
        try:
            return {t(language, key) for language in LANGUAGES}
        except KeyError:  # an older bot without this text
            return set()

    busy = words("busy") | words("busy_inline")
    apologies = words("too_slow") | words("error")

    def classify(call: Any) -> str:
        if call.method == "answerInlineQuery":
            button = call.params.get("button") or {}
            return "busy" if button.get("text") in busy else "result"
        text = str(call.params.get("text", ""))
        if text in busy:
            return "busy"
        return "apology" if text in apologies else "result"

    return classify


def _flood_texts(db: Path, count: int, rng: random.Random) -> list[str]:
    """`count` runs of the corpus's own text, each FLOOD_QUERY_CHARS long."""
    with sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True) as conn:
        text = "".join(row[0] for row in conn.execute("SELECT text FROM passages ORDER BY id"))
    text = " ".join(text.split())
    if len(text) <= FLOOD_QUERY_CHARS:
        return [text] * count
    return [
        text[start : start + FLOOD_QUERY_CHARS]
        for start in (rng.randrange(len(text) - FLOOD_QUERY_CHARS) for _ in range(count))
    ]


class Load:
    def __init__(
        self, fake: Any, queries: list[str], flood_texts: list[str], seed: int = 16
    ) -> None:
        from bot.handlers.state import BotState

        self.fake = fake
        self.queries = queries
        self.flood_texts = flood_texts
        self.rng = random.Random(seed)
        limits = BotState()
        self.inline_limit = (limits.inline_throttle.rate, limits.inline_throttle.burst)
        self.message_limit = (limits.message_throttle.rate, limits.message_throttle.burst)
        self.answers = Answers(fake, _classifier())

    def _send(self, phase: Phase, user_id: int, text: str, *, private: bool, reader: bool) -> Asked:
        fake = self.fake
        user = fake.user(user_id, first_name="Reader" if reader else "Flood")
        loop = asyncio.get_running_loop()
        if private:
            update = fake.message(text, user=user)
            asked = Asked(loop.time(), private, reader)
            self.answers.chats.setdefault(user_id, deque()).append(asked)
        else:
            update = fake.inline_query(text[:256], user=user)
            asked = Asked(loop.time(), private, reader)
            self.answers.inline[update["inline_query"]["id"]] = asked
        phase.asked.append(asked)
        return asked

    async def reader(self, phase: Phase, user_id: int, until: float) -> None:
        loop = asyncio.get_running_loop()
        rng = random.Random(user_id * 7919 + len(phase.asked))
        while True:
            await asyncio.sleep(rng.uniform(*THINK_SECONDS))
            if loop.time() >= until:
                return
            query = rng.choice(self.queries)
            asked = self._send(phase, user_id, query, private=rng.random() < 0.5, reader=True)
            with contextlib.suppress(TimeoutError):  # then it counts as unanswered
                await asyncio.wait_for(asked.done.wait(), READER_PATIENCE)

    async def flooder(self, phase: Phase, user_id: int, until: float, *, private: bool) -> None:
        loop = asyncio.get_running_loop()
        rate, burst = self.message_limit if private else self.inline_limit
        rate *= 0.95  # inside the limit, with room for timer jitter
        start, sent = loop.time(), 0
        while loop.time() < until:
            due = start + max(0.0, (sent - int(burst) + 1) / rate)
            if due > loop.time():
                await asyncio.sleep(due - loop.time())
                continue
            text = self.flood_texts[self.rng.randrange(len(self.flood_texts))]
            self._send(phase, user_id, text, private=private, reader=False)
            sent += 1

    async def run(self, seconds: float, readers: int, flooders: int) -> Phase:
        loop = asyncio.get_running_loop()
        phase = Phase()
        until = loop.time() + seconds
        follower = asyncio.create_task(self.answers.follow())
        try:
            tasks = [self.reader(phase, READER_IDS + i, until) for i in range(readers)]
            for i in range(flooders):
                tasks.append(self.flooder(phase, FLOODER_IDS + i, until, private=True))
                tasks.append(self.flooder(phase, FLOODER_IDS + i, until, private=False))
            await asyncio.gather(*tasks)
            await asyncio.sleep(DRAIN_SECONDS)
            self.answers.scan()
        finally:
            follower.cancel()
        self.answers.inline.clear()
        self.answers.chats.clear()
        return phase


def _describe(name: str, phase: Phase) -> str:
    readers = phase.of(reader=True)
    times = phase.latencies()
    private = sum(a.private for a in readers)
    spread = (
        f"p50 {statistics.median(times):.0f} ms, p95 {percentile(times, 0.95):.0f} ms, "
        f"p99 {percentile(times, 0.99):.0f} ms, max {max(times):.0f} ms"
        if times
        else "no answers"
    )
    return (
        f"{name}: {len(readers)} asked ({private} private, {len(readers) - private} inline); "
        f"{spread}; unanswered {phase.count('unanswered', reader=True)}, "
        f"busy {phase.count('busy', reader=True)}, "
        f"apologies {phase.count('apology', reader=True)}"
    )


def _describe_flood(phase: Phase, seconds: float) -> str:
    flood = phase.of(reader=False)
    private = [a for a in flood if a.private]
    inline = [a for a in flood if not a.private]

    def tally(asked: list[Asked]) -> str:
        counts = {k: sum(a.outcome == k for a in asked) for k in ("result", "busy", "apology")}
        unanswered = len(asked) - sum(counts.values())
        return (
            f"{len(asked)} sent, {counts['result']} answered ({counts['result'] / seconds:.1f}/s), "
            f"{counts['busy']} busy, {counts['apology']} apologies, {unanswered} not answered"
        )

    return f"flood private: {tally(private)}\nflood inline: {tally(inline)}"


async def _load(
    db: Path, queries: list[str], seconds: float, readers: int = 20, flooders: int = 16
) -> list[str]:
    sys.path.insert(0, str(ROOT))
    from tests.support.fake_bot_api import TOKEN, FakeTelegram

    flood_texts = _flood_texts(db, 500, random.Random(7))
    async with FakeTelegram() as fake:
        status_port = _free_port()
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "EXCERPT_BOT_STATUS_PORT": str(status_port),  # for the bot's own counts
            "PYTHONIOENCODING": "utf-8",
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--db", str(db), "--log-level", "warning",
            cwd=ROOT, env=env, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            await fake.wait_for("deleteWebhook", timeout=120)  # polling starts next
            await fake.answer_of(fake.inline_query("热身"), timeout=30)
            load = Load(fake, queries, flood_texts)
            quiet = await load.run(seconds, readers, 0)
            flooded = await load.run(seconds, readers, flooders)
            peak_mb = _peak_rss_mb(process.pid)
            counts = await _throttled(status_port)
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = await process.communicate()
        lines = [
            _describe(f"{readers} readers alone", quiet),
            _describe(f"{readers} readers beside {flooders} flooders", flooded),
            _describe_flood(flooded, seconds),
        ]
        if flooded.latencies() and quiet.latencies():
            ratio = percentile(flooded.latencies(), 0.99) / percentile(quiet.latencies(), 0.99)
            lines.append(f"readers' p99 beside the flood: {ratio:.2f}x alone")
        if counts:
            shown = ", ".join(f"{kind} {n:.0f}" for kind, n in sorted(counts.items()))
            lines.append(f"the bot's excerpt_bot_throttled counts: {shown}")
        if peak_mb is not None:
            lines.append(f"bot peak RSS: {peak_mb:.0f} MB")
        if fake.violations:
            lines.append(f"VIOLATIONS of Telegram's rules: {fake.violations[:3]}")
        tracebacks = stderr.decode(errors="replace").count("Traceback")
        if tracebacks:
            lines.append(f"tracebacks in the bot's log: {tracebacks}")
        if process.returncode:
            lines.append(f"bot exited {process.returncode}: {stderr.decode()[-500:]}")
        return lines


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def _throttled(port: int) -> dict[str, float]:
    """The bot's `excerpt_bot_throttled` counter by kind, from its /metrics."""
    import aiohttp

    try:
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}/metrics") as response,
        ):
            text = await response.text()
    except aiohttp.ClientError:
        return {}
    found = re.findall(r'^excerpt_bot_throttled_total\{kind="([^"]+)"\} (\S+)$', text, re.M)
    return {kind: float(value) for kind, value in found}


def _peak_rss_mb(pid: int) -> float | None:
    """The bot's peak resident set (VmHWM) with its children's (a large collection's
    meaning process: bot.store.meaning_process), while it still runs; None off Linux."""
    peak = status_kb(pid, "VmHWM")
    if peak is None:
        return None
    return (peak + sum(status_kb(child, "VmHWM") or 0 for child in children(pid))) / 1024


def load_test(
    db: Path, queries: list[str], seconds: float, readers: int = 20, flooders: int = 16
) -> list[str]:
    return asyncio.run(_load(db, queries, seconds, readers, flooders))


def main(argv: list[str] | None = None) -> int:
    import yaml

    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--seconds", type=float, default=40.0, help="per phase")
    parser.add_argument("--readers", type=int, default=20)
    parser.add_argument("--flooders", type=int, default=16)
    args = parser.parse_args(argv)
    queries = [
        str(q["q"])
        for name in ("dev", "extra", "blind")
        for q in yaml.safe_load((ROOT / "tests" / "data" / f"{name}-queries.yaml").read_text())
    ]
    for line in load_test(args.db, queries, args.seconds, args.readers, args.flooders):
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
