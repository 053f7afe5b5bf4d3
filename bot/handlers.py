"""PTB callbacks: read the update, call search, call render, reply.

No SQL and no scoring here. Nothing about a conversation is kept on the server: every button
carries what it needs in its signed `callback_data`, and a search reply carries its query in
its own "Share" button, so paging keeps working after a restart and on any replica.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatType
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    NetworkError,
    RetryAfter,
)
from telegram.ext import ApplicationHandlerStop, CallbackContext, ExtBot

from bot import __version__
from bot.daily import DEFAULT_TIMEZONE, DailyError, next_time, parse_time, zone
from bot.i18n import Language, pick_language, t
from bot.metrics import Metrics
from bot.models import Match, StoredPassage
from bot.reload import LiveStore
from bot.render import (
    Button,
    Labels,
    Payload,
    clean_inline_query,
    decode_payload,
    encode_payload,
    escape,
    inline_title,
    render_context,
    render_passage,
    render_section,
    safe_url,
    shorten,
    snippet,
)
from bot.search import SearchResult, search
from bot.state_store import StateStore, Subscription
from bot.store import CorpusReader, QueryTimeout, StoreStats
from bot.throttle import Throttle

log = logging.getLogger(__name__)

INLINE_PAGE = 20  # results per inline answer (Telegram allows 50; 20 fill a phone screen)
INLINE_CACHE_SECONDS = 300  # the same query from anyone gets Telegram's cached answer
RANDOM_CACHE_SECONDS = 10  # the empty query shows random passages: refresh them often
MAX_PAGE = 1000  # no search has more matches than this; larger page numbers are forged
SOURCES_PAGE = 15
SEARCH_TIMEOUT = 2.0  # seconds; searches take milliseconds, so this only stops a runaway
# Telegram answers 409 Conflict to the *older* of two getUpdates calls, so both instances see
# conflicts. The one that has just started is the one to give up: it says why and exits.
CONFLICT_GRACE_SECONDS = 10.0
_KEY = re.compile(r"^[a-z2-7]{13}$")
_EXAMPLE_SPLIT = re.compile(r"[，。；！？、：“”‘’「」《》（）,.;!?:()|｜\s]+")
_EXAMPLE_SHAPE = re.compile(r"^[\u4e00-\u9fffA-Za-z0-9]+$")  # words, nothing a payload escapes


@dataclass
class BotState:
    """Everything the handlers share, created empty by PTB and filled in `post_init`."""

    live: LiveStore | None = None  # the served database; swapped on reload
    secret: bytes = b""  # signs callback data; derived from the token, same on every replica
    examples: tuple[str, ...] = ()
    started_at: float = field(default_factory=time.monotonic)  # reset when polling starts
    fatal: str | None = None  # why the bot stopped itself; the CLI exits non-zero with it
    last_conflict_warning: float = 0.0
    metrics: Metrics = field(default_factory=Metrics)
    # A reader types about one inline query per keystroke, debounced by the client: 4 at once
    # and 2 a second, with the newest always answered (see inline_query), keeps up with a
    # person and holds a flooder to 2 searches a second.
    inline_throttle: Throttle = field(default_factory=lambda: Throttle(rate=2.0, burst=4))
    inline_waiting: dict[int, Update] = field(default_factory=dict)  # user -> newest query
    # Forwarding a dozen messages to find their sources is a burst a person makes.
    message_throttle: Throttle = field(default_factory=lambda: Throttle(rate=1.0, burst=20))

    admins: frozenset[int] = frozenset()
    state_store: StateStore | None = None  # subscriptions and feedback (its own file)
    timezone: str = DEFAULT_TIMEZONE
    clock: Callable[[], float] = time.time  # the daily schedule's clock (a seam for tests)
    scheduler: asyncio.Task[None] | None = None  # posts the daily excerpts
    listed_chats: frozenset[int] = frozenset()  # daily chats set by EXCERPT_BOT_DAILY_CHATS
    watcher: asyncio.Task[None] | None = None  # polls the database file for a rebuild
    stop: asyncio.Event | None = None  # set to stop serving (SIGTERM, or a fatal conflict)

    @property
    def store(self) -> CorpusReader | None:
        return self.live.current if self.live else None

    @property
    def stats(self) -> StoreStats | None:
        return self.live.stats if self.live else None

    def require_store(self) -> CorpusReader:
        """The database to use for this call; fetch it per call, a reload may swap it."""
        store = self.store
        if store is None:
            raise RuntimeError("the store is not open (post_init has not run)")
        return store


Context: TypeAlias = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotState]


# --- small helpers --------------------------------------------------------------------------


def _language(update: Update) -> Language:
    user = update.effective_user
    return pick_language(user.language_code if user else None)


def _labels(language: Language) -> Labels:
    return Labels(source=t(language, "source"), more_below=t(language, "more_below"))


def _keyboard(rows: list[list[Button]]) -> InlineKeyboardMarkup | None:
    built = [
        [
            InlineKeyboardButton(
                b.text, callback_data=b.callback, url=b.url, switch_inline_query=b.switch_inline
            )
            for b in row
        ]
        for row in rows
        if row
    ]
    return InlineKeyboardMarkup(built) if built else None


def _button(
    context: Context, chat_id: int, text: str, action: str, owner: int, *args: str
) -> Button:
    data = encode_payload(
        Payload(action, args, owner), secret=context.bot_data.secret, chat_id=chat_id
    )
    return Button(text, callback=data)


def _share_query(passage: StoredPassage) -> str:
    """What the Share button types into inline mode for a passage not found by a search: its
    first clause, which finds it again."""
    words = clean_inline_query(passage.text)
    return shorten(words, 40).rstrip("…")


def _result_rows(
    context: Context,
    language: Language,
    chat_id: int,
    owner: int,
    query: str,
    match: Match,
    index: int,
    total: int,
) -> list[list[Button]]:
    """Buttons under a search reply. The Share button holds the query: paging reads it back
    from the message, so nothing about the search is stored anywhere."""
    paging: list[Button] = []
    if total > 1:
        if index > 0:
            label = t(language, "btn_prev")
            paging.append(_page_button(context, chat_id, label, owner, index - 1, query))
        counter = t(language, "counter", n=index + 1, total=total)
        paging.append(_button(context, chat_id, counter, "n", owner))
        if index + 1 < total:
            label = t(language, "btn_next")
            paging.append(_page_button(context, chat_id, label, owner, index + 1, query))
    key = match.passage.key
    actions = [
        _button(context, chat_id, t(language, "btn_context"), "cx", owner, key, str(index)),
        _button(context, chat_id, t(language, "btn_section"), "sc", owner, key),
        Button(t(language, "btn_share"), switch_inline=query),
    ]
    return [paging, actions]


def _page_button(
    context: Context, chat_id: int, label: str, owner: int, index: int, query: str
) -> Button:
    """A button to match `index` of `query`. A short query rides in the button itself too,
    so paging works even where the message comes back without its keyboard; a longer one
    is read back from the Share button."""
    try:
        return _button(context, chat_id, label, "pg", owner, str(index), query)
    except ValueError:  # over 64 bytes, or a '|' in the query
        return _button(context, chat_id, label, "pg", owner, str(index))


def _passage_rows(
    context: Context,
    language: Language,
    chat_id: int,
    owner: int,
    passage: StoredPassage,
    *,
    with_random: bool = False,
) -> list[list[Button]]:
    """Buttons under a passage shown without a search (random, deep link)."""
    # "r" tells Context's Back button to bring the dice back too.
    origin = "r" if with_random else "-"
    rows = [
        [
            _button(context, chat_id, t(language, "btn_context"), "cx", owner, passage.key, origin),
            _button(context, chat_id, t(language, "btn_section"), "sc", owner, passage.key),
            Button(t(language, "btn_share"), switch_inline=_share_query(passage)),
        ]
    ]
    if with_random:
        rows.append([_button(context, chat_id, t(language, "btn_random"), "rn", owner)])
    return rows


def _shared_query(message: Message) -> str | None:
    """The query a search reply was for, read back from its Share button."""
    markup = message.reply_markup
    for row in markup.inline_keyboard if markup else ():
        for button in row:
            if button.switch_inline_query:
                return button.switch_inline_query
    return None


async def _reply(
    message: Message, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message:
    """Reply in the chat; in a group, as a reply to the asker's message (if it still exists)."""
    quote = None
    if message.chat.type != ChatType.PRIVATE:
        quote = ReplyParameters(message.message_id, allow_sending_without_reply=True)
    return await message.reply_text(text, reply_markup=markup, reply_parameters=quote)


