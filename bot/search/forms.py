"""What the reader typed, cleaned, and the forms of it to look for: as typed, clause by clause,
with numbers written the other way, in pinyin."""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass

from bot.search.tuning import _DERIVED_WEIGHT, _PAIR_TERMS, _READING_ALTERNATIVES
from bot.text import (
    Romanized,
    analyze,
    first_reading_codes,
    fold,
    normalize,
    romanized_readings,
)

MAX_QUERY_CHARS = 512  # a reply-able query; Telegram's inline queries stop at 256


# Function characters: particles, copulas, common adverbs and conjunctions. Readers drop and
# add them freely when they misremember ("托派最擅长的就是篡改历史" for "托派很擅长篡改历史").
# Negations (不, 没) carry meaning and are not here.
_FUNCTION_CHARS = frozenset(
    "的地得了着过是在就也都还很最更又再才却把被将让给对和与及而并或但则即之其这那此个一有吗呢吧啊呀嘛啦哦们"
)


_DROP_FUNCTION_CHARS: dict[int, None] = dict.fromkeys(map(ord, _FUNCTION_CHARS))


# Things readers wrap around the words they remember. Removed from a copy of the query;
# the original is searched too, and the better answer wins.
_CHATTER = re.compile(
    r"(求出处|求原文|求原话|求助|出处是|(这|那)(句|段)话?|出自哪(里|篇|本书)?|出自何处|"
    r"(原话|原文)(是什么|是怎么说的|怎么说)|是怎么说的|怎么说的|能找到(原文|原话|出处)吗?|"
    r"原话|原文|(是|是在)?哪(篇|本)(文章|书)里?的?|是谁说的|谁说的|(群|网)上?里?有人(发|说)过?(一段)?|"
    r"有(篇|本)(文章|书)(里|上|中)?说过?|有人说过?|文章里说|文中说|书上说|记得有句话|"
    r"有句话|大意是|好像是|大概是|[^\s，,。：:“”]{1,6}说过?[：:]|请问|谢谢|麻烦|"
    # Who said it, before what they said: 阮一峰说过…, 余老师提到过… (at the start only).
    r"^[^\s，,。：:“”]{1,5}?(?:说过|讲过|写过|提到过)|"
    r"帮(我|忙)找|找一下|什么意思|是什么|[吗呢吧啊呀？?]+$)"
)


# Quotation marks around the words a reader remembers. Not 《》: a book's title names a work,
# it is not a quote of it ("列宁在《国家与革命》里怎么讲…" is not a search for the title).
_QUOTED = re.compile(r"[“\"「『]([^”\"」』]{4,})[”\"」』]")


