"""Reading without a query: /start (welcome, examples, deep links), /help, /about, /random
and /sources, with their buttons. The /toc table of contents is in `toc`."""

from __future__ import annotations

import random
import re

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType

from bot import __version__
from bot.callbacks import Example, Random, Sources
from bot.handlers.admin import feedback_lines
from bot.handlers.common import (
    PASSAGE_KEY,
    jump_rows,
    keyboard,
    language_of,
    make_button,
    owner_of,
    reply,
    send_passage,
    show_page,
)
from bot.handlers.state import Context
from bot.i18n import Language, counted, t
from bot.models import StoredPassage
from bot.render import Button, escape, safe_url, shorten

SOURCES_PAGE = 15
_EXAMPLE_SPLIT = re.compile(r"[，。；！？、：“”‘’「」《》（）,.;!?:()|｜\s]+")
_EXAMPLE_SHAPE = re.compile(r"^[\u4e00-\u9fffA-Za-z0-9]+$")  # words, nothing a payload escapes


async def start(update: Update, context: Context) -> None:
    """/start: a welcome with examples; /start p_<key> (a deep link) opens that passage."""
    message = update.effective_message
    if message is None:
        return
    language = language_of(update)
    payload = context.args[0] if context.args else ""
    if payload.startswith("p_"):
        key = payload[2:]
        found = await context.store.passage_by_key(key) if PASSAGE_KEY.match(key) else None
        if found is not None:
            await send_passage(update, context, found, with_random=False)
            return
        await reply(message, t(language, "bad_link"))
        return
    if payload not in ("", "help") or len(context.args or ()) > 1:
        await reply(message, t(language, "bad_link"))
        return
    user = update.effective_user
    name = escape(shorten(user.first_name, 40)) if user else ""
    owner, chat_id = owner_of(update), message.chat.id
    examples = [
        make_button(context, chat_id, f"🔎 {example}", Example(owner, example))
        for example in context.bot_data.examples[:3]
    ]
    rows = [[b] for b in examples]
    rows.append([Button(t(language, "btn_inline"), switch_inline="")])
    # Text is only read in a private chat: a group needs the /search@bot way in.
    private = message.chat.type == ChatType.PRIVATE
    welcome = "welcome" if private else "welcome_group"
    text = t(language, welcome, name=name, bot=escape(context.bot.username))
    await reply(message, text, keyboard(rows))


async def help_command(update: Update, context: Context) -> None:
    """/help: every command and inline mode, with the bot's real @username."""
    if update.effective_message:
        language = language_of(update)
        text = t(language, "help", bot=escape(context.bot.username))
        await reply(update.effective_message, text)


async def about(update: Update, context: Context) -> None:
    """/about: corpus size, build time, version."""
    message, stats = update.effective_message, context.bot_data.stats
    if message is None or stats is None:
        return
    language = language_of(update)
    meaning = t(language, "meaning_on" if context.store.meaning is not None else "meaning_off")
    text = t(
        language,
        "about",
        meaning=meaning,
        documents=counted(language, "n_articles", stats.documents),
        passages=counted(language, "n_passages", stats.passages),
        characters=counted(language, "n_characters", stats.characters),
        built_at=escape(stats.built_at or "?"),
        version=escape(__version__),
    )
    user = update.effective_user
    if user is not None and user.id in context.bot_data.admins:
        text = "\n".join([text, *await feedback_lines(context.bot_data, language_of(update))])
    await reply(message, text)


async def _sources_page(
    context: Context, language: Language, chat_id: int, page: int
) -> tuple[str, InlineKeyboardMarkup | None] | None:
    store = context.store
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
    if pages > 2:
        lines.append(t(language, "sources_hint"))
    # Anyone in the chat may page through the list (owner 0), as before jumping existed.
    rows = jump_rows(context, chat_id, 0, page, pages, lambda target: Sources(0, target))
    return "\n".join(lines), keyboard(rows)


async def sources(update: Update, context: Context) -> None:
    """/sources: the documents with their authors and links, a page at a time; `/sources 12`
    opens page 12."""
    message = update.effective_message
    if message is None:
        return
    language = language_of(update)
    typed = "".join(context.args or ())
    number = 1
    if typed:
        _, total = await context.store.documents(0, 1)
        pages = max(1, (total + SOURCES_PAGE - 1) // SOURCES_PAGE)
        number = int(typed) if typed.isascii() and typed.isdigit() and len(typed) < 7 else 0
        if not 1 <= number <= pages:
            await reply(message, t(language, "no_such_page", page=escape(typed), pages=pages))
            return
    page = await _sources_page(context, language, message.chat.id, number - 1)
    if page is not None:
        await reply(message, *page)


async def random_passage(update: Update, context: Context) -> None:
    """/random: a passage chosen at random, with a button for another."""
    message = update.effective_message
    if message is None:
        return
    found = await context.store.random_passages(1)
    if not found:
        await reply(message, t(language_of(update), "empty_corpus"))
        return
    await send_passage(update, context, found[0], with_random=True)


async def on_random(
    update: Update,
    context: Context,
    query: CallbackQuery,
    message: Message,
    payload: Random,
    language: Language,
) -> None:
    """🎲: another random passage, as a new message."""
    found = await context.store.random_passages(1)
    await query.answer()
    if found:
        await send_passage(update, context, found[0], with_random=True)


async def on_sources(
    update: Update,
    context: Context,
    query: CallbackQuery,
    message: Message,
    payload: Sources,
    language: Language,
) -> None:
    """◀ ▶ through /sources, in place."""
    page = await _sources_page(context, language, message.chat.id, payload.page)
    await show_page(query, message, page, language)


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
