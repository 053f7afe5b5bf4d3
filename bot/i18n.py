"""The bot's words in Simplified Chinese and English, chosen by the user's `language_code`.

Texts are Telegram HTML fragments: placeholders are filled with already-escaped values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")

# Telegram sends "zh-hans", "zh-hant", "zh", "en", "en-gb", … or nothing. The corpus is
# Chinese, so a reader without a language code is most likely Chinese too.
DEFAULT_LANGUAGE: Language = "zh"


def pick_language(language_code: str | None) -> Language:
    if not language_code:
        return DEFAULT_LANGUAGE
    return "zh" if language_code.lower().startswith("zh") else "en"


@dataclass(frozen=True, slots=True)
class Command:
    """A command the bot takes: `bot.app` registers every one, and the command menu
    (setMyCommands, in both languages) shows those with `menu`."""

    name: str
    zh: str  # the menu's description in Chinese
    en: str  # ... and in English
    groups: bool = False  # also in the group chats' menu
    accepts: Literal["messages", "private", "posts"] = "messages"  # where it is taken:
    # new messages in any chat; new messages in a private chat; messages and channel posts
    menu: bool = True

    def description(self, language: Language) -> str:
        return self.zh if language == "zh" else self.en


# In menu order. The one table of commands: the menu and the registration both read it.
COMMANDS: tuple[Command, ...] = (
    Command("search", "搜索一段话", "Find a passage", groups=True),
    Command("random", "随机一段", "A random passage", groups=True),
    Command("sources", "收录的文章", "The articles in the collection"),
    Command("help", "用法", "How to use this bot", groups=True),
    Command("about", "文集信息", "About the collection"),
    Command("toc", "目录", "Table of contents", groups=True),
    Command(
        "daily", "每日一段（管理员）", "A daily excerpt here (admins)", groups=True, accepts="posts"
    ),
    Command("start", "开始", "Start"),
    Command("reload", "", "", accepts="private", menu=False),  # admins only: not advertised
)

_TEXTS: dict[str, dict[Language, str]] = {
    "welcome": {
        "zh": (
            "你好，{name}！我能在文集里找到你依稀记得的那段话。\n\n"
            "直接发给我一句话——记不全、有错字、繁体都可以——我会回复原文、作者和出处。\n"
            "试试下面的例子，或者在任何聊天里输入 <code>@{bot} 关键词</code> 把段落分享给朋友。"
        ),
        "en": (
            "Hello, {name}! I find the passage you half-remember in the collection.\n\n"
            "Send me a phrase — incomplete, with typos, in Traditional or Simplified script — "
            "and I reply with the exact passage, its author and source.\n"
            "Try an example below, or type <code>@{bot} words</code> in any chat to share a "
            "passage there."
        ),
    },
    "welcome_group": {
        "zh": (
            "你好，{name}！我能在文集里找到大家依稀记得的那段话。\n\n"
            "在群里，发 <code>/search@{bot} 一句话</code>（或者回复一条消息，发 "
            "<code>/search@{bot}</code> 找那条消息里的话），我会回复原文、作者和出处；"
            "群里的其他消息我不读。\n"
            "在任何聊天里输入 <code>@{bot} 一句话</code>，可以从列表里挑一段发出去。"
        ),
        "en": (
            "Hello, {name}! I find the passage people here half-remember in the collection.\n\n"
            "In a group, send <code>/search@{bot} phrase</code> (or reply to a message with "
            "<code>/search@{bot}</code> to look up what it says) and I reply with the exact "
            "passage, its author and source; I do not read the rest of the chat.\n"
            "In any chat, type <code>@{bot} phrase</code> and pick a passage to send."
        ),
    },
    "talk_hello_first": {
        "zh": (
            "你好，{name}！发给我一句你依稀记得的话——记不全、有错字、繁体都可以——"
            "我会找到原文、作者和出处。比如：\n<code>{example}</code>\n更多用法：/help"
        ),
        "en": (
            "Hello, {name}! Send me a phrase you half-remember — incomplete, with typos, in "
            "either script — and I find the passage, its author and source. For example:\n"
            "<code>{example}</code>\nMore: /help"
        ),
    },
    "talk_hello": {
        "zh": "你好！想找哪段话？直接发给我。",
        "en": "Hello! Which passage are you looking for? Just send me a phrase.",
    },
    "talk_thanks": {
        "zh": "不客气！还想找什么，直接发给我。",
        "en": "You’re welcome! Send me another phrase any time.",
    },
    "talk_bye": {
        "zh": "再见！想起哪段话，随时来找我。",
        "en": "Bye! Come back whenever a passage comes to mind.",
    },
    "talk_ack": {
        "zh": "🙂 还想找什么，直接发给我一句话。",
        "en": "🙂 Send me another phrase whenever you like.",
    },
    "help": {
        "zh": (
            "<b>怎么用</b>\n"
            "• 私聊：直接发一句话，或 <code>/search 一句话</code>。\n"
            "• 群组：<code>/search@{bot} 一句话</code>（也可以回复一条消息并发 /search）。\n"
            "• 任何聊天：输入 <code>@{bot} 一句话</code>，从列表里选一段发送。\n\n"
            "<b>命令</b>\n"
            "/search 一句话 — 搜索\n"
            "/random — 随机一段\n"
            "/sources — 收录的文章和出处（<code>/sources 12</code> 跳到第 12 页）\n"
            "/about — 文集大小、更新时间和版本\n"
            "/toc — 目录：按文章和小标题浏览（<code>/toc 关键词</code> 按标题筛选，"
            "<code>/toc 12</code> 跳到第 12 页）\n"
            "/daily 08:00 — 每天在这个聊天发一段（群和频道的管理员；/daily off 停止）\n"
            "/help — 这条说明\n\n"
            "不方便打中文？直接输入拼音也行，比如 <code>tuopai hen shanchang</code>。\n"
            "结果下面的按钮：◀ ▶ 翻看其他结果，「上下文」显示前后段，"
            "「整节」发送整个小节，「复制」把这段连同作者和出处复制下来，"
            "「分享」把这段发到别的聊天。\n"
            "记不准也没关系：错字、繁体、漏字、语序颠倒都能找到。\n\n"
            "<b>说得更准</b>\n"
            '<code>"原话"</code> 或 <code>「原话」</code> 只找一字不差的原文；'
            "<code>-词</code> 排除含这个词的段落；"
            "<code>作者:某某</code> 只找这位作者；<code>标题:某某</code> 只在这篇文章里找。"
        ),
        "en": (
            "<b>How to use it</b>\n"
            "• Private chat: just send a phrase, or <code>/search phrase</code>.\n"
            "• Groups: <code>/search@{bot} phrase</code> (or reply to a message with /search).\n"
            "• Any chat: type <code>@{bot} phrase</code> and pick a passage to send.\n\n"
            "<b>Commands</b>\n"
            "/search phrase — search\n"
            "/random — a random passage\n"
            "/sources — the articles and their sources (<code>/sources 12</code>: page 12)\n"
            "/about — collection size, build time and version\n"
            "/toc — browse by article and heading (<code>/toc words</code>: the articles "
            "whose title holds them; <code>/toc 12</code>: page 12)\n"
            "/daily 08:00 — a passage in this chat every day (chat admins; /daily off stops)\n"
            "/help — this message\n\n"
            "No Chinese keyboard? Type pinyin: <code>tuopai hen shanchang</code>.\n"
            "Buttons under a result: ◀ ▶ page through matches, “Context” shows the paragraphs "
            "around it, “Section” sends the whole section, “Copy” copies it with its author and "
            "source, “Share” sends it to another chat.\n"
            "Typos, Traditional characters, missing words and shuffled clauses are all fine.\n\n"
            "<b>Say exactly what you mean</b>\n"
            '<code>"exact words"</code> or <code>「原话」</code>: only these words, as written; '
            "<code>-word</code>: leave out passages holding it; <code>author:name</code>: one "
            "author only; <code>title:name</code>: one article only."
        ),
    },
    "search_usage": {
        "zh": "在 /search 后面写上要找的话，例如：\n<code>/search {example}</code>",
        "en": "Write what you are looking for after /search, for example:\n"
        "<code>/search {example}</code>",
    },
    "nothing_found": {
        "zh": (
            "没有找到与「{query}」相符的段落。\n\n"
            "可以试试：只写你最确定的几个字；换个说法；少写标点和语气词。"
        ),
        "en": (
            "Nothing in the collection matches “{query}”.\n\n"
            "Try: only the words you are surest of; another wording; fewer particles."
        ),
    },
    "no_such_author": {
        "zh": "这个文集里没有叫「{name}」的作者。/sources 列出所有文章和作者。",
        "en": "No author in this collection is called “{name}”. /sources lists every article "
        "and author.",
    },
    "no_such_title": {
        "zh": "这个文集里没有标题像「{name}」的文章。/toc 可以按标题浏览。",
        "en": "No article in this collection has a title like “{name}”. /toc browses by title.",
    },
    "not_text": {
        "zh": "我只能搜索文字。发一句你记得的话试试，或者看看 /help。",
        "en": "I can only search text. Send a phrase you remember, or see /help.",
    },
    "unknown_command": {
        "zh": "不认识这个命令。发 /help 查看用法。",
        "en": "I don’t know that command. See /help.",
    },
    "daily_set": {
        "zh": "好的：每天 {at}（{tz}）在这里发一段。下一次：{next}。发 /daily off 停止。",
        "en": "Done: a passage here every day at {at} ({tz}). Next: {next}. /daily off stops it.",
    },
    "daily_status": {
        "zh": "每天 {at}（{tz}）在这里发一段。下一次：{next}。发 /daily off 停止。",
        "en": "A passage here every day at {at} ({tz}). Next: {next}. /daily off stops it.",
    },
    "daily_none": {
        "zh": "这里还没有每日一段。管理员发 <code>/daily 08:00</code> 开启（时区 {tz}）。",
        "en": "No daily excerpt here yet. An admin sends <code>/daily 08:00</code> ({tz}).",
    },
    "daily_unavailable": {
        "zh": "这个机器人没有可写的状态文件，不能在这里开启每日一段；请联系机器人的维护者。",
        "en": "This bot has no writable state file, so it cannot post a daily excerpt; "
        "ask whoever runs it.",
    },
    "daily_listed": {
        "zh": "这个聊天的每日一段由机器人的设置决定（EXCERPT_BOT_DAILY_CHATS），请联系维护者修改。",
        "en": "This chat's daily excerpt is set in the bot's settings (EXCERPT_BOT_DAILY_CHATS); "
        "ask whoever runs it.",
    },
    "daily_off": {"zh": "已停止每日一段。", "en": "The daily excerpt is off."},
    "daily_usage": {
        "zh": "用法：<code>/daily 08:00</code> 开启（时区 {tz}；也可以写 "
        "<code>/daily 08:00 Europe/Berlin</code>），<code>/daily off</code> 停止。",
        "en": "Usage: <code>/daily 08:00</code> to start ({tz}; or "
        "<code>/daily 08:00 Europe/Berlin</code>), <code>/daily off</code> to stop.",
    },
    "admins_only": {
        "zh": "只有这个群的管理员可以设置每日一段。",
        "en": "Only this chat's admins can set the daily excerpt.",
    },
    "about_empty": {
        "zh": "<b>没有结果的搜索</b>（读者在找、文集里没有的）",
        "en": "<b>Searches that found nothing</b> (what readers look for)",
    },
    "about_chosen": {"zh": "<b>最常分享的段落</b>", "en": "<b>Most shared passages</b>"},
    "toc_header": {
        "zh": "<b>目录</b>：选一篇文章（共 {total} 篇，第 {page}/{pages} 页）",
        "en": "<b>Contents</b>: pick an article ({total} in all, page {page}/{pages})",
    },
    "toc_document": {
        "zh": "<b>{title}</b>\n选一个小节（第 {page}/{pages} 页）",
        "en": "<b>{title}</b>\nPick a section (page {page}/{pages})",
    },
    "toc_filtered": {
        "zh": "<b>目录</b>：标题里有「{words}」的文章（{total} 篇，第 {page}/{pages} 页）",
        "en": "<b>Contents</b>: articles whose title holds “{words}” "
        "({total}, page {page}/{pages})",
    },
    "toc_hint": {
        "zh": "发 <code>/toc 页码</code> 跳到那一页，"
        "<code>/toc 关键词</code> 只列标题里有这些字的文章。",
        "en": "Send <code>/toc N</code> for page N, <code>/toc words</code> for the articles "
        "whose title holds those words.",
    },
    "toc_no_match": {
        "zh": "没有标题里有「{words}」的文章。发 /toc 看全部目录。",
        "en": "No article’s title holds “{words}”. Send /toc for all of them.",
    },
    "toc_words_long": {
        "zh": "关键词太长了：请写短一点（最多十来个字）。",
        "en": "Those words are too long to filter by; try fewer (30 letters at most).",
    },
    "no_such_page": {
        "zh": "没有第 {page} 页：一共 {pages} 页。",
        "en": "There is no page {page}: there are {pages}.",
    },
    "sources_hint": {
        "zh": "发 <code>/sources 页码</code> 跳到那一页。",
        "en": "Send <code>/sources N</code> for page N.",
    },
    "btn_toc": {"zh": "↩ 目录", "en": "↩ Contents"},
    "collection_changed": {
        "zh": "文集更新过了，请重新发 /toc。",
        "en": "The collection was updated; send /toc again.",
    },
    "reload_done": {
        "zh": "已载入数据库：{passages}，构建于 {built_at}。",
        "en": "Database loaded: {passages}, built {built_at}.",
    },
    "reload_failed": {
        "zh": "新数据库不可用，仍在使用原来的：{reason}",
        "en": "The new database cannot be used; still serving the previous one: {reason}",
    },
    "too_slow": {
        "zh": "这次搜索太慢，已停止。请换一个更短或更具体的说法。",
        "en": "That search took too long and was stopped. Try a shorter or more specific phrase.",
    },
    "busy": {
        "zh": "现在同时搜索的人太多，请稍等一下再发一次。",
        "en": "Too many searches at once right now; please send it again in a moment.",
    },
    "slow_down": {
        "zh": "太快了，请稍等一下再按。",
        "en": "That was fast; please wait a moment.",
    },
    "error": {
        "zh": "抱歉，出了点问题。请稍后再试。",
        "en": "Sorry, something went wrong. Please try again in a moment.",
    },
    "bad_link": {
        "zh": "这个链接无效或已过期，文集可能已经更新。直接发一句话来搜索吧。",
        "en": "That link is invalid or out of date; the collection may have changed. "
        "Send me a phrase to search instead.",
    },
    "stale_button": {
        "zh": "这个按钮已失效，请重新搜索。",
        "en": "This button has expired. Please search again.",
    },
    "not_yours": {
        "zh": "这是别人的搜索结果；发 /search 自己搜一下吧。",
        "en": "This result belongs to someone else; use /search to run your own.",
    },
    "passage_gone": {
        "zh": "这段文字已不在文集里（文集更新过）。请重新搜索。",
        "en": "That passage is no longer in the collection (it was updated). Search again.",
    },
    "results_changed": {
        "zh": "结果已变化（文集更新过），请重新搜索。",
        "en": "The results changed (the collection was updated). Please search again.",
    },
    "sources_header": {
        "zh": "<b>收录的文章</b>（共 {total} 篇，第 {page}/{pages} 页）",
        "en": "<b>Articles in the collection</b> ({total} in all, page {page}/{pages})",
    },
    "about": {
        "zh": (
            "<b>文集</b>：{documents}，{passages}，约 {characters}\n"
            "<b>更新于</b>：{built_at}\n"
            "<b>按意思找</b>：{meaning}\n"
            "<b>版本</b>：excerpt-bot {version}"
        ),
        "en": (
            "<b>Collection</b>: {documents}, {passages}, {characters}\n"
            "<b>Built</b>: {built_at}\n"
            "<b>Search by meaning</b>: {meaning}\n"
            "<b>Version</b>: excerpt-bot {version}"
        ),
    },
    # Counts, through `counted`: English has a singular and a plural ("one|other"),
    # Chinese one form.
    "n_articles": {"zh": "{n} 篇文章", "en": "{n} article|{n} articles"},
    "n_passages": {"zh": "{n} 段", "en": "{n} passage|{n} passages"},
    "n_characters": {"zh": "{n} 字", "en": "{n} character|{n} characters"},
    "empty_corpus": {
        "zh": "文集是空的：还没有导入任何文章。",
        "en": "The collection is empty: no articles have been imported yet.",
    },
    "more_below": {"zh": "（接下条）", "en": "(continued below)"},
    "source": {"zh": "原文", "en": "source"},
    "meaning_on": {
        "zh": "开启（也找意思相近、用词不同的段落）",
        "en": "on (also finds passages that say it in other words)",
    },
    "meaning_off": {"zh": "关闭（只按原话找）", "en": "off (only the words as written)"},
    "close_in_meaning": {
        "zh": "意思相近（不是原话）",
        "en": "Close in meaning (not the exact words)",
    },
    "not_exact": {
        "zh": "没有一字不差的原文，这是最接近的",
        "en": "No passage has these exact words; this is the nearest",
    },
    "btn_prev": {"zh": "◀ 上一条", "en": "◀ Previous"},
    "btn_next": {"zh": "下一条 ▶", "en": "Next ▶"},
    "btn_context": {"zh": "上下文", "en": "Context"},
    "btn_section": {"zh": "整节", "en": "Section"},
    "btn_share": {"zh": "分享", "en": "Share"},
    "btn_copy": {"zh": "复制", "en": "Copy"},
    "btn_back": {"zh": "↩ 返回", "en": "↩ Back"},
    "btn_random": {"zh": "🎲 再来一段", "en": "🎲 Another"},
    "btn_inline": {"zh": "在其他聊天中使用", "en": "Use in another chat"},
    "btn_open": {"zh": "📖 上下文 · Context", "en": "📖 上下文 · Context"},
    "btn_inline_help": {"zh": "怎么用？ · How to use", "en": "怎么用？ · How to use"},
    "busy_inline": {
        "zh": "正忙 · Busy — 请稍后再试 · try again in a moment",
        "en": "正忙 · Busy — 请稍后再试 · try again in a moment",
    },
    "btn_inline_nothing": {
        "zh": "没有找到 · Nothing found — 用法 · help",
        "en": "没有找到 · Nothing found — 用法 · help",
    },
    "counter": {"zh": "第 {n}/{total} 条", "en": "{n} of {total}"},
}


def t(language: Language, key: str, **values: object) -> str:
    """The text for `key` in `language`, with `values` filled in (escape them first)."""
    template = _TEXTS[key][language]
    return template.format(**values) if values else template


def counted(language: Language, key: str, n: int) -> str:
    """`n` of something, in the form its number takes: "1 article", "101 passages",
    "18,450 characters"; "101 段". The text holds the forms as "one|other"."""
    forms = _TEXTS[key][language].split("|")
    form = forms[0] if n == 1 or len(forms) == 1 else forms[1]
    return form.format(n=f"{n:,}")


__all__ = [
    "COMMANDS",
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "Command",
    "Language",
    "counted",
    "pick_language",
    "t",
]
