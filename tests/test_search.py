"""Search on the shipped corpus: relevance on the public dev set and what each result carries."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.queries import generate_from_db
from bench.relevance import evaluate, evaluate_cli, text_hits
from bot.models import MatchKind
from bot.search import SearchResult, clean_query, search
from bot.search.forms import _article_subject
from bot.store import Reader, Store
from bot.text import normalize

from .conftest import DATA, RESULT_FIELDS, SHIPPED_CORPUS, build_db, build_site_db, post


def run_search(db: Path, query: str, **kwargs: Any) -> SearchResult:
    async def go() -> SearchResult:
        store = await Store.open(db)
        try:
            return await search(store, query, **kwargs)
        finally:
            await store.close()

    return asyncio.run(go())


def text_answers(db: Path, query: str) -> list[str]:
    """The passages a search gives as the reader's words (not those close in meaning)."""
    return [m.passage.text for m in run_search(db, query).matches if m.kind is MatchKind.TEXT]


def test_dev_set_relevance(shipped_db: Path) -> None:
    queries = yaml.safe_load((DATA / "dev-queries.yaml").read_text(encoding="utf-8"))
    report = evaluate_file(shipped_db, queries)
    print("\n".join(report.lines()))
    assert report.positives == 26 and report.negatives == 3  # the whole file was read
    assert report.recall1 >= 0.95, report.misses
    assert report.recall5 == 1.0, report.misses
    assert report.negatives_empty == report.negatives, report.misses


def test_a_heading_a_query_set_names_may_be_the_pages_title() -> None:
    # robinchen.me's 关于误解 opens with an epigraph before any heading: its heading path
    # is empty, and the reader who typed the title in pinyin has the page.
    query = {"kind": "pinyin", "q": "guan yu wu jie", "heading": ["关于误解"]}
    assert text_hits("岂能尽如人意，但求无愧我心。", [], query, "关于误解")
    assert not text_hits("岂能尽如人意，但求无愧我心。", [], query, "跳槽季")
    assert text_hits("记住本来的目的。", ["關於誤解"], query)  # as before: the path, normalized


def test_relevance_through_the_cli_contract_scores_as_the_search_function(
    shipped_meaning_db: Path,
) -> None:
    # The acceptance checks ask `search --json -`: the bench's --cli mode must read the same
    # answers from it, query by query, as the search function gives (and count the same misses).
    queries = yaml.safe_load((DATA / "dev-queries.yaml").read_text(encoding="utf-8"))
    queries += [{"kind": "negative", "q": "苏联的航天计划是谁主持的"}]
    by_cli = evaluate_cli(shipped_meaning_db, queries)
    in_process = evaluate_file(shipped_meaning_db, queries)
    assert (by_cli.positives, by_cli.negatives) == (26, 4)
    assert (by_cli.at1, by_cli.at5, by_cli.negatives_empty, by_cli.negatives_text) == (
        in_process.at1,
        in_process.at5,
        in_process.negatives_empty,
        in_process.negatives_text,
    )
    assert by_cli.misses == in_process.misses


@pytest.mark.parametrize(
    ("query", "author", "source"),
    [
        ("托派很擅长篡改历史", "暴躁皮皮", "https://zhuanlan.zhihu.com/p/425112851"),
        ("在革命尚未完成的时候联合起来", "米宁", "https://mapleshade20.github.io/books/renwu/"),
        (
            "托洛茨基主义发挥了很大的破坏性和宗派性的作用",
            "印共（毛）",
            "https://mapleshade20.github.io/books/jiaocheng/",
        ),
    ],
)
def test_each_article_answers_with_its_own_author_and_source(
    shipped_db: Path, query: str, author: str, source: str
) -> None:
    result = run_search(shipped_db, query)
    top = result.matches[0]
    assert top.score == 100
    assert top.passage.author == author
    assert top.passage.source_url == source


def test_a_name_typed_alone_finds_the_page_that_talks_about_it_first(tmp_path: Path) -> None:
    """Passages that hold a name as typed tie at 100; the page that holds it in the most
    passages answers first, in its own order, not the file that happens to come first."""
    about = [
        "6 月 28 日，有幸见到了李银河老师，她到广州方所书城与读者见面。",
        "等到读者提问结束，才见到李银河老师，心中不免激动万分。",
        "第一，人生的意义。李银河老师写道，从宏观上讲，人生是毫无意义的。",
    ]
    files = {
        "a.md": post("墙、香港、信任和欺骗", "李银河公开坦承自己是一个无神论者，深以为然。"),
        "b.md": post("沉迷", "在差不多一年前，有幸在此见到李银河老师，特别充实。"),
        "c.md": post("一个无神论者的静修", "夏日炎炎，空气夹杂着令人心生烦闷的味道。", *about),
    }
    db = build_site_db(tmp_path, files)
    assert text_answers(db, "李银河")[:3] == about


def test_a_word_typed_alone_answers_first_where_its_page_says_it_more_than_once(
    tmp_path: Path,
) -> None:
    """A word held by several passages of one page: those that say it twice or more are
    about it and answer first, then the rest, each group in the page's order."""
    passing = "今天跟我爸提了一下，他说现在明矾买不到，只能算了。"
    about = "于是出门去买淀粉，以及明矾。店家说明矾早就不卖了，我只好改买别的明矾替代品。"
    later = "回家问百度，到底是搜白矾还是明矾，我纠结了很久。"
    db = build_site_db(tmp_path, {"a.md": post("焖子", passing, about, later)})
    assert text_answers(db, "明矾") == [about, passing, later]


def test_a_passage_every_page_repeats_is_shown_once(tmp_path: Path) -> None:
    """A site's boilerplate (dbarobin.com's ad, at the top of each of its 345 posts)
    answered its own words once a page; now once, from the first page, and the pages of
    results neither repeat nor skip a passage."""
    ad = "本站推广：币安是全球领先的数字货币交易平台，提供比特币、以太坊交易。"
    files = {
        f"p{i:02}.md": post(f"第{i}篇", ad, f"第{i}篇正文：数字货币交易平台的第{i}个故事。")
        for i in range(12)
    }
    db = build_site_db(tmp_path, files)
    result = run_search(db, "币安是全球领先的数字货币交易平台")
    assert [m.passage.text for m in result.matches] == [ad]
    assert result.total == 1
    pages = [
        [m.passage.text for m in run_search(db, "数字货币交易平台", limit=4, offset=k).matches]
        for k in (0, 4, 8, 12)
    ]
    shown = [text for page in pages for text in page]
    assert shown.count(ad) == 1
    assert len(shown) == len(set(shown)) == 13


def test_a_title_answers_with_its_pages_own_opening_not_the_sites_boilerplate(
    tmp_path: Path,
) -> None:
    """dbarobin.com opens every post with a byline and an ad: a post's title typed answered
    with the ad. What three pages or more open with is passed over, as a short line is."""
    ad = "本站推广：币安是全球领先的数字货币交易平台，提供比特币、以太坊交易。"
    own = {
        "治不好的拖延症": "日常生活中，我们总是想象还有足够的时间完成某件事，于是一拖再拖。",
        "慢慢来，不着急": "我是一个性急之人，遇到事情希望尽快解决，后来才明白欲速则不达。",
        "微信 5.0 试用感受": "微信 5.0 发布了，新增了表情商店和游戏中心，扫一扫也更强大了。",
    }
    files = {
        f"p{i}.md": post(title, "文/Robin", ad, text) for i, (title, text) in enumerate(own.items())
    }
    # Two pages that open alike are one page copied (or an epigraph used twice): their own.
    epigraph = "“没什么比高效地做一件根本不该做的事更加徒劳的了。”——彼得德鲁克"
    files["q1.md"] = post("效率", epigraph, "这周把时间花在了最该做的事上。")
    files["q2.md"] = post("效率（转载）", epigraph, "这周又把时间花在了最该做的事上。")
    db = build_site_db(tmp_path, files)
    for title, text in own.items():
        assert text_answers(db, title)[0] == text, title
    assert text_answers(db, "效率（转载）")[0] == epigraph


def test_result_carries_everything_a_reply_needs(shipped_db: Path) -> None:
    result = run_search(shipped_db, "理论再正确，没有能力落室，都是空话")
    top: dict[str, Any] = result.matches[0].to_json()
    assert set(top) >= RESULT_FIELDS | {"prev_id", "next_id"}
    assert top["rank"] == 1 and 0 < top["score"] <= 100
    assert top["document"]["title"] == "关于托洛茨基主义的几篇评论"
    assert top["heading_path"][0] == "批判托派的胡说八道"
    (start, end), *_ = top["highlights"]
    assert "没有能力落实" in top["text"][start:end]
    assert top["prev_id"] is not None


def test_exact_quote_highlights_the_quote_in_the_original_text(shipped_db: Path) -> None:
    result = run_search(shipped_db, "越俎代庖、粗暴干涉")
    match = result.matches[0]
    spans = [match.passage.text[a:b] for a, b in match.highlights]
    assert "越俎代庖、粗暴干涉" in spans


@pytest.mark.parametrize("query", ["托派", "农民", "革命", "ICFI", "icfi"])
def test_short_words_find_every_passage_containing_them(shipped_db: Path, query: str) -> None:
    first = run_search(shipped_db, query, limit=100)
    assert first.matches, query
    assert all(query.lower() in m.passage.text.lower() for m in first.matches)
    if query == "革命":
        assert first.total >= 30  # a common word has dozens of passages, all reachable
        second = run_search(shipped_db, query, limit=10, offset=10)
        assert [m.rank for m in second.matches] == list(range(11, 21))
        ids = {m.passage.passage_id for m in first.matches[:10]}
        assert ids.isdisjoint(m.passage.passage_id for m in second.matches)


