"""Matches by meaning (bot.meaning), fused with the evidence of the character path."""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from dataclasses import dataclass, field

from bot.meaning import MeaningHit, MeaningIndex, shared_encoder
from bot.models import MatchKind
from bot.search.forms import COUNTED_QUESTION, _numbers_as_digits, _Variant, _word_terms
from bot.search.scoring import _VIEWS, _cached_normalize, _kind_rank, _load, _score_text, _Scored
from bot.store import Reader
from bot.store.meaning_process import LookAhead
from bot.text import fold

# Meaning matches (bot.meaning). Candidates: the passages whose best unit is closest to the
# query, ranked by cosine plus the evidence of their words: the share of the query's specific
# terms they hold (names, numbers and rare nouns survive a paraphrase) and their character
# score. Cosine alone cannot decide whether to answer (measured: a nearby-topic question's
# best cosine reaches 0.66 while right answers start near 0.35), so the best candidate is
# offered only when a logistic model of four signals says a right answer is likely enough:
# its cosine, its character score, how far its cosine stands above the runner-up's, and its
# share of the query's terms times the query's length. The product, because a shared term
# means more in a long query than in a short one: a ten-character question about a subject
# the collection covers ("红烧肉怎么做才不腻") holds its two or three terms in some passage of
# that subject, a thirty-character retelling holds its many terms only in the passage it
# retells. Below _MEANING_FLOOR nothing is offered, whatever the words: there the passage
# shares some specific terms with the query and little of its meaning (measured: on-topic
# questions of a security blog, "Spectre 幽灵漏洞的侧信道原理", at 0.29-0.31).
# The weights were fitted on the dev halves of query sets written by reading five corpora
# (the shipped post, hexo-sample, a Hugo blog, Lu Xun's essays, a tech weekly: 384 queries
# with 52 negatives, short paraphrases and long on-topic negatives among them) and checked
# leaving one corpus out at a time: 0.864 of the positives found first, 10 of 104 negatives
# answered. The former three signals plus the bare share of terms, fitted the same way:
# 0.862 and 29 answered, or 0.853 and 17 at a stricter bar. See docs/search.md, "Deciding
# to answer by meaning".
_MEANING_MIN_CHARS = 5  # shorter queries are words, not meanings ("谢谢", "托派")
_MEANING_POOL = 30
# A Latin word of four or more letters and digits: it names something (shorter: "TCP",
# "vs"). A part of a joined word counts as a word (TIME and WAIT of TIME_WAIT): passages and
# queries are cut into terms alike, at "_", ".", "-" and the like, so a passage holding
# TIME_WAIT holds the term "wait". But one name is written several ways (Node.js, NodeJS;
# Python3.8, Python), so a name counts as present in any of them (`_written_forms`).
_NAME_MIN_CHARS = 4
# Written in lower case, a name the collection lacks is as long as this at least: 'asyncio
# 的事件循环怎么用' was offered a passage on libuv's event loop, close in meaning.
_LOWER_NAME_MIN = 5
_LATIN_NAME = re.compile(
    rf"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9]{{{_NAME_MIN_CHARS - 1},}}(?![A-Za-z0-9])"
)
_JOINED_WORD = re.compile(r"[A-Za-z0-9]+(?:[_.+#-]+[A-Za-z0-9]+)*")
_JOINERS = re.compile(r"[_.+#-]+")
# A year, in digits or read digit by digit in Chinese numerals (1927, 一九二七): it survives a
# retelling as a name does. Not a decade (1990年代, where the text may say 90年代), nor part of
# a longer number, a decimal or a grouped number (42,000), nor joined to letters (iPhone2018).
# Other numbers are written too many ways (2000, 两千, 二千, 2k) for their absence to be told.
_YEAR = re.compile(r"(?<![0-9A-Za-z_.,])(?:1[0-9]{3}|20[0-9]{2})(?![0-9A-Za-z_]|[.,][0-9]|年代)")
_RANK_LEXICAL = 0.4  # candidate rank: cosine + these times the word evidence
_RANK_CHARACTERS = 0.15
# cosine, characters/100, lead, share of terms * length (normalized characters, at most 40)/40
_ANSWER_WEIGHTS = (8.03, 3.62, 6.43, 14.42)
_ANSWER_BIAS = -7.96  # offered when the weighted sum is at least 0 (probability >= 0.38)
_MEANING_FLOOR = 0.32
_LENGTH_SCALE = 40
_MEANING_SPREAD = 0.1  # once confident, also offer candidates this close to the best
# What gives a number or a date, which a question COUNTED_QUESTION asks needs.
# ("一个", "一次" are an article as often as a count: a lone 一 is no number.)
_NUMBER = re.compile(
    r"[0-9]|[〇零一二三四五六七八九十两几百千万亿]{2,}"
    r"|[二三四五六七八九十两半几][个万亿千百年月日天次岁倍成人元块周]"
)


