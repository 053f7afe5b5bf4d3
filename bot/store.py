"""The corpus database: with `bot.state_store` beside it, the only modules that speak SQL.

Layout: `documents` ← `sections` ← `passages`, and two contentless FTS5 tables of terms
(character bigrams, ASCII words, folded-pinyin bigrams; see `bot.text`) keyed by passage id
and by section id. Terms are produced in Python, so the FTS tokenizer only has to split on
spaces; `detail=none` keeps the index small because search never needs positions (it
verifies phrases on the text itself).

Building never touches the live file: it writes a temporary file beside the target, checks
it, switches it out of WAL, fsyncs it and `os.replace`s it over the old one.

Searching runs as one hop to the connection's own thread (`bot.dbthread`): `Store.run(fn)`
calls `fn` with a synchronous `Reader` there. A hop costs ~20-30 µs and one search needs
several statements, so batching them in one hop keeps a search in single milliseconds.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import hashlib
import json
import os
import random
import sqlite3
import time
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

import numpy as np

from bot.dbthread import DatabaseThread
from bot.meaning import MODEL_ID as MEANING_MODEL
from bot.meaning import MeaningIndex, dequantize
from bot.models import (
    Document,
    DocumentOutline,
    DocumentRef,
    DocumentSummary,
    OutlineEntry,
    ParsedDocument,
    Passage,
    PassageKind,
    Problem,
    Section,
    StoredPassage,
    StoreStats,
)
from bot.text import index_terms
from bot.text import signature as text_signature

SCHEMA_VERSION = 4  # 4: meaning_units
T = TypeVar("T")

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    title TEXT NOT NULL,
    url TEXT,
    authors TEXT NOT NULL,      -- JSON list
    date TEXT,
    updated TEXT,
    tags TEXT NOT NULL,         -- JSON list
    categories TEXT NOT NULL,   -- JSON list
    description TEXT,
    source_url TEXT,
    sha256 TEXT NOT NULL,
    parse_key TEXT NOT NULL,    -- see ParsedDocument.parse_key
    warnings TEXT NOT NULL      -- JSON list: problems reported when it was parsed
);
CREATE INDEX documents_parse ON documents(path, parse_key);
CREATE TABLE sections (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id),
    parent_id INTEGER REFERENCES sections(id),
    level INTEGER NOT NULL,
    heading TEXT NOT NULL,
    anchor TEXT,
    heading_path TEXT NOT NULL, -- JSON list
    author TEXT,
    source_url TEXT,
    source_name TEXT,
    first_passage_id INTEGER
);
CREATE TABLE passages (
    id INTEGER PRIMARY KEY,
    section_id INTEGER NOT NULL REFERENCES sections(id),
    document_id INTEGER NOT NULL REFERENCES documents(id),
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    line INTEGER NOT NULL,
    prev_id INTEGER,
    next_id INTEGER,
    key TEXT NOT NULL           -- stable across rebuilds: see passage_key()
);
CREATE INDEX passages_section ON passages(section_id);
CREATE UNIQUE INDEX passages_key ON passages(key);
CREATE INDEX sections_document ON sections(document_id);
CREATE VIRTUAL TABLE passage_terms USING fts5(
    terms, content='', detail='none', columnsize=0, tokenize='unicode61 remove_diacritics 0'
);
CREATE VIRTUAL TABLE heading_terms USING fts5(
    terms, content='', detail='none', columnsize=0, tokenize='unicode61 remove_diacritics 0'
);
CREATE VIRTUAL TABLE passage_vocab USING fts5vocab(passage_terms, row);
-- The meaning index (bot.meaning): one row per unit (a passage's sentence or clause). Empty
-- when it was not built; meta 'meaning_model' names the encoder when it was.
CREATE TABLE meaning_units (
    passage_id INTEGER NOT NULL,
    key BLOB NOT NULL,          -- bot.meaning.unit_key(unit text): vectors are reused by it
    vector BLOB NOT NULL        -- bot.meaning.quantize
);
CREATE VIRTUAL TABLE heading_vocab USING fts5vocab(heading_terms, row);
"""