def test_homophone_typo_in_a_short_word_still_matches(shipped_db: Path) -> None:
    result = run_search(shipped_db, "陈独绣")  # 绣 for 秀, same sound
    assert result.matches and "陈独秀" in result.matches[0].passage.text


def test_a_two_character_word_the_collection_lacks_is_not_heard_in_other_words(
    tmp_path: Path,
) -> None:
    # 中医 read aloud is zhong yi, and so is 中一 across the edge of two words (其中一端);
    # 减肥 is jian fei, and so is 件非 (文件非常). A reader searching a topic the collection
    # lacks was given these as their words, at 94. Three characters may still be misheard
    # (陈独绣 for 陈独秀, in the test above).
    db = build_site_db(
        tmp_path,
        {
            "a.md": post("人格", "如果你明显是其中一端的人，就要练习另一端。"),
            "b.md": post("博客", "这个文件非常大，打开要很久。"),
        },
    )
    assert run_search(db, "中医").matches == []
    assert run_search(db, "减肥").matches == []
    assert run_search(db, "文件").matches[0].passage.text == "这个文件非常大，打开要很久。"


@pytest.mark.parametrize(
    "query",
    [
        "今天天气怎么样",
        "python asyncio tutorial",
        "😀😀",
        "",
        "   ",
        "，。！",
        "\u200f\u200b",
        "宝宝发烧三十八度怎么办",
        "how to bake sourdough bread",
    ],
)
def test_irrelevant_queries_return_nothing(shipped_db: Path, query: str) -> None:
    assert run_search(shipped_db, query).matches == []


@pytest.mark.parametrize(
    "query",
    [
        "托派\ud800很擅长",
        "<b>托派</b> & 很擅长",
        "托派\x00很擅长\x1b",
        "\u202e托派很擅长",
        "托" * 4096,
        'NEAR(托派 AND "OR" *) ^擅长:',
    ],
)
def test_hostile_queries_are_answered_not_raised(shipped_db: Path, query: str) -> None:
    result = run_search(shipped_db, query)
    assert isinstance(result.matches, list)


def test_clean_query_removes_invisible_and_broken_characters() -> None:
    assert clean_query("托\u200b派\ud800 \u202e很") == "托 派 很"
    assert len(clean_query("字" * 10_000)) == 512


def evaluate_file(db: Path, queries: list[dict[str, Any]]) -> Any:
    async def go() -> Any:
        store = await Store.open(db)
        try:
            return await evaluate(store, queries)
        finally:
            await store.close()

    return asyncio.run(go())


@pytest.mark.parametrize("name", ["extra-queries.yaml", "blind-queries.yaml"])
def test_paraphrases_and_nearby_topic_negatives(shipped_db: Path, name: str) -> None:
    queries = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
    report = evaluate_file(shipped_db, queries)
    print("\n".join(report.lines()))
    assert report.negatives >= 14
    assert report.negatives_empty == report.negatives, report.misses
    assert report.recall1 >= 0.9, report.misses
    assert report.recall5 >= 0.95, report.misses


def test_generated_queries_over_a_real_hexo_blog(tmp_path: Path) -> None:
    """Every category, cut from the passages of 67 real posts plus the shipped one and
    changed the way readers change quotes (bench/queries.py, fixed seed)."""
    db = build_db([DATA / "hexo-sample" / "source", SHIPPED_CORPUS], tmp_path / "hexo.db")
    queries = asyncio.run(generate_from_db(db, 180, seed=11))
    report = evaluate_file(db, queries)
    print("\n".join(report.lines()))
    assert report.positives == 180
    assert report.negatives_empty == report.negatives, report.misses
    assert report.recall1 >= 0.97, report.misses
    assert report.recall5 >= 0.98, report.misses


def test_heading_of_a_section_with_only_subsections_answers_with_the_first_passage_under_it(
    shipped_db: Path,
) -> None:
    result = run_search(shipped_db, "历史学上的分歧")  # an H2 whose text is all in H3s
    top = result.matches[0].passage
    assert "一、历史学上的分歧： 关于苏联的社会主义建设" in top.heading_path
    assert top.heading_path[-1] == "1.1 关于社会主义建设问题的分歧"


@pytest.mark.parametrize(
    ("query", "word"), [("托洛斯基", "托洛茨基"), ("民主集中至", "民主集中制")]
)
def test_one_wrong_character_in_a_short_name_still_finds_it(
    shipped_db: Path, query: str, word: str
) -> None:
    result = run_search(shipped_db, query)
    assert result.matches, query
    top = result.matches[0]
    assert [top.passage.text[a:b] for a, b in top.highlights] == [word]
    assert top.score < 100


def test_a_different_number_is_not_a_typo(shipped_db: Path) -> None:
    top = run_search(shipped_db, "第四国际第15次").matches[0]
    assert "第 15 次" in top.passage.text


def test_a_short_word_is_found_everywhere_and_editors_notes_come_last(tmp_path: Path) -> None:
    # 赋值 is in three paragraphs and three {% note %} asides of hexo-sample, a note first.
    db = build_db([DATA / "hexo-sample" / "source"], tmp_path / "hexo.db")
    result = run_search(db, "赋值", limit=100)

    async def holding() -> list[tuple[int, str]]:
        store = await Store.open(db)
        try:
            passages = await store.iter_passages()
        finally:
            await store.close()
        return [(p.passage_id, p.kind.value) for p in passages if "赋值" in p.text]

    expected = asyncio.run(holding())
    body = sorted(pid for pid, kind in expected if kind != "note")
    notes = sorted(pid for pid, kind in expected if kind == "note")
    assert body and notes and min(notes) < min(body)
    assert result.total == len(expected)
    assert [m.passage.passage_id for m in result.matches] == body + notes


def test_a_threshold_skips_work_and_never_changes_a_score_that_reaches_it(
    shipped_db: Path,
) -> None:
    """Retrieval scores candidates against the threshold they must reach, cutting short what
    cannot reach it; every score that does is the one the full scoring gives (the meaning
    features use the full scoring)."""
    from bot.search.forms import _variants
    from bot.search.scoring import _score_text

    async def texts() -> list[str]:
        store = await Store.open(shipped_db)
        try:
            return [normalize(p.text) for p in await store.iter_passages()]
        finally:
            await store.close()

    passages = asyncio.run(texts())
    queries = [
        str(q["q"])
        for name in ("dev-queries.yaml", "extra-queries.yaml", "blind-queries.yaml")
        for q in yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
    ]
    reached = 0
    for query in queries[::3]:
        for variant in _variants(clean_query(query)):
            for text in passages:
                full = _score_text(variant, text)
                for floor in (65.0, 78.0, 88.0, 94.0):
                    cut = _score_text(variant, text, floor)
                    if full[0] >= floor:
                        reached += 1
                        assert cut == full, (query, variant.norm, text[:30], floor)
                    else:
                        assert cut[0] < floor, (query, variant.norm, text[:30], floor)
    assert reached >= 100  # the check saw plenty of scores that count


@settings(deadline=None)  # the first example builds the tables (a fraction of a second)
@given(
    st.text(st.sampled_from("托派很擅长篡改历史的了是ab1"), min_size=1, max_size=12),
    st.lists(st.text(st.sampled_from("托派很擅长篡改历史的了是ab1，x"), max_size=40), max_size=8),
)
def test_the_bound_that_spares_rapidfuzz_never_rules_out_what_it_would_find(
    needle: str, texts: list[str]
) -> None:
    from rapidfuzz import fuzz

    from bot.search.bounds import _ratio_bounds
    from bot.text import view_arrays

    arrays = view_arrays(texts, frozenset())
    assert arrays is not None
    for text, bound in zip(texts, _ratio_bounds(needle, arrays.normalized), strict=True):
        if len(text) >= len(needle):  # (shorter texts are compared with ratio)
            assert fuzz.partial_ratio(needle, text) <= bound + 1e-6, (needle, text, bound)


@settings(deadline=None)  # the first example builds the tables (a fraction of a second)
@given(
    st.text(st.sampled_from("托派很擅长篡改历史的了是"), min_size=2, max_size=12),
    st.lists(st.text(st.sampled_from("托派很擅长篡改历史的了是，x"), max_size=60), max_size=8),
)
def test_the_bound_on_words_in_another_order_is_never_below_their_score(
    needle: str, texts: list[str]
) -> None:
    from bot.search.bounds import _unordered_bounds
    from bot.search.scoring import _unordered_view
    from bot.text import view_arrays

    arrays = view_arrays(texts, frozenset())
    assert arrays is not None
    for text, bound in zip(texts, _unordered_bounds(needle, arrays.normalized), strict=True):
        assert _unordered_view(needle, text)[0] <= bound + 1e-6, (needle, text, bound)


def test_a_copied_run_with_its_punctuation_finds_it_however_the_passage_writes_it(
    tmp_path: Path,
) -> None:
    # A reader copies 笑道：“我说 (4 characters a search sees). A passage holding it as typed is
    # found without being normalized; one in Traditional script, or with other punctuation
    # between the characters, only after; both count, and each is highlighted where it is.
    db = build_site_db(
        tmp_path,
        {
            "a.md": post(
                "一",
                "宝钗笑道：“我说你们这些人，都是一样的。”",
                "黛玉笑道：我說罢了，又何必再提。",
                "宝玉只是笑道，我不说什么。",
                "凤姐笑道「我说」两个字还没出口，众人先笑了。",
            ),
        },
    )
    result = run_search(db, "笑道：“我说")
    found = {m.passage.text[:2]: m for m in result.matches}
    assert set(found) == {"宝钗", "黛玉", "凤姐"}  # not 宝玉's: 笑道，我不说
    assert all(m.score == 100 for m in result.matches)
    for match in result.matches:
        (start, end), *_ = match.highlights
        assert normalize(match.passage.text[start:end]) == "笑道我说"


