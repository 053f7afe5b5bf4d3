"""Split and read front matter: YAML between `---` lines, TOML between `+++` lines.

Only `yaml.safe_load` is used, so tags like `!!python/object` are refused instead of run.
The loaded value is never serialised or walked as a whole: only the known fields below are
read, each with a bound on its size, so an alias bomb costs nothing beyond its parse.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import tomllib
from dataclasses import dataclass
from typing import Any

import yaml

from bot.corpus.errors import ImportProblem

_MAX_ITEMS = 100  # tags, categories, authors
_MAX_TEXT = 500  # one tag, one name, a title
_MAX_DESCRIPTION = 2000
_SOURCE_KEYS = ("source", "source_url", "original_url", "original", "origin", "link")
_HEXO_KEYS = frozenset({"title", "date", "updated", "tags", "categories", "author", "permalink"})
_KEY_LINE = re.compile(r"^[A-Za-z_][\w-]*[ \t]*:")
_CLOSING_DASHES = re.compile(r"^-{3,}[ \t]*$")
# Jekyll writes `2011-05-25 10:00:00 +0800`, which YAML does not read as a timestamp (its
# zone needs a colon); Hugo writes `2019-01-04T12:00:00Z`. Both are dates to us.
_DATE_TEXT = re.compile(
    r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
    r"(?:[ T]+(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.\d{1,9})?)?)?"
    r"(?:[ \t]*(Z|[-+]\d{2}(?::?\d{2})?)(?:[ \t]+[A-Z]{2,5})?)?\s*$"
)


@dataclass(frozen=True, slots=True)
class FrontMatter:
    title: str | None = None
    date: dt.datetime | None = None
    date_text: str | None = None
    updated_text: str | None = None
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    category_paths: tuple[tuple[str, ...], ...] = ()  # for the :category permalink part
    authors: tuple[str, ...] = ()
    permalink: str | None = None
    abbrlink: str | None = None
    description: str | None = None
    source_url: str | None = None
    slug: str | None = None  # Jekyll and Hugo: replaces the file name in the URL
    url: str | None = None  # Hugo: the page's whole path, as written
    path: str | None = None  # Zola: the page's whole path, as written
    unrendered: bool = False  # Zola's `render = false`: no page of its own is built
    headless: bool = False  # Hugo's `headless: true`: a bundle other pages use, not a page
    # `draft: true` or Hugo's `build.render: never`: not published by Hugo, Zola or MkDocs'
    # blog plugin. Hexo and Jekyll ignore the key (their drafts are a folder): a Hexo post
    # with `draft: true` is on the site.
    draft: bool = False
    unpublished: bool = False  # `published: false`: not published by Hexo or Jekyll either
    # hexo-blog-encrypt's `password:` (or hexo-encrypt's `encrypt: true`): the site shows the
    # page only to who has the password, so the bot must not quote it to anyone in a group.
    password_protected: bool = False
    has_date: bool = False  # a `date` field was given (even one that could not be read)
    # Every other field that is one short word-like value, by name: Hexo fills a permalink's
    # `:alias` (any key it does not define itself) from the post's own front matter.
    scalars: tuple[tuple[str, str], ...] = ()
    warnings: tuple[str, ...] = ()  # fields that were present but unusable


@dataclass(frozen=True, slots=True)
class SplitResult:
    data: dict[object, object] | None  # None: no usable front matter
    body: str
    body_offset: int  # number of file lines before the body
    warnings: tuple[str, ...] = ()


class _BadTimestamp(str):
    """A YAML timestamp that is not a real date (`2022-02-30`), kept as its text."""

    __slots__ = ()


class _Loader(yaml.SafeLoader):
    """yaml.safe_load's loader, except that an impossible date does not fail the whole
    front matter: it stays a string, and read_fields reports it; and a key given twice is
    noted (YAML keeps the last one silently, which hides a mistake in the post)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.repeated: list[str] = []
        self.first_line = 1  # the file line the YAML text starts on

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[str] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value != "<<":
                if key_node.value in seen:
                    self.repeated.append(
                        f"front matter gives {key_node.value!r} twice (line "
                        f"{key_node.start_mark.line + self.first_line}); the last one was used"
                    )
                seen.add(key_node.value)
        return super().construct_mapping(node, deep)


def _timestamp(loader: yaml.SafeLoader, node: yaml.Node) -> object:
    assert isinstance(node, yaml.ScalarNode)  # the timestamp resolver only tags scalars
    try:
        return loader.construct_yaml_timestamp(node)
    except (ValueError, OverflowError):
        return _BadTimestamp(loader.construct_scalar(node))


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def _parse_yaml(text: str, first_line: int) -> tuple[object, tuple[str, ...]]:
    loader = _Loader(text)  # a SafeLoader subclass: no arbitrary tags
    loader.first_line = first_line
    try:
        return loader.get_single_data(), tuple(loader.repeated)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + first_line}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ImportProblem(f"invalid YAML front matter{where}: {problem}") from None
    except RecursionError:
        raise ImportProblem("front matter is nested too deeply to read") from None
    except (ValueError, TypeError, OverflowError) as exc:
        raise ImportProblem(f"invalid value in YAML front matter: {exc}") from None
    finally:
        loader.dispose()


