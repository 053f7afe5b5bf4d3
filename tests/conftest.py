"""Shared fixtures: real Markdown files, real SQLite databases under tmp_path."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.indexer import index
from bot.store import Store

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SHIPPED_CORPUS = ROOT / "corpus"
# What every search result carries (the `search --json` contract).
RESULT_FIELDS = frozenset(
    {
        "rank",
        "score",
        "text",
        "heading_path",
        "document",
        "author",
        "source_url",
        "passage_id",
        "highlights",
    }
)


def build_db(paths: list[Path], db: Path) -> Path:
    """Index `paths` into `db` the way `excerpt-bot index --force` does."""
    asyncio.run(index(db, paths, force=True))
    return db


@pytest.fixture(scope="session")
def shipped_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database of the shipped corpus, built once per test session (read-only use)."""
    return build_db([SHIPPED_CORPUS], tmp_path_factory.mktemp("shipped") / "shipped.db")


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Iterator[Path]:
    """A writable copy of the shipped corpus."""
    target = tmp_path / "corpus"
    shutil.copytree(SHIPPED_CORPUS, target)
    yield target


async def open_store(db: Path) -> Store:
    return await Store.open(db)
