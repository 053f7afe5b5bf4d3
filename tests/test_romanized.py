"""Queries typed in pinyin find the Chinese they stand for; English words stay words."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

import pytest

from bot.search import search
from bot.store import Store
from bot.text import romanized

from .conftest import build_site_db, post


@pytest.mark.parametrize(
    ("query", "syllables"),
    [
        ("geming bushi qingke chifan", 8),
        ("zhi lao hu", 3),
        ("ZhiLaoHu", 3),
        ("zhilaohu", 3),
        ("ZHI LAO HU", 3),
        ("lv3 se4", 2),
        ("xi'an", 2),
        ("xian shi", 2),  # "xian" is one syllable, not xi-an
    ],
)
def test_pinyin_is_read_as_syllables(query: str, syllables: int) -> None:
    roman = romanized(query)
    assert roman is not None and len(roman.folded) == syllables == len(roman.syllables)


@pytest.mark.parametrize(
    "query",
    [
        "International",
        "CWI",
        "python asyncio tutorial",
        "hello world",
        "xian",
        "zhi",
        "a1b2",
        "托派 tuopai",
        "ICFI",
        "2003",
    ],
)
def test_what_is_not_pinyin(query: str) -> None:
    assert romanized(query) is None


def top(db: Path, query: str, limit: int = 3) -> list[tuple[float, str]]:
    async def run() -> list[tuple[float, str]]:
        async with await Store.open(db) as store:
            result = await search(store, query, limit=limit)
            return [(m.score, m.passage.text) for m in result.matches]

    return asyncio.run(run())


@pytest.mark.parametrize(
    "query",
    [
        "tuopai hen shanchang cuangai lishi",
        "TUOPAI HEN SHANCHANG CUANGAI LISHI",
        "tuopaihenshanchangcuangailishi",
        "tuo pai hen shan chang cuan gai li shi",
    ],
)
def test_pinyin_finds_the_passage(shipped_db: Path, query: str) -> None:
    found = top(shipped_db, query)
    assert found and "托派很擅长篡改历史" in found[0][1]


def test_english_words_keep_matching_as_words(shipped_db: Path) -> None:
    for word in ("International", "CWI", "ICFI"):
        found = top(shipped_db, word)
        assert found and found[0][0] == 100 and word in found[0][1]
    assert top(shipped_db, "python asyncio tutorial") == []


def test_a_word_that_is_also_pinyin_prefers_the_word(tmp_path: Path) -> None:
    """ "bang bang" is English and pinyin (棒棒): the text that has the words wins, the
    Chinese it could stand for comes after."""
    db = build_site_db(
        tmp_path,
        {
            "a.md": post(
                "乐队",
                "The band played bang bang all night long.",
                "孩子们说他棒棒的，大家都笑了。",
            )
        },
    )
    found = top(db, "bang bang")
    assert [("bang bang" in text, "棒棒" in text) for _, text in found[:2]] == [
        (True, False),
        (False, True),
    ]
    assert found[0][0] > found[1][0]


def test_characters_read_another_way_than_their_first_reading(tmp_path: Path) -> None:
    """The index folds 长 as zhang and 行 as xing (their first readings); a reader typing
    changcheng or yinhang means 长城 and 银行."""
    db = build_site_db(
        tmp_path,
        {
            "a.md": post(
                "多音字",
                "他每天去银行上班，晚上听音乐。",
                "我们去爬长城，回来就睡觉了。",
                "不要重复别人的话，北京是首都。",
            )
        },
    )
    for query, word in [("yinhang", "银行"), ("changcheng", "长城"), ("shuijiao", "睡觉"),
                        ("yin yue", "音乐"), ("chongfu", "重复"), ("shoudu", "首都")]:  # fmt: skip
        found = top(db, query)
        assert found and word in found[0][1] and found[0][0] >= 94, (query, found)


@pytest.mark.parametrize("query", ["gé mìng", "ge2 ming4", "Ge’Ming", "geming?", "ge-ming。"])
def test_tone_marks_smart_apostrophes_and_trailing_punctuation(query: str) -> None:
    roman = romanized(query)
    assert roman is not None and roman.syllables == ("ge", "ming")


def test_lue_and_nue_as_people_type_them() -> None:
    for query in ("zhanlue", "zhan lüe", "zhanlve"):
        roman = romanized(query)
        assert roman is not None and roman.syllables == ("zhan", "lve"), query


def test_of_tied_spellings_of_a_reading_the_one_the_collection_uses_most_is_first(
    tmp_path: Path,
) -> None:
    """jiaolv is 焦虑, and also 叫卢 in 名叫卢某: every spelling scores alike, and the
    reader meant the word the collection writes, not the first passage that reads so."""
    db = build_site_db(
        tmp_path,
        {
            "a.md": post("人物", "他名叫卢某，是个老实人。"),
            "b.md": post("考试", "考试前总是很焦虑。", "焦虑让人睡不着。", "不要焦虑。"),
        },
    )
    found = [text for _, text in top(db, "jiaolv", limit=5)]
    assert found[0] != "他名叫卢某，是个老实人。"
    assert "他名叫卢某，是个老实人。" in found


@pytest.mark.parametrize(
    ("query", "other", "title", "text"),
    [
        # xiaomubiao reads 小目标 in a yearly review and in the post titled 小目标 alike: a
        # reader who types a title in pinyin has no 《》 to say so, and the post is what
        # they name.
        (
            "xiaomubiao",
            "所以，2018 年的一个小目标是：坚持锻炼身体。",
            "小目标",
            "目标不要定的太远，先实现个小目标。",
        ),
        # 或 may be read yu (its rare reading): 莴笋或芹菜 reads as "wosun yu qincai", but
        # the post titled 莴笋与芹菜 reads so with every character's usual reading.
        (
            "wosun yu qincai",
            "种菜时要久蹲，比如种莴笋或芹菜苗，得一棵棵种。",
            "莴笋与芹菜",
            "王大爷招呼我去他家拿莴笋和中国芹菜苗。",
        ),
    ],
)
def test_a_title_typed_in_pinyin_puts_the_post_first(
    tmp_path: Path, query: str, other: str, title: str, text: str
) -> None:
    db = build_site_db(tmp_path, {"a.md": post("另一篇", other), "b.md": post(title, text)})
    found = [found_text for _, found_text in top(db, query, limit=5)]
    assert found[:1] == [text]
    assert other in found


def test_two_syllables_read_a_rare_way_are_still_found(tmp_path: Path) -> None:
    """No word of the dictionary reads 那 as nei, yet 那个 is said neige: two syllables must
    match exactly, and a rare reading is not discounted below that."""
    db = build_site_db(tmp_path, {"a.md": post("门口", "那个人一直站在门口不走。")})
    assert [text for _, text in top(db, "neige")] == ["那个人一直站在门口不走。"]
    assert [text for _, text in top(db, "nei ge ren")] == ["那个人一直站在门口不走。"]


def test_a_title_read_its_usual_way_goes_before_one_read_a_rare_way(tmp_path: Path) -> None:
    db = build_site_db(
        tmp_path,
        {
            "a.md": post("莴笋或芹菜", "今年菜园里种什么，还没想好。"),
            "b.md": post("莴笋与芹菜", "王大爷招呼我去他家拿菜苗。"),
        },
    )
    found = [text for _, text in top(db, "wosun yu qincai", limit=5)]
    assert found[:2] == ["王大爷招呼我去他家拿菜苗。", "今年菜园里种什么，还没想好。"]


def test_a_title_typed_whole_goes_before_a_passage_citing_it(tmp_path: Path) -> None:
    """A reader who types a title, in pinyin or characters, cannot type its 《》: the passage
    that holds it as 《三年之痒》 is pointing at the post, which goes first."""
    cites = "2010年的一篇《三年之痒》，加上公司上上下下的变化，我换了好几个岗位。"
    post_text = "眼看就要工作满三年了，对于大多数人来说是一个特殊的时期。"
    files = {"a.md": post("启程2011", cites), "b.md": post("三年之痒", post_text)}
    db = build_site_db(tmp_path, files)
    for query in ("sannianzhiyang", "三年之痒"):
        assert [text for _, text in top(db, query, limit=5)] == [post_text, cites], query
    # Not when a passage holds the words as its own: then they are a phrase as well.
    own = "三年之痒这个说法，原本是讲婚姻的。"
    db = build_site_db(tmp_path / "two", {**files, "c.md": post("婚姻", own)})
    assert top(db, "三年之痒", limit=5)[0][1] != post_text


def test_a_title_typed_roughly_goes_before_passages_that_only_mention_it(tmp_path: Path) -> None:
    """A title remembered nearly ("致宣传部学长学姐的道歉信"): the post so titled answers
    before passages where those words are only the title as they mention it, in 《》 or in a
    list of the site's posts; a passage that says the words as its own keeps its place."""
    letter = "亲爱的学长学姐们：抱歉，我不想留下了，我认为宣传部并不适合我。"
    cites = (
        "大学四年的时间我是自由的，在《致校宣传部学长学姐们的一封道歉信》左右，我决心走自己的路。"
    )
    essay = "要将段落分离开来，有两种合理的排版样式：段首缩排与段间距，各有道理。"
    listing = "在我的文章里都有体现，比如：网页字体排版的哲学：段首缩排或段间距、博客三问。"
    files = {
        "a.md": post("致校宣传部学长学姐们的一封道歉信", letter),
        "b.md": post("上蹿下跳", cites),
        "c.md": post("网页字体排版的哲学：段首缩排或段间距", essay),
        "d.md": post("草稿本", listing),
    }
    db = build_site_db(tmp_path, files)
    assert [text for _, text in top(db, "致宣传部学长学姐的道歉信", limit=2)] == [letter, cites]
    assert [text for _, text in top(db, "网页排版的哲学 段首缩进还是段间距", limit=2)] == [
        essay,
        listing,
    ]
    # A saying the reader quotes, held word for word by a passage, is theirs there, though
    # a post is titled with it.
    saying = "两个月来我在想这件事。小明常说一句话「时无英雄，使竖子成名」。其实大家都没认真。"
    db = build_site_db(
        tmp_path / "two",
        {
            "e.md": post("时无英雄，使竖子成名", "两年多都混过来了，何必要执着于最后几个月。"),
            "f.md": post("工作", saying),
        },
    )
    assert top(db, "那句话咋说的来着，时无英雄，使竖子成名")[0][1] == saying


