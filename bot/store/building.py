"""Building the corpus database: a new file beside the target, the documents inserted with
their terms, the build steps (`BuildStep`), a check, then `os.replace`; and the parses an
existing database can lend a re-index (`PreviousParses`)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import fcntl
import json
import os
import sqlite3
import time
import uuid
from collections.abc import AsyncIterator, Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot import meaning as meaning_index
from bot.dbthread import DatabaseThread
from bot.models import (
    Document,
    ParsedDocument,
    Passage,
    PassageKind,
    Section,
)
from bot.store.schema import (
    _SCHEMA,
    SCHEMA_VERSION,
    BuildSummary,
    StoreError,
    connect_read_only,
    passage_key,
)
from bot.text import index_terms, index_terms_many
from bot.text import signature as text_signature

# Characters under which a section's opening passage is a line (a caption, a credit) that a
# heading hit passes over for the text after it.
_SAYS_LITTLE = 20


@dataclass(frozen=True, slots=True)
class PreparedDocument:
    """A parsed document with what its rows need that depends on nothing in the database:
    its passages' keys and index terms, its sections' heading terms ('' for none). Made
    where the parsing is (see `prepare_documents`): on a large corpus that is a process
    of its own, and the database thread, the slower of the two, only writes."""

    parsed: ParsedDocument
    passage_keys: list[str]
    passage_terms: list[str]
    heading_terms: list[str]


def prepare_documents(documents: Sequence[ParsedDocument]) -> list[PreparedDocument]:
    """`PreparedDocument`s, the terms of all the documents' passages cut in one pass."""
    texts = [passage.text for parsed in documents for passage in parsed.passages]
    terms = iter(index_terms_many(texts) if texts else [])
    prepared = []
    for parsed in documents:
        doc = parsed.document
        seen_texts: dict[str, int] = {}
        keys = []
        for passage in parsed.passages:
            # Identical paragraphs of one document are told apart by their order.
            occurrence = seen_texts[passage.text] = seen_texts.get(passage.text, -1) + 1
            keys.append(passage_key(doc.path, passage.text, occurrence))
        # A document's title is the heading of its top section (the text before any
        # heading): a reader names a blog post by its title, which is in its front matter,
        # not a heading.
        headings = [
            index_terms(heading)
            if (heading := s.heading or (doc.title if s.parent is None else ""))
            else ""
            for s in parsed.sections
        ]
        passage_terms = [next(terms) for _ in parsed.passages]
        prepared.append(PreparedDocument(parsed, keys, passage_terms, headings))
    return prepared


# Passages at the top of a page that look for what other pages open with (a byline, an ad):
# a site's boilerplate comes first or second, after a byline.
_OPENING_PASSAGES = 3
_BOILERPLATE_PAGES = 3


class Openings:
    """What the pages of a build opened with: a text _BOILERPLATE_PAGES pages open with is
    the site's boilerplate (dbarobin.com's ad, under a byline at the top of its 345 posts),
    no page's own opening. (Two pages opening alike are more often one page copied, or an
    epigraph used twice.) Pages are written as they come, so the first pages with it learn
    so only at the end (`fix_first_pages`)."""

    def __init__(self) -> None:
        self.boilerplate: set[str] = set()  # as far as known: no page opens with it
        self._pages: dict[str, list[int]] = {}  # text -> the first pages opening with it

    def add(self, document_id: int, texts: Sequence[str]) -> None:
        for text in dict.fromkeys(texts):
            pages = self._pages.setdefault(text, [])
            if len(pages) < _BOILERPLATE_PAGES:
                pages.append(document_id)
                if len(pages) == _BOILERPLATE_PAGES:
                    self.boilerplate.add(text)

    def fix_first_pages(self, conn: sqlite3.Connection) -> None:
        """Choose again the sections' opening passages of the pages that were written before
        a text they open with turned out boilerplate."""
        pages = {page for text in self.boilerplate for page in self._pages[text]}
        for document_id in sorted(pages):
            parents = dict(
                conn.execute(
                    "SELECT id, parent_id FROM sections WHERE document_id = ?", (document_id,)
                )
            )
            rows = conn.execute(
                "SELECT id, section_id, text FROM passages WHERE document_id = ? ORDER BY id",
                (document_id,),
            ).fetchall()
            first = _first_passages(rows, parents.get, self.boilerplate)
            conn.executemany(
                "UPDATE sections SET first_passage_id = ? WHERE id = ?",
                [(pid, section) for section, pid in first.items()],
            )


