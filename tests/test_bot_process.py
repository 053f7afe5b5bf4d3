"""Webhook mode and the `excerpt-bot run` process, against the fake Bot API server."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp

from bot.app import build_application
from bot.serve import serve_webhook

from .conftest import ROOT
from .support.fake_bot_api import TOKEN, FakeTelegram
from .support.harness import bot_settings, free_port
from .support.processes import start_process, stop_process

QUOTE = "托派很擅长篡改历史"


@contextlib.asynccontextmanager
async def webhook_bot(fake: FakeTelegram, db: Path) -> AsyncIterator[str]:
    """The bot in webhook mode on a free loopback port; yields its base URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    settings = bot_settings(
        fake, db, webhook_url=url, webhook_listen="127.0.0.1", webhook_port=port
    )
    stop = asyncio.Event()
    # A short drain: these tests do not measure it, and each would wait 1.5 s at the end.
    task = asyncio.create_task(
        serve_webhook(build_application(settings), settings, stop, drain=0.1)
    )
    base = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as session:
        for _ in range(200):
            if task.done():
                task.result()  # surface a startup failure
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(f"{base}/healthz") as response:
                    if response.status == 200:
                        break
            await asyncio.sleep(0.05)
    try:
        yield base
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)


async def test_webhook_registers_with_secret_and_serves_updates(
    fake: FakeTelegram, shipped_db: Path
) -> None:
    async with webhook_bot(fake, shipped_db) as base:
        assert fake.webhook is not None
        assert fake.webhook["url"] == f"{base}/telegram/hook"
        secret = fake.webhook["secret_token"]
        assert secret and secret != TOKEN
        update = fake.message(QUOTE)
        reply = await fake.answer_of(update)
        assert "暴躁皮皮" in reply.result["text"]
        assert fake.webhook_statuses[-1] == 200


