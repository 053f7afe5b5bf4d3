"""The scale benchmark: index and search a large near-duplicate corpus, against a baseline.

    python -m bench [--sizes 1,5,25] [--work DIR] [--no-baseline] [--no-bot] [--load-seconds 60]

Deterministic (fixed seeds). For each size it builds a corpus from the shipped post and the
hexo-sample posts in tests/data: copy 0 is the original, every further copy has 4% of its CJK
characters replaced, so copies are near-duplicates, never identical. 25× is about 24 M
characters. Then, as a user would and through the CLI contract:

- `excerpt-bot index` (a subprocess): seconds, database MB, peak RSS;
- one `excerpt-bot search --json -` process for the whole query mix: per-query p50/p95/p99
  of `took_ms`, peak RSS, recall@1/@5 on queries whose answer is known, empty negatives;
- on the largest size, the plain baseline: SQLite FTS5 `trigram` over the same passages, the
  OR of the query's trigrams ranked by bm25: its p95 and recall, and the ratio to ours;
- the bot under load through the fake Bot API server (see bench/load.py).

The query mix: the three relevance sets of the shipped post (tests/data/*-queries.yaml) and a
generated set cut from the original posts (exact, misremembered, one or two typos,
Traditional, 2-character words, headings, long sentences, chatter, negatives), the same at
every size so the figures compare.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bench.queries import generate_from_db
from bench.relevance import text_hits

ROOT = Path(__file__).resolve().parent.parent
SOURCES = (ROOT / "corpus", ROOT / "tests" / "data" / "hexo-sample" / "source")
COPIES_PER_SIZE = 3  # copies of the ~325k-character sources per 1×: 25× ≈ 24 M characters
PERTURB = 0.04  # share of CJK characters replaced in every copy after the first
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Run:
    """What one command cost: wall seconds, peak RSS of the process tree in MB, output."""

    seconds: float
    peak_mb: float
    stdout: str
    stderr: str
    returncode: int


def run_measured(args: list[str], *, stdin: str | None = None) -> Run:
    """Run a command and read its own peak RSS from wait4 (not this process's)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(
            args,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            cwd=ROOT,
            env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        )
        if stdin is not None and process.stdin is not None:
            process.stdin.write(stdin.encode("utf-8"))
            process.stdin.close()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        return Run(
            seconds,
            usage.ru_maxrss / 1024,  # kB on Linux
            out.read().decode("utf-8"),
            err.read().decode("utf-8"),
            process.returncode,
        )


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "bot", *args]


def make_corpus(target: Path, copies: int, seed: int = 1) -> int:
    """Write `copies` copies of the sources under `target`; returns the character count."""
    shutil.rmtree(target, ignore_errors=True)
    files = sorted(f for source in SOURCES for f in source.rglob("*.md"))
    texts = [f.read_text(encoding="utf-8") for f in files]
    pool = [c for text in texts for c in _CJK.findall(text)]
    characters = 0
    for copy in range(copies):
        rng = random.Random(seed * 1_000_003 + copy)
        folder = target / f"copy{copy:03d}"
        folder.mkdir(parents=True)
        for index, (file, text) in enumerate(zip(files, texts, strict=True)):
            if copy:
                chars = list(text)
                for match in _CJK.finditer(text):
                    if rng.random() < PERTURB:
                        chars[match.start()] = rng.choice(pool)
                text = "".join(chars)
            (folder / f"{index:03d}-{file.name}").write_text(text, encoding="utf-8")
            characters += len(text)
    return characters


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


@dataclass
class Relevance:
    recall1: float
    recall5: float
    negatives_empty: int
    negatives: int
    took_ms: list[float]

    def row(self) -> str:
        t = self.took_ms
        return (
            f"p50 {statistics.median(t):6.2f}  p95 {percentile(t, 0.95):6.2f}  "
            f"p99 {percentile(t, 0.99):6.2f} ms  recall@1 {self.recall1:.3f}  "
            f"recall@5 {self.recall5:.3f}  negatives empty {self.negatives_empty}/{self.negatives}"
        )


def score(
    queries: list[dict[str, Any]], results: list[list[tuple[str, list[str]]]], took: list[float]
) -> Relevance:
    at1 = at5 = positives = negatives = empty = 0
    for query, found in zip(queries, results, strict=True):
        if query.get("kind") == "negative":
            negatives += 1
            empty += not found
            continue
        positives += 1
        hits = [text_hits(text, path, query) for text, path in found[:5]]
        at1 += bool(hits and hits[0])
        at5 += any(hits)
    return Relevance(at1 / positives, at5 / positives, empty, negatives, took)


def search_all(db: Path, queries: list[dict[str, Any]]) -> tuple[Relevance, Run]:
    """One `excerpt-bot search --json -` process for every query, as the contract says."""
    lines = "".join(" ".join(str(q["q"]).split()) + "\n" for q in queries)
    run = run_measured(cli("search", "--db", str(db), "--json", "--limit", "5", "-"), stdin=lines)
    if run.returncode:
        raise SystemExit(f"search failed: {run.stderr[-2000:]}")
    outputs = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    results = [[(r["text"], r["heading_path"]) for r in o["results"]] for o in outputs]
    took = [float(o["took_ms"]) for o in outputs]
    return score(queries, results, took), run


