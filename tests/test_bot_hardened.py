"""Attacks on a running `excerpt-bot run` process through the fake Bot API: what Telegram (or
a proxy in front of it) may send that the bot must survive without a traceback, without
showing the token, and without losing or repeating an update."""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from pathlib import Path

import aiohttp
import pytest

from bot.handlers import BotApplication

from .support.fake_bot_api import TOKEN, FakeTelegram
from .support.harness import (
    ask,
    find_button,
    free_port,
    has_button,
    polling_bot,
    press_for_edit,
)
from .support.processes import start_process, stop_process

QUOTE = "托派很擅长篡改历史"
COMMON = "革命"  # dozens of passages
SECRET = TOKEN.partition(":")[2]


def shows_token(text: str) -> bool:
    """Whether `text` holds the token's secret part, in any letter case."""
    return SECRET.lower() in text.lower()


def echo_page(path: str) -> bytes:
    """A reverse proxy's error page that quotes the request line, as nginx's and others do."""
    return (
        f"<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1>"
        f"<p>upstream failed for POST {path}</p></body></html>"
    ).encode()


async def run_until_exit(fake: FakeTelegram, home: Path, db: Path) -> tuple[int, str]:
    process = await start_process(fake, home, "--db", str(db))
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, stderr.decode()


# --- polling: an update PTB cannot read ---------------------------------------------------


async def test_an_update_ptb_cannot_read_is_skipped_once_and_the_rest_is_answered(
    fake: FakeTelegram, shipped_db: Path, tmp_path: Path
) -> None:
    process = await start_process(fake, tmp_path, "--db", str(shipped_db))
    try:
        await fake.wait_for("deleteWebhook", timeout=60)  # polling starts next
        reader = fake.user(1001)
        # A poll without a field PTB 22.8 requires, and an inline query without `offset`.
        poll = {
            "id": "5001",
            "question": "哪一段？",
            "options": [{"text": "甲", "voter_count": 0}, {"text": "乙", "voter_count": 0}],
            "is_closed": False,
            "is_anonymous": True,
            "type": "regular",
            "allows_multiple_answers": False,
        }
        bad_poll = fake.message(None, user=reader, extra={"poll": poll})
        bad_inline = fake.push_update(
            {"inline_query": {"id": "77001", "from": reader, "query": "革命"}}
        )
        reply = await fake.answer_of(fake.message(QUOTE, user=reader), timeout=10)
        assert "暴躁皮皮" in reply.result["text"]
        # Once past them, the bot is back to one long poll at a time, not a refetch loop.
        mark = fake.mark()
        await asyncio.sleep(1.0)
        assert len([c for c in fake.calls[mark:] if c.method == "getUpdates"]) <= 2
        inline = await fake.answer_of(fake.inline_query("革命", user=reader), timeout=10)
        assert inline.status == 200
    finally:
        code, _, stderr = await stop_process(process)
    assert code == 0, stderr
    for update in (bad_poll, bad_inline):
        assert stderr.count(f"skipped update {update['update_id']} ") == 1, stderr
    assert "Traceback" not in stderr and "CRITICAL" not in stderr


# --- the token in any output --------------------------------------------------------------


async def test_a_proxy_page_quoting_the_token_in_lower_case_is_one_line_without_it(
    fake: FakeTelegram, shipped_db: Path, tmp_path: Path
) -> None:
    fake.fail("getMe", status=502, body=echo_page(f"/bot{TOKEN.lower()}/getMe"))
    code, stderr = await run_until_exit(fake, tmp_path, shipped_db)
    assert code == 1
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot reach the Bot API" in lines[0], stderr
    assert "502" in lines[0] and "<token>" in lines[0]
    assert not shows_token(stderr)


async def test_an_api_error_quoting_the_token_in_upper_case_is_redacted(
    fake: FakeTelegram, shipped_db: Path, tmp_path: Path
) -> None:
    fake.fail("getMe", status=400, description=f"Bad Request: no bot {TOKEN.upper()} here")
    code, stderr = await run_until_exit(fake, tmp_path, shipped_db)
    assert code == 1
    assert "Telegram refused the request" in stderr and "Traceback" not in stderr
    assert not shows_token(stderr)


