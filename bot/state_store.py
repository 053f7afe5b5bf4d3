"""The bot's own writable database: daily subscriptions and reader feedback.

A separate file beside the corpus database: the corpus database is rebuilt and replaced
whole, and must stay read-only for the bot; this one is written a few times a day.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

from bot.store import StoreError, _connect

_STATE_SCHEMA = """
CREATE TABLE IF NOT EXISTS daily (
    chat_id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,            -- HH:MM in `tz`
    tz TEXT NOT NULL,
    next_due REAL NOT NULL,      -- Unix time of the next post
    title TEXT,
    listed INTEGER NOT NULL DEFAULT 0  -- 1: from EXCERPT_BOT_DAILY_CHATS, which rules it
);
CREATE TABLE IF NOT EXISTS daily_sent (
    chat_id INTEGER NOT NULL,
    passage_key TEXT NOT NULL,
    sent_at REAL NOT NULL,
    PRIMARY KEY (chat_id, passage_key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS empty_queries (
    query TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    last_seen REAL NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS chosen (
    passage_key TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    last_seen REAL NOT NULL
) WITHOUT ROWID;
"""
_FEEDBACK_ROWS = 20_000  # keep the feedback tables small: the least recent rows go first


@dataclass(frozen=True, slots=True)
class Subscription:
    chat_id: int
    at: str
    tz: str
    next_due: float
    title: str | None


class StateStore:
    """Daily subscriptions and feedback counts, in their own SQLite file (WAL, so the bot
    and an operator's tools can use it at once; several processes may share it, and
    `claim` makes sure only one of them sends a given day's post)."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path

    @classmethod
    async def open(cls, path: Path) -> StateStore:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = await _connect(str(path), timeout=2)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the state database {path}: {exc}") from None
        try:
            await conn.execute("PRAGMA journal_mode=WAL")
            await conn.executescript(_STATE_SCHEMA)
            columns = {
                row[1] for row in await (await conn.execute("PRAGMA table_info(daily)")).fetchall()
            }
            if "listed" not in columns:  # a state file from before the column existed
                await conn.execute("ALTER TABLE daily ADD COLUMN listed INTEGER NOT NULL DEFAULT 0")
            await conn.commit()
        except sqlite3.Error as exc:
            await conn.close()
            raise StoreError(f"{path} is not a usable state database: {exc}") from None
        return cls(conn, path)

    async def close(self) -> None:
        await self._conn.close()

    async def _write(self, sql: str, parameters: Sequence[object]) -> int:
        cursor = await self._conn.execute(sql, parameters)
        await self._conn.commit()
        return cursor.rowcount

    async def subscribe(
        self, chat_id: int, at: str, tz: str, next_due: float, title: str | None
    ) -> None:
        await self._write(
            "INSERT INTO daily (chat_id, at, tz, next_due, title) VALUES (?,?,?,?,?)"
            " ON CONFLICT(chat_id) DO UPDATE SET at=excluded.at, tz=excluded.tz,"
            " next_due=excluded.next_due, title=excluded.title",
            (chat_id, at, tz, next_due, title),
        )

    async def sync_listed(self, listed: dict[int, tuple[str, str, float]]) -> None:
        """Make the chats the settings list (chat -> at, tz, next due) exactly the listed
        subscriptions: new ones added, changed ones updated, dropped ones removed."""
        cursor = await self._conn.execute("SELECT chat_id, at, tz FROM daily WHERE listed = 1")
        current = {row[0]: (row[1], row[2]) for row in await cursor.fetchall()}
        for chat_id in set(current) - set(listed):
            await self._conn.execute("DELETE FROM daily WHERE chat_id = ?", (chat_id,))
        for chat_id, (at, tz, due) in listed.items():
            if current.get(chat_id) != (at, tz):
                await self._conn.execute(
                    "INSERT INTO daily (chat_id, at, tz, next_due, listed) VALUES (?,?,?,?,1)"
                    " ON CONFLICT(chat_id) DO UPDATE SET at=excluded.at, tz=excluded.tz,"
                    " next_due=excluded.next_due, listed=1",
                    (chat_id, at, tz, due),
                )
        await self._conn.commit()

    async def move(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: its subscription follows it to the new id."""
        for table in ("daily", "daily_sent"):
            await self._conn.execute(
                f"UPDATE OR IGNORE {table} SET chat_id = ? WHERE chat_id = ?",
                (new_chat_id, old_chat_id),
            )
        await self._conn.commit()

    async def last_sent(self, chat_id: int) -> str | None:
        cursor = await self._conn.execute(
            "SELECT passage_key FROM daily_sent WHERE chat_id = ? ORDER BY sent_at DESC LIMIT 1",
            (chat_id,),
        )
        row = await cursor.fetchone()
        return str(row[0]) if row else None

    async def unsubscribe(self, chat_id: int) -> bool:
        removed = await self._write("DELETE FROM daily WHERE chat_id = ?", (chat_id,))
        await self._write("DELETE FROM daily_sent WHERE chat_id = ?", (chat_id,))
        return removed > 0

    async def subscription(self, chat_id: int) -> Subscription | None:
        cursor = await self._conn.execute(
            "SELECT chat_id, at, tz, next_due, title FROM daily WHERE chat_id = ?", (chat_id,)
        )
        row = await cursor.fetchone()
        return Subscription(*row) if row else None

    async def due(self, now: float) -> list[Subscription]:
        cursor = await self._conn.execute(
            "SELECT chat_id, at, tz, next_due, title FROM daily WHERE next_due <= ?"
            " ORDER BY next_due",
            (now,),
        )
        return [Subscription(*row) for row in await cursor.fetchall()]

    async def claim(self, chat_id: int, expected_due: float, next_due: float) -> bool:
        """Move a subscription to its next time, if no one else has: True for exactly one of
        any number of processes that try with the same `expected_due`."""
        changed = await self._write(
            "UPDATE daily SET next_due = ? WHERE chat_id = ? AND next_due = ?",
            (next_due, chat_id, expected_due),
        )
        return changed == 1

    async def sent_keys(self, chat_id: int) -> set[str]:
        cursor = await self._conn.execute(
            "SELECT passage_key FROM daily_sent WHERE chat_id = ?", (chat_id,)
        )
        return {row[0] for row in await cursor.fetchall()}

    async def record_sent(self, chat_id: int, key: str, *, start_over: bool) -> None:
        """Remember a posted passage; `start_over` forgets the earlier ones first (every
        passage has been posted once)."""
        if start_over:
            await self._conn.execute("DELETE FROM daily_sent WHERE chat_id = ?", (chat_id,))
        await self._write(
            "INSERT OR REPLACE INTO daily_sent (chat_id, passage_key, sent_at) VALUES (?,?,?)",
            (chat_id, key, time.time()),
        )

    async def count_empty(self, query: str) -> None:
        await self._count("empty_queries", "query", query)

    async def count_chosen(self, key: str) -> None:
        await self._count("chosen", "passage_key", key)

    async def _count(self, table: str, column: str, value: str) -> None:
        # `table` and `column` are the two fixed pairs above, never input.
        await self._conn.execute(
            f"INSERT INTO {table} ({column}, count, last_seen) VALUES (?, 1, ?)"
            f" ON CONFLICT({column}) DO UPDATE SET count = count + 1,"
            " last_seen = excluded.last_seen",
            (value, time.time()),
        )
        await self._conn.execute(
            f"DELETE FROM {table} WHERE {column} IN (SELECT {column} FROM {table}"
            " ORDER BY last_seen DESC LIMIT -1 OFFSET ?)",
            (_FEEDBACK_ROWS,),
        )
        await self._conn.commit()

    async def top_empty(self, limit: int) -> list[tuple[str, int]]:
        return await self._top("empty_queries", "query", limit)

    async def top_chosen(self, limit: int) -> list[tuple[str, int]]:
        return await self._top("chosen", "passage_key", limit)

    async def _top(self, table: str, column: str, limit: int) -> list[tuple[str, int]]:
        cursor = await self._conn.execute(
            f"SELECT {column}, count FROM {table} ORDER BY count DESC, last_seen DESC LIMIT ?",
            (limit,),
        )
        return [(str(row[0]), int(row[1])) for row in await cursor.fetchall()]
