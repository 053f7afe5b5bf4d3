"""Saying exactly what you mean: quoted words, excluded words, an author, a title. Searched
through the CLI contract, in a private chat and inline, over real Markdown and SQLite."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.handlers import BotApplication

from .conftest import build_db, build_site_db, post
from .support.cli import Cli
from .support.fake_bot_api import FakeTelegram
from .support.harness import ask, polling_bot

LU_XUN = """---
title: 故乡
author: 鲁迅
---

希望是本无所谓有，无所谓无的。这正如地上的路。

其实地上本没有路，走的人多了，也便成了路。

我在朦胧中，眼前展开一片海边碧绿的沙地来。
"""
HU_SHI = """---
title: 胡适文存
author: 胡适
---

大胆的假设，小心的求证，这是做学问的路。

容忍比自由还更重要，没有容忍就没有自由。
"""
WALKED = "其实地上本没有路，走的人多了，也便成了路。"
HOPE = "希望是本无所谓有，无所谓无的。这正如地上的路。"
SCHOLAR = "大胆的假设，小心的求证，这是做学问的路。"


@pytest.fixture(scope="module")
def essays(tmp_path_factory: pytest.TempPathFactory) -> Path:
    corpus = tmp_path_factory.mktemp("essays")
    (corpus / "guxiang.md").write_text(LU_XUN, encoding="utf-8")
    (corpus / "hushi.md").write_text(HU_SHI, encoding="utf-8")
    return build_db([corpus], corpus / "essays.db")


def found(cli: Cli, db: Path, query: str, field: str = "text") -> list[str]:
    run = cli("search", "--db", str(db), "--json", query, home=db.parent)
    assert run.returncode == 0, run.stderr
    return [r[field] for r in json.loads(run.stdout)["results"]]


def test_quoted_words_must_occur_as_written(cli: Cli, essays: Path) -> None:
    assert found(cli, essays, "走的人多啦") == [WALKED]  # a typo: the fuzzy search forgives it
    # Quoted, nothing holds it as written: the nearest is offered, and said to be loosened.
    run = cli("search", "--db", str(essays), "--json", '"走的人多啦"', home=essays.parent)
    loose = json.loads(run.stdout)
    assert loose["loosened"] is True and [r["text"] for r in loose["results"]] == [WALKED]
    assert "loosened" not in json.loads(
        cli("search", "--db", str(essays), "--json", '"走的人多了"', home=essays.parent).stdout
    )
    for quoted in ('"走的人多了"', "「走的人多了」", "“走的人多了”", "『走的人多了』"):
        assert found(cli, essays, quoted) == [WALKED], quoted
    assert found(cli, essays, '"走的人多了" "也便成了路"') == [WALKED]  # every phrase
    # No passage holds both as written: what is offered is said to be loosened.
    both = cli("search", "--db", str(essays), "--json", '"走的人多了" "做学问"', home=essays.parent)
    assert json.loads(both.stdout).get("loosened") is True
    # Quoted in Traditional script: the same words, as the index reads them.
    assert found(cli, essays, "「這正如地上的路」") == [HOPE]


def test_words_outside_the_quotes_rank_the_passages_holding_the_phrase(
    cli: Cli, essays: Path
) -> None:
    both = found(cli, essays, '"的路" 学问')
    assert both[0] == SCHOLAR and len(both) == 2  # both hold 的路; the one about 学问 first
    assert found(cli, essays, '学问 "的路"')[0] == SCHOLAR


def test_a_minus_word_leaves_out_the_passages_holding_it(cli: Cli, essays: Path) -> None:
    with_road = found(cli, essays, "路")
    assert len(with_road) == 3
    without = found(cli, essays, "路 -地上")
    assert without == [SCHOLAR]
    assert found(cli, essays, "路 －地上 -学问") == []  # a full-width minus too


def test_options_of_a_copied_command_line_are_words_not_exclusions(
    cli: Cli, tmp_path: Path
) -> None:
    # "-o" read as "leave out o" dropped every passage with the letter o in it, the one that
    # holds the command among them.
    db = build_site_db(
        tmp_path,
        {
            "go.md": post(
                "跨平台构建",
                "golang 跨平台构建时不要 go build -o 直接指定文件，提前创建目录并指定为目录。",
                "构建完清理时用 rm --force 删除旧的产物，ls -la 看一下权限。",
            )
        },
    )
    for query in (
        "golang 跨平台构建的时候不要用 go build -o 直接指定文件",
        "rm --force 删除旧的产物",
        "ls -la 看一下权限",
    ):
        assert found(cli, db, query), query
    # A word after a Chinese one is still left out, Latin letters too.
    assert found(cli, db, "构建 -产物") == [
        "golang 跨平台构建时不要 go build -o 直接指定文件，提前创建目录并指定为目录。"
    ]
    assert found(cli, db, "跨平台构建 -golang") == []


def test_author_and_title_narrow_to_a_name_near_enough(cli: Cli, essays: Path) -> None:
    assert found(cli, essays, "作者:胡适 路") == [SCHOLAR]
    assert set(found(cli, essays, "author:鲁迅 路")) == {WALKED, HOPE}
    assert WALKED in found(cli, essays, "作者：鲁讯 走的人多了")  # a homophone in the name
    assert found(cli, essays, "作者:魯迅 学问") == []  # Traditional name; 学问 is Hu Shi's
    assert found(cli, essays, "标题:胡适 自由") == ["容忍比自由还更重要，没有容忍就没有自由。"]
    assert found(cli, essays, "title:故乡 自由") == []
    # A field alone lists what it names, in the order it was written.
    assert found(cli, essays, "作者:胡适") == [SCHOLAR, "容忍比自由还更重要，没有容忍就没有自由。"]
    assert found(cli, essays, "作者:张三") == []


def test_a_quoted_letter_or_digit_is_a_search_like_any_other(cli: Cli, essays: Path) -> None:
    # A lone Latin letter or digit has no form of its own in a search: it must not fail.
    for query in ('"a" 路', '"a"', "「1」", '"1" "路"'):
        found(cli, essays, query)  # exit 0 and JSON, whatever it finds


def test_a_query_that_does_not_parse_is_searched_as_typed(cli: Cli, essays: Path) -> None:
    assert found(cli, essays, '"走的人多了') == [WALKED]  # an unbalanced quote
    assert found(cli, essays, "出处:其实地上本没有路，走的人多了") == [WALKED]  # an unknown field


def test_quoted_words_get_no_matches_by_meaning(cli: Cli, shipped_meaning_db: Path) -> None:
    loose = found(cli, shipped_meaning_db, "托派总是歪曲历史事实", field="match")
    assert "meaning" in loose
    assert "meaning" not in found(cli, shipped_meaning_db, "「托派很擅长篡改历史」", field="match")


async def test_the_syntax_in_a_private_chat_and_inline(fake: FakeTelegram, essays: Path) -> None:
    async with polling_bot(fake, essays):
        reply = await ask(fake, "作者:胡适 路")
        text = re.sub(r"<[^>]+>", "", reply["text"])
        assert "做学问的路" in text and "胡适" in text and "地上" not in text

        reply = await ask(fake, "作者:张三 路")
        assert "没有叫「张三」的作者" in reply["text"] and "/sources" in reply["text"]
        reply = await ask(fake, "标题:呐喊 路")
        assert "没有标题像「呐喊」的文章" in reply["text"]

        reply = await ask(fake, "/search 「走的人多啦」")
        assert "没有一字不差的原文" in reply["text"] and "走的人多了" in reply["text"]
        reply = await ask(fake, "/search 「走的人多了」")
        assert "没有一字不差的原文" not in reply["text"]

        answer = await fake.answer_of(fake.inline_query("路 -地上"))
        messages = [
            re.sub(r"<[^>]+>", "", r["input_message_content"]["message_text"])
            for r in answer.params["results"]
        ]
        assert len(messages) == 1 and "做学问的路" in messages[0]

        answer = await fake.answer_of(fake.inline_query("“走的人多啦”"))
        loose = answer.params["results"]
        assert "没有一字不差的原文" in loose[0]["description"]
        assert "没有一字不差的原文" in loose[0]["input_message_content"]["message_text"]

        answer = await fake.answer_of(fake.inline_query("“走的人多了”"))
        results = answer.params["results"]
        assert len(results) == 1
        assert "<b>走的人多了</b>" in results[0]["input_message_content"]["message_text"]
        assert "没有一字不差的原文" not in results[0]["description"]


async def test_help_explains_the_syntax_in_both_languages(
    fake: FakeTelegram, bot: BotApplication
) -> None:
    zh = (await ask(fake, "/help"))["text"]
    assert "「原话」" in zh and "-词" in zh and "作者:" in zh and "标题:" in zh
    en = (await ask(fake, "/help", user=fake.user(4004, language_code="en")))["text"]
    assert "exact words" in en and "-word" in en and "author:" in en and "title:" in en