@dataclass
class MeaningPlan:
    """The meaning path of one search: the index, the forms of the query to encode, and the
    look-up begun ahead in the store's meaning process (bot.store.meaning_process), if any.
    Looked up once, when the search first needs it; `close` drops a look-up begun ahead
    that it never needed."""

    index: MeaningIndex
    forms: list[str]
    ahead: LookAhead | None = None
    _nearest: list[MeaningHit] | None = field(default=None, init=False)

    def nearest(self, reader: Reader) -> list[MeaningHit]:
        """The index's first _MEANING_POOL passages for the query."""
        if self._nearest is None:
            found = self.ahead.result(reader.deadline) if self.ahead is not None else None
            if found is None:
                # Encoded here, on the database thread, so the event loop never waits for it.
                queries = shared_encoder().encode(self.forms)
                found = self.index.top(queries, _MEANING_POOL, reader)
            self._nearest = found
        return self._nearest

    def close(self) -> None:
        if self.ahead is not None and self._nearest is None:
            self.ahead.cancel()


def _term_weights(reader: Reader, variant: _Variant, total_passages: int) -> dict[str, float]:
    """The query's terms weighted by how specific they are in this corpus; a term no passage
    has (chatter, a typo) carries no evidence either way."""
    counts = reader.doc_counts(variant.raw_terms)
    return {term: math.log(1 + total_passages / n) for term, n in counts.items()}