async def _edit(message: Message, text: str, markup: InlineKeyboardMarkup | None) -> None:
    try:
        await message.edit_text(text, reply_markup=markup)
    except BadRequest as exc:
        # Pressing the button for what is already shown: Telegram refuses the edit.
        if "not modified" not in str(exc).lower():
            raise


async def _search(
    context: Context, query: str, *, kind: str, limit: int, offset: int = 0
) -> SearchResult:
    state = context.bot_data
    started = time.perf_counter()
    result = await search(
        state.require_store(), query, limit=limit, offset=offset, timeout=SEARCH_TIMEOUT
    )
    state.metrics.search_seconds.labels(kind).observe(time.perf_counter() - started)
    if not result.total:
        state.metrics.search_empty.labels(kind).inc()
        # What readers look for and the collection lacks: for the owner, in /about. Only
        # searches sent as messages: inline queries arrive a keystroke at a time, and their
        # prefixes would crowd out what people really asked.
        if state.state_store is not None and kind == "chat" and len(query) >= 2:
            context.application.create_task(_count_empty(state.state_store, query))
    return result


async def _count_empty(state_store: StateStore, query: str) -> None:
    """Feedback is best effort: a locked or read-only state file must never cost a reply."""
    try:
        await state_store.count_empty(shorten(query, 100))
    except Exception as exc:  # sqlite3 errors, a closed store at shutdown
        log.warning("could not count a search that found nothing: %s", exc)


def _owner(update: Update) -> int:
    return update.effective_user.id if update.effective_user else 0


# --- searching from a message ---------------------------------------------------------------


async def _answer_search(update: Update, context: Context, query: str) -> None:
    message = update.effective_message
    if message is None:
        return
    language = _language(update)
    query = clean_inline_query(query)
    if not query:
        await _reply(message, t(language, "search_usage", example=escape(_example(context))))
        return
    result = await _search(context, query, kind="chat", limit=1)
    if not result.matches:
        shown = escape(shorten(query, 100))
        await _reply(message, t(language, "nothing_found", query=shown))
        return
    match = result.matches[0]
    rows = _result_rows(
        context, language, message.chat.id, _owner(update), query, match, 0, result.total
    )
    await _reply(
        message, render_passage(match.passage, _labels(language), match.highlights), _keyboard(rows)
    )


async def text_search(update: Update, context: Context) -> None:
    """Any text in a private chat is a search."""
    message = update.effective_message
    if message and message.text:
        await _answer_search(update, context, message.text)


