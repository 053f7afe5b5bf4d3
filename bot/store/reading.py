"""Reading the corpus database: `Store` (open, check, one hop per search via `run`), the
synchronous `Reader` a search uses on the database thread, and the `CorpusReader` protocol
the layers above are typed against."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

import numpy as np
from numpy.typing import NDArray

from bot import meaning as meaning_index
from bot.dbthread import DatabaseThread
from bot.meaning import MODEL_ID as MEANING_MODEL
from bot.meaning import MeaningIndex
from bot.models import (
    DocumentOutline,
    DocumentSummary,
    ImportSummary,
    OutlineEntry,
    Problem,
    StoredPassage,
    StoreStats,
)
from bot.store.meaning_process import LookAhead, MeaningProcess, start_meaning_process
from bot.store.schema import (
    _PASSAGE_SELECT,
    SCHEMA_VERSION,
    QueryTimeout,
    StoreError,
    _fts_term,
    _row_to_passage,
    connect_read_only,
    read_only_uri,
)
from bot.text import normalize as text_normalize
from bot.text import signature as text_signature

T = TypeVar("T")
IdArray = NDArray[np.int64]


class Reader:
    """Synchronous read access, used only on the database thread inside `Store.run`.

    One reader serves one call (one search), so it remembers what it has read: a query's
    variants (clauses, numbers written the other way) share most of their terms."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        deadline: float | None = None,
        facts: dict[str, int] | None = None,
    ) -> None:
        self._conn = conn
        self._deadline = deadline
        # Facts about the database, learnt once and kept by its Store for every later call.
        self._facts = facts if facts is not None else {}
        self._counts: tuple[dict[str, int], dict[str, int]] = ({}, {})  # passages, headings
        self._term_ids: dict[tuple[str, int, bool, bool], IdArray] = {}
        self._headings: dict[int, tuple[str, int | None, bool]] = {}

    @property
    def connection(self) -> sqlite3.Connection:
        """The connection it reads (for what reads a whole table at once: the meaning index)."""
        return self._conn

    @property
    def deadline(self) -> float | None:
        """When the caller gives up (time.monotonic), if it does."""
        return self._deadline

    def check_deadline(self) -> None:
        """Raise QueryTimeout once the caller has given up: long Python loops between SQL
        statements call this, since `interrupt()` only stops a statement that is running."""
        if self._deadline is not None and time.monotonic() > self._deadline:
            raise QueryTimeout("the query ran out of time")

    def doc_counts(self, terms: Iterable[str], *, headings: bool = False) -> dict[str, int]:
        """How many passages (or headings) contain each term; absent terms are left out."""
        unique = list(dict.fromkeys(terms))
        known = self._counts[headings]
        missing = [t for t in unique if t not in known]
        column = "headings" if headings else "passages"
        for start in range(0, len(missing), 500):
            chunk = missing[start : start + 500]
            known.update(dict.fromkeys(chunk, 0))
            marks = ",".join("?" * len(chunk))
            rows = self._conn.execute(
                f"SELECT term, {column} FROM term_counts WHERE term IN ({marks})", chunk
            )
            known.update((str(term), int(n)) for term, n in rows)
        return {t: known[t] for t in unique if known[t]}

    def longest_heading(self) -> int:
        """The length of the longest heading or title, normalized: a query much longer
        than every heading cannot match one, and is not looked up among them."""
        longest = self._facts.get("longest_heading")
        if longest is None:
            rows = self._conn.execute(
                "SELECT heading FROM sections UNION SELECT title FROM documents"
            )
            # Normalizing may write one character as several (NFKC: ㈱ is "(株)"), so
            # the stored lengths are not enough.
            longest = self._facts["longest_heading"] = max(
                (len(text_normalize(str(heading))) for (heading,) in rows), default=0
            )
        return longest

    def ids_with_term(
        self, term: str, limit: int, *, headings: bool = False, prefix: bool = False
    ) -> list[int]:
        """Ids of passages (or sections) containing the term, or a term starting with it."""
        ids: list[int] = self.term_ids(term, limit, headings=headings, prefix=prefix).tolist()
        return ids

    def term_ids(
        self, term: str, limit: int, *, headings: bool = False, prefix: bool = False
    ) -> IdArray:
        """`ids_with_term` as an array, in id order."""
        key = (term, limit, headings, prefix)
        found = self._term_ids.get(key)
        if found is None:
            table = "heading_terms" if headings else "passage_terms"
            found = self._term_ids[key] = self._match_ids(
                table, _fts_term(term) + ("*" if prefix else ""), limit
            )
        return found

    def _match_ids(self, table: str, expression: str, limit: int) -> IdArray:
        """Row ids matching an FTS5 expression, the first `limit` in id order. Read as one
        string: a Python row per id cost three times as much (1,500 ids: 0.3 ms, not 1)."""
        row = self._conn.execute(
            f"SELECT group_concat(rowid) FROM (SELECT rowid FROM {table}"
            f" WHERE {table} MATCH ? LIMIT ?)",
            (expression, limit),
        ).fetchone()
        if not row or not row[0]:
            return np.empty(0, dtype=np.int64)
        return np.sort(np.fromstring(row[0], dtype=np.int64, sep=","))

    def ids_with_all(
        self, terms: Sequence[str], limit: int, *, prefix_last: bool = False, headings: bool = False
    ) -> list[int]:
        """Passage (or section) ids containing every term (in id order); the last may be a
        prefix."""
        if not terms:
            return []
        parts = [_fts_term(t) for t in terms]
        if prefix_last:
            parts[-1] += "*"
        table = "heading_terms" if headings else "passage_terms"
        ids: list[int] = self._match_ids(table, " AND ".join(parts), limit).tolist()
        return ids

    def sections_of(self, ids: Iterable[int]) -> dict[int, int]:
        """passage id -> its section's id."""
        rows = self._rows_with_ids("SELECT id, section_id FROM passages", "id", ids)
        return {row[0]: row[1] for row in rows}

    def notes_among(self, ids: Sequence[int]) -> set[int]:
        """Which of these passages are editors' notes (without reading any text)."""
        if not ids:
            return set()
        rows = self._conn.execute(
            "SELECT id FROM passages WHERE kind = 'note' AND id BETWEEN ? AND ?",
            (min(ids), max(ids)),
        )
        wanted = set(ids)
        return {r[0] for r in rows if r[0] in wanted}

    def _rows_with_ids(self, select: str, column: str, ids: Iterable[int]) -> Iterator[Any]:
        """Rows of `select ... WHERE column IN (ids)`, in chunks under SQLite's variable limit."""
        id_list = list(ids)
        for start in range(0, len(id_list), 500):
            chunk = id_list[start : start + 500]
            marks = ",".join("?" * len(chunk))
            yield from self._conn.execute(f"{select} WHERE {column} IN ({marks})", chunk)

    def texts(self, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
        """id -> (text, kind) for passages, cheap enough to rerank a few hundred."""
        rows = self._rows_with_ids("SELECT id, text, kind FROM passages", "id", ids)
        return {row[0]: (row[1], row[2]) for row in rows}

    def heading_texts(self, ids: Iterable[int]) -> dict[int, str]:
        """passage id -> its document title and heading path, as one string (where a reader's
        keyword may be instead of the passage itself)."""
        rows = self._rows_with_ids(
            "SELECT p.id, d.title, s.heading_path FROM passages p"
            " JOIN sections s ON s.id = p.section_id JOIN documents d ON d.id = p.document_id",
            "p.id",
            ids,
        )
        # Passages of one section share its heading path: each distinct one is decoded once.
        joined: dict[tuple[str, str], str] = {}
        out: dict[int, str] = {}
        for pid, title, path in rows:
            key = (title, path)
            text = joined.get(key)
            if text is None:
                text = joined[key] = " ".join([title, *json.loads(path)])
            out[pid] = text
        return out

    def passages_in_sections(self, section_ids: Iterable[int], limit: int) -> list[int]:
        """Ids of the passages of these sections and of the sections under them, in id order."""
        wanted = list(dict.fromkeys(section_ids))
        if not wanted:
            return []
        marks = ",".join("?" * len(wanted))
        # CROSS JOIN: from the few sections to their passages by index; left to itself the
        # planner walked every passage in id order (28 ms against 3 at 25x).
        rows = self._conn.execute(
            f"WITH RECURSIVE tree(id) AS (SELECT id FROM sections WHERE id IN ({marks})"
            " UNION SELECT s.id FROM sections s JOIN tree ON s.parent_id = tree.id)"
            " SELECT p.id FROM tree CROSS JOIN passages p ON p.section_id = tree.id"
            " ORDER BY p.id LIMIT ?",
            (*wanted, limit),
        )
        return [r[0] for r in rows]

    def headings(self, ids: Iterable[int]) -> dict[int, tuple[str, int | None, bool]]:
        """section id -> (heading, first passage id, whether the heading is its document's
        title), in id order. A top section's heading is its document's title (see
        building.prepare_documents, which indexes it so)."""
        wanted = sorted(set(ids))
        known = self._headings
        missing = [sid for sid in wanted if sid not in known]
        rows = self._rows_with_ids(
            "SELECT s.id, s.heading, s.first_passage_id, d.title,"
            " s.parent_id IS NULL AND s.heading = ''"
            " FROM sections s JOIN documents d ON d.id = s.document_id",
            "s.id",
            missing,
        )
        known.update(
            (sid, (title if is_title else heading, first, bool(is_title)))
            for sid, heading, first, title, is_title in rows
        )
        return {sid: known[sid] for sid in wanted if sid in known}

    def author_names(self) -> list[str]:
        """Every author a passage is credited to (what `作者:` is matched against)."""
        rows = self._conn.execute(
            "SELECT DISTINCT author FROM sections WHERE author IS NOT NULL AND author != ''"
        )
        return [row[0] for row in rows]

    def document_titles(self) -> list[tuple[int, str]]:
        """(document id, title) of every document (what `标题:` is matched against)."""
        return [(row[0], row[1]) for row in self._conn.execute("SELECT id, title FROM documents")]

    def passage_ids_in(
        self, *, authors: Sequence[str] | None, documents: Sequence[int] | None, limit: int
    ) -> list[int]:
        """Ids of the passages credited to one of `authors` and in one of `documents` (None:
        any), in id order, at most `limit`."""
        where: list[str] = []
        values: list[str | int] = []
        if authors is not None:
            where.append(f"s.author IN ({','.join('?' * len(authors))})")
            values += list(authors)
        if documents is not None:
            where.append(f"p.document_id IN ({','.join('?' * len(documents))})")
            values += list(documents)
        if (authors is not None and not authors) or (documents is not None and not documents):
            return []
        rows = self._conn.execute(
            "SELECT p.id FROM passages p JOIN sections s ON s.id = p.section_id"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY p.id LIMIT ?",
            (*values, limit),
        )
        return [row[0] for row in rows]

    def credits(self, ids: Iterable[int]) -> dict[int, tuple[str | None, int]]:
        """passage id -> (the author it is credited to, its document id)."""
        rows = self._rows_with_ids(
            "SELECT p.id, s.author, p.document_id FROM passages p"
            " JOIN sections s ON s.id = p.section_id",
            "p.id",
            ids,
        )
        return {row[0]: (row[1], row[2]) for row in rows}

    def all_keys(self) -> list[str]:
        return [row[0] for row in self._conn.execute("SELECT key FROM passages")]

    def meaning_rows(self, ids: Sequence[int]) -> list[tuple[int, int, bytes]]:
        """(unit id, passage id, vector) of these meaning units (bot.meaning.VectorRows)."""
        return list(
            self._rows_with_ids("SELECT rowid, passage_id, vector FROM meaning_units", "rowid", ids)
        )

    def document_outline(self, document_id: int) -> DocumentOutline | None:
        """A document's title, headed sections and first passage; None if there is none."""
        row = self._conn.execute(
            "SELECT title, path FROM documents WHERE id = ?", (document_id,)
        ).fetchone()
        if row is None:
            return None
        rows = self._conn.execute(
            "SELECT id, level, heading, first_passage_id FROM sections"
            " WHERE document_id = ? AND heading != '' ORDER BY id",
            (document_id,),
        )
        sections = tuple(OutlineEntry(r[0], r[1], r[2], r[3]) for r in rows)
        first = self._conn.execute(
            "SELECT min(id) FROM passages WHERE document_id = ?", (document_id,)
        ).fetchone()
        return DocumentOutline(
            title=row[0] or row[1],
            sections=sections,
            first_passage_id=int(first[0]) if first and first[0] is not None else None,
        )

    def all_passages(self) -> list[StoredPassage]:
        return [_row_to_passage(r) for r in self._conn.execute(f"{_PASSAGE_SELECT} ORDER BY p.id")]

    def stats(self, path: str, size: int) -> StoreStats:
        def scalar(sql: str) -> Any:
            return self._conn.execute(sql).fetchone()[0]

        meta = {str(k): str(v) for k, v in self._conn.execute("SELECT key, value FROM meta")}
        return StoreStats(
            path=path,
            documents=scalar("SELECT count(*) FROM documents"),
            sections=scalar("SELECT count(*) FROM sections"),
            passages=scalar("SELECT count(*) FROM passages"),
            characters=scalar("SELECT coalesce(sum(length(text)), 0) FROM passages"),
            db_bytes=size,
            built_at=meta.get("built_at", ""),
            fingerprint=meta.get("fingerprint", ""),
            schema_version=scalar("PRAGMA user_version"),
            build_seconds=float(meta.get("build_seconds", 0) or 0),
            sources=tuple(json.loads(meta.get("sources", "[]"))),
            files_seen=int(meta.get("files_seen", 0) or 0),
            problems=tuple(Problem(*p) for p in json.loads(meta.get("problems", "[]"))),
            text_signature=meta.get("text_signature", ""),
            build_id=meta.get("build_id", ""),
            meaning_model=meta.get("meaning_model", ""),
            meaning_units=int(meta.get("meaning_units", 0) or 0),
            shrink_allowed=meta.get("shrink_allowed") == "1",
            summary=ImportSummary.from_json(meta.get("import_summary", "{}")),
        )

    def passages(self, ids: Sequence[int]) -> dict[int, StoredPassage]:
        rows = self._rows_with_ids(_PASSAGE_SELECT, "p.id", ids)
        return {row[0]: _row_to_passage(row) for row in rows}

    def passage_by_key(self, key: str) -> StoredPassage | None:
        row = self._conn.execute(f"{_PASSAGE_SELECT} WHERE p.key = ?", (key,)).fetchone()
        return _row_to_passage(row) if row else None

    def section_passages(self, section_id: int) -> list[StoredPassage]:
        rows = self._conn.execute(
            f"{_PASSAGE_SELECT} WHERE p.section_id = ? ORDER BY p.id", (section_id,)
        )
        return [_row_to_passage(r) for r in rows]

    def documents(self, offset: int, limit: int) -> tuple[list[DocumentSummary], int]:
        """One page of documents in path order, and how many there are in all."""
        total = int(self._conn.execute("SELECT count(*) FROM documents").fetchone()[0])
        # Passages counted in one pass, grouped: counted per document with a subquery, each
        # count scanned every passage (passages has no document_id index), for every row up
        # to the offset: 2.6 s for the last page of 1,500 documents of 16,500 passages.
        rows = self._conn.execute(
            "SELECT d.id, d.title, d.url, d.authors, d.path, coalesce(c.n, 0)"
            " FROM (SELECT id, title, url, authors, path FROM documents"
            "       ORDER BY path, id LIMIT ? OFFSET ?) d"
            " LEFT JOIN (SELECT document_id, count(*) AS n FROM passages GROUP BY document_id) c"
            " ON c.document_id = d.id ORDER BY d.path, d.id",
            (limit, offset),
        )
        page = [
            DocumentSummary(
                id=r[0],
                title=r[1],
                url=r[2],
                authors=tuple(json.loads(r[3])),
                path=r[4],
                passages=r[5],
            )
            for r in rows
        ]
        return page, total


def file_identity(path: Path) -> tuple[int, ...]:
    """What changes when a rebuild replaces the file (`os.replace` gives a new inode)."""
    info = path.stat()
    return (info.st_dev, info.st_ino, info.st_mtime_ns, info.st_size)


class CorpusReader(Protocol):
    """What the layers above read from the corpus database: search calls `run` (its whole
    retrieval in one hop, on a synchronous `Reader`); handlers and the CLI call the rest,
    which return models. `Store` is the implementation."""

    path: Path
    meaning: MeaningIndex | None  # the meaning index, when the database has one and it is on

    def look_ahead(self, forms: list[str], k: int) -> LookAhead | None: ...
    async def passage_total(self) -> int: ...
    async def run(self, fn: Callable[[Reader], T], *, timeout: float | None = None) -> T: ...
    async def passages(self, ids: Sequence[int]) -> dict[int, StoredPassage]: ...
    async def passage(self, passage_id: int) -> StoredPassage | None: ...
    async def passage_by_key(self, key: str) -> StoredPassage | None: ...
    async def section_passages(self, section_id: int) -> list[StoredPassage]: ...
    async def random_passages(
        self, count: int, rng: random.Random | None = None
    ) -> list[StoredPassage]: ...
    async def documents(self, offset: int, limit: int) -> tuple[list[DocumentSummary], int]: ...
    async def document_outline(self, document_id: int) -> DocumentOutline | None: ...
    async def all_keys(self) -> list[str]: ...
    async def iter_passages(self) -> list[StoredPassage]: ...
    async def stats(self) -> StoreStats: ...


def _opening_facts(conn: sqlite3.Connection) -> tuple[int, int, dict[str, str]]:
    """Schema version, passage count, and the meta a search needs, in one hop."""
    version = (conn.execute("PRAGMA user_version").fetchone() or (0,))[0]
    if version != SCHEMA_VERSION:
        return int(version), 0, {}
    row = conn.execute("SELECT count(*) FROM passages").fetchone()
    rows = conn.execute(
        "SELECT key, value FROM meta WHERE key IN ('text_signature', 'sources', 'meaning_model')"
    )
    return int(version), int(row[0]) if row else 0, {str(k): str(v) for k, v in rows}


class Store:
    """An open, read-only database. Create with `await Store.open(path)`; close when done."""

    def __init__(
        self,
        conn: DatabaseThread,
        path: Path,
        passage_total: int,
        identity: tuple[int, ...] = (),
        meaning: MeaningIndex | None = None,
        more: Sequence[DatabaseThread] = (),
        meaning_process: MeaningProcess | None = None,
    ) -> None:
        self._conn = conn
        # Every connection has its own thread; `run` uses the one with the fewest calls in
        # flight, so two searches can run at once (see bot.admission: one is kept for people
        # at a person's pace while a flood has the other).
        self._conns = [conn, *more]
        self._in_flight = [0] * len(self._conns)
        self.path = path
        self._passage_total = passage_total
        self.meaning = meaning  # None: the database has no meaning index, or it is off
        self._meaning_process = meaning_process  # bot.store.meaning_process
        self.identity = identity  # of the file when opened: a rebuild replaces the inode
        self._active = 0  # calls in flight: a retired store closes when this reaches zero
        self._idle = asyncio.Event()
        self._idle.set()
        self._closed = False
        self._facts: dict[str, int] = {}  # see Reader

    @classmethod
    async def open(
        cls,
        path: Path,
        *,
        for_search: bool = True,
        meaning: bool = True,
        connections: int = 1,
        exact_max_units: int = meaning_index.EXACT_MAX_UNITS,
        look_ahead_min_units: int = meaning_index.LOOK_AHEAD_MIN_UNITS,
    ) -> Store:
        """Open read-only. `for_search=False` skips the check that the database's terms were
        made with this installation's text tables (enough for stats and export), and the
        meaning index; `meaning=False` leaves the meaning index unread (text matches only).
        `connections`: how many calls may run at once, each on its own thread.
        `exact_max_units`: see `read_meaning_index` (tests lower it: a SignIndex, and its
        meaning process, on a small database); `look_ahead_min_units`: the size from which
        an exact index is looked up in a meaning process too (bot.store.meaning_process)."""
        if not path.is_file():
            raise StoreError(f"no database at {path}; build one with: excerpt-bot index")
        uri = read_only_uri(path)
        try:
            identity = file_identity(path)
            with path.open("rb"):  # unreadable: a clear error before any thread is started
                pass
            conn = await DatabaseThread.connect(uri, uri=True)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open database {path}: {exc}") from None
        try:
            version, passage_total, meta = await conn.run(_opening_facts)
            if version != SCHEMA_VERSION:
                raise StoreError(
                    f"{path} has schema version {version}, this excerpt-bot needs "
                    f"{SCHEMA_VERSION}; rebuild it with: excerpt-bot index"
                )
            if for_search and meta.get("text_signature") != text_signature():
                sources = " ".join(json.loads(meta.get("sources", "[]")))
                raise StoreError(
                    f"{path} was built with other Unicode, OpenCC or pinyin tables than "
                    f"this installation has; rebuild it with: excerpt-bot index --db {path} "
                    f"{sources}".rstrip()
                )
            index: MeaningIndex | None = None
            count, by_signs, look_ahead = 0, False, False
            if for_search and meaning and meta.get("meaning_model") == MEANING_MODEL:
                count, by_signs = await conn.run(lambda c: _meaning_shape(c, exact_max_units))
                # Read by sign bits (a large collection), or exactly but at a size where a
                # look-up costs as much as a short search: its look-ups pay for a process
                # of their own. Otherwise the index is read now.
                look_ahead = bool(count) and (by_signs or count >= look_ahead_min_units)
                if count and not look_ahead:
                    index = await conn.run(lambda c: read_meaning_index(c, exact_max_units))
        except sqlite3.DatabaseError as exc:
            await conn.close()
            raise StoreError(
                f"{path} is not a usable excerpt-bot database ({exc}); "
                "rebuild it with: excerpt-bot index"
            ) from None
        except StoreError:
            await conn.close()
            raise
        more: list[DatabaseThread] = []
        try:
            for _ in range(connections - 1):
                more.append(await DatabaseThread.connect(uri, uri=True))
        except (OSError, sqlite3.Error) as exc:
            for opened in (conn, *more):
                await opened.close()
            raise StoreError(f"cannot open database {path}: {exc}") from None
        process = None
        if look_ahead:
            # This process reads the index only when it looks up itself (no process could
            # start here, or it failed).
            process = start_meaning_process(open_meaning_index, path, identity, exact_max_units)
            index = _ReadWhenNeeded(count, exact_max_units)
        store = cls(conn, path, passage_total, identity, index, more, process)
        if for_search:
            # Learnt now (30 ms at 24 M characters), not in the first reader's search.
            try:
                await store.run(lambda reader: reader.longest_heading())
            except BaseException:
                # (`run` says what went wrong as a StoreError) Its threads and connections
                # must not outlive it: a reloading bot tries every changed file.
                await store.close()
                raise
        return store

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            for conn in self._conns:
                await conn.close()
            if self._meaning_process is not None:
                await asyncio.to_thread(self._meaning_process.close)

    def look_ahead(self, forms: list[str], k: int) -> LookAhead | None:
        """Begin the meaning look-up of a query's `forms` (its first `k` passages) in the
        store's meaning process, if it has one that works (bot.store.meaning_process)."""
        process = self._meaning_process
        return process.look_up(forms, k) if process is not None else None

    @property
    def encodes_here(self) -> bool:
        """Whether searches encode queries in this process (the encoder is worth loading
        before the first search): a meaning index and no working meaning process."""
        process = self._meaning_process
        return self.meaning is not None and (process is None or not process.working)

    @property
    def meaning_process(self) -> MeaningProcess | None:
        return self._meaning_process

    async def retire(self, grace: float = 0.0) -> None:
        """Close once the calls already running have finished (a reload swapped in a newer
        database; searches that started on this one complete on it)."""
        await asyncio.sleep(grace)
        await self._idle.wait()
        await self.close()

    async def quick_check(self) -> str:
        """SQLite's structural check: "ok" for a database that can be trusted."""
        row = await self._conn.run(lambda conn: conn.execute("PRAGMA quick_check").fetchone())
        return str(row[0]) if row else "no answer"

    async def passage_total(self) -> int:
        """Passages in the database, counted once when it was opened."""
        return self._passage_total

    async def __aenter__(self) -> Store:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def run(self, fn: Callable[[Reader], T], *, timeout: float | None = None) -> T:
        """Run `fn(reader)` on the database thread: a whole search in one hop. With a
        `timeout`, a call that runs past it is interrupted (SQLite's interrupt for a running
        statement, the reader's deadline for Python between statements) so its database
        thread is free for the next caller; it raises QueryTimeout."""
        if self._closed:
            raise StoreError(f"{self.path} was closed")
        deadline = None if timeout is None else time.monotonic() + timeout
        self._active += 1
        self._idle.clear()
        lane = min(range(len(self._conns)), key=self._in_flight.__getitem__)
        self._in_flight[lane] += 1
        thread = self._conns[lane]
        try:
            call = thread.run(lambda conn: fn(Reader(conn, deadline, self._facts)))
            done, _ = await asyncio.wait({call}, timeout=timeout)
            if not done:
                thread.interrupt()  # sqlite3's interrupt may be called from any thread
                with contextlib.suppress(Exception):
                    await call  # the thread stops at the interrupt or the next deadline check
                raise QueryTimeout(f"query interrupted after {timeout:.1f} s")
            return call.result()
        except sqlite3.OperationalError as exc:
            if "interrupted" in str(exc):
                raise QueryTimeout("query interrupted") from None
            raise StoreError(
                f"{self.path} cannot be read ({exc}); rebuild it with: excerpt-bot index"
            ) from None
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"{self.path} cannot be read ({exc}); rebuild it with: excerpt-bot index"
            ) from None
        finally:
            self._in_flight[lane] -= 1
            self._active -= 1
            if not self._active:
                self._idle.set()

    async def passages(self, ids: Sequence[int]) -> dict[int, StoredPassage]:
        return await self.run(lambda r: r.passages(ids))

    async def passage(self, passage_id: int) -> StoredPassage | None:
        return (await self.passages([passage_id])).get(passage_id)

    async def passage_by_key(self, key: str) -> StoredPassage | None:
        return await self.run(lambda r: r.passage_by_key(key))

    async def section_passages(self, section_id: int) -> list[StoredPassage]:
        return await self.run(lambda r: r.section_passages(section_id))

    async def random_passages(
        self, count: int, rng: random.Random | None = None
    ) -> list[StoredPassage]:
        """Up to `count` distinct passages chosen uniformly (ids are dense from 1)."""
        if not self._passage_total:
            return []
        population = range(1, self._passage_total + 1)
        ids = (rng or random).sample(population, min(count, self._passage_total))
        found = await self.passages(ids)
        return [found[i] for i in ids if i in found]

    async def documents(self, offset: int, limit: int) -> tuple[list[DocumentSummary], int]:
        return await self.run(lambda r: r.documents(offset, limit))

    async def document_outline(self, document_id: int) -> DocumentOutline | None:
        return await self.run(lambda r: r.document_outline(document_id))

    async def all_keys(self) -> list[str]:
        return await self.run(lambda r: r.all_keys())

    async def iter_passages(self) -> list[StoredPassage]:
        """Every passage in document order (for export)."""
        return await self.run(lambda reader: reader.all_passages())

    async def stats(self) -> StoreStats:
        path, size = str(self.path), self.path.stat().st_size
        return await self.run(lambda reader: reader.stats(path, size))


