"""Public URLs: a post's permalink (Hexo patterns) and Hexo-style heading anchors."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache
from pathlib import PurePosixPath
from urllib.parse import quote

from bot.corpus.frontmatter import FrontMatter
from bot.corpus.site import SiteConfig

# hexo-util slugize's special characters: ASCII only. Chinese punctuation stays in an id
# ('一、旅游计划', '《GOOGLE排名秘笈》'), as pages rendered by hexo-renderer-marked show
# (checked against three blogs' live renders: 1,303 passages' links pointed at ids their
# pages do not have while these were dropped too).
_SPECIAL = re.compile(r"[\s~`!@#$%^&*()\-_+=\[\]{}|\\;:\"'<>,.?/]+")
# What marked escapes in a heading's text before hexo-renderer-marked slugizes it: 'and
# user > 0' is 'and-user-gt-0'.
_MARKED_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}
)
_CONTROL = re.compile(r"[\x00-\x1f]")
_TAGS = re.compile(r"<[^<>]{0,200}>")
# Every `:word` is a placeholder (hexo-util's Permalink, with JavaScript's ASCII \w). Hexo's
# own (year, title, ...) come first; any other is filled from the post's front matter
# (post_permalink.js copies every field it does not define itself): `:year/:month/:alias/`
# with `alias: my-post`. One the post lacks leaves it without a URL, reported (Hexo would
# write "undefined" into the path).
_PLACEHOLDER = re.compile(r":(\w*[^_\W])", re.ASCII)
# The placeholders a post's date fills (see post_path).
DATE_PLACEHOLDERS = frozenset(
    {"year", "month", "day", "i_month", "i_day", "hour", "minute", "second"}
)


def _strip_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    )


def slugize(text: str, lower: bool = False) -> str:
    """hexo-util's slugize: specials become one `-`, no leading or trailing `-`."""
    slug = _SPECIAL.sub("-", _CONTROL.sub("", _strip_diacritics(_TAGS.sub("", text))))
    slug = slug.strip("-")
    return slug.lower() if lower else slug


