"""Inline-mode latency through the real bot and the fake Bot API server (loopback only).

    python -m bench.inline [--db PATH] [--rounds 5] [QUERIES.yaml ...]

Measures, for each inline query, the time from the update being queued at the fake (its
pending getUpdates returns it at once) to the bot's answerInlineQuery arriving there. Queries
come from the relevance sets (default: tests/data/*-queries.yaml), each from a different
simulated user so per-user flood control does not interfere. Prints p50/p95/p99/max.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

from bot.indexer import index

ROOT = Path(__file__).resolve().parent.parent


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def measure(db: Path, queries: list[str], rounds: int) -> list[float]:
    sys.path.insert(0, str(ROOT))
    from tests.support.fake_bot_api import FakeTelegram
    from tests.support.harness import polling_bot

    latencies: list[float] = []
    async with FakeTelegram() as fake, polling_bot(fake, db):
        await fake.answer_of(fake.inline_query("热身"))  # first search loads the text tables
        user_id = 10_000
        for _ in range(rounds):
            for query in queries:
                user_id += 1
                started = time.monotonic()
                update = fake.inline_query(query[:256], user=fake.user(user_id))
                answer = await fake.answer_of(update, timeout=10)
                # From the moment the update exists (so the fake's long-poll delivery is
                # counted too: an upper bound) to the answer's arrival, on one clock.
                latencies.append((answer.at - started) * 1000)
        if fake.violations:
            raise SystemExit(f"the bot broke Telegram's rules: {fake.violations[:3]}")
    return latencies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.inline", description=__doc__)
    parser.add_argument("--db", type=Path, help="database (default: index the shipped corpus)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("files", nargs="*", type=Path, metavar="QUERIES.yaml")
    args = parser.parse_args(argv)
    files = args.files or sorted((ROOT / "tests" / "data").glob("*-queries.yaml"))
    queries = [
        str(item["q"]) for f in files for item in yaml.safe_load(f.read_text(encoding="utf-8"))
    ]
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db
        if db is None:
            db = Path(tmp) / "bench.db"
            asyncio.run(index(db, [ROOT / "corpus"], force=True))
        latencies = asyncio.run(measure(db, queries, args.rounds))
    print(f"inline queries: {len(latencies)} ({len(queries)} distinct × {args.rounds} rounds)")
    print(
        "update → answerInlineQuery ms: "
        f"p50 {statistics.median(latencies):.1f}  p95 {_percentile(latencies, 0.95):.1f}  "
        f"p99 {_percentile(latencies, 0.99):.1f}  max {max(latencies):.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
