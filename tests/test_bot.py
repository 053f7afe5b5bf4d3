"""The bot as readers meet it: the real PTB Application polling a fake Bot API server.

Every request the bot makes is checked by the fake against Telegram's rules (HTML, 4,096
UTF-16 units, callback_data ≤ 64 bytes, ≤ 50 inline results…); each test ends by asserting
that nothing broke them.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from bot.handlers import BotApplication

from .conftest import DATA, SHIPPED_CORPUS, build_db
from .support.fake_bot_api import BOT_USERNAME, FakeTelegram
from .support.harness import (
    ask,
    button_showing,
    find_button,
    has_button,
    keyboard,
    polling_bot,
    press,
    press_for_edit,
    text_of,
)

QUOTE = "托派很擅长篡改历史"  # in the shipped post, by 暴躁皮皮
COMMON = "革命"  # dozens of passages


async def test_commands_are_registered_in_both_languages(
    fake: FakeTelegram, bot: BotApplication
) -> None:
    calls = [c for c in fake.sent("setMyCommands")]
    languages = {c.params.get("language_code", "") for c in calls}
    assert languages == {"", "en"}
    default = next(
        c for c in calls if not c.params.get("language_code") and "scope" not in c.params
    )
    names = {c["command"] for c in default.params["commands"]}
    assert {"search", "random", "sources", "help", "about", "start"} <= names
    assert any(c.params.get("scope", {}).get("type") == "all_group_chats" for c in calls)


async def test_private_text_is_a_search_with_quote_author_and_source(
    fake: FakeTelegram, bot: BotApplication
) -> None:
    reply = await ask(fake, "理论再正确，没有能力落室")  # a typo for 落实
    call = fake.sent("sendMessage")[-1]
    html = call.params["text"]
    assert "<blockquote" in html and "<b>" in html
    assert call.params["link_preview_options"]["is_disabled"] is True
    assert call.params["parse_mode"] == "HTML"
    assert "没有能力落实" in reply["text"]
    assert re.search(r"— .+ · ", reply["text"])  # — author · source
    links = [e for e in reply["entities"] if e["type"] == "text_link"]
    assert links and links[0]["url"].startswith("http")
    assert any(
        e["type"] == "blockquote" or e["type"] == "expandable_blockquote" for e in reply["entities"]
    )


async def test_search_command_and_usage(fake: FakeTelegram, bot: BotApplication) -> None:
    reply = await ask(fake, f"/search {QUOTE}")
    assert QUOTE in reply["text"] and "暴躁皮皮" in reply["text"]
    usage = await ask(fake, "/search")
    assert "/search" in usage["text"] and "例如" in usage["text"]
    english = fake.user(2002, language_code="en")
    usage_en = await ask(fake, "/search   ", user=english)
    assert "for example" in usage_en["text"]


async def test_nothing_found_says_so_and_suggests(fake: FakeTelegram, bot: BotApplication) -> None:
    reply = await ask(fake, "量子色动力学的渐近自由")
    assert "没有找到" in reply["text"] and "量子色动力学" in reply["text"]
    assert keyboard(reply) == []


async def test_start_welcomes_with_examples_and_inline_button(
    fake: FakeTelegram, bot: BotApplication
) -> None:
    reply = await ask(fake, "/start")
    assert "你好" in reply["text"] and f"@{BOT_USERNAME}" in reply["text"]
    examples = [b for b in keyboard(reply) if "callback_data" in b]
    assert 2 <= len(examples) <= 3
    assert any("switch_inline_query" in b for b in keyboard(reply))
    # Pressing an example runs that search.
    mark = fake.mark()
    fake.callback(examples[0]["callback_data"], message=reply)
    found = await fake.wait_for("sendMessage", after=mark)
    assert "<blockquote" in found.params["text"]
    example_words = examples[0]["text"].removeprefix("🔎 ")
    assert example_words in text_of(found)


async def test_english_interface(fake: FakeTelegram, bot: BotApplication) -> None:
    reader = fake.user(3003, language_code="en")
    reply = await ask(fake, "/start", user=reader)
    assert "Hello" in reply["text"]
    help_text = (await ask(fake, "/help", user=reader))["text"]
    assert f"@{BOT_USERNAME}" in help_text and "/random" in help_text


async def test_help_lists_every_command_with_the_real_username(
    fake: FakeTelegram, bot: BotApplication
) -> None:
    reply = await ask(fake, "/help")
    for command in ("/search", "/random", "/sources", "/about", "/help"):
        assert command in reply["text"]
    assert f"@{BOT_USERNAME}" in reply["text"]


async def test_paging_through_matches_with_counter(fake: FakeTelegram, bot: BotApplication) -> None:
    first = await ask(fake, COMMON)
    counter = find_button(first, "counter", n=1)["text"]
    total = int(re.search(r"/(\d+)", counter).group(1))  # type: ignore[union-attr]
    assert total > 20
    assert not has_button(first, "btn_prev")

    mark = fake.mark()
    edit = await press_for_edit(fake, first, "btn_next")
    second = edit.result
    assert has_button(second, "counter", n=2, total=total)
    assert second["text"] != first["text"]
    answer = await fake.wait_for("answerCallbackQuery", after=mark)
    assert not answer.params.get("text")

    back = await press_for_edit(fake, second, "btn_prev")
    assert back.result["text"] == first["text"]

    # The counter button does nothing but answer.
    mark = fake.mark()
    await press(fake, first, "counter", n=1, total=total)
    await fake.wait_for("answerCallbackQuery", after=mark)
    await asyncio.sleep(0.2)
    assert not [c for c in fake.calls[mark:] if c.method == "editMessageText"]


async def test_share_button_opens_inline_mode_with_the_query(
    fake: FakeTelegram, bot: BotApplication
) -> None:
    reply = await ask(fake, QUOTE)
    share = find_button(reply, "btn_share")
    assert share["switch_inline_query"] == QUOTE


async def test_context_shows_neighbours_and_back_returns(
    fake: FakeTelegram, bot: BotApplication, shipped_db: Path
) -> None:
    reply = await ask(fake, "理论再正确，没有能力落室")
    edit = await press_for_edit(fake, reply, "btn_context")
    context_text = edit.result["text"]
    assert len(context_text) > len(reply["text"])
    assert "没有能力落实" in context_text
    mark = fake.mark()
    await press(fake, edit.result, "btn_back")
    back = await fake.wait_for("editMessageText", after=mark)
    assert back.result["text"] == reply["text"]


async def test_whole_section_is_sent_in_messages_within_the_limit(
    fake: FakeTelegram, bot: BotApplication
) -> None:
    reply = await ask(fake, "托洛茨基就发了失心疯")
    mark = fake.mark()
    await press(fake, reply, "btn_section")
    await fake.wait_for("answerCallbackQuery", after=mark)
    first = await fake.wait_for("sendMessage", after=mark)
    parts = [c for c in fake.calls[mark:] if c.method == "sendMessage"]
    assert parts and first in parts
    whole = "".join(text_of(c) for c in parts)
    assert "托洛茨基就发了失心疯" in whole
    assert all(len(text_of(c).encode("utf-16-le")) // 2 <= 4096 for c in parts)


async def test_section_longer_than_one_message_is_split(fake: FakeTelegram, tmp_path: Path) -> None:
    post = tmp_path / "long.md"
    paragraphs = [f"第{i}段。" + "长文本的句子在这里重复出现。" * 50 for i in range(16)]
    post.write_text(
        "---\ntitle: 长文\nauthor: 测试者\n---\n\n## 一节\n\n" + "\n\n".join(paragraphs)
    )
    db = await asyncio.to_thread(build_db, [tmp_path], tmp_path / "long.db")
    async with polling_bot(fake, db):
        reply = await ask(fake, "第3段。长文本的句子")
        mark = fake.mark()
        await press(fake, reply, "btn_section")
        await fake.wait_for("answerCallbackQuery", after=mark)
        await fake.wait_for("sendMessage", lambda c: "测试者" in text_of(c), after=mark, timeout=10)
        parts = [text_of(c) for c in fake.calls[mark:] if c.method == "sendMessage"]
    assert len(parts) >= 3
    assert "第0段" in parts[0] and "第15段" in parts[-1]
    assert all(len(p.encode("utf-16-le")) // 2 <= 4096 for p in parts)


async def test_buttons_work_after_a_restart(fake: FakeTelegram, shipped_db: Path) -> None:
    """No server-side session: a reply from one process is paged by the next one."""
    async with polling_bot(fake, shipped_db):
        first = await ask(fake, COMMON)
    async with polling_bot(fake, shipped_db):
        edit = await press_for_edit(fake, first, "btn_next")
        assert has_button(edit.result, "counter", n=2)


async def test_deep_links_open_a_passage_and_bad_ones_get_a_friendly_reply(
    fake: FakeTelegram, bot: BotApplication
) -> None:
    inline = fake.inline_query(QUOTE)
    answer = await fake.answer_of(inline)
    url = answer.params["results"][0]["reply_markup"]["inline_keyboard"][0][0]["url"]
    payload = url.split("?start=")[1]
    assert url.startswith(f"https://t.me/{BOT_USERNAME}?start=p_")
    opened = await ask(fake, f"/start {payload}")
    assert QUOTE in opened["text"]
    assert has_button(opened, "btn_context")
    for bad in ("p_aaaaaaaaaaaaa", "p_%%%", "p_" + "x" * 300, "whatever", "p_"):
        reply = await ask(fake, f"/start {bad}")
        assert "链接无效" in reply["text"], bad


async def test_random_and_another(fake: FakeTelegram, bot: BotApplication) -> None:
    reply = await ask(fake, "/random")
    assert "<blockquote" in fake.sent("sendMessage")[-1].params["text"]
    mark = fake.mark()
    await press(fake, reply, "btn_random")
    another = await fake.wait_for("sendMessage", after=mark)
    assert "<blockquote" in another.params["text"]


async def test_sources_lists_documents_with_pages(fake: FakeTelegram, tmp_path: Path) -> None:
    db = await asyncio.to_thread(
        build_db, [DATA / "hexo-sample" / "source", SHIPPED_CORPUS], tmp_path / "many.db"
    )
    async with polling_bot(fake, db):
        reply = await ask(fake, "/sources")
        assert "共 68 篇" in reply["text"] and "第 1/5 页" in reply["text"]
        assert sum(e["type"] == "text_link" for e in reply["entities"]) >= 10
        mark = fake.mark()
        fake.callback(button_showing(reply, "▶")["callback_data"], message=reply)
        edit = await fake.wait_for("editMessageText", after=mark)
        assert "第 2/5 页" in edit.result["text"] and "16. " in edit.result["text"]


async def test_about_shows_size_build_time_and_version(
    fake: FakeTelegram, bot: BotApplication
) -> None:
    from bot import __version__

    reply = await ask(fake, "/about")
    assert "1 篇文章" in reply["text"] and __version__ in reply["text"]


# --- groups ---------------------------------------------------------------------------------


async def test_group_search_replies_to_the_asker_and_ignores_chatter(
    fake: FakeTelegram, bot: BotApplication
) -> None:
    group = fake.group_chat()
    asker, other = fake.user(4001), fake.user(4002, first_name="Other")
    mark = fake.mark()
    fake.message("今天天气不错，革命不是请客吃饭", chat=group, user=other)  # chatter
    fake.message("/search@some_other_bot 革命", chat=group, user=other)
    update = fake.message(f"/search@{BOT_USERNAME} {QUOTE}", chat=group, user=asker)
    call = await fake.answer_of(update)
    sent = [c for c in fake.calls[mark:] if c.method == "sendMessage"]
    assert sent == [call]  # only the command addressed to us was answered
    asked_id = update["message"]["message_id"]
    assert call.params["reply_parameters"]["message_id"] == asked_id
    reply = call.result
    assert QUOTE in reply["text"]

    # Another member cannot page the asker's reply.
    mark = fake.mark()
    press_update = await press(fake, reply, "btn_context", user=other)
    answer = await fake.answer_of(press_update)
    assert "别人" in answer.params["text"]
    assert not [c for c in fake.calls[mark:] if c.method == "editMessageText"]


async def test_group_search_as_a_reply_searches_the_replied_message(
    fake: FakeTelegram, bot: BotApplication
) -> None:
    group = fake.group_chat()
    original = fake.message(QUOTE + "，这句话出自哪里？", chat=group, user=fake.user(4003))
    reply = await ask(fake, "/search", chat=group, reply_to=original["message"])
    assert "暴躁皮皮" in reply["text"]


# --- inline mode ----------------------------------------------------------------------------


async def test_inline_query_pages_through_every_match(
    fake: FakeTelegram, bot: BotApplication
) -> None:
    offset, seen, pages = "", [], 0
    while True:
        answer = await fake.answer_of(fake.inline_query(COMMON, offset=offset))
        params = answer.params
        assert params.get("is_personal") in (None, False)
        assert int(params["cache_time"]) > 0
        ids = [r["id"] for r in params["results"]]
        assert len(ids) <= 50 and ids
        seen.extend(ids)
        for result in params["results"]:
            assert result["title"] and result["description"]
            assert result["input_message_content"]["parse_mode"] == "HTML"
            assert "<blockquote" in result["input_message_content"]["message_text"]
        pages += 1
        offset = params.get("next_offset", "")
        if not offset:
            break
    assert pages >= 3 and len(seen) == len(set(seen)) > 40


async def test_inline_result_is_the_reply_format_with_source(
    fake: FakeTelegram, bot: BotApplication
) -> None:
    answer = await fake.answer_of(fake.inline_query(QUOTE))
    top = answer.params["results"][0]
    content = top["input_message_content"]["message_text"]
    assert (
        QUOTE in re.sub(r"<[^>]+>", "", content) and "暴躁皮皮" in content and "<a href=" in content
    )
    assert QUOTE[:4] in top["description"]


async def test_empty_inline_query_shows_random_passages_and_help(
    fake: FakeTelegram, bot: BotApplication
) -> None:
    answer = await fake.answer_of(fake.inline_query(""))
    assert 1 <= len(answer.params["results"]) <= 5
    assert answer.params["button"]["start_parameter"] == "help"
    nothing = await fake.answer_of(fake.inline_query("量子色动力学的渐近自由"))
    assert nothing.params["results"] == [] and nothing.params["button"]["start_parameter"]


async def test_inline_flooder_is_throttled_but_others_are_served(
    fake: FakeTelegram, bot: BotApplication
) -> None:
    flooder, reader = fake.user(5001), fake.user(5002)
    started = asyncio.get_running_loop().time()
    floods = [fake.inline_query(f"革命{i}", user=flooder) for i in range(30)]
    normal = fake.inline_query(QUOTE, user=reader)
    assert (await fake.answer_of(normal)).params["results"]
    await asyncio.sleep(1.0)  # the flooder's newest query is answered when the bucket refills
    elapsed = asyncio.get_running_loop().time() - started
    answered_ids = {c.params["inline_query_id"] for c in fake.sent("answerInlineQuery")}
    flood_answers = sum(u["inline_query"]["id"] in answered_ids for u in floods)
    burst, rate = bot.bot_data.inline_throttle.burst, bot.bot_data.inline_throttle.rate
    # The burst, what refilled meanwhile, and nothing more (however slow this machine is).
    assert 1 <= flood_answers <= burst + rate * elapsed + 1
    assert flood_answers < 30 // 2


async def test_long_inline_query_is_fine(fake: FakeTelegram, bot: BotApplication) -> None:
    answer = await fake.answer_of(fake.inline_query(("革命不是请客吃饭，" * 30)[:256]))
    assert answer.status == 200


# --- bad updates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "<b>革命</b> & <script>alert(1)</script> &amp; &nbsp;",
        "\u202e托派很擅长篡改历史\u200b\u200f",
        "革\x00命\x07不是\x1b请客吃饭",
        "革命不是请客\ud800吃饭",
        "革" * 4096,
        "🙂" * 2000,
        "   ",
    ],
    ids=["html", "rtl-zero-width", "control", "lone-surrogate", "4096", "emoji", "spaces"],
)
async def test_strange_text_gets_a_valid_reply(
    fake: FakeTelegram, bot: BotApplication, text: str
) -> None:
    reply = await ask(fake, text)
    assert reply["text"] and "出了点问题" not in reply["text"]


async def test_invisible_marks_do_not_hide_a_match(fake: FakeTelegram, bot: BotApplication) -> None:
    reply = await ask(fake, "\u202e托\u200b派很擅长篡改历史\u200f")
    assert "暴躁皮皮" in reply["text"]


async def test_non_text_edits_and_channel_posts(fake: FakeTelegram, bot: BotApplication) -> None:
    sticker = {
        "sticker": {
            "file_id": "x",
            "file_unique_id": "y",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
    }
    reply = await ask(fake, None, extra=sticker)
    assert "只能搜索文字" in reply["text"]
    mark = fake.mark()
    fake.message(QUOTE, edited=True)
    fake.message(QUOTE, channel=True)
    fake.message(None, chat=fake.group_chat(), extra=sticker)
    fake.message("/frobnicate", chat=fake.group_chat())
    # A later message is answered, and nothing was sent for the four above.
    last = fake.message("/help")
    await fake.answer_of(last)
    sent = [c for c in fake.calls[mark:] if c.method == "sendMessage"]
    assert len(sent) == 1


async def test_unknown_command_in_private(fake: FakeTelegram, bot: BotApplication) -> None:
    reply = await ask(fake, "/frobnicate")
    assert "/help" in reply["text"]


@pytest.mark.parametrize(
    "data",
    [
        "",
        "x",
        "pg|0|1|AAAAAA",
        "pg|1001|999|AAAAAA",
        "|" * 64,
        "💥" * 16,
        "pg|0|1|ü",
        "sc|1001|abcdefghijklm|签名",
        "pg|1001|²|AAAAAA",
    ],
)
async def test_forged_callback_data_gets_a_polite_answer(
    fake: FakeTelegram, bot: BotApplication, data: str
) -> None:
    reply = await ask(fake, QUOTE)
    update = fake.callback(data, message=reply)
    answer = await fake.answer_of(update)
    assert "失效" in answer.params["text"]


async def test_valid_data_from_another_chat_is_rejected(
    fake: FakeTelegram, bot: BotApplication
) -> None:
    """A signature binds the data to its chat: copying a button elsewhere does nothing."""
    reply = await ask(fake, COMMON)
    data = find_button(reply, "btn_next")["callback_data"]
    elsewhere = await ask(fake, COMMON, user=fake.user(6006))
    answer = await fake.answer_of(fake.callback(data, message=elsewhere, user=fake.user(6006)))
    assert "失效" in answer.params["text"]


async def test_a_button_on_a_result_from_an_older_database(
    fake: FakeTelegram, tmp_path: Path, shipped_db: Path
) -> None:
    """Passages that are gone get "no longer in the collection", not an error."""
    async with polling_bot(fake, shipped_db):
        reply = await ask(fake, QUOTE)
    other = await asyncio.to_thread(
        build_db, [DATA / "hexo-sample" / "source"], tmp_path / "other.db"
    )
    async with polling_bot(fake, other):
        answer = await fake.answer_of(await press(fake, reply, "btn_context"))
        assert "不在文集" in answer.params["text"]


@pytest.mark.parametrize("offset", ["²", "abc", "99999999", "-1", "1e3", " 20"])
async def test_garbage_inline_offsets_end_the_list(
    fake: FakeTelegram, bot: BotApplication, offset: str
) -> None:
    answer = await fake.answer_of(fake.inline_query(COMMON, offset=offset))
    assert answer.params["results"] == [] and not answer.params.get("next_offset")


async def test_fast_typing_gets_the_last_query_answered(
    fake: FakeTelegram, bot: BotApplication
) -> None:
    """Throttled inline queries are not dropped blindly: the newest one is answered when the
    reader's bucket refills, so the results match what they typed last."""
    typist = fake.user(8008)
    prefixes = [QUOTE[: i + 1] for i in range(len(QUOTE))] * 2  # 18 queries in a burst
    updates = [fake.inline_query(p, user=typist) for p in prefixes]
    last = await fake.answer_of(updates[-1], timeout=5)
    assert QUOTE in str(last.params["results"][0]["input_message_content"])
    answered = {c.params["inline_query_id"] for c in fake.sent("answerInlineQuery")}
    assert sum(u["inline_query"]["id"] in answered for u in updates) < len(updates)