class AnchorMaker:
    """Heading ids for one file: duplicates get -1, -2 ... like hexo-renderer-marked."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def __call__(self, heading: str) -> str | None:
        anchor = slugize(heading.translate(_MARKED_ESCAPES))
        if not anchor:
            return None
        count = self._seen.get(anchor)
        if count is None:
            self._seen[anchor] = 1
            return anchor
        self._seen[anchor] = count + 1
        return f"{anchor}-{count}"


def post_title_path(rel_path: str) -> str:
    """`:title`: the path under source/_posts (or the corpus root) without its extension."""
    parts = PurePosixPath(rel_path).parts
    if "_posts" in parts:
        parts = parts[parts.index("_posts") + 1 :]
    return str(PurePosixPath(*parts).with_suffix("")) if parts else ""


# hexo-util Permalink's segments when Hexo reads a post's file name by `new_post_name`;
# any other part is `(.+?)`.
_NAME_SEGMENTS = {
    "year": r"(\d{4})",
    "month": r"(\d{2})",
    "day": r"(\d{2})",
    "i_month": r"(\d{1,2})",
    "i_day": r"(\d{1,2})",
    "hash": r"([0-9a-f]{12})",
}
_NAME_PARAM = re.compile(r":(\w+)")


def _suffixless(path: str) -> str:
    suffix = PurePosixPath(path).suffix
    return path[: -len(suffix)] if suffix else path


def read_post_name(new_post_name: str, title_path: str) -> dict[str, str]:
    """The parts of a post's file name (its path under _posts, `title_path`) by the site's
    `new_post_name` (`:year-:month-:day-:title.md`), as Hexo's post processor reads it:
    `title` becomes the post's slug, the `:title` of its permalink, so
    `2011-08-10-do-not-use.md` is at `/2011/08/10/do-not-use/`, not at
    `/2011/08/10/2011-08-10-do-not-use/`. {} when the name does not fit the pattern."""
    names, pattern = _post_name_pattern(new_post_name)
    found = pattern.fullmatch(title_path)
    return dict(zip(names, found.groups(), strict=True)) if found else {}


def _date_in_name(named: dict[str, str]) -> dt.datetime | None:
    """The date a post's file name gives by `new_post_name` (its year, month and day), which
    Hexo's post processor takes where the front matter has none: 154 of one blog's posts,
    brought over from Octopress as `2015-07-19-mouse-wheel-control-page-change.md` with no
    `date:`, are at /2015/07/19/…; without it they had no link."""
    month = named.get("month") or named.get("i_month")
    day = named.get("day") or named.get("i_day")
    year = named.get("year")
    if not (year and month and day):
        return None
    try:
        return dt.datetime(int(year), int(month), int(day))
    except ValueError:
        return None  # 2015-13-45: not a date, as Hexo would make of it


@lru_cache(maxsize=16)
def _post_name_pattern(new_post_name: str) -> tuple[tuple[str, ...], re.Pattern[str]]:
    rule = _suffixless(new_post_name)
    names: list[str] = []
    parts: list[str] = []
    pos = 0
    for match in _NAME_PARAM.finditer(rule):
        parts.append(re.escape(rule[pos : match.start()]))
        names.append(match.group(1))
        parts.append(_NAME_SEGMENTS.get(match.group(1), "(.+?)"))
        pos = match.end()
    parts.append(re.escape(rule[pos:]))
    return tuple(names), re.compile("".join(parts), re.DOTALL)


def post_path(
    pattern: str, rel_path: str, fm: FrontMatter, new_post_name: str | None = None
) -> str | None:
    """Fill a Hexo permalink pattern; None when a part it needs is unknown (e.g. no date).
    `new_post_name`: the site's, by which the file name gives the post's slug."""
    path, missing = fill_post_path(pattern, rel_path, fm, new_post_name)
    return None if missing else path


def fill_post_path(
    pattern: str, rel_path: str, fm: FrontMatter, new_post_name: str | None = None
) -> tuple[str, list[str]]:
    """`post_path`, and the names of the placeholders it could not fill."""
    date = fm.date
    title = post_title_path(rel_path)
    if new_post_name:
        named = read_post_name(new_post_name, title)
        title = named.get("title", title)
        if date is None:
            date = _date_in_name(named)
    values: dict[str, str | None] = {
        "title": title,
        "name": PurePosixPath(title).name,
        "post_title": slugize(fm.title, lower=True) if fm.title else None,
        "abbrlink": fm.abbrlink,
        "id": fm.abbrlink,
        "category": "/".join(slugize(c) for c in fm.category_paths[0])
        if fm.category_paths
        else "uncategorized",
    }
    if date is not None:
        values.update(
            year=f"{date.year:04d}",
            month=f"{date.month:02d}",
            day=f"{date.day:02d}",
            i_month=str(date.month),
            i_day=str(date.day),
            hour=f"{date.hour:02d}",
            minute=f"{date.minute:02d}",
            second=f"{date.second:02d}",
        )
    missing: list[str] = []
    fields = dict(fm.scalars)

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values and name in fields:
            return fields[name]
        value = values.get(name)
        if value is None:
            missing.append(name)
            return ""
        return value

    return _PLACEHOLDER.sub(fill, pattern), missing


def post_url(site: SiteConfig, rel_path: str, fm: FrontMatter) -> str | None:
    """The post's public URL: site URL + (front-matter permalink or the site pattern)."""
    if not site.url:
        return None
    path = fm.permalink or post_path(site.permalink, rel_path, fm)
    if path is None:
        return None
    path = path.lstrip("/")
    if path.endswith("index.html"):  # Hexo's pretty_urls.trailing_index default
        path = path[: -len("index.html")]
    return site.url.rstrip("/") + "/" + quote(path, safe="/-_.~%:@!$&'()*+,;=")


def with_anchor(url: str | None, anchor: str | None) -> str | None:
    if url is None or not anchor:
        return url
    return f"{url}#{quote(anchor, safe='-_.~')}"