def _first_passages(
    passages: Sequence[tuple[int, int, str]],
    parent_of: Callable[[int], int | None],
    boilerplate: Collection[str],
) -> dict[int, int]:
    """Section -> the passage a heading hit on it answers with, from (passage id, section,
    text) in page order. A section's first passage; a heading whose section only holds
    subsections answers with the first passage under it. Not a line of a few words when
    text follows it: an article titled 茉莉清茶 answered with its cover's credit ("摄影师 |
    Naturell"), not its opening. Nor the site's boilerplate: '慢慢来，不着急' typed for its
    title answered with the ad every post of dbarobin.com opens with."""
    first_passage: dict[int, int] = {}
    opens_with_a_line: set[int] = set()  # sections whose first passage is such a line
    for pid, section, text in passages:
        short = len(text) < _SAYS_LITTLE or text in boilerplate
        index: int | None = section
        while index is not None:
            if index not in first_passage:
                first_passage[index] = pid
                if short:
                    opens_with_a_line.add(index)
            elif index in opens_with_a_line and not short:
                first_passage[index] = pid
                opens_with_a_line.discard(index)
            index = parent_of(index)
    return first_passage


def _insert_document(
    conn: sqlite3.Connection,
    prepared: PreparedDocument,
    next_ids: list[int],
    openings: Openings | None = None,
) -> int:
    """Insert one document with its sections and passages; returns the passage count.
    `openings`: what the documents so far opened with (this one's are added)."""
    parsed = prepared.parsed
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
    for offset, passage in enumerate(parsed.passages):
        pid = passage_base + offset
        by_section.setdefault(passage.section, []).append(pid)
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
    first_passage = _first_passages(
        [(passage_base + i, p.section, p.text) for i, p in enumerate(parsed.passages)],
        lambda index: parsed.sections[index].parent,
        openings.boilerplate if openings is not None else (),
    )
    if openings is not None and doc_id is not None:
        openings.add(doc_id, [p.text for p in parsed.passages[:_OPENING_PASSAGES]])
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
        [
            (*row, *prev_next[row[0]], key)
            for row, key in zip(passage_rows, prepared.passage_keys, strict=True)
        ],
    )
    conn.executemany(
        "INSERT INTO passage_terms (rowid, terms) VALUES (?, ?)",
        zip([row[0] for row in passage_rows], prepared.passage_terms, strict=True),
    )
    conn.executemany(
        "INSERT INTO heading_terms (rowid, terms) VALUES (?, ?)",
        [
            (section_ids[s.index], terms)
            for s, terms in zip(parsed.sections, prepared.heading_terms, strict=True)
            if terms
        ],
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
            conn = connect_read_only(path)
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


def published_document_paths(path: Path) -> set[str] | None:
    """The document paths of the database at `path`, or None when there is none to read."""
    if not path.is_file():
        return None
    try:
        conn = connect_read_only(path)
        try:
            return {str(row[0]) for row in conn.execute("SELECT path FROM documents")}
        finally:
            conn.close()
    except sqlite3.Error:
        return None  # an old or damaged database: nothing to compare with


def _make_folder(target: Path) -> None:
    try:
        # A folder we create holds the databases only: nobody else's to read (0700).
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the folder for {target}: {exc.strerror or exc}") from None


@contextlib.asynccontextmanager
async def build_lock(
    target: Path, waiting: Callable[[], None] | None = None
) -> AsyncIterator[None]:
    """Hold the build of `target`: a second `excerpt-bot index` of the same database waits
    here (after `waiting()` says so) instead of building beside the first. The lock is
    `flock` on the database's folder, so nothing is created for it and whoever can build
    there can take it; the kernel drops it when a build is killed. Held, it also means any
    temporary file left beside `target` belongs to a build that died: they are removed."""
    _make_folder(target)
    try:
        fd = os.open(target.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as exc:
        raise StoreError(f"cannot write a database beside {target}: {exc}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting is not None:
                waiting()
            await asyncio.to_thread(fcntl.flock, fd, fcntl.LOCK_EX)
        _remove_stale_builds(target, older_than=0.0)
        yield
    finally:
        os.close(fd)  # releases the lock


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
        old = connect_read_only(building.target)
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


_CODE_BLOCK = 65_536  # units per meaning_codes row (4 MB)


def write_meaning_units(
    building: BuildingDatabase, rows: Iterable[tuple[int, bytes, bytes]], model: str
) -> int:
    """Store (passage id, unit key, vector) rows, their sign bits, and the encoder; returns
    the count."""
    conn = building.connection
    conn.execute("BEGIN")
    count = 0
    block: list[bytes] = []

    def write_codes() -> None:
        codes = meaning_index.sign_codes(b"".join(block))
        conn.execute(
            "INSERT INTO meaning_codes (first_id, codes) VALUES (?, ?)", (count + 1, codes)
        )
        block.clear()

    for passage_id, key, vector in rows:
        block.append(vector)
        conn.execute(
            "INSERT INTO meaning_units (id, passage_id, key, vector) VALUES (?, ?, ?, ?)",
            (count + len(block), passage_id, key, vector),
        )
        if len(block) == _CODE_BLOCK:
            write_codes()
            count += _CODE_BLOCK
    if block:
        written = len(block)
        write_codes()
        count += written
    building.set_meta("meaning_model", model)
    building.set_meta("meaning_units", str(count))
    conn.execute("COMMIT")
    return count


# What a build records in `meta` besides its own keys, or a function giving it once every
# document has been written (the indexer's counts of files and problems).
ExtraMeta = dict[str, str] | Callable[[], dict[str, str]] | None

# A step after the character index (see bot.indexer.BUILD_STEPS). It runs before the new
# file is checked and published; an exception discards the new file.
BuildStep = Callable[[BuildingDatabase], None]


def _build_sync(
    conn: sqlite3.Connection,
    documents: Iterable[ParsedDocument | PreparedDocument],
    meta: dict[str, str],
    extra_meta: ExtraMeta,
    target: Path,
    steps: Sequence[BuildStep],
) -> BuildSummary:
    conn.execute("PRAGMA journal_mode = OFF")  # a temporary file: on failure it is discarded
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA page_size = 8192")
    conn.executescript(_SCHEMA)
    next_ids = [1, 1]
    openings = Openings()
    n_docs = n_passages = 0
    # A bulk load: no segments are merged until the one 'optimize' at the end (measured at
    # 25x: 39.5 -> 30.6 s of CPU for the whole index; a larger 'hashsize' saved nothing more
    # and cost up to 110 MB).
    for table in ("passage_terms", "heading_terms"):
        _fts_option(conn, table, "automerge", 0)
    conn.execute("BEGIN")
    for document in documents:
        prepared = (
            document if isinstance(document, PreparedDocument) else prepare_documents([document])[0]
        )
        n_passages += _insert_document(conn, prepared, next_ids, openings)
        n_docs += 1
    openings.fix_first_pages(conn)
    for table in ("passage_terms", "heading_terms"):
        # Merge the segments into one b-tree: fewer pages to touch per term at query time.
        conn.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")
        _fts_option(conn, table, "automerge", 4)  # FTS5's default again, for later writes
    _count_terms(conn)
    # Asked for only now: what the caller records may depend on every document being read.
    extra = extra_meta() if callable(extra_meta) else (extra_meta or {})
    conn.executemany(
        "INSERT INTO meta (key, value) VALUES (?, ?)", sorted({**meta, **extra}.items())
    )
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


def _fts_option(conn: sqlite3.Connection, table: str, option: str, value: int) -> None:
    """Set an FTS5 option of `table`; an SQLite without it builds the same index, slower."""
    with contextlib.suppress(sqlite3.OperationalError):
        conn.execute(f"INSERT INTO {table} ({table}, rank) VALUES (?, ?)", (option, value))


def _count_terms(conn: sqlite3.Connection) -> None:
    """Fill `term_counts` from the finished full-text indexes (one scan of each)."""
    conn.execute("INSERT INTO term_counts (term, passages) SELECT term, doc FROM passage_vocab")
    conn.execute(
        "INSERT INTO term_counts (term, passages, headings) SELECT term, 0, doc FROM heading_vocab"
        " WHERE true ON CONFLICT (term) DO UPDATE SET headings = excluded.headings"
    )


def _remove_stale_builds(target: Path, older_than: float = 3600.0) -> None:
    """Temp files of builds that died (killed, out of disk) more than `older_than` seconds
    ago; under `build_lock`, all of them."""
    now = time.time()
    for leftover in target.parent.glob(f".{target.name}.building-*"):
        with contextlib.suppress(OSError):
            if now - leftover.stat().st_mtime > older_than:
                leftover.unlink()


def _keep_owner(new: Path, target: Path) -> None:
    """A rebuild run as root (`sudo excerpt-bot index`) of a database a service user reads
    gives the new file that user, as the old one had: 0600 must not lock the service out."""
    with contextlib.suppress(OSError):
        old = target.stat()
        if os.geteuid() == 0 and old.st_uid != 0:
            os.chown(new, old.st_uid, old.st_gid)


async def build_database(
    target: Path,
    documents: Iterable[ParsedDocument | PreparedDocument],
    *,
    fingerprint: str,
    extra_meta: ExtraMeta = None,
    steps: Sequence[BuildStep] = (),
) -> BuildSummary:
    """Build a database from parsed documents (or prepared ones: see `PreparedDocument`)
    and atomically put it at `target`; `steps` run on it, in order, after the character
    index.

    The previous database (if any) is untouched until the final `os.replace`; if anything
    fails before that, the temporary file is removed and the old database keeps serving.
    """
    if target.is_dir():
        raise StoreError(f"{target} is a directory; give a database file name")
    _make_folder(target)
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
    }
    try:
        try:
            # Unwritable: a clear error before any thread is started. Owner-only (0600):
            # the database is the corpus, and SQLite gives its journals the same mode.
            tmp.touch(mode=0o600)
            _keep_owner(tmp, target)
            conn = await DatabaseThread.connect(str(tmp), isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot write a database beside {target}: {exc}") from None
        try:
            summary = await conn.run(
                lambda raw: _build_sync(raw, documents, meta, extra_meta, target, steps)
            )
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