def test_keywords_count_words_in_the_heading_and_a_heading_word_does_not_bring_its_chapter(
    tmp_path: Path,
) -> None:
    # 黛玉 is in the chapter's heading, not in its paragraphs: a passage of that chapter holding
    # the other keyword answers "黛玉 绢子"; the chapter's other passages do not. A passage
    # holding both words itself ranks first. A letter word counts inside a longer one
    # (python in pythonic), as it does in the text.
    db = build_site_db(
        tmp_path,
        {
            "a.md": post(
                "第二十七回",
                "# 黛玉葬花",
                "她拿着绢子，一路哭着走了。",
                "火盆边上坐着几个丫头。",
                "这一回写得最好的是花冢。",
                "有人说这段很 pythonic 的写法。",
            ),
            "b.md": post("别的回目", "黛玉把绢子递给紫鹃。", "宝玉在外面学 python 呢。"),
        },
    )
    found = [m.passage.text for m in run_search(db, "黛玉 绢子", limit=20).matches]
    assert found == ["黛玉把绢子递给紫鹃。", "她拿着绢子，一路哭着走了。"]
    found = [m.passage.text for m in run_search(db, "黛玉 python", limit=20).matches]
    # Both words (one in the heading) rank before a passage with one word and a near miss.
    assert found[0] == "有人说这段很 pythonic 的写法。"


def test_a_long_title_typed_whole_finds_its_post_before_the_passages_that_cite_it(
    tmp_path: Path,
) -> None:
    # A reference list names the post word for word; the reader who types the whole title
    # wants the post. A short title is a term first (辛普森悖论, in the test above).
    db = build_site_db(
        tmp_path,
        {
            "commit.md": post("改变世界的一次代码提交", "本文较长，对 Git 不感兴趣可以跳过。"),
            "talks.md": post("银弹飞过先锋大厦", "《改变世界的一次代码提交》 胡涂说, 2020"),
        },
    )
    matches = run_search(db, "改变世界的一次代码提交").matches
    assert [m.passage.document.title for m in matches[:2]] == [
        "改变世界的一次代码提交",
        "银弹飞过先锋大厦",
    ]


def test_a_heading_a_character_off_comes_before_the_passages_that_cite_it(
    tmp_path: Path,
) -> None:
    # A weekly's later issues list its topic under 往年回顾, word for word: those lines scored
    # 96 (a passage's views and chunks) while the section headed by it scored 88.9 (a bare
    # ratio of the query and the heading), so the reader's issue came fourth.
    db = build_site_db(
        tmp_path,
        {
            "140.md": post(
                "周刊（第 140 期）",
                "## 本周话题：印度人的工资是多少？",
                "两周前有一条新闻，纬创在印度的代工厂发生了暴动。",
            ),
            "191.md": post("周刊（第 191 期）", "## 往年回顾", "印度人的工资是多少？（#140）"),
            "287.md": post("周刊（第 287 期）", "## 往年回顾", "印度人的工资是多少？（2020 #140）"),
        },
    )
    top = run_search(db, "印度人的工资有多少").matches[0]
    assert top.passage.text == "两周前有一条新闻，纬创在印度的代工厂发生了暴动。"


def test_a_heading_glossed_in_english_is_named_by_its_chinese(tmp_path: Path) -> None:
    # "启发听众的技巧 (Sample Heuristics)": with its gloss the heading was too long for a
    # nine-character query to name it, so '启发听众的几个技巧' found nothing.
    db = build_site_db(
        tmp_path,
        {
            "talk.md": post(
                "演讲的技巧",
                "## 启发听众的技巧 (Sample Heuristics)",
                "重复：反复阐述主题，重要的事情说三遍。",
                "## 结尾 (How to Stop)",
                "最后要感谢听众。",
            ),
        },
    )
    top = run_search(db, "启发听众的几个技巧").matches
    assert top and top[0].passage.text == "重复：反复阐述主题，重要的事情说三遍。"


def test_a_title_typed_with_a_homophone_finds_the_post(tmp_path: Path) -> None:
    # 买方记 for 买房记 (fang, fang): no passage holds the title, and the title itself, compared
    # character by character, is two thirds the query. Read aloud it is the query.
    db = build_site_db(
        tmp_path,
        {
            "buy.md": post("买房记", "当你想要回家，却找不到回家的路。", "我一直没有买房的意识。"),
            "sell.md": post("卖车", "买方压价压得很厉害。"),
        },
    )
    matches = run_search(db, "买方记").matches
    assert matches and matches[0].passage.document.title == "买房记"
    assert matches[0].kind is MatchKind.TEXT


def test_a_heading_typed_short_as_chinese_shortens_names_finds_its_section(
    tmp_path: Path,
) -> None:
    # Mayandev's blog (fresh42): '南航推免' for the section 南京航空航天大学推免 found nothing.
    db = build_site_db(
        tmp_path,
        {
            "baoyan.md": (
                "---\ntitle: 保研经验\n---\n## 南京大学夏令营\n\n夏令营的笔试不难。\n\n"
                "## 南京航空航天大学推免\n\n导师也让我过去面谈，面试很顺利。\n"
            ),
            "trip.md": post("航空博物馆", "周末去看了飞机，人很多。"),
        },
    )
    matches = run_search(db, "南航推免").matches
    assert matches and matches[0].passage.text == "导师也让我过去面谈，面试很顺利。"
    assert matches[0].kind is MatchKind.TEXT
    # not from another first character on (京航推免 is not 南京航空航天大学推免 shortened)
    assert not run_search(db, "京航推免").matches


def test_keywords_no_passage_holds_together_find_the_section_that_holds_them_all(
    tmp_path: Path,
) -> None:
    # 天津 板面: the reader recalls the trip to Tianjin and the noodles it recommended, a few
    # paragraphs apart; no passage holds both words, and nothing was found at all.
    noodles = "（后来发现板面很不错，隆重推荐。）"
    db = build_site_db(
        tmp_path,
        {
            "trip.md": post(
                "出差",
                "新年的第一个星期，我被安排出差到一千公里以外的天津。",
                "北方的冬天零下 15 度，只有被冻住的海河更显秀丽。",
                noodles,
            ),
            "food.md": post("早餐", "武汉的热干面和面窝，配一碗蛋酒。"),
            "home.md": post("回家", "天津的同事说，过年要回老家看看。"),
            # A long story without headings: words a dozen paragraphs apart are not one memory.
            "story.md": post(
                "枕边故事",
                "从前有一只青蛙，住在井底。",
                *[f"第{n}段，故事还在慢慢地往下讲。" for n in range(12)],
                "隐士说，科学告诉我，这不可能。",
            ),
            # A weekly's items, each its own section: Java and 李光耀 have nothing in common.
            "weekly.md": post(
                "周刊第 250 期",
                "## Java 的新版本\n\nJava 21 带来了虚拟线程。",
                "## 新加坡\n\n李光耀当选总理后，先给政府大楼装了空调。",
            ),
        },
    )
    assert text_answers(db, "天津 板面")[:1] == [noodles]
    # A passage holding every word still comes first; words no section holds together find
    # nothing.
    assert text_answers(db, "天津 出差")[:1] == [
        "新年的第一个星期，我被安排出差到一千公里以外的天津。"
    ]
    assert text_answers(db, "热干面 板面") == []
    assert text_answers(db, "海河 早餐") == []
    assert text_answers(db, "Java 李光耀") == []
    assert text_answers(db, "青蛙 科学") == []
    # A number qualifies the word beside it, in one passage, not any number of the section.
    assert text_answers(db, "Java 21 虚拟线程")[:1] == ["Java 21 带来了虚拟线程。"]
    assert text_answers(db, "天津 15") == []
    # A word of the section's heading counts, as it does for a passage.
    assert text_answers(db, "新加坡 空调")[:1] == ["李光耀当选总理后，先给政府大楼装了空调。"]


def test_a_clause_of_a_query_mostly_in_latin_letters_needs_its_latin_words(
    tmp_path: Path,
) -> None:
    # Cut out of 'Vuex 的 mutation 必须是同步函数', the clause '必须是同步函数' lined up at 88
    # in a passage on transitions that holds neither name: not the reader's words.
    transitions = (
        '在有了 :css="false" 后，我们就自己全权负责控制什么时候过渡结束了。这种情况下对于 '
        "@enter 和 @leave 钩子来说，回调函数 done 就是必须的。"
        "否则，钩子将被同步调用，过渡将立即完成。"
    )
    store = "Vuex 的 mutation 会修改 store 中的状态。"
    db = build_site_db(
        tmp_path, {"t.md": post("过渡", transitions), "s.md": post("状态管理", store)}
    )
    assert transitions not in text_answers(db, "Vuex 的 mutation 必须是同步函数")
    # Its own words, found as a clause in a passage holding the names, still are.
    assert text_answers(db, "Vuex 的 mutation 会修改 store 中的状态吗")[:1] == [store]


def test_a_pinyin_query_is_not_taken_for_names_the_collection_lacks(shipped_db: Path) -> None:
    # Pinyin is all Latin letters the text never has: the passages it finds less nearly,
    # after the first, are still offered.
    found = run_search(shipped_db, "koutou gemingjia", limit=5).matches
    assert len(found) >= 2 and found[1].score < 88