def _parse_toml(text: str) -> object:
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError, RecursionError) as exc:
        raise ImportProblem(f"invalid TOML front matter: {exc}") from None


def split_front_matter(text: str) -> SplitResult:
    """Separate front matter from the body. Raises ImportProblem for unreadable front matter."""
    lines = text.split("\n")
    first = lines[0].strip() if lines else ""
    if first in ("---", "+++") or (len(first) > 3 and set(first) == {"-"}):
        delimiter = first
        for i in range(1, len(lines)):
            if lines[i].strip() == delimiter:
                break
        else:
            kind = "TOML" if delimiter == "+++" else "YAML"
            raise ImportProblem(
                f"{kind} front matter opened with {delimiter} on line 1 is never closed"
            )
        raw = "\n".join(lines[1:i])
        value, notes = (_parse_toml(raw), ()) if delimiter == "+++" else _parse_yaml(raw, 2)
        body = "\n".join(lines[i + 1 :])
        if isinstance(value, dict):
            return SplitResult(value, body, i + 1, notes)
        shape = "empty" if value is None else f"a {type(value).__name__}, not a mapping"
        return SplitResult(None, body, i + 1, (f"front matter is {shape}; it was ignored",))
    return _split_without_opening(lines, text)


def _split_without_opening(lines: list[str], text: str) -> SplitResult:
    """Hexo also accepts front matter that only ends with a line of three dashes or more
    (as hexo-front-matter reads it): old posts write `title: …` first,
    with blank lines around or between the keys and `----------` to close
    (zhangolve/my-blog, 2014: half its 377 posts).

    Accepted only when everything before that line is YAML that reads as a mapping with a
    Hexo key, so a setext heading or a thematic break is never mistaken for front matter.
    """
    start = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    if start >= len(lines) or not _KEY_LINE.match(lines[start]):
        return SplitResult(None, text, 0)
    for i in range(start + 1, min(len(lines), start + 60)):
        line = lines[i]
        if _CLOSING_DASHES.match(line):
            break
        # Keys, their indented or listed values, blank lines: nothing else. A Markdown
        # heading (`# 《活着》读后感`) would read as a YAML comment and vanish.
        if line.strip() and not (_KEY_LINE.match(line) or line[0] in " \t-"):
            return SplitResult(None, text, 0)
    else:
        return SplitResult(None, text, 0)
    try:
        value, notes = _parse_yaml("\n".join(lines[:i]), 1)
    except ImportProblem:
        return SplitResult(None, text, 0)
    if isinstance(value, dict) and any(key in _HEXO_KEYS for key in value):
        return SplitResult(value, "\n".join(lines[i + 1 :]), i + 1, notes)
    return SplitResult(None, text, 0)


_FIELD_NAME = re.compile(r"[A-Za-z_]\w{0,40}")
_MAX_SCALARS = 50


def _scalar_fields(data: dict[object, object]) -> tuple[tuple[str, str], ...]:
    """The fields a permalink may name (see FrontMatter.scalars): string or number values
    without whitespace, under a name made of word characters."""
    fields: list[tuple[str, str]] = []
    for key, value in data.items():
        if not (isinstance(key, str) and _FIELD_NAME.fullmatch(key)):
            continue
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            continue
        text = str(value).strip()
        if text and len(text) <= _MAX_TEXT and not any(c.isspace() for c in text):
            fields.append((key, text))
            if len(fields) == _MAX_SCALARS:
                break
    return tuple(fields)


def _text(value: object, limit: int = _MAX_TEXT) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = " ".join(value.split())
        return text[:limit] or None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return None


def _title(value: object) -> str | None:
    """The title as the page shows it. Posts brought over from WordPress keep its HTML
    escapes in their titles ('典型发言&amp;几个人的战斗', '中国的污染&#8212;&#8212;卢广'), which
    the theme writes into the page as they are, so the reader sees '&' and '—'."""
    text = _text(value)
    return _text(html.unescape(text)) if text and "&" in text else text