async def search_command(update: Update, context: Context) -> None:
    """/search <query>; in a group, /search as a reply to a message searches that message."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    # The query is everything after the command, newlines included (context.args splits it).
    command_length = message.entities[0].length if message.entities else len("/search")
    query = message.text[command_length:].strip()
    replied = message.reply_to_message
    if not query and replied is not None:
        query = (replied.text or replied.caption or "").strip()
    if not query:
        await _reply(
            message, t(_language(update), "search_usage", example=escape(_example(context)))
        )
        return
    await _answer_search(update, context, query)


def _example(context: Context) -> str:
    return context.bot_data.examples[0] if context.bot_data.examples else "托派很擅长篡改历史"


async def caption_search(update: Update, context: Context) -> None:
    """A photo or document with a caption, in a private chat: the caption is the search."""
    message = update.effective_message
    if message and message.caption:
        await _answer_search(update, context, message.caption)


# --- commands -------------------------------------------------------------------------------


async def _send_passage(
    update: Update, context: Context, passage: StoredPassage, *, with_random: bool
) -> None:
    message = update.effective_message
    if message is None:
        return
    language = _language(update)
    rows = _passage_rows(
        context, language, message.chat.id, _owner(update), passage, with_random=with_random
    )
    await _reply(message, render_passage(passage, _labels(language)), _keyboard(rows))


async def start(update: Update, context: Context) -> None:
    """/start: a welcome with examples; /start p_<key> (a deep link) opens that passage."""
    message = update.effective_message
    if message is None:
        return
    language = _language(update)
    payload = context.args[0] if context.args else ""
    if payload.startswith("p_"):
        key = payload[2:]
        found = (
            await context.bot_data.require_store().passage_by_key(key) if _KEY.match(key) else None
        )
        if found is not None:
            await _send_passage(update, context, found, with_random=False)
            return
        await _reply(message, t(language, "bad_link"))
        return
    if payload not in ("", "help") or len(context.args or ()) > 1:
        await _reply(message, t(language, "bad_link"))
        return
    user = update.effective_user
    name = escape(shorten(user.first_name, 40)) if user else ""
    owner, chat_id = _owner(update), message.chat.id
    examples = [
        _button(context, chat_id, f"🔎 {example}", "ex", owner, example)
        for example in context.bot_data.examples[:3]
    ]
    rows = [[b] for b in examples]
    rows.append([Button(t(language, "btn_inline"), switch_inline="")])
    text = t(language, "welcome", name=name, bot=escape(context.bot.username))
    await _reply(message, text, _keyboard(rows))


async def help_command(update: Update, context: Context) -> None:
    """/help: every command and inline mode, with the bot's real @username."""
    if update.effective_message:
        language = _language(update)
        text = t(language, "help", bot=escape(context.bot.username))
        await _reply(update.effective_message, text)


async def about(update: Update, context: Context) -> None:
    """/about: corpus size, build time, version."""
    message, stats = update.effective_message, context.bot_data.stats
    if message is None or stats is None:
        return
    text = t(
        _language(update),
        "about",
        documents=f"{stats.documents:,}",
        passages=f"{stats.passages:,}",
        characters=f"{stats.characters:,}",
        built_at=escape(stats.built_at or "?"),
        version=escape(__version__),
    )
    user = update.effective_user
    if user is not None and user.id in context.bot_data.admins:
        text = "\n".join([text, *await _feedback_lines(context.bot_data, _language(update))])
    await _reply(message, text)


async def _sources_page(
    context: Context, language: Language, chat_id: int, page: int
) -> tuple[str, InlineKeyboardMarkup | None] | None:
    store = context.bot_data.require_store()
    documents, total = await store.documents(page * SOURCES_PAGE, SOURCES_PAGE)
    if not total:
        return t(language, "empty_corpus"), None
    pages = (total + SOURCES_PAGE - 1) // SOURCES_PAGE
    if not documents:
        return None
    lines = [t(language, "sources_header", total=total, page=page + 1, pages=pages)]
    for number, doc in enumerate(documents, start=page * SOURCES_PAGE + 1):
        title = escape(shorten(doc.title or doc.path, 120))
        url = safe_url(doc.url)
        linked = f'<a href="{escape(url)}">{title}</a>' if url else title
        separator = "、" if language == "zh" else ", "
        authors = escape(shorten(separator.join(doc.authors), 80)) if doc.authors else ""
        lines.append(f"{number}. {linked}" + (f" — {authors}" if authors else ""))
    nav: list[Button] = []
    if page > 0:
        nav.append(
            _button(context, chat_id, t(language, "btn_sources_prev"), "sr", 0, str(page - 1))
        )
    if page + 1 < pages:
        nav.append(
            _button(context, chat_id, t(language, "btn_sources_next"), "sr", 0, str(page + 1))
        )
    return "\n".join(lines), _keyboard([nav])


async def sources(update: Update, context: Context) -> None:
    """/sources: the documents with their authors and links, a page at a time."""
    message = update.effective_message
    if message is None:
        return
    page = await _sources_page(context, _language(update), message.chat.id, 0)
    if page is not None:
        await _reply(message, *page)


async def random_passage(update: Update, context: Context) -> None:
    """/random: a passage chosen at random, with a button for another."""
    message = update.effective_message
    if message is None:
        return
    found = await context.bot_data.require_store().random_passages(1)
    if not found:
        await _reply(message, t(_language(update), "empty_corpus"))
        return
    await _send_passage(update, context, found[0], with_random=True)


async def reload_command(update: Update, context: Context) -> None:
    """/reload (admins, private chat): switch to a rebuilt database now."""
    message, user, state = update.effective_message, update.effective_user, context.bot_data
    if message is None or user is None:
        return
    language = _language(update)
    if user.id not in state.admins or state.live is None:
        await _reply(message, t(language, "unknown_command"))
        return
    result = await state.live.reload(force=True)
    if result.error:
        text = t(language, "reload_failed", reason=escape(shorten(result.error, 300)))
    else:
        stats = result.stats
        text = t(
            language,
            "reload_done",
            passages=f"{stats.passages:,}" if stats else "?",
            built_at=escape(stats.built_at if stats else "?"),
        )
    await _reply(message, text)


