"""Helpers the features share: the reader's language, replies and edits, keyboards, the
buttons under a passage, the one way a handler searches, and the passage a button names."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence

from telegram import (
    CallbackQuery,
    CopyTextButton,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest

from bot.callbacks import Callback, Counter, Page, Random, Section, ShowContext
from bot.handlers.state import Context
from bot.i18n import Language, pick_language, t
from bot.models import Match, MatchKind, StoredPassage
from bot.render import (
    INLINE_QUERY_LIMIT,
    Button,
    Labels,
    copy_text,
    page_jumps,
    render_passage,
    shorten,
)
from bot.search import SearchResult, clean_query, search
from bot.state_store import StateStore

log = logging.getLogger(__name__)

SEARCH_TIMEOUT = 2.0  # seconds; searches take milliseconds, so this only stops a runaway
PASSAGE_KEY = re.compile(r"^[a-z2-7]{13}$")


def language_of(update: Update) -> Language:
    user = update.effective_user
    return pick_language(user.language_code if user else None)


def labels(language: Language) -> Labels:
    return Labels(source=t(language, "source"), more_below=t(language, "more_below"))


def match_note(match: Match, language: Language, *, loosened: bool) -> str:
    """What a result says above its quote when it is not the reader's words: found by its
    meaning, or the nearest to quoted words no passage holds as written; else nothing."""
    if match.kind is MatchKind.MEANING:
        return t(language, "close_in_meaning")
    return t(language, "not_exact") if loosened else ""


def keyboard(rows: list[list[Button]]) -> InlineKeyboardMarkup | None:
    built = [
        [
            InlineKeyboardButton(
                b.text,
                callback_data=b.callback,
                url=b.url,
                switch_inline_query=b.switch_inline,
                copy_text=CopyTextButton(b.copy) if b.copy else None,
            )
            for b in row
        ]
        for row in rows
        if row
    ]
    return InlineKeyboardMarkup(built) if built else None


def make_button(context: Context, chat_id: int, text: str, payload: Callback) -> Button:
    """A callback button whose data is `payload`, signed for this chat."""
    return Button(text, callback=payload.encode(secret=context.bot_data.secret, chat_id=chat_id))


def copy_button(
    language: Language, passage: StoredPassage, highlights: Sequence[tuple[int, int]] = ()
) -> Button:
    """Copies the passage with its attribution (`— author · title, link`) to the clipboard,
    for quoting it in a discussion; a long one is cut around the match (see `copy_text`)."""
    return Button(t(language, "btn_copy"), copy=copy_text(passage, highlights))


def jump_rows(
    context: Context,
    chat_id: int,
    owner: int,
    page: int,
    pages: int,
    target: Callable[[int], Callback],
) -> list[list[Button]]:
    """The navigation rows under a page of a long list (see `render.page_jumps`); `target`
    makes the payload of the button that shows a given page."""
    return [
        [
            make_button(
                context, chat_id, jump.label, Counter(owner) if jump.here else target(jump.page)
            )
            for jump in row
        ]
        for row in page_jumps(page, pages)
    ]


def share_query(passage: StoredPassage) -> str:
    """What the Share button types into inline mode for a passage not found by a search: its
    first clause, which finds it again."""
    words = clean_query(passage.text, limit=INLINE_QUERY_LIMIT)
    return shorten(words, 40).rstrip("…")


def result_rows(
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
            paging.append(page_button(context, chat_id, label, owner, index - 1, query))
        counter = t(language, "counter", n=index + 1, total=total)
        paging.append(make_button(context, chat_id, counter, Counter(owner)))
        if index + 1 < total:
            label = t(language, "btn_next")
            paging.append(page_button(context, chat_id, label, owner, index + 1, query))
    key = match.passage.key
    # Nothing of a meaning match is the reader's words: its copy starts at the beginning.
    highlights = match.highlights if match.kind is not MatchKind.MEANING else ()
    actions = [
        make_button(context, chat_id, t(language, "btn_context"), ShowContext(owner, key, index)),
        make_button(context, chat_id, t(language, "btn_section"), Section(owner, key)),
        copy_button(language, match.passage, highlights),
        Button(t(language, "btn_share"), switch_inline=query),
    ]
    return [paging, actions]


def page_button(
    context: Context, chat_id: int, label: str, owner: int, index: int, query: str
) -> Button:
    """A button to match `index` of `query`. A short query rides in the button itself too,
    so paging works even where the message comes back without its keyboard; a longer one
    is read back from the Share button."""
    try:
        return make_button(context, chat_id, label, Page(owner, index, query))
    except ValueError:  # over 64 bytes, or a '|' in the query
        return make_button(context, chat_id, label, Page(owner, index))


def passage_rows(
    context: Context,
    language: Language,
    chat_id: int,
    owner: int,
    passage: StoredPassage,
    *,
    with_random: bool = False,
) -> list[list[Button]]:
    """Buttons under a passage shown without a search (random, deep link)."""
    # with_random: Context's Back button brings the dice back too.
    show_context = ShowContext(owner, passage.key, with_random=with_random)
    rows = [
        [
            make_button(context, chat_id, t(language, "btn_context"), show_context),
            make_button(context, chat_id, t(language, "btn_section"), Section(owner, passage.key)),
            copy_button(language, passage),
            Button(t(language, "btn_share"), switch_inline=share_query(passage)),
        ]
    ]
    if with_random:
        rows.append([make_button(context, chat_id, t(language, "btn_random"), Random(owner))])
    return rows


def shared_query(message: Message) -> str | None:
    """The query a search reply was for, read back from its Share button."""
    markup = message.reply_markup
    for row in markup.inline_keyboard if markup else ():
        for button in row:
            if button.switch_inline_query:
                return button.switch_inline_query
    return None


async def reply(message: Message, text: str, markup: InlineKeyboardMarkup | None = None) -> Message:
    """Reply in the chat; in a group, as a reply to the asker's message (if it still exists)."""
    quote = None
    if message.chat.type != ChatType.PRIVATE:
        quote = ReplyParameters(message.message_id, allow_sending_without_reply=True)
    return await message.reply_text(text, reply_markup=markup, reply_parameters=quote)


