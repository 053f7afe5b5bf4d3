"""The daily excerpt, the table of contents and reader feedback, through the fake server."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot import handlers
from bot.app import build_application
from bot.serve import lifespan

from .conftest import DATA, SHIPPED_CORPUS, build_db
from .support.fake_bot_api import FakeTelegram
from .support.harness import (
    ask,
    bot_settings,
    button_showing,
    find_button,
    has_button,
    keyboard,
    polling_bot,
    text_of,
)

DAY = 86_400.0


@pytest.fixture
def small_db(tmp_path: Path) -> Path:
    """Four passages: enough to see a round of daily excerpts end and the next begin."""
    corpus = tmp_path / "small"
    corpus.mkdir()
    (corpus / "a.md").write_text(
        "---\ntitle: 小文\nauthor: 作者甲\n---\n\n"
        + "\n\n".join(f"第{i}段独一无二的句子，用来每天发。" for i in range(4)),
        encoding="utf-8",
    )
    return build_db([corpus], tmp_path / "small.db")


@contextlib.asynccontextmanager
async def scheduler_only(fake: FakeTelegram, db: Path, state_db: Path) -> AsyncIterator[Any]:
    """A second process sharing the state file: started, not polling."""
    application = build_application(bot_settings(fake, db, state_db=state_db, scheduler="off"))
    async with lifespan(application):
        yield application


async def test_daily_by_an_admin_posts_each_passage_once_per_round(
    fake: FakeTelegram, small_db: Path, tmp_path: Path
) -> None:
    state_db = tmp_path / "state.db"
    group = fake.group_chat()
    admin, member = fake.user(11), fake.user(12)
    fake.admins.add((group["id"], admin["id"]))
    async with polling_bot(fake, small_db, state_db=state_db, scheduler="off") as app:
        refused = await ask(fake, "/daily 08:00", chat=group, user=member)
        assert "只有这个群的管理员" in refused["text"]
        done = await ask(fake, "/daily 8:00", chat=group, user=admin)
        assert "每天 08:00（Asia/Shanghai）" in done["text"]
        subscription = await app.bot_data.state_store.subscription(group["id"])  # type: ignore[union-attr]
        assert subscription is not None
        due = subscription.next_due

        posted: list[str] = []
        for day in range(12):
            app.bot_data.clock = functools.partial(float, due + day * DAY + 1)
            mark = fake.mark()
            assert await handlers.daily_tick(app) == 1
            assert await handlers.daily_tick(app) == 0  # same moment: nothing more is due
            sent = [c for c in fake.calls[mark:] if c.method == "sendMessage"]
            assert len(sent) == 1 and sent[0].params["chat_id"] == group["id"]
            assert "<blockquote" in sent[0].params["text"]
            assert find_button(sent[0].result, "btn_open")["url"].startswith("https://t.me/")
            posted.append(text_of(sent[0]))
    lines = [next(line for line in p.splitlines() if "独一无二" in line) for p in posted]
    for start in (0, 4, 8):  # three rounds: each passage once per round
        assert len(set(lines[start : start + 4])) == 4
    assert all(a != b for a, b in itertools.pairwise(lines))  # never twice in a row


async def test_daily_survives_a_restart_and_stops_with_off(
    fake: FakeTelegram, small_db: Path, tmp_path: Path
) -> None:
    state_db = tmp_path / "state.db"
    async with polling_bot(fake, small_db, state_db=state_db, scheduler="off"):
        await ask(fake, "/daily 21:30")
    async with polling_bot(fake, small_db, state_db=state_db, scheduler="off") as app:
        status = await ask(fake, "/daily")
        assert "每天 21:30" in status["text"]
        off = await ask(fake, "/daily off")
        assert "已停止" in off["text"]
        app.bot_data.clock = lambda: 4_000_000_000.0
        assert await handlers.daily_tick(app) == 0
        assert "还没有每日一段" in (await ask(fake, "/daily"))["text"]
        assert "用法" in (await ask(fake, "/daily 25:99"))["text"]


async def test_two_processes_sharing_the_state_file_post_once(
    fake: FakeTelegram, small_db: Path, tmp_path: Path
) -> None:
    state_db = tmp_path / "state.db"
    async with polling_bot(fake, small_db, state_db=state_db, scheduler="off") as first:
        await ask(fake, "/daily 07:00")
        async with scheduler_only(fake, small_db, state_db) as second:
            moment = 4_000_000_000.0
            first.bot_data.clock = second.bot_data.clock = lambda: moment
            mark = fake.mark()
            results = await asyncio.gather(handlers.daily_tick(first), handlers.daily_tick(second))
            assert sorted(results) == [0, 1]
            assert sum(c.method == "sendMessage" for c in fake.calls[mark:]) == 1


async def test_daily_in_a_channel_listed_chats_and_a_chat_that_removed_the_bot(
    fake: FakeTelegram, small_db: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    state_db = tmp_path / "state.db"
    async with polling_bot(
        fake, small_db, state_db=state_db, scheduler="off", daily_chats="-100777@09:00"
    ) as app:
        store = app.bot_data.state_store
        assert store is not None
        assert (await store.subscription(-100777)) is not None  # from the settings
        channel_post = fake.message("/daily 06:30", channel=True)
        reply = await fake.answer_of(channel_post)
        assert "每天 06:30" in reply.result["text"]
        channel_id = channel_post["channel_post"]["chat"]["id"]
        assert (await store.subscription(channel_id)) is not None

        caplog.set_level(logging.WARNING)
        fake.fail("sendMessage", status=403, description="Forbidden: bot was kicked", times=5)
        app.bot_data.clock = lambda: 4_000_000_000.0
        await handlers.daily_tick(app)
        assert (await store.subscription(-100777)) is None  # stopped, and said why
        assert "daily excerpt for chat -100777 stopped" in caplog.text


async def test_table_of_contents_documents_headings_passage(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    db = await asyncio.to_thread(
        build_db, [DATA / "hexo-sample" / "source", SHIPPED_CORPUS], tmp_path / "many.db"
    )
    async with polling_bot(fake, db):
        contents = await ask(fake, "/toc")
        assert "目录" in contents["text"] and "共 68 篇" in contents["text"]
        documents = [b for b in keyboard(contents) if b["callback_data"].startswith("tc|")]
        assert len(documents) == 8
        mark = fake.mark()
        fake.callback(button_showing(contents, "▶")["callback_data"], message=contents)
        page_two = (await fake.wait_for("editMessageText", after=mark)).result
        assert "第 2/9 页" in page_two["text"]

        contents = await ask(fake, "/toc")  # page 1 again: buttons are pressed as shown
        shipped = next(b for b in keyboard(contents) if "托洛茨基" in b["text"])
        mark = fake.mark()
        fake.callback(shipped["callback_data"], message=contents)
        headings_view = (await fake.wait_for("editMessageText", after=mark)).result
        headings = [b for b in keyboard(headings_view) if "callback_data" in b]
        assert any("托派是怎么产生的" in b["text"] for b in headings)

        target = next(b for b in headings if "托派是怎么产生的" in b["text"])
        mark = fake.mark()
        fake.callback(target["callback_data"], message=headings_view)
        shown = await fake.wait_for("sendMessage", after=mark)
        assert "托派是怎么产生的" in text_of(shown) and "<blockquote" in shown.params["text"]
        assert has_button(shown.result, "btn_context")

    # Buttons made with another build of the collection get a polite answer.
    async with polling_bot(
        fake, await asyncio.to_thread(build_db, [SHIPPED_CORPUS], tmp_path / "b.db")
    ):
        answer = await fake.answer_of(fake.callback(target["callback_data"], message=headings_view))
        assert "文集更新过了" in answer.params["text"]


async def test_feedback_for_admins_in_about(fake: FakeTelegram, shipped_db: Path) -> None:
    admin = fake.user(99, language_code="zh-hans")
    async with polling_bot(fake, shipped_db, admins="99"):
        for _ in range(2):
            await ask(fake, "量子色动力学的渐近自由")
        await fake.answer_of(fake.inline_query("托派很擅长篡改历史"))
        answer = fake.sent("answerInlineQuery")[-1]
        key = answer.params["results"][0]["id"]
        fake.push_update(
            {"chosen_inline_result": {"result_id": key, "from": admin, "query": "托派很擅长"}}
        )
        await asyncio.sleep(0.3)
        about = await ask(fake, "/about", user=admin)
        assert "没有结果的搜索" in about["text"] and "量子色动力学的渐近自由 ×2" in about["text"]
        assert "最常分享" in about["text"] and "托派很擅长" in about["text"]
        plain = await ask(fake, "/about", user=fake.user(100))
        assert "没有结果的搜索" not in plain["text"]


async def test_listed_chats_follow_the_settings(
    fake: FakeTelegram, small_db: Path, tmp_path: Path
) -> None:
    state_db = tmp_path / "state.db"
    listed = fake.group_chat(-100777)
    fake.admins.add((-100777, 11))
    async with polling_bot(
        fake, small_db, state_db=state_db, scheduler="off", daily_chats="-100777@09:00"
    ) as app:
        reply = await ask(fake, "/daily off", chat=listed, user=fake.user(11))
        assert "由机器人的设置决定" in reply["text"]
        assert await app.bot_data.state_store.subscription(-100777)  # type: ignore[union-attr]
    async with polling_bot(fake, small_db, state_db=state_db, scheduler="off") as app:
        # Taken out of the settings: no longer posted to.
        assert await app.bot_data.state_store.subscription(-100777) is None  # type: ignore[union-attr]


async def test_daily_retries_passing_failures_and_keeps_chats_it_may_not_post_in_today(
    fake: FakeTelegram, small_db: Path, tmp_path: Path
) -> None:
    async with polling_bot(fake, small_db, state_db=tmp_path / "s.db", scheduler="off") as app:
        await ask(fake, "/daily 08:00")
        store = app.bot_data.state_store
        assert store is not None
        due = (await store.subscription(1001)).next_due  # type: ignore[union-attr]
        app.bot_data.clock = lambda: due + 1
        fake.fail("sendMessage", status=502, description="Bad Gateway")
        assert await handlers.daily_tick(app) == 0
        assert await handlers.daily_tick(app) == 1  # handed back, and sent at the next tick
        app.bot_data.clock = lambda: due + DAY + 1
        fake.fail("sendMessage", status=400, description="Bad Request: not enough rights")
        assert await handlers.daily_tick(app) == 0
        assert await store.subscription(1001) is not None  # kept: tomorrow may work
        app.bot_data.clock = lambda: due + 2 * DAY + 1
        assert await handlers.daily_tick(app) == 1


async def test_without_a_writable_state_file_daily_says_so_and_search_still_works(
    fake: FakeTelegram, shipped_db: Path
) -> None:
    async with polling_bot(fake, shipped_db, state_db=Path("/dev/null/state.db")):
        reply = await ask(fake, "/daily 08:00")
        assert "没有可写的状态文件" in reply["text"]
        assert "没有找到" in (await ask(fake, "量子色动力学的渐近自由"))["text"]


async def test_a_locked_state_file_never_delays_or_breaks_a_reply(
    fake: FakeTelegram, shipped_db: Path, tmp_path: Path
) -> None:
    import sqlite3
    import time

    state_db = tmp_path / "state.db"
    async with polling_bot(fake, shipped_db, state_db=state_db, state_timeout=0.2):
        holder = sqlite3.connect(state_db, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # an operator's shell holding the write lock
        try:
            started = time.monotonic()
            reply = await ask(fake, "量子色动力学的渐近自由")
            assert "没有找到" in reply["text"] and time.monotonic() - started < 1.5
            inline = await fake.answer_of(fake.inline_query("量子色动力学的渐近自由"))
            assert inline.status == 200
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        await asyncio.sleep(0.5)  # the count gave up quietly after 0.2 s (best effort)


async def test_inline_prefixes_are_not_counted_as_searches_that_found_nothing(
    fake: FakeTelegram, shipped_db: Path
) -> None:
    admin = fake.user(99)
    async with polling_bot(fake, shipped_db, admins="99"):
        for prefix in ("量子色", "量子色动", "量子色动力学"):
            await fake.answer_of(fake.inline_query(prefix, user=fake.user(300 + len(prefix))))
        about = await ask(fake, "/about", user=admin)
        assert "量子色" not in about["text"]


async def test_an_article_without_headings_opens_at_its_beginning(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "plain.md").write_text(
        "---\ntitle: 无标题文章\n---\n\n没有小标题的文章开头这一段。\n\n第二段。\n",
        encoding="utf-8",
    )
    db = await asyncio.to_thread(build_db, [corpus], tmp_path / "p.db")
    async with polling_bot(fake, db):
        contents = await ask(fake, "/toc")
        mark = fake.mark()
        fake.callback(button_showing(contents, "无标题文章")["callback_data"], message=contents)
        shown = await fake.wait_for("sendMessage", after=mark)
        assert "没有小标题的文章开头这一段" in text_of(shown)


async def test_periodic_work_reports_its_errors_and_stops_with_the_bot(
    fake: FakeTelegram, small_db: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The daily excerpts and the reload watcher are JobQueue jobs: the first tick runs as the
    bot starts, a failed run reaches the error handler (logged, counted, no reader bothered)
    and the schedule stops with the bot."""
    import sqlite3
    import time

    from bot.state_store import StateStore

    state_db = tmp_path / "state.db"
    group = fake.group_chat(-100557)
    store = await StateStore.open(state_db)
    await store.subscribe(group["id"], "08:00", "Asia/Shanghai", time.time() - 60, "Group")
    await store.close()
    async with polling_bot(fake, small_db, state_db=state_db) as app:
        posted = await fake.wait_for(
            "sendMessage", lambda c: c.params.get("chat_id") == group["id"], timeout=5
        )
        assert "独一无二" in text_of(posted)
        scheduled = {job.name for job in app.job_queue.jobs()}  # type: ignore[union-attr]
        assert scheduled == {"daily excerpts", "reload watcher"}
        daily = app.bot_data.scheduler
        assert daily is not None
        broken = sqlite3.connect(state_db)
        broken.execute("DROP TABLE daily")  # an operator's mistake: the next tick cannot read
        broken.commit()
        broken.close()
        await daily.run(app)
        for _ in range(50):
            if "daily excerpts failed" in caplog.text:
                break
            await asyncio.sleep(0.05)
        assert "daily excerpts failed" in caplog.text
        assert 'excerpt_bot_errors_total{type="OperationalError"} 1.0' in (
            app.bot_data.metrics.render().decode()
        )
        caplog.clear()
    assert not app.job_queue.scheduler.running  # type: ignore[union-attr]
    assert "failed" not in caplog.text
