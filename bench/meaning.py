"""The meaning index at scale: what `python -m bench --meaning` adds to the scale benchmark.

With `--meaning` every size is indexed with its meaning index and searched with it on, as
the bot serves it; these figures are added to the character path's:

- the meaning build: units, how many were encoded (the rest reused by content), encoded
  characters per second, seconds, and the cost of a cold build (every unit encoded) at
  this size: this run's when it encoded (nearly) everything, else estimated from the rate
  of one process encoding a sample of 2,000 of the corpus's units now (a pool of two
  processes is faster by 1-2× depending on what else the machine runs);
- the meaning index's share of the database (SQLite's dbstat);
- search with meaning off, in the same run (`EXCERPT_BOT_MEANING=off`): p95 and RSS, so
  what the meaning path adds is a difference measured under the same load;
- the look-up against exact scoring (`index_recall`): on the queries of the mix that carry
  a meaning (5+ characters), whether the index's best passage and its top 5 / top 30 are
  those that scoring every unit gives, counted by score (near-copies of one sentence tie:
  any of them is as good), also on the queries whose best exact cosine is at least 0.45
  (below, where the order is noise, no meaning match is ever offered: right answers
  measured 0.46-0.87), and how long the look-up alone takes.

The build's sample and the look-ups run in a child process (`python -m bench.meaning`):
they load the encoder and, for the comparison, every vector; in the bench's own process
they would raise the peak RSS every later command reports (Linux counts a child's peak
from the parent's size at fork).

Encoding is the slow part (about 10-20k characters a second a core: a cold build of the
25× corpora takes 10-30 minutes on this shared 2-core machine), so vectors are kept between
runs: the largest meaning database built so far for a corpus is kept in --work as
`meaning-vectors-<corpus>.db` and copied over each database before it is rebuilt, and the
indexer reuses every vector it finds there by content. Delete it for a cold build.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot import meaning
from bot.store import Reader, read_meaning_index
from bot.text import normalize

_BUILD_LINE = re.compile(
    r"meaning index: (?P<units>\d+) units, (?P<encoded>\d+) encoded \(\d+ reused\)"
    r"(?:, (?P<rate>[\d,]+) characters/s)?(?: \((?P<processes>\d+) processes\))?, "
    r"(?P<seconds>[\d.]+) s"
)
_TIE = 1e-6  # cosines this close are the same score
_CLOSE = 0.45  # a best cosine from which a meaning match may be right
_POOL = 30  # passages a search takes from the meaning index (bot.search.fusion._MEANING_POOL)
_SAMPLE = 2000  # units encoded to measure the rate of one process


def donor(work: Path, corpus: str) -> Path:
    """Where the vectors of `corpus` ("blog", "book") are kept between runs."""
    return work / f"meaning-vectors-{corpus}.db"


def _units_in(db: Path) -> int:
    try:
        with sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True) as conn:
            row = conn.execute("SELECT count(*) FROM meaning_units").fetchone()
    except sqlite3.Error:
        return 0
    return int(row[0]) if row else 0


def seed(db: Path, work: Path, corpus: str) -> None:
    """Put the kept vectors where the indexer looks for the previous database."""
    kept = donor(work, corpus)
    db.unlink(missing_ok=True)
    if kept.is_file():
        shutil.copyfile(kept, db)


def keep(db: Path, work: Path, corpus: str) -> None:
    """Keep this database's vectors for the next run if it has more than those kept."""
    kept = donor(work, corpus)
    if _units_in(db) > _units_in(kept):
        shutil.copyfile(db, kept)


@dataclass
class Build:
    units: int
    encoded: int
    chars_per_s: float | None  # of the units encoded this run
    seconds: float
    processes: int
    unit_chars: int  # characters of all units: what a cold build encodes
    meaning_mb: float  # meaning_units and meaning_codes in the database
    sample_chars_per_s: float  # one process, on a sample of the units, measured now

    @property
    def cold_s(self) -> float:
        """Seconds to encode every unit: this run's, when it was cold; else estimated."""
        if self.encoded >= 0.95 * self.units:
            return self.seconds
        return self.unit_chars / self.sample_chars_per_s


def build_figures(db: Path, index_stderr: str) -> Build | None:
    """The meaning build of `excerpt-bot index`, from its summary line and the database."""
    found = _BUILD_LINE.search(index_stderr)
    if found is None:
        return None
    rate = found["rate"]
    with sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True) as conn:
        every = [
            u for (text,) in conn.execute("SELECT text FROM passages") for u in meaning.units(text)
        ]
        row = conn.execute(
            "SELECT sum(pgsize) FROM dbstat WHERE name IN ('meaning_units', 'meaning_codes')"
        ).fetchone()
    sample = random.Random(5).sample(every, min(_SAMPLE, len(every)))
    encoder = meaning.shared_encoder()
    encoder.warm_up()
    started = time.perf_counter()
    for start in range(0, len(sample), 256):
        encoder.encode(sample[start : start + 256])
    sample_rate = sum(map(len, sample)) / (time.perf_counter() - started)
    return Build(
        units=int(found["units"]),
        encoded=int(found["encoded"]),
        # A rate over a few units is mostly the pool's start: not a rate.
        chars_per_s=float(rate.replace(",", ""))
        if rate and int(found["encoded"]) >= 1000
        else None,
        seconds=float(found["seconds"]),
        processes=int(found["processes"] or 1),
        unit_chars=sum(map(len, every)),
        meaning_mb=(row[0] or 0) / 1e6 if row else 0.0,
        sample_chars_per_s=sample_rate,
    )


