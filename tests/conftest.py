"""Fixtures, defined once: real Markdown files, real SQLite databases under tmp_path, the fake
Telegram Bot API server on 127.0.0.1 and the real bot polling it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.handlers import BotApplication
from bot.indexer import index

from .support.cli import Cli, in_process
from .support.fake_bot_api import FakeTelegram
from .support.harness import polling_bot

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
        "match",
    }
)


def build_db(paths: list[Path], db: Path, *, meaning: bool = False) -> Path:
    """Index `paths` into `db` the way `excerpt-bot index --force` does; without the meaning
    index unless asked (encoding costs seconds, and most tests are about text matches)."""
    asyncio.run(index(db, paths, force=True, meaning=meaning))
    return db


def post(title: str, *blocks: str) -> str:
    """A Markdown post for a test site: front matter with its title, then its blocks
    (paragraphs, headings), a blank line between them."""
    return f"---\ntitle: {title}\n---\n\n" + "\n\n".join(blocks) + "\n"


def build_site_db(root: Path, files: dict[str, str], *, meaning: bool = False) -> Path:
    """A database of a small site written for one test: {relative path: Markdown}; with the
    meaning index if asked."""
    source = root / "site"
    for name, text in files.items():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_text(text, encoding="utf-8")
    return build_db([source], root / "site.db", meaning=meaning)


@pytest.fixture(scope="session")
def shipped_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database of the shipped corpus, built once per test session (read-only use)."""
    return build_db([SHIPPED_CORPUS], tmp_path_factory.mktemp("shipped") / "shipped.db")


@pytest.fixture(scope="session")
def shipped_meaning_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped corpus with its meaning index, built once per test session."""
    return build_db(
        [SHIPPED_CORPUS], tmp_path_factory.mktemp("meaning") / "shipped.db", meaning=True
    )


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    """The fake Bot API; the test fails if the bot broke any of Telegram's rules."""
    async with FakeTelegram() as server:
        yield server
        assert server.violations == [], server.violations


@pytest.fixture
async def bot(
    fake: FakeTelegram, shipped_db: Path, caplog: pytest.LogCaptureFixture
) -> AsyncIterator[BotApplication]:
    """The bot over the shipped corpus, polling `fake`. Fails the test if anything was logged
    as an error, even when the reader got a polite reply."""
    caplog.set_level(logging.WARNING)
    async with polling_bot(fake, shipped_db) as application:
        yield application
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], errors


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Cli:
    """Run an `excerpt-bot` command in this process; returns its exit code and output."""
    return in_process(monkeypatch, capsys)
