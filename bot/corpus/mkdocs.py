"""MkDocs: `mkdocs.yml` with `site_url`, `docs_dir` (default `docs`) and
`use_directory_urls` (default on: `guide/setup.md` -> `guide/setup/`; `index.md` and
`README.md` -> their folder). Heading ids are Python-Markdown's toc slugs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path, PurePosixPath

import yaml

from bot.corpus.anchors import Counted, mkdocs_id
from bot.corpus.configfiles import read_text, text_value
from bot.corpus.errors import CorpusConfigError
from bot.corpus.hexo import join_url, placeholder_setting, site_url
from bot.corpus.site import Page, PageUrl, SiteConfig


class _TolerantLoader(yaml.SafeLoader):
    """mkdocs.yml often holds `!!python/name:...` and `!ENV` tags: read them as nothing
    rather than run or refuse them."""


def _ignore(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> None:
    return None


_TolerantLoader.add_multi_constructor("", _ignore)


class MkDocs:
    name = "mkdocs"
    label = "MkDocs"

    def detect(self, folder: Path) -> bool:
        return (folder / "mkdocs.yml").is_file() or (folder / "mkdocs.yaml").is_file()

    def read(self, folder: Path) -> SiteConfig:
        path = folder / "mkdocs.yml"
        if not path.is_file():
            path = folder / "mkdocs.yaml"
        try:
            data = yaml.load(read_text(path), Loader=_TolerantLoader)
        except yaml.YAMLError:
            raise CorpusConfigError(str(path), "invalid YAML") from None
        if not isinstance(data, dict):
            raise CorpusConfigError(str(path), "expected a mapping of settings")
        directory = data.get("use_directory_urls")
        settings = [("docs_dir", (text_value(data, "docs_dir") or "docs").strip("/"))]
        if directory is False:
            settings.append(("file_urls", "true"))
        configured = text_value(data, "site_url")
        url = site_url(configured, str(path))
        settings.extend(placeholder_setting(configured, url))
        return SiteConfig(
            title=text_value(data, "site_name"),
            url=url,
            author=text_value(data, "site_author"),
            generator=self.name,
            root=str(folder),
            language=text_value(data, "theme", "language"),
            settings=tuple(settings),
            config_files=(str(path),),
        )

    def is_content(self, site: SiteConfig, rel: str, is_dir: bool) -> bool:
        docs = site.setting("docs_dir") or "docs"
        if rel == docs or rel.startswith(docs + "/"):
            return True
        return is_dir and docs.startswith(rel + "/")

    def page_url(self, site: SiteConfig, page: Page) -> PageUrl:
        if not site.url:
            return PageUrl(None, "no site URL (set site_url in mkdocs.yml or corpus.yaml)")
        docs = site.setting("docs_dir") or "docs"
        path = PurePosixPath(page.rel[len(docs) + 1 :])
        folder = "" if str(path.parent) == "." else f"{path.parent}/"
        if path.stem.lower() in ("index", "readme"):
            url_path = folder
        elif site.setting("file_urls"):
            url_path = f"{folder}{path.stem}.html"
        else:
            url_path = f"{folder}{path.stem}/"
        return PageUrl(join_url(site.url, url_path))

    def page_author(self, site: SiteConfig, page: Page) -> str | None:
        return site.author

    def anchors(self, site: SiteConfig) -> Callable[[str], str | None]:
        return Counted(mkdocs_id, empty="_1")


MKDOCS = MkDocs()
