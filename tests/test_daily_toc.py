"""The daily excerpt, the table of contents and reader feedback, through the fake server."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot import handlers
from bot.app import build_application

from .bot_harness import bot_settings, find_button, keyboard, polling_bot, text_of
from .conftest import DATA, SHIPPED_CORPUS, build_db
from .fake_telegram import FakeTelegram

DAY = 86_400.0


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server
        assert server.violations == [], server.violations


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


async def ask(fake: FakeTelegram, text: str, **kwargs: Any) -> dict[str, Any]:
    call = await fake.answer_of(fake.message(text, **kwargs))
    assert call.status == 200, call
    result: dict[str, Any] = call.result
    return result


@contextlib.asynccontextmanager
async def scheduler_only(fake: FakeTelegram, db: Path, state_db: Path) -> AsyncIterator[Any]:
    """A second process sharing the state file: initialized, not polling."""
    application = build_application(bot_settings(fake, db, state_db=state_db, scheduler="off"))
    await application.initialize()
    assert application.post_init is not None
    await application.post_init(application)
    try:
        yield application
    finally:
        await application.shutdown()
        assert application.post_shutdown is not None
        await application.post_shutdown(application)


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
        for day in range(6):
            app.bot_data.clock = lambda day=day: due + day * DAY + 1
            mark = fake.mark()
            assert await handlers.daily_tick(app) == 1
            assert await handlers.daily_tick(app) == 0  # same moment: nothing more is due
            sent = [c for c in fake.calls[mark:] if c.method == "sendMessage"]
            assert len(sent) == 1 and sent[0].params["chat_id"] == group["id"]
            assert "<blockquote" in sent[0].params["text"]
            assert find_button(sent[0].result, "上下文")["url"].startswith("https://t.me/")
            posted.append(text_of(sent[0]))
    first_round = [next(line for line in p.splitlines() if "独一无二" in line) for p in posted]
    assert len(set(first_round[:4])) == 4  # four passages, four different days
    assert first_round[4] in first_round[:4]  # then a new round


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
        documents = [b for b in keyboard(contents) if b["text"] not in ("◀", "▶")]
        assert len(documents) == 8
        mark = fake.mark()
        fake.callback(find_button(contents, "▶")["callback_data"], message=contents)
        page_two = (await fake.wait_for("editMessageText", after=mark)).result
        assert "第 2/9 页" in page_two["text"]

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
        assert any("上下文" in b["text"] for b in keyboard(shown.result))

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
