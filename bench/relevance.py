"""Relevance of search on a query set: recall@1, recall@5, empty negatives, per-query time.

    python -m bench.relevance --db PATH QUERIES.yaml ...
    python -m bench.relevance --corpus corpus/ tests/data/dev-queries.yaml

With --corpus it first indexes those paths into a temporary database and prints how long
that took.

A query set is a YAML list of {kind, q, expect: [...], heading: [...]} (the format of
tests/data/dev-queries.yaml). A hit is a result whose normalized text contains one of
`expect`, or whose heading path contains one of `heading`; a `negative` must return nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.indexer import index
from bot.models import Match, MatchKind
from bot.search import search, warm_up
from bot.store import Store
from bot.text import normalize


def is_hit(match: Match, query: dict[str, Any]) -> bool:
    return text_hits(match.passage.text, match.passage.heading_path, query)


def text_hits(text: str, heading_path: Sequence[str], query: dict[str, Any]) -> bool:
    """Whether a result with this text and heading path answers the query."""
    normalized = normalize(text)
    if any(normalize(str(e)) in normalized for e in query.get("expect") or ()):
        return True
    # Normalized like the text: a heading written in Traditional script, or with its
    # punctuation ("BarberShop 是否值得一试？"), is the one a set names in Simplified, bare.
    path = normalize("".join(heading_path))
    return any(normalize(str(h)) in path for h in query.get("heading") or ())


@dataclass
class Report:
    positives: int = 0
    at1: int = 0
    at5: int = 0
    negatives: int = 0
    negatives_empty: int = 0
    negatives_text: int = 0  # answered with a text match: the worst kind of wrong
    at1_meaning: int = 0  # right first results that were meaning matches
    took_ms: list[float] = field(default_factory=list)
    by_kind: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))
    misses: list[str] = field(default_factory=list)

    @property
    def recall1(self) -> float:
        return self.at1 / self.positives if self.positives else 1.0

    @property
    def recall5(self) -> float:
        return self.at5 / self.positives if self.positives else 1.0

    def lines(self) -> list[str]:
        t = sorted(self.took_ms) or [0.0]
        p95 = t[min(len(t) - 1, round(0.95 * (len(t) - 1)))]
        out = [
            f"queries {self.positives + self.negatives}: recall@1 {self.recall1:.3f}  "
            f"recall@5 {self.recall5:.3f}  negatives empty {self.negatives_empty}/{self.negatives}"
            f" (text-answered {self.negatives_text})  took_ms p50 {statistics.median(t):.2f}"
            f" p95 {p95:.2f} max {t[-1]:.2f}  (@1 by meaning: {self.at1_meaning})"
        ]
        for kind, (n, a1, a5) in sorted(self.by_kind.items()):
            out.append(f"  {kind:<9} n={n:<4} @1 {a1 / n:.3f}  @5 {a5 / n:.3f}")
        return out


async def evaluate(
    store: Store, queries: Sequence[dict[str, Any]], *, limit: int = 5, meaning: bool = True
) -> Report:
    report = Report()
    for query in queries:
        result = await search(store, str(query["q"]), limit=limit, meaning=meaning)
        report.took_ms.append(result.took_ms)
        kind = str(query.get("kind", "?"))
        if kind == "negative":
            report.negatives += 1
            if result.matches:
                first = result.matches[0]
                report.negatives_text += first.kind is MatchKind.TEXT
                report.misses.append(
                    f"negative returned {len(result.matches)}: {query['q']!r} -> "
                    f"{first.kind.value} {first.passage.text[:40]!r} ({first.score:.0f})"
                )
            else:
                report.negatives_empty += 1
            continue
        hits = [is_hit(m, query) for m in result.matches[:5]]
        report.positives += 1
        stats = report.by_kind[kind]
        stats[0] += 1
        if hits and hits[0]:
            report.at1 += 1
            report.at1_meaning += result.matches[0].kind is MatchKind.MEANING
            stats[1] += 1
        if any(hits):
            report.at5 += 1
            stats[2] += 1
        if not (hits and hits[0]):
            got = [
                f"{m.kind.value[0]}{m.score:.0f}:{m.passage.text[:24]}" for m in result.matches[:2]
            ]
            report.misses.append(
                f"{kind} {query['q']!r} rank={hits.index(True) + 1 if any(hits) else '-'} got {got}"
            )
    return report


async def _index(paths: Sequence[Path], db: Path, *, meaning: bool = True) -> None:
    started = time.perf_counter()
    report = await index(db, paths, force=True, meaning=meaning)
    seconds = time.perf_counter() - started
    print(
        f"indexed {report.documents} documents, {report.passages} passages, "
        f"{report.characters / 1e6:.2f} M characters in {seconds:.2f} s "
        f"({report.db_bytes / 1e6:.1f} MB)"
    )


async def _main(db: Path, files: Sequence[Path], verbose: bool, meaning: bool = True) -> int:
    store = await Store.open(db)
    warm_up(meaning=store.meaning is not None)
    gc.freeze()  # as the CLI and the bot do (see bot.cli._open_store)
    try:
        for file in files:
            queries = yaml.safe_load(file.read_text(encoding="utf-8"))
            report = await evaluate(store, queries, meaning=meaning)
            print(f"{file}:")
            print("\n".join(report.lines()))
            if verbose:
                print("\n".join(f"  miss: {m}" for m in report.misses))
    finally:
        await store.close()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.relevance", description=__doc__)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--db", type=Path, help="an existing database")
    source.add_argument("--corpus", type=Path, nargs="+", help="index these paths first")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    parser.add_argument(
        "--no-meaning", action="store_true", help="text matches only (no meaning index)"
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="QUERIES.yaml")
    args = parser.parse_args(argv)
    if args.db is not None:
        return asyncio.run(_main(args.db, args.files, args.verbose, not args.no_meaning))
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        asyncio.run(_index(args.corpus, db, meaning=not args.no_meaning))
        return asyncio.run(_main(db, args.files, args.verbose, not args.no_meaning))


if __name__ == "__main__":
    sys.exit(main())
