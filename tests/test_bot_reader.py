"""What a reader notices, through the real bot and the fake Bot API: the welcome in a group,
the copy button, small talk, and long lists one can jump through."""

from __future__ import annotations

from typing import Any

from bot.handlers import BotApplication
from bot.i18n import Language, t
from bot.render import utf16_len

from .support.fake_bot_api import BOT_USERNAME, FakeTelegram
from .support.harness import ask, find_button, keyboard, press_for_edit

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
