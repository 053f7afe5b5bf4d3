"""The /toc table of contents: the documents as buttons, a document's headings, a heading's
first passage."""

from __future__ import annotations

import hashlib

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update

from bot.callbacks import TocDocument, TocDocuments, TocSection
from bot.handlers.common import (
    edit,
    keyboard,
    language_of,
    make_button,
    owner_of,
    reply,
    send_passage,
    show_page,
)
from bot.handlers.state import BotState, Context
from bot.i18n import Language, t
from bot.render import Button, escape, shorten

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
            make_button(
                context, chat_id, shorten(d.title or d.path, 48), TocDocument(owner, d.id, 0, tag)
            )
        ]
        for d in documents
    ]
    nav: list[Button] = []
    if page > 0:
        nav.append(make_button(context, chat_id, "◀", TocDocuments(owner, page - 1, tag)))
    if page + 1 < pages:
        nav.append(make_button(context, chat_id, "▶", TocDocuments(owner, page + 1, tag)))
    rows.append(nav)
    text = t(language, "toc_header", total=total, page=page + 1, pages=pages)
    return text, keyboard(rows)


async def toc(update: Update, context: Context) -> None:
    """/toc: the documents as buttons; a document's headings; a heading's first passage."""
    message = update.effective_message
    if message is None:
        return
    page = await _toc_documents(context, language_of(update), message.chat.id, owner_of(update), 0)
    if page is not None:
        await reply(message, *page)


async def _toc_check(update: Update, context: Context, tag: str, language: Language) -> bool:
    """Whether the button was made with the database being served; answers it if not."""
    if tag == _tag(context.bot_data):
        return True
    if update.callback_query:
        await update.callback_query.answer(t(language, "collection_changed"))
    return False


async def on_toc_documents(
    update: Update,
    context: Context,
    query: CallbackQuery,
    message: Message,
    payload: TocDocuments,
    language: Language,
) -> None:
    """/toc: another page of documents, in place."""
    if not await _toc_check(update, context, payload.tag, language):
        return
    page = None
    if payload.page is not None:
        page = await _toc_documents(context, language, message.chat.id, payload.owner, payload.page)
    await show_page(query, message, page, language)


async def on_toc_document(
    update: Update,
    context: Context,
    query: CallbackQuery,
    message: Message,
    payload: TocDocument,
    language: Language,
) -> None:
    """/toc: a document's headings (or its beginning, when it has none)."""
    if not await _toc_check(update, context, payload.tag, language):
        return
    document_id, page = payload.document_id, payload.page
    if document_id is None or page is None:
        await query.answer(t(language, "stale_button"))
        return
    store = context.store
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
            await send_passage(update, context, passage, with_random=False)
        return
    tag, chat_id, owner = _tag(context.bot_data), message.chat.id, payload.owner
    pages = max(1, (len(sections) + TOC_HEADINGS - 1) // TOC_HEADINGS)
    shown = sections[page * TOC_HEADINGS : (page + 1) * TOC_HEADINGS]
    rows = [
        [
            make_button(
                context,
                chat_id,
                "　" * max(0, s.level - 1) + shorten(s.heading, 40),
                TocSection(owner, s.first_passage_id, tag),
            )
        ]
        for s in shown
    ]
    nav: list[Button] = [
        make_button(context, chat_id, t(language, "btn_toc"), TocDocuments(owner, 0, tag))
    ]
    if page > 0:
        nav.append(
            make_button(context, chat_id, "◀", TocDocument(owner, document_id, page - 1, tag))
        )
    if page + 1 < pages:
        nav.append(
            make_button(context, chat_id, "▶", TocDocument(owner, document_id, page + 1, tag))
        )
    rows.append(nav)
    text = t(
        language,
        "toc_document",
        title=escape(shorten(outline.title, 100)),
        page=page + 1,
        pages=pages,
    )
    await edit(message, text, keyboard(rows))
    await query.answer()


async def on_toc_section(
    update: Update,
    context: Context,
    query: CallbackQuery,
    message: Message,
    payload: TocSection,
    language: Language,
) -> None:
    """/toc: the passage a heading starts with, as a new message."""
    if not await _toc_check(update, context, payload.tag, language):
        return
    passage_id = payload.passage_id
    store = context.store
    passage = await store.passage(passage_id) if passage_id is not None else None
    if passage is None:
        await query.answer(t(language, "stale_button"))
        return
    await query.answer()
    await send_passage(update, context, passage, with_random=False)