async def test_a_reply_that_is_not_json_is_one_clear_line_at_start(
    fake: FakeTelegram, shipped_db: Path, tmp_path: Path
) -> None:
    fake.fail("getMe", status=200, body=b"<html><body>Welcome to nginx!</body></html>")
    code, stderr = await run_until_exit(fake, tmp_path, shipped_db)
    assert code == 1
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "not a Bot API reply" in lines[0] and "Welcome to nginx!" in lines[0]
    assert "Traceback" not in stderr


async def test_error_pages_while_polling_are_logged_without_the_token(
    fake: FakeTelegram, shipped_db: Path, tmp_path: Path
) -> None:
    process = await start_process(fake, tmp_path, "--db", str(shipped_db))
    try:
        await fake.wait_for("deleteWebhook", timeout=60)
        for path in (f"/bot{TOKEN.lower()}/getUpdates", f"/bot{TOKEN.upper()}/getUpdates"):
            fake.fail("getUpdates", status=502, body=echo_page(path))
        fake.fail("sendMessage", status=500, description=f"upstream /bot{TOKEN.lower()}/x")
        failed = await fake.answer_of(fake.message("/help", user=fake.user(1002)), timeout=20)
        assert failed.status == 500  # logged, and the bot goes on
        reply = await fake.answer_of(fake.message(QUOTE, user=fake.user(1003)), timeout=20)
        assert "暴躁皮皮" in reply.result["text"]
    finally:
        code, _, stderr = await stop_process(process)
    assert code == 0, stderr
    assert "Bad Gateway" in stderr or "502" in stderr  # the errors were logged ...
    assert not shows_token(stderr)  # ... without the token


# --- buttons are bound to their message ---------------------------------------------------


async def test_a_button_replayed_onto_another_message_in_the_chat_does_nothing(
    fake: FakeTelegram, bot: BotApplication
) -> None:
    """A modified client can send any button's data with a press on any message of the
    chat. Only data the bot put on that very message is acted on."""
    reader = fake.user(1001)
    first = await ask(fake, COMMON, user=reader)
    second = await ask(fake, QUOTE, user=reader)
    data = find_button(first, "btn_next")["callback_data"]
    mark = fake.mark()
    answer = await fake.answer_of(fake.callback(data, message=second, user=reader))
    assert "失效" in answer.params["text"]
    assert [c.method for c in fake.calls[mark:] if c.method.startswith("edit")] == []
    # In a group, the owner of one reply cannot turn another member's reply into theirs.
    group = fake.group_chat()
    mine = await ask(fake, f"/search {COMMON}", chat=group, user=reader)
    theirs = await ask(fake, f"/search {QUOTE}", chat=group, user=fake.user(1002))
    own_data = find_button(mine, "btn_next")["callback_data"]
    mark = fake.mark()
    answer = await fake.answer_of(fake.callback(own_data, message=theirs, user=reader))
    assert "失效" in answer.params["text"]
    assert [c.method for c in fake.calls[mark:] if c.method.startswith("edit")] == []
    # On its own message, the same button works.
    edit = await press_for_edit(fake, first, "btn_next")
    assert has_button(edit.result, "counter", n=2)


# --- /daily: time zones and a failing getChatMember ---------------------------------------


async def test_daily_with_a_folder_of_the_zone_database_gets_the_usage(
    fake: FakeTelegram, bot: BotApplication
) -> None:
    for zone in ("America", "Europe/", "../../etc/passwd", "Asia/Nowhere"):
        answer = await ask(fake, f"/daily 08:00 {zone}")
        assert answer["text"].startswith("用法：/daily 08:00"), zone