async def test_webhook_rejects_bad_requests(fake: FakeTelegram, shipped_db: Path) -> None:
    async with webhook_bot(fake, shipped_db):
        update = {
            "update_id": 99,
            "message": {
                "message_id": 1,
                "date": 0,
                "text": "x",
                "chat": {"id": 1, "type": "private"},
            },
        }
        assert (await fake.deliver(update, secret="wrong"))[0] == 403
        assert (await fake.deliver(update, secret=None))[0] == 403
        assert (await fake.deliver(update, body=b"{not json"))[0] == 400
        assert (await fake.deliver(update, body=b"[1, 2]"))[0] == 400
        assert (await fake.deliver(update, body=b'{"update_id": "x"}'))[0] == 400
        assert (await fake.deliver(update, body=b"{" + b" " * (2 << 20) + b"}"))[0] == 413
        assert (await fake.deliver(update, path="/elsewhere"))[0] == 404
        assert (await fake.deliver(update, method="GET"))[0] == 405
        # The content type Telegram's own servers and many proxies send is fine.
        status, _ = await fake.deliver(
            fake.message(QUOTE) | {"update_id": 100},
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        assert status == 200
        # And after all that, it still answers.
        reply = await fake.answer_of(fake.message("/help"))
        assert reply.status == 200


async def test_health_and_metrics(fake: FakeTelegram, shipped_db: Path) -> None:
    async with webhook_bot(fake, shipped_db) as base:
        await fake.answer_of(fake.message(QUOTE))
        await fake.answer_of(fake.inline_query("革命"))
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{base}/healthz") as response:
                assert response.status == 200
            async with session.get(f"{base}/metrics") as response:
                assert response.status == 200
                assert response.headers["Content-Type"].startswith("text/plain")
                body = await response.text()
    assert 'excerpt_bot_updates_total{type="message"}' in body
    assert 'excerpt_bot_updates_total{type="inline_query"}' in body
    assert 'excerpt_bot_search_seconds_bucket{kind="inline"' in body
    assert "excerpt_bot_corpus_passages" in body
    assert TOKEN not in body


# --- the process ----------------------------------------------------------------------------


async def test_run_with_only_a_token_indexes_and_serves_then_stops_on_sigterm(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    # A new user's first run, as installed: the meaning index is built and loaded too.
    process = await start_process(fake, tmp_path, meaning=True)
    try:
        await fake.wait_for("deleteWebhook", timeout=60)  # polling starts next
        reply = await fake.answer_of(fake.message(QUOTE), timeout=10)
        assert "暴躁皮皮" in reply.result["text"]
        # SIGTERM while a reply is in flight: it is still sent, then the process exits 0.
        fake.fail("sendMessage", status=200, delay=1.5)  # a slow Telegram, not a failing one
        fake.message("/about")
        await fake.wait_for("getUpdates", lambda c: c.status == 200 and c.result, timeout=5)
        await asyncio.sleep(0.3)
    finally:
        code, took, stderr = await stop_process(process)
    assert code == 0, stderr
    assert took < 10
    assert any(c.method == "sendMessage" and "excerpt-bot" in str(c.result) for c in fake.calls)
    assert "Traceback" not in stderr and TOKEN not in stderr
    assert (tmp_path / "excerpt-bot" / "excerpt.db").is_file()


async def test_run_in_webhook_mode_stops_on_sigterm(fake: FakeTelegram, tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    process = await start_process(
        fake,
        tmp_path,
        "--webhook-url",
        url,
        "--listen",
        "127.0.0.1",
        "--port",
        str(port),
        "--secret-token",
        "s3cret-for-tests",
        "--log-level",
        "debug",
    )
    try:
        await fake.wait_for("setWebhook", timeout=60)
        assert fake.webhook is not None and fake.webhook["secret_token"] == "s3cret-for-tests"
        for _ in range(100):
            with contextlib.suppress(OSError):
                status, _ = await fake.deliver(fake_update(), secret="s3cret-for-tests")
                if status == 200:
                    break
            await asyncio.sleep(0.1)
        reply = await fake.answer_of(fake.message(QUOTE), timeout=10)
        assert "暴躁皮皮" in reply.result["text"]
    finally:
        code, took, stderr = await stop_process(process)
    assert code == 0, stderr
    assert took < 10
    # Debug logging included, the token is nowhere: not in logs, not in anything sent.
    assert "Traceback" not in stderr and "DEBUG" in stderr
    assert TOKEN not in stderr and TOKEN.split(":")[1] not in stderr
    assert all(TOKEN not in str(c.params) + str(c.result) for c in fake.calls)


def fake_update() -> dict[str, object]:
    return {
        "update_id": 1,
        "edited_message": {
            "message_id": 1,
            "date": 0,
            "edit_date": 0,
            "text": "x",
            "chat": {"id": 1, "type": "private"},
        },
    }


async def test_run_without_a_token_says_what_to_do(tmp_path: Path) -> None:
    environ = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=ROOT,
        env={**environ, "XDG_DATA_HOME": str(tmp_path)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    text = stderr.decode()
    assert process.returncode == 1
    assert "TELEGRAM_BOT_TOKEN is not set" in text and "@BotFather" in text
    assert "Traceback" not in text
    assert not (tmp_path / "excerpt-bot").exists()  # nothing indexed for nothing


async def test_run_with_a_rejected_token(fake: FakeTelegram, tmp_path: Path) -> None:
    process = await start_process(
        fake, tmp_path, env={"TELEGRAM_BOT_TOKEN": "999:wrong-token_abcdefghijklmnopqrst"}
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    text = stderr.decode()
    assert process.returncode == 1, text
    assert "rejected" in text and "Traceback" not in text
    assert "wrong-token" not in text


async def test_webhook_updates_the_poller_never_gets(fake: FakeTelegram, shipped_db: Path) -> None:
    """Edits, channel posts, stickers and a lone surrogate, straight to the handlers."""
    async with webhook_bot(fake, shipped_db):
        await fake.answer_of(fake.message("/help"))  # the fake now knows this reader's chat
        mark = fake.mark()
        chat = {"id": 1001, "type": "private"}
        user = {"id": 1001, "is_bot": False, "first_name": "R"}
        base = {"message_id": 5, "date": 0, "chat": chat, "from": user}
        for number, update in enumerate(
            [
                {"edited_message": {**base, "edit_date": 1, "text": QUOTE}},
                {"channel_post": {**base, "chat": {"id": -100, "type": "channel"}, "text": QUOTE}},
                {"message": {**base, "chat": {"id": -5, "type": "group"}, "text": "闲聊 " + QUOTE}},
            ]
        ):
            status, _ = await fake.deliver({"update_id": 500 + number, **update})
            assert status == 200
        body = (
            '{"update_id": 600, "message": {"message_id": 6, "date": 0, '
            '"chat": {"id": 1001, "type": "private"}, '
            '"from": {"id": 1001, "is_bot": false, "first_name": "R"}, '
            '"text": "托派很擅长\\ud800篡改历史"}}'
        ).encode()
        status, _ = await fake.deliver({}, body=body)
        assert status == 200
        reply = await fake.wait_for("sendMessage", after=mark)
        assert "暴躁皮皮" in reply.result["text"]
        await asyncio.sleep(0.3)
        assert [c for c in fake.calls[mark:] if c.method == "sendMessage"] == [reply]


async def test_sigterm_gives_up_on_a_send_stuck_behind_retry_after(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    process = await start_process(fake, tmp_path)
    try:
        await fake.wait_for("deleteWebhook", timeout=60)  # polling starts next
        fake.fail("sendMessage", status=429, retry_after=30)
        mark = fake.mark()
        fake.message(QUOTE)
        await fake.wait_for("sendMessage", after=mark, timeout=10)  # the 429
    finally:
        code, took, stderr = await stop_process(process)
    assert code == 0, stderr
    assert took < 10
    assert "gave up on updates" in stderr


async def test_sigterm_does_not_wait_for_a_hung_last_get_updates(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    # PTB calls getUpdates once more when polling stops, to mark what it fetched as read.
    # When Telegram does not answer it, the process still exits within the contract's 10 s
    # (unbounded, it waited out the call's 10 s read timeout first).
    process = await start_process(fake, tmp_path)
    try:
        await fake.wait_for("deleteWebhook", timeout=60)
        await fake.answer_of(fake.message(QUOTE), timeout=10)  # polling, and answering
        fake.fail("getUpdates", status=200, delay=30)  # the next one hangs: the last
    finally:
        code, took, stderr = await stop_process(process)
    assert code == 0, stderr
    assert took < 10, took
    assert "without marking the last updates read" in stderr


async def test_polling_with_status_port_json_logs_and_the_health_command(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    port = free_port()
    env = {"EXCERPT_BOT_STATUS_PORT": str(port), "EXCERPT_BOT_LOG_FORMAT": "json"}
    process = await start_process(fake, tmp_path, env=env)

    async def health() -> int:
        checker = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "health", cwd=ROOT,
            env={**os.environ, "EXCERPT_BOT_STATUS_PORT": str(port)},
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        return await asyncio.wait_for(checker.wait(), 30)

    try:
        await fake.wait_for("deleteWebhook", timeout=60)
        await fake.answer_of(fake.message(QUOTE), timeout=10)
        for _ in range(50):
            if await health() == 0:
                break
            await asyncio.sleep(0.1)
        assert await health() == 0
        url = f"http://127.0.0.1:{port}/metrics"
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            assert 'excerpt_bot_updates_total{type="message"}' in await response.text()
    finally:
        code, _, stderr = await stop_process(process)
    assert code == 0, stderr
    assert await health() == 1  # nothing answers once it has stopped
    logged = [line for line in stderr.splitlines() if line.startswith("{")]
    assert logged and all(json.loads(line)["level"] for line in logged)
    assert any("serving @" in json.loads(line)["message"] for line in logged)


async def test_scheduler_only_posts_what_is_due_and_takes_no_updates(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    """The one pod that posts daily excerpts beside webhook replicas: it never polls."""
    import sqlite3

    from bot.state_store import StateStore

    state = tmp_path / "state.db"
    group = fake.group_chat(-100556)
    fake.message("registers the chat with the fake", chat=group)  # queued, never fetched
    store = await StateStore.open(state)
    await store.subscribe(group["id"], "08:00", "Asia/Shanghai", time.time() - 60, "Group")
    await store.close()
    env = {"EXCERPT_BOT_DAILY_CHATS": "-100555@08:00", "EXCERPT_BOT_STATE_DB": str(state)}
    process = await start_process(fake, tmp_path, "--scheduler-only", env=env)
    try:
        posted = await fake.wait_for(
            "sendMessage", lambda c: c.params.get("chat_id") == group["id"], timeout=60
        )
        assert "<blockquote" in posted.params["text"]
    finally:
        code, took, stderr = await stop_process(process)
    assert code == 0 and took < 10, stderr
    methods = {c.method for c in fake.calls}
    assert not methods & {"getUpdates", "setWebhook", "deleteWebhook"}, methods
    rows = (
        sqlite3.connect(state).execute("SELECT chat_id, at FROM daily ORDER BY chat_id").fetchall()
    )
    assert rows == [(-100556, "08:00"), (-100555, "08:00")]