def test_a_near_text_match_lacking_a_name_the_collection_never_mentions_is_dropped(
    tmp_path: Path,
) -> None:
    # 'Pinia 里用 storeToRefs 解构 store 保持响应性' on the Vue docs (which never say
    # storeToRefs) was offered their toRefs passage as text at 87: a near miss, not the
    # reader's words.
    refs = (
        "如果你确实需要解构 props 对象，或者需要将某个 prop 传到一个外部函数中并保持响应性，"
        "那么你可以使用 toRefs() 和 toRef() 这两个工具函数："
    )
    runtime = "Kubernetes 最初只支持 docker 作为运行时，后来才有了 CRI。"
    db = build_site_db(
        tmp_path,
        {
            "a.md": post("组合式 API", refs),
            "b.md": post("响应式", "组件实例的 props 对象是响应式的。", "store 是一个对象。"),
            "k.md": post("容器", runtime),
        },
    )
    assert text_answers(db, "Pinia 里用 storeToRefs 解构 store 保持响应性") == []
    # The passage's own words, whatever name the reader puts them under, are theirs.
    assert text_answers(db, "在 Pinia 的文档里看到：如果你确实需要解构 props 对象") == [refs]
    # A name one letter off is a slip, not another name.
    assert text_answers(db, "Kuberntes 最初只支持 docker 作为运行时")[:1] == [runtime]


def test_a_keyword_of_one_character_is_held_with_the_others(tmp_path: Path) -> None:
    # 跳蚤 血: the index holds pairs of characters, so a word of one had no term to look up,
    # and the passage holding both words was not found at all.
    db = build_site_db(
        tmp_path,
        {
            "a.md": post(
                "夏三虫", "跳蚤的来吮血，虽然可恶，而一声不响地就是一口。", "跳蚤跳得很高。"
            ),
            "b.md": post("医院", "抽血以前不要吃东西。"),
        },
    )
    found = [m.passage.text for m in run_search(db, "跳蚤 血").matches]
    assert found and "跳蚤的来吮血" in found[0]
    assert all("抽血" not in text for text in found)


def test_a_post_is_found_by_its_title_after_the_passages_that_hold_the_words(
    tmp_path: Path,
) -> None:
    # Blog posts carry their title in front matter, with no heading of their own: a reader
    # who names the post gets its first passage. Where a passage holds the words as typed,
    # that passage comes first and the post named by them next.
    db = build_site_db(
        tmp_path,
        {
            "diary.md": post(
                "北邮小日记——第六期", "这周食堂换了新菜单。", "## 课程", "数据结构期中考试结束了。"
            ),
            "paradox.md": post("辛普森悖论", "曾经有两本书伴我度过了无数漫漫长夜。"),
            "fat.md": post("肥胖悖论", "这就是统计学上有名的辛普森悖论，分组后结论反转。"),
        },
    )
    top = run_search(db, "北邮小日记第六期").matches[0]
    assert top.passage.text == "这周食堂换了新菜单。"
    found = [m.passage.text for m in run_search(db, "辛普森悖论").matches]
    assert found[:2] == [
        "这就是统计学上有名的辛普森悖论，分组后结论反转。",
        "曾经有两本书伴我度过了无数漫漫长夜。",
    ]


def test_a_quote_set_off_by_a_dash_from_the_readers_question_is_found_by_its_words(
    tmp_path: Path,
) -> None:
    # Chinese writing sets an aside off with a dash (——) as often as with a comma: the
    # remembered words before it are a clause of their own, whatever follows.
    db = build_site_db(
        tmp_path,
        {
            "a.md": post(
                "成因",
                "于是只得做，心里想着“俗语说：‘讨饭怕狗咬，秀才怕岁考。’"
                "我既非秀才，又要周考真是为难……。”然而终于又一章。",
                "伏园也觉得不很开心。",
            ),
        },
    )
    for query in ("讨饭怕狗咬，秀才怕岁考——这句俗语鲁迅在哪提过", "讨饭怕狗咬秀才怕岁考―哪篇来着"):
        matches = run_search(db, query).matches
        assert matches and "讨饭怕狗咬" in matches[0].passage.text, query


def test_neighbouring_clauses_are_joined_only_where_one_is_too_short_to_search_alone() -> None:
    # Each clause is a search of its own: a pair of clauses that are searched anyway adds
    # only cost, but a remembered couplet of short halves is only a clause when joined.
    from bot.search.forms import _clauses

    assert _clauses("革命是痛苦的，里面一定混着污秽和血，不像诗人想象的那么有趣") == [
        "革命是痛苦的",
        "里面一定混着污秽和血",
        "不像诗人想象的那么有趣",
    ]
    assert "讨饭怕狗咬，秀才怕岁考" in _clauses("讨饭怕狗咬，秀才怕岁考，哪篇提过")


def test_a_latin_word_and_a_few_characters_stand_for_the_query_only_as_typed(
    tmp_path: Path,
) -> None:
    # Chinese text sets Latin words off with spaces, so the spaces of a remembered sentence
    # cut it into a word and a few characters (".env 文件在"): a fragment that, read
    # forgivingly, is in every passage on .env files. The sentence meant comes first, and
    # the others are not offered as the reader's words.
    meant = "`.env` 类文件会在 Vite 启动一开始时被加载，而改动会在重启服务器后生效。"
    others = [
        "BROWSER 和 BROWSER_ARGS 是两个特殊的环境变量，你可以在 .env 文件中设置它们。",
        "定义在 .env 文件中的变量，只有以 VITE_ 为前缀的才会暴露给客户端代码。",
        "但是，如果 .env 文件中的值必须影响配置本身，可以用 loadEnv 函数加载。",
    ]
    db = build_site_db(tmp_path, {"env.md": post("环境变量和模式", meant, *others)})
    found = text_answers(db, ".env 文件在 Vite 一启动时就被加载，改动要重启服务器以后才生效")
    assert found and "类文件会在 Vite 启动一开始时被加载" in found[0]
    assert not set(found) & set(others)
    # As typed, such a fragment is the reader's words: a name and its abbreviation.
    db2 = build_site_db(
        tmp_path / "two",
        {"a.md": post("工国委", "工国委 CWI 一直主张工人阶级独立的政治立场。", *others)},
    )
    found = text_answers(db2, "工国委 CWI 一直坚持批判苏联")
    assert found and found[0].startswith("工国委 CWI")


@settings(deadline=None)
@given(
    st.text(st.sampled_from("托派很擅长篡改历史的了是"), min_size=3, max_size=60),
    st.lists(st.text(st.sampled_from("托派很擅长篡改历史的了是"), min_size=1, max_size=30)),
    st.sampled_from([0.0, 88.0]),
)
def test_a_query_too_long_for_every_heading_could_not_have_matched_one(
    query: str, headings: list[str], least: float
) -> None:
    # Such a query skips the heading look-up (a tenth of a long query's time): only sound if
    # no heading as long as the longest could reach the score a heading match needs.
    from rapidfuzz import fuzz

    from bot.search.retrieval import _heading_min, _past_every_heading

    longest = max(map(len, headings), default=0)
    needed = _heading_min(len(query), least)  # (88: a clause of a longer query)
    if _past_every_heading(len(query), longest, needed):
        assert all(fuzz.ratio(query, h) < needed for h in headings)


def test_the_longest_heading_is_measured_as_search_compares_it(tmp_path: Path) -> None:
    # Headings are compared normalized, and normalizing may write one character as several
    # (㍻ is 平成): measured as stored, this heading would be too short for the query below.
    opening = "这一年发生的事情很多，我们一件一件慢慢地说给大家听，先从春天说起吧。"
    db = build_site_db(
        tmp_path,
        {"a.md": post("短", "## ㍻㍻㍻㍻", opening, "## 第二节", "正文二段。")},
    )
    with sqlite3.connect(db) as conn:
        assert Reader(conn).longest_heading() == 8
    assert run_search(db, "平成平成平成平成").matches[0].passage.text == opening


def test_the_same_query_answers_the_same_in_every_process(tmp_path: Path) -> None:
    # Two clauses of one length both occur in the passage and score the same: which one
    # is bolded was decided by the order of a set, so by the process's hash seed.
    text = "信里说：种牡丹者得花，种蒺藜者得刺，这是一定的道理。"
    db = build_site_db(tmp_path, {"a.md": post("信", text)})
    answers = set()
    for seed in range(6):
        done = subprocess.run(
            [sys.executable, "-m", "bot", "search", "--db", str(db), "--json", "-"],
            input="种牡丹者得花，种蒺藜者得刺，忘了出处\n",
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            check=True,
        )
        answer = json.loads(done.stdout)
        del answer["took_ms"]
        answers.add(json.dumps(answer, sort_keys=True))
    assert len(answers) == 1
    (highlight,) = json.loads(answers.pop())["results"][0]["highlights"]
    assert text[slice(*highlight)] == "种牡丹者得花"


def test_of_two_headings_holding_the_query_the_one_it_names_more_nearly_goes_first(
    tmp_path: Path,
) -> None:
    # A weekly's page title ends with its topic, and the topic's section is headed by it:
    # the reader who types the topic wants that section, not the page's opening lines.
    opening = "这里记录每周值得分享的科技内容，周五发布。"
    topic = "上周，微软发布了新的操作系统，最出人意料的是它可以运行安卓应用。"
    db = build_site_db(
        tmp_path,
        {
            "issue-165.md": (
                "# 科技爱好者周刊（第 165 期）：全端 App 的时代\n\n"
                f"{opening}\n\n## 本周话题：全端 App 的时代\n\n{topic}\n"
            )
        },
    )
    found = [m.passage.text for m in run_search(db, "全端app的时代").matches]
    assert found[:2] == [topic, opening]


