"""The store: atomic rebuilds that never damage the live database, and clear errors."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.corpus import load_corpus
from bot.models import ParsedDocument
from bot.store import SCHEMA_VERSION, Store, StoreError, build_database

from .conftest import SHIPPED_CORPUS


def documents() -> list[ParsedDocument]:
    return load_corpus([SHIPPED_CORPUS]).documents


def test_built_database_is_self_contained_and_versioned(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    summary = asyncio.run(build_database(db, documents(), fingerprint="f1"))
    assert summary.documents == 1 and summary.passages > 50
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.db"]  # no -wal, -shm, temp files
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()

    async def stats() -> tuple[int, str]:
        async with await Store.open(db) as store:
            s = await store.stats()
            return s.passages, s.fingerprint

    assert asyncio.run(stats()) == (summary.passages, "f1")


def test_failed_build_leaves_the_old_database_untouched(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    asyncio.run(build_database(db, documents(), fingerprint="old"))
    before = db.read_bytes()

    def exploding() -> Iterator[ParsedDocument]:
        yield from documents()
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        asyncio.run(build_database(db, exploding(), fingerprint="new"))
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.db"]


def test_missing_corrupt_and_foreign_databases_are_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no database"):
        asyncio.run(Store.open(tmp_path / "missing.db"))

    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a usable"):
        asyncio.run(Store.open(corrupt))

    foreign = tmp_path / "foreign.db"
    sqlite3.connect(foreign).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(StoreError, match="schema version"):
        asyncio.run(Store.open(foreign))


def test_store_is_opened_read_only(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    asyncio.run(build_database(db, documents(), fingerprint="f"))

    async def try_write() -> None:
        async with await Store.open(db) as store:
            await store.run(lambda reader: reader._conn.execute("DELETE FROM passages"))

    with pytest.raises(StoreError, match="readonly"):
        asyncio.run(try_write())


def test_database_built_with_other_text_tables_is_refused_for_search(tmp_path: Path) -> None:
    """Terms depend on Unicode, OpenCC and pinyin tables: after an upgrade that changes them,
    an old database would silently miss matches, so it must be rebuilt first."""
    db = tmp_path / "x.db"
    asyncio.run(build_database(db, documents(), fingerprint="f"))
    conn = sqlite3.connect(db)
    conn.execute("UPDATE meta SET value = 'other' WHERE key = 'text_signature'")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="rebuild it"):
        asyncio.run(Store.open(db))

    async def stats_only() -> int:
        async with await Store.open(db, for_search=False) as store:
            return (await store.stats()).passages

    assert asyncio.run(stats_only()) > 50


def test_passage_keys_survive_a_rebuild_with_another_post_added(tmp_path: Path) -> None:
    """Deep links and buttons carry passage keys; adding a post shifts row ids, not keys."""
    hexo = Path(__file__).parent / "data" / "hexo-sample" / "source" / "_posts"
    first = sorted(hexo.glob("*.md"))[:1]
    before_docs = load_corpus([SHIPPED_CORPUS]).documents
    after_docs = load_corpus(first).documents + before_docs  # the new post sorts first

    async def keyed(db: Path, docs: list[ParsedDocument]) -> dict[str, tuple[int, str]]:
        await build_database(db, docs, fingerprint="k")
        async with await Store.open(db) as store:
            return {p.key: (p.passage_id, p.text) for p in await store.iter_passages()}

    before = asyncio.run(keyed(tmp_path / "a.db", before_docs))
    after = asyncio.run(keyed(tmp_path / "b.db", after_docs))
    assert len(before) == sum(len(d.passages) for d in before_docs)  # unique per passage
    for key, (_, text) in before.items():
        assert after[key][1] == text
    assert any(after[k][0] != v[0] for k, v in before.items())  # row ids did shift

    async def lookups(db: Path) -> tuple[str | None, int, int]:
        async with await Store.open(db) as store:
            some_key = next(iter(before))
            found = await store.passage_by_key(some_key)
            section = await store.section_passages(found.section_id) if found else []
            randoms = await store.random_passages(5)
            return (found.text if found else None), len(section), len({p.key for p in randoms})

    found_text, section_size, distinct = asyncio.run(lookups(tmp_path / "b.db"))
    assert found_text == next(iter(before.values()))[1]
    assert section_size >= 1 and distinct == 5


def test_a_runaway_query_is_interrupted_and_the_next_is_fast(shipped_db: Path) -> None:
    from bot.search import search
    from bot.store import QueryTimeout

    endless = (
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
    )

    async def scenario() -> tuple[float, float, int]:
        async with await Store.open(shipped_db) as store:
            started = time.monotonic()
            with pytest.raises(QueryTimeout):
                await store.run(lambda r: r._conn.execute(endless).fetchone(), timeout=0.3)
            stopped = time.monotonic() - started

            def python_loop(reader: object) -> None:  # a runaway between statements
                while True:
                    reader.check_deadline()  # type: ignore[attr-defined]

            with pytest.raises(QueryTimeout):
                await store.run(python_loop, timeout=0.3)
            started = time.monotonic()
            result = await search(store, "托派很擅长篡改历史", timeout=2.0)
            return stopped, time.monotonic() - started, result.total

    stopped, next_search, found = asyncio.run(scenario())
    assert stopped < 1.5
    assert next_search < 1.0 and found >= 1


def test_sql_takes_values_only_as_parameters() -> None:
    """Every f-string handed to execute() interpolates only table or column names and
    placeholder lists chosen in the code, never a value that came from a user."""
    import ast

    bot = Path(__file__).parent.parent / "bot"
    files = [*sorted((bot / "store").glob("*.py")), bot / "state_store.py"]
    source = "\n".join(path.read_text(encoding="utf-8") for path in files)
    allowed = {"vocab", "table", "_PASSAGE_SELECT", "select", "column", "marks", "SCHEMA_VERSION"}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") in (
            "execute",
            "executemany",
        ):
            sql = node.args[0] if node.args else None
            if isinstance(sql, ast.JoinedStr):
                names = {
                    ast.unparse(v.value) for v in sql.values if isinstance(v, ast.FormattedValue)
                }
                assert names <= allowed, (ast.unparse(sql), names - allowed)


def test_two_builds_of_one_target_at_once_both_succeed(tmp_path: Path) -> None:
    """Containers all run as PID 1: temp files must not be named after the pid."""
    import threading

    db = tmp_path / "shared.db"
    docs = documents()
    errors: list[BaseException] = []

    def build() -> None:
        try:
            asyncio.run(build_database(db, docs, fingerprint="same"))
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=build) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sqlite3.connect(db).execute("PRAGMA quick_check").fetchone()[0] == "ok"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shared.db"]


def test_a_database_that_fails_when_opened_leaves_no_thread_behind(tmp_path: Path) -> None:
    # A reloading bot tries every database that changes: one that opens but cannot be read
    # must not keep its connections and their threads each time.
    import threading

    db = tmp_path / "broken.db"
    asyncio.run(build_database(db, documents(), fingerprint="f"))
    with sqlite3.connect(db) as conn:
        conn.execute("ALTER TABLE documents RENAME TO gone")

    def database_threads() -> int:
        return sum(t.name == "sqlite" and t.is_alive() for t in threading.enumerate())

    before = database_threads()
    for _ in range(3):
        with pytest.raises(StoreError, match=r"no such table: documents"):
            asyncio.run(Store.open(db, connections=2))
    # A closed connection's thread ends on its own, a moment later; a leaked one never.
    deadline = time.monotonic() + 5
    while database_threads() > before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert database_threads() <= before
