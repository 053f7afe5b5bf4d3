"""PTB callbacks, one module per feature: read the update, call search, call render, reply.

No SQL and no scoring here. Nothing about a conversation is kept on the server: every button
carries what it needs in its signed `callback_data`, and a search reply carries its query in
its own "Share" button, so paging keeps working after a restart and on any replica.

    state     BotState and the typed Context every handler gets
    common    replies, keyboards, the buttons under a passage, the one way to search
    search    a message is a search; paging, context, section
    smalltalk 谢谢, hi, 👍 in a private chat: a friendly answer, not a search
    inline    @bot query in any chat
    browse    /start /help /about /random /sources
    toc       /toc: documents, their headings, a heading's passage
    admin     /reload and the admins' feedback lines
    daily     /daily and the tick that posts due excerpts
    guards    counting, flood control, errors, what the bot does not handle
    buttons   every callback button, and the one table of button actions

`bot.app` registers them, in order, in one list.
"""

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update

from bot.handlers.admin import reload_command, watch_database
from bot.handlers.browse import (
    about,
    examples_rng,
    help_command,
    pick_examples,
    random_passage,
    sources,
    start,
)
from bot.handlers.buttons import ACTIONS, button
from bot.handlers.daily import daily_command, daily_job, daily_tick
from bot.handlers.guards import (
    count_update,
    drop_repeats,
    flood_guard,
    not_text,
    on_error,
    unknown_command,
)
from bot.handlers.inline import chosen_result, inline_query
from bot.handlers.search import caption_search, search_command, text_search
from bot.handlers.state import BotApplication, BotState, Context
from bot.handlers.toc import toc

Callback = Callable[[Update, Context], Coroutine[Any, Any, None]]

# The callback of each command in `bot.i18n.COMMANDS`, by name.
COMMAND_CALLBACKS: dict[str, Callback] = {
    "search": search_command,
    "random": random_passage,
    "sources": sources,
    "help": help_command,
    "about": about,
    "toc": toc,
    "daily": daily_command,
    "start": start,
    "reload": reload_command,
}

__all__ = [
    "ACTIONS",
    "COMMAND_CALLBACKS",
    "BotApplication",
    "BotState",
    "Context",
    "about",
    "button",
    "caption_search",
    "chosen_result",
    "count_update",
    "daily_command",
    "daily_job",
    "daily_tick",
    "drop_repeats",
    "examples_rng",
    "flood_guard",
    "help_command",
    "inline_query",
    "not_text",
    "on_error",
    "pick_examples",
    "random_passage",
    "reload_command",
    "search_command",
    "sources",
    "start",
    "text_search",
    "toc",
    "unknown_command",
    "watch_database",
]