def test_a_clause_of_a_long_query_names_a_section_only_by_its_heading_word_for_word(
    tmp_path: Path,
) -> None:
    # The clause 在中间人攻击里 is most of the heading 中间人攻击 (82 against the 88 a clause
    # needs): it is the reader's topic, not a section they named, and that section's first
    # passage is not what they remember.
    first = "目标机的地址为192.168.235.133，攻击机的地址为192.168.235.128。"
    db = build_site_db(
        tmp_path,
        {"mitm.md": post("实验", "## 中间人攻击", first, "## 小结", "完了。")},
    )
    query = "在中间人攻击里，被窃听的两台机器自己完全察觉不到有人在偷看它们的通信"
    assert first not in text_answers(db, query)
    # Typed as the heading, it still names the section.
    assert run_search(db, "中间人攻击").matches[0].passage.text == first


def test_of_passages_tied_on_a_quoted_word_the_one_holding_the_rest_of_the_question_is_first(
    tmp_path: Path,
) -> None:
    # The reader quotes a word and half-remembers the rest: every passage holding the word
    # scores the same on it, and the rest is too loose to clear a clause's bar by itself.
    db = build_site_db(
        tmp_path,
        {
            "a.md": post(
                "派别",
                "托洛茨基宣扬党内派别自由，认为党不应该禁止派别活动。",
                "我们先来谈谈“派别活动”这个东西，再谈历史。",
                "“派别活动”是什么呢？就是一部分人秘密聚集，订立攻守同盟，在会上发出同样的声音。",
                "派别活动的公开化加重了党的分裂趋势。",
            ),
        },
    )
    query = "请教各位，“派别活动”的那个定义，说什么订立攻守同盟、在会上发一样的声音，原文是怎么写的"
    matches = run_search(db, query).matches
    assert len(matches) == 4
    assert "订立攻守同盟" in matches[0].passage.text


def test_a_remembered_clause_introduced_by_the_readers_own_verb_is_found(tmp_path: Path) -> None:
    # "……，还说德国是一个非常愚昧野蛮的国家": 还说 is the reader's, and with it the clause missed
    # the bar a clause must clear (87.5 against 88), so the passage was not found at all.
    db = build_site_db(
        tmp_path,
        {
            "a.md": post(
                "歌德",
                "拿破仑在俄罗斯溃败，歌德却戴着拿破仑的勋章招摇过市。德国是一个非常愚昧野蛮的国家，"
                "歌德看得很清楚。",
                "另一段讲托派的历史问题。",
            ),
        },
    )
    query = (
        "我在网上刷到一篇很长的文章，讲到一半突然扯到拿破仑，还说德国是一个非常愚昧野蛮的国家，"
        "这是什么逻辑"
    )
    matches = run_search(db, query).matches
    assert matches and "愚昧野蛮" in matches[0].passage.text


def test_a_version_or_an_issue_number_the_passage_lacks_is_no_typo(tmp_path: Path) -> None:
    # 'Python 4 什么时候发布' lined up with a passage on releasing apps at 87.1 (什么…发布…时候),
    # and '北邮小日记第三十期' with the title 北邮小日记——第三期 at 93.2: each names one thing by a
    # number, and a passage naming another is not the reader's words with a typo.
    db = build_site_db(
        tmp_path,
        {
            "release.md": post("发布", "为什么以后发布应用的时候，要先写好更新日志。"),
            "vue.md": post("前端", "Vue3.x 新特性，组合式 API 与响应式 API。"),
            "diary.md": post("北邮小日记——第三期", "这周食堂换了新菜单，大家都很开心。"),
            "jvm.md": post(
                "排查", "检查我们项目里的 groovy-all 包版本，是 2.4.7，那很有可能命中这个 bug。"
            ),
        },
    )

    assert text_answers(db, "Python 4 什么时候发布") == []
    assert text_answers(db, "Vue 4 有哪些新特性") == []
    assert text_answers(db, "北邮小日记第三十期") == []
    # The same, naming what the passages name: found.
    assert text_answers(db, "Vue 3 有哪些新特性") == ["Vue3.x 新特性，组合式 API 与响应式 API。"]
    assert text_answers(db, "北邮小日记第3期") == ["这周食堂换了新菜单，大家都很开心。"]
    assert len(text_answers(db, "groovy-all 2.4.7 那很有可能命中这个 bug")) == 1


def test_a_keyword_with_a_dotted_version_finds_the_passage_writing_it(tmp_path: Path) -> None:
    # The index holds "Go 1.11" as go, 1 and 11; the keyword normalized is 111, which only a
    # passage on GO111MODULE holds as a term.
    meant = "为了解决这个问题，我在 Go 1.11 发布后便开始推动大家使用 Go Modules。"
    db = build_site_db(
        tmp_path,
        {
            "a.md": post("团队的依赖管理", meant),
            "b.md": post(
                "Go Modules",
                "GO111MODULE 被设置为 on",
                "如果访问的地址不是 GOPROXY，说明 GO111MODULE 的配置有问题。",
            ),
        },
    )
    assert text_answers(db, "Go 1.11 Go Modules")[:1] == [meant]


def test_keywords_typed_with_a_hyphen_or_a_dot_find_the_names_written_together(
    tmp_path: Path,
) -> None:
    # Wi-Fi and Node.js are written WiFi and NodeJS too: the keyword is looked up by its
    # normalized form (only a dotted version is looked up as typed).
    wifi = "路由器换了之后，WiFi 总是断，后来发现是信道太挤了，改了信道再把密码也顺手换掉。"
    node = "NodeJS 是单线程的，靠异步回调处理大量并发连接，理解了它的事件循环就好办了。"
    db = build_site_db(tmp_path, {"a.md": post("网络", wifi), "b.md": post("后端", node)})
    assert text_answers(db, "Wi-Fi 密码")[:1] == [wifi]
    assert text_answers(db, "Node.js 事件循环")[:1] == [node]


def test_an_article_asked_for_by_a_homophone_of_its_title_is_found(tmp_path: Path) -> None:
    db = build_site_db(
        tmp_path,
        {
            "a.md": post("买房记", "去年我们终于决定在城里买一套房子，看了很多楼盘。"),
            "b.md": post("面试经验谈", "面试的时候要准备好自我介绍。"),
            "c.md": post("周末", "周末带孩子去公园，天气很好。"),
        },
    )
    bought = "去年我们终于决定在城里买一套房子，看了很多楼盘。"
    assert text_answers(db, "讲买方记的文章")[:1] == [bought]
    assert text_answers(db, "讲面式经验谈的文章")[:1] == ["面试的时候要准备好自我介绍。"]


def test_a_year_of_three_digits_is_found_in_chinese_numerals(tmp_path: Path) -> None:
    tang = "李渊于公元六一八年在长安称帝，建立唐朝，年号武德。"
    db = build_site_db(tmp_path, {"a.md": post("唐史", tang)})
    for query in ("李渊于公元618年在长安称帝", "公元618年建立唐朝", "618年称帝"):
        assert text_answers(db, query)[:1] == [tang], query


def test_only_a_year_is_read_digit_by_digit_in_chinese_numerals() -> None:
    # 1898年 may be written 一八九八年, and is looked for so too; a port or a count of three
    # digits or more never is (3000 is 三千, not 三〇〇〇), and such a form is a search for
    # nothing, at the cost of its own.
    from bot.search.forms import _variants

    forms = [v.norm for v in _variants("戊戌变法发生在1898年")]
    assert "戊戌变法发生在一八九八年" in forms
    forms = [v.norm for v in _variants("默认端口改成了 5173，想用 3000 可以设置")]
    assert not any("五一七三" in form or "三〇〇〇" in form for form in forms)


def test_a_number_the_passage_lacks_is_not_a_typo(tmp_path: Path) -> None:
    # A date or a figure the collection never gives lined up with one it gives, a digit
    # off, at 95: '一九二五年四月十二日' with 一九二五年四月二十二日, 9657 dollars with 8657.
    # Offered as the reader's words, they told the reader their number was in the text.
    db = build_site_db(
        tmp_path,
        {
            "a.md": post("日记", "一九二五年四月二十二日。", "这一天下着雨，我没有出门。"),
            "b.md": post("车价", "美国二手车价格2019年平均为8657美元，比前一年高。"),
            "c.md": post("学习", "花了三个月才学会这门语言。"),
            "e.md": post("内网", "本文最早于2020年8月18日发表在公司内网。"),
            "f.md": post("区块", "北京时间 2013.12.31 21:32 产生的最新一个区块。"),
            "g.md": post("快充", "号称具有世界最快的快充，可以9分钟充满一块 4300mAh 的电池。"),
            "h.md": post("卢比", "1个印度卢比大约等于0.09元人民币。"),
            "i.md": post("信念", "我曾坚信计算机不会出错。1是1，0是0，结果一定是对的。"),
            "j.md": post("发布", "新版本于2020年8月8号正式发布。"),
            "k.md": post("托派", "托派在一九二七年之后分裂成几派。"),
            "d.md": post(
                "钞票", "有一时，就是民国二三年时候，北京的几个国家银行的钞票，信用日见其好。"
            ),
        },
    )

    assert text_answers(db, "一九二五年四月十二日") == []
    assert text_answers(db, "美国二手车价格2019年平均为9657美元") == []
    # A date is held whole, not as digits found somewhere: 8 is in 2020年8月18日, 13 in 2013.
    assert text_answers(db, "本文最早于2020年8月8日发表在公司内网") == []
    assert text_answers(db, "2013年12月13日北京时间 21:32") == []
    # One digit typed as a digit counts what follows it; a decimal is held whole.
    assert text_answers(db, "号称具有世界最快的快充，可以5分钟充满一块 4300mAh 的电池") == []
    assert text_answers(db, "1个印度卢比大约等于0.9元人民币") == []
    # Nor does a part of the query that occurs word for word stand in for the whole.
    assert text_answers(db, "民国四五年时候，北京的几个国家银行的钞票") == []
    # The same numbers, or written the other way, are still the reader's words.
    assert text_answers(db, "1925年4月22日")[:1] == ["一九二五年四月二十二日。"]
    assert text_answers(db, "美国二手车价格2019年平均为8657美元")
    assert text_answers(db, "花了3个月才学会这门语言")
    assert text_answers(db, "本文最早于2020年8月18号发表在公司内网")
    assert text_answers(db, "号称世界最快的快充，九分钟充满一块4300mAh的电池")
    assert text_answers(db, "一个印度卢比大约等于0.09元人民币")
    # A date however its day is written (日 / 号), padded or not; a count in Traditional
    # script; a number among keywords in Chinese numerals.
    assert text_answers(db, "新版本于2020年8月8日正式发布")
    assert text_answers(db, "新版本于2020年08月08日正式发布")
    assert text_answers(db, "花了3個月才學會這門語言")
    assert text_answers(db, "托派 1927")
    # Numbers apart in the query are not one number ('1，0' is not 10), and a digit before
    # a word that counts nothing is no count: '1就是1' is the reader's 1是1.
    assert text_answers(db, "以前坚信计算机不会出错，1就是1，0就是0")
    assert text_answers(db, "2013年12月31日北京时间21:32 产生的最新区块")
    assert text_answers(db, "民国二三年时候，北京的几个国家银行的钞票")