async def test_back_from_context_on_a_random_passage_keeps_the_dice(
    fake: FakeTelegram, bot: BotApplication
) -> None:
    reply = await ask(fake, "/random")
    context_view = (await press_for_edit(fake, reply, "btn_context")).result
    back = (await press_for_edit(fake, context_view, "btn_back")).result
    assert back["text"] == reply["text"]
    assert has_button(back, "btn_random")


async def test_every_button_on_a_deep_linked_passage(
    fake: FakeTelegram, bot: BotApplication
) -> None:
    answer = await fake.answer_of(fake.inline_query(QUOTE))
    payload = answer.params["results"][0]["reply_markup"]["inline_keyboard"][0][0]["url"]
    opened = await ask(fake, "/start " + payload.split("?start=")[1])
    share = find_button(opened, "btn_share")["switch_inline_query"]
    assert share and share in QUOTE + opened["text"]
    mark = fake.mark()
    await press(fake, opened, "btn_section")
    await fake.wait_for("sendMessage", after=mark)
    context_view = (await press_for_edit(fake, opened, "btn_context")).result
    back = (await press_for_edit(fake, context_view, "btn_back")).result
    assert back["text"] == opened["text"]


async def test_button_mashing_is_answered_not_left_spinning(
    fake: FakeTelegram, bot: BotApplication
) -> None:
    reply = await ask(fake, COMMON)
    data = find_button(reply, "counter", n=1)["callback_data"]
    presses = [fake.callback(data, message=reply) for _ in range(30)]
    answers = [await fake.answer_of(p) for p in presses]
    assert all(a.status == 200 for a in answers)
    assert any("太快" in (a.params.get("text") or "") for a in answers)


