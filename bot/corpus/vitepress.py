"""VitePress: a `.vitepress/config.{js,ts,mjs,mts}` in the docs folder: the one
package.json's scripts build (`vitepress build src`), else `docs/`.

The config is code and is never run; the literal settings a URL needs are read from it
(`base`, `cleanUrls`, `srcDir`, `srcExclude`, `sitemap.hostname`, `title`, `lang`), from
every file in `.vitepress/` that looks like config. The site's address comes from
`sitemap.hostname`, else a `CNAME` file. Pages are read from `srcDir`, which may lie beside
the config's folder (`srcDir: '../content'`; the site's root is then their common parent).
Pages: `guide/index.md` -> `/guide/`,
`guide/api.md` -> `/guide/api.html` (`/guide/api` with cleanUrls). Heading ids are
@mdit-vue's slugs, or an explicit `{#id}`.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from bot.corpus.anchors import Counted, vitepress_id
from bot.corpus.configfiles import (
    js_literals,
    js_string_lists,
    js_string_maps,
    js_top_level,
    read_text,
)
from bot.corpus.hexo import join_url
from bot.corpus.site import (
    Page,
    PageUrl,
    SiteConfig,
    existing,
    folder_a_script_builds,
    site_address,
)

_CONFIG_SUFFIXES = (".js", ".ts", ".mjs", ".mts", ".cjs", ".cts")


def _config_files(folder: Path) -> list[Path]:
    dot = folder / ".vitepress"
    if not dot.is_dir():
        return []
    found = [dot / f"config{s}" for s in _CONFIG_SUFFIXES if (dot / f"config{s}").is_file()]
    config_dir = dot / "config"
    if config_dir.is_dir():  # config/index.ts + config/shared.ts + config/zh.ts ...
        found.extend(sorted(p for p in config_dir.iterdir() if p.suffix in _CONFIG_SUFFIXES))
    return found


# `vitepress build src`, `vitepress dev docs --port 8080`: the folder a script serves.
_SCRIPT_FOLDER = re.compile(r"\bvitepress\s+(?:build|dev|serve|preview)\s+(?!-)([^\s;&|]+)")


def project_site_folder(project: Path) -> Path | None:
    """The folder holding `.vitepress/` in a project whose site is in a subfolder: the one
    its package.json scripts build (`vitepress build src`), else `docs/`."""
    return folder_a_script_builds(
        project, _SCRIPT_FOLDER, lambda folder: bool(_config_files(folder))
    )


def _first(found: dict[str, list[str]], *keys: str) -> str | None:
    for key in keys:
        if found.get(key):
            return found[key][0]
    return None


class VitePress:
    name = "vitepress"
    label = "VitePress"
    readme_is_page = False  # a folder's README.md explains the folder: not a page

    def detect(self, folder: Path) -> bool:
        return bool(_config_files(folder))

    def read(self, folder: Path) -> SiteConfig:
        files = _config_files(folder)
        found: dict[str, list[str]] = {}
        lists: dict[str, list[str]] = {}
        maps: dict[str, list[tuple[str, str]]] = {}
        base: str | None = None
        attrs: tuple[str, str] | None = None
        og_url: str | None = None
        for path in files:
            text = read_text(path)
            for key, values in js_literals(text).items():
                found.setdefault(key, []).extend(values)
            for key, values in js_string_lists(text).items():
                lists.setdefault(key, []).extend(values)
            for key, pairs in js_string_maps(text).items():
                maps.setdefault(key, []).extend(pairs)
            base = base or js_top_level(text, "base")
            og_url = og_url or _og_url(text)
            attrs = attrs or _attr_delimiters(text)
        # The address: sitemap.hostname, else the og:url the site gives its pages, else CNAME.
        # (`hostName`: what themes built on VitePress's config name it, passing it on.)
        host = _first(found, "hostname", "hostName") or og_url
        root, src = _root_and_source(folder, _first(found, "srcDir") or ".")
        public = root / src / "public"  # VitePress's public folder is in srcDir
        cnames = tuple(
            dict.fromkeys(
                (
                    public / "CNAME",
                    folder / "public" / "CNAME",
                    folder / "CNAME",
                    folder.parent / "CNAME",
                )
            )
        )
        url = site_address(host, cnames, base)
        settings: list[tuple[str, str]] = []
        if _first(found, "cleanUrls") == "true":
            settings.append(("clean_urls", "true"))
        settings.append(("src_dir", src))
        for pattern in lists.get("srcExclude", []):
            settings.append(("exclude", pattern))
        for source, target in maps.get("rewrites", []):
            settings.append(("rewrite", f"{source}\0{target}"))
        if attrs is not None:  # markdown.attrs with its own delimiters: `## 标题 %{#id}%`
            settings.append(("attrs", f"{attrs[0]}\0{attrs[1]}"))
        return SiteConfig(
            title=_title(found),
            url=url,
            generator=self.name,
            root=str(root),
            language=_first(found, "lang"),
            settings=tuple(settings),
            config_files=(
                *(str(p) for p in files),
                *existing(*cnames),
            ),
        )

    def is_content(self, site: SiteConfig, rel: str, is_dir: bool) -> bool:
        src = site.setting("src_dir") or ""
        if src:
            if not (rel == src or rel.startswith(src + "/")):
                return is_dir and src.startswith(rel + "/")
            rel = rel[len(src) + 1 :]
            if not rel:
                return True
        parts = rel.split("/")
        if parts[0] in ("public", "node_modules", "dist") or any(p.startswith(".") for p in parts):
            return False
        return is_dir or not any(
            fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(rel, pattern.removeprefix("**/"))
            for key, pattern in site.settings
            if key == "exclude"
        )

    def page_url(self, site: SiteConfig, page: Page) -> PageUrl:
        if not site.url:
            return PageUrl(
                None,
                "no site URL (set sitemap.hostname in the VitePress config, "
                "a CNAME file, or url in corpus.yaml)",
            )
        src = site.setting("src_dir") or ""
        rel = page.rel[len(src) + 1 :] if src and page.rel.startswith(src + "/") else page.rel
        path = PurePosixPath(rewrite(site, rel))
        if path.stem == "index":
            folder = str(path.parent)
            url_path = "/" if folder == "." else f"/{folder}/"
        else:
            url_path = "/" + str(path.with_suffix(""))
            if site.setting("clean_urls") is None:
                url_path += ".html"
        return PageUrl(join_url(site.url, url_path))

    def page_author(self, site: SiteConfig, page: Page) -> str | None:
        return site.author

    def anchors(self, site: SiteConfig) -> Callable[[str], str | None]:
        return Counted(vitepress_id)


_PARAM = re.compile(r":(\w+)(\*?)")
_OG_URL = re.compile(
    r"""['"]og:url['"]\s*,\s*content\s*:\s*(?:'([^'\n]+)'|"([^"\n]+)"|([A-Za-z_$][\w$]*))"""
)


def _title(found: dict[str, list[str]]) -> str | None:
    """`title`, else a theme's `siteTitle` (`siteTitle: false` hides it: no title)."""
    for key in ("title", "siteTitle"):
        for value in found.get(key, []):
            if value not in ("false", "true"):
                return value
    return None


def _root_and_source(folder: Path, src_dir: str) -> tuple[Path, str]:
    """The site's root and its pages' folder below it. `srcDir` is relative to the folder
    holding `.vitepress/`; when it climbs out to a sibling (`../content`), the root is their
    parent, so a page's path below the root still says where it is. Further out (`../..`,
    `/`) it is not the project's: ignored, as a path of this machine must not become part
    of a public URL."""
    here = folder.resolve()
    joined = Path(os.path.normpath(os.path.join(str(here), src_dir)))
    for root in (here, here.parent):
        if joined == root or root in joined.parents:
            rel = joined.relative_to(root).as_posix()
            return root, "" if rel == "." else rel
    return here, ""


def _og_url(text: str) -> str | None:
    """`['meta', { property: 'og:url', content: 'https://…' }]` (or a const holding it)."""
    found = _OG_URL.search(text)
    if found is None:
        return None
    if found.group(3) is None:
        return found.group(1) or found.group(2)
    values = js_literals(text + f"\n__og__: {found.group(3)}")
    value = _first(values, "__og__")
    return value if value and value.startswith(("http://", "https://")) else None


_ATTRS = re.compile(r"\battrs\s*:\s*\{(.{0,300})", re.DOTALL)


def _attr_delimiters(text: str) -> tuple[str, str] | None:
    """`markdown: { attrs: { leftDelimiter: '%{', rightDelimiter: '}%' } }` (or `left`,
    `right`, as @mdit/plugin-attrs names them)."""
    found = _ATTRS.search(text)
    if found is None:
        return None
    values = js_literals(found.group(1))
    left = _first(values, "leftDelimiter", "left")
    right = _first(values, "rightDelimiter", "right")
    return (left, right) if left and right else None


def rewrite(site: SiteConfig, rel: str) -> str:
    """A page's path after VitePress `rewrites` (`'en/:rest*': ':rest*'`, or one file to
    another): the first rule that matches the whole path wins."""
    for key, value in site.settings:
        if key != "rewrite":
            continue
        source, target = value.split("\0", 1)
        parts: list[str] = []
        pos = 0
        for match in _PARAM.finditer(source):
            parts.append(re.escape(source[pos : match.start()]))
            name, star = match.groups()
            parts.append(f"(?P<{name}>.*)" if star else f"(?P<{name}>[^/]+)")
            pos = match.end()
        parts.append(re.escape(source[pos:]))
        try:
            found = re.fullmatch("".join(parts), rel)
        except re.error:
            continue
        if found is not None:
            values = found.groupdict()

            def fill(match: re.Match[str], values: dict[str, str] = values) -> str:
                return values.get(match.group(1), match.group(0))

            return _PARAM.sub(fill, target).lstrip("/")
    return rel


def attr_delimiters(site: SiteConfig) -> tuple[str, str] | None:
    value = site.setting("attrs")
    if value is None:
        return None
    left, right = value.split("\0", 1)
    return left, right


VITEPRESS = VitePress()