def test_a_yes_no_question_is_found_asked_either_way(tmp_path: Path) -> None:
    """值不值得 for 是否值得, 有没有 for 是否有: a heading remembered as a question in the
    other form ('BarberShop 值不值得一试' found nothing)."""
    db = build_site_db(
        tmp_path,
        {
            "a.md": post("理发", "## BarberShop 是否值得一试？", "去过很多家，理发师都很专业。"),
            "b.md": post("宿舍", "宿舍有没有独立卫浴，要看住在哪个园区。"),
            "c.md": post("别的", "BarberShop 的门口常有一根旋转的灯柱。"),
        },
    )
    assert text_answers(db, "BarberShop 值不值得一试")[:1] == ["去过很多家，理发师都很专业。"]
    assert text_answers(db, "宿舍是否有独立卫浴")[:1] == ["宿舍有没有独立卫浴，要看住在哪个园区。"]


@pytest.mark.parametrize(
    "query", ["这不是否定", "就是否认了", "是否已经过期", "他动不动就生气", "时不时会想起她"]
)
def test_words_that_only_look_like_a_yes_no_question_are_left_alone(query: str) -> None:
    from bot.search.forms import _yes_no_other_way

    assert _yes_no_other_way(query) == query


def test_a_question_about_a_fact_is_not_answered_by_restating_its_subject(
    tmp_path: Path,
) -> None:
    # '湘军是哪一年攻下南京的' (a question 唐巧's blog does not answer) lined up at 72 with a
    # passage saying the army took the city, no year in it: offered as the reader's words.
    db = build_site_db(
        tmp_path,
        {
            "a.md": post("历史", "最终湘军围攻下了南京城，结束了太平天国运动。"),
            "b.md": post("脱单", "什么时候我才能赶上脱单的末班车呢？大家都在笑。"),
            "c.md": post("名言", "人生比的其实是谁先认识自己，而不是谁跑得快。"),
            "d.md": post(
                "番茄",
                "「番茄工作法」是一种简单轻松的工作法，我们应该尽量简单地使用它来辅助自己的"
                "工作。另外，记录档案和思考如何提高不应该超过一个番茄时间。",
            ),
        },
    )
    assert text_answers(db, "湘军是哪一年攻下南京的") == []
    # A question word elsewhere in the passage (如何提高) is not the question asked.
    assert text_answers(db, "番茄工作法是谁发明的") == []
    assert text_answers(db, "湘军最终攻下了南京城") == [
        "最终湘军围攻下了南京城，结束了太平天国运动。"
    ]
    # A passage that asks a question itself may be the one remembered with its question
    # word changed; chatter asking who said it, or a quoted question, is no question asked.
    assert text_answers(db, "何时我才能搭上脱单的末班车")
    assert text_answers(db, "谁说的：人生比的其实是谁先认识自己")
    assert text_answers(db, "“人生比的其实是谁先认识自己”，这句出自哪里")


def test_a_question_what_a_thing_is_needs_a_passage_naming_the_thing(tmp_path: Path) -> None:
    # '南京理工大学的校训是什么' (the manual never gives the motto) lined up at 86 with a
    # passage on the university's 校园网, one character off, and a section headed 'Q49：紫金
    # 学院和南京理工大学是什么关系？' came next: both offered as the reader's words.
    db = build_site_db(
        tmp_path,
        {
            "a.md": post("网络", "南京理工大学校园网一期工程于 1996 年初启动，采用以太网。"),
            "b.md": post("问答", "## Q49：紫金学院和南京理工大学是什么关系？\n\n紫金学院是民办。"),
            "c.md": post("校史", "南京理工大学的校训是团结、献身、求是、创新，写在校门口。"),
            "d.md": post("诗", "如果人类是卵生的，世界是什么样子？大概没有人会问。"),
        },
    )
    assert text_answers(db, "南京理工大学的校风是什么") == []
    assert text_answers(db, "南京理工大學的校風是什麼") == []  # in Traditional script
    # The thing named, the question is the passage's: typed with a homophone typo too.
    assert text_answers(db, "南京理工大学的校训是什么") == [
        "南京理工大学的校训是团结、献身、求是、创新，写在校门口。"
    ]
    assert text_answers(db, "南京理工大学的校寻是什么")[:1] == [
        "南京理工大学的校训是团结、献身、求是、创新，写在校门口。"
    ]
    # 'What it looks like' and chatter asking for the words are no such question.
    assert text_answers(db, "如果人类是卵生的，世界是啥样子")
    assert text_answers(db, "如果人类是卵生的，世界会是什么样，原文是啥来着")


def test_a_query_mostly_in_latin_letters_needs_its_chinese_words_too(tmp_path: Path) -> None:
    # The Latin word is most of the characters: a passage, or a heading, holding only it
    # lined up well enough to be given as the reader's words (67.5 for the Certbot passage,
    # 70.6 for the heading "Python"). Its Chinese words of four characters or more must be
    # there too, one of them a character off (拉去 for 拉取).
    slow = "前一阵将 Docker Desktop 换成了 OrbStack，发现镜像拉取很慢。"
    db = build_site_db(
        tmp_path,
        {
            "certbot.md": post("证书", "本文使用 Docker 运行 Certbot，申请免费证书。"),
            "ai.md": post("AI", "Patrick Winston 是 AI 领域的先驱，生前曾在 MIT 任教。"),
            "orb.md": post("工具", slow),
            "langs.md": post("语言", "## Python", "以 Python 3 为基准。", "## Go", "以 Go 为准。"),
        },
    )

    assert text_answers(db, "Docker 镜像瘦身") == []
    assert text_answers(db, "Python 装饰器用法") == []
    # A name and a question about it: the question is no word to leave out.
    assert text_answers(db, "Patrick Winston 的妻子是谁") == []
    assert text_answers(db, "Docker 镜像拉去很慢") == [slow]


def test_a_post_titled_with_two_characters_is_found_by_them(tmp_path: Path) -> None:
    # A post titled 独处 whose text never says 独处 was not found by its title: headings were
    # not searched for two characters (in a longer heading they are a word of it, 独处的艺术).
    note = "放春假时带大卫住酒店，白天我要上班，他说一个人很无聊。"
    other = "在孤独达到极限时，谁也不能指望邻里的帮助，只能学会独处。"
    db = build_site_db(
        tmp_path,
        {
            "a.md": post("独处", note),
            "b.md": post("孤独", other),
            "c.md": post("独处的艺术", "读书，散步，发呆。"),
        },
    )

    found = text_answers(db, "独处")
    assert note in found and other in found
    assert "读书，散步，发呆。" not in found


def test_a_short_query_heard_wrong_in_more_than_one_character_is_another_phrase(
    tmp_path: Path,
) -> None:
    # Read aloud, 比特币的原理 holds 币的原理, which reads as '彼得原理' (a term the collection
    # lacks): given at 94 as the reader's words. One character heard wrong is a typo.
    bitcoin = "一个英文的教程网站，介绍比特币的原理和设计方案。"
    lindy = "国外有一条经验法则，叫做林迪效应，存在越久的东西越可能继续存在。"
    db = build_site_db(tmp_path, {"a.md": post("资源", bitcoin), "b.md": post("法则", lindy)})

    assert text_answers(db, "彼得原理") == []
    assert text_answers(db, "林地效应") == [lindy]
    assert text_answers(db, "币的原理") == [bitcoin]


def test_two_characters_meeting_across_punctuation_are_not_the_word(tmp_path: Path) -> None:
    # Normalized text, and the index's pairs, run across punctuation: '经心' was found at
    # 100 in 诵读《金刚经》，心下开悟, '注解' in 注：解说在图片下方.
    sutra = "一日听到有人诵读《金刚经》，心下开悟。"
    books = "附：《金刚经·心经·坛经》中华书局。"
    db = build_site_db(
        tmp_path,
        {
            "a.md": post("慧能", sutra, books),
            "b.md": post("图", "注：解说在图片下方。"),
        },
    )

    assert text_answers(db, "经心") == []
    assert text_answers(db, "注解") == []
    assert text_answers(db, "心经") == [books]
    # Where the word is also written as a word, that passage is found, and only it.
    db2 = build_site_db(
        tmp_path / "2",
        {"a.md": post("慧能", sutra), "b.md": post("做事", "他做事总是漫不经心。")},
    )
    assert text_answers(db2, "经心") == ["他做事总是漫不经心。"]
    # And a post titled with them is found by them, however the others write them.
    db3 = build_site_db(
        tmp_path / "3",
        {"a.md": post("慧能", sutra), "b.md": post("经心", "一篇读书笔记。")},
    )
    assert text_answers(db3, "经心") == ["一篇读书笔记。"]


