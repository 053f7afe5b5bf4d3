"""Tests of the fake Telegram Bot API itself (tests/support/: its rules and its server).

The bot's end-to-end tests trust this fake to reject what Telegram rejects and to accept what
it accepts, so its validator is pinned down table by table here, and a real
``telegram.Bot`` / ``Application`` is driven through it over HTTP to prove the wire format,
the error mapping (InvalidToken, RetryAfter, BadRequest, Conflict), long polling and webhooks.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    MessageEntity,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import Application, CommandHandler, ContextTypes

from tests.support.fake_bot_api import BOT_USERNAME, TOKEN, Call, FakeTelegram
from tests.support.telegram_rules import (
    ApiError,
    HtmlError,
    check_message_text,
    parse_html,
    utf16_len,
    validate_commands,
    validate_inline_answer,
    validate_reply_markup,
)

GRIN = "\N{GRINNING FACE}"  # outside the BMP: 2 UTF-16 units


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=f"{fake.base_url}/bot") as client:
        yield client


def article(result_id: str, text: str = "passage", **extra: Any) -> dict[str, Any]:
    content = {"message_text": text, "parse_mode": "HTML"}
    return {
        "type": "article",
        "id": result_id,
        "title": "t",
        "input_message_content": content,
    } | extra


# --- the HTML validator -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("html", "text", "entities"),
    [
        ("plain", "plain", []),
        (
            "<b>bold <i>both</i></b>",
            "bold both",
            [
                {"type": "bold", "offset": 0, "length": 9},
                {"type": "italic", "offset": 5, "length": 4},
            ],
        ),
        (
            '<a href="https://example.com/a?x=1&amp;y=2">link</a>',
            "link",
            [
                {
                    "type": "text_link",
                    "offset": 0,
                    "length": 4,
                    "url": "https://example.com/a?x=1&y=2",
                }
            ],
        ),
        (
            "<blockquote expandable>long quote</blockquote>",
            "long quote",
            [{"type": "expandable_blockquote", "offset": 0, "length": 10}],
        ),
        ("<blockquote>q</blockquote>", "q", [{"type": "blockquote", "offset": 0, "length": 1}]),
        ("fish &amp; chips &lt;3 &gt; &quot;x&quot;", 'fish & chips <3 > "x"', []),
        ("&#128512; &#x1F600;", f"{GRIN} {GRIN}", []),
        # Offsets count UTF-16 units: the emoji before the bold text counts 2.
        (f"{GRIN}<b>粗体</b>", f"{GRIN}粗体", [{"type": "bold", "offset": 2, "length": 2}]),
        (
            '<pre><code class="language-python">x = 1</code></pre>',
            "x = 1",
            [{"type": "pre", "offset": 0, "length": 5, "language": "python"}],
        ),
        ("<code>a &lt; b</code>", "a < b", [{"type": "code", "offset": 0, "length": 5}]),
        (
            '<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>',
            "st",
            [
                {"type": "spoiler", "offset": 0, "length": 1},
                {"type": "spoiler", "offset": 1, "length": 1},
            ],
        ),
        (
            "<s>x</s><u>y</u><em>z</em>",
            "xyz",
            [
                {"type": "strikethrough", "offset": 0, "length": 1},
                {"type": "underline", "offset": 1, "length": 1},
                {"type": "italic", "offset": 2, "length": 1},
            ],
        ),
        ("<b></b>empty tags leave no entity", "empty tags leave no entity", []),
        (
            '<a href="tg://user?id=1">u</a>',
            "u",
            [{"type": "text_link", "offset": 0, "length": 1, "url": "tg://user?id=1"}],
        ),
    ],
)
def test_html_accepted(html: str, text: str, entities: list[dict[str, Any]]) -> None:
    assert parse_html(html) == (text, entities)
    assert check_message_text(html, "HTML") == (text, entities)


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("<script>x</script>", 'Unsupported start tag "script"'),
        ("<b>unclosed", "Can't find end tag"),
        ("<b>x</i>", "Unmatched end tag"),
        ("x</b>", "Unexpected end tag"),
        ("fish & chips", 'Unescaped "&"'),
        ("a&nbsp;b", "Unsupported HTML entity"),
        ("&amp without semicolon", 'Unescaped "&"'),
        ("1 < 2", 'Unsupported start tag ""'),
        ("2 > 1", 'Unescaped ">"'),
        ("<blockquote>a<blockquote>b</blockquote></blockquote>", "can't be nested"),
        ("<code><b>x</b></code>", 'can\'t be nested inside "code"'),
        ("<pre><i>x</i></pre>", 'can\'t be nested inside "pre"'),
        ('<code class="language-py">x</code>', "directly inside <pre>"),
        ("<a>no href</a>", 'must have a non-empty "href"'),
        ('<a href="javascript:alert(1)">x</a>', "Unsupported URL"),
        ('<a href="https://x.y/?a=1&b=2">x</a>', 'Unescaped "&"'),
        ('<span class="red">x</span>', 'must have class "tg-spoiler"'),
        ('<b class="x">x</b>', 'Unsupported attribute "class"'),
        ("<br>", 'Unsupported start tag "br"'),
        ("<tg-emoji>x</tg-emoji>", "emoji-id"),
        ("&#0;", "Invalid numeric HTML entity"),
        ("&#X41;", 'Unescaped "&"'),
    ],
)
def test_html_rejected(html: str, reason: str) -> None:
    with pytest.raises(HtmlError, match=reason.replace("(", r"\(")):
        parse_html(html)
    with pytest.raises(ApiError) as caught:
        check_message_text(html, "HTML")
    assert caught.value.status == 400
    assert caught.value.violation
    assert caught.value.description.startswith("Bad Request: can't parse entities: ")


@pytest.mark.parametrize(
    ("text", "ok", "description"),
    [
        ("x" * 4096, True, ""),
        ("x" * 4097, False, "message is too long"),
        (GRIN * 2048, True, ""),
        (GRIN * 4096, False, "message is too long"),  # 4096 characters, 8192 UTF-16 units
        ("<b>" + "x" * 4096 + "</b>", True, ""),  # tags don't count
        ("   \n\t ", False, "message text is empty"),
        ("<b> </b>", False, "message text is empty"),
        ("", False, "message text is empty"),
        ("nul\x00byte", False, "NUL"),
        ("lone \ud800 surrogate", False, "UTF-8"),
    ],
)
def test_text_length_and_content(text: str, ok: bool, description: str) -> None:
    if ok:
        visible, _ = check_message_text(text, "HTML")
        assert utf16_len(visible) <= 4096
        return
    with pytest.raises(ApiError, match=description):
        check_message_text(text, "HTML")


def test_too_long_violation_counts_utf16_units() -> None:
    with pytest.raises(ApiError) as caught:
        check_message_text(GRIN * 4096, None)
    assert caught.value.detail == "text is 8192 UTF-16 units (max 4096)"


def test_sent_text_is_trimmed_like_telegram() -> None:
    assert check_message_text("\n\n  <b>x</b>  \n", "HTML") == (
        "  x",
        [{"type": "bold", "offset": 2, "length": 1}],
    )


def keyboard(*buttons: dict[str, Any]) -> dict[str, Any]:
    return {"inline_keyboard": [list(buttons)]}


@pytest.mark.parametrize(
    ("markup", "problem"),
    [
        (keyboard({"text": "ok", "callback_data": "x" * 64}), None),
        (keyboard({"text": "ok", "callback_data": "字" * 21}), None),  # 63 bytes
        (keyboard({"text": "long", "callback_data": "x" * 65}), "BUTTON_DATA_INVALID"),
        (keyboard({"text": "long", "callback_data": "字" * 22}), "BUTTON_DATA_INVALID"),  # 66 bytes
        (keyboard({"text": "empty", "callback_data": ""}), "BUTTON_DATA_INVALID"),
        (keyboard({"text": "", "callback_data": "x"}), "text is empty"),
        (keyboard({"text": "bare"}), "Text buttons are unallowed"),
        (keyboard({"text": "two", "callback_data": "x", "url": "https://a.b"}), "exactly one"),
        (keyboard({"text": "u", "url": "https://example.com"}), None),
        (keyboard({"text": "u", "url": "tg://resolve?domain=x"}), None),
        (keyboard({"text": "u", "url": "ftp://example.com"}), "Wrong HTTP URL"),
        (keyboard({"text": "u", "url": "example.com"}), "Wrong HTTP URL"),
        (keyboard({"text": "s", "switch_inline_query_current_chat": ""}), None),
        ({"inline_keyboard": [[]]}, "row is empty"),
        (
            {"inline_keyboard": [[{"text": str(i), "callback_data": str(i)}] for i in range(101)]},
            "too long",
        ),
        ({"remove_keyboard": True}, None),
    ],
)
def test_reply_markup(markup: dict[str, Any], problem: str | None) -> None:
    if problem is None:
        validate_reply_markup(markup)
        return
    with pytest.raises(ApiError, match=problem):
        validate_reply_markup(markup)


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"results": [article(str(i)) for i in range(50)]}, None),
        ({"results": [article(str(i)) for i in range(51)]}, "RESULTS_TOO_MUCH"),
        ({"results": [article("a"), article("a")]}, "RESULT_ID_DUPLICATE"),
        ({"results": [article("x" * 65)]}, "RESULT_ID_INVALID"),
        ({"results": [article("")]}, "RESULT_ID_INVALID"),
        ({"results": [article("a") | {"type": "text"}]}, "RESULT_TYPE_INVALID"),
        ({"results": [{"type": "article", "id": "a", "title": "t"}]}, "input_message_content"),
        ({"results": [article("a", "a & b")]}, "can't parse entities"),
        ({"results": [article("a", "x" * 4097)]}, "message is too long"),
        (
            {
                "results": [
                    article("a", reply_markup=keyboard({"text": "k", "callback_data": "x" * 65}))
                ]
            },
            "BUTTON_DATA_INVALID",
        ),
        ({"results": [], "next_offset": "9" * 65}, "NEXT_OFFSET_INVALID"),
        ({"results": [], "cache_time": -1}, "cache_time"),
        ({"results": [], "button": {"text": "Open", "start_parameter": "from_inline"}}, None),
        (
            {"results": [], "button": {"text": "Open", "start_parameter": "bad param!"}},
            "START_PARAM",
        ),
        ({"results": [], "button": {"text": "Open"}}, "exactly one"),
    ],
)
def test_inline_answer_rules(params: dict[str, Any], problem: str | None) -> None:
    if problem is None:
        validate_inline_answer(params)
        return
    with pytest.raises(ApiError, match=problem):
        validate_inline_answer(params)


@pytest.mark.parametrize(
    ("commands", "problem"),
    [
        ([{"command": "search", "description": "找一段话"}], None),
        ([], "BOT_COMMANDS_TOO_MUCH"),
        ([{"command": f"c{i}", "description": "d"} for i in range(101)], "BOT_COMMANDS_TOO_MUCH"),
        ([{"command": "Search", "description": "d"}], "BOT_COMMAND_INVALID"),
        ([{"command": "/search", "description": "d"}], "BOT_COMMAND_INVALID"),
        ([{"command": "x" * 33, "description": "d"}], "BOT_COMMAND_INVALID"),
        ([{"command": "x", "description": ""}], "DESCRIPTION_INVALID"),
        ([{"command": "x", "description": "d" * 257}], "DESCRIPTION_INVALID"),
    ],
)
def test_command_rules(commands: list[dict[str, str]], problem: str | None) -> None:
    if problem is None:
        assert validate_commands({"commands": commands}) == commands
        return
    with pytest.raises(ApiError, match=problem):
        validate_commands({"commands": commands})


# --- a real telegram.Bot through the fake -----------------------------------------------------
async def test_get_me_and_wire_decoding(fake: FakeTelegram, bot: Bot) -> None:
    assert bot.username == BOT_USERNAME  # Bot.initialize() called getMe
    chat = fake.private_chat(fake.user())
    # PTB form-encodes: ints and bools json.dumps'ed, strings raw. "123" must stay a string.
    await bot.send_message(chat["id"], "123", disable_notification=True)
    call = fake.sent("sendMessage")[-1]
    assert call.params == {"chat_id": chat["id"], "text": "123", "disable_notification": True}
    assert call.status == 200
    assert fake.violations == []


async def test_send_message_html_returns_a_realistic_message(fake: FakeTelegram, bot: Bot) -> None:
    user = fake.user(7)
    incoming = fake.message("找一段话", user=user)["message"]
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("更多", callback_data="more:1")]])
    sent = await bot.send_message(
        user["id"],
        f'{GRIN} <b>粗体</b> <a href="https://example.com/?a=1&amp;b=2">来源</a>',
        parse_mode="HTML",
        reply_markup=markup,
        reply_to_message_id=incoming["message_id"],
    )
    assert sent.text == f"{GRIN} 粗体 来源"
    assert sent.entities == (
        MessageEntity("bold", 3, 2),
        MessageEntity("text_link", 6, 2, url="https://example.com/?a=1&b=2"),
    )
    assert sent.parse_entities() == {sent.entities[0]: "粗体", sent.entities[1]: "来源"}
    assert sent.reply_markup == markup
    assert sent.reply_to_message is not None
    assert sent.reply_to_message.message_id == incoming["message_id"]
    assert sent.from_user is not None and sent.from_user.username == BOT_USERNAME
    assert sent.message_id == incoming["message_id"] + 1  # one counter per chat
    [stored] = fake.chat_messages(user["id"])
    assert stored["text"] == sent.text
    assert stored["reply_markup"] == markup.to_dict()
    assert fake.violations == []


async def test_bad_html_is_a_bad_request_and_a_violation(fake: FakeTelegram, bot: Bot) -> None:
    chat = fake.private_chat(fake.user())
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(chat["id"], "fish & chips", parse_mode="HTML")
    assert fake.violations == ['sendMessage: text: Unescaped "&" at byte offset 5: write &amp;']
    assert fake.sent("sendMessage")[-1].status == 400


async def test_edits(fake: FakeTelegram, bot: Bot) -> None:
    chat = fake.private_chat(fake.user())
    sent = await bot.send_message(chat["id"], "<b>one</b>", parse_mode="HTML")
    edited = await bot.edit_message_text("two", chat["id"], sent.message_id)
    assert not isinstance(edited, bool) and edited.text == "two" and edited.edit_date
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("two", chat["id"], sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat["id"], 999)
    assert await bot.edit_message_text("inline", inline_message_id="abc") is True
    assert await bot.delete_message(chat["id"], sent.message_id)
    assert fake.chat_messages(chat["id"]) == []
    assert fake.violations == []  # state errors are not rule violations


async def test_get_updates_returns_and_confirms_pushed_updates(
    fake: FakeTelegram, bot: Bot
) -> None:
    first = fake.message("/search 字 词")
    second = fake.inline_query("春天")
    updates = await bot.get_updates(timeout=0)
    assert [u.update_id for u in updates] == [first["update_id"], second["update_id"]]
    assert updates[0].message is not None and updates[0].message.text == "/search 字 词"
    assert updates[0].message.entities == (MessageEntity("bot_command", 0, 7),)
    assert updates[1].inline_query is not None and updates[1].inline_query.query == "春天"
    # Not confirmed yet: the same updates again. Confirmed with offset: gone.
    assert len(await bot.get_updates(timeout=0)) == 2
    assert await bot.get_updates(offset=second["update_id"] + 1, timeout=0) == ()


async def test_get_updates_long_polls(fake: FakeTelegram, bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 <= time.monotonic() - started < 2.5

    async def push_later() -> None:
        await asyncio.sleep(0.2)
        fake.message("hi")

    started = time.monotonic()
    pusher = asyncio.create_task(push_later())
    updates = await bot.get_updates(timeout=5)
    await pusher
    assert len(updates) == 1 and time.monotonic() - started < 2


async def test_second_get_updates_terminates_the_first(fake: FakeTelegram, bot: Bot) -> None:
    # A second Bot: one Bot has a single-connection pool for getUpdates, so it can't overlap.
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)  # let the first long poll reach the fake
    async with Bot(TOKEN, base_url=f"{fake.base_url}/bot") as other:
        assert await other.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await first
    assert fake.violations == []


async def test_allowed_updates_filter(fake: FakeTelegram, bot: Bot) -> None:
    fake.message("dropped")
    kept = fake.inline_query("kept")
    updates = await bot.get_updates(timeout=0, allowed_updates=["inline_query"])
    assert [u.update_id for u in updates] == [kept["update_id"]]


async def test_wrong_token_is_invalid_token(fake: FakeTelegram) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("654321:WRONG-token", base_url=f"{fake.base_url}/bot"):
            pass
    assert fake.calls[-1].status == 401
    assert fake.violations == []


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_faults(fake: FakeTelegram, bot: Bot) -> None:
    chat = fake.private_chat(fake.user())
    fake.fail("sendMessage", status=429, retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(chat["id"], "x")
    # An int in PTB 22 (with a deprecation warning), a timedelta with PTB_TIMEDELTA=1.
    assert caught.value.retry_after in (7, dtm.timedelta(seconds=7))
    fake.fail("sendMessage", times=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await bot.send_message(chat["id"], "x")
    await bot.send_message(chat["id"], "x")  # faults used up
    fake.fail("sendMessage", status=200, delay=5)  # a slow Telegram, not an error
    with pytest.raises(TimedOut):
        await bot.send_message(chat["id"], "x", read_timeout=0.2)
    assert [c.status for c in fake.sent("sendMessage")] == [429, 500, 500, 200]


async def test_inline_query_answers(fake: FakeTelegram, bot: Bot) -> None:
    update = fake.inline_query("春")
    query_id = update["inline_query"]["id"]
    too_many = [
        InlineQueryResultArticle(str(i), "t", InputTextMessageContent("x")) for i in range(51)
    ]
    with pytest.raises(BadRequest, match=r"(?i)RESULTS_TOO_MUCH"):
        await bot.answer_inline_query(query_id, too_many)
    assert fake.violations == ["answerInlineQuery: 51 results (max 50)"]
    assert (await fake.answer_of(update)).status == 400
    fake.violations.clear()
    mark = fake.mark()
    content = InputTextMessageContent("<b>春</b>眠不觉晓", parse_mode="HTML")
    assert await bot.answer_inline_query(
        query_id, [InlineQueryResultArticle("p1", "春晓", content)], cache_time=0
    )
    answer = await fake.wait_for("answerInlineQuery", after=mark)
    assert answer.status == 200
    assert (
        answer.params["results"][0]["input_message_content"]["message_text"] == "<b>春</b>眠不觉晓"
    )
    assert answer.params["cache_time"] == 0
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_inline_query(query_id, [])
    assert fake.violations == [
        f"answerInlineQuery: answerInlineQuery called twice for query {query_id}"
    ]


async def test_callback_answers(fake: FakeTelegram, bot: Bot) -> None:
    chat = fake.private_chat(fake.user())
    sent = await bot.send_message(
        chat["id"],
        "page 1",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("next", callback_data="p:2")]]),
    )
    update = fake.callback("p:2", message=fake.chat_messages(chat["id"])[0])
    assert update["callback_query"]["message"]["message_id"] == sent.message_id
    with pytest.raises(BadRequest, match=r"(?i)MESSAGE_TOO_LONG"):
        await bot.answer_callback_query(update["callback_query"]["id"], "x" * 201)
    assert await bot.answer_callback_query(update["callback_query"]["id"], "ok")
    assert (await fake.answer_of(update)).status == 400  # the first answer was the bad one
    assert fake.violations == ["answerCallbackQuery: text is 201 UTF-16 units (max 200)"]


async def test_commands_are_stored_per_scope_and_language(fake: FakeTelegram, bot: Bot) -> None:
    await bot.set_my_commands([("search", "找一段话")], language_code="zh")
    assert await bot.get_my_commands() == ()
    [command] = await bot.get_my_commands(language_code="zh")
    assert (command.command, command.description) == ("search", "找一段话")
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([("Search", "x")])
    assert len(fake.violations) == 1


async def test_raw_requests(fake: FakeTelegram) -> None:
    """What non-PTB clients send: JSON bodies, GET query strings, unknown methods."""
    chat = fake.private_chat(fake.user())
    url = f"{fake.base_url}/bot{TOKEN}"
    async with aiohttp.ClientSession() as session:
        body = {"chat_id": chat["id"], "text": "<i>json</i>", "parse_mode": "HTML"}
        async with session.post(f"{url}/sendmessage", json=body) as response:
            answer = await response.json()
        assert answer["ok"] and answer["result"]["entities"][0]["type"] == "italic"
        async with session.get(f"{url}/getMe") as response:
            assert (await response.json())["result"]["username"] == BOT_USERNAME
        async with session.post(f"{url}/noSuchMethod") as response:
            assert response.status == 404
            assert await response.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found",
            }
        async with session.post(f"{url}/sendDice", data={"chat_id": "1"}) as response:
            assert (await response.json())["result"] is True
        async with session.post(
            f"{url}/sendMessage", data=b"{not json", headers={"Content-Type": "application/json"}
        ) as response:
            assert response.status == 400
        form = aiohttp.FormData({"chat_id": str(chat["id"]), "caption": "c"})
        form.add_field("document", b"%PDF", filename="a.pdf")
        async with session.post(f"{url}/sendDocument", data=form) as response:
            assert response.status == 200  # unimplemented: True plus a violation
        # A lone surrogate can only arrive JSON-escaped (PTB fails before sending one).
        raw = '{"chat_id": 1001, "text": "lone \\ud800"}'  # JSON escape, not a Python one
        async with session.post(
            f"{url}/sendMessage", data=raw, headers={"Content-Type": "application/json"}
        ) as response:
            assert response.status == 400
    assert fake.calls[0].method == "sendmessage"  # the case as sent
    upload = fake.sent("sendDocument")[0].params
    assert upload == {
        "chat_id": chat["id"],
        "caption": "c",
        "document": {"filename": "a.pdf", "content": b"%PDF"},
    }
    assert fake.violations[0] == "noSuchMethod: unknown Bot API method"
    assert fake.violations[1].startswith("sendDice: unimplemented method")
    assert fake.violations[2].startswith("sendMessage: malformed request")
    assert fake.violations[3].startswith("sendDocument: unimplemented method")
    assert fake.violations[4] == "sendMessage: text contains a lone surrogate"


async def test_webhook_mode(fake: FakeTelegram, bot: Bot) -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json())
        )
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/tg/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        pending = fake.message("sent before the webhook")
        with pytest.raises(BadRequest, match=r"(?i)HTTPS URL"):
            await bot.set_webhook("http://example.com/tg/hook")
        with pytest.raises(BadRequest, match=r"(?i)secret token"):
            await bot.set_webhook(f"http://127.0.0.1:{port}/tg/hook", secret_token="no spaces")
        fake.violations.clear()
        await bot.set_webhook(f"http://127.0.0.1:{port}/tg/hook", secret_token="s3cret_-")
        assert fake.webhook is not None and fake.webhook["secret_token"] == "s3cret_-"
        live = fake.message("sent after")
        await fake.wait_deliveries()
        assert [body["update_id"] for _, body in received] == [
            pending["update_id"],
            live["update_id"],
        ]
        assert {secret for secret, _ in received} == {"s3cret_-"}
        assert fake.webhook_statuses == [200, 200]
        assert await fake.deliver(live, secret=None) == (200, "ok")
        assert received[-1][0] is None
        status, _ = await fake.deliver(live, path="/elsewhere")
        assert status == 404
        info = await bot.get_webhook_info()
        assert info.url.endswith("/tg/hook") and info.pending_update_count == 0
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates()
        assert fake.violations == ["getUpdates: getUpdates while a webhook is set"]
        assert await bot.delete_webhook()
        assert fake.webhook is None
    finally:
        await runner.cleanup()


async def test_application_polling_end_to_end(fake: FakeTelegram) -> None:
    """A real Application with run-of-the-mill polling talks to the fake without violations."""

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_html("<b>你好</b>, reader", do_quote=True)

    app = Application.builder().token(TOKEN).base_url(f"{fake.base_url}/bot").build()
    app.add_handler(CommandHandler("start", start))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        update = fake.message("/start")
        answer = await fake.answer_of(update)
        await app.updater.stop()
        await app.stop()
    assert answer.status == 200
    assert answer.result["text"] == "你好, reader"
    assert answer.result["entities"] == [{"type": "bold", "offset": 0, "length": 2}]
    assert answer.params["reply_parameters"]["message_id"] == update["message"]["message_id"]
    assert answer.result["reply_to_message"]["text"] == "/start"
    assert [c.method for c in fake.calls[:2]] == ["getMe", "deleteWebhook"]
    assert fake.violations == []


def test_call_params_are_json_serialisable_for_summaries() -> None:
    # summary() is what a failing wait_for prints; it must never raise itself.
    fake = FakeTelegram()
    fake.calls.append(Call("x", {"file": {"filename": "a", "content": b"\x00"}}, 0.0, 200, None))
    assert "#0 x -> 200" in fake.summary()
    json.dumps(fake.bot_user)
