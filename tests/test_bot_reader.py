"""What a reader notices, through the real bot and the fake Bot API: the welcome in a group,
the copy button, small talk, and long lists one can jump through."""

from __future__ import annotations

from bot.handlers import BotApplication

from .support.fake_bot_api import BOT_USERNAME, FakeTelegram
from .support.harness import ask, keyboard

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