def _meaning_matches(
    reader: Reader,
    plan: MeaningPlan,
    variants: list[_Variant],
    exclude: set[int],
    total_passages: int,
    normalized: dict[int, tuple[str, str]],
    absent_names: list[str],
) -> list[_Scored]:
    """Passages close in meaning to the query, if the evidence is confident (see
    _ANSWER_WEIGHTS), best first; none of `exclude` (already found by their words).
    `absent_names`: `_absent_names` of the query, which the caller needs too."""
    if _names_something_absent(reader, variants[0], absent_names):
        return []
    every = plan.nearest(reader)
    if len(every) < 2:
        return []
    lead = every[0].cosine - every[1].cosine  # a query close to one passage, not a topic
    length = min(len(variants[0].norm), _LENGTH_SCALE) / _LENGTH_SCALE
    hits = [h for h in every if h.passage_id not in exclude]
    if not hits:
        return []
    # All at once: normalized in one pass and their views in another (one at a time, as
    # `_score_text` would make them, they took a sixth of the fusion at 24 M characters).
    _load(reader, [h.passage_id for h in hits], normalized)
    keywords = variants[0].keywords
    if keywords and not all(word.isascii() for word in keywords):
        # Typed as keywords, the words are what the reader looks for: a passage holding
        # half of them or fewer, in its text or its headings, is about something near
        # ('王者荣耀 段位' offered a passage on 王者荣耀, 'Kindle 越狱' one on Kindle), not
        # what they typed in other words. Not words all in Latin letters: those are as often
        # a command or a setting ('hid_apple fnmode=2'), which the prose around it explains.
        headings = reader.heading_texts([h.passage_id for h in hits])

        def held(pid: int) -> int:
            text = normalized.get(pid, ("", ""))[0]
            heading = _cached_normalize(headings.get(pid, ""))
            # A number in either script (1927, 一九二七).
            spoken = _numbers_as_digits(text) if any(w.isdigit() for w in keywords) else text
            return sum(
                word in text or word in heading or word in spoken or _spread_in(word, text)
                for word in keywords
            )

        hits = [h for h in hits if 2 * held(h.passage_id) > len(keywords)]
        if not hits:
            return []
    if any(COUNTED_QUESTION.fullmatch(word) for word in variants[0].asks):
        # A question asking how many, how long or when is answered by a passage that gives
        # a number or a date; one that gives none is about the subject, not the answer
        # ('小猿搜题的日活最高做到了多少' offered a passage on the app's reading column).
        hits = [h for h in hits if _NUMBER.search(normalized.get(h.passage_id, ("", ""))[0])]
        if not hits:
            return []
    _VIEWS.fill(normalized[h.passage_id][0] for h in hits if h.passage_id in normalized)
    weights = _term_weights(reader, variants[0], total_passages)
    total_weight = sum(weights.values())
    textual = [v for v in variants if not v.romanized]
    # A candidate's rank is its cosine and word evidence plus at most _RANK_CHARACTERS for
    # its character score, the dear part (rapidfuzz over every view of the passage, for
    # every form of the query: measured at a quarter of a search on a 1.6 M-character blog).
    # So candidates are taken by that ceiling, and their character score computed only
    # while the ceiling can still reach the spread of the best rank found: the rest could
    # neither be offered nor be the best. The ranks, the best and the answer are the same.
    ceilings: list[tuple[float, float, float, float, int, int]] = []
    for hit in hits:
        reader.check_deadline()
        norm_text, kind = normalized.get(hit.passage_id, ("", "paragraph"))
        lexical = (
            sum(w for term, w in weights.items() if term in norm_text) / total_weight
            if total_weight
            else 0.0
        )
        base = hit.cosine + _RANK_LEXICAL * lexical  # the rank without characters
        ceiling = base + _RANK_CHARACTERS
        ceilings.append((ceiling, base, hit.cosine, lexical, _kind_rank(kind), hit.passage_id))
    ceilings.sort(key=lambda item: (-item[0], item[5]))
    # The answer's evidence is at most this (characters at most 1, for any candidate): a
    # query that cannot be answered is not scored at all.
    most = max(
        (
            _evidence(c, 1.0, lead, lex * length)
            for _, _, c, lex, _, _ in ceilings
            if c >= _MEANING_FLOOR
        ),
        default=-math.inf,
    )
    if most < 0:
        return []
    scored: list[tuple[float, float, float, float, int, int]] = []
    best_rank = max(item[1] for item in ceilings)  # at least the best without characters
    for ceiling, base, cosine, lexical, kind_rank, pid in ceilings:
        if ceiling < best_rank - _MEANING_SPREAD:
            break  # and so is every later one
        reader.check_deadline()
        norm_text = normalized.get(pid, ("", "paragraph"))[0]
        # Only a character score that keeps this candidate within the spread matters, and
        # only the best form's: `_score_text` with a floor gives the same score at or above
        # it and some lower one below, and spares the views that cannot reach it.
        needed = (best_rank - _MEANING_SPREAD - base) / _RANK_CHARACTERS
        characters = 0.0
        for variant in textual:
            floor = max(100 * needed, characters) - 1e-6
            characters = max(characters, _score_text(variant, norm_text, max(0.0, floor))[0])
        characters /= 100
        rank = base + _RANK_CHARACTERS * characters
        best_rank = max(best_rank, rank)
        scored.append((rank, cosine, lexical, characters, kind_rank, pid))
    scored.sort(key=lambda item: (-item[0], item[5]))
    best, cosine, lexical, characters, _, _ = scored[0]
    if cosine < _MEANING_FLOOR or _evidence(cosine, characters, lead, lexical * length) < 0:
        return []
    return [
        _Scored(100 * cosine, kind_rank, pid, kind=MatchKind.MEANING)
        for rank, cosine, _, _, kind_rank, pid in scored
        if rank >= best - _MEANING_SPREAD
    ]