def test_chatter_does_not_lower_the_bar_of_what_it_wraps(tmp_path: Path) -> None:
    # A query's bar falls as it grows (a long sentence is misremembered in more places), but
    # chatter makes it longer, not closer: '拿来主义是什么意思' lined up with 什么主义咧，什么意
    # 思咧 at 72, over the bar of nine characters and under that of 拿来主义意思.
    talk = "他们每要发几句伟论，例如什么主义咧，什么意思咧之类，大抵是我自己倒觉得并不这样的事。"
    db = build_site_db(tmp_path, {"a.md": post("批评", talk)})

    assert text_answers(db, "拿来主义是什么意思") == []
    # The chatter-free words found, chatter and all.
    assert text_answers(db, "什么主义咧什么意思咧是什么意思") == [talk]


def test_a_passage_missing_one_of_the_keywords_is_not_the_readers_words(tmp_path: Path) -> None:
    # Typed as keywords, each word is what the reader looks for: a passage lined up with
    # them closely enough but holding only some was given as text ('Kindle 越狱' at 75,
    # 'Kubernetes 调度器' at 87, '飞鸟集 草津' at 74).
    kindle = "Kindle里，我采取不分类的方式，最近的书都在首页。"
    runtime = "Kubernetes 最初只支持 docker 作为运行时，后来才有了 CRI。"
    db = build_site_db(
        tmp_path,
        {
            "k.md": post("读书", kindle),
            "r.md": post("容器", runtime),
            "f.md": post("诗", "《飞鸟集》是泰戈尔最家喻户晓的作品之一。"),
            "g.md": post("评论", "清明节放假在家，把博客的评论系统换成了 giscus。"),
            "c.md": post("配置", "打开文件 .git/config，改掉远程仓库的地址。"),
        },
    )

    assert text_answers(db, "Kindle 越狱") == []
    # A homophone of two characters (放假 for 房价) is anywhere in a long passage.
    assert text_answers(db, "giscus 房价") == []
    assert text_answers(db, "Kubernetes 调度器") == []
    assert text_answers(db, "飞鸟集 草津") == []
    # Every word there, in the passage as typed or a letter off: found.
    assert text_answers(db, "Kindle 分类") == [kindle]
    assert text_answers(db, "Kubernete 运行时")[:1] == [runtime]
    # A homophone typo where the rest lines up nearly as typed is a typo.
    assert text_answers(db, "文建 .git/config") == ["打开文件 .git/config，改掉远程仓库的地址。"]
    # Spaces in a sentence do not make it keywords: a word of it may be misremembered.
    assert text_answers(db, "Kindle 里我采取不分组的方式")[:1] == [kindle]


@pytest.mark.parametrize("query", ["糯米饭", "nuo mi fan", "nuomifan"])
def test_a_short_title_answers_with_the_passage_that_says_its_words(
    tmp_path: Path, query: str
) -> None:
    # TinySnow's essay 糯米饭 (fresh27) opens with a line of tags; typed as its title, the
    # essay answered with that line, the passage that tells of the rice second.
    # (As TinySnow writes them: no front matter, the title an H1 over the whole essay.)
    db = build_site_db(
        tmp_path,
        {
            "rice.md": "# 糯米饭\n\n719 字 | 经历 | 感触 | 父母 | 亲密关系\n\n"
            "那年冬天家里很冷，父亲很晚才回来。\n\n我终究还是没能吃完那碗糯米饭，直到今天。\n",
            "other.md": post("推荐", "(推荐) 糯米饭", "其他的文章都在这里，按时间排好了。"),
        },
    )
    texts = [m.passage.text for m in run_search(db, query).matches]
    assert texts[0] == "我终究还是没能吃完那碗糯米饭，直到今天。"
    # the essay's opening still answers, right after it; a line that only names the essay
    # (a list of posts) does not take its place
    assert texts[1] == "719 字 | 经历 | 感触 | 父母 | 亲密关系"


@pytest.mark.parametrize("query", ["慢慢来，不着急", "慢慢来不着急", "man man lai bu zhao ji"])
def test_a_long_title_answers_with_the_line_of_its_post_that_says_it(
    tmp_path: Path, query: str
) -> None:
    # dbarobin's post 慢慢来，不着急 (fresh31) ends on the saying it is titled by; typed
    # whole, the post's opening answered and the line that says it came second.
    saying = "引用一句很喜欢的话，「因上努力，果上随缘」。慢慢来，不着急。"
    opening = "我是一个性急之人，比较积极，遇到事情希望尽快解决。"
    cites = "去年写过一篇《慢慢来，不着急》，现在看还是做不到。"
    db = build_site_db(
        tmp_path,
        {
            "slow.md": post("慢慢来，不着急", opening, "经过一次又一次的教训后才明白。", saying),
            "other.md": post("年终总结", cites),
        },
    )
    texts = [m.passage.text for m in run_search(db, query).matches]
    assert texts[:2] == [saying, opening]
    # A passage of another post that cites the title comes after the post.
    assert texts.index(cites) > 1


def test_a_long_title_answers_with_the_paragraph_of_its_post_that_is_it(tmp_path: Path) -> None:
    # nattli's post '敬，努力甩掉热量的我们' (fresh40) ends on a paragraph that is its title
    # and nothing else: typed exactly, the post's opening answered first. A list item
    # that is the title (the post's own entry in a list of posts) does not take its place.
    toast = "敬，努力甩掉热量的我们。"
    opening = "我们用着远古身体，赤手空拳地站在这座热量无限的天堂里。"
    db = build_site_db(
        tmp_path,
        {
            "fat.md": post("敬，努力甩掉热量的我们", opening, "## 时空错位\n\n" + toast),
            "list.md": post("减肥小记", "- 敬，努力甩掉热量的我们\n- 别的文章\n\n都在这里。"),
        },
    )
    texts = [m.passage.text for m in run_search(db, "敬，努力甩掉热量的我们").matches]
    assert texts[:2] == [toast, opening]
    db = build_site_db(
        tmp_path / "listed",
        {
            "fat.md": post(
                "敬，努力甩掉热量的我们", opening, "## 相关文章\n\n- 敬，努力甩掉热量的我们"
            ),
        },
    )
    assert run_search(db, "敬，努力甩掉热量的我们").matches[0].passage.text == opening


@pytest.mark.parametrize("query", ["生学硬练", "sheng xue ying lian"])
def test_a_numbered_section_typed_without_its_number_is_named_whole(
    tmp_path: Path, query: str
) -> None:
    # A section headed "3. 生学硬练" (xiaolai's book, fresh28): the reader types its words,
    # not its number; the passage under it that says them answers first.
    coins = "这才是人生最凶悍的学习方式，我称其为生学硬练 —— 不断试错直至可能。"
    opening = "无论我们做什么事情，大脑都要协调很多的器官才能够完成。"
    later = "所以，生学硬练实际上贯穿着整个学习过程。"
    db = build_site_db(
        tmp_path,
        {
            "book.md": post(
                "学习学习再学习",
                "## 2. 用进废退",
                "大脑的用进废退。",
                "## 3. 生学硬练",
                opening,
                coins,
                later,
            )
        },
    )
    texts = [m.passage.text for m in run_search(db, query).matches]
    assert texts[:2] == [coins, opening]


def test_a_word_typed_in_pinyin_ranks_its_passages_as_typed_in_characters(
    tmp_path: Path,
) -> None:
    # TinySnow's essay 茉莉清茶 (fresh27): typed in characters, the passage that first tells
    # of the tea answers; typed in pinyin, the tie among the passages holding it was broken
    # by comparing the letters with each passage's characters, and another went first.
    tells = "那天出于尝鲜，拿了一瓶茉莉清茶，三块钱的小瓶装。"
    db = build_site_db(
        tmp_path,
        {
            "tea.md": post(
                "茉莉清茶",
                "刚才买水，同以前一样，在某个老板娘那里。",
                tells,
                "可能有意识地注意到的，全是茉莉清茶，于是其他饮料被滤过了吧。",
                "最后留下的，只有五种。茉莉清茶，AD 钙，青柠味脉动，营养快线。",
            )
        },
    )
    by_characters = [m.passage.text for m in run_search(db, "茉莉清茶").matches]
    by_pinyin = [m.passage.text for m in run_search(db, "mo li qing cha").matches]
    assert by_characters[0] == tells
    assert by_pinyin[:3] == by_characters[:3]


@pytest.mark.parametrize(
    "query",
    [
        "讲买房的文章",
        "有篇文章讲买房",
        "关于买房的文章",
        "买房的那篇",
        "买房那篇",
        "有没有讲买房的博客？",
    ],
)
def test_a_request_for_an_article_by_its_subject_answers_with_that_article_first(
    tmp_path: Path, query: str
) -> None:
    # The reader asks for the article about buying a home, in words no passage has: the
    # whole request matched nothing, so nothing was answered. Its subject is searched: the
    # article titled with it first, then the other passages that hold it.
    db = build_site_db(
        tmp_path,
        {
            "buy.md": post("买房记", "当你想要回家，却找不到回家的路。", "我一直没有买房的意识。"),
            "write.md": post("为什么写作", "朋友劝我早点买房，我没听，一直在写东西。"),
            "run.md": post("跑步", "每天早上跑三公里。"),
        },
    )
    matches = run_search(db, query).matches
    # The article itself: its opening, though it never says 买房.
    assert matches and matches[0].passage.text == "当你想要回家，却找不到回家的路。"
    assert all(m.kind is MatchKind.TEXT for m in matches)
    assert "朋友劝我早点买房，我没听，一直在写东西。" in [m.passage.text for m in matches]
    # A subject the collection does not have is no answer.
    assert not run_search(db, query.replace("买房", "红烧肉")).matches


