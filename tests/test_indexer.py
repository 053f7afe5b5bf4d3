"""The indexer: one call from corpus folders to a published database, with a report."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bot.indexer import IndexingError, index
from bot.store import BuildingDatabase, Store

from .conftest import SHIPPED_CORPUS


def test_index_reports_then_finds_the_database_up_to_date(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    built = asyncio.run(index(db, [SHIPPED_CORPUS]))
    assert built.rebuilt and built.documents == 1 and built.passages > 50
    assert built.characters > 10_000 and built.db_bytes == db.stat().st_size
    again = asyncio.run(index(db, [SHIPPED_CORPUS]))
    assert not again.rebuilt
    assert (again.documents, again.passages) == (built.documents, built.passages)
    assert asyncio.run(index(db, [SHIPPED_CORPUS], force=True)).rebuilt


def test_strict_and_missing_paths_leave_the_database_alone(tmp_path: Path) -> None:
    corpus = tmp_path / "posts"
    shutil.copytree(SHIPPED_CORPUS, corpus)
    (corpus / "bad.md").write_bytes(b"\xff\xfe not utf-8")
    db = tmp_path / "a.db"
    asyncio.run(index(db, [SHIPPED_CORPUS]))
    before = db.read_bytes()
    with pytest.raises(IndexingError, match="--strict") as failed:
        asyncio.run(index(db, [corpus], strict=True))
    assert [p.path for p in failed.value.problems] == [str(corpus / "bad.md")]
    with pytest.raises(IndexingError, match="no such file"):
        asyncio.run(index(db, [tmp_path / "nope"]))
    assert db.read_bytes() == before


def test_a_refused_build_stops_before_the_steps_after_the_character_index(
    tmp_path: Path,
) -> None:
    # Files are written while the next ones are parsed, so --strict can only refuse once
    # all are read; it must still refuse before a later step (the meaning index costs
    # minutes) runs, and leave nothing behind.
    corpus = tmp_path / "posts"
    shutil.copytree(SHIPPED_CORPUS, corpus)
    (corpus / "bad.md").write_bytes(b"\xff\xfe not utf-8")
    db = tmp_path / "a.db"
    ran: list[str] = []
    with pytest.raises(IndexingError, match="--strict"):
        asyncio.run(index(db, [corpus], strict=True, steps=[lambda _: ran.append("step")]))
    assert ran == [] and not db.exists()
    assert not list(tmp_path.glob(".a.db.building-*"))


def test_a_step_after_the_character_index_runs_before_publishing(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    seen: list[int] = []

    def count_passages(building: BuildingDatabase) -> None:
        (count,) = building.connection.execute("SELECT count(*) FROM passages").fetchone()
        seen.append(count)
        assert building.target == db and not db.exists()  # not published yet
        building.set_meta("files_seen", "42")

    report = asyncio.run(index(db, [SHIPPED_CORPUS], steps=[count_passages]))
    assert seen == [report.passages]

    async def files_seen() -> int:
        async with await Store.open(db) as store:
            return (await store.stats()).files_seen

    assert asyncio.run(files_seen()) == 42
    before = db.read_bytes()

    def failing(building: BuildingDatabase) -> None:
        raise RuntimeError("step failed")

    with pytest.raises(RuntimeError, match="step failed"):
        asyncio.run(index(db, [SHIPPED_CORPUS], force=True, steps=[failing]))
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.db"]  # no temp file left


def test_a_large_corpus_is_parsed_in_a_process_of_its_own_with_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A corpus over the threshold is parsed in a spawned process while the database thread
    # writes; the database, the problems and a --strict refusal are those of the small path.
    import bot.indexer

    corpus = tmp_path / "posts"
    shutil.copytree(SHIPPED_CORPUS, corpus)
    (corpus / "bad.md").write_bytes(b"\xff\xfe not utf-8")
    here = asyncio.run(index(tmp_path / "here.db", [corpus]))
    monkeypatch.setattr(bot.indexer, "_PARSE_APART_BYTES", 0)
    apart = asyncio.run(index(tmp_path / "apart.db", [corpus]))
    assert (apart.documents, apart.sections, apart.passages, apart.characters) == (
        here.documents,
        here.sections,
        here.passages,
        here.characters,
    )
    assert apart.problems == here.problems and len(apart.problems) == 1

    async def texts(db: Path) -> list[str]:
        async with await Store.open(db) as store:
            return [p.text for p in await store.iter_passages()]

    assert asyncio.run(texts(tmp_path / "apart.db")) == asyncio.run(texts(tmp_path / "here.db"))

    def rows(db: Path) -> tuple[list[Any], ...]:
        # The parsing process also cuts the index terms and keys: the same as made here.
        with sqlite3.connect(db) as conn:
            return tuple(
                conn.execute(sql).fetchall()
                for sql in (
                    "SELECT id, key FROM passages ORDER BY id",
                    "SELECT term, passages, headings FROM term_counts ORDER BY term",
                )
            )

    assert rows(tmp_path / "apart.db") == rows(tmp_path / "here.db")
    with pytest.raises(IndexingError, match="--strict") as failed:
        asyncio.run(index(tmp_path / "strict.db", [corpus], strict=True))
    assert [p.path for p in failed.value.problems] == [str(corpus / "bad.md")]
    assert not (tmp_path / "strict.db").exists()


def test_documents_handed_over_as_parsed_are_not_kept_by_the_import_too() -> None:
    # The indexer writes each document as it comes; a result that also kept every one held a
    # 24 M-character corpus twice (the tree of an index peaked at 590 MB, now 276).
    from bot.indexer import load

    handed: list[str] = []
    result = load([SHIPPED_CORPUS], on_document=lambda parsed: handed.append(parsed.document.path))
    assert handed and result.documents == []
    assert [d.document.path for d in load([SHIPPED_CORPUS]).documents] == handed