def test_pinyin_finds_its_passage_among_many_holding_every_syllable_pair(tmp_path: Path) -> None:
    """'anzhiyuzhile' (安知鱼之乐): ten passages held all four pairs of syllables in one
    reading or another (安置, 至于, 预知, 知了); past the six a coverage may bring, the one
    meant was left out of the pool for passages holding one pair of the four."""
    pairs = ["安置新家具", "至于这件事", "预知天气", "知了叫的时候"]
    alike = [f"第{i}次{'，'.join(pairs)}，我都记得。" for i in range(9)]
    # Passages holding some of the pairs: 14 ways, six of each...
    some = [
        f"第{i}回{'，'.join(chosen)}，大家都没有意见。"
        for size in (1, 2, 3)
        for chosen in itertools.combinations(pairs, size)
        for i in range(6)
    ]
    # ... and some pairs in more of them than others, so that each way covers differently.
    skew = [f"另有{i}条：{pairs[k]}。" for k, n in ((1, 10), (2, 30), (3, 70)) for i in range(n)]
    meant = "不知此生能否找到个惠子，反问我一句：「子非鱼，安知鱼之乐？」"
    files = {f"a{i:03}.md": post(f"杂记{i}", text) for i, text in enumerate(alike + some + skew)}
    files["z.md"] = post("子非鱼", meant)
    db = build_site_db(tmp_path, files)
    assert meant in [text for _, text in top(db, "anzhiyuzhile", limit=5)]