async def test_an_unusable_time_zone_setting_is_one_line_at_start(
    fake: FakeTelegram, shipped_db: Path, tmp_path: Path
) -> None:
    process = await start_process(
        fake, tmp_path, "--db", str(shipped_db), env={"EXCERPT_BOT_TIMEZONE": "America"}
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 1
    assert stderr.decode().strip() == (
        "excerpt-bot: unknown time zone 'America' (use an IANA name, e.g. Asia/Shanghai)"
    )


@pytest.mark.parametrize(
    ("status", "said"), [(400, "只有这个群的管理员"), (403, None), (502, "出了点问题")]
)
async def test_group_daily_is_answered_when_telegram_will_not_say_who_is_admin(
    fake: FakeTelegram,
    shipped_db: Path,
    caplog: pytest.LogCaptureFixture,
    status: int,
    said: str | None,
) -> None:
    caplog.set_level(logging.INFO)
    group = fake.group_chat()
    admin = fake.user(11)
    fake.admins.add((group["id"], admin["id"]))
    description = {400: "Bad Request: member not found", 403: "Forbidden: bot was kicked"}
    async with polling_bot(fake, shipped_db):
        fake.fail(
            "getChatMember", status=status, description=description.get(status, "Bad Gateway")
        )
        update = fake.message("/daily 08:00", chat=group, user=admin)
        if said is None:  # removed from the group: nothing can be sent there, nothing is
            await fake.wait_for("getChatMember")
            await asyncio.sleep(0.3)
            assert not fake.sent("sendMessage")
        else:
            answer = await fake.answer_of(update)
            assert said in answer.result["text"]
        # Asked again once Telegram answers, the admin's /daily works.
        done = await ask(fake, "/daily 08:00", chat=group, user=admin)
        assert "每天 08:00" in done["text"]
    assert "Traceback" not in caplog.text


# --- webhook: SIGTERM loses nothing it acknowledged -----------------------------------------


async def start_webhook_process(
    fake: FakeTelegram, home: Path, db: Path, *args: str, env: dict[str, str] | None = None
) -> tuple[asyncio.subprocess.Process, int]:
    """`excerpt-bot run` in webhook mode on a free port, once it answers updates."""
    port = free_port()
    process = await start_process(
        fake,
        home,
        "--db",
        str(db),
        "--webhook-url",
        f"http://127.0.0.1:{port}/hook",
        "--listen",
        "127.0.0.1",
        "--port",
        str(port),
        *args,
        env=env,
    )
    await fake.wait_for("setWebhook", timeout=60)
    return process, port


def help_update(update_id: int, user_id: int) -> dict[str, object]:
    user = {"id": user_id, "is_bot": False, "first_name": "R", "language_code": "en"}
    chat = {"id": user_id, "type": "private", "first_name": "R"}
    message = {
        "message_id": 1,
        "date": int(time.time()),
        "chat": chat,
        "from": user,
        "text": "/help",
        "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
    }
    return {"update_id": update_id, "message": message}


async def test_sigterm_after_a_burst_finishes_every_update_it_answered_200(
    fake: FakeTelegram, shipped_db: Path, tmp_path: Path
) -> None:
    """300 updates at once (Telegram's 40 connections), then SIGTERM. Replies go out at 30
    a second, so 300 need 10 s and the process has 8: the ones it could not finish must
    get a non-2xx answer (Telegram resends those), and every one answered 200 its reply."""
    process, _ = await start_webhook_process(fake, tmp_path, shipped_db)
    statuses: dict[int, int] = {}
    try:
        users = range(700_001, 700_301)
        for user in users:  # the fake must know the chats it will be asked to write to
            fake.private_chat(fake.user(user))
        connections = asyncio.Semaphore(40)

        async def deliver(update_id: int, user: int) -> None:
            async with connections:
                status, _ = await fake.deliver(help_update(update_id, user))
                statuses[user] = status

        await asyncio.gather(*(deliver(9_000 + n, user) for n, user in enumerate(users)))
        process.send_signal(signal.SIGTERM)
        await asyncio.sleep(0.5)
        late, _ = await fake.deliver(help_update(9_999, 700_001))
        assert late == 503  # stopping: not accepted, so Telegram will resend it
        _, stderr_bytes = await asyncio.wait_for(process.communicate(), 30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    stderr = stderr_bytes.decode()
    assert process.returncode == 0, stderr
    accepted = {user for user, status in statuses.items() if status == 200}
    refused = {user for user, status in statuses.items() if status != 200}
    answered = [c.params["chat_id"] for c in fake.sent("sendMessage") if c.status == 200]
    lost = accepted - set(answered)
    assert not lost, f"{len(lost)} of {len(accepted)} acknowledged updates never answered"
    assert sorted(answered) == sorted(accepted)  # each acknowledged update, exactly once
    assert refused and all(statuses[user] == 503 for user in refused)  # resent later
    assert "not handled in time" not in stderr and "Traceback" not in stderr


async def test_the_same_update_twice_gets_one_reply(
    fake: FakeTelegram, shipped_db: Path, tmp_path: Path
) -> None:
    process, _ = await start_webhook_process(fake, tmp_path, shipped_db)
    try:
        fake.private_chat(fake.user(700_500))
        update = help_update(77_777, 700_500)
        assert (await fake.deliver(update))[0] == 200
        assert (await fake.deliver(update))[0] == 200  # a retried delivery: acknowledged
        await fake.wait_for("sendMessage", timeout=10)
        fake.private_chat(fake.user(700_501))
        assert (await fake.deliver(help_update(77_778, 700_501)))[0] == 200
        await fake.wait_for("sendMessage", lambda c: c.params["chat_id"] == 700_501)
    finally:
        code, _, stderr = await stop_process(process)
    assert code == 0, stderr
    assert [c.params["chat_id"] for c in fake.sent("sendMessage")] == [700_500, 700_501]


# --- webhook: the secret off the command line, /metrics off the public port -----------------


async def test_the_webhook_secret_from_a_file_and_metrics_on_their_own_port(
    fake: FakeTelegram, shipped_db: Path, tmp_path: Path
) -> None:
    secret_file = tmp_path / "webhook-secret"
    secret_file.write_text("from-a-file_0123456789\n", encoding="utf-8")
    metrics_port = free_port()
    process, port = await start_webhook_process(
        fake,
        tmp_path,
        shipped_db,
        "--secret-token-file",
        str(secret_file),
        env={"EXCERPT_BOT_METRICS_PORT": str(metrics_port)},
    )
    try:
        assert fake.webhook is not None
        assert fake.webhook["secret_token"] == "from-a-file_0123456789"
        cmdline = Path(f"/proc/{process.pid}/cmdline").read_bytes()
        assert b"from-a-file" not in cmdline
        reply = await fake.answer_of(fake.message(QUOTE), timeout=10)
        assert "暴躁皮皮" in reply.result["text"]
        async with aiohttp.ClientSession() as session:
            public = f"http://127.0.0.1:{port}"
            private = f"http://127.0.0.1:{metrics_port}"
            async with session.get(f"{public}/metrics") as response:
                assert response.status == 404  # not on the port the Internet reaches
            async with session.get(f"{public}/healthz") as response:
                assert response.status == 200  # the load balancer's probe stays
            async with session.get(f"{private}/metrics") as response:
                assert response.status == 200
                assert 'excerpt_bot_updates_total{type="message"}' in await response.text()
    finally:
        code, _, stderr = await stop_process(process)
    assert code == 0, stderr
    assert "--secret-token shows" not in stderr


async def test_a_secret_on_the_command_line_is_warned_about(
    fake: FakeTelegram, shipped_db: Path, tmp_path: Path
) -> None:
    process, _ = await start_webhook_process(
        fake, tmp_path, shipped_db, "--secret-token", "on-the-command-line"
    )
    code, _, stderr = await stop_process(process)
    assert code == 0, stderr
    assert "--secret-token shows the webhook secret to every user" in stderr
