"""The /toc table of contents: the documents as buttons, a document's headings, a heading's
first passage. Long lists are jumped through (first, last, ±10 pages, `/toc 12`) and
filtered by the words of the titles (`/toc 关键词`)."""

from __future__ import annotations

import hashlib

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update

from bot.callbacks import TocDocument, TocDocuments, TocSection
from bot.handlers.common import (
    edit,
    jump_rows,
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
from bot.models import DocumentSummary
from bot.render import Button, escape, outline_lines, shorten
from bot.text import normalize

TOC_PAGE = 8  # documents per page
TOC_HEADINGS = 10  # headings per page
_EVERY_DOCUMENT = 1_000_000  # a limit no collection reaches: the filter reads every title

Page = tuple[str, InlineKeyboardMarkup | None]


def _tag(state: BotState) -> str:
    """Which database a /toc button was made with: ids are only valid within one build."""
    if state.stats is None:
        return "-"
    build = f"{state.stats.build_id}|{state.stats.fingerprint}".encode()
    return hashlib.blake2b(build, digest_size=4).hexdigest()[:6]


def filter_words(text: str) -> str:
    """What `/toc …` filters by: the words typed, one space between them ('|' is a
    separator of button data, so it separates words here too)."""
    return " ".join(text.replace("|", " ").split())


def title_matches(document: DocumentSummary, words: str) -> bool:
    """Whether every word occurs in the document's title, file name or authors, compared
    the way searches compare (Traditional, width, case and punctuation folded)."""
    haystack = normalize(" ".join([document.title, document.path, *document.authors]))
    return all(normalize(word) in haystack for word in words.split())


async def _matching(context: Context, words: str) -> list[DocumentSummary]:
    """The documents whose title holds `words`. Every document is read once per build and
    kept: reading them all is one query, but not a cheap one on a big collection (measured:
    2.6 s for 1,500 documents of 16,500 passages), and a reader pages through a filter."""
    state, tag = context.bot_data, _tag(context.bot_data)
    if state.toc_documents is None or state.toc_documents[0] != tag:
        documents, _ = await context.store.documents(0, _EVERY_DOCUMENT)
        state.toc_documents = (tag, documents)
    return [d for d in state.toc_documents[1] if title_matches(d, words)]


def _fitting(payload: TocDocument, fallback: TocDocument, chat_id: int) -> TocDocument:
    """`payload` if its button data fits in 64 bytes, else `fallback` (without the list
    to return to)."""
    try:
        payload.encode(secret=b"", chat_id=chat_id)
    except ValueError:
        return fallback
    return payload


def _document_button(
    context: Context, chat_id: int, owner: int, document: DocumentSummary, words: str, page: int
) -> Button:
    """A document's button, remembering the list it is on (filter and page) when that fits
    in the button's 64 bytes; else its "contents" button goes to the first page."""
    label = shorten(document.title or document.path, 48)
    tag = _tag(context.bot_data)
    payload = _fitting(
        TocDocument(owner, document.id, 0, tag, words or None, page),
        TocDocument(owner, document.id, 0, tag),
        chat_id,
    )
    return make_button(context, chat_id, label, payload)


async def _toc_documents(
    context: Context, language: Language, chat_id: int, owner: int, page: int, words: str = ""
) -> Page | None:
    """A page of the documents (those whose title holds `words`, when given); None when the
    page does not exist."""
    state = context.bot_data
    if words:
        matching = await _matching(context, words)
        total = len(matching)
        documents = matching[page * TOC_PAGE : (page + 1) * TOC_PAGE]
        if not total:
            return t(language, "toc_no_match", words=escape(words)), None
    else:
        documents, total = await context.store.documents(page * TOC_PAGE, TOC_PAGE)
        if not total:
            return t(language, "empty_corpus"), None
    if not documents:
        return None
    pages = (total + TOC_PAGE - 1) // TOC_PAGE
    tag = _tag(state)
    rows = [[_document_button(context, chat_id, owner, d, words, page)] for d in documents]
    rows += jump_rows(
        context,
        chat_id,
        owner,
        page,
        pages,
        lambda target: TocDocuments(owner, target, tag, words or None),
    )
    numbers = {"total": total, "page": page + 1, "pages": pages}
    if words:
        text = t(language, "toc_filtered", words=escape(words), **numbers)
    else:
        text = t(language, "toc_header", **numbers)
        if pages > 2:
            text += "\n" + t(language, "toc_hint")
    return text, keyboard(rows)


async def toc(update: Update, context: Context) -> None:
    """/toc: the documents as buttons; `/toc 12`: page 12; `/toc 关键词`: the documents whose
    title holds those words."""
    message = update.effective_message
    if message is None:
        return
    language, chat_id, owner = language_of(update), message.chat.id, owner_of(update)
    typed = filter_words(" ".join(context.args or ()))
    if typed.isascii() and typed.isdigit():
        _, total = await context.store.documents(0, 1)
        pages = max(1, (total + TOC_PAGE - 1) // TOC_PAGE)
        number = int(typed) if len(typed) < 7 else 0
        if not 1 <= number <= pages:
            await reply(message, t(language, "no_such_page", page=escape(typed), pages=pages))
            return
        page = await _toc_documents(context, language, chat_id, owner, number - 1)
    else:
        try:  # the words ride in the page buttons: they must fit in 64 bytes
            TocDocuments(owner, 999, _tag(context.bot_data), typed or None).encode(
                secret=b"", chat_id=chat_id
            )
        except ValueError:
            await reply(message, t(language, "toc_words_long"))
            return
        page = await _toc_documents(context, language, chat_id, owner, 0, typed)
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
        page = await _toc_documents(
            context,
            language,
            message.chat.id,
            payload.owner,
            payload.page,
            filter_words(payload.words or ""),
        )
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
    lines = outline_lines(outline.sections)
    if not lines:  # an article without headings: show its beginning straight away
        first = outline.first_passage_id
        passage = await store.passage(first) if first is not None else None
        await query.answer()
        if passage is not None:
            await send_passage(update, context, passage, with_random=False)
        return
    tag, chat_id, owner = _tag(context.bot_data), message.chat.id, payload.owner
    pages = max(1, (len(lines) + TOC_HEADINGS - 1) // TOC_HEADINGS)
    if page >= pages:
        await query.answer(t(language, "stale_button"))
        return
    rows = [
        [
            make_button(
                context,
                chat_id,
                "　" * max(0, line.level - 1) + line.label,
                TocSection(owner, line.passage_id, tag),
            )
        ]
        for line in lines[page * TOC_HEADINGS : (page + 1) * TOC_HEADINGS]
    ]
    back = TocDocuments(owner, payload.back, tag, payload.words)
    rows.append([make_button(context, chat_id, t(language, "btn_toc"), back)])
    rows += jump_rows(
        context,
        chat_id,
        owner,
        page,
        pages,
        lambda target: _fitting(
            TocDocument(owner, document_id, target, tag, payload.words, payload.back),
            TocDocument(owner, document_id, target, tag),
            chat_id,
        ),
    )
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