async def unknown_command(update: Update, context: Context) -> None:
    """A command we do not have, in a private chat (in groups it may be another bot's)."""
    if update.effective_message:
        await _reply(update.effective_message, t(_language(update), "unknown_command"))


async def not_text(update: Update, context: Context) -> None:
    """A sticker, photo, voice… in a private chat: say what works instead."""
    if update.effective_message:
        await _reply(update.effective_message, t(_language(update), "not_text"))


# --- inline mode ----------------------------------------------------------------------------


def _article(
    passage: StoredPassage,
    highlights: tuple[tuple[int, int], ...],
    language: Language,
    username: str,
) -> InlineQueryResultArticle:
    open_in_bot = InlineKeyboardButton(
        t(language, "btn_open"), url=f"https://t.me/{username}?start=p_{passage.key}"
    )
    return InlineQueryResultArticle(
        id=passage.key,
        title=inline_title(passage),
        description=snippet(passage.text, highlights),
        input_message_content=InputTextMessageContent(
            render_passage(passage, _labels(language), highlights)
        ),
        reply_markup=InlineKeyboardMarkup([[open_in_bot]]),
    )


async def inline_query(update: Update, context: Context) -> None:
    """@bot query in any chat: matches with real paging; the empty query shows a few random
    passages and a button to the instructions."""
    query = update.inline_query
    if query is None:
        return
    state = context.bot_data
    user_id = query.from_user.id
    if not state.inline_throttle.allow(user_id):
        state.metrics.throttled.labels("inline").inc()
        # Keep only this user's newest query and answer it when their bucket refills:
        # whoever types fast still gets results for what they typed last, and a flooder
        # gets no more than the refill rate.
        newest = user_id not in state.inline_waiting
        state.inline_waiting[user_id] = update
        if newest:
            context.application.create_task(_answer_later(user_id, context), update=update)
        return
    await _answer_inline_query(update, context)


async def _answer_later(user_id: int, context: Context) -> None:
    state = context.bot_data
    await asyncio.sleep(state.inline_throttle.wait_time(user_id))
    update = state.inline_waiting.pop(user_id, None)
    if update is not None and state.inline_throttle.allow(user_id):
        await _answer_inline_query(update, context)


async def _answer_inline_query(update: Update, context: Context) -> None:
    query = update.inline_query
    if query is None:
        return
    state = context.bot_data
    # One language for everyone: with is_personal off, Telegram gives the next person who
    # types the same query this same answer. The corpus is Chinese, so its replies are too.
    language: Language = "zh"
    username = context.bot.username
    text = clean_inline_query(query.query)
    help_button = InlineQueryResultsButton(t(language, "btn_inline_help"), start_parameter="help")
    if not text:
        passages = await state.require_store().random_passages(5)
        results = [_article(p, (), language, username) for p in passages]
        await _answer_inline(query.answer, results, "", RANDOM_CACHE_SECONDS, help_button)
        return
    offset = _offset(query.offset)
    if offset is None or offset >= MAX_PAGE:
        await _answer_inline(query.answer, [], "", INLINE_CACHE_SECONDS, None)
        return
    result = await _search(context, text, kind="inline", limit=INLINE_PAGE, offset=offset)
    results = [_article(m.passage, m.highlights, language, username) for m in result.matches]
    end = offset + len(results)
    next_offset = str(end) if results and end < result.total else ""
    button = None
    if not result.total:
        button = InlineQueryResultsButton(t(language, "btn_inline_nothing"), start_parameter="help")
    await _answer_inline(query.answer, results, next_offset, INLINE_CACHE_SECONDS, button)


async def _answer_inline(
    answer: Any,
    results: list[InlineQueryResultArticle],
    next_offset: str,
    cache_time: int,
    button: InlineQueryResultsButton | None,
) -> None:
    try:
        await answer(
            results,
            # Omitted, not "": PTB 22.8's ExtBot with Defaults turns a top-level "" into "[]"
            # (an empty str passes its "every item is an InputPollOption" check), and clients
            # would then ask for offset "[]" forever.
            next_offset=next_offset or None,
            cache_time=cache_time,
            is_personal=False,
            button=button,
        )
    except BadRequest as exc:
        # The reader typed on; Telegram has dropped this query. Not an error of ours.
        if "query is too old" not in str(exc).lower():
            raise
        log.debug("inline query expired before it was answered")


# --- buttons --------------------------------------------------------------------------------


async def button(update: Update, context: Context) -> None:
    """Every callback button. The payload is checked (signature, chat, owner) before use."""
    query = update.callback_query
    if query is None:
        return
    language = _language(update)
    message = query.message
    if not isinstance(message, Message):  # an inline message, or one older than 48 hours
        await query.answer(t(language, "stale_button"))
        return
    payload = decode_payload(query.data, secret=context.bot_data.secret, chat_id=message.chat.id)
    if payload is None:
        await query.answer(t(language, "stale_button"))
        return
    if payload.owner and payload.owner != query.from_user.id:
        await query.answer(t(language, "not_yours"))
        return
    action = _ACTIONS.get(payload.action)
    if action is None:
        await query.answer(t(language, "stale_button"))
        return
    await action(update, context, query, message, payload, language)


def _is_number(text: str) -> bool:
    """ASCII digits only: str.isdigit() also accepts "²", which int() refuses."""
    return text.isascii() and text.isdigit() and len(text) < 6


def _offset(text: str) -> int | None:
    """An inline query's offset: "" is the first page; anything but what we sent is None."""
    if not text:
        return 0
    return int(text) if _is_number(text) else None