def _meaning_shape(conn: sqlite3.Connection, exact_max_units: int) -> tuple[int, bool]:
    """How many meaning units the database has, and whether they are to be read by their
    sign bits (`read_meaning_index`)."""
    # rowid, not id: a database built before meaning_units had its id column has no
    # meaning_codes either, and is served exactly.
    row = conn.execute("SELECT max(rowid) FROM meaning_units").fetchone()
    count = int(row[0] or 0) if row else 0
    has_codes = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meaning_codes'"
    ).fetchone()
    return count, bool(count > exact_max_units and has_codes)


class _ReadWhenNeeded(MeaningIndex):
    """The meaning index of a large collection (by sign bits, or exact from
    LOOK_AHEAD_MIN_UNITS units), read from the database by the first look-up done in this
    process. Its meaning process (bot.store.meaning_process) does the look-ups while it
    works: the index is not held twice meanwhile (36 MB at 24 M characters). Without one
    (one CPU, or it failed) the first look-up reads it (0.04-0.16 s at 24 M characters)."""

    def __init__(self, count: int, exact_max_units: int) -> None:
        self._count = count
        self._exact_max_units = exact_max_units
        self._index: MeaningIndex | None = None
        self._lock = threading.Lock()  # two database threads may need it at once

    @property
    def size(self) -> int:
        return self._count

    def top(
        self,
        queries: NDArray[np.float32],
        k: int = 50,
        rows: meaning_index.VectorRows | None = None,
    ) -> list[meaning_index.MeaningHit]:
        if not isinstance(rows, Reader):
            raise ValueError("the index is read from the database being searched: pass its reader")
        with self._lock:
            if self._index is None:
                self._index = read_meaning_index(rows.connection, self._exact_max_units)
        return self._index.top(queries, k, rows) if self._index is not None else []


