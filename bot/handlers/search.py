"""Searching from a message (private text, /search, a caption), and the buttons under a
search reply: paging, context, the whole section, an example query."""

from __future__ import annotations

from telegram import CallbackQuery, Message, ReplyParameters, Update

from bot.callbacks import Counter, Example, Page, Section, ShowContext, ShowPassage
from bot.handlers.common import (
    copy_button,
    edit,
    example_query,
    keyboard,
    labels,
    language_of,
    make_button,
    match_note,
    owner_of,
    page_button,
    passage_from,
    passage_rows,
    reply,
    result_rows,
    run_search,
    share_query,
    shared_query,
)
from bot.handlers.smalltalk import answer_small_talk, small_talk
from bot.handlers.state import Context
from bot.i18n import Language, t
from bot.models import Match
from bot.render import (
    INLINE_QUERY_LIMIT,
    Button,
    escape,
    render_context,
    render_passage,
    render_section,
    shorten,
)
from bot.search import clean_query


def passage_html(match: Match, language: Language, *, loosened: bool) -> str:
    return render_passage(
        match.passage,
        labels(language),
        match.highlights,
        note=match_note(match, language, loosened=loosened),
    )


async def answer_search(update: Update, context: Context, query: str) -> None:
    message = update.effective_message
    if message is None:
        return
    language = language_of(update)
    query = clean_query(query, limit=INLINE_QUERY_LIMIT)
    if not query:
        await reply(message, t(language, "search_usage", example=escape(example_query(context))))
        return
    result = await run_search(context, query, user=owner_of(update), kind="chat", limit=1)
    if not result.matches:
        if result.unknown is not None:  # 作者:/标题: named nothing in this collection
            field, name = result.unknown
            key = {"author": "no_such_author", "title": "no_such_title"}[field]
            await reply(message, t(language, key, name=escape(shorten(name, 60))))
            return
        shown = escape(shorten(query, 100))
        await reply(message, t(language, "nothing_found", query=shown))
        return
    match = result.matches[0]
    rows = result_rows(
        context, language, message.chat.id, owner_of(update), query, match, 0, result.total
    )
    html = passage_html(match, language, loosened=result.loosened)
    await reply(message, html, keyboard(rows))


async def text_search(update: Update, context: Context) -> None:
    """Any text in a private chat is a search, unless it is small talk (谢谢, hi, 👍)."""
    message = update.effective_message
    if message and message.text:
        talk = small_talk(message.text)
        if talk is not None:
            await answer_small_talk(update, context, talk)
            return
        await answer_search(update, context, message.text)


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
        await reply(
            message, t(language_of(update), "search_usage", example=escape(example_query(context)))
        )
        return
    await answer_search(update, context, query)


async def caption_search(update: Update, context: Context) -> None:
    """A photo or document with a caption, in a private chat: the caption is the search."""
    message = update.effective_message
    if message and message.caption:
        await answer_search(update, context, message.caption)


async def on_page(
    update: Update,
    context: Context,
    query: CallbackQuery,
    message: Message,
    payload: Page,
    language: Language,
) -> None:
    """◀ ▶: show another match of the same query in place."""
    index = payload.index
    text = payload.query if payload.query is not None else shared_query(message)
    if not text:
        await query.answer(t(language, "stale_button"))
        return
    result = await run_search(
        context, text, user=owner_of(update), kind="page", limit=1, offset=index
    )
    if not result.matches:
        await query.answer(t(language, "results_changed"))
        return
    match = result.matches[0]
    rows = result_rows(
        context, language, message.chat.id, payload.owner, text, match, index, result.total
    )
    html = passage_html(match, language, loosened=result.loosened)
    await edit(message, html, keyboard(rows))
    await query.answer()


async def on_context(
    update: Update,
    context: Context,
    query: CallbackQuery,
    message: Message,
    payload: ShowContext,
    language: Language,
) -> None:
    """Context: the passage between its neighbours, with a Back button."""
    passage = await passage_from(query, context, payload.key, language)
    if passage is None:
        return
    store = context.store
    around = await store.passages([i for i in (passage.prev_id, passage.next_id) if i])
    before = around.get(passage.prev_id) if passage.prev_id else None
    after = around.get(passage.next_id) if passage.next_id else None
    chat_id, owner = message.chat.id, payload.owner
    share = shared_query(message) or share_query(passage)
    back_label = t(language, "btn_back")
    back = (
        page_button(context, chat_id, back_label, owner, payload.page, share)
        if payload.page is not None
        else make_button(
            context, chat_id, back_label, ShowPassage(owner, passage.key, payload.with_random)
        )
    )
    rows = [
        [
            back,
            make_button(context, chat_id, t(language, "btn_section"), Section(owner, passage.key)),
            copy_button(language, passage),
            Button(t(language, "btn_share"), switch_inline=share),
        ]
    ]
    html = render_context(passage, before, after, labels(language))
    await edit(message, html, keyboard(rows))
    await query.answer()


async def on_show_passage(
    update: Update,
    context: Context,
    query: CallbackQuery,
    message: Message,
    payload: ShowPassage,
    language: Language,
) -> None:
    """Back from Context: the passage alone again."""
    passage = await passage_from(query, context, payload.key, language)
    if passage is None:
        return
    with_random = payload.with_random
    rows = passage_rows(
        context, language, message.chat.id, payload.owner, passage, with_random=with_random
    )
    await edit(message, render_passage(passage, labels(language)), keyboard(rows))
    await query.answer()


async def on_section(
    update: Update,
    context: Context,
    query: CallbackQuery,
    message: Message,
    payload: Section,
    language: Language,
) -> None:
    """Section: the whole section the passage is in, as one or more messages."""
    passage = await passage_from(query, context, payload.key, language)
    if passage is None:
        return
    section = await context.store.section_passages(passage.section_id)
    await query.answer()
    for part in render_section(section, labels(language)):
        await message.reply_text(
            part,
            reply_parameters=ReplyParameters(message.message_id, allow_sending_without_reply=True),
        )


async def on_example(
    update: Update,
    context: Context,
    query: CallbackQuery,
    message: Message,
    payload: Example,
    language: Language,
) -> None:
    """An example under /start: searched as if the reader had sent it. The button is
    answered after the search: when the search is shed, the answer says so instead."""
    if payload.text is not None:
        await answer_search(update, context, payload.text)
    await query.answer()


async def on_counter(
    update: Update,
    context: Context,
    query: CallbackQuery,
    message: Message,
    payload: Counter,
    language: Language,
) -> None:
    """The "2/15" counter: nothing to do but stop the client's spinner."""
    await query.answer()
