"""What a reader notices, through the real bot and the fake Bot API: the welcome in a group,
the copy button, small talk, and long lists one can jump through."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.handlers import BotApplication
from bot.i18n import Language, t
from bot.render import utf16_len

from .conftest import build_db
from .support.fake_bot_api import BOT_USERNAME, FakeTelegram
from .support.harness import (
    ask,
    button_showing,
    find_button,
    keyboard,
    polling_bot,
    press_for_edit,
    text_of,
)

QUOTE = "托派很擅长篡改历史"  # in the shipped post, by 暴躁皮皮

# --- /start in a group ----------------------------------------------------------------------


async def test_start_in_a_group_explains_the_group_ways_in(
    fake: FakeTelegram, bot: BotApplication
) -> None:
    group = fake.group_chat()
    for language, private_words in (("zh", "直接发给我"), ("en", "Send me a phrase")):
        user = fake.user(4101 if language == "zh" else 4102, language_code=language)
        welcome = await ask(fake, f"/start@{BOT_USERNAME}", chat=group, user=user)
        text = welcome["text"]
        # Text is ignored in a group, so the private-chat advice would not work there.
        assert private_words not in text
        assert f"/search@{BOT_USERNAME}" in text  # the command, addressed to this bot
        assert f"@{BOT_USERNAME} " in text.replace(f"/search@{BOT_USERNAME}", "")  # inline
        assert any("switch_inline_query" in b for b in keyboard(welcome))
    private = await ask(fake, "/start")
    assert "直接发给我" in private["text"]


# --- the copy button ------------------------------------------------------------------------

ATTRIBUTION = "— 暴躁皮皮 · 关于托洛茨基主义的几篇评论, https://zhuanlan.zhihu.com/p/425112851"


def copied(message: dict[str, Any], language: Language = "zh") -> str:
    """What the message's copy button puts on the clipboard (checked: one, 1-256 units)."""
    text: str = find_button(message, "btn_copy", language=language)["copy_text"]["text"]
    assert 1 <= utf16_len(text) <= 256  # Telegram's limit for copy_text
    return text


async def test_a_search_reply_copies_the_passage_with_its_attribution(
    fake: FakeTelegram, bot: BotApplication
) -> None:
    reply = await ask(fake, QUOTE)
    passage = reply["text"].split("\n")[1]  # under the heading line: the quote itself
    assert QUOTE in passage
    assert copied(reply) == f"{passage}\n{ATTRIBUTION}"
    english = await ask(fake, QUOTE, user=fake.user(4201, language_code="en"))
    assert copied(english, "en") == f"{passage}\n{ATTRIBUTION}"


async def test_a_long_passage_is_copied_around_the_match_with_the_attribution_whole(
    fake: FakeTelegram, bot: BotApplication
) -> None:
    # The last sentence of the longest passage (567 characters) of the shipped post.
    reply = await ask(fake, "这不是机会主义地理解共产国际的指示是什么")
    shown = reply["text"]
    assert len(shown) > 567
    text = copied(reply)
    quote, attribution = text.split("\n")
    assert attribution == ATTRIBUTION
    assert quote.startswith("…") and "这不是机会主义地理解共产国际的指示是什么" in quote
    assert quote.removeprefix("…") in shown  # the passage's own words, from a sentence start
    assert quote[1] not in "，。、；：？！"


async def test_copy_follows_paging_and_comes_with_random_and_context(
    fake: FakeTelegram, bot: BotApplication
) -> None:
    first = await ask(fake, "革命")
    edit = await press_for_edit(fake, first, "btn_next")
    second = edit.result
    assert copied(second) != copied(first)
    assert copied(second).split("\n— ")[0].rstrip("…")[:20] in second["text"]
    dice = await ask(fake, "/random")
    assert copied(dice).split("\n— ")[0][:20] in dice["text"]
    context = (await press_for_edit(fake, dice, "btn_context")).result
    assert copied(context) == copied(dice)


# --- small talk -----------------------------------------------------------------------------


