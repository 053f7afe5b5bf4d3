"""Zola: `zola.toml` or `config.toml` with `base_url`, beside `content/`.

URLs follow Zola's rules (components/content/src/page.rs and file_info.rs): a page is at its
folders under `content/` and its slug, `content/blog/foo.md` at `/blog/foo/`;
`content/blog/foo/index.md` (a page with its assets) at `/blog/foo/` too; `_index.md` is
its section's page; a file name starting with a date (`2018-10-10-hello.md`) gives the slug
after it (unless `slugify.paths_keep_dates`); front matter `slug` replaces the slug and
`path` the whole path; `page.LANG.md` of a language the config lists is under `/LANG/`.
Slugs are made by `slugify.paths`: "on" (the default) folds to ASCII, lower case, anything
but letters and digits becoming `-`; "safe" only drops what a file name cannot hold;
"off" keeps the name. Zola folds Chinese to pinyin by a table of its own (deunicode): a
page whose slug it would fold so gets no link rather than a guessed one; its owner can set
`slug` or `path`. Heading ids follow `slugify.anchors` the same way.
"""

from __future__ import annotations

import fnmatch
import json
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from bot.corpus.anchors import Counted
from bot.corpus.configfiles import bool_value, read_mapping, text_value
from bot.corpus.hexo import join_url, placeholder_setting, site_url
from bot.corpus.site import Page, PageUrl, SiteConfig

_CONFIG_NAMES = ("zola.toml", "config.toml")
_CONTENT = "content"
# page.rs's RFC3339_DATE: a date (or an RFC 3339 date-time), then `_` or `-`, then the slug.
_DATED = re.compile(
    r"^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
    r"(?:T(?:[01]\d|2[0-3]):[0-5]\d:(?:[0-5]\d|60)(?:\.\d+)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d))?"
    r"\s?[_-](?P<slug>.+)$"
)
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_UNSAFE_IN_PATHS = re.compile(r'[<>:"/\\|?*]')


def config_file(folder: Path) -> Path | None:
    """Zola's config file, if `folder` is a Zola site's root: one that sets `base_url`
    (which Zola requires, and Hugo spells `baseURL`)."""
    for name in _CONFIG_NAMES:
        path = folder / name
        if path.is_file():
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                return None
            return path if re.search(r"(?m)^\s*base_url\s*=", text) else None
    return None


def slugify(text: str, strategy: str) -> str | None:
    """Zola's `slugify_paths`; None where "on" would fold characters to ASCII by deunicode's
    table (Chinese to pinyin, 日本 to ri-ben), which we do not have."""
    if strategy == "off":
        return text
    if strategy == "safe":
        return _UNSAFE_IN_PATHS.sub("", text.rstrip(" ."))
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    if not folded.isascii():
        return None
    return _NOT_SLUG.sub("-", folded.lower()).strip("-")


def anchor_rule(strategy: str) -> Callable[[str], str]:
    """Zola's `slugify_anchors`: "on" as for paths ("" where it would transliterate: no
    anchor, the link opens the page); otherwise ASCII whitespace becomes `_`."""
    if strategy == "on":
        return lambda heading: slugify(heading, "on") or ""
    return lambda heading: re.sub(r"[ \t\n\r\f\v]", "_", heading)