def read_meaning_index(
    conn: sqlite3.Connection, exact_max_units: int = meaning_index.EXACT_MAX_UNITS
) -> MeaningIndex | None:
    """The meaning index of a database whose vectors were made with this encoder: exact
    up to `exact_max_units` units, by sign bits above (see bot.meaning); None when empty."""
    count, by_signs = _meaning_shape(conn, exact_max_units)
    if not count:
        return None
    if by_signs:
        blocks = conn.execute("SELECT codes FROM meaning_codes ORDER BY first_id")
        index = meaning_index.SignIndex.from_blocks((codes for (codes,) in blocks), count)
        if index is not None:
            return index
        # Not the codes of these units: fall through to the exact index, which is right
        # whatever the size (only slower and larger).
    rows = conn.execute("SELECT passage_id, vector FROM meaning_units ORDER BY rowid")
    return meaning_index.ExactIndex.from_rows(rows, count)


def open_meaning_index(
    path: Path, identity: tuple[int, ...], exact_max_units: int
) -> tuple[MeaningIndex | None, Reader]:
    """In a meaning process (bot.store.meaning_process): the database at `path`, its meaning
    index and a reader of its stored vectors. Opened by path, so a rebuild may have replaced
    the file since the store opened it: then its passage ids are not the store's, and this
    raises."""
    conn = connect_read_only(path)
    if file_identity(path) != identity:
        conn.close()
        raise StoreError(f"{path} was replaced after it was opened")
    return read_meaning_index(conn, exact_max_units), Reader(conn)


def read_recorded_sources(path: Path) -> tuple[str, ...] | None:
    """The corpus paths a database file says it was built from, even one this version can
    no longer search (an older schema); None if the file cannot be read at all."""
    try:
        conn = connect_read_only(path)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'sources'").fetchone()
        finally:
            conn.close()
        return tuple(json.loads(row[0])) if row else ()
    except (sqlite3.Error, OSError, ValueError, TypeError):
        return None


async def read_stats(path: Path) -> StoreStats | None:
    """What an existing database holds, or None if there is none or it is unusable."""
    if not path.is_file():
        return None
    try:
        store = await Store.open(path, for_search=False)
    except StoreError:
        return None
    try:
        return await store.stats()
    except StoreError:
        return None  # corrupt past its header: as good as none, a rebuild replaces it
    finally:
        await store.close()