_PASSAGE_SELECT = """
SELECT p.id, p.text, p.kind, s.heading_path, d.title, d.path, d.url,
       s.author, s.source_url, s.source_name, p.section_id, p.prev_id, p.next_id, p.key
FROM passages p
JOIN sections s ON s.id = p.section_id
JOIN documents d ON d.id = p.document_id
"""


class StoreError(Exception):
    """The database is missing, unreadable, corrupt or from another version."""


class QueryTimeout(StoreError):
    """A query ran past its time limit and was interrupted."""


@dataclass(frozen=True, slots=True)
class BuildSummary:
    documents: int
    sections: int
    passages: int
    db_bytes: int


def _row_to_passage(row: Sequence[Any]) -> StoredPassage:
    return StoredPassage(
        passage_id=row[0],
        text=row[1],
        kind=PassageKind(row[2]),
        heading_path=tuple(json.loads(row[3])),
        document=DocumentRef(title=row[4], path=row[5], url=row[6]),
        author=row[7],
        source_url=row[8],
        source_name=row[9],
        section_id=row[10],
        prev_id=row[11],
        next_id=row[12],
        key=row[13],
    )


def passage_key(document_path: str, text: str, occurrence: int) -> str:
    """A short id for a passage that survives rebuilds: row ids shift whenever a post is
    added, but deep links and buttons already sent must keep pointing at the same passage.
    13 characters of base32 (a deep-link payload allows [A-Za-z0-9_-]); `occurrence`
    separates identical paragraphs within one document."""
    digest = hashlib.blake2b(
        f"{document_path}\0{occurrence}\0{text}".encode(), digest_size=8
    ).digest()
    return base64.b32encode(digest).decode("ascii").rstrip("=").lower()


def _fts_term(term: str) -> str:
    """Quote one term for an FTS5 MATCH expression; terms never contain quotes, but a
    doubled quote keeps any future term from being read as query syntax."""
    return '"' + term.replace('"', '""') + '"'