class Zola:
    name = "zola"
    label = "Zola"
    readme_is_page = False  # a folder's README.md explains the folder: not a page

    def detect(self, folder: Path) -> bool:
        return (folder / _CONTENT).is_dir() and config_file(folder) is not None

    def read(self, folder: Path) -> SiteConfig:
        path = config_file(folder)
        assert path is not None, "read() is only called on a folder detect() accepted"
        data = read_mapping(path)
        configured = text_value(data, "base_url")
        if configured is not None and configured.startswith("//"):
            configured = "https:" + configured
        url = site_url(configured, str(path))
        default_language = text_value(data, "default_language") or "en"
        languages = data.get("languages")
        if isinstance(languages, list):  # before Zola 0.15: languages = [{code = "en"}]
            codes = [text_value(item, "code") for item in languages]
        else:
            codes = [str(code) for code in (languages if isinstance(languages, dict) else {})]
        others = sorted({code for code in codes if code and code != default_language})
        ignored = data.get("ignored_content")
        globs = [g for g in (ignored if isinstance(ignored, list) else []) if isinstance(g, str)]
        settings: list[tuple[str, str]] = [
            ("default_language", default_language),
            ("languages", json.dumps(others)),
            ("slugify_paths", text_value(data, "slugify", "paths") or "on"),
            ("slugify_anchors", text_value(data, "slugify", "anchors") or "on"),
            ("ignored_content", json.dumps(globs)),
        ]
        if bool_value(data, "slugify", "paths_keep_dates"):
            settings.append(("keep_dates", "true"))
        settings.extend(placeholder_setting(configured, url))
        extra = data.get("extra")
        author = text_value(data, "author") or (
            text_value(extra, "author") if isinstance(extra, dict) else None
        )
        return SiteConfig(
            title=text_value(data, "title"),
            url=url,
            author=author,
            generator=self.name,
            root=str(folder),
            language=default_language,
            settings=tuple(settings),
            config_files=(str(path),),
        )

    def is_content(self, site: SiteConfig, rel: str, is_dir: bool) -> bool:
        if rel == _CONTENT:
            return True
        if not rel.startswith(_CONTENT + "/"):
            return False
        # `ignored_content` globs (relative to content/; `*` crosses folders, as globset's
        # does): files the owner keeps out of the site, which we must not quote either.
        inner = rel[len(_CONTENT) + 1 :]
        globs: list[str] = json.loads(site.setting("ignored_content") or "[]")
        return is_dir or not any(fnmatch.fnmatchcase(inner, glob) for glob in globs)

    def page_url(self, site: SiteConfig, page: Page) -> PageUrl:
        if not site.url:
            return PageUrl(None, "no site URL (set base_url in the Zola config or corpus.yaml)")
        rel = PurePosixPath(page.rel)
        components = list(rel.parent.parts[1:])  # the folders under content/
        name = rel.stem
        language = site.setting("default_language") or "en"
        others: list[str] = json.loads(site.setting("languages") or "[]")
        if others and "." in name:
            stem, _, code = name.partition(".")
            if code in others:
                name, language = stem, code
            elif code != language:
                return PageUrl(None, f"language '{code}' is not in the Zola config's languages")
        prefix = [] if language == (site.setting("default_language") or "en") else [language]
        if name.split(".", 1)[0] == "_index":  # a section's page (sections take no `path`)
            return PageUrl(join_url(site.url, "/".join([*prefix, *components, ""])))
        if page.fm.unrendered:
            return PageUrl(None, "render = false: Zola builds no page for it")
        if page.fm.path:
            return PageUrl(join_url(site.url, page.fm.path.strip().rstrip("/") + "/"))
        # As file_info.rs and page.rs do it: `index.*.md` in a folder drops the folder from
        # the path, and only a plain `index` takes the folder's name as its slug.
        colocated = name.split(".", 1)[0] == "index" and bool(components)
        folder = components.pop() if colocated else ""
        for_slug = folder if colocated and name == "index" else name
        strategy = site.setting("slugify_paths") or "on"
        dated = None if site.setting("keep_dates") else _DATED.match(for_slug)
        source = page.fm.slug or (dated.group("slug") if dated else for_slug)
        slug = slugify(source, strategy)
        if slug is None:
            return PageUrl(
                None,
                f"Zola folds '{source}' to ASCII by a table we do not have "
                '(slugify.paths = "on"): set slug or path in its front matter',
            )
        if not components and name == "index" and not colocated:
            slug = ""  # content/index.md: the home page
        return PageUrl(join_url(site.url, "/".join([*prefix, *components, slug, ""])))

    def page_author(self, site: SiteConfig, page: Page) -> str | None:
        return site.author

    def anchors(self, site: SiteConfig) -> Callable[[str], str | None]:
        return Counted(anchor_rule(site.setting("slugify_anchors") or "on"))


ZOLA = Zola()