def _id_arg(payload: Payload, index: int) -> int | None:
    """A row id from a payload (a /toc button): ASCII digits, at most 12 of them."""
    if len(payload.args) <= index:
        return None
    text = payload.args[index]
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else None


def _int_arg(payload: Payload, index: int) -> int | None:
    if len(payload.args) <= index or not _is_number(payload.args[index]):
        return None
    value = int(payload.args[index])
    return value if value < MAX_PAGE else None


async def _on_page(
    update: Update,
    context: Context,
    query: CallbackQuery,
    message: Message,
    payload: Payload,
    language: Language,
) -> None:
    index = _int_arg(payload, 0)
    text = payload.args[1] if len(payload.args) > 1 else _shared_query(message)
    if index is None or not text:
        await query.answer(t(language, "stale_button"))
        return
    result = await _search(context, text, kind="page", limit=1, offset=index)
    if not result.matches:
        await query.answer(t(language, "results_changed"))
        return
    match = result.matches[0]
    rows = _result_rows(
        context, language, message.chat.id, payload.owner, text, match, index, result.total
    )
    html = render_passage(match.passage, _labels(language), match.highlights)
    await _edit(message, html, _keyboard(rows))
    await query.answer()


async def _passage_from(
    query: CallbackQuery, context: Context, payload: Payload, language: Language
) -> StoredPassage | None:
    """The passage a button names; answers the button itself when there is none."""
    key = payload.args[0] if payload.args else ""
    found = await context.bot_data.require_store().passage_by_key(key) if _KEY.match(key) else None
    if found is None:
        await query.answer(t(language, "passage_gone" if _KEY.match(key) else "stale_button"))
    return found


async def _on_context(
    update: Update,
    context: Context,
    query: CallbackQuery,
    message: Message,
    payload: Payload,
    language: Language,
) -> None:
    passage = await _passage_from(query, context, payload, language)
    if passage is None:
        return
    store = context.bot_data.require_store()
    around = await store.passages([i for i in (passage.prev_id, passage.next_id) if i])
    before = around.get(passage.prev_id) if passage.prev_id else None
    after = around.get(passage.next_id) if passage.next_id else None
    index = payload.args[1] if len(payload.args) > 1 else "-"
    chat_id, owner = message.chat.id, payload.owner
    share = _shared_query(message) or _share_query(passage)
    back = (
        _page_button(context, chat_id, t(language, "btn_back"), owner, int(index), share)
        if _is_number(index)
        else _button(context, chat_id, t(language, "btn_back"), "ps", owner, passage.key, index)
    )
    rows = [
        [
            back,
            _button(context, chat_id, t(language, "btn_section"), "sc", owner, passage.key),
            Button(t(language, "btn_share"), switch_inline=share),
        ]
    ]
    html = render_context(passage, before, after, _labels(language))
    await _edit(message, html, _keyboard(rows))
    await query.answer()


async def _on_show_passage(
    update: Update,
    context: Context,
    query: CallbackQuery,
    message: Message,
    payload: Payload,
    language: Language,
) -> None:
    passage = await _passage_from(query, context, payload, language)
    if passage is None:
        return
    with_random = payload.args[1:2] == ("r",)
    rows = _passage_rows(
        context, language, message.chat.id, payload.owner, passage, with_random=with_random
    )
    await _edit(message, render_passage(passage, _labels(language)), _keyboard(rows))
    await query.answer()


async def _on_section(
    update: Update,
    context: Context,
    query: CallbackQuery,
    message: Message,
    payload: Payload,
    language: Language,
) -> None:
    passage = await _passage_from(query, context, payload, language)
    if passage is None:
        return
    section = await context.bot_data.require_store().section_passages(passage.section_id)
    await query.answer()
    for part in render_section(section, _labels(language)):
        await message.reply_text(
            part,
            reply_parameters=ReplyParameters(message.message_id, allow_sending_without_reply=True),
        )


async def _on_random(
    update: Update,
    context: Context,
    query: CallbackQuery,
    message: Message,
    payload: Payload,
    language: Language,
) -> None:
    found = await context.bot_data.require_store().random_passages(1)
    await query.answer()
    if found:
        await _send_passage(update, context, found[0], with_random=True)


async def _on_sources(
    update: Update,
    context: Context,
    query: CallbackQuery,
    message: Message,
    payload: Payload,
    language: Language,
) -> None:
    page_number = _int_arg(payload, 0)
    page = None
    if page_number is not None:
        page = await _sources_page(context, language, message.chat.id, page_number)
    await _show_page(query, message, page, language)


async def _show_page(
    query: CallbackQuery,
    message: Message,
    page: tuple[str, InlineKeyboardMarkup | None] | None,
    language: Language,
) -> None:
    """Edit the message to a page of a list (/sources, /toc), or say the button is stale."""
    if page is None:
        await query.answer(t(language, "stale_button"))
        return
    await _edit(message, *page)
    await query.answer()


async def _on_example(
    update: Update,
    context: Context,
    query: CallbackQuery,
    message: Message,
    payload: Payload,
    language: Language,
) -> None:
    await query.answer()
    if payload.args:
        await _answer_search(update, context, payload.args[0])


async def _on_counter(
    update: Update,
    context: Context,
    query: CallbackQuery,
    message: Message,
    payload: Payload,
    language: Language,
) -> None:
    await query.answer()


_ACTIONS = {
    "pg": _on_page,
    "cx": _on_context,
    "ps": _on_show_passage,
    "sc": _on_section,
    "rn": _on_random,
    "sr": _on_sources,
    "ex": _on_example,
    "n": _on_counter,
}


# --- before and after every update ----------------------------------------------------------