async def test_small_talk_gets_a_friendly_answer_not_a_passage(
    fake: FakeTelegram, bot: BotApplication
) -> None:
    reader = fake.user(4301, first_name="Lin")
    first = await ask(fake, "你好", user=reader)
    # The first greeting comes with how to use the bot, and an example to try.
    assert first["text"].startswith("你好，Lin！") and "/help" in first["text"]
    assert any(e["type"] == "code" for e in first["entities"])
    again = await ask(fake, "你好呀", user=reader)
    assert again["text"] == t("zh", "talk_hello")  # short, no lecture the second time
    for message, key in (("谢谢！", "talk_thanks"), ("👍", "talk_ack"), ("再见", "talk_bye")):
        answer = await ask(fake, message, user=reader)
        assert answer["text"] == t("zh", key), message
        assert "reply_markup" not in answer  # no passage, no buttons
    english = fake.user(4302, language_code="en")
    assert (await ask(fake, "thanks!", user=english))["text"] == t("en", "talk_thanks")
    hello = await ask(fake, "Hi", user=english)
    assert hello["text"].startswith("Hello") and "/help" in hello["text"]


async def test_a_query_holding_a_chat_word_is_still_a_search(
    fake: FakeTelegram, bot: BotApplication
) -> None:
    # 明白 is a chat word; with the rest of the sentence it is a line of the shipped post.
    reply = await ask(fake, "我们首先要明白")
    assert "<blockquote" in fake.sent("sendMessage")[-1].params["text"]
    assert "我们首先要明白" in reply["text"]
    # In a group, and as /search, small talk is searched like anything else.
    group = fake.group_chat()
    searched = await ask(fake, f"/search@{BOT_USERNAME} 好的", chat=group)
    assert "<blockquote" in fake.sent("sendMessage")[-1].params["text"]
    assert "好的" in searched["text"]  # 这种理想的状况当然是好的


# --- long lists: jumping, /toc 关键词, headings that open the same passage ------------------

TOPICS = ("托派", "革命", "历史", "经济")


@pytest.fixture
def many_db(tmp_path: Path) -> Path:
    """200 short articles, a topic in each title: 25 pages of /toc, 14 of /sources."""
    corpus = tmp_path / "many"
    corpus.mkdir()
    for i in range(200):
        topic = TOPICS[i % len(TOPICS)]
        (corpus / f"{i:03d}.md").write_text(
            f"---\ntitle: 第{i:03d}篇：{topic}\nauthor: 作者{i % 7}\n---\n\n"
            f"## 一\n\n第{i:03d}篇的第一段，谈{topic}。\n\n## 二\n\n第{i:03d}篇的第二段。\n",
            encoding="utf-8",
        )
    return build_db([corpus], tmp_path / "many.db")


def titles(message: dict[str, Any]) -> list[str]:
    return [b["text"] for b in keyboard(message) if b["callback_data"].startswith("tc|")]


async def jump(fake: FakeTelegram, message: dict[str, Any], label: str) -> dict[str, Any]:
    """Press the navigation button showing `label`; the message as edited."""
    mark = fake.mark()
    fake.callback(button_showing(message, label)["callback_data"], message=message)
    edited: dict[str, Any] = (await fake.wait_for("editMessageText", after=mark)).result
    return edited


def labels(message: dict[str, Any]) -> set[str]:
    return {b["text"] for b in keyboard(message)}


async def test_toc_jumps_to_the_first_and_last_page_ten_pages_and_a_typed_page(
    fake: FakeTelegram, many_db: Path
) -> None:
    async with polling_bot(fake, many_db):
        first = await ask(fake, "/toc")
        assert "共 200 篇，第 1/25 页" in first["text"] and "/toc 页码" in first["text"]
        assert titles(first)[0] == "第000篇：托派"
        assert {"▶", "1/25", "+10", "25 ⏭"} <= labels(first) and "◀" not in labels(first)
        last = await jump(fake, first, "25 ⏭")
        assert "第 25/25 页" in last["text"] and titles(last)[-1] == "第199篇：经济"
        assert "▶" not in labels(last) and "25 ⏭" not in labels(last)
        back = await jump(fake, last, "⏮ 1")
        assert titles(back) == titles(first)
        eleventh = await jump(fake, first, "+10")
        assert "第 11/25 页" in eleventh["text"] and titles(eleventh)[0] == "第080篇：托派"
        twenty_first = await jump(fake, eleventh, "+10")
        assert "第 21/25 页" in twenty_first["text"]
        assert "第 11/25 页" in (await jump(fake, twenty_first, "−10"))["text"]
        # Counting from 1, as the pages are shown.
        twelfth = await ask(fake, "/toc 12")
        assert "第 12/25 页" in twelfth["text"] and titles(twelfth)[0] == "第088篇：托派"
        assert "一共 25 页" in (await ask(fake, "/toc 99"))["text"]


