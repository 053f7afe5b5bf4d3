"""Relevance of search on a query set: recall@1, recall@5, empty negatives, per-query time.

    python -m bench.relevance --db PATH QUERIES.yaml ...
    python -m bench.relevance --corpus corpus/ tests/data/dev-queries.yaml

With --corpus it first indexes those paths into a temporary database and prints how long
that took. With --cli the queries go through the command-line contract instead of the search
function: one `excerpt-bot search --db PATH --json --limit 5 -` process reads them all and its
JSON lines are scored (what an acceptance check outside the code sees).

Pinyin queries are counted in recall@1 and also reported apart ("without pinyin"), as the
acceptance of issue 11 scores them.

A query set is a YAML list of {kind, q, expect: [...], heading: [...]} (the format of
tests/data/dev-queries.yaml). A hit is a result whose normalized text contains one of
`expect`, or whose heading path contains one of `heading`; a `negative` must return nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import subprocess
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
from bot.models import MatchKind
from bot.search import search, warm_up
from bot.store import Store
from bot.text import normalize


def text_hits(
    text: str, heading_path: Sequence[str], query: dict[str, Any], title: str = ""
) -> bool:
    """Whether a result with this text, heading path and document title answers the query.
    A `heading` a set names may be the page's title: the heading path of the passages
    before a page's first heading is empty, and the reader who typed the title has the
    page (its opening passage)."""
    normalized = normalize(text)
    if any(normalize(str(e)) in normalized for e in query.get("expect") or ()):
        return True
    # Normalized like the text: a heading written in Traditional script, or with its
    # punctuation ("BarberShop 是否值得一试？"), is the one a set names in Simplified, bare.
    path = normalize("".join(heading_path))
    named = normalize(title)
    return any(
        normalize(str(h)) in path or (named and normalize(str(h)) in named)
        for h in query.get("heading") or ()
    )


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
        pinyin = self.by_kind.get("pinyin")
        if pinyin:
            rest = self.positives - pinyin[0]
            out.append(
                f"  without pinyin: recall@1 {(self.at1 - pinyin[1]) / max(rest, 1):.3f}  "
                f"recall@5 {(self.at5 - pinyin[2]) / max(rest, 1):.3f}  "
                f"pinyin @1 {pinyin[1]}/{pinyin[0]}"
            )
        for kind, (n, a1, a5) in sorted(self.by_kind.items()):
            out.append(f"  {kind:<13} n={n:<4} @1 {a1 / n:.3f}  @5 {a5 / n:.3f}")
        return out


@dataclass(frozen=True)
class Answer:
    """One result as the scoring needs it, from the search function or from the CLI's JSON."""

    text: str
    heading_path: Sequence[str]
    title: str  # the document's
    kind: str  # "text" or "meaning"
    score: float


def score(report: Report, query: dict[str, Any], answers: Sequence[Answer], took_ms: float) -> None:
    """Add one query's answers to the report."""
    report.took_ms.append(took_ms)
    kind = str(query.get("kind", "?"))
    if kind == "negative":
        report.negatives += 1
        if answers:
            first = answers[0]
            report.negatives_text += first.kind == MatchKind.TEXT.value
            report.misses.append(
                f"negative returned {len(answers)}: {query['q']!r} -> "
                f"{first.kind} {first.text[:40]!r} ({first.score:.0f})"
            )
        else:
            report.negatives_empty += 1
        return
    hits = [text_hits(a.text, a.heading_path, query, a.title) for a in answers[:5]]
    report.positives += 1
    stats = report.by_kind[kind]
    stats[0] += 1
    if hits and hits[0]:
        report.at1 += 1
        report.at1_meaning += answers[0].kind == MatchKind.MEANING.value
        stats[1] += 1
    if any(hits):
        report.at5 += 1
        stats[2] += 1
    if not (hits and hits[0]):
        got = [f"{a.kind[0]}{a.score:.0f}:{a.text[:24]}" for a in answers[:2]]
        report.misses.append(
            f"{kind} {query['q']!r} rank={hits.index(True) + 1 if any(hits) else '-'} got {got}"
        )


async def evaluate(
    store: Store, queries: Sequence[dict[str, Any]], *, limit: int = 5, meaning: bool = True
) -> Report:
    report = Report()
    for query in queries:
        result = await search(store, str(query["q"]), limit=limit, meaning=meaning)
        answers = [
            Answer(
                m.passage.text,
                m.passage.heading_path,
                m.passage.document.title or "",
                m.kind.value,
                m.score,
            )
            for m in result.matches
        ]
        score(report, query, answers, result.took_ms)
    return report


def evaluate_cli(db: Path, queries: Sequence[dict[str, Any]], *, limit: int = 5) -> Report:
    """Score the queries as the CLI contract answers them: one `search --json -` process."""
    # A query is one line on stdin: a line break inside one would split it in two.
    lines = [" ".join(str(q["q"]).split()) for q in queries]
    command = [sys.executable, "-m", "bot", "search", "--db", str(db), "--json"]
    command += ["--limit", str(limit), "-"]
    done = subprocess.run(
        command, input="\n".join(lines) + "\n", capture_output=True, text=True, check=False
    )
    records = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    if len(records) != len(queries):
        raise SystemExit(
            f"the CLI answered {len(records)} of {len(queries)} queries "
            f"(exit {done.returncode}): {done.stderr.strip()[-300:]}"
        )
    report = Report()
    for query, record in zip(queries, records, strict=True):
        answers = [
            Answer(
                r["text"],
                r.get("heading_path") or (),
                (r.get("document") or {}).get("title") or "",
                r["match"],
                float(r["score"]),
            )
            for r in record.get("results") or ()
        ]
        score(report, query, answers, float(record.get("took_ms") or 0.0))
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


def _print(file: Path, report: Report, verbose: bool) -> None:
    print(f"{file}:")
    print("\n".join(report.lines()))
    if verbose:
        print("\n".join(f"  miss: {m}" for m in report.misses))


async def _main(db: Path, files: Sequence[Path], verbose: bool, meaning: bool = True) -> int:
    store = await Store.open(db)
    warm_up(meaning=store.encodes_here)
    gc.freeze()  # as the CLI and the bot do (see bot.cli._open_store)
    try:
        for file in files:
            queries = yaml.safe_load(file.read_text(encoding="utf-8"))
            _print(file, await evaluate(store, queries, meaning=meaning), verbose)
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
    parser.add_argument(
        "--cli", action="store_true", help="ask through `excerpt-bot search --json -` (with --db)"
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="QUERIES.yaml")
    args = parser.parse_args(argv)
    if args.cli:
        if args.db is None or args.no_meaning:
            parser.error("--cli takes --db and the database's own meaning setting")
        for file in args.files:
            queries = yaml.safe_load(file.read_text(encoding="utf-8"))
            _print(file, evaluate_cli(args.db, queries), args.verbose)
        return 0
    if args.db is not None:
        return asyncio.run(_main(args.db, args.files, args.verbose, not args.no_meaning))
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        asyncio.run(_index(args.corpus, db, meaning=not args.no_meaning))
        return asyncio.run(_main(db, args.files, args.verbose, not args.no_meaning))


if __name__ == "__main__":
    sys.exit(main())