async def edit(message: Message, text: str, markup: InlineKeyboardMarkup | None) -> None:
    try:
        await message.edit_text(text, reply_markup=markup)
    except BadRequest as exc:
        # Pressing the button for what is already shown: Telegram refuses the edit.
        if "not modified" not in str(exc).lower():
            raise


async def run_search(
    context: Context, query: str, *, user: int, kind: str, limit: int, offset: int = 0
) -> SearchResult:
    """Search for `user`, once the admission gate lets the search in (see bot.admission;
    raises `Busy` when it is shed, which `guards.on_error` answers politely)."""
    state = context.bot_data
    async with state.admission.admit(user, private=kind != "inline"):
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


def owner_of(update: Update) -> int:
    return update.effective_user.id if update.effective_user else 0


def example_query(context: Context) -> str:
    return context.bot_data.examples[0] if context.bot_data.examples else "托派很擅长篡改历史"


async def send_passage(
    update: Update, context: Context, passage: StoredPassage, *, with_random: bool
) -> None:
    message = update.effective_message
    if message is None:
        return
    language = language_of(update)
    rows = passage_rows(
        context, language, message.chat.id, owner_of(update), passage, with_random=with_random
    )
    await reply(message, render_passage(passage, labels(language)), keyboard(rows))


async def passage_from(
    query: CallbackQuery, context: Context, key: str, language: Language
) -> StoredPassage | None:
    """The passage a button names; answers the button itself when there is none."""
    found = await context.store.passage_by_key(key) if PASSAGE_KEY.match(key) else None
    if found is None:
        await query.answer(
            t(language, "passage_gone" if PASSAGE_KEY.match(key) else "stale_button")
        )
    return found


async def show_page(
    query: CallbackQuery,
    message: Message,
    page: tuple[str, InlineKeyboardMarkup | None] | None,
    language: Language,
) -> None:
    """Edit the message to a page of a list (/sources, /toc), or say the button is stale."""
    if page is None:
        await query.answer(t(language, "stale_button"))
        return
    await edit(message, *page)
    await query.answer()