async def test_toc_filters_by_the_words_of_the_titles_and_keeps_the_filter(
    fake: FakeTelegram, many_db: Path
) -> None:
    async with polling_bot(fake, many_db):
        found = await ask(fake, "/toc 托派")
        assert "标题里有「托派」的文章（50 篇，第 1/7 页）" in found["text"]
        assert all("托派" in title for title in titles(found)) and len(titles(found)) == 8
        second = await jump(fake, found, "▶")
        assert "第 2/7 页" in second["text"]
        assert all("托派" in title for title in titles(second))
        assert titles(second)[0] == "第032篇：托派"
        # Traditional script and several words: every word must be in the title.
        traditional = await ask(fake, "/toc 託派 第19")
        assert titles(traditional) == ["第192篇：托派", "第196篇：托派"]
        # A document opened from the filtered list goes back to where it was picked.
        mark = fake.mark()
        fake.callback(button_showing(second, "第032篇")["callback_data"], message=second)
        document = (await fake.wait_for("editMessageText", after=mark)).result
        back = await press_for_edit(fake, document, "btn_toc")
        assert back.result["text"] == second["text"]
        assert "没有标题里有「量子」的文章" in (await ask(fake, "/toc 量子"))["text"]
        too_long = await ask(fake, "/toc " + "托派" * 20)
        assert too_long["text"] == t("zh", "toc_words_long")


async def test_sources_jumps_and_opens_a_typed_page(fake: FakeTelegram, many_db: Path) -> None:
    async with polling_bot(fake, many_db):
        first = await ask(fake, "/sources")
        assert "共 200 篇，第 1/14 页" in first["text"] and "/sources 页码" in first["text"]
        last = await jump(fake, first, "14 ⏭")
        assert "第 14/14 页" in last["text"] and "200. 第199篇：经济" in last["text"]
        third = await ask(fake, "/sources 3")
        assert "第 3/14 页" in third["text"] and "31. 第030篇" in third["text"]
        assert "一共 14 页" in (await ask(fake, "/sources 0"))["text"]


async def test_a_heading_that_opens_the_same_passage_as_its_first_child_is_one_line(
    fake: FakeTelegram, bot: BotApplication
) -> None:
    contents = await ask(fake, "/toc")
    mark = fake.mark()
    fake.callback(button_showing(contents, "托洛茨基")["callback_data"], message=contents)
    headings = (await fake.wait_for("editMessageText", after=mark)).result
    pages = [headings]
    while any(b["text"] == "▶" for b in keyboard(pages[-1])):
        pages.append(await jump(fake, pages[-1], "▶"))
    lines = [b for page in pages for b in keyboard(page) if b["callback_data"].startswith("ts|")]
    # No two lines lead to the same passage (the id is the button's first argument).
    targets = [b["callback_data"].split("|")[2] for b in lines]
    assert len(targets) == len(set(targets))
    # 人民内部矛盾… (a part), 一、历史学上的分歧… and 1.1 关于社会主义建设… all open the same
    # passage: one line, which names all three, at the part's level.
    merged = [b["text"] for b in lines if "1.1" in b["text"]]
    assert len(merged) == 1 and merged[0].count("›") == 2
    assert merged[0].startswith("人民内部矛盾") and "关于社会主义建设" in merged[0]
    assert not any(b["text"].strip("　").startswith("一、历史学上的分歧") for b in lines)
    # The line opens that passage, with the whole heading path: back on the page showing it
    # (a button is pressed on the message as it is now).
    showing = next(
        i for i, page in enumerate(pages) if any("1.1" in b["text"] for b in keyboard(page))
    )
    current = pages[-1]
    for _ in range(len(pages) - 1 - showing):
        current = await jump(fake, current, "◀")
    mark = fake.mark()
    fake.callback(button_showing(current, "1.1")["callback_data"], message=current)
    shown = await fake.wait_for("sendMessage", after=mark)
    assert "一、历史学上的分歧" in text_of(shown) and "1.1 关于社会主义建设问题的分歧" in text_of(
        shown
    )
