"""For the bot's admins: /reload, and the feedback lines /about shows them."""

from __future__ import annotations

from telegram import Update

from bot.handlers.common import PASSAGE_KEY, language_of, reply
from bot.handlers.state import BotState, Context
from bot.i18n import Language, counted, t
from bot.render import escape, shorten


async def watch_database(context: Context) -> None:
    """The JobQueue's periodic call: switch to a rebuilt database once one is published.
    A stat() every few seconds is cheaper than inotify and works on every filesystem."""
    live = context.bot_data.live
    if live is not None and live.changed_on_disk():
        await live.reload()


async def reload_command(update: Update, context: Context) -> None:
    """/reload (admins, private chat): switch to a rebuilt database now."""
    message, user, state = update.effective_message, update.effective_user, context.bot_data
    if message is None or user is None:
        return
    language = language_of(update)
    if user.id not in state.admins or state.live is None:
        await reply(message, t(language, "unknown_command"))
        return
    result = await state.live.reload(force=True)
    if result.error:
        text = t(language, "reload_failed", reason=escape(shorten(result.error, 300)))
    else:
        stats = result.stats
        text = t(
            language,
            "reload_done",
            passages=counted(language, "n_passages", stats.passages) if stats else "?",
            built_at=escape(stats.built_at if stats else "?"),
        )
    await reply(message, text)


async def feedback_lines(state: BotState, language: Language) -> list[str]:
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
            found = await store.passage_by_key(key) if PASSAGE_KEY.match(key) else None
            label = shorten(found.text, 40) if found else key
            lines.append(f"{i}. {escape(label)} ×{n}")
    return lines