def baseline(db: Path, queries: list[dict[str, Any]], work: Path) -> Relevance:
    """SQLite FTS5 trigram over the same passages: OR of the query's trigrams, bm25."""
    trigram_db = work / "baseline-trigram.db"
    trigram_db.unlink(missing_ok=True)
    conn = sqlite3.connect(trigram_db)
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(text, tokenize='trigram')")
    conn.execute("ATTACH ? AS src", (str(db),))
    conn.execute("INSERT INTO t(rowid, text) SELECT id, text FROM src.passages")
    conn.commit()
    paths = {
        pid: json.loads(path)
        for pid, path in conn.execute(
            "SELECT p.id, s.heading_path FROM src.passages p JOIN src.sections s"
            " ON s.id = p.section_id"
        )
    }
    results: list[list[tuple[str, list[str]]]] = []
    took: list[float] = []
    for query in queries:
        plain = "".join(ch for ch in str(query["q"]) if ch.isalnum())
        grams = list(dict.fromkeys(plain[i : i + 3] for i in range(len(plain) - 2)))
        started = time.perf_counter()
        rows: list[tuple[int, str]] = []
        if grams:
            expression = " OR ".join('"' + g.replace('"', '""') + '"' for g in grams)
            rows = conn.execute(
                "SELECT rowid, text FROM t WHERE t MATCH ? ORDER BY bm25(t) LIMIT 5",
                (expression,),
            ).fetchall()
        took.append((time.perf_counter() - started) * 1000)
        results.append([(text, paths.get(rowid, [])) for rowid, text in rows])
    conn.close()
    return score(queries, results, took)


def load_queries(work: Path) -> list[dict[str, Any]]:
    """The fixed query mix: the shipped post's three sets and a generated set."""
    queries: list[dict[str, Any]] = []
    for name in ("dev", "extra", "blind"):
        path = ROOT / "tests" / "data" / f"{name}-queries.yaml"
        queries.extend(yaml.safe_load(path.read_text(encoding="utf-8")))
    originals = work / "originals"
    make_corpus(originals, 1)
    small = work / "originals.db"
    subprocess.run(
        cli("index", "--db", str(small), "--force", str(originals)),
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    queries.extend(asyncio.run(generate_from_db(small, 300, 7)))
    return queries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--sizes", default="1,5,25", help="multiples of ~0.96 M characters")
    parser.add_argument("--work", type=Path, help="keep corpora and databases here")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--no-bot", action="store_true", help="skip the bot load test")
    parser.add_argument("--load-seconds", type=float, default=60.0)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    work = args.work or Path(tempfile.mkdtemp(prefix="excerpt-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"work directory: {work}", flush=True)

    queries = load_queries(work)
    known = sum(q.get("kind") != "negative" for q in queries)
    print(f"query mix: {len(queries)} queries ({known} with a known answer)", flush=True)

    rows: list[str] = []
    largest: Path | None = None
    ours: Relevance | None = None
    for size in sizes:
        corpus = work / f"corpus-{size}x"
        characters = make_corpus(corpus, size * COPIES_PER_SIZE)
        db = work / f"db-{size}x.db"
        db.unlink(missing_ok=True)
        index = run_measured(cli("index", "--db", str(db), str(corpus)))
        if index.returncode:
            raise SystemExit(f"index failed: {index.stderr[-2000:]}")
        passages = sqlite3.connect(db).execute("SELECT count(*) FROM passages").fetchone()[0]
        relevance, search = search_all(db, queries)
        rows.append(
            f"{size:>3}×  {characters / 1e6:6.2f} M chars  {passages:>7} passages  "
            f"index {index.seconds:5.1f} s  {db.stat().st_size / 1e6:6.1f} MB  "
            f"index RSS {index.peak_mb:5.0f} MB  |  search {relevance.row()}  "
            f"search RSS {search.peak_mb:4.0f} MB"
        )
        print(rows[-1], flush=True)
        largest, ours = db, relevance

    print("\n== scale ==")
    print("\n".join(rows))
    if largest is not None and ours is not None and not args.no_baseline:
        plain = baseline(largest, queries, work)
        print(f"\n== baseline on the largest size (FTS5 trigram, OR, bm25) ==\n{plain.row()}")
        ratio = percentile(plain.took_ms, 0.95) / max(percentile(ours.took_ms, 0.95), 1e-9)
        print(
            f"ratio baseline/ours: p95 {ratio:.1f}×, recall@1 {ours.recall1:.3f} vs "
            f"{plain.recall1:.3f}, recall@5 {ours.recall5:.3f} vs {plain.recall5:.3f}"
        )
    if largest is not None and not args.no_bot:
        from bench.load import load_test

        print(f"\n== bot under load ({largest.name}) ==", flush=True)
        for line in load_test(largest, [str(q["q"]) for q in queries], args.load_seconds):
            print(line, flush=True)
    return 0