async def test_own_inline_results_captions_and_service_messages(
    fake: FakeTelegram, bot: BotApplication
) -> None:
    mark = fake.mark()
    via = {"via_bot": fake.bot_user}
    fake.message(QUOTE, extra=via)  # a reader sent one of our inline results here
    fake.message(
        None,
        extra={
            "pinned_message": {"message_id": 1, "date": 0, "chat": {"id": 1001, "type": "private"}}
        },
    )
    photo = {
        "photo": [{"file_id": "p", "file_unique_id": "u", "width": 1, "height": 1}],
        "caption": QUOTE,
    }
    captioned = fake.message(None, extra=photo)
    reply = await fake.answer_of(captioned)
    assert "暴躁皮皮" in reply.result["text"]
    await asyncio.sleep(0.3)
    assert [c for c in fake.calls[mark:] if c.method == "sendMessage"] == [reply]


async def test_english_buttons_and_sources(fake: FakeTelegram, bot: BotApplication) -> None:
    reader = fake.user(9009, language_code="en")
    reply = await ask(fake, COMMON, user=reader)
    for key in ("btn_next", "btn_context", "btn_share", "counter"):
        assert has_button(reply, key, language="en"), key
    nothing = await ask(fake, "量子色动力学的渐近自由", user=reader)
    assert "Nothing in the collection" in nothing["text"]
    about = await ask(fake, "/about", user=reader)
    # Counted the English way, singular and plural: "1 article, 99 passages, 18,452 characters".
    assert re.search(
        r"Collection: 1 article, \d+ passages, \d{2},\d{3} characters\n", about["text"]
    )


