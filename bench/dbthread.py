"""The cost of one hop to a database thread: `bot.dbthread` against its peers, same run.

    python -m bench.dbthread [--db PATH] [--hops 3000] [--rounds 5]

The peer: `loop.run_in_executor` on a one-thread `ThreadPoolExecutor` (the textbook way).
Each round runs both; medians of the rounds are printed, with the ratio of each to
`DatabaseThread`. Two kinds of hop: an empty function, and a `count(*)`.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bot.dbthread import DatabaseThread
from bot.indexer import index

ROOT = Path(__file__).resolve().parent.parent
Hop = Callable[[Callable[[sqlite3.Connection], Any]], Awaitable[Any]]


async def _ours(uri: str) -> tuple[Hop, Callable[[], Awaitable[None]]]:
    db = await DatabaseThread.connect(uri, uri=True)
    return db.run, db.close


async def _pool(uri: str) -> tuple[Hop, Callable[[], Awaitable[None]]]:
    executor = ThreadPoolExecutor(max_workers=1)
    loop = asyncio.get_running_loop()
    conn = await loop.run_in_executor(
        executor, lambda: sqlite3.connect(uri, uri=True, check_same_thread=False)
    )

    def hop(fn: Callable[[sqlite3.Connection], Any]) -> Awaitable[Any]:
        return loop.run_in_executor(executor, fn, conn)

    async def close() -> None:
        await loop.run_in_executor(executor, conn.close)
        executor.shutdown()

    return hop, close


async def _time(hop: Hop, fn: Callable[[sqlite3.Connection], Any], hops: int) -> float:
    started = time.perf_counter()
    for _ in range(hops):
        await hop(fn)
    return (time.perf_counter() - started) / hops * 1e6


async def measure(db: Path, hops: int, rounds: int) -> dict[str, dict[str, float]]:
    uri = f"{db.resolve().as_uri()}?mode=ro"
    peers = {"DatabaseThread": _ours, "ThreadPoolExecutor": _pool}
    work: dict[str, Callable[[sqlite3.Connection], Any]] = {
        "empty": lambda conn: None,
        "count(*)": lambda conn: conn.execute("SELECT count(*) FROM passages").fetchone(),
    }
    samples: dict[str, dict[str, list[float]]] = {k: {p: [] for p in peers} for k in work}
    for _ in range(rounds):
        for name, open_peer in peers.items():
            hop, close = await open_peer(uri)
            try:
                for kind, fn in work.items():
                    samples[kind][name].append(await _time(hop, fn, hops))
            finally:
                await close()
    return {
        kind: {name: statistics.median(values) for name, values in by_peer.items()}
        for kind, by_peer in samples.items()
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dbthread", description=__doc__)
    parser.add_argument("--db", type=Path, help="database (default: index the shipped corpus)")
    parser.add_argument("--hops", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db
        if db is None:
            db = Path(tmp) / "bench.db"
            asyncio.run(index(db, [ROOT / "corpus"], force=True))
        medians = asyncio.run(measure(db, args.hops, args.rounds))
    for kind, by_peer in medians.items():
        ours = by_peer["DatabaseThread"]
        cells = [f"{name} {us:.1f} µs ({us / ours:.2f}×)" for name, us in by_peer.items()]
        print(f"{kind:9} hop: " + "  ".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
