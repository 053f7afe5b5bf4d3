"""Small talk in a private chat: 谢谢, 你好, thanks, hi, 👍 get a short friendly answer
(the usage hint with the first greeting), not a search that finds them somewhere.

A message is small talk when *all* of it is chat words: greetings, thanks, goodbyes and
acknowledgements, with particles, addressees and intensifiers around them (你好呀, 太感谢了,
thank you so much, 好的谢谢👍), or only emoji. One word of anything else makes it a search
(谢谢党, 你好坏, hello world, thanks to the revolution), and so do quotation marks, which say
"these exact words". The words are matched after the one normalization (bot.text), so
Traditional script, full-width letters, case and punctuation do not matter.
"""

from __future__ import annotations

from collections import OrderedDict
from enum import Enum
from functools import cache

from telegram import Update

from bot.handlers.common import example_query, language_of, reply
from bot.handlers.state import Context
from bot.i18n import t
from bot.render import escape, shorten
from bot.text import normalize


class Talk(Enum):
    GREETING = "greeting"
    THANKS = "thanks"
    FAREWELL = "farewell"
    ACK = "ack"  # 好的, ok, 👍: nothing asked


# Written as people type them, space-separated; normalized once (謝謝 and ＯＫ fold like
# everything else, and "thank you" is "thankyou" once spaces are gone). Only words nobody
# sends alone to find a passage: not 牛, 早, 行 or "great", which a blog may be about.
_WORDS: dict[Talk, str] = {
    Talk.GREETING: (
        "你好 您好 你们好 大家好 哈喽 哈啰 嗨 早上好 早安 上午好 中午好 下午好 晚上好 在吗 在么 "
        "在不在 nihao hi hello hey hiya howdy goodmorning goodafternoon goodevening"
    ),
    Talk.THANKS: (
        "谢谢 谢了 谢啦 多谢 感谢 感恩 辛苦了 辛苦 麻烦了 xiexie thanks thank thankyou thx tks thnx"
    ),
    Talk.FAREWELL: (
        "再见 拜拜 回见 晚安 下次见 明天见 886 zaijian bye byebye goodbye goodnight seeyou seeya"
    ),
    Talk.ACK: (
        "好的 好 好吧 好滴 好嘞 嗯 嗯嗯 哦 噢 收到 明白 懂了 知道了 赞 棒 哈哈 呵呵 嘿嘿 嘻嘻 666 "
        "ok okay okey kk lol haha hehe np"
    ),
}
# Around the words: particles, addressees, intensifiers. Never small talk on their own.
_FILLERS = (
    "啊 呀 哇 呢 啦 哈 嘿 哦 喔 噢 嗯 吧 了 哟 呐 嘛 哒 吗 么 你 您 你们 大家 机器人 小助手 亲 "
    "老师 朋友 兄弟 哥 姐 太 非常 十分 真 真是 万分 实在 好多 多 一下 啦啦 哈哈哈 "
    "there you u so much very a lot all everyone guys bot again man buddy and for it the help"
)
_PRIORITY = (Talk.THANKS, Talk.FAREWELL, Talk.GREETING, Talk.ACK)  # "好的谢谢" is thanks
_MAX_LENGTH = 24  # normalized characters: longer is a sentence, so a search
_QUOTES = frozenset("\"'“”‘’「」『』«»")
_EMOJI_FOR: dict[str, Talk] = {"🙏": Talk.THANKS, "👋": Talk.GREETING}
# Pictographs, emoticons, transport, supplemental symbols; misc symbols and dingbats (☺ ❤ ✌);
# the few emoji elsewhere (⭐ ⭕ 〰 ㊗). Not arrows, shapes or box drawing.
_EMOJI_RANGES = ((0x1F000, 0x1FAFF), (0x2600, 0x27BF))
_EMOJI_OTHERS = frozenset("⭐⭕〰〽㊗㊙")


def _is_emoji(char: str) -> bool:
    code = ord(char)
    return char in _EMOJI_OTHERS or any(lo <= code <= hi for lo, hi in _EMOJI_RANGES)


@cache
def _lexicon() -> dict[str, Talk | None]:
    """Normalized word -> what it says (None: a filler)."""
    words: dict[str, Talk | None] = {normalize(w): None for w in _FILLERS.split()}
    for talk, spelled in _WORDS.items():
        words.update((normalize(w), talk) for w in spelled.split())
    return words


def small_talk(text: str) -> Talk | None:
    """What a message says when it is small talk (see the module docstring), else None."""
    text = text.strip()
    if not text or len(text) > 4 * _MAX_LENGTH or any(c in _QUOTES for c in text):
        return None
    words = normalize(text)
    if not words:
        # Nothing but symbols and punctuation: a reaction when there is an emoji in it (👍,
        # ❤️, 🙏🙏!), a search (that finds nothing and says how) when there is none (？, or
        # a box-drawing │ pasted from a code block).
        if not any(_is_emoji(c) for c in text):
            return None
        return next((talk for e, talk in _EMOJI_FOR.items() if e in text), Talk.ACK)
    if len(words) > _MAX_LENGTH:
        return None
    said = _segment(words)
    if not said:
        return None
    return next(talk for talk in _PRIORITY if talk in said)


def _segment(words: str) -> set[Talk]:
    """The chat words `words` is made of, if it is made of nothing else (at least one of
    them not a filler); else the empty set. Every split is tried (hi+there, not hit+here)."""
    lexicon = _lexicon()
    longest = max(map(len, lexicon))
    # reach[i]: the word kinds of one way to read words[:i] entirely; None: no way.
    reach: list[set[Talk] | None] = [None] * (len(words) + 1)
    reach[0] = set()
    for end in range(1, len(words) + 1):
        for start in range(max(0, end - longest), end):
            before = reach[start]
            if before is None or words[start:end] not in lexicon:
                continue
            talk = lexicon[words[start:end]]
            found = before | {talk} if talk is not None else before
            current = reach[end]
            if current is None or len(found) > len(current):
                reach[end] = found
    return reach[len(words)] or set()


# Who has had the usage hint with a greeting, newest last; bounded, so a bot with many
# readers does not keep one entry per reader forever (a reader forgotten gets it again).
_GREETED_MAX = 10_000


def first_greeting(greeted: OrderedDict[int, None], user_id: int) -> bool:
    """Whether this is the reader's first greeting (and remember that it no longer is)."""
    if user_id in greeted:
        greeted.move_to_end(user_id)
        return False
    greeted[user_id] = None
    if len(greeted) > _GREETED_MAX:
        greeted.popitem(last=False)
    return True


async def answer_small_talk(update: Update, context: Context, talk: Talk) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None:
        return
    language = language_of(update)
    if talk is Talk.GREETING:
        first = user is not None and first_greeting(context.bot_data.greeted, user.id)
        if first:
            name = escape(shorten(user.first_name, 40)) if user else ""
            example = escape(example_query(context))
            text = t(language, "talk_hello_first", name=name, example=example)
        else:
            text = t(language, "talk_hello")
    elif talk is Talk.THANKS:
        text = t(language, "talk_thanks")
    elif talk is Talk.FAREWELL:
        text = t(language, "talk_bye")
    else:
        text = t(language, "talk_ack")
    await reply(message, text)
