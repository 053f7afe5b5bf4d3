"""Hugo: `hugo.toml|yaml|json`, `config.*` or `config/_default/`, beside `content/`.

URLs follow Hugo's rules: `baseURL` (with its path), `permalinks` per section (old form
`posts = "/:year/:slug/"` and new form `[permalinks.page]`), the placeholders `:year`
`:month` `:day` `:slug` `:title` `:section` `:sections` `:filename` `:contentbasename`
`:slugorfilename`, front matter `slug:` (replaces the last part) and `url:` (the whole path),
`_index.md` as its section's page, page bundles (`post/index.md`; the other Markdown files of a
leaf bundle are its resources, not pages), languages with their own
content folders (the default language at the root, others under `/<lang>/`), and paths in
lower case unless `disablePathToLower`. Heading ids are goldmark's GitHub ids.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from bot.corpus.anchors import Counted, goldmark_id
from bot.corpus.configfiles import bool_value, lower_keys, read_mapping, text_value
from bot.corpus.hexo import join_url, placeholder_setting, site_url
from bot.corpus.site import Page, PageUrl, SiteConfig

_NAMES = ("hugo", "config")
_SUFFIXES = (".toml", ".yaml", ".yml", ".json")
_PLACEHOLDER = re.compile(r":([a-z]+)(\[[^\]]*\])?")
_LANG_SUFFIX = re.compile(r"^(?P<stem>.+)\.(?P<lang>[a-z]{2}(?:-[a-z0-9]+)?)$", re.IGNORECASE)
# A leaf bundle's page: index.md, or index.<language>.md in a multilingual site.
_BUNDLE_INDEX = re.compile(r"^index(?:\.[a-z]{2}(?:-[a-z0-9]+)?)?\.(?:md|markdown)$", re.IGNORECASE)


def _is_leaf_bundle(folder: str) -> bool:
    """Whether a folder holds a leaf bundle's index page (not cached: a folder may become
    one between two imports in one process; a listing is microseconds)."""
    try:
        return any(_BUNDLE_INDEX.match(name) for name in os.listdir(folder))
    except OSError:
        return False


def _inside_leaf_bundle(content_root: str, inner: str, is_dir: bool) -> bool:
    """Whether `inner` (a path inside the content folder at `content_root`) lies inside a
    leaf bundle without being its index: Hugo makes such a file a resource of the bundle's
    page (bmpi.dev keeps a machine translation's draft in `draft/` beside `index.en.md`:
    70 passages that nearly repeat the page), not a page of its own."""
    parts = inner.split("/")
    # The folders above it, but not an index's own folder (the bundle is that page).
    above = len(parts) - 1 if not is_dir and _BUNDLE_INDEX.match(parts[-1]) else len(parts)
    return any(
        _is_leaf_bundle(os.path.join(content_root, *parts[:depth])) for depth in range(1, above)
    )


def config_files(folder: Path) -> list[Path]:
    """Hugo's config files, lowest priority first (later ones win)."""
    found: list[Path] = []
    default = folder / "config" / "_default"
    if default.is_dir():
        found.extend(sorted(p for p in default.iterdir() if p.suffix in _SUFFIXES and p.is_file()))
    for name in _NAMES:
        for suffix in _SUFFIXES:
            path = folder / f"{name}{suffix}"
            if path.is_file():
                return [*found, path]
    return found


def urlize(text: str, lower: bool = True) -> str:
    """Hugo's path sanitizer: letters, digits, marks and `._/\\#+~-@%` stay, spaces become
    one `-`, everything else goes; then lower case unless disablePathToLower."""
    out: list[str] = []
    hyphen = False
    for ch in text:
        category = unicodedata.category(ch)
        if category[0] in "LNM" or ch in "._/\\#+~-@%":
            if hyphen and out:
                out.append("-")
            hyphen = False
            out.append(ch)
        elif ch.isspace():
            hyphen = True
    slug = "".join(out)
    return slug.lower() if lower else slug


def _merge(into: dict[str, object], data: dict[str, object]) -> None:
    for key, value in data.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            inner = into[key]
            assert isinstance(inner, dict)
            _merge(inner, value)
        else:
            into[key] = value


