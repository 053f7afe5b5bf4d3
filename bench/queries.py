"""Generate a deterministic query set from a corpus's own passages.

Each query is cut from a passage and then changed the ways readers change what they
remember: exact quotes, dropped and added words, one or two typos (homophones and others),
Traditional script, short keywords, headings, chatter around the quote, whole sentences;
plus negatives that should find nothing. Expectations use the untouched original
substring, so a hit means the reader got the passage they meant (or an identical one).

    python -m bench.queries --db PATH [--n 200] [--seed 7] > queries.yaml
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import opencc
import yaml

from bot.models import StoredPassage
from bot.store import Store
from bot.text import normalize, normalize_spaced

_CJK = re.compile(r"[\u4e00-\u9fff]")
_s2t = opencc.OpenCC("s2t")
_FILLERS = "的了是就也都很还在把被"
_CHATTER = [
    "求出处：{}",
    "有篇文章说{}，原话是什么？",
    "谁说过“{}”",
    "记得有句话：{}",
    "{}，这句话出自哪里",
    "请问{}是哪篇文章里的",
]
NEGATIVES = [
    "今天天气怎么样",
    "明天下午三点开会",
    "帮我订一张去上海的机票",
    "这家餐厅的红烧肉很好吃",
    "猫咪喜欢晒太阳睡懒觉",
    "python asyncio tutorial",
    "how to bake sourdough bread",
    "😀😀",
    "🎉🎉🎉",
    "周末去爬山还是看电影",
    "股票基金理财收益率",
    "手机屏幕碎了去哪里修",
    "足球世界杯冠军预测",
    "最新款电动汽车续航里程",
    "宝宝发烧三十八度怎么办",
]


def _homophones() -> dict[str, list[str]]:
    from pypinyin.pinyin_dict import pinyin_dict

    by_sound: dict[str, list[str]] = {}
    sound_of: dict[str, str] = {}
    for code, readings in pinyin_dict.items():
        char = chr(code)
        if not ("\u4e00" <= char <= "\u9fa5"):
            continue
        sound = readings.split(",", 1)[0]
        sound_of[char] = sound
        by_sound.setdefault(sound, []).append(char)
    return {c: [o for o in by_sound[s] if o != c][:30] for c, s in sound_of.items()}


class Generator:
    def __init__(self, passages: Sequence[StoredPassage], seed: int) -> None:
        self.rng = random.Random(seed)
        self.passages = [p for p in passages if len(_CJK.findall(p.text)) >= 30]
        self.homophones = _homophones()
        counts: Counter[str] = Counter()
        for p in passages:
            n = normalize(p.text)
            counts.update({n[i : i + 3] for i in range(len(n) - 2)})
        self.trigram_counts = counts
        self.common = [
            c
            for c, _ in Counter(
                ch for p in self.passages[:2000] for ch in _CJK.findall(p.text)
            ).most_common(800)
        ]

    def _span(self, p: StoredPassage, lo: int, hi: int) -> str:
        """A run of `lo`..`hi` characters of one sentence, starting at a CJK character."""
        sentences = [s for s in re.split(r"[。！？；\n]", p.text) if len(_CJK.findall(s)) >= lo]
        sentence = self.rng.choice(sentences) if sentences else p.text
        length = min(len(sentence), self.rng.randint(lo, hi))
        start = self.rng.randint(0, max(0, len(sentence) - length))
        end = start + length
        # Readers quote whole English words, not the middle of one.
        while start > 0 and sentence[start - 1].isascii() and sentence[start - 1].isalnum():
            start -= 1
        while end < len(sentence) and sentence[end].isascii() and sentence[end].isalnum():
            end += 1
        return sentence[start:end].strip("，、：“”（）() ")

    def _typo(self, s: str, n: int) -> str:
        chars = list(s)
        spots = [i for i, c in enumerate(chars) if _CJK.match(c)]
        for i in self.rng.sample(spots, min(n, len(spots))):
            pool = self.homophones.get(chars[i]) if self.rng.random() < 0.6 else None
            chars[i] = self.rng.choice(pool) if pool else self.rng.choice(self.common)
        return "".join(chars)

    def _fuzzy(self, s: str) -> str:
        chars = list(s)
        for _ in range(max(1, len(chars) // 10)):
            if len(chars) > 6:
                del chars[self.rng.randrange(1, len(chars) - 1)]
        chars.insert(self.rng.randrange(1, len(chars)), self.rng.choice(_FILLERS))
        return "".join(chars)

    def query(self, kind: str) -> dict[str, Any] | None:
        p = self.rng.choice(self.passages)
        if kind == "keyword":
            n = normalize(p.text)
            grams = [
                n[i : i + 3]
                for i in range(len(n) - 2)
                if all(_CJK.match(c) for c in n[i : i + 3])
                and self.trigram_counts[n[i : i + 3]] <= 3
            ]
            if not grams:
                return None
            word = self.rng.choice(grams)[: self.rng.choice((2, 3, 3))]
            # Characters that meet only across punctuation (缓存，顾名思义) are no word a
            # reader types: the next pair or triple that is one, drawing nothing more, so
            # the rest of a seed's queries stay what they were.
            spaced = normalize_spaced(p.text)
            if word not in spaced:
                cut = next((g[: len(word)] for g in grams if g[: len(word)] in spaced), None)
                if cut is None:
                    return None
                word = cut
            return {"kind": kind, "q": word, "expect": [word]}
        if kind == "heading":
            if not p.heading_path:
                return None
            heading = p.heading_path[-1]
            if len(normalize(heading)) < 4:
                return None
            return {"kind": kind, "q": heading, "heading": [heading.strip()]}
        if kind == "long":
            span = self._span(p, 30, 60)
            return {"kind": kind, "q": span, "expect": [normalize(span)[:40]]}
        span = self._span(p, 8, 18)
        if len(normalize(span)) < 6:
            return None
        expect = [normalize(span)]
        if kind == "fuzzy":
            q = self._fuzzy(span)
        elif kind in ("typo1", "typo2"):
            q = self._typo(span, int(kind[-1]))
        elif kind == "trad":
            q = str(_s2t.convert(span))
        elif kind == "noisy":
            q = self.rng.choice(_CHATTER).format(span)
        else:
            q = span
        return {"kind": kind, "q": q, "expect": expect}

    def generate(self, n: int) -> list[dict[str, Any]]:
        kinds = ["exact", "fuzzy", "typo1", "typo2", "trad", "keyword", "heading", "noisy", "long"]
        out: list[dict[str, Any]] = []
        attempts = 0
        while len(out) < n and attempts < n * 20:
            attempts += 1
            item = self.query(kinds[len(out) % len(kinds)])
            if item:
                out.append(item)
        out.extend({"kind": "negative", "q": q} for q in NEGATIVES)
        return out


async def generate_from_db(db: Path, n: int, seed: int) -> list[dict[str, Any]]:
    store = await Store.open(db)
    try:
        passages = await store.iter_passages()
    finally:
        await store.close()
    return Generator(passages, seed).generate(n)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.queries", description=__doc__)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    queries = asyncio.run(generate_from_db(args.db, args.n, args.seed))
    yaml.safe_dump(queries, sys.stdout, allow_unicode=True, sort_keys=False, width=200)
    return 0


if __name__ == "__main__":
    sys.exit(main())
