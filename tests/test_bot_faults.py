"""Telegram failing in the ways it does: the bot waits, recovers, and keeps serving."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from bot.handlers import BotApplication

from .support.fake_bot_api import FakeTelegram
from .support.harness import find_button, polling_bot
from .support.processes import start_process, stop_process

QUOTE = "托派很擅长篡改历史"
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


async def test_429_waits_retry_after_before_sending_again(
    fake: FakeTelegram, bot: BotApplication
) -> None:
    fake.fail("sendMessage", status=429, retry_after=2)
    mark = fake.mark()
    fake.message(QUOTE)
    sent = await fake.wait_for("sendMessage", lambda c: c.status == 200, after=mark, timeout=10)
    attempts = [c for c in fake.calls[mark:] if c.method == "sendMessage"]
    assert [c.status for c in attempts] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 2.0  # nothing resent early
    assert "暴躁皮皮" in sent.result["text"]


async def test_polling_recovers_after_five_server_errors(
    fake: FakeTelegram, bot: BotApplication
) -> None:
    mark = fake.mark()
    fake.fail("getUpdates", status=502, description="Bad Gateway", times=5)
    update = fake.message(QUOTE)
    reply = await fake.answer_of(update, timeout=15)
    failures = [c for c in fake.calls[mark:] if c.method == "getUpdates" and c.status == 502]
    assert len(failures) == 5
    assert reply.at - failures[0].at < 15


async def test_polling_recovers_after_five_timeouts(fake: FakeTelegram, shipped_db: Path) -> None:
    """getUpdates that never answers in time: PTB gives up on each and asks again at once."""
    async with polling_bot(fake, shipped_db, read_timeout_slack=0.5):
        mark = fake.mark()
        # Each held 2 s: longer than the 1 s poll plus 0.5 s of slack, so each times out.
        fake.fail("getUpdates", status=200, delay=2.0, times=5)
        await asyncio.sleep(0.1)
        update = fake.message(QUOTE)
        reply = await fake.answer_of(update, timeout=20)
        slow = [c for c in fake.calls[mark:] if c.method == "getUpdates" and c.at < reply.at]
        assert len(slow) >= 5
        assert reply.at - slow[0].at < 15


async def test_blocked_by_the_user_is_logged_once_not_retried(
    fake: FakeTelegram, bot: BotApplication, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot")
    fake.fail("sendMessage", status=403, description="Forbidden: bot was blocked by the user")
    mark = fake.mark()
    fake.message(QUOTE)
    await fake.wait_for("sendMessage", after=mark)
    # The next reader is served; the blocked reply was tried exactly once.
    reply = await fake.answer_of(fake.message("/help", user=fake.user(7007)))
    assert reply.status == 200
    await asyncio.sleep(0.3)
    attempts = [c for c in fake.calls[mark:] if c.method == "sendMessage"]
    assert [c.status for c in attempts] == [403, 200]
    blocked = [r for r in caplog.records if "blocked" in r.getMessage()]
    assert len(blocked) == 1 and blocked[0].levelno == logging.INFO


async def test_message_not_modified_is_ignored(
    fake: FakeTelegram, bot: BotApplication, caplog: pytest.LogCaptureFixture
) -> None:
    first = await fake.answer_of(fake.message("革命"))
    fake.fail("editMessageText", status=400, description=NOT_MODIFIED)
    mark = fake.mark()
    data = find_button(first.result, "btn_next")["callback_data"]
    answer = await fake.answer_of(fake.callback(data, message=first.result))
    assert answer.status == 200 and not answer.params.get("text")
    assert [c.status for c in fake.calls[mark:] if c.method == "editMessageText"] == [400]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_second_instance_on_the_same_token_says_why_and_exits(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    # The first gets a short conflict grace (10 s by default) so the test need not wait long
    # for it to count as the one that was there first.
    first = await start_process(fake, tmp_path / "a", env={"EXCERPT_BOT_CONFLICT_GRACE": "2"})
    try:
        await fake.wait_for("deleteWebhook", timeout=60)  # polling starts next
        await fake.answer_of(fake.message(QUOTE), timeout=10)
        # Idle polling does not spin: a long poll is held, not repeated. Meanwhile the first
        # has been serving for longer than its grace.
        mark = fake.mark()
        await asyncio.sleep(3)
        assert sum(c.method == "getUpdates" for c in fake.calls[mark:]) <= 1

        second = await start_process(fake, tmp_path / "b")
        _, stderr = await asyncio.wait_for(second.communicate(), 60)
        text = stderr.decode()
        assert second.returncode == 1, text
        assert "another process is already polling" in text and "Traceback" not in text
        # The first keeps serving.
        reply = await fake.answer_of(fake.message("/help"), timeout=10)
        assert reply.status == 200
    finally:
        code, _, stderr_first = await stop_process(first)
    assert code == 0, stderr_first