def _date(value: object, key: str, warnings: list[str]) -> tuple[dt.datetime | None, str | None]:
    """The date as a datetime (if it is one) and as text for display.

    A value shaped like a date that is not one (`2022-13-45`, `2022-02-30`) gives neither,
    and a warning; other text (`2019年春`) is kept as text.
    """
    if isinstance(value, dt.datetime):
        return value, value.isoformat()
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day), value.isoformat()
    text = _text(value, 100)
    if text is None:
        return None, None
    match = _DATE_TEXT.match(text)
    if match is None and not isinstance(value, _BadTimestamp):
        return None, text
    if match is not None:
        year, month, day, hour, minute, second = (int(p) if p else 0 for p in match.groups()[:6])
        # `24:00:00` is the midnight that ends the day, as ISO 8601 and moment.js (Hexo) read
        # it: the next day's 00:00 (two year-end posts of one blog had no link).
        next_day = hour == 24 and minute == 0 and second == 0
        try:
            stamp = dt.datetime(
                year, month, day, 0 if next_day else hour, minute, second, tzinfo=_zone(match[7])
            ) + dt.timedelta(days=1 if next_day else 0)
        except ValueError:
            pass
        else:
            return stamp, stamp.isoformat() if match.group(4) else stamp.date().isoformat()
    warnings.append(f"front matter {key}: {text} is not a valid date; it was ignored")
    return None, None


def _zone(text: str | None) -> dt.tzinfo | None:
    """`Z`, `+0800`, `+08:00`, `-05` as a fixed offset; None for no zone."""
    if not text:
        return None
    if text == "Z":
        return dt.UTC
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError("no such time zone offset")
    offset = dt.timedelta(hours=hours, minutes=minutes)
    return dt.timezone(-offset if text[0] == "-" else offset)


def _is_draft(data: dict[object, object]) -> bool:
    if data.get("draft") is True:
        return True
    build = data.get("build", data.get("_build"))
    return isinstance(build, dict) and build.get("render") in ("never", False)


def _scalars(value: object) -> list[str]:
    items = value[:_MAX_ITEMS] if isinstance(value, list) else [value]
    return [text for item in items if (text := _text(item)) is not None]


def _categories(value: object) -> list[tuple[str, ...]]:
    """Hexo semantics: a flat list is one hierarchy; with nested lists each item is one."""
    if value is None:
        return []
    if not isinstance(value, list):
        text = _text(value)
        return [(text,)] if text else []
    items = value[:_MAX_ITEMS]
    if not any(isinstance(item, list) for item in items):
        path = tuple(_scalars(items))
        return [path] if path else []
    paths: list[tuple[str, ...]] = []
    for item in items:
        path = tuple(_scalars(item))
        if path:
            paths.append(path)
    return paths


def _authors(value: object) -> list[str]:
    if isinstance(value, dict):
        value = value.get("name")
    if isinstance(value, str):
        return [name for part in value.split("|") if (name := " ".join(part.split()))][:_MAX_ITEMS]
    names: list[str] = []
    if isinstance(value, list):
        for item in value[:_MAX_ITEMS]:
            if isinstance(item, dict):
                item = item.get("name")
            text = _text(item)
            if text:
                names.append(text)
    return names


def read_fields(data: dict[object, object] | None) -> FrontMatter:
    """Pick the Hexo fields out of loaded front matter, ignoring anything else."""
    if not data:
        return FrontMatter()
    warnings: list[str] = []
    date, date_text = _date(data.get("date"), "date", warnings)
    _, updated_text = _date(data.get("updated"), "updated", warnings)
    paths = _categories(data.get("categories", data.get("category")))
    source_url = None
    for key in _SOURCE_KEYS:
        text = _text(data.get(key), 2000)
        if text and text.startswith(("http://", "https://")) and " " not in text:
            source_url = text
            break
    abbrlink = _text(data.get("abbrlink"), 100)
    return FrontMatter(
        title=_title(data.get("title")),
        date=date,
        date_text=date_text,
        updated_text=updated_text,
        tags=tuple(dict.fromkeys(_scalars(data.get("tags", data.get("tag"))))),
        categories=tuple(dict.fromkeys(" / ".join(path) for path in paths)),
        category_paths=tuple(paths),
        authors=tuple(dict.fromkeys(_authors(data.get("author", data.get("authors"))))),
        permalink=_text(data.get("permalink"), 1000),
        abbrlink=abbrlink,
        description=_text(data.get("description"), _MAX_DESCRIPTION),
        source_url=source_url,
        slug=_text(data.get("slug"), 500),
        url=_text(data.get("url"), 1000),
        path=_text(data.get("path"), 1000),
        unrendered=data.get("render") is False,
        headless=data.get("headless") is True,
        draft=_is_draft(data),
        unpublished=data.get("published") is False,
        # hexo-blog-encrypt's `password:` whatever its value (a number, a list: the plugin
        # encrypts with it), or hexo-encrypt's `encrypt: true` (its password in _config.yml).
        password_protected=data.get("password") not in (None, "") or data.get("encrypt") is True,
        has_date=data.get("date") is not None,
        scalars=_scalar_fields(data),
        warnings=tuple(warnings),
    )