def test_examples_are_plain_words_that_fit_a_button() -> None:
    from bot.handlers import pick_examples

    from .test_render import passage

    picked = pick_examples(
        [passage("名称|数量|单位，这是一个表格行"), passage("第二个段落里的一句话，还有别的")]
    )
    assert picked and all("|" not in e and 5 <= len(e) <= 12 for e in picked)


async def test_pinyin_in_chat_search_and_inline(fake: FakeTelegram, bot: BotApplication) -> None:
    pinyin = "tuopai hen shanchang cuangai lishi"
    for text in (pinyin, f"/search {pinyin.upper()}"):
        reply = await ask(fake, text)
        assert QUOTE in reply["text"] and "暴躁皮皮" in reply["text"]
    answer = await fake.answer_of(fake.inline_query("tuopaihenshanchang"))
    content = answer.params["results"][0]["input_message_content"]["message_text"]
    assert QUOTE in re.sub(r"<[^>]+>", "", content)


async def test_paging_a_short_query_needs_nothing_but_the_button(
    fake: FakeTelegram, bot: BotApplication
) -> None:
    """The query rides in the button when it fits, so paging works even if the message
    comes back without its keyboard."""
    first = await ask(fake, COMMON)
    data = find_button(first, "btn_next")["callback_data"]
    bare = {k: v for k, v in first.items() if k != "reply_markup"}
    mark = fake.mark()
    fake.callback(data, message=bare)
    edit = await fake.wait_for("editMessageText", after=mark)
    assert has_button(edit.result, "counter", n=2)