# Clauses: what a reader's chatter is wrapped around ("之前读到过一个比方，说…，在哪篇文章里").
# A clause cut out of the query stands for it only when it matches almost word for word.
_CLAUSE_SPLIT = re.compile(r"[\s，,。.!！?？;；:：、“”\"「」『』()（）…~～—―]+")
_CLAUSE_MIN = 6  # normalized characters
_LATIN_RUN = re.compile(r"[a-z0-9]+")  # a word in Latin letters or a number, normalized
# How a reader introduces the words they remember inside a sentence of their own: "……，还说
# 德国是一个非常愚昧野蛮的国家", "……，叫亲者痛而仇者快". At the head of a clause these are the
# reader's, not the text's, and two of them cost a sixteen-character clause its 88.
_CLAUSE_HEAD = re.compile(
    r"^(?:还|又|也|就|都|他|她|作者)?(?:提到|叫做|说|讲|写|叫|称)(?:过|了|道|着)?"
)
_CLAUSE_SCORE = 88.0
# A request for an article by its subject, not a quote from it: "讲买房的文章", "有篇文章讲
# 买房", "有没有关于敦煌的博客", "买房的那篇". The whole of it matches no passage (the
# request's own words are in none), so the subject alone is searched too, held to the
# clauses' standard. Only a request and nothing else: "那篇讲面试的文章里说…" is a quote
# wrapped in chatter, and its clauses are searched as such.
_WRITINGS = "文章|博客|博文|帖子|日志|笔记"
_WRITING = rf"(?:{_WRITINGS})"
_ARTICLE = rf"(?:{_WRITINGS}|那篇|这篇|一篇)"
_ABOUT = r"(?:讲|说|写|谈|聊|关于|介绍|讨论|提到)(?:过|了|的是)?"
_ASKING = r"(?:请问|求助|求|想找|找|有没有|记得|好像|之前|以前)?[，,：:\s]*"
_REQUEST_END = r"(?:是哪篇|在哪(?:里|儿)?|有吗|吗|呢|吧|来着)?[？?。!！]*"
# Not a particle first: "这篇讲得好" praises an article, it names no subject.
_SUBJECT = r"(?P<subject>(?![得的地了过着])[^，,。？?!！]{2,12}?)"
_ARTICLE_REQUESTS = tuple(
    re.compile(pattern)
    for pattern in (
        # 有篇文章讲买房, 那篇讲面试的文章, 哪篇博客写过敦煌
        rf"^{_ASKING}(?:有|那|这|哪|一)一?(?:篇{_WRITING}?|个{_WRITING})(?:里|是)?{_ABOUT}{_SUBJECT}"
        rf"(?:的{_ARTICLE})?{_REQUEST_END}$",
        # 讲买房的文章, 有没有关于敦煌的博客
        rf"^{_ASKING}{_ABOUT}{_SUBJECT}的{_ARTICLE}+{_REQUEST_END}$",
        # 买房的那篇, 买房那篇
        rf"^{_ASKING}{_SUBJECT}的?(?:那篇|这篇){_ARTICLE}?{_REQUEST_END}$",
    )
)