def _update_type(update: Update) -> str:
    for kind in (
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "my_chat_member",
        "chat_member",
    ):
        if getattr(update, kind, None) is not None:
            return kind
    return "other"


async def count_update(update: object, context: Context) -> None:
    """Runs first for every update: counts it by type for /metrics."""
    kind = _update_type(update) if isinstance(update, Update) else "invalid"
    context.bot_data.metrics.updates.labels(kind).inc()


def _acted_on(update: Update) -> bool:
    """Whether a handler would answer this update: chatter in a group the bot can read must
    not use up the bucket a member needs for their next /search."""
    if update.callback_query is not None:
        return True
    message = update.message
    if message is None:
        return False
    if message.chat.type == ChatType.PRIVATE:
        return True
    return bool(message.text and message.text.startswith("/"))


async def flood_guard(update: object, context: Context) -> None:
    """Drops messages and button presses from a user who sends more than a person can; a
    button press gets a short "slow down" so the client's spinner stops."""
    if not isinstance(update, Update) or update.inline_query is not None:
        return  # inline queries have their own bucket in `inline_query`
    user = update.effective_user
    if user is None or not _acted_on(update):
        return
    if context.bot_data.message_throttle.allow(user.id):
        return
    context.bot_data.metrics.throttled.labels("message").inc()
    if update.callback_query is not None:
        await update.callback_query.answer(t(_language(update), "slow_down"))
    raise ApplicationHandlerStop


async def on_error(update: object, context: Context) -> None:
    """Log the error (never the token: see app.configure_logging), count it, and tell the
    user something went wrong instead of leaving them waiting."""
    error = context.error
    context.bot_data.metrics.errors.labels(type(error).__name__).inc()
    if isinstance(error, Conflict):
        _on_conflict(context, error)
        return
    if isinstance(error, Forbidden):
        log.info("not allowed to write to this chat (the user blocked the bot?): %s", error)
        return
    if isinstance(error, QueryTimeout):
        log.warning("a search was interrupted: %s", error)
        await _apologize(update, "too_slow")
        return
    if isinstance(error, NetworkError):
        log.warning("network error talking to Telegram: %s", error)
        return
    log.error("error while handling an update", exc_info=error)
    await _apologize(update, "error")


async def _apologize(update: object, key: str) -> None:
    """Tell the user something went wrong instead of leaving them waiting."""
    if not isinstance(update, Update):
        return
    language = _language(update)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(t(language, key))
        elif update.message is not None and update.message.chat.type == ChatType.PRIVATE:
            await update.message.reply_text(t(language, key))
    except Exception as exc:  # the apology itself failed; nothing more to do
        log.warning("could not tell the user about the error: %s", exc)


def _on_conflict(context: Context, error: Conflict) -> None:
    state = context.bot_data
    now = time.monotonic()
    if now - state.started_at < CONFLICT_GRACE_SECONDS:
        state.fatal = (
            "another process is already polling Telegram with this bot token (409 Conflict). "
            "Run one polling instance per token; to run several, use webhook mode "
            "(--webhook-url) behind a load balancer"
        )
        log.error("%s; stopping", state.fatal)
        if state.stop is not None:
            state.stop.set()
        else:
            context.application.stop_running()
    elif now - state.last_conflict_warning > 60:
        state.last_conflict_warning = now
        log.warning("another process polled Telegram with this bot token: %s", error)


def pick_examples(passages: list[StoredPassage], count: int = 3) -> tuple[str, ...]:
    """Example queries for /start: a clause of 5-12 characters from each of a few passages,
    plain words only and short enough to ride in a button's callback data."""
    examples: list[str] = []
    for passage in passages:
        clauses = [
            c
            for c in _EXAMPLE_SPLIT.split(passage.text)
            if 5 <= len(c) <= 12 and len(c.encode()) <= 36 and _EXAMPLE_SHAPE.match(c)
        ]
        if clauses:
            examples.append(max(clauses, key=len))
        if len(examples) == count:
            break
    return tuple(examples)


def examples_rng(fingerprint: str) -> random.Random:
    """The same examples on every replica and restart of one database."""
    return random.Random(fingerprint)


# --- the daily excerpt ----------------------------------------------------------------------


async def _may_change_daily(update: Update, context: Context) -> bool:
    """Chat admins only. In a channel only admins can post at all; a group's anonymous admin
    writes as the group itself."""
    chat, message, user = update.effective_chat, update.effective_message, update.effective_user
    if chat is None or message is None:
        return False
    if chat.type in (ChatType.PRIVATE, ChatType.CHANNEL):
        return True
    if message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True
    if user is None:
        return False
    member = await context.bot.get_chat_member(chat.id, user.id)
    return member.status in ("administrator", "creator")


def _local_time(moment: float, tz: str) -> str:
    return dt.datetime.fromtimestamp(moment, zone(tz)).strftime("%Y-%m-%d %H:%M")


async def daily_command(update: Update, context: Context) -> None:
    """/daily HH:MM, /daily off, /daily: a passage posted in this chat every day."""
    message, chat, state = update.effective_message, update.effective_chat, context.bot_data
    if message is None or chat is None or message.text is None:
        return
    language = _language(update)
    if state.state_store is None:
        await _reply(message, t(language, "daily_unavailable"))
        return
    tz = state.timezone
    words = message.text.split()[1:]
    if not words:
        current = await state.state_store.subscription(chat.id)
        if current is None:
            await _reply(message, t(language, "daily_none", tz=escape(tz)))
        else:
            when = escape(_local_time(current.next_due, current.tz))
            at, zone_name = escape(current.at), escape(current.tz)
            await _reply(message, t(language, "daily_status", at=at, tz=zone_name, next=when))
        return
    if not await _may_change_daily(update, context):
        await _reply(message, t(language, "admins_only"))
        return
    if chat.id in state.listed_chats:
        await _reply(message, t(language, "daily_listed"))
        return
    if words[0].lower() in ("off", "stop", "关", "关闭", "停止"):
        await state.state_store.unsubscribe(chat.id)
        await _reply(message, t(language, "daily_off"))
        return
    try:
        at = parse_time(words[0])
        if len(words) > 1:
            zone(words[1])  # "/daily 08:00 Europe/Berlin"
            tz = words[1]
    except DailyError:
        await _reply(message, t(language, "daily_usage", tz=escape(tz)))
        return
    due = next_time(at, tz, state.clock())
    await state.state_store.subscribe(chat.id, at, tz, due, chat.title)
    when = escape(_local_time(due, tz))
    await _reply(message, t(language, "daily_set", at=at, tz=escape(tz), next=when))