@pytest.mark.parametrize(
    ("query", "literal"),
    [
        ("linkedlist shi shiyong shuangxiang lianbiao shixian de", ("linkedlist",)),
        ("vue de shengming zhouqi", ("vue",)),
        ("docker rongqi bushu fangan", ("docker",)),
        ("GRE xiuxian zhinan", ("gre",)),  # an exam's name and a title's words
        ("nan ke da APS shen he zhi bei", ("aps",)),  # one syllable at a time
        ("ben fang fa xue ruby", ("ruby",)),  # 笨方法学 Ruby: four syllables typed apart
    ],
)
def test_a_word_kept_as_typed_among_pinyin(query: str, literal: tuple[str, ...]) -> None:
    roman = romanized(query)
    assert roman is not None and roman.literal == literal
    assert literal[0] in roman.folded  # the word folds to itself, as in the text


@pytest.mark.parametrize(
    "query",
    [
        "iphone shouji",
        "react hooks de yong fa",
        "how to use git",
        "a new hope",
        "shi x de",
        "he is a man",
        "hang on a second",
        "women of china",  # wo-men, chi-na: English words that spell syllables
        "open one file",
        "a man and a woman",
        "he and she can hang",
        "he can ban a dog",
        "la la la la lyrics",  # one syllable again and again is a song
    ],
)
def test_words_that_are_not_pinyin_must_be_few(query: str) -> None:
    """An English query in which a word or two happen to spell syllables stays English."""
    assert romanized(query) is None


