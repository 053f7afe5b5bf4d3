"""VuePress (1 and 2): a `.vuepress/` folder with a config (`config.{js,ts,...}`) in the
docs folder: the one package.json's scripts build (`vuepress build docs`), else `docs/`.

The config is code and is never run; the literal settings a URL needs are read from every
config-like file in `.vuepress/` (`base`, `hostname`, `title`, `lang`): themes pass
`hostname` to their sitemap and SEO plugins (vuepress-theme-plume, vuepress-theme-hope),
else the site's address is a `CNAME` file (`.vuepress/public/CNAME`, or the project's).
Pages: `guide/README.md` and `guide/index.md` -> `/guide/`, `guide/api.md` ->
`/guide/api.html`; a page's own `permalink` (front matter, written by the owner or by a
theme's auto-frontmatter) replaces its path. Every Markdown file under the docs folder is a
page, except those under `.vuepress/` itself. Heading ids are @mdit-vue's slugs (as
VitePress's, which VuePress 2 shares; VuePress 1's slugify is the same rules).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from bot.corpus.anchors import Counted, vitepress_id
from bot.corpus.configfiles import js_literals, js_top_level, read_text
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
# Config-like files in `.vuepress/`: config.ts, and a theme's own (plume.config.ts), or the
# pieces a config imports from `.vuepress/config/` or `.vuepress/configs/`.
_CONFIG_NAME = re.compile(r"(?:^|\.)config$")


def _config_files(folder: Path) -> list[Path]:
    dot = folder / ".vuepress"
    if not dot.is_dir():
        return []
    main = [dot / f"config{s}" for s in _CONFIG_SUFFIXES if (dot / f"config{s}").is_file()]
    if not main:
        return []
    found = list(main)
    try:
        found.extend(
            sorted(
                p
                for p in dot.iterdir()
                if p.suffix in _CONFIG_SUFFIXES and _CONFIG_NAME.search(p.stem) and p not in main
            )
        )
        for sub in ("config", "configs"):
            if (dot / sub).is_dir():
                found.extend(
                    sorted(p for p in (dot / sub).iterdir() if p.suffix in _CONFIG_SUFFIXES)
                )
    except OSError:
        pass  # an unreadable folder: the main config is what there is
    return found


# `vuepress build docs`, `npx vuepress-vite dev src --port 8080`: the folder a script serves.
_SCRIPT_FOLDER = re.compile(
    r"\bvuepress(?:-vite|-webpack)?\s+(?:build|dev|serve)\s+(?!-)([^\s;&|]+)"
)


def project_site_folder(project: Path) -> Path | None:
    """The folder holding `.vuepress/` in a project whose site is in a subfolder: the one
    its package.json scripts build (`vuepress build docs`), else `docs/`."""
    return folder_a_script_builds(
        project, _SCRIPT_FOLDER, lambda folder: bool(_config_files(folder))
    )


def _first(found: dict[str, list[str]], *keys: str) -> str | None:
    for key in keys:
        for value in found.get(key, []):
            if value not in ("false", "true"):
                return value
    return None


class VuePress:
    name = "vuepress"
    label = "VuePress"
    # A folder's README.md is its index page (`guide/README.md` -> /guide/), not notes about
    # the files beside it.
    readme_is_page = True

    def detect(self, folder: Path) -> bool:
        return bool(_config_files(folder))

    def read(self, folder: Path) -> SiteConfig:
        files = _config_files(folder)
        found: dict[str, list[str]] = {}
        base: str | None = None
        for path in files:
            text = read_text(path)
            for key, values in js_literals(text).items():
                found.setdefault(key, []).extend(values)
            base = base or js_top_level(text, "base")
        host = _first(found, "hostname", "hostName")
        if host is not None and not host.startswith(("http://", "https://", "//")):
            host = host if "." in host else None  # a variable's name, not an address
        cnames = tuple(
            dict.fromkeys(
                (
                    folder / ".vuepress" / "public" / "CNAME",
                    folder / "CNAME",
                    folder.parent / "CNAME",
                )
            )
        )
        url = site_address(host, cnames, base)
        return SiteConfig(
            title=_first(found, "title"),
            url=url,
            generator=self.name,
            root=str(folder.resolve()),
            language=_first(found, "lang"),
            config_files=(*(str(p) for p in files), *existing(*cnames)),
        )

    def is_content(self, site: SiteConfig, rel: str, is_dir: bool) -> bool:
        parts = rel.split("/")
        return parts[0] not in ("node_modules", "dist") and not any(
            p.startswith(".") for p in parts
        )

    def page_url(self, site: SiteConfig, page: Page) -> PageUrl:
        if not site.url:
            return PageUrl(
                None,
                "no site URL (set hostname in the VuePress config, a CNAME file, "
                "or url in corpus.yaml)",
            )
        permalink = page.fm.permalink
        if permalink and ":" not in permalink:  # (a pattern, VuePress 1's :year/:slug: not read)
            return PageUrl(join_url(site.url, "/" + permalink.lstrip("/")))
        path = PurePosixPath(page.rel)
        if path.stem.lower() in ("readme", "index"):
            folder = str(path.parent)
            url_path = "/" if folder == "." else f"/{folder}/"
        else:
            url_path = "/" + str(path.with_suffix("")) + ".html"
        return PageUrl(join_url(site.url, url_path))

    def page_author(self, site: SiteConfig, page: Page) -> str | None:
        return site.author

    def anchors(self, site: SiteConfig) -> Callable[[str], str | None]:
        return Counted(vitepress_id)


VUEPRESS = VuePress()