def _spread_in(word: str, text: str) -> bool:
    """A Chinese keyword typed without the particle or measure word the text has between
    its parts: 入学费用 for 入学的费用, 借钱 for 借了一笔钱 (its characters in order, at
    most _SPREAD more between them)."""
    if len(word) < 2 or word.isascii():
        return False
    return any(len(found) <= len(word) + _SPREAD for found in _spread(word).findall(text))


_SPREAD = 3


@functools.lru_cache(maxsize=256)
def _spread(word: str) -> re.Pattern[str]:
    gap = f".{{0,{_SPREAD}}}?"
    return re.compile(gap.join(re.escape(char) for char in word))


def _evidence(cosine: float, characters: float, lead: float, words: float) -> float:
    """The answer gate's weighted sum (see _ANSWER_WEIGHTS): a match is offered at 0 or above.
    `characters` is the character score / 100, `words` the share of terms times length."""
    signals = (cosine, characters, lead, words)
    return sum(w * x for w, x in zip(_ANSWER_WEIGHTS, signals, strict=True)) + _ANSWER_BIAS


def _names_something_absent(reader: Reader, variant: _Variant, names: list[str]) -> bool:
    """Whether the query names something the collection never mentions: in Latin letters
    (Calibre, ConcurrentHashMap, Paxlovid) or a year. Then no passage of it can mean what the
    query says. Names and years survive a paraphrase; a reader who retells a passage about
    Kindle writes Kindle, and one who retells what happened in 1927 writes 1927. Measured:
    of the eval sets' 893 queries, 27 name such a word or year, every one of them a question
    the collection does not answer (斯大林和托洛茨基1913年都在维也纳, TCP 断开连接后
    TIME_WAIT 为什么要等那么久).

    A name is written with a capital (OICQ, JDK7, Docker), or is a lower-case word of five
    letters or more (asyncio, owncloud): a shorter one is as likely English in some form of
    its own, and a plural counts as its singular (ISPs for ISP, servers for server).
    `names`: the query's absent names, as `_absent_names` gives them."""
    return bool(names) or _absent_year(reader, variant)


def _absent_names(reader: Reader, variant: _Variant) -> list[str]:
    """The names of the query (lower-cased, without joiners) that no passage or heading
    has in any written form. A word joined of short parts (Fly.io, Vue.set) is a name as a
    whole when written with a capital: present where one passage holds all its parts."""
    forms: dict[str, list[str]] = {}
    joined_names: dict[str, list[str]] = {}
    for joined in _JOINED_WORD.finditer(variant.typed):
        word = joined.group(0)
        named = False
        for m in _LATIN_NAME.finditer(word):
            name = m.group(0).lower()
            if (
                (any(char.isupper() for char in m.group(0)) or len(name) >= _LOWER_NAME_MIN)
                and name in variant.raw_terms
                and not _unfinished(reader, variant, name)
            ):
                forms[name] = _written_forms(name, word.lower())
                named = True
        whole = _JOINERS.sub("", word).lower()
        parts = [part for part in _JOINERS.split(word.lower()) if part]
        if (
            not named
            and len(parts) > 1
            and any(char.isupper() for char in word)
            and len(whole) >= _NAME_MIN_CHARS
            and whole[0].isalpha()
            and not _unfinished(reader, variant, parts[-1])
        ):
            joined_names[whole] = parts
    # The thing a question asks what it is (校训 of "南京理工大学的校训是什么"), where no
    # passage or heading has it in any form (as typed, or read aloud the same): a passage
    # close in meaning answers another question ("同济大学软件学院的校训是什么" was offered
    # a staff list naming the school, at 76). A thing the collection has (原因, 意思) may
    # be answered in other words, and stays to the meaning path.
    for thing in variant.things:
        forms[thing] = list(dict.fromkeys([thing, fold(thing)]))
    if not forms and not joined_names:
        return []
    mentioned = _mentioned(
        reader, [form for these in forms.values() for form in these] + list(joined_names)
    )
    absent = [name for name, these in forms.items() if not any(f in mentioned for f in these)]
    for whole, parts in joined_names.items():
        if whole not in mentioned and not reader.ids_with_all(parts, 1):
            absent.append(whole)
    return absent