async def _pick_daily(state: BotState, chat_id: int) -> tuple[StoredPassage | None, bool]:
    """A passage this chat has not had in this round, and whether it starts a new round.
    Keys of passages a rebuild removed do not count; a new round never opens with the
    passage that closed the last one."""
    store, state_store = state.require_store(), state.state_store
    assert state_store is not None
    keys = await store.all_keys()  # once a day per chat: reading the keys is cheap enough
    sent = await state_store.sent_keys(chat_id)
    remaining = [key for key in keys if key not in sent]
    start_over = not remaining
    if start_over:
        last = await state_store.last_sent(chat_id)
        remaining = [key for key in keys if key != last] or keys
    if not remaining:
        return None, start_over
    return await store.passage_by_key(random.choice(remaining)), start_over


async def _post_daily(
    application: Any, subscription: Subscription, passage: StoredPassage
) -> tuple[str, int]:
    """Send one daily excerpt: "sent", "retry" (try again at the next tick), "skip" (not
    today), or "gone" (the bot can no longer post there); and the chat's id now."""
    button = InlineKeyboardButton(
        t("zh", "btn_open"), url=f"https://t.me/{application.bot.username}?start=p_{passage.key}"
    )
    chat_id = subscription.chat_id
    try:
        await application.bot.send_message(
            chat_id,
            render_passage(passage, _labels("zh")),
            reply_markup=InlineKeyboardMarkup([[button]]),
        )
    except ChatMigrated as exc:  # the group became a supergroup: follow it
        log.info("daily excerpt: chat %s is now %s", chat_id, exc.new_chat_id)
        assert application.bot_data.state_store is not None
        await application.bot_data.state_store.move(chat_id, exc.new_chat_id)
        return "retry", int(exc.new_chat_id)
    except RetryAfter as exc:
        log.warning("daily excerpt for chat %s: Telegram asks to wait (%s)", chat_id, exc)
        return "retry", chat_id
    except Forbidden as exc:  # removed from the chat, or blocked
        log.warning("daily excerpt for chat %s stopped: %s", chat_id, exc)
        return "gone", chat_id
    except BadRequest as exc:
        if "chat not found" in str(exc).lower():
            log.warning("daily excerpt for chat %s stopped: %s", chat_id, exc)
            return "gone", chat_id
        # Not allowed to post right now (rights taken away, a slow mode...): not today.
        log.warning("daily excerpt for chat %s skipped today: %s", chat_id, exc)
        return "skip", chat_id
    except NetworkError as exc:  # 5xx, timeouts: try again shortly
        log.warning("daily excerpt for chat %s not sent yet: %s", chat_id, exc)
        return "retry", chat_id
    return "sent", chat_id


async def daily_tick(application: Any) -> int:
    """Post every daily excerpt that is due; returns how many were posted. A subscription is
    claimed (moved to its next time) before sending, in the shared state file, so of several
    processes ticking at once exactly one posts; a send that failed for a passing reason is
    handed back (its time restored) and tried again at the next tick."""
    state: BotState = application.bot_data
    if state.state_store is None or state.store is None:
        return 0
    now = state.clock()
    posted = 0
    for subscription in await state.state_store.due(now):
        following = next_time(subscription.at, subscription.tz, now)
        if not await state.state_store.claim(
            subscription.chat_id, subscription.next_due, following
        ):
            continue  # another process took it
        passage, start_over = await _pick_daily(state, subscription.chat_id)
        if passage is None:
            continue
        outcome, chat_id = await _post_daily(application, subscription, passage)
        if outcome == "sent":
            await state.state_store.record_sent(chat_id, passage.key, start_over=start_over)
            posted += 1
        elif outcome == "retry":  # hand it back: due again at once
            await state.state_store.claim(chat_id, following, subscription.next_due)
        elif outcome == "gone":
            await state.state_store.unsubscribe(chat_id)
    return posted


async def chosen_result(update: Update, context: Context) -> None:
    """A reader sent one of our inline results (Telegram reports it when inline feedback is
    on in BotFather): counted, for /about."""
    chosen = update.chosen_inline_result
    if chosen is not None and context.bot_data.state_store is not None:
        try:
            await context.bot_data.state_store.count_chosen(chosen.result_id[:64])
        except Exception as exc:  # best effort, like _count_empty
            log.warning("could not count a chosen inline result: %s", exc)


async def _feedback_lines(state: BotState, language: Language) -> list[str]:
    """For admins in /about: what readers looked for and did not find, what they shared."""
    if state.state_store is None:
        return []
    lines: list[str] = []
    empty = await state.state_store.top_empty(10)
    if empty:
        lines += ["", t(language, "about_empty")]
        lines += [f"{i}. {escape(q)} ×{n}" for i, (q, n) in enumerate(empty, start=1)]
    chosen = await state.state_store.top_chosen(5)
    if chosen:
        lines += ["", t(language, "about_chosen")]
        store = state.require_store()
        for i, (key, n) in enumerate(chosen, start=1):
            found = await store.passage_by_key(key) if _KEY.match(key) else None
            label = shorten(found.text, 40) if found else key
            lines.append(f"{i}. {escape(label)} ×{n}")
    return lines