# A render hook is how a Hugo site or theme writes every Markdown image. One that prints the
# image's text (`<i>{{ .Text }}</i>` under it, hugo-book as mtfront has it) or its title
# (`<figcaption>{{ . }}</figcaption>` inside `with .Title`) shows words a reader sees: 646
# captions of one blog ("天朗气清，西雅图的夏天终究还是来了"). Inside an attribute (`alt="…"`,
# `title="…"`) it shows nothing.
_RENDER_IMAGE = ("layouts/_default/_markup/render-image.html", "layouts/_markup/render-image.html")
_HOOK_MAX_BYTES = 64 * 1024
# An attribute's value, quoted or one template action (alt={{ .Text }}). The name starts
# where no other name character stands before it, so a long run of letters is tried once.
_ATTRIBUTE_VALUE = re.compile(r"""(?<![\w:-])[\w:-]+\s*=\s*(?:"[^"]*"|'[^']*'|\{\{[^{}]*\}\})""")
_TEMPLATE_COMMENTS = (("{{/*", "*/}}"), ("{{- /*", "*/ -}}"), ("<!--", "-->"))
_PRINTS = r"\{\{-?\s*\.%s\b\s*(?:\|[^{}]*)?-?\}\}"
# A `with .Title` block's body, up to its end or else (bounded: a hook is a few lines).
_WITH_TITLE = re.compile(
    r"\{\{-?\s*with\s+\.Title\s*-?\}\}(.{0,2000}?)\{\{-?\s*(?:end|else)\b", re.DOTALL
)
_DOT = re.compile(r"\{\{-?\s*\.\s*(?:\|[^{}]*)?-?\}\}")


def _without_comments(template: str) -> str:
    """The template without its comments, found with str.find: one pass, however many
    comments are left open."""
    for opening, closing in _TEMPLATE_COMMENTS:
        parts: list[str] = []
        start = 0
        while (found := template.find(opening, start)) != -1:
            parts.append(template[start:found])
            end = template.find(closing, found + len(opening))
            start = len(template) if end == -1 else end + len(closing)
        parts.append(template[start:])
        template = "".join(parts)
    return template


def image_text_shown(folder: Path, theme: object) -> str | None:
    """What of an image the site's render-image hook prints as text: "alt", "title",
    "alt title", or None (no hook found, or one that prints neither). The site's own
    layouts win over its theme's, as Hugo looks them up."""
    themes = [theme] if isinstance(theme, str) else theme if isinstance(theme, list) else []
    roots = [folder] + [folder / "themes" / str(name) for name in themes if str(name).strip()]
    for root in roots:
        for rel in _RENDER_IMAGE:
            hook = root / rel
            try:
                if not hook.is_file() or hook.stat().st_size > _HOOK_MAX_BYTES:
                    continue
                template = hook.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            shown = _ATTRIBUTE_VALUE.sub("", _without_comments(template))
            parts = []
            if re.search(_PRINTS % "(?:Text|PlainText)", shown):
                parts.append("alt")
            if re.search(_PRINTS % "Title", shown) or any(
                _DOT.search(body) for body in _WITH_TITLE.findall(shown)
            ):
                parts.append("title")
            return " ".join(parts) or None
    return None