# Numbers written the other way: 三个月 / 3个月, 一八九八年 / 1898年, 第十五次 / 第15次.
_CHINESE_DIGITS = dict(
    zip("〇零一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True)
)


_CHINESE_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUMERAL_RUN = re.compile(r"[〇零一二两三四五六七八九十百千]+")
_MEASURE_AFTER = re.compile(r"[个年月日号天次岁人位种条本篇章节周倍万亿分小届期]")
_DIGIT_RUN = re.compile(r"(?<![0-9.])[0-9]+(?![0-9.])")
_YEAR_DIGITS = re.compile(r"1[0-9]{3}|20[0-9]{2}")


@dataclass(slots=True)
class _Variant:
    """One normalized form of the query to look for."""

    norm: str
    folded: str
    raw_terms: list[str]
    folded_terms: list[str]
    weight: float  # 1 for the query as typed; a little less for forms cut out of it
    prefix: str | None  # a trailing ASCII word that may be unfinished ("Intern…")
    content: str  # norm without function characters
    romanized: bool = False  # typed in pinyin: `folded` holds the syllables it stands for
    # Typed in pinyin with a word kept as written ("linkedlist shi shiyong …"): the query is
    # also still the reader's words, so the paths that skip pinyin (keywords, meaning) run.
    partly_pinyin: bool = False
    # For a pinyin query: characters to fold by another reading than their first (长 -> chang)
    overrides: dict[int, str] | None = None
    usual_overrides: dict[int, str] | None = None  # ... but for rare readings (或 -> yu)
    # Whether a match may need a rare reading, to be discounted: some character of the
    # overrides is read so rarely, and the query is longer than two syllables (which must
    # match exactly: 那个 is neige though no word in the dictionary reads 那 as nei).
    rare_readings: bool = False
    term_groups: list[list[str]] | None = None  # pinyin: each syllable pair's spellings
    min_score: float = 0.0  # a clause cut out of the query must match almost word for word
    typed: str = ""  # the query as typed, punctuation and all (for the query itself only)
    # The subject of a request for an article ("讲买房的文章"): an article titled with it is
    # what the reader asks for, not chatter around a quote.
    subject: bool = False
    # What the query names by a number (see _named_items): a fuzzy match must name each too.
    named: tuple[str, ...] = ()
    # What the query asks for, where it is a question about a fact ("湘军是哪一年攻下南京的"):
    # a passage that only nearly lines up with it and lacks the question word restates
    # the question's subject, it does not answer it (see `asked_for`).
    asks: tuple[str, ...] = ()
    # The thing a question asks what it is (see `things_asked`): a
    # passage that does not name it answers another question.
    things: tuple[str, ...] = ()
    # The words of a query typed as keywords (see _typed_keywords): a near match holds each.
    keywords: tuple[str, ...] = ()
    # The length of the query without its chatter, where it has some: its bar is that of a
    # query that long (see scoring._threshold).
    bare_length: int = 0


def clean_query(query: str, *, limit: int = MAX_QUERY_CHARS) -> str:
    """The one query cleaner, for every entry (CLI, chat, inline, buttons): drop what cannot
    be searched or even encoded: control and format characters (including RTL and zero-width
    marks), lone surrogates; collapse spaces; cap the length at `limit` characters."""
    kept = []
    for char in query[: limit * 2]:
        code = ord(char)
        if 0xD800 <= code <= 0xDFFF:
            continue
        category = unicodedata.category(char)
        if category in ("Cc", "Cf", "Cs", "Co", "Cn"):
            kept.append(" ")
            continue
        kept.append(char)
    return " ".join("".join(kept).split())[:limit]


def _chinese_number(run: str) -> int | None:
    """The value of a run of Chinese numerals (三十五, 一百二十, 十, 一百零五); None if
    malformed. A last digit after 百 or 千 is the next place down, as it is said: 两百五 is
    250, 五千二百九 is 5290 (一百零五, with its zero, is 105)."""
    total, digit, unit, zero = 0, None, 0, False
    for char in run:
        if char in "〇零" and total and digit is None:
            zero = True  # 一百零五: an empty place, said
            continue
        if char in _CHINESE_DIGITS:
            if digit is not None:
                return None  # 三五 is not a number a reader would mean as 35
            digit = _CHINESE_DIGITS[char]
        else:
            unit = _CHINESE_UNITS[char]
            total += (1 if digit is None else digit) * unit
            digit = None
    if digit is not None and unit >= 100 and not zero:
        digit *= unit // 10
    return total + (digit or 0)


def _numbers_as_digits(text: str) -> str:
    """Chinese numerals that count something, as digits: 一八九八年 -> 1898年, 三个月 -> 3个月."""

    def convert(match: re.Match[str]) -> str:
        run = match.group()
        after = text[match.end() : match.end() + 1]
        counts = (
            len(run) >= 2 or bool(_MEASURE_AFTER.match(after)) or text[: match.start()][-1:] == "第"
        )
        if not counts or text.startswith("分之", match.end()):
            return run  # 一定, 统一: a word, not a number; 百分之: a share, said in words
        if not any(c in _CHINESE_UNITS for c in run):
            return "".join(str(_CHINESE_DIGITS[c]) for c in run)  # a year read digit by digit
        value = _chinese_number(run)
        return run if value is None else str(value)

    return _NUMERAL_RUN.sub(convert, text)


def _numbers_as_chinese(text: str) -> str:
    """Digits as Chinese numerals: 1898年 -> 一八九八年, 3个月 -> 三个月, 15次 -> 十五次."""
    names = "〇一二三四五六七八九"

    def convert(match: re.Match[str]) -> str:
        digits = match.group()
        if len(digits) >= 3:
            # A year is read digit by digit (一八九八年, 公元六一八年); no other number of three
            # digits or more is written so (3000 is 三千, never 三〇〇〇; 5173, a port, stays
            # digits), and a form nobody writes cost a search of its own (a seventh of a long
            # query's time). A year: 1000-2099, or any number before 年.
            year = _YEAR_DIGITS.fullmatch(digits) or text.startswith("年", match.end())
            return "".join(names[int(d)] for d in digits) if year else digits
        value = int(digits)
        if value < 10:
            return names[value]
        tens, ones = divmod(value, 10)
        return ("" if tens == 1 else names[tens]) + "十" + (names[ones] if ones else "")

    return _DIGIT_RUN.sub(convert, text)


def _clauses(query: str) -> list[str]:
    """The clauses of a query that has several, chatter removed: the remembered words are
    usually one or two of them. Two neighbours are joined only where one is too short to be
    a clause by itself (讨饭怕狗咬，秀才怕岁考): a passage that holds a pair holds each half
    nearly word for word too, and every clause costs a search of its own (on a long query,
    the pairs were a fifth of its time and found nothing the halves did not)."""
    parts = [p for p in _CLAUSE_SPLIT.split(query) if p]
    if len(parts) < 2:
        return []
    kept = [_as_clause(part) for part in parts]
    out = [clause for clause in kept if clause is not None]
    for (left, right), (left_kept, right_kept) in zip(
        itertools.pairwise(parts), itertools.pairwise(kept), strict=True
    ):
        if left_kept is None or right_kept is None:
            pair = _as_clause(f"{left}，{right}")
            if pair is not None:
                out.append(pair)
    return out


# A name with its version (Python 4, iPhone 17, Vue 3) and an item by its number (第三十期,
# 第 520 期, 第十五回) name one thing each. A passage naming another (Python 3, 第三期, 第 136
# 期) does not hold the reader's words with a typo, however well the rest lines up:
# 'Python 4 什么时候发布' lined up with 为什么以后发布应用的时候 at 87.1, '北邮小日记第三十期'
# with the title 北邮小日记——第三期 at 93.2. Read from the query as typed (a name and its
# version are one word or two: "URL，15年后" is not URL 15), they hold for every form of it:
# its numbers written the other way, its chatter left out, and the clauses cut out of it
# ('什么时候发布' out of 'Python 4 什么时候发布' is still about Python 4). A version is held
# as written with its name, or, of three digits or more, anywhere in a passage that names
# it ("groovy-all 包版本，是 2.4.7").
# (Not a number with a unit after it: "WhatsApp 10亿用户" counts users.)
_VERSIONED = re.compile(
    r"(?<![A-Za-z0-9])([A-Za-z]{2,}) ?([0-9]+(?:\.[0-9]+)*)(?![0-9A-Za-z\u3400-\u9fff]|\.[0-9])"
)
_ORDINAL = re.compile(r"第[0-9]+[期回章篇集卷届版号讲课部季话]")


# Any other number of two digits or more the query gives (a date, a count, a price) must be
# in a near match too, in digits or in Chinese numerals: a different number is not a typo.
# '一九二五年四月十二日' lined up with 一九二五年四月二十二日 at 95, '美国二手车价格2019年平均为
# 9657美元' with the same sentence giving 8657 at 95.2. One digit is as often part of a word
# (第一步, 一个, 两本) as a number. Held as a run of its digits anywhere in the passage, so a
# number broken by punctuation in the text (2013.12.31 is 20131231 once normalized) or read
# with its neighbours still counts: only a number the passage has nowhere is missing.
_NUMBER = re.compile(r"[0-9]{2,}")

# A date is held whole: its month and day as the passage writes a date, not as digits found
# somewhere. Normalized text has lost the punctuation between them, so a number's digits
# turn up inside other numbers: '本文最早于2020年8月8日发表' lined up with 2020年8月18日 at
# 97.6 (8 is one digit, and 2020 is there), '2013年12月13日' with 2013.12.31 (13 is in
# 2013), '一九二五年四月十二日' with 一九二五年十二月二十九日 (12 is there as the month).
_DATE = re.compile(r"(?:([0-9]{4})年)?([0-9]{1,2})月(?:([0-9]{1,2})[日号])?")


# One digit typed as a digit counts something, and what it counts is the character after it:
# '可以5分钟充满一块 4300mAh 的电池' lined up with 可以9分钟充满 at 99, '在 32bit 的情况下，最大
# 限制为 4GiB' with a passage giving 2GiB. Held as that digit and that character (5分, or 五分
# in Chinese numerals; anywhere, as normalized text has lost what stood between numbers, so
# 15分 holds 5分 too). A digit written in Chinese (一个, 第一步) is as often part of a word,
# and is left alone; so is one after a letter (R1). Only before a unit or a measure word (in
# either script: 3個月 is 3个月) or a Latin unit (GiB, G): '1就是1' counts nothing. Not a
# month or a day: a date is held as a date (see _DATE), 8日 as 8号 too.
_ONE_DIGIT = re.compile(r"(?<![0-9.A-Za-z])[0-9](?=[^\s0-9.])")
_UNITS = frozenset(
    "个分秒天年次岁人本张条位只件元块米千万亿公克斤吨倍页周期章篇层台辆家名种点小成折寸尺里度"
    "级代双套杯瓶门座栋间顿场届集部首句段行字"
)
# A number with a decimal point is held whole, with no digit either side: '1个印度卢比大约等于
# 0.9元人民币' lined up with 0.09元 at 99 (normalized, 09 is in 009).
_DECIMAL = re.compile(r"(?<![0-9.])([0-9]+)\.([0-9]+)(?![0-9]|\.[0-9])")


def _named_items(typed: str) -> tuple[str, ...]:
    """What a query names by a number (see _VERSIONED, _ORDINAL, _NUMBER, _DATE):
    "name:version" (both normalized) for a version, "第N期" for an item by its number, "#N"
    for any other number, "@year:month:day" for a date (the year or the day may be empty),
    "$" and a digit with what it counts (see _ONE_DIGIT), "%" and a decimal's digits."""
    text = unicodedata.normalize("NFKC", typed)
    versions = [
        f"{normalize(name)}:{normalize(number)}" for name, number in _VERSIONED.findall(text)
    ]
    digits = _numbers_as_digits(normalize(typed))
    ordinals = _ORDINAL.findall(digits)
    # Part by part: normalized, "1就是1，0就是0" would name 10.
    numbers = [
        f"#{n}"
        for part in re.split(r"[^\w]+", text)
        if part
        for n in _NUMBER.findall(_numbers_as_digits(normalize(part)))
    ]
    found = [
        (year, int(month), int(day) if day else None)
        for year, month, day in _DATE.findall(digits)
        if (year or day) and 1 <= int(month) <= 12
    ]
    dates = [f"@{year}:{month}:{'' if day is None else day}" for year, month, day in found]
    # A date's month and day are held by the date, written short or padded (08月08日).
    parts = {f"{n:02d}" for _, month, day in found for n in (month, day) if n is not None}
    numbers = [n for n in numbers if n[1:] not in parts]
    counts = [f"${counted}" for counted in map(_counted, _ONE_DIGIT.finditer(text)) if counted]
    decimals = [f"%{whole}{fraction}" for whole, fraction in _DECIMAL.findall(text)]
    return tuple(dict.fromkeys(versions + ordinals + numbers + dates + counts + decimals))


def _counted(digit: re.Match[str]) -> str | None:
    """A digit with the unit after it, normalized (see _ONE_DIGIT), or None if what follows
    counts nothing."""
    unit = normalize(digit.string[digit.end()])
    if (unit.isascii() and unit.isalpha()) or unit in _UNITS:
        return digit.group() + unit
    return None


# A query of two to four words, each a Latin word, a number, or two to six Chinese
# characters (a word or a name: 黑神话悟空) none of which is a function or question
# character, is keywords ("Kindle 越狱", "飞鸟集 草津", "比特币 番茄 Deno"): a passage lined
# up with it closely enough but missing one of its words is not the reader's words ('Kindle
# 越狱' held "Kindle里，我采取不分类的方式" at 75, 'Kubernetes 调度器' a passage on Kubernetes
# runtimes at 87). A sentence typed with spaces around its Latin words has a longer run of
# Chinese or a function character ("用 Kindle 看书", "Docker 镜像拉去很慢"); more words are a
# sentence in English.
_KEYWORDS_AT_MOST = 4
_NOT_A_KEYWORD = _FUNCTION_CHARS | frozenset("哪谁怎啥么几多少何")
_CHINESE_KEYWORD = re.compile(r"[\u3400-\u9fff]{2,6}")


def _typed_keywords(typed: str) -> tuple[str, ...]:
    """The words a near match must hold, of a query that is keywords by the rule above, or
    () for any other query. (`_keywords` is looser: the words of any query with spaces, for
    finding the passages that hold them all.)"""
    words = [normalize(token) for token in typed.split()]
    if not 2 <= len(words) <= _KEYWORDS_AT_MOST:
        return ()
    for word in words:
        if _LATIN_RUN.fullmatch(word):
            continue
        if not _CHINESE_KEYWORD.fullmatch(word) or _NOT_A_KEYWORD.intersection(word):
            return ()
    return tuple(dict.fromkeys(words))


def _article_subject(query: str) -> str | None:
    """The subject of a request for an article (see _ARTICLE_REQUESTS), if the query is one."""
    for pattern in _ARTICLE_REQUESTS:
        match = pattern.match(query.strip())
        if match:
            return match.group("subject").strip()
    return None


def _said(norm: str) -> int:
    """How many things a normalized clause says: its characters, a word in Latin letters or
    a number counting as one. A clause that says fewer than _CLAUSE_MIN is a fragment (a
    word and a few characters: Chinese text sets Latin words off with spaces, so '.env 文件在
    Vite 一启动时…' gives 'env，文件在'), and stands for the query only where it occurs as
    typed: read forgivingly, 'env文件在' matched any passage on .env files ('在 .env 文件中
    设置') at 95, as the reader's words. As typed, such a fragment often is them (工国委 CWI)."""
    return len(_LATIN_RUN.sub("a", norm))


def _as_clause(part: str) -> str | None:
    """A part of the query with its chatter removed, if it says enough to search for: a
    few words of Chinese at least (a lone English word, "ChatGPT", is a keyword, and a
    clause that is one would match every passage that mentions it)."""
    kept = _CLAUSE_HEAD.sub("", _CHATTER.sub(" ", part).strip()).strip()
    norm = normalize(kept)
    chinese = sum(1 for char in norm if not char.isascii())
    return kept if chinese >= 3 and len(norm) >= _CLAUSE_MIN else None


# Question words that ask for a fact: a year, a time, an amount, a person. Not 哪里/哪个
# (mostly "where did I read it"), nor 谁 in 谁都/谁也 (nobody) or where it asks who said
# what the reader remembers (谁说的, 谁写的, 谁总结的, 有谁记得, 谁的博客): that is chatter.
# Not 几个/几次, as often "a few" as "how many", nor 多少 in 多少有些 (somewhat).
# Those asking for a number or a date (fusion: a passage by meaning must give one).
COUNTED_QUESTION = re.compile(
    r"哪一?年|几年|哪一?天|什么时候|何时|多少(?![有也还都会能])|多久|第几"
)
_FACT_QUESTION = re.compile(COUNTED_QUESTION.pattern + r"|(?<!有)谁(?![都也说写讲提记总的])")
# Any question word: a passage that asks a question itself may be the one a question
# remembers with its question word changed (何时我才能… for 什么时候我才能…).
_ANY_QUESTION = re.compile(r"哪|几|什么|怎么|为什么|如何|何|多少|多久|谁|吗|呢|？")


def asked_for(query: str) -> tuple[str, ...]:
    """The question words of a query that asks for a fact, outside what it quotes."""
    bare = _QUOTED.sub(" ", query)
    return tuple(dict.fromkeys(normalize(m.group(0)) for m in _FACT_QUESTION.finditer(bare)))


# A question what a thing is ("南京理工大学的校训是什么", "微笑曲线是什么意思") asks about
# that thing; a passage that does not name it does not answer it, however well
# the rest lines up: '南京理工大学的校训是什么' was a text match at 86 with a passage on the
# university's 校园网, one character off. The thing is the two characters beside the
# question words (the end of its name). Not where the thing is the text
# the reader looks for (原文是啥来着, 出处是什么, 那篇文章的标题是什么): that is chatter.
_WHAT_IS = re.compile(r"([\u4e00-\u9fff]{2})(?:是什么(?!样|来着|时候)|是啥(?!来着)|是哪些)")
_NOT_A_THING = frozenset(
    "原文 出处 原话 原句 标题 题目 名字 名称 文章 那篇 哪篇 来源 作者 意思 这句 那句 句话"  # noqa: SIM905
    " 到底 究竟 真的 其实".split()
)
_FUNCTION_IN_THING = frozenset("的了这那就也都又还它他她你我是在有")


def things_asked(query: str) -> tuple[str, ...]:
    """The things a question asks what they are, outside what it quotes: "校训" of
    "南京理工大学的校训是什么"."""
    # Read normalized: a question typed in Traditional script (校訓是什麼) asks the same.
    bare = normalize(_QUOTED.sub(" ", query))
    found = []
    for match in _WHAT_IS.finditer(bare):
        thing = match.group(1)
        if thing and thing not in _NOT_A_THING and not set(thing) & _FUNCTION_IN_THING:
            found.append(thing)
    return tuple(dict.fromkeys(found))


# A yes-no question asked one way or the other: 值不值得 / 是否值得, 有没有 / 是否有, 是不是 /
# 是否. Readers remember the question, not which form the heading or sentence used
# ('BarberShop 值不值得一试' for the heading 'BarberShop 是否值得一试？' found nothing).
# Only verbs and modals that ask so (not 动不动, 时不时, 人不人鬼不鬼; not 是否 in 这不是否定
# or 就是否认, nor before an adverb: 是否已经, 是否真的).
_ASKED = "是有能会要可该应值好对行用想去来敢肯需"
_A_NOT_A = re.compile(f"([{_ASKED}])[不没]\\1")
_WHETHER = re.compile(f"是否([{_ASKED}])")


def _yes_no_other_way(query: str) -> str:
    """The query with its yes-no questions in the other form (the query itself if none)."""
    if _A_NOT_A.search(query):

        def whether(match: re.Match[str]) -> str:
            return "是否" if match.group(1) == "是" else "是否" + match.group(1)

        return _A_NOT_A.sub(whether, query)
    if "是否" in query:

        def a_not_a(match: re.Match[str]) -> str:
            char = match.group(1)
            return f"{char}{'没' if char == '有' else '不'}{char}"

        return _WHETHER.sub(a_not_a, query)
    return query


def _variants(query: str) -> list[_Variant]:
    forms = [query]
    stripped = _CHATTER.sub(" ", query).strip()
    if stripped and stripped != query:
        forms.append(stripped)
    forms.extend(m.group(1) for m in _QUOTED.finditer(query))
    for converted in (
        _numbers_as_digits(query),
        _numbers_as_chinese(query),
        _yes_no_other_way(query),
    ):
        if converted != query:
            forms.append(converted)
    # Clauses cut out of the query are held to a stricter standard than the forms above.
    # Longest first, and in the query's order among equals: which of two clauses that score
    # the same gives the highlight must not depend on the process's hash seed.
    subject = _article_subject(query)
    clauses = [c for c in dict.fromkeys(_clauses(query)) if c not in forms and c != subject]
    if subject and subject not in forms:
        forms.append(subject)
    forms.extend(sorted(clauses, key=len, reverse=True))
    out: list[_Variant] = []
    seen: set[str] = set()
    named = _named_items(query)
    asks = asked_for(query)
    things = things_asked(query)
    quoted = {m.group(1) for m in _QUOTED.finditer(query)}
    keywords = _typed_keywords(query)
    for form in forms:
        terms = analyze(form)
        norm = terms.norm
        if not norm or norm in seen or (len(norm) == 1 and norm.isascii()):
            continue  # a lone Latin letter or digit is in nearly every passage
        seen.add(norm)
        folded = fold(norm)
        # Single characters are only terms for a one-character query.
        raw_terms = list(dict.fromkeys(t for t in terms.raw if len(t) > 1 or len(norm) == 1))
        folded_terms = list(dict.fromkeys(terms.folded))
        # A form cut out of the query (chatter removed, a quoted part) must not tie with the
        # whole query matching exactly.
        weight = 1.0 if form is query else _DERIVED_WEIGHT
        last = raw_terms[-1] if raw_terms else ""
        prefix = last if last.isascii() and len(last) >= 3 and norm.endswith(last) else None
        content = _without_function_chars(norm)
        variant = _Variant(norm, folded, raw_terms, folded_terms, weight, prefix, content)
        if form == subject:
            # A request for an article ("讲买方记的文章") names it as it remembers it: a
            # homophone or a character off is its title still.
            variant.min_score = _CLAUSE_SCORE
            variant.subject = True
        elif form in clauses:
            variant.min_score = _CLAUSE_SCORE if _said(norm) >= _CLAUSE_MIN else 100.0
        variant.named = named
        # The question the query asks stays asked in every form made of it (its numbers as
        # digits: 哪1年), but for what it quotes: those are the words remembered.
        variant.asks = asked_for(form) if form in quoted else asks
        variant.things = things_asked(form) if form in quoted else things
        variant.keywords = keywords
        if form is query:
            variant.typed = form
            if stripped and stripped != query:
                variant.bare_length = len(normalize(stripped))
        out.append(variant)
    for roman in romanized_readings(query):
        # Also look for the Chinese the pinyin stands for. Typed words still count as words:
        # where they occur as typed ("long", "change"), that match scores 100 and this one at
        # most 94, so English keeps its meaning.
        norm = "".join(query.lower().split())
        groups = _pinyin_groups(roman)
        out.append(
            _Variant(
                norm,
                roman.folded,
                [],
                [t for group in groups for t in group],
                1.0,
                None,
                "",
                romanized=True,
                overrides=roman.overrides,
                usual_overrides=roman.usual_overrides,
                rare_readings=(roman.overrides != roman.usual_overrides and len(roman.folded) > 2),
                term_groups=groups,
                partly_pinyin=bool(roman.literal),
            )
        )
    return out


def _pinyin_groups(roman: Romanized) -> list[list[str]]:
    """Per pair of syllables, the index terms a text read that way may have: the index folds
    each character by its first reading, so 长城 is stored as zhang-cheng and "changcheng"
    must look for that too. Terms the index lacks cost one look-up each and are dropped.
    A word kept as typed ("linkedlist") is a term of its own, the index's Latin word."""
    options = [
        () if s in roman.literal else first_reading_codes(s)[:_READING_ALTERNATIVES]
        for s in roman.syllables
    ]
    pairs = [
        list(dict.fromkeys(a + b for a in left for b in right))[:_PAIR_TERMS]
        for left, right in itertools.pairwise(options)
        if left and right
    ]
    return [*pairs, *([word] for word in dict.fromkeys(roman.literal))]


def _without_function_chars(norm: str) -> str:
    return norm.translate(_DROP_FUNCTION_CHARS)


def _keywords(cleaned: str, variants: list[_Variant]) -> list[str]:
    """The normalized words of a query typed as keywords ("斯大林 镇压", "托派 1927"), or []
    for a query without spaces or typed in pinyin."""
    if any(v.romanized and not v.partly_pinyin for v in variants):
        return []
    words = list(dict.fromkeys(w for w in map(normalize, cleaned.split()) if w))
    return words if len(words) >= 2 else []


def _word_terms(word: str) -> list[str]:
    """Index terms that every passage holding `word` has (its rarest two are enough to find
    the candidates; the words are then checked in the text)."""
    raw = analyze(word).raw
    return [t for t in raw if len(t) > 1] or raw