class Reader:
    """Synchronous read access, used only on the database thread inside `Store.run`."""

    def __init__(self, conn: sqlite3.Connection, deadline: float | None = None) -> None:
        self._conn = conn
        self._deadline = deadline

    def check_deadline(self) -> None:
        """Raise QueryTimeout once the caller has given up: long Python loops between SQL
        statements call this, since `interrupt()` only stops a statement that is running."""
        if self._deadline is not None and time.monotonic() > self._deadline:
            raise QueryTimeout("the query ran out of time")

    def doc_counts(self, terms: Iterable[str], *, headings: bool = False) -> dict[str, int]:
        """How many passages (or headings) contain each term; absent terms are left out."""
        unique = list(dict.fromkeys(terms))
        if not unique:
            return {}
        vocab = "heading_vocab" if headings else "passage_vocab"
        out: dict[str, int] = {}
        # fts5vocab answers `term = ?` with a direct look-up; an IN list would scan.
        for term in unique:
            row = self._conn.execute(f"SELECT doc FROM {vocab} WHERE term = ?", (term,)).fetchone()
            if row:
                out[term] = int(row[0])
        return out

    def ids_with_term(
        self, term: str, limit: int, *, headings: bool = False, prefix: bool = False
    ) -> list[int]:
        """Ids of passages (or sections) containing the term, or a term starting with it."""
        table = "heading_terms" if headings else "passage_terms"
        expression = _fts_term(term) + ("*" if prefix else "")
        rows = self._conn.execute(
            f"SELECT rowid FROM {table} WHERE {table} MATCH ? LIMIT ?", (expression, limit)
        )
        return [r[0] for r in rows]

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
        rows = self._conn.execute(
            f"SELECT rowid FROM {table} WHERE {table} MATCH ? LIMIT ?",
            (" AND ".join(parts), limit),
        )
        return [r[0] for r in rows]

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
        return {r[0]: " ".join([r[1], *json.loads(r[2])]) for r in rows}

    def passages_in_sections(self, section_ids: Iterable[int], limit: int) -> list[int]:
        """Ids of the passages of these sections and of the sections under them, in id order."""
        wanted = list(dict.fromkeys(section_ids))
        if not wanted:
            return []
        marks = ",".join("?" * len(wanted))
        rows = self._conn.execute(
            f"WITH RECURSIVE tree(id) AS (SELECT id FROM sections WHERE id IN ({marks})"
            " UNION SELECT s.id FROM sections s JOIN tree ON s.parent_id = tree.id)"
            " SELECT p.id FROM passages p JOIN tree ON p.section_id = tree.id"
            " ORDER BY p.id LIMIT ?",
            (*wanted, limit),
        )
        return [r[0] for r in rows]

    def headings(self, ids: Iterable[int]) -> dict[int, tuple[str, int | None]]:
        """section id -> (heading, first passage id)."""
        rows = self._rows_with_ids("SELECT id, heading, first_passage_id FROM sections", "id", ids)
        return {row[0]: (row[1], row[2]) for row in rows}

    def all_keys(self) -> list[str]:
        return [row[0] for row in self._conn.execute("SELECT key FROM passages")]

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
        rows = self._conn.execute(
            "SELECT d.id, d.title, d.url, d.authors, d.path,"
            " (SELECT count(*) FROM passages p WHERE p.document_id = d.id)"
            " FROM documents d ORDER BY d.path, d.id LIMIT ? OFFSET ?",
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
    ) -> None:
        self._conn = conn
        self.path = path
        self._passage_total = passage_total
        self.meaning = meaning  # None: the database has no meaning index, or it is off
        self.identity = identity  # of the file when opened: a rebuild replaces the inode
        self._active = 0  # calls in flight: a retired store closes when this reaches zero
        self._idle = asyncio.Event()
        self._idle.set()
        self._closed = False

    @classmethod
    async def open(cls, path: Path, *, for_search: bool = True, meaning: bool = True) -> Store:
        """Open read-only. `for_search=False` skips the check that the database's terms were
        made with this installation's text tables (enough for stats and export), and the
        meaning index; `meaning=False` leaves the meaning index unread (text matches only)."""
        if not path.is_file():
            raise StoreError(f"no database at {path}; build one with: excerpt-bot index")
        uri = f"{path.resolve().as_uri()}?mode=ro"
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
            index = None
            if for_search and meaning and meta.get("meaning_model") == MEANING_MODEL:
                ids, vectors = await conn.run(_read_meaning_units)
                if ids:
                    index = MeaningIndex(
                        dequantize(vectors, len(ids)), np.asarray(ids, dtype=np.int64)
                    )
        except sqlite3.DatabaseError as exc:
            await conn.close()
            raise StoreError(
                f"{path} is not a usable excerpt-bot database ({exc}); "
                "rebuild it with: excerpt-bot index"
            ) from None
        except StoreError:
            await conn.close()
            raise
        return cls(conn, path, passage_total, identity, index)

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            await self._conn.close()

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
        statement, the reader's deadline for Python between statements) so the one database
        thread is free for the next caller; it raises QueryTimeout."""
        if self._closed:
            raise StoreError(f"{self.path} was closed")
        deadline = None if timeout is None else time.monotonic() + timeout
        self._active += 1
        self._idle.clear()
        call = self._conn.run(lambda conn: fn(Reader(conn, deadline)))
        try:
            done, _ = await asyncio.wait({call}, timeout=timeout)
            if not done:
                self._conn.interrupt()  # sqlite3's interrupt may be called from any thread
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


# --- building -------------------------------------------------------------------------------


def _insert_document(conn: sqlite3.Connection, parsed: ParsedDocument, next_ids: list[int]) -> int:
    """Insert one document with its sections and passages; returns the passage count."""
    doc = parsed.document
    cur = conn.execute(
        "INSERT INTO documents (path, title, url, authors, date, updated, tags, categories,"
        " description, source_url, sha256, parse_key, warnings)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            doc.path,
            doc.title,
            doc.url,
            json.dumps(list(doc.authors), ensure_ascii=False),
            doc.date,
            doc.updated,
            json.dumps(list(doc.tags), ensure_ascii=False),
            json.dumps(list(doc.categories), ensure_ascii=False),
            doc.description,
            doc.source_url,
            doc.sha256,
            parsed.parse_key,
            json.dumps(list(parsed.warnings), ensure_ascii=False),
        ),
    )
    doc_id = cur.lastrowid
    section_base, passage_base = next_ids
    section_ids = [section_base + i for i in range(len(parsed.sections))]
    by_section: dict[int, list[int]] = {}
    passage_rows = []
    seen_texts: dict[str, int] = {}
    keys: dict[int, str] = {}
    for offset, passage in enumerate(parsed.passages):
        pid = passage_base + offset
        by_section.setdefault(passage.section, []).append(pid)
        occurrence = seen_texts[passage.text] = seen_texts.get(passage.text, -1) + 1
        keys[pid] = passage_key(doc.path, passage.text, occurrence)
        passage_rows.append(
            (
                pid,
                section_ids[passage.section],
                doc_id,
                passage.kind.value,
                passage.text,
                passage.line,
            )
        )
    # A heading hit answers with the section's first passage; a heading whose section only
    # holds subsections answers with the first passage under it.
    first_passage: dict[int, int] = {}
    for offset, passage in enumerate(parsed.passages):
        index: int | None = passage.section
        while index is not None and index not in first_passage:
            first_passage[index] = passage_base + offset
            index = parsed.sections[index].parent
    prev_next: dict[int, tuple[int | None, int | None]] = {}
    for ids in by_section.values():
        for i, pid in enumerate(ids):
            prev_next[pid] = (ids[i - 1] if i else None, ids[i + 1] if i + 1 < len(ids) else None)
    conn.executemany(
        "INSERT INTO sections (id, document_id, parent_id, level, heading, anchor, heading_path,"
        " author, source_url, source_name, first_passage_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        [
            (
                section_ids[s.index],
                doc_id,
                section_ids[s.parent] if s.parent is not None else None,
                s.level,
                s.heading,
                s.anchor,
                json.dumps(list(s.heading_path), ensure_ascii=False),
                s.author,
                s.source_url,
                s.source_name,
                first_passage.get(s.index),
            )
            for s in parsed.sections
        ],
    )
    conn.executemany(
        "INSERT INTO passages (id, section_id, document_id, kind, text, line, prev_id, next_id,"
        " key) VALUES (?,?,?,?,?,?,?,?,?)",
        [(*row, *prev_next[row[0]], keys[row[0]]) for row in passage_rows],
    )
    conn.executemany(
        "INSERT INTO passage_terms (rowid, terms) VALUES (?, ?)",
        [(row[0], index_terms(row[4])) for row in passage_rows],
    )
    conn.executemany(
        "INSERT INTO heading_terms (rowid, terms) VALUES (?, ?)",
        [(section_ids[s.index], index_terms(s.heading)) for s in parsed.sections if s.heading],
    )
    next_ids[0] += len(parsed.sections)
    next_ids[1] += len(parsed.passages)
    return len(parsed.passages)


class PreviousParses:
    """The parses stored in an existing database, for `load_corpus(cache=...)`: a re-index
    takes unchanged files from here instead of parsing them again. Synchronous and
    read-only; used on the thread that runs the importer, before the new build starts."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    @classmethod
    def open(cls, path: Path) -> PreviousParses | None:
        """None when there is no database, or none this version can read."""
        if not path.is_file():
            return None
        try:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                conn.close()
                return None
        except sqlite3.Error:
            return None
        return cls(conn)

    def close(self) -> None:
        self._conn.close()

    def get(self, path: str, parse_key: str) -> ParsedDocument | None:
        try:
            return self._load(path, parse_key)
        except (sqlite3.Error, ValueError, TypeError, KeyError):
            return None  # a damaged old database only costs a fresh parse

    def _load(self, path: str, parse_key: str) -> ParsedDocument | None:
        row = self._conn.execute(
            "SELECT id, title, url, authors, date, updated, tags, categories, description,"
            " source_url, sha256, warnings FROM documents WHERE path = ? AND parse_key = ?",
            (path, parse_key),
        ).fetchone()
        if row is None:
            return None
        document = Document(
            path=path,
            title=row[1],
            url=row[2],
            authors=tuple(json.loads(row[3])),
            date=row[4],
            updated=row[5],
            tags=tuple(json.loads(row[6])),
            categories=tuple(json.loads(row[7])),
            description=row[8],
            source_url=row[9],
            sha256=row[10],
        )
        section_rows = self._conn.execute(
            "SELECT id, parent_id, level, heading, anchor, heading_path, author, source_url,"
            " source_name FROM sections WHERE document_id = ? ORDER BY id",
            (row[0],),
        ).fetchall()
        index_of = {r[0]: i for i, r in enumerate(section_rows)}
        sections = tuple(
            Section(
                index=i,
                parent=index_of[r[1]] if r[1] is not None else None,
                level=r[2],
                heading=r[3],
                anchor=r[4],
                heading_path=tuple(json.loads(r[5])),
                author=r[6],
                source_url=r[7],
                source_name=r[8],
            )
            for i, r in enumerate(section_rows)
        )
        marks = ",".join("?" * len(index_of))
        passages = tuple(
            Passage(section=index_of[r[0]], kind=PassageKind(r[1]), text=r[2], line=r[3])
            for r in self._conn.execute(
                "SELECT section_id, kind, text, line FROM passages"
                f" WHERE section_id IN ({marks}) ORDER BY id",
                list(index_of),
            )
        )
        warnings = tuple(json.loads(row[11]))
        return ParsedDocument(document, sections, passages, parse_key, warnings)