class Hugo:
    name = "hugo"
    label = "Hugo"
    readme_is_page = False  # a folder's README.md explains the folder: not a page

    def detect(self, folder: Path) -> bool:
        if not config_files(folder):
            return False
        return (folder / "content").is_dir() or (folder / "config" / "_default").is_dir()

    def read(self, folder: Path) -> SiteConfig:
        files = config_files(folder)
        data: dict[str, object] = {}
        for path in files:
            folded = lower_keys(read_mapping(path))
            assert isinstance(folded, dict)
            part: dict[str, object] = folded
            stem = path.stem.lower()
            if path.parent.name == "_default" and stem not in _NAMES:
                part = {stem: folded}  # config/_default/params.toml holds [params]
            _merge(data, part)
        where = str(files[-1]) if files else str(folder)
        url = text_value(data, "baseurl")
        if url is not None and url.startswith("//"):
            url = "https:" + url
        if url is not None and not url.startswith(("http://", "https://")):
            url = None if url in ("/", "") else url
        settings: list[tuple[str, str]] = []
        permalinks = data.get("permalinks")
        if isinstance(permalinks, dict):
            for key, value in permalinks.items():
                if isinstance(value, str):
                    settings.append((f"permalink:{key}", value))
                elif isinstance(value, dict) and key in ("page", "section"):
                    for section, pattern in value.items():
                        if isinstance(pattern, str):
                            settings.append((f"permalink_{key}:{section}", pattern))
        content_dir = text_value(data, "contentdir") or "content"
        default_lang = (text_value(data, "defaultcontentlanguage") or "en").lower()
        languages = data.get("languages")
        langs = languages if isinstance(languages, dict) else {}
        for lang, meta in langs.items():
            folder_name = text_value(meta, "contentdir")
            if folder_name:
                settings.append((f"content:{lang.lower()}", folder_name.strip("/")))
            author = _author(meta.get("params") if isinstance(meta, dict) else None)
            if author:
                settings.append((f"author:{lang.lower()}", author))
        if not any(k.startswith("content:") for k, _ in settings):
            settings.append((f"content:{default_lang}", content_dir.strip("/")))
        settings.append(("default_language", default_lang))
        settings.append(("languages", json.dumps(sorted(k.lower() for k in langs))))
        if bool_value(data, "defaultcontentlanguageinsubdir"):
            settings.append(("default_language_in_subdir", "true"))
        if bool_value(data, "uglyurls"):
            settings.append(("ugly_urls", "true"))
        if bool_value(data, "disablepathtolower"):
            settings.append(("keep_case", "true"))
        author = _author(data.get("params")) or _author(data.get("author"))
        params = data.get("params")
        by_key = params.get("author") if isinstance(params, dict) else None
        if isinstance(by_key, dict) and "name" not in by_key:
            author = None
            for key, value in by_key.items():
                if isinstance(value, str) and value.strip():
                    settings.append((f"author:{key}", value.strip()))
        shown = image_text_shown(folder, data.get("theme"))
        if shown:
            settings.append(("image_text", shown))
        title = text_value(data, "title")
        kept = site_url(url, where)
        settings.extend(placeholder_setting(url, kept))
        return SiteConfig(
            title=title,
            url=kept,
            author=author,
            generator=self.name,
            root=str(folder),
            timezone=text_value(data, "timezone"),
            language=text_value(data, "languagecode") or default_lang,
            settings=tuple(settings),
            config_files=tuple(str(p) for p in files),
        )

    def _content(self, site: SiteConfig, rel: str) -> tuple[str, str] | None:
        """(language, path inside its content folder) for a path under a content folder."""
        best: tuple[str, str] | None = None
        best_len = -1
        for key, folder in site.settings:
            if not key.startswith("content:"):
                continue
            if (rel == folder or rel.startswith(folder + "/")) and len(folder) > best_len:
                best, best_len = (key[len("content:") :], rel[len(folder) + 1 :]), len(folder)
        return best

    def is_content(self, site: SiteConfig, rel: str, is_dir: bool) -> bool:
        found = self._content(site, rel)
        if found is not None:
            inner = found[1]
            if site.root is None or not inner:
                return True
            content_root = os.path.join(site.root, rel[: len(rel) - len(inner)])
            return not _inside_leaf_bundle(content_root, inner, is_dir)
        # A folder above a content folder must be walked to reach it.
        return is_dir and any(
            folder.startswith(rel + "/")
            for key, folder in site.settings
            if key.startswith("content:")
        )

    def page_url(self, site: SiteConfig, page: Page) -> PageUrl:
        if not site.url:
            return PageUrl(None, "no site URL (set baseURL in the Hugo config or corpus.yaml)")
        found = self._content(site, page.rel)
        if found is None:
            return PageUrl(None, "not under the site's content folder")
        lang, inner = found
        if page.fm.headless:
            # mtfront's content/menu/index.md: its links were to /public/menu/, which is not.
            return PageUrl(None, "headless: true: Hugo publishes no page for it")
        lower = site.setting("keep_case") is None
        path = PurePosixPath(inner)
        stem = path.stem
        languages = json.loads(site.setting("languages") or "[]")
        suffix = _LANG_SUFFIX.match(stem)
        if suffix and suffix["lang"].lower() in languages:
            lang, stem = suffix["lang"].lower(), suffix["stem"]
        folders = list(path.parent.parts)
        prefix = ""
        if lang != site.setting("default_language") or site.setting("default_language_in_subdir"):
            prefix = "/" + lang
        if page.fm.url:
            url_path = page.fm.url
            if prefix and not url_path.lstrip("/").startswith(lang + "/"):
                url_path = prefix + "/" + url_path.lstrip("/")
            return PageUrl(join_url(site.url, url_path))
        ugly = site.setting("ugly_urls") is not None
        if stem == "_index":  # a section's (or the home) page
            section_path = "/".join(urlize(f, lower) for f in folders)
            url_path = f"{prefix}/{section_path}/" if section_path else f"{prefix}/"
            return PageUrl(join_url(site.url, url_path))
        bundle = stem == "index"
        if bundle:
            if not folders:
                return PageUrl(join_url(site.url, prefix + "/"))
            stem = folders.pop()
        sections = self._sections(site, found, folders)
        section = folders[0] if folders else ""
        pattern = (
            site.setting(f"permalink_page:{section}")
            or site.setting(f"permalink:{section}")
            or (site.setting("permalink_page:/") if not folders else None)
        )
        title = page.fm.title
        if pattern is None:
            last = page.fm.slug or stem
            parts = [urlize(f, lower) for f in folders] + [urlize(last, lower)]
            joined = "/".join(p for p in parts if p)
            url_path = f"{prefix}/{joined}" + (".html" if ugly and not bundle else "/")
            return PageUrl(join_url(site.url, url_path))
        date = page.fm.date
        values: dict[str, str] = {
            "section": urlize(section, lower),
            "sections": "/".join(urlize(s, lower) for s in sections),
            "title": urlize(title or stem, lower),
            "slug": urlize(page.fm.slug or title or stem, lower),
            "filename": urlize(stem, lower),
            "contentbasename": urlize(stem, lower),
            "slugorfilename": urlize(page.fm.slug or stem, lower),
            "slugorcontentbasename": urlize(page.fm.slug or stem, lower),
        }
        missing = False

        def fill(match: re.Match[str]) -> str:
            nonlocal missing
            key, index = match.group(1), match.group(2)
            if key == "sections" and index:
                return "/".join(_slice([urlize(s, lower) for s in sections], index))
            if key in values:
                return values[key]
            if key in ("year", "month", "monthname", "day", "weekday", "weekdayname", "yearday"):
                if date is None:
                    missing = True
                    return ""
                return {
                    "year": f"{date.year:04d}",
                    "month": f"{date.month:02d}",
                    "monthname": date.strftime("%B").lower(),
                    "day": f"{date.day:02d}",
                    "weekday": str(date.isoweekday() % 7),
                    "weekdayname": date.strftime("%A").lower(),
                    "yearday": str(date.timetuple().tm_yday),
                }[key]
            return match.group(0)

        url_path = _PLACEHOLDER.sub(fill, pattern)
        if missing:
            return PageUrl(None, f"no date for the permalink {pattern}")
        url_path = re.sub(r"/{2,}", "/", f"{prefix}/{url_path.lstrip('/')}")
        if ugly and url_path.endswith("/") and len(url_path) > 1:
            url_path = url_path.rstrip("/") + ".html"
        return PageUrl(join_url(site.url, url_path))

    def _sections(self, site: SiteConfig, found: tuple[str, str], folders: list[str]) -> list[str]:
        """A top-level folder is always a section; a deeper one only with an `_index.md`."""
        if not folders or site.root is None:
            return folders[:1]
        lang = found[0]
        content_root = Path(site.root) / site.settings_under("content:").get(lang, "content")
        sections = [folders[0]]
        for depth in range(2, len(folders) + 1):
            folder = content_root.joinpath(*folders[:depth])
            if not any((folder / f"_index{s}").is_file() for s in (".md", ".markdown")):
                break
            sections.append(folders[depth - 1])
        return sections

    def page_author(self, site: SiteConfig, page: Page) -> str | None:
        """`params.author`, which may be given per language or (some themes) per section."""
        found = self._content(site, page.rel)
        by_key = site.settings_under("author:")
        if found is not None:
            lang, inner = found
            section = inner.split("/", 1)[0] if "/" in inner else ""
            for key in (section, lang):
                if key in by_key:
                    return by_key[key]
        return site.author or next(iter(by_key.values()), None)

    def anchors(self, site: SiteConfig) -> Callable[[str], str | None]:
        return Counted(goldmark_id)


def _author(value: object) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        inner = value.get("author")
        if inner is not None:
            return _author(inner) if not isinstance(inner, dict) or "name" in inner else None
        return text_value(value, "name")
    if isinstance(value, list) and value:
        return _author(value[0])
    return None


def _slice(items: list[str], spec: str) -> list[str]:
    """Hugo's `:sections[1:]` / `[:last]` / `[last]` slices."""
    inner = spec.strip("[]").replace("last", str(len(items) - 1))
    try:
        if ":" in inner:
            start, _, end = inner.partition(":")
            return items[int(start or 0) : int(end) if end else None]
        return [items[int(inner)]]
    except (ValueError, IndexError):
        return items


HUGO = Hugo()
