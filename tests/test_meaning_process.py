"""The meaning look-up in a process of its own (bot.store.meaning_process): on a real database
whose meaning index is read by sign bits, as a large collection's is (or exactly, above the
size where a process pays), with a real worker process started by `Store.open`."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from pathlib import Path

import pytest

from bot import meaning as meaning_index
from bot.meaning import cpus_available
from bot.models import MatchKind
from bot.search import SearchResult, search
from bot.store import Store

pytestmark = pytest.mark.skipif(
    cpus_available() < 2, reason="the process is started only where two CPUs may be used"
)

# From tests/data/meaning/shipped-dev.yaml: by meaning, by chatter around the words, by
# keywords, and a question the post does not answer.
PARAPHRASE = "照托派那套做法，红军每打一次败仗他都该拍手叫好，因为这说明他是对的"
QUERIES = [
    PARAPHRASE,
    "我们日常的每一次喘气和一举一动，最终都会被投进历史的炉子里炼化",
    "求助：哪篇文章里说托洛茨基当过外交委员和陆海军人民委员",
    "托洛茨基 墨西哥 乌克兰",
    "托派在越南的组织后来怎么样了",
    "托派很擅长篡改历史",
]


def answers(result: SearchResult) -> list[tuple[int, MatchKind, float]]:
    return [(m.passage.passage_id, m.kind, round(m.score, 6)) for m in result.matches]


# How a store comes to look up in a process of its own: its index read by sign bits (a
# large collection), or read exactly at a size where a look-up costs as much as a search.
# Each: (exact_max_units, look_ahead_min_units) given to Store.open.
LARGE = {
    "by sign bits": (0, meaning_index.LOOK_AHEAD_MIN_UNITS),
    "exact": (meaning_index.EXACT_MAX_UNITS, 1),
}


@pytest.mark.parametrize("large", LARGE.values(), ids=LARGE.keys())
def test_searches_answer_the_same_with_the_look_up_in_its_own_process(
    shipped_meaning_db: Path, large: tuple[int, int]
) -> None:
    async def go() -> None:
        here = await Store.open(shipped_meaning_db)  # a small index: looked up in-process
        exact_max_units, look_ahead_min_units = large
        there = await Store.open(
            shipped_meaning_db,
            exact_max_units=exact_max_units,
            look_ahead_min_units=look_ahead_min_units,
        )
        try:
            assert here.meaning_process is None and here.encodes_here
            process = there.meaning_process
            assert process is not None and process.wait_started() is not None
            assert not there.encodes_here  # the encoder need not be loaded here
            kinds = set()
            for query in QUERIES:
                ours = await search(there, query, limit=10)
                assert answers(ours) == answers(await search(here, query, limit=10)), query
                kinds |= {m.kind for m in ours.matches}
            assert MatchKind.MEANING in kinds and MatchKind.TEXT in kinds
            assert process.working
        finally:
            await here.close()
            await there.close()

    asyncio.run(go())


def test_a_search_still_finds_by_meaning_when_the_look_up_process_dies(
    shipped_meaning_db: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async def go() -> None:
        store = await Store.open(shipped_meaning_db, exact_max_units=0)
        try:
            process = store.meaning_process
            assert process is not None
            pid = process.wait_started()
            assert pid is not None
            os.kill(pid, signal.SIGKILL)
            for _ in range(2):  # the one that finds it dead, and the next
                result = await search(store, PARAPHRASE, limit=5)
                assert result.matches and result.matches[0].kind is MatchKind.MEANING
                assert "红军每遭受一次失败他就应当欢呼" in result.matches[0].passage.text
            assert not process.working and store.encodes_here
        finally:
            await store.close()

    with caplog.at_level(logging.WARNING, logger="bot.store.meaning_process"):
        asyncio.run(go())
    assert "looking up in this process" in caplog.text


def test_closing_the_store_stops_its_process(shipped_meaning_db: Path) -> None:
    async def go() -> int:
        store = await Store.open(shipped_meaning_db, exact_max_units=0)
        try:
            assert store.meaning_process is not None
            pid = store.meaning_process.wait_started()
            assert pid is not None
            await search(store, PARAPHRASE)
        finally:
            await store.close()
        return pid

    pid = asyncio.run(go())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