def _fsync_path(path: Path, *, directory: bool = False) -> None:
    flags = os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if directory else 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return  # some file systems cannot open directories; nothing more we can do
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class BuildingDatabase:
    """The new database as a build step sees it, on the build thread: the character index
    is written and committed, nothing is published yet. A step keeps its SQL in this module
    (a function here that takes the `BuildingDatabase`)."""

    def __init__(self, conn: sqlite3.Connection, target: Path) -> None:
        self.connection = conn
        self.target = target  # where it will be published; the database it replaces is there

    def set_meta(self, key: str, value: str) -> None:
        """Record a fact about the build (read back with the stats)."""
        self.connection.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value)
        )


def passage_texts(building: BuildingDatabase) -> list[tuple[int, str]]:
    """(id, text) of every passage of the new database, in id order."""
    return [
        (int(r[0]), str(r[1]))
        for r in building.connection.execute("SELECT id, text FROM passages ORDER BY id")
    ]


def previous_meaning_vectors(
    building: BuildingDatabase, model: str, keys: Collection[bytes]
) -> dict[bytes, bytes]:
    """The vectors the database being replaced already has for these unit keys, if it was
    made with the same encoder: re-indexing a grown corpus encodes only what is new."""
    if not keys or not building.target.is_file():
        return {}
    try:
        old = sqlite3.connect(f"{building.target.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return {}
    found: dict[bytes, bytes] = {}
    try:
        row = old.execute("SELECT value FROM meta WHERE key = 'meaning_model'").fetchone()
        if not row or row[0] != model:
            return {}
        for key, vector in old.execute("SELECT key, vector FROM meaning_units"):
            if key in keys:
                found[key] = vector
    except sqlite3.Error:
        return {}  # an old or damaged database: encode everything again
    finally:
        old.close()
    return found


def write_meaning_units(
    building: BuildingDatabase, rows: Iterable[tuple[int, bytes, bytes]], model: str
) -> int:
    """Store (passage id, unit key, vector) rows and record the encoder; returns the count."""
    conn = building.connection
    conn.execute("BEGIN")
    before = conn.total_changes
    conn.executemany("INSERT INTO meaning_units (passage_id, key, vector) VALUES (?, ?, ?)", rows)
    count = conn.total_changes - before
    building.set_meta("meaning_model", model)
    building.set_meta("meaning_units", str(count))
    conn.execute("COMMIT")
    return count


def _read_meaning_units(conn: sqlite3.Connection) -> tuple[list[int], bytes]:
    """Every unit's passage id and vector bytes, back to back, in row order."""
    ids: list[int] = []
    vectors: list[bytes] = []
    for passage_id, vector in conn.execute("SELECT passage_id, vector FROM meaning_units"):
        ids.append(passage_id)
        vectors.append(vector)
    return ids, b"".join(vectors)


# A step after the character index (see bot.indexer.BUILD_STEPS). It runs before the new
# file is checked and published; an exception discards the new file.
BuildStep = Callable[[BuildingDatabase], None]


def _build_sync(
    conn: sqlite3.Connection,
    documents: Iterable[ParsedDocument],
    meta: dict[str, str],
    target: Path,
    steps: Sequence[BuildStep],
) -> BuildSummary:
    conn.execute("PRAGMA journal_mode = OFF")  # a temporary file: on failure it is discarded
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA page_size = 8192")
    conn.executescript(_SCHEMA)
    next_ids = [1, 1]
    n_docs = n_passages = 0
    conn.execute("BEGIN")
    for parsed in documents:
        n_passages += _insert_document(conn, parsed, next_ids)
        n_docs += 1
    # Merge the FTS segments into one b-tree: fewer pages to touch per term at query time.
    conn.execute("INSERT INTO passage_terms (passage_terms) VALUES ('optimize')")
    conn.execute("INSERT INTO heading_terms (heading_terms) VALUES ('optimize')")
    conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", sorted(meta.items()))
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    conn.execute("COMMIT")
    building = BuildingDatabase(conn, target)
    for step in steps:
        step(building)
    check = conn.execute("PRAGMA quick_check").fetchone()[0]
    if check != "ok":
        raise StoreError(f"the new database failed its integrity check: {check}")
    conn.execute("PRAGMA journal_mode = DELETE")
    return BuildSummary(n_docs, next_ids[0] - 1, n_passages, 0)


def _remove_stale_builds(target: Path, older_than: float = 3600.0) -> None:
    """Temp files of builds that died (killed, out of disk) more than an hour ago."""
    now = time.time()
    for leftover in target.parent.glob(f".{target.name}.building-*"):
        with contextlib.suppress(OSError):
            if now - leftover.stat().st_mtime > older_than:
                leftover.unlink()


async def build_database(
    target: Path,
    documents: Iterable[ParsedDocument],
    *,
    fingerprint: str,
    extra_meta: dict[str, str] | None = None,
    steps: Sequence[BuildStep] = (),
) -> BuildSummary:
    """Build a database from parsed documents and atomically put it at `target`; `steps`
    run on it, in order, after the character index.

    The previous database (if any) is untouched until the final `os.replace`; if anything
    fails before that, the temporary file is removed and the old database keeps serving.
    """
    if target.is_dir():
        raise StoreError(f"{target} is a directory; give a database file name")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the folder for {target}: {exc.strerror or exc}") from None
    # Unique per build, not per pid: every container's entrypoint is PID 1, and two
    # containers may build beside one shared volume at once.
    tmp = target.with_name(f".{target.name}.building-{uuid.uuid4().hex[:12]}")
    _remove_stale_builds(target)
    started = dt.datetime.now(dt.UTC)
    meta = {
        "fingerprint": fingerprint,
        "built_at": started.isoformat(timespec="seconds"),
        # Unique per build: row ids (which /toc buttons carry) are only valid within one.
        "build_id": uuid.uuid4().hex,
        "schema_version": str(SCHEMA_VERSION),
        "text_signature": text_signature(),
        **(extra_meta or {}),
    }
    try:
        try:
            tmp.touch()  # unwritable: a clear error before any thread is started
            conn = await DatabaseThread.connect(str(tmp), isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot write a database beside {target}: {exc}") from None
        try:
            summary = await conn.run(lambda raw: _build_sync(raw, documents, meta, target, steps))
            seconds = (dt.datetime.now(dt.UTC) - started).total_seconds()
            await conn.run(
                lambda raw: raw.execute(
                    "INSERT INTO meta (key, value) VALUES ('build_seconds', ?)",
                    (f"{seconds:.3f}",),
                )
            )
        finally:
            await conn.close()
        _fsync_path(tmp)
        os.replace(tmp, target)
        _fsync_path(target.parent, directory=True)
    except (OSError, sqlite3.Error) as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise StoreError(f"could not build {target}: {exc}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise
    return BuildSummary(
        summary.documents, summary.sections, summary.passages, target.stat().st_size
    )


def read_recorded_sources(path: Path) -> tuple[str, ...] | None:
    """The corpus paths a database file says it was built from, even one this version can
    no longer search (an older schema); None if the file cannot be read at all."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
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
