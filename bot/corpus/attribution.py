"""Attribution lines (作者：…, 转载自：[知乎](…), Source: …) and how sections inherit them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

_AUTHOR_LABELS = frozenset({"作者", "原作者", "author", "by"})
_TRANSLATOR_LABELS = frozenset({"译者", "翻译", "translator"})
_SOURCE_LABELS = frozenset(
    {
        "来源",
        "出处",
        "转载自",
        "本文转载自",
        "转自",
        "原文",
        "原文链接",
        "链接",  # 作者：… 链接：… 来源：知乎: only after another credit line (see parse_line)
        "原文地址",
        "原载",
        "source",
        "via",
        "from",
        "original",
    }
)
_LABELS = sorted(_AUTHOR_LABELS | _TRANSLATOR_LABELS | _SOURCE_LABELS, key=len, reverse=True)
# Labels need a colon, except 转载自 which reads naturally without one.
_LINE = re.compile(
    r"^[\s>*]*(?P<label>" + "|".join(map(re.escape, _LABELS)) + r")[ \t]*"
    r"(?:[：:]|(?<=转载自))[ \t]*(?P<value>.+?)\s*$",
    re.IGNORECASE,
)
_URL = re.compile(r"https?://[^\s<>\"'，。）)]+")
_MAX_VALUE = 200
_SENTENCE_PUNCT = frozenset("。！？!?")


@dataclass(frozen=True, slots=True)
class Attribution:
    author: str | None = None
    source_url: str | None = None
    source_name: str | None = None

    def merged(self, other: Attribution) -> Attribution:
        """`other` fills what this one lacks (a block's later lines add to earlier ones)."""
        if self.source_url or self.source_name:
            url, name = self.source_url, self.source_name
        else:
            url, name = other.source_url, other.source_name
        return Attribution(self.author or other.author, url, name)

    @property
    def empty(self) -> bool:
        return not (self.author or self.source_url or self.source_name)


_REPOST = re.compile(r"转载|转自|转贴|reprint|repost", re.IGNORECASE)


def is_repost_credit(text: str) -> bool:
    """A line that says the text before it is reposted from somewhere (本文转载自：…), as
    opposed to one that only points at a reference (原文链接：…)."""
    return _REPOST.search(text[:40]) is not None


def host_name(url: str) -> str | None:
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.removeprefix("www.") if host else None


# The notice Zhihu, Jianshu and CSDN append to copied text (著作权归作者所有。商业转载请联系
# 作者获得授权，非商业转载请注明出处。): part of the credit, not the writer's words.
_COPY_NOTICE = re.compile(
    r"^[\s>*]*(?:著作权|版权)归(?:原?作者|原作者及[^。]{0,20})所有[。，,]?.{0,60}转载"
)


# Labels that are a credit's only as part of one: a share link (链接：https://pan.baidu.com/…
# 提取码：…) or a project's (链接：https://github.com/…) on its own is the writer's text.
_CREDIT_ONLY_LABELS = frozenset({"链接"})


def parse_line(
    text: str, links: list[tuple[str, str]], *, after_credit: bool = False
) -> Attribution | None:
    """Read one line as an attribution, or None if it is ordinary text. An empty
    Attribution: a line that belongs to a credit but names nobody (译者：…, a copy notice).
    `after_credit`: the line follows another attribution line (作者：… then 链接：…, 来源：…
    and the notice Zhihu adds to copied text, which count only there).

    `links` are the (text, href) pairs of Markdown links on the line: the parser has already
    turned `[知乎](https://…)` into the text 知乎, so the URL comes from here.
    """
    if len(text) > _MAX_VALUE + 20:
        return None
    if after_credit and "所有" in text and _COPY_NOTICE.match(text):
        return Attribution()
    match = _LINE.match(text)
    if match is None:
        return None
    label = match.group("label").lower()
    if label in _CREDIT_ONLY_LABELS and not after_credit:
        return None
    value = match.group("value").strip()
    if not value or len(value) > _MAX_VALUE or any(ch in _SENTENCE_PUNCT for ch in value[:-1]):
        return None
    link = next(((t.strip(), h) for t, h in links if h.startswith(("http://", "https://"))), None)
    bare = _URL.search(value)
    if label in _AUTHOR_LABELS:
        name = link[0] if link and link[0] else _URL.sub("", value).strip(" ，,;；。.")
        return Attribution(author=name or None)
    if label in _TRANSLATOR_LABELS:
        return Attribution()  # recognised (so not a passage) but not the author
    if link is not None:
        return Attribution(source_url=link[1], source_name=link[0] or host_name(link[1]))
    if bare is not None:
        rest = (value[: bare.start()] + value[bare.end() :]).strip(" ，,:：;；")
        return Attribution(source_url=bare.group(0), source_name=rest or host_name(bare.group(0)))
    return Attribution(source_name=value)
