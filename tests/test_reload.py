"""A rebuilt database is picked up while the bot serves: no failed query, never backwards,
and a broken file is never served."""

from __future__ import annotations

import asyncio
import logging
import os
import re
from pathlib import Path

import pytest

from .conftest import build_db
from .support.fake_bot_api import FakeTelegram
from .support.harness import polling_bot

MARKER = "版本标记段落用来区分数据库"


def corpus_version(root: Path, version: int) -> Path:
    folder = root / f"v{version}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "marker.md").write_text(
        f"---\ntitle: 标记\nauthor: 测试\n---\n\n{MARKER}，这是第{version}版。\n\n"
        + "".join(f"第{version}版的第{i}段，其他内容在这里。\n\n" for i in range(50)),
        encoding="utf-8",
    )
    return folder


async def test_queries_keep_being_answered_while_the_database_is_replaced(
    fake: FakeTelegram, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    db = tmp_path / "live.db"
    await asyncio.to_thread(build_db, [corpus_version(tmp_path, 1)], db)
    seen: list[list[int]] = []  # per reader, the versions it was answered from, in order
    failures: list[str] = []

    async with polling_bot(fake, db, reload_seconds=0.05):
        done = asyncio.Event()

        users = iter(range(30_000, 90_000))  # a new reader each time: no flood control

        async def reader() -> None:
            versions: list[int] = []
            while not done.is_set() or not versions or versions[-1] != 6:
                user = next(users)
                call = await fake.answer_of(fake.message(MARKER, user=fake.user(user)))
                text = call.result["text"] if call.status == 200 else ""
                found = re.search(r"这是第(\d+)版", text)
                if found is None:
                    failures.append(text[:80])
                else:
                    versions.append(int(found.group(1)))
            seen.append(versions)

        # Several readers at once, so searches are in flight while the file is replaced.
        readers = asyncio.gather(reader(), reader(), reader())
        for version in range(2, 7):  # replaced five times, as `excerpt-bot index` does
            await asyncio.sleep(0.3)
            await asyncio.to_thread(build_db, [corpus_version(tmp_path, version)], db)
        done.set()
        await asyncio.wait_for(readers, 30)

    assert failures == []
    for versions in seen:
        assert versions == sorted(versions), "an older database answered after a newer one"
        assert versions[0] == 1 and versions[-1] == 6
    assert len({v for versions in seen for v in versions}) >= 3
    assert "now serving" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
async def test_a_broken_new_file_is_never_served(
    fake: FakeTelegram, tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: str
) -> None:
    db = tmp_path / "live.db"
    await asyncio.to_thread(build_db, [corpus_version(tmp_path, 1)], db)
    good = await asyncio.to_thread(build_db, [corpus_version(tmp_path, 2)], tmp_path / "v2.db")
    async with polling_bot(fake, db, reload_seconds=0.05) as application:
        broken = tmp_path / "broken.db"
        data = good.read_bytes()
        broken.write_bytes(
            {"garbage": os.urandom(len(data)), "truncated": data[: len(data) // 2], "empty": b""}[
                damage
            ]
        )
        os.replace(broken, db)
        await asyncio.sleep(0.4)
        reply = await fake.answer_of(fake.message(MARKER))
        assert "这是第1版" in reply.result["text"]  # the old one keeps serving
        assert "not switching to the new database" in caplog.text
        caplog.clear()
        await asyncio.sleep(0.3)
        assert "not switching" not in caplog.text  # said once, not every tick
        os.replace(good, db)  # a good build afterwards is picked up
        for _ in range(50):
            await asyncio.sleep(0.05)
            stats = application.bot_data.stats
            if stats is not None and stats.path == str(db) and application.bot_data.store:
                reply = await fake.answer_of(fake.message(MARKER, user=fake.user(4242_1)))
                if "这是第2版" in reply.result["text"]:
                    break
        assert "这是第2版" in reply.result["text"]


async def test_reload_command_for_admins_only(fake: FakeTelegram, tmp_path: Path) -> None:
    db = tmp_path / "live.db"
    await asyncio.to_thread(build_db, [corpus_version(tmp_path, 1)], db)
    admin = fake.user(5150)
    async with polling_bot(fake, db, reload_seconds=0, admins="5150"):
        await asyncio.to_thread(build_db, [corpus_version(tmp_path, 2)], db)
        stranger = await fake.answer_of(fake.message("/reload", user=fake.user(77)))
        assert "/help" in stranger.result["text"]  # not a command for them
        before = await fake.answer_of(fake.message(MARKER, user=fake.user(78)))
        assert "这是第1版" in before.result["text"]  # no watcher: nothing changed yet
        done = await fake.answer_of(fake.message("/reload", user=admin))
        assert "已载入数据库" in done.result["text"]
        after = await fake.answer_of(fake.message(MARKER, user=fake.user(79)))
        assert "这是第2版" in after.result["text"]


async def test_sighup_switches_a_running_process_and_shutdown_closes_the_database(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    import signal

    from .support.processes import start_process, stop_process

    db = tmp_path / "live.db"
    await asyncio.to_thread(build_db, [corpus_version(tmp_path, 1)], db)
    process = await start_process(
        fake, tmp_path, "--db", str(db), env={"EXCERPT_BOT_RELOAD_SECONDS": "0"}
    )
    try:
        await fake.wait_for("deleteWebhook", timeout=60)
        first = await fake.answer_of(fake.message(MARKER), timeout=10)
        assert "这是第1版" in first.result["text"]
        await asyncio.to_thread(build_db, [corpus_version(tmp_path, 2)], db)
        process.send_signal(signal.SIGHUP)
        for attempt in range(50):
            await asyncio.sleep(0.1)
            reply = await fake.answer_of(fake.message(MARKER, user=fake.user(600 + attempt)))
            if "这是第2版" in reply.result["text"]:
                break
        assert "这是第2版" in reply.result["text"]
    finally:
        code, took, stderr = await stop_process(process)
    # Exiting promptly, with 0: shutdown closed the database and stopped cleanly.
    assert code == 0 and took < 10, stderr
    assert "now serving" in stderr


@pytest.mark.parametrize("mistake", ["no passages", "most documents lost"])
async def test_a_build_that_looks_like_a_mistake_is_not_served_unless_allowed(
    fake: FakeTelegram, tmp_path: Path, caplog: pytest.LogCaptureFixture, mistake: str
) -> None:
    """A file `excerpt-bot index` would refuse (one from an older version, or copied in)."""
    from bot.indexer import index
    from bot.store import build_database

    db = tmp_path / "live.db"
    full = corpus_version(tmp_path, 1)
    for name in ("甲", "乙", "丙"):
        (full / f"{name}.md").write_text(f"# {name}\n\n{name}篇的一段话。\n", encoding="utf-8")
    await asyncio.to_thread(build_db, [full], db)
    async with polling_bot(fake, db, reload_seconds=0.05) as application:
        replacement = tmp_path / "replacement.db"
        if mistake == "no passages":
            await build_database(replacement, [], fingerprint="empty")
        else:
            await index(replacement, [corpus_version(tmp_path, 2)], force=True, meaning=False)
        os.replace(replacement, db)
        await asyncio.sleep(0.4)
        reply = await fake.answer_of(fake.message(MARKER))
        assert "这是第1版" in reply.result["text"]  # the old one keeps serving
        assert "not switching to the new database" in caplog.text
        assert "--allow-shrink" in caplog.text
        assert application.bot_data.stats is not None
        assert application.bot_data.stats.documents == 4
        caplog.clear()
        # The operator meant it: built with --allow-shrink, it is served.
        await index(db, [corpus_version(tmp_path, 3)], force=True, allow_shrink=True, meaning=False)
        for _ in range(50):
            await asyncio.sleep(0.05)
            stats = application.bot_data.stats
            if stats is not None and stats.documents == 1:
                break
        reply = await fake.answer_of(fake.message(MARKER, user=fake.user(4242_2)))
        assert "这是第3版" in reply.result["text"]