@dataclass
class Recall:
    """The meaning index's look-up against scoring every unit, on one query mix."""

    index: str  # "ExactIndex" or "SignIndex"
    queries: int
    top1: float
    top5: float
    top30: float
    worst30: float
    close: int  # queries whose best exact cosine is at least _CLOSE
    close_top1: float
    close_top30: float
    lookup_ms: list[float]  # the index's look-up alone (encoding apart), per query
    exact_ms: list[float]  # scoring every unit, per query


def _same_by_score(found: list[meaning.MeaningHit], exact: list[meaning.MeaningHit]) -> list[bool]:
    """For each rank of the exact list: whether the index's passage at that rank scores as
    high (ties between near-copies count as equal)."""
    got = [h.cosine for h in found] + [-1.0] * len(exact)
    return [g >= e.cosine - _TIE for g, e in zip(got, exact, strict=False)]


def index_recall(db: Path, queries: list[dict[str, Any]]) -> Recall | None:
    """Look up every query of 5+ characters in the database's meaning index as the bot
    opens it, and by scoring every unit; compare."""
    texts = [str(q["q"]) for q in queries if len(normalize(str(q["q"]))) >= 5]
    with sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True) as conn:
        index = read_meaning_index(conn)
        exact = read_meaning_index(conn, exact_max_units=1 << 62)
        if index is None or exact is None or not texts:
            return None
        encoder = meaning.shared_encoder()
        reader = Reader(conn)
        at1: list[bool] = []
        at5: list[float] = []
        at30: list[float] = []
        close: list[tuple[bool, float]] = []
        lookup: list[float] = []
        every: list[float] = []
        for text in texts:
            vectors = encoder.encode([text])
            started = time.perf_counter()
            found = index.top(vectors, _POOL, reader)
            lookup.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            best = exact.top(vectors, _POOL)
            every.append((time.perf_counter() - started) * 1000)
            same = _same_by_score(found, best)
            at1.append(bool(same[:1]) and same[0])
            at5.append(float(np.mean(same[:5])) if same else 1.0)
            at30.append(float(np.mean(same)) if same else 1.0)
            if best and best[0].cosine >= _CLOSE:
                close.append((at1[-1], at30[-1]))
    return Recall(
        type(index).__name__,
        len(texts),
        float(np.mean(at1)),
        float(np.mean(at5)),
        float(np.mean(at30)),
        float(np.min(at30)),
        len(close),
        float(np.mean([c[0] for c in close])) if close else 1.0,
        float(np.mean([c[1] for c in close])) if close else 1.0,
        lookup,
        every,
    )


@dataclass
class Figures:
    """What --meaning adds to one run at one size."""

    build: Build | None
    recall: Recall | None
    off_p95: float  # search p95 with meaning off, same run
    off_rss_mb: float  # peak RSS of that search process

    def lines(self, on_p95: float, on_rss_mb: float) -> list[str]:
        out = []
        b = self.build
        if b is not None:
            rate = f"{b.chars_per_s:,.0f} characters/s" if b.chars_per_s else "nothing encoded"
            cold = "this run" if b.encoded >= 0.95 * b.units else "estimated"
            out.append(
                f"      meaning build: {b.units} units, {b.encoded} encoded "
                f"({b.processes} processes, {rate}), {b.seconds:.1f} s; one process "
                f"{b.sample_chars_per_s:,.0f} characters/s on a sample; cold build "
                f"{b.cold_s / 60:.1f} min ({cold}) for {b.unit_chars / 1e6:.1f} M characters "
                f"of units; {b.meaning_mb:.1f} MB of the database"
            )
        out.append(
            f"      meaning on vs off: p95 {on_p95:.1f} vs {self.off_p95:.1f} ms, "
            f"search RSS {on_rss_mb:.0f} vs {self.off_rss_mb:.0f} MB"
        )
        r = self.recall
        if r is not None:
            out.append(
                f"      meaning index {r.index} vs exact on {r.queries} queries: best "
                f"{r.top1:.3f}, top 5 {r.top5:.3f}, top 30 {r.top30:.3f} (worst query "
                f"{r.worst30:.2f}); the {r.close} with a best cosine >= {_CLOSE}: best "
                f"{r.close_top1:.3f}, top 30 {r.close_top30:.3f}; look-up p50 "
                f"{statistics.median(r.lookup_ms):.1f} "
                f"p95 {_p95(r.lookup_ms):.1f} ms, exact p50 {statistics.median(r.exact_ms):.1f} ms"
            )
        return out

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "meaning_off_p95": self.off_p95,
            "meaning_off_rss_mb": self.off_rss_mb,
        }
        if self.build is not None:
            out.update({f"meaning_{k}": v for k, v in asdict(self.build).items()})
            out["meaning_cold_s"] = self.build.cold_s
        if self.recall is not None:
            r = self.recall
            out.update(
                meaning_index=r.index,
                meaning_top1=r.top1,
                meaning_top5=r.top5,
                meaning_top30=r.top30,
                meaning_close_top1=r.close_top1,
                meaning_close_top30=r.close_top30,
                meaning_lookup_p50=statistics.median(r.lookup_ms),
                meaning_lookup_p95=_p95(r.lookup_ms),
                meaning_exact_p50=statistics.median(r.exact_ms),
            )
        return out


