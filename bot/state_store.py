"""The bot's own writable database: daily subscriptions and reader feedback.

A separate file beside the corpus database: the corpus database is rebuilt and replaced
whole, and must stay read-only for the bot; this one is written a few times a day.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.dbthread import DatabaseThread
from bot.store import StoreError

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
    `claim` makes sure only one of them sends a given day's post). Each method is one hop
    to the connection's thread (`bot.dbthread`)."""

    def __init__(self, conn: DatabaseThread, path: Path) -> None:
        self._conn = conn
        self.path = path

    @classmethod
    async def open(cls, path: Path, *, busy_timeout: float = 2.0) -> StateStore:
        """Open (and create or upgrade) the file. `busy_timeout`: how long a write waits for
        another process's lock before it fails (feedback is best effort; never wait long)."""
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # Created owner-only (0600; SQLite gives its -wal and -shm the same mode): it
            # holds chat ids and what readers searched for.
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
            conn = await DatabaseThread.connect(str(path), timeout=busy_timeout)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the state database {path}: {exc}") from None
        try:
            await conn.run(_prepare)
        except sqlite3.Error as exc:
            await conn.close()
            raise StoreError(f"{path} is not a usable state database: {exc}") from None
        return cls(conn, path)

    async def close(self) -> None:
        await self._conn.close()

    async def _write(self, sql: str, parameters: Sequence[object]) -> int:
        def write(conn: sqlite3.Connection) -> int:
            cursor = conn.execute(sql, parameters)
            conn.commit()
            return cursor.rowcount

        return await self._conn.run(write)

    async def _rows(self, sql: str, parameters: Sequence[object]) -> list[tuple[Any, ...]]:
        return await self._conn.run(lambda conn: conn.execute(sql, parameters).fetchall())

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

        def sync(conn: sqlite3.Connection) -> None:
            rows = conn.execute("SELECT chat_id, at, tz FROM daily WHERE listed = 1")
            current = {row[0]: (row[1], row[2]) for row in rows}
            for chat_id in set(current) - set(listed):
                conn.execute("DELETE FROM daily WHERE chat_id = ?", (chat_id,))
            for chat_id, (at, tz, due) in listed.items():
                if current.get(chat_id) != (at, tz):
                    conn.execute(
                        "INSERT INTO daily (chat_id, at, tz, next_due, listed) VALUES (?,?,?,?,1)"
                        " ON CONFLICT(chat_id) DO UPDATE SET at=excluded.at, tz=excluded.tz,"
                        " next_due=excluded.next_due, listed=1",
                        (chat_id, at, tz, due),
                    )
            conn.commit()

        await self._conn.run(sync)

    async def move(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: its subscription follows it to the new id."""

        def move(conn: sqlite3.Connection) -> None:
            for table in ("daily", "daily_sent"):
                conn.execute(
                    f"UPDATE OR IGNORE {table} SET chat_id = ? WHERE chat_id = ?",
                    (new_chat_id, old_chat_id),
                )
            conn.commit()

        await self._conn.run(move)

    async def last_sent(self, chat_id: int) -> str | None:
        rows = await self._rows(
            "SELECT passage_key FROM daily_sent WHERE chat_id = ? ORDER BY sent_at DESC LIMIT 1",
            (chat_id,),
        )
        return str(rows[0][0]) if rows else None

    async def unsubscribe(self, chat_id: int) -> bool:
        removed = await self._write("DELETE FROM daily WHERE chat_id = ?", (chat_id,))
        await self._write("DELETE FROM daily_sent WHERE chat_id = ?", (chat_id,))
        return removed > 0

    async def subscription(self, chat_id: int) -> Subscription | None:
        rows = await self._rows(
            "SELECT chat_id, at, tz, next_due, title FROM daily WHERE chat_id = ?", (chat_id,)
        )
        return Subscription(*rows[0]) if rows else None

    async def due(self, now: float) -> list[Subscription]:
        rows = await self._rows(
            "SELECT chat_id, at, tz, next_due, title FROM daily WHERE next_due <= ?"
            " ORDER BY next_due",
            (now,),
        )
        return [Subscription(*row) for row in rows]

    async def claim(self, chat_id: int, expected_due: float, next_due: float) -> bool:
        """Move a subscription to its next time, if no one else has: True for exactly one of
        any number of processes that try with the same `expected_due`."""
        changed = await self._write(
            "UPDATE daily SET next_due = ? WHERE chat_id = ? AND next_due = ?",
            (next_due, chat_id, expected_due),
        )
        return changed == 1

    async def sent_keys(self, chat_id: int) -> set[str]:
        rows = await self._rows("SELECT passage_key FROM daily_sent WHERE chat_id = ?", (chat_id,))
        return {row[0] for row in rows}

    async def record_sent(self, chat_id: int, key: str, *, start_over: bool) -> None:
        """Remember a posted passage; `start_over` forgets the earlier ones first (every
        passage has been posted once)."""

        def record(conn: sqlite3.Connection) -> None:
            if start_over:
                conn.execute("DELETE FROM daily_sent WHERE chat_id = ?", (chat_id,))
            conn.execute(
                "INSERT OR REPLACE INTO daily_sent (chat_id, passage_key, sent_at) VALUES (?,?,?)",
                (chat_id, key, time.time()),
            )
            conn.commit()

        await self._conn.run(record)

    async def count_empty(self, query: str) -> None:
        await self._count("empty_queries", "query", query)

    async def count_chosen(self, key: str) -> None:
        await self._count("chosen", "passage_key", key)

    async def _count(self, table: str, column: str, value: str) -> None:
        # `table` and `column` are the two fixed pairs above, never input.
        def count(conn: sqlite3.Connection) -> None:
            conn.execute(
                f"INSERT INTO {table} ({column}, count, last_seen) VALUES (?, 1, ?)"
                f" ON CONFLICT({column}) DO UPDATE SET count = count + 1,"
                " last_seen = excluded.last_seen",
                (value, time.time()),
            )
            conn.execute(
                f"DELETE FROM {table} WHERE {column} IN (SELECT {column} FROM {table}"
                " ORDER BY last_seen DESC LIMIT -1 OFFSET ?)",
                (_FEEDBACK_ROWS,),
            )
            conn.commit()

        await self._conn.run(count)

    async def top_empty(self, limit: int) -> list[tuple[str, int]]:
        return await self._top("empty_queries", "query", limit)

    async def top_chosen(self, limit: int) -> list[tuple[str, int]]:
        return await self._top("chosen", "passage_key", limit)

    async def _top(self, table: str, column: str, limit: int) -> list[tuple[str, int]]:
        rows = await self._rows(
            f"SELECT {column}, count FROM {table} ORDER BY count DESC, last_seen DESC LIMIT ?",
            (limit,),
        )
        return [(str(row[0]), int(row[1])) for row in rows]


def _prepare(conn: sqlite3.Connection) -> None:
    """WAL, the tables, and the columns later versions added."""
    conn.execute("PRAGMA journal_mode=WAL")
    conn.executescript(_STATE_SCHEMA)
    columns = {row[1] for row in conn.execute("PRAGMA table_info(daily)")}
    if "listed" not in columns:  # a state file from before the column existed
        conn.execute("ALTER TABLE daily ADD COLUMN listed INTEGER NOT NULL DEFAULT 0")
    conn.commit()