def test_pinyin_with_a_word_kept_as_typed_finds_the_passage(tmp_path: Path) -> None:
    """A reader types the English name as the post writes it and the rest in pinyin; one
    word that is not pinyin made the whole query not pinyin, and it found nothing."""
    db = build_site_db(
        tmp_path,
        {
            "a.md": post(
                "集合",
                "ArrayList 是基于数组实现的，随机访问很快。",
                "LinkedList 是使用双向链表实现的，插入和删除比较方便。",
                "HashMap 在 Java 8 以后用红黑树优化了冲突。",
            ),
            "b.md": post("框架", "Vue 的生命周期钩子有很多，created 最常用。", "React 也有。"),
            "c.md": post("GRE修仙指南", "备考最重要的是计划，然后坚定地执行。"),
        },
    )
    found = top(db, "linkedlist shi shiyong shuangxiang lianbiao shixian de")
    assert found and "双向链表" in found[0][1] and found[0][0] >= 88, found
    found = top(db, "vue de shengming zhouqi")
    assert found and "生命周期" in found[0][1], found
    found = top(db, "GRE xiuxian zhinan")  # a title: two pinyin words beside an exam's name
    assert found and "备考最重要" in found[0][1], found


def test_a_syllable_of_the_word_said_just_before_it_does_not_lower_its_match(
    tmp_path: Path,
) -> None:
    # "期间开始间歇性断食" (fresh33): the 间 of 期间 read just before 间歇性断食 let the
    # alignment split the word, and the passage scored 84.6 against 94 for every other
    # passage holding it; typed in characters, all of them tie and keep the page's order.
    first = "从疫情期间开始间歇性断食，省下不少做饭的时间。"
    second = "我试过一阵间歇性断食，效果一般。"
    db = build_site_db(tmp_path, {"a.md": post("吃饭", first, second)})
    by_pinyin = top(db, "jianxiexing duanshi")
    assert [text for _, text in by_pinyin] == [first, second]
    assert by_pinyin[0][0] == by_pinyin[1][0]
    assert [text for _, text in top(db, "间歇性断食")] == [first, second]