def figures(
    db: Path, index_stderr: str, queries: list[dict[str, Any]], off_p95: float, off_rss_mb: float
) -> Figures:
    """`build_figures` and `index_recall` in a child process (see the module docstring)."""
    child = subprocess.run(
        [sys.executable, "-m", "bench.meaning", str(db)],
        input=json.dumps({"stderr": index_stderr, "queries": queries}, ensure_ascii=False),
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        check=False,
    )
    if child.returncode:
        raise SystemExit(f"bench.meaning failed: {child.stderr[-2000:]}")
    found = json.loads(child.stdout)
    build = Build(**found["build"]) if found["build"] else None
    recall = Recall(**found["recall"]) if found["recall"] else None
    return Figures(build, recall, off_p95, off_rss_mb)


def main(argv: list[str] | None = None) -> int:
    """`python -m bench.meaning DB` < {"stderr": index's stderr, "queries": [...]}: the
    build and look-up figures as JSON on stdout."""
    args = sys.argv[1:] if argv is None else argv
    db = Path(args[0])
    given = json.loads(sys.stdin.read())
    build = build_figures(db, given["stderr"])
    recall = index_recall(db, given["queries"])
    print(
        json.dumps(
            {
                "build": asdict(build) if build else None,
                "recall": asdict(recall) if recall else None,
            }
        )
    )
    return 0


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] if ordered else 0.0


def summary_table(by_size: dict[int, list[dict[str, Any]]]) -> str:
    """A Markdown table of medians over the runs of each size, meaning figures only."""
    head = (
        "| size | chars | runs | units | encoded | chars/s (1 process) | cold build | meaning MB "
        "| DB MB "
        "| p50 / p95 / p99 ms | p95 off | search RSS | RSS off | recall@1 / @5 | index "
        "| best / top 5 / top 30 vs exact | same, cosine >= 0.45 | look-up p50 / p95 ms |"
    )
    rows = [head, "|" + "---|" * (head.count("|") - 1)]

    def fmt(value: Any, spec: str = ".1f") -> str:
        return "–" if value is None else format(value, spec)

    for size, runs in by_size.items():

        def m(key: str, runs: list[dict[str, Any]] = runs) -> Any:
            values = [r[key] for r in runs if r.get(key) is not None]
            return statistics.median(values) if values else None

        cold = m("meaning_cold_s")
        rows.append(
            f"| {size}× | {m('characters') / 1e6:.2f} M | {len(runs)} "
            f"| {fmt(m('meaning_units'), ',.0f')} | {fmt(m('meaning_encoded'), ',.0f')} "
            f"| {fmt(m('meaning_chars_per_s'), ',.0f')} "
            f"({fmt(m('meaning_sample_chars_per_s'), ',.0f')}) "
            f"| {fmt(cold / 60 if cold else None)} min | {fmt(m('meaning_meaning_mb'))} "
            f"| {fmt(m('db_mb'))} | {fmt(m('p50'))} / {fmt(m('p95'))} / {fmt(m('p99'))} "
            f"| {fmt(m('meaning_off_p95'))} | {fmt(m('search_rss_mb'), '.0f')} "
            f"| {fmt(m('meaning_off_rss_mb'), '.0f')} "
            f"| {fmt(m('recall1'), '.3f')} / {fmt(m('recall5'), '.3f')} "
            f"| {runs[-1].get('meaning_index', '–')} "
            f"| {fmt(m('meaning_top1'), '.3f')} / {fmt(m('meaning_top5'), '.3f')} / "
            f"{fmt(m('meaning_top30'), '.3f')} "
            f"| {fmt(m('meaning_close_top1'), '.3f')} / {fmt(m('meaning_close_top30'), '.3f')} "
            f"| {fmt(m('meaning_lookup_p50'))} / {fmt(m('meaning_lookup_p95'))} |"
        )
    return "\n".join(rows)


if __name__ == "__main__":
    sys.exit(main())
