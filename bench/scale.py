"""The scale benchmark: index and search a large near-duplicate corpus, against a peer.

    python -m bench [--corpus blog|book|DIR [--queries SET.yaml]] [--sizes 1,5,25] [--runs N]
                    [--work DIR] [--no-baseline] [--no-bot] [--load-seconds 60] [--meaning]

Deterministic (fixed seeds). Three corpora, all in multiples of ~0.96 M characters (25× is
about 24 M):

- `blog` (the default): the shipped post and the hexo-sample posts in tests/data; copy 0 is
  the original, every further copy has 4% of its CJK characters replaced. Short posts, short
  paragraphs: friendly to search. Query mix: the shipped post's three relevance sets and a
  set generated from the original posts (bench/queries.py).
- `book`: 《红楼梦》 (bench/data, public domain), one Markdown article a chapter, long
  paragraphs full of common words, copies with 3% of CJK characters replaced; query mix: 90
  queries written by reading it and 200 random 2-20-character cuts (see bench/book.py).
- a folder of Markdown you name (`--corpus DIR`): a collection nobody tuned on, copied the
  same way as the book, with your own query set if you wrote one, and 200 random cuts of
  its paragraphs (see bench/folder.py).

For each size, as a user would and through the CLI contract:

- `excerpt-bot index --no-meaning` (a subprocess): seconds, database MB, peak RSS of the
  character index;
- one `excerpt-bot search --json -` process for the whole query mix: p50/p95/p99 of
  `took_ms`, p95 by query length (normalized characters), peak RSS, recall@1/@5 on queries
  whose answer is known (the random cuts apart), empty negatives;
- the peer, over the same passages in the same run: SQLite FTS5 `trigram`, the OR of the
  query's trigrams ranked by bm25 (its build seconds, p50/p95/p99, recall), and the ratio of
  our p95 to the peer's: the figure to trust on a shared, noisy machine. Each query goes to
  our search process and then to the peer before the next, so both see the same load;
- on the largest size, the bot under load through the fake Bot API server (bench/load.py).

`--runs N` repeats index, search and peer N times per size and adds a row of medians.
Without `--meaning` the databases have no meaning index (the character path alone); with
it they have one and are searched with it, and bench/meaning.py adds its figures.
Corpora are kept in `--work` and reused when present. One run on this shared 2-core
machine: blog 1,5,25 ~6 min with the load test; book 1× ~15 s, 5× ~30 s, 25× ~1.5 min,
100× ~9 min (index 4-5 min, 0.6 GB database, 0.3 GB of Markdown in --work).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bench import meaning as bench_meaning
from bench.book import book_queries, make_book_corpus
from bench.folder import folder_queries, make_folder_corpus
from bench.proc import children, status_kb
from bench.queries import generate_from_db
from bench.relevance import text_hits
from bot.text import normalize

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


class PeakRss:
    """The peak resident memory of a running process and its children, sampled from /proc.

    Not wait4's ru_maxrss: Linux starts a child's count at the size of the process that
    forked it (exec records the forking process's peak), so a command started by a bench
    that had just built a 24 M-character corpus "used" the bench's 236 MB. /proc's VmHWM
    counts only the program's own memory; the children's (the indexer's parsing process)
    are added as sampled (VmRSS, every 20 ms). None if no sample was taken (no /proc, or
    the command ended first)."""

    def __init__(self, pid: int) -> None:
        self._pid = pid
        self._peak: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while True:
            own = status_kb(self._pid, "VmHWM")
            if own is not None:
                theirs = sum(status_kb(child, "VmRSS") or 0 for child in children(self._pid))
                self._peak = max(self._peak or 0.0, (own + theirs) / 1024)
            if self._stop.wait(0.02):
                return

    def stop(self) -> float | None:
        """The peak so far (call before the process exits: its /proc entry goes with it)."""
        self._stop.set()
        self._thread.join()
        return self._peak


def _wait_measured(process: subprocess.Popen[bytes], peak: PeakRss) -> tuple[int, float]:
    """Wait for the process; its exit status and peak RSS in MB: wait4's where /proc is
    missing (an upper bound: see PeakRss), NaN if it ended before it could be sampled."""
    # Sampled until it exits: what it adds in its last 20 ms may be missed (a search
    # process has reached its peak by its last answer; an indexer's last step is a check).
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        time.sleep(0.02)
    sampled = peak.stop()
    if sampled is None and not _PROC.exists():
        sampled = usage.ru_maxrss / 1024  # kB on Linux; an upper bound (see PeakRss)
    # (None where /proc exists: the command ended before it could be sampled, and wait4's
    # figure would be the bench's own size, not the command's.)
    return os.waitstatus_to_exitcode(status), (math.nan if sampled is None else sampled)


_PROC = Path("/proc/self/status")


def run_measured(args: list[str], *, stdin: str | None = None) -> Run:
    """Run a command and measure its own peak RSS (see PeakRss), not this process's."""
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
        peak = PeakRss(process.pid)
        if stdin is not None and process.stdin is not None:
            process.stdin.write(stdin.encode("utf-8"))
            process.stdin.close()
        process.returncode, peak_mb = _wait_measured(process, peak)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        return Run(
            seconds,
            peak_mb,
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


#: Query length classes (normalized characters, what the search sees) for p95 by length.
LENGTH_CLASSES: tuple[tuple[str, int, int], ...] = (
    ("≤2", 0, 2),
    ("3–4", 3, 4),
    ("5–8", 5, 8),
    ("9–16", 9, 16),
    ("17+", 17, 10**9),
)


def length_class(query: str) -> str:
    length = len(normalize(query))
    return next(name for name, low, high in LENGTH_CLASSES if low <= length <= high)


@dataclass
class Relevance:
    recall1: float
    recall5: float
    negatives_empty: int
    negatives: int
    took_ms: list[float]
    cuts1: float | None = None  # recall on the random cuts (book corpus), kept apart
    cuts5: float | None = None
    by_kind: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # n, @1, @5

    def kinds(self) -> str:
        return "  ".join(
            f"{kind} {at1}/{n}" + (f" ({at5} @5)" if at5 != at1 else "")
            for kind, (n, at1, at5) in sorted(self.by_kind.items())
        )

    def row(self) -> str:
        t = self.took_ms
        cuts = (
            f"  cuts @1 {self.cuts1:.3f} @5 {self.cuts5:.3f}"
            if self.cuts1 is not None and self.cuts5 is not None
            else ""
        )
        return (
            f"p50 {statistics.median(t):6.2f}  p95 {percentile(t, 0.95):6.2f}  "
            f"p99 {percentile(t, 0.99):6.2f} ms  recall@1 {self.recall1:.3f}  "
            f"recall@5 {self.recall5:.3f}  negatives empty {self.negatives_empty}/{self.negatives}"
            + cuts
        )


def score(
    queries: list[dict[str, Any]], results: list[list[tuple[str, list[str]]]], took: list[float]
) -> Relevance:
    """Recall over the queries whose answer is known; random cuts (kind `cut`) are scored
    apart, so the written set's figure compares with the blog corpus's."""
    hits: dict[bool, list[tuple[bool, bool]]] = {False: [], True: []}
    by_kind: dict[str, tuple[int, int, int]] = {}
    negatives = empty = 0
    for query, found in zip(queries, results, strict=True):
        if query.get("kind") == "negative":
            negatives += 1
            empty += not found
            continue
        ranked = [text_hits(text, path, query) for text, path in found[:5]]
        at1, at5 = bool(ranked and ranked[0]), any(ranked)
        hits[query.get("kind") == "cut"].append((at1, at5))
        kind = str(query.get("kind", "?"))
        n, k1, k5 = by_kind.get(kind, (0, 0, 0))
        by_kind[kind] = (n + 1, k1 + at1, k5 + at5)

    def recall(pairs: list[tuple[bool, bool]], at: int) -> float:
        return sum(pair[at] for pair in pairs) / len(pairs) if pairs else 1.0

    cuts = hits[True]
    return Relevance(
        recall(hits[False], 0),
        recall(hits[False], 1),
        empty,
        negatives,
        took,
        recall(cuts, 0) if cuts else None,
        recall(cuts, 1) if cuts else None,
        by_kind,
    )


class Peer:
    """The peer: SQLite FTS5 `trigram` over the same passages, the OR of the query's
    trigrams ranked by bm25, top 5 (timed per query, in this process)."""

    def __init__(self, trigram_db: Path, db: Path) -> None:
        self.conn = sqlite3.connect(trigram_db)
        self.conn.execute("ATTACH ? AS src", (str(db),))
        self.paths = {
            pid: json.loads(path)
            for pid, path in self.conn.execute(
                "SELECT p.id, s.heading_path FROM src.passages p JOIN src.sections s"
                " ON s.id = p.section_id"
            )
        }

    def search(self, query: str) -> tuple[list[tuple[str, list[str]]], float]:
        plain = "".join(ch for ch in query if ch.isalnum())
        grams = list(dict.fromkeys(plain[i : i + 3] for i in range(len(plain) - 2)))
        started = time.perf_counter()
        rows: list[tuple[int, str]] = []
        if grams:
            expression = " OR ".join('"' + g.replace('"', '""') + '"' for g in grams)
            rows = self.conn.execute(
                "SELECT rowid, text FROM t WHERE t MATCH ? ORDER BY bm25(t) LIMIT 5",
                (expression,),
            ).fetchall()
        took = (time.perf_counter() - started) * 1000
        return [(text, self.paths.get(rowid, [])) for rowid, text in rows], took

    def close(self) -> None:
        self.conn.close()


def peer_index(db: Path, work: Path) -> tuple[Path, float]:
    """Build the peer's SQLite FTS5 trigram table over the same passages; (path, seconds)."""
    trigram_db = work / "baseline-trigram.db"
    trigram_db.unlink(missing_ok=True)
    started = time.perf_counter()
    conn = sqlite3.connect(trigram_db)
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(text, tokenize='trigram')")
    conn.execute("ATTACH ? AS src", (str(db),))
    conn.execute("INSERT INTO t(rowid, text) SELECT id, text FROM src.passages")
    conn.commit()
    conn.close()
    return trigram_db, time.perf_counter() - started


def search_all(
    db: Path,
    queries: list[dict[str, Any]],
    peer: Peer | None = None,
    env: dict[str, str] | None = None,
) -> tuple[Relevance, Run, Relevance | None]:
    """One `excerpt-bot search --json -` process for every query, as the contract says.

    With a peer, each query goes to our process and then to the peer before the next one,
    so both are timed under the same load: on a shared machine the load changes from one
    minute to the next, and a ratio of two runs made minutes apart measures that too."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        process = subprocess.Popen(
            cli("search", "--db", str(db), "--json", "--limit", "5", "-"),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=err,
            cwd=ROOT,
            env={**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})},
        )
        assert process.stdin is not None and process.stdout is not None
        peak = PeakRss(process.pid)
        try:
            ours, theirs = _ask_all(process, queries, peer)
        except BaseException:
            peak.stop()
            process.kill()
            raise
        process.stdin.close()
        process.returncode, peak_mb = _wait_measured(process, peak)
        err.seek(0)
        run = Run(
            time.perf_counter() - started,
            peak_mb,
            "",
            err.read().decode("utf-8", "replace"),
            process.returncode,
        )
    if run.returncode or len(ours) != len(queries):
        raise SystemExit(f"search failed: {run.stderr[-2000:]}")
    results = [[(r["text"], r["heading_path"]) for r in o["results"]] for o in ours]
    relevance = score(queries, results, [float(o["took_ms"]) for o in ours])
    peer_relevance = None
    if peer is not None:
        peer_relevance = score(queries, [r for r, _ in theirs], [t for _, t in theirs])
    return relevance, run, peer_relevance


def _ask_all(
    process: subprocess.Popen[bytes], queries: list[dict[str, Any]], peer: Peer | None
) -> tuple[list[dict[str, Any]], list[tuple[list[tuple[str, list[str]]], float]]]:
    """Each query to our search process, then to the peer; their answers (ours stop early
    if the process does)."""
    assert process.stdin is not None and process.stdout is not None
    ours: list[dict[str, Any]] = []
    theirs: list[tuple[list[tuple[str, list[str]]], float]] = []
    for query in queries:
        line = " ".join(str(query["q"]).split())
        process.stdin.write((line + "\n").encode("utf-8"))
        process.stdin.flush()
        answer = process.stdout.readline()
        if not answer:
            break
        ours.append(json.loads(answer))
        if peer is not None:
            theirs.append(peer.search(line))
    return ours, theirs


def load_queries(work: Path) -> list[dict[str, Any]]:
    """The blog corpus's fixed query mix: the shipped post's three sets and a generated set."""
    queries: list[dict[str, Any]] = []
    for name in ("dev", "extra", "blind"):
        path = ROOT / "tests" / "data" / f"{name}-queries.yaml"
        queries.extend(yaml.safe_load(path.read_text(encoding="utf-8")))
    originals = work / "originals"
    make_corpus(originals, 1)
    small = work / "originals.db"
    subprocess.run(
        cli("index", "--no-meaning", "--db", str(small), "--force", str(originals)),
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    queries.extend(asyncio.run(generate_from_db(small, 300, 7)))
    return queries


@dataclass
class Figures:
    """One run at one size: what `python -m bench` reports."""

    size: int
    characters: int
    passages: int
    index_s: float
    db_mb: float
    index_rss_mb: float
    ours: Relevance
    search_rss_mb: float
    p95_by_length: dict[str, float]
    peer_index_s: float | None = None
    peer: Relevance | None = None
    meaning: bench_meaning.Figures | None = None  # with --meaning

    @property
    def ratio(self) -> float | None:
        """Our p95 over the peer's, measured in the same run."""
        if self.peer is None:
            return None
        return percentile(self.ours.took_ms, 0.95) / max(percentile(self.peer.took_ms, 0.95), 1e-9)

    def as_dict(self) -> dict[str, Any]:
        t = self.ours.took_ms
        out: dict[str, Any] = {
            "size": self.size,
            "characters": self.characters,
            "passages": self.passages,
            "index_s": self.index_s,
            "db_mb": self.db_mb,
            "index_rss_mb": self.index_rss_mb,
            "p50": statistics.median(t),
            "p95": percentile(t, 0.95),
            "p99": percentile(t, 0.99),
            "search_rss_mb": self.search_rss_mb,
            "recall1": self.ours.recall1,
            "recall5": self.ours.recall5,
            "cuts1": self.ours.cuts1,
            "cuts5": self.ours.cuts5,
            "negatives_empty": self.ours.negatives_empty,
            "negatives": self.ours.negatives,
            **{f"p95_len_{name}": value for name, value in self.p95_by_length.items()},
        }
        if self.peer is not None:
            p = self.peer.took_ms
            out.update(
                peer_index_s=self.peer_index_s,
                peer_p50=statistics.median(p),
                peer_p95=percentile(p, 0.95),
                peer_p99=percentile(p, 0.99),
                peer_recall1=self.peer.recall1,
                peer_recall5=self.peer.recall5,
                peer_cuts1=self.peer.cuts1,
                peer_cuts5=self.peer.cuts5,
                peer_negatives_empty=self.peer.negatives_empty,
                ratio=self.ratio,
            )
        if self.meaning is not None:
            out.update(self.meaning.as_dict())
        return out


def measure(
    size: int,
    corpus: Path,
    characters: int,
    queries: list[dict[str, Any]],
    work: Path,
    peer: bool,
    meaning: bool = False,
) -> Figures:
    """Index the corpus, run the query mix through our search and through the peer."""
    db = work / f"db-{size}x.db"
    kind = corpus.name.rsplit("-", 1)[0]  # "blog" of blog-25x
    if meaning:
        bench_meaning.seed(db, work, kind)  # vectors kept from earlier runs, reused by content
        # The kept database may be of a larger size: replacing it by a smaller one is meant.
        index = run_measured(
            cli("index", "--force", "--allow-shrink", "--db", str(db), str(corpus))
        )
    else:
        db.unlink(missing_ok=True)
        # The character index only: the meaning index has its own budget (see --meaning).
        index = run_measured(cli("index", "--no-meaning", "--db", str(db), str(corpus)))
    if index.returncode:
        raise SystemExit(f"index failed: {index.stderr[-2000:]}")
    if meaning:
        bench_meaning.keep(db, work, kind)
    with sqlite3.connect(db) as conn:
        passages = int(conn.execute("SELECT count(*) FROM passages").fetchone()[0])
    peer_index_s: float | None = None
    the_peer: Peer | None = None
    trigram_db = work / "baseline-trigram.db"
    if peer:
        trigram_db, peer_index_s = peer_index(db, work)
        the_peer = Peer(trigram_db, db)
    try:
        relevance, search, peer_relevance = search_all(db, queries, the_peer)
    finally:
        if the_peer is not None:
            the_peer.close()
            trigram_db.unlink()
    by_length: dict[str, list[float]] = {name: [] for name, _, _ in LENGTH_CLASSES}
    for query, took in zip(queries, relevance.took_ms, strict=True):
        by_length[length_class(str(query["q"]))].append(took)
    meaning_figures = None
    if meaning:
        off, off_run, _ = search_all(db, queries, env={"EXCERPT_BOT_MEANING": "off"})
        meaning_figures = bench_meaning.figures(
            db, index.stderr, queries, percentile(off.took_ms, 0.95), off_run.peak_mb
        )
    return Figures(
        size,
        characters,
        passages,
        index.seconds,
        db.stat().st_size / 1e6,
        index.peak_mb,
        relevance,
        search.peak_mb,
        {name: percentile(values, 0.95) for name, values in by_length.items() if values},
        peer_index_s,
        peer_relevance,
        meaning_figures,
    )


def report(f: Figures) -> str:
    lines = [
        f"{f.size:>3}×  {f.characters / 1e6:6.2f} M chars  {f.passages:>7} passages  "
        f"index {f.index_s:5.1f} s  {f.db_mb:6.1f} MB  index RSS {f.index_rss_mb:4.0f} MB  "
        f"search RSS {f.search_rss_mb:4.0f} MB",
        f"      ours: {f.ours.row()}",
        f"      ours recall@1 by kind: {f.ours.kinds()}",
        "      ours p95 by query length: "
        + "  ".join(f"{name} {value:.1f}" for name, value in f.p95_by_length.items()),
    ]
    if f.peer is not None and f.peer_index_s is not None:
        lines.append(
            f"      peer: {f.peer.row()}  (build {f.peer_index_s:.1f} s)\n"
            f"      ratio of our p95 to the peer's: {f.ratio:.2f}×"
        )
    if f.meaning is not None:
        lines += f.meaning.lines(percentile(f.ours.took_ms, 0.95), f.search_rss_mb)
    return "\n".join(lines)


def _median(runs: list[dict[str, Any]], key: str) -> Any:
    values = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(values) if values else None


def summary_table(by_size: dict[int, list[dict[str, Any]]]) -> str:
    """A Markdown table of medians over the runs of each size."""
    names = [name for name, _, _ in LENGTH_CLASSES]
    head = (
        "| size | chars | passages | runs | index s | DB MB | index RSS | p50 / p95 / p99 ms | "
        + " | ".join(f"p95 {n}" for n in names)
        + " | search RSS | recall@1 / @5 | cuts @1 / @5 | neg. empty"
        + " | peer build s | peer p50 / p95 / p99 | peer @1 / @5 | ratio p95 |"
    )
    rows = [head, "|" + "---|" * (head.count("|") - 1)]

    def fmt(value: Any, spec: str = ".1f") -> str:
        return "–" if value is None else format(value, spec)

    for size, runs in by_size.items():

        def m(key: str, runs: list[dict[str, Any]] = runs) -> Any:
            return _median(runs, key)

        rows.append(
            f"| {size}× | {m('characters') / 1e6:.2f} M | {m('passages'):,.0f} | {len(runs)} "
            f"| {fmt(m('index_s'))} | {fmt(m('db_mb'))} | {fmt(m('index_rss_mb'), '.0f')} "
            f"| {fmt(m('p50'))} / {fmt(m('p95'))} / {fmt(m('p99'))} | "
            + " | ".join(fmt(m(f"p95_len_{n}")) for n in names)
            + f" | {fmt(m('search_rss_mb'), '.0f')} | {fmt(m('recall1'), '.3f')} / "
            f"{fmt(m('recall5'), '.3f')} | {fmt(m('cuts1'), '.3f')} / {fmt(m('cuts5'), '.3f')} "
            f"| {fmt(m('negatives_empty'), '.0f')}/{runs[0]['negatives']} "
            f"| {fmt(m('peer_index_s'))} | {fmt(m('peer_p50'))} / {fmt(m('peer_p95'))} / "
            f"{fmt(m('peer_p99'))} | {fmt(m('peer_recall1'), '.3f')} / "
            f"{fmt(m('peer_recall5'), '.3f')} | {fmt(m('ratio'), '.2f')}× |"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--corpus",
        default="blog",
        help="blog, book, or a folder of Markdown files (see bench/folder.py)",
    )
    parser.add_argument(
        "--queries", type=Path, help="with a folder: a query set written by reading it"
    )
    parser.add_argument("--sizes", default="1,5,25", help="multiples of ~0.96 M characters")
    parser.add_argument("--runs", type=int, default=1, help="runs per size (medians reported)")
    parser.add_argument("--work", type=Path, help="keep corpora and databases here")
    parser.add_argument("--no-baseline", action="store_true", help="skip the FTS5 peer")
    parser.add_argument("--no-bot", action="store_true", help="skip the bot load test")
    parser.add_argument("--load-seconds", type=float, default=60.0)
    parser.add_argument(
        "--meaning", action="store_true", help="with the meaning index (see bench/meaning.py)"
    )
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    work = args.work or Path(tempfile.mkdtemp(prefix="excerpt-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"work directory: {work}", flush=True)

    folder: Path | None = None
    if args.corpus not in ("blog", "book"):
        folder = Path(args.corpus)
        if not folder.is_dir():
            parser.error(f"--corpus: {folder} is neither blog, book nor a folder")
        queries = folder_queries(folder, args.queries)
        args.corpus = "folder"
    elif args.queries is not None:
        parser.error("--queries goes with --corpus FOLDER")
    else:
        queries = book_queries() if args.corpus == "book" else load_queries(work)
    known = sum(q.get("kind") != "negative" for q in queries)
    cuts = sum(q.get("kind") == "cut" for q in queries)
    print(
        f"corpus: {args.corpus}; query mix: {len(queries)} queries ({known} with a known "
        f"answer, {cuts} of them random cuts)",
        flush=True,
    )

    by_size: dict[int, list[dict[str, Any]]] = {}
    largest: Path | None = None
    results = work / f"results-{args.corpus}.jsonl"
    for size in sizes:
        corpus = work / f"{args.corpus}-{size}x"
        if folder is not None:
            characters = make_folder_corpus(corpus, folder, size)
        elif args.corpus == "book":
            characters = make_book_corpus(corpus, size)
        else:
            characters = make_corpus(corpus, size * COPIES_PER_SIZE)
        for run in range(1, args.runs + 1):
            figures = measure(
                size, corpus, characters, queries, work, not args.no_baseline, args.meaning
            )
            print(f"run {run}/{args.runs}\n{report(figures)}", flush=True)
            record = figures.as_dict()
            by_size.setdefault(size, []).append(record)
            with results.open("a", encoding="utf-8") as out:
                out.write(json.dumps({"corpus": args.corpus, "run": run, **record}) + "\n")
        largest = work / f"db-{size}x.db"

    print(f"\n== {args.corpus} corpus: medians over runs (every run: {results}) ==")
    print(summary_table(by_size))
    if args.meaning:
        print(f"\n== {args.corpus} corpus, meaning: medians over runs ==")
        print(bench_meaning.summary_table(by_size))
    if largest is not None and not args.no_bot:
        from bench.load import load_test

        print(f"\n== bot under load ({largest.name}) ==", flush=True)
        for line in load_test(largest, [str(q["q"]) for q in queries], args.load_seconds):
            print(line, flush=True)
    return 0