@pytest.mark.parametrize(
    ("query", "subject"),
    [
        ("那篇讲面试的文章", "面试"),
        ("哪篇博客写过敦煌", "敦煌"),
        ("求助：关于非暴力沟通的那篇在哪", "非暴力沟通"),
        # A quote wrapped in a request is searched as a quote (its clauses), not reduced.
        ("那篇讲面试的文章里说反对给候选人布置编码作业", None),
        # A statement is not a subject: too long to name one.
        ("有篇文章说宠物狗的平均寿命跟主人的收入水平呈正相关", None),
        ("买房记", None),
        # Praise, not a subject; and a remark that is no request for an article.
        ("这篇讲得好", None),
        ("这个说法不对", None),
    ],
)
def test_only_a_bare_request_for_an_article_is_cut_to_its_subject(
    query: str, subject: str | None
) -> None:
    assert _article_subject(query) == subject


def test_a_named_work_the_collection_never_names_gets_nothing(shipped_db: Path) -> None:
    # 托洛茨基 + 写的 + 革命》 came to 65.9 against a passage on 《被背叛了的革命》: over the
    # bar, offered as the reader's words for a book the post never mentions.
    assert run_search(shipped_db, "托洛茨基写的《文学与革命》").matches == []
    # A title remembered a character short still names the work the passage names.
    matches = run_search(shipped_db, "托洛茨基在《被背叛的革命》中宣扬党内派别自由").matches
    assert matches and "被背叛了的革命" in matches[0].passage.text


def test_keywords_the_passages_holding_every_word_come_before_a_heading_holding_some(
    tmp_path: Path,
) -> None:
    # The heading holds three of the four words: by itself it scores 99 and answers with the
    # section's first passage, which lacks the fourth. The passages that hold every word
    # (the fourth in their text, the rest in the heading) are what the reader asked for.
    db = build_site_db(
        tmp_path,
        {
            "a.md": post(
                "Kindle 折腾记",
                "## 切换亚马逊账号导致 Kindle Launcher 无法打开",
                "提示语类似「您的设备不再被授权为开发设备」之类的，插件却都工作正常。",
                "进入文件浏览器，找到 /mnt/us/mkk/developer.keystore，长按复制；",
                "进到 /var/local/java/keystore 目录，长按粘贴。",
            ),
        },
    )
    matches = run_search(db, "切换亚马逊账号 Kindle Launcher keystore").matches
    assert [("keystore" in m.passage.text) for m in matches[:3]] == [True, True, False]


def test_closeness_never_puts_a_passage_lacking_a_keyword_before_one_holding_them_all(
    tmp_path: Path,
) -> None:
    # Both tie at 99 on a clause form; only the first holds every word. Reordering ties by
    # closeness to the whole query must not undo "the passages holding every word first".
    db = build_site_db(
        tmp_path,
        {
            "a.md": post(
                "同盟",
                "派别之中，订立攻守同盟的人，会在会上发出同样的声音。",
                "他们订立攻守同盟的人发出同样的声音派出代表。",
            ),
        },
    )
    matches = run_search(db, "订立攻守同盟的人 发出同样的声音 派别").matches
    assert matches and "派别" in matches[0].passage.text


def test_a_quote_found_nearly_word_for_word_is_kept_when_only_a_folder_names_the_book(
    tmp_path: Path,
) -> None:
    # Lu Xun's collections keep the book's name only in the folder (华盖集/…md): the reader
    # who names the book and quotes the passage must still find it.
    db = build_site_db(
        tmp_path,
        {
            "文集/公理的把戏.md": post(
                "公理的把戏",
                "北京女子师范大学有了反对校长杨荫榆事件，任意将学生自治会员六人除名。",
                "另一段说的是别的事情，和校长无关。",
            ),
        },
    )
    quote = "北京女子师范大学有了反对校长杨荫榆事件，任意将学生自治会员六人除名"
    for query in (f"鲁迅在《华盖集》里写{quote}", f"鲁迅在《文集》里写{quote}"):
        matches = run_search(db, query).matches
        assert matches and "杨荫榆" in matches[0].passage.text, query


def test_a_short_title_or_heading_inside_the_named_work_does_not_name_it(tmp_path: Path) -> None:
    # "革命" lies inside "被背叛了的革命", but a document titled 革命 does not name that book.
    sentence = "托洛茨基在书中宣扬党内派别自由，认为党不应该禁止派别活动。"
    db = build_site_db(
        tmp_path,
        {
            "a.md": post("革命", sentence),
            "b.md": post("杂谈", sentence),
        },
    )
    assert run_search(db, "托洛茨基在《被背叛了的革命》中宣扬党内派别自由").matches == []


def test_who_said_it_before_the_quote_is_chatter(tmp_path: Path) -> None:
    # 阮一峰说过… / 余老师说过…: the reader names who said it, then what, then asks where.
    # Only "有人说过" was known as chatter; a name before 说过 kept the quote from matching.
    quote = "许多研究人员追求的目标是，人的思维基本上没有算法，只能靠直觉。"
    db = build_site_db(tmp_path, {"a.md": post("周刊", quote, "另一段讲别的事情，和算法无关。")})
    for query in ("阮一峰说过人的思维基本上没有算法，是哪期", "余老师提到过人的思维基本上没有算法"):
        matches = run_search(db, query).matches
        assert matches and matches[0].passage.text == quote
        assert matches[0].kind is MatchKind.TEXT


def test_a_remembered_clause_introduced_by_two_character_verbs_is_found(tmp_path: Path) -> None:
    # 叫做 and 提到 are the reader's too: with one of their characters left at the head, the
    # clause missed its bar.
    db = build_site_db(
        tmp_path,
        {
            "a.md": post(
                "团结", "我们不要做那种使亲者痛而仇者快的事情，要顾全大局。", "另一段讲别的事情。"
            ),
        },
    )
    for verb in ("叫做", "提到"):
        query = f"群里有人说这种内斗的做法，{verb}亲者痛而仇者快，这话到底出自哪里"
        matches = run_search(db, query).matches
        assert matches and "亲者痛" in matches[0].passage.text, query


def test_a_word_in_latin_letters_is_matched_as_a_word_not_as_letters_among_others(
    tmp_path: Path,
) -> None:
    # Found on real blogs: "TIME_WAIT" scored 75 against "shutdown [option] time [warning]"
    # and "ggplot2 legend" 77 against "plot, legend and color", both as the reader's words.
    db = build_site_db(
        tmp_path,
        {
            "a.md": post(
                "命令",
                "关机的格式：shutdown [option] time [warning]",
                "Quilt plots come with easily understood R-functions (plot, legend and color).",
                "Mendelian randomisation 分析被作者当成了文章亮点。",
                "在Linux系统下，普通用户不能直接关机，需要先切换到管理员账户。",
            ),
        },
    )
    assert run_search(db, "TIME_WAIT").matches == []
    assert run_search(db, "ggplot2 legend").matches == []
    # A word that is there, typed whole or a letter off in a long word, still is.
    assert "shutdown" in run_search(db, "shutdown time").matches[0].passage.text
    for query in ("Mendelian randomization 分析被作者当成了亮点", "Mendelian randomisation 分析"):
        matches = run_search(db, query).matches
        assert matches and "Mendelian" in matches[0].passage.text, query
    # A sentence remembered with one word in four changed is still the reader's words.
    matches = run_search(db, "quilt plots come with simply understood R-functions").matches
    assert matches and matches[0].kind is MatchKind.TEXT and "Quilt" in matches[0].passage.text
    # Where Chinese carries the query, a short English word a letter off is a typo like any
    # other.
    matches = run_search(db, "在Linx系统下，普通用户不能直接关机，需要先切换到管理员账户").matches
    assert matches and "Linux" in matches[0].passage.text


def test_a_short_query_may_be_misheard_or_mistyped_but_not_both(tmp_path: Path) -> None:
    # Found on a real blog: "读博士值得吗" came back as the reader's words in a passage about
    # 无国界博士组织的格言, at 75.2 (博士值得 / 博士组织的: homophones with a character more).
    db = build_site_db(
        tmp_path,
        {
            "a.md": post(
                "小说",
                "无国界博士组织的格言是“权利与义务对等”，成员的高福利也需要有成果回报。",
                "托派很擅长篡改历史，这是他们的老毛病了。",
                "我自己觉得我的讲话不能使诸君有益或者有趣，因为我实在不知道什么事。",
            ),
        },
    )
    assert run_search(db, "读博士值得吗").matches == []
    # One character wrong, one more or one less, or misheard: still the passage.
    for query in (
        "托猫很擅长",
        "猫派很擅长",
        "托派很擅长改",
        "托很擅长篡改",
        "托派很会擅长",
        "我的话不能使",  # 76.8: 我 repeats nearby, and the alignment splits a run
        "无国界博土组织",
        "拖派很擅长",  # 拖 / 托, a homophone
    ):
        matches = run_search(db, query).matches
        assert matches and matches[0].kind is MatchKind.TEXT, query