def _unfinished(reader: Reader, variant: _Variant, word: str) -> bool:
    """Whether the query's last word may be one still being typed ("Intern…", inline): a
    term of the collection starts with it. 'DSLabs', last in a question about a course the
    collection never mentions, begins no term, so it names something absent."""
    if word != variant.prefix:
        return False
    return bool(
        reader.ids_with_term(word, 1, prefix=True)
        or reader.ids_with_term(word, 1, prefix=True, headings=True)
    )


def _mentioned(reader: Reader, terms: list[str]) -> set[str]:
    """Which of these index terms some passage or heading has."""
    return set(reader.doc_counts(terms)) | set(reader.doc_counts(terms, headings=True))


def _written_forms(name: str, joined: str) -> list[str]:
    """The index terms a passage naming `name` (a part of the query's word `joined`) may
    have: the name, what it may be the plural of (isps -> isp), its letters without a
    version number (python3 -> python), and the whole word written without its joiners
    (node.js -> nodejs)."""
    forms = _singular_forms(name)
    letters = name.rstrip("0123456789")
    if len(letters) >= _NAME_MIN_CHARS - 1:
        forms.append(letters)
    forms.append(_JOINERS.sub("", joined))
    return list(dict.fromkeys(forms))


def _absent_year(reader: Reader, variant: _Variant) -> bool:
    """Whether the query names a year (see _YEAR) that no passage or heading has, in digits
    or read digit by digit in Chinese numerals (1905 as 一九〇五, 一九零五, or 一九五: a zero
    written ○ is lost in normalizing)."""
    typed = unicodedata.normalize("NFKC", variant.typed)  # full-width digits too
    years = list(
        dict.fromkeys(
            m.group(0) for text in (typed, _numbers_as_digits(typed)) for m in _YEAR.finditer(text)
        )
    )
    if not years:
        return False
    mentioned = _mentioned(reader, years)
    for year in years:
        if year in mentioned:
            continue
        # A form too short to look up (2000 without its zeros) cannot be told absent.
        if any(
            len(written) < 2 or reader.ids_with_all(_word_terms(written), 1)
            for written in _in_numerals(year)
        ):
            continue
        return True
    return False


def _in_numerals(number: str) -> list[str]:
    """A number read digit by digit in Chinese numerals: zero as 〇, as 零, or left out."""
    names = "〇一二三四五六七八九"
    written = "".join(names[int(digit)] for digit in number)
    return list(dict.fromkeys([written, written.replace("〇", "零"), written.replace("〇", "")]))


def _singular_forms(name: str) -> list[str]:
    """The name and what it may be the plural of: isps -> isp, caches -> cache, cach."""
    forms = [name]
    if name.endswith("s"):
        forms.append(name[:-1])
        if name.endswith("es") and len(name) > _NAME_MIN_CHARS:
            forms.append(name[:-2])
    return forms


def _meaning_forms(cleaned: str, variants: list[_Variant]) -> list[str]:
    """What to encode for the meaning path, or nothing: a query too short to carry a
    meaning of its own, or typed in pinyin (letters the encoder would read as English; one
    that also keeps a word as typed may be English, and is encoded as it was before)."""
    pinyin = any(v.romanized and not v.partly_pinyin for v in variants)
    if pinyin or len(variants[0].norm) < _MEANING_MIN_CHARS:
        return []
    return [cleaned]