# --- table of contents ----------------------------------------------------------------------

TOC_PAGE = 8  # documents per page
TOC_HEADINGS = 10  # headings per page


def _tag(state: BotState) -> str:
    """Which database a /toc button was made with: ids are only valid within one build."""
    if state.stats is None:
        return "-"
    build = f"{state.stats.build_id}|{state.stats.fingerprint}".encode()
    return hashlib.blake2b(build, digest_size=4).hexdigest()[:6]


async def _toc_documents(
    context: Context, language: Language, chat_id: int, owner: int, page: int
) -> tuple[str, InlineKeyboardMarkup | None] | None:
    state = context.bot_data
    documents, total = await state.require_store().documents(page * TOC_PAGE, TOC_PAGE)
    if not total:
        return t(language, "empty_corpus"), None
    if not documents:
        return None
    pages = (total + TOC_PAGE - 1) // TOC_PAGE
    tag = _tag(state)
    rows = [
        [
            _button(
                context, chat_id, shorten(d.title or d.path, 48), "tc", owner, str(d.id), "0", tag
            )
        ]
        for d in documents
    ]
    nav: list[Button] = []
    if page > 0:
        nav.append(_button(context, chat_id, "◀", "td", owner, str(page - 1), tag))
    if page + 1 < pages:
        nav.append(_button(context, chat_id, "▶", "td", owner, str(page + 1), tag))
    rows.append(nav)
    text = t(language, "toc_header", total=total, page=page + 1, pages=pages)
    return text, _keyboard(rows)


async def toc(update: Update, context: Context) -> None:
    """/toc: the documents as buttons; a document's headings; a heading's first passage."""
    message = update.effective_message
    if message is None:
        return
    page = await _toc_documents(context, _language(update), message.chat.id, _owner(update), 0)
    if page is not None:
        await _reply(message, *page)


async def _toc_check(
    update: Update, context: Context, payload: Payload, language: Language
) -> bool:
    """Whether the button was made with the database being served; answers it if not."""
    if payload.args and payload.args[-1] == _tag(context.bot_data):
        return True
    if update.callback_query:
        await update.callback_query.answer(t(language, "collection_changed"))
    return False


async def _on_toc_documents(
    update: Update,
    context: Context,
    query: CallbackQuery,
    message: Message,
    payload: Payload,
    language: Language,
) -> None:
    if not await _toc_check(update, context, payload, language):
        return
    page_number = _int_arg(payload, 0)
    page = None
    if page_number is not None:
        page = await _toc_documents(context, language, message.chat.id, payload.owner, page_number)
    await _show_page(query, message, page, language)


async def _on_toc_document(
    update: Update,
    context: Context,
    query: CallbackQuery,
    message: Message,
    payload: Payload,
    language: Language,
) -> None:
    if not await _toc_check(update, context, payload, language):
        return
    document_id, page = _id_arg(payload, 0), _int_arg(payload, 1)
    if document_id is None or page is None:
        await query.answer(t(language, "stale_button"))
        return
    store = context.bot_data.require_store()
    outline = await store.document_outline(document_id)
    if outline is None:
        await query.answer(t(language, "stale_button"))
        return
    # Headings with nothing under them lead nowhere: they are not offered.
    sections = [s for s in outline.sections if s.first_passage_id is not None]
    if not sections:  # an article without headings: show its beginning straight away
        first = outline.first_passage_id
        passage = await store.passage(first) if first is not None else None
        await query.answer()
        if passage is not None:
            await _send_passage(update, context, passage, with_random=False)
        return
    tag, chat_id, owner = _tag(context.bot_data), message.chat.id, payload.owner
    pages = max(1, (len(sections) + TOC_HEADINGS - 1) // TOC_HEADINGS)
    shown = sections[page * TOC_HEADINGS : (page + 1) * TOC_HEADINGS]
    rows = [
        [
            _button(
                context, chat_id, "　" * max(0, level - 1) + shorten(heading, 40), "ts", owner,
                str(first), tag,
            )
        ]
        for level, heading, first in ((s.level, s.heading, s.first_passage_id) for s in shown)
    ]  # fmt: skip
    nav: list[Button] = [_button(context, chat_id, t(language, "btn_toc"), "td", owner, "0", tag)]
    if page > 0:
        nav.append(
            _button(context, chat_id, "◀", "tc", owner, str(document_id), str(page - 1), tag)
        )
    if page + 1 < pages:
        nav.append(
            _button(context, chat_id, "▶", "tc", owner, str(document_id), str(page + 1), tag)
        )
    rows.append(nav)
    text = t(
        language,
        "toc_document",
        title=escape(shorten(outline.title, 100)),
        page=page + 1,
        pages=pages,
    )
    await _edit(message, text, _keyboard(rows))
    await query.answer()


async def _on_toc_section(
    update: Update,
    context: Context,
    query: CallbackQuery,
    message: Message,
    payload: Payload,
    language: Language,
) -> None:
    if not await _toc_check(update, context, payload, language):
        return
    passage_id = _id_arg(payload, 0)
    store = context.bot_data.require_store()
    passage = await store.passage(passage_id) if passage_id is not None else None
    if passage is None:
        await query.answer(t(language, "stale_button"))
        return
    await query.answer()
    await _send_passage(update, context, passage, with_random=False)


_ACTIONS.update(
    {
        "td": _on_toc_documents,
        "tc": _on_toc_document,
        "ts": _on_toc_section,
    }
)
