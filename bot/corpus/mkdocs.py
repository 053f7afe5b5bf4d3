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


def _i18n(plugins: object) -> list[tuple[str, str]]:
    """The settings of mkdocs-static-i18n, if the site uses it: how translations are laid
    out ("suffix": page.en.md beside page.md, the default; "folder": en/page.md), the
    default language (served at the root) and every language's code."""
    entries = plugins if isinstance(plugins, list) else [plugins]
    for entry in entries:
        options = entry.get("i18n") if isinstance(entry, dict) else None
        if not isinstance(options, dict):
            continue
        languages = options.get("languages")
        locales: list[str] = []
        default = text_value(options, "default_language")  # the plugin's 0.x form
        if isinstance(languages, dict):
            locales = [str(code) for code in languages]
        elif isinstance(languages, list):
            for language in languages:
                if isinstance(language, dict) and text_value(language, "locale"):
                    locale = str(text_value(language, "locale"))
                    locales.append(locale)
                    if language.get("default") is True:
                        default = locale
        if default and default not in locales:
            locales.append(default)
        if not locales:
            return []
        structure = text_value(options, "docs_structure") or "suffix"
        return [
            ("i18n_structure", structure),
            ("i18n_default", default or locales[0]),
            ("i18n_locales", " ".join(locales)),
        ]
    return []


def _language(site: SiteConfig, path: PurePosixPath) -> tuple[PurePosixPath, str]:
    """A page's path without its language (`CS162.en.md`, `en/CS162.md` -> `CS162.md`) and
    the URL prefix its language is served under (`en/`; none for the default one)."""
    structure = site.setting("i18n_structure")
    if structure is None:
        return path, ""
    locales = (site.setting("i18n_locales") or "").split()
    default = site.setting("i18n_default")
    if structure == "folder":
        first = path.parts[0] if path.parts else ""
        if first in locales and len(path.parts) > 1:
            rest = PurePosixPath(*path.parts[1:])
            return rest, "" if first == default else f"{first}/"
        return path, ""
    stem, _, locale = path.stem.rpartition(".")
    if stem and locale in locales:
        return path.with_name(stem + path.suffix), "" if locale == default else f"{locale}/"
    return path, ""


class MkDocs:
    name = "mkdocs"
    label = "MkDocs"
    # A folder's README.md is its index page where it has no index.md (MkDocs builds the
    # README then; beside an index.md it is left out, with a warning).
    readme_is_page = True

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
        settings.extend(_i18n(data.get("plugins")))
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
            path = PurePosixPath(rel)
            if not is_dir and path.stem.lower() == "readme" and site.root is not None:
                return not (Path(site.root) / path.parent / "index.md").is_file()
            return True
        return is_dir and docs.startswith(rel + "/")

    def page_url(self, site: SiteConfig, page: Page) -> PageUrl:
        if not site.url:
            return PageUrl(None, "no site URL (set site_url in mkdocs.yml or corpus.yaml)")
        docs = site.setting("docs_dir") or "docs"
        path, prefix = _language(site, PurePosixPath(page.rel[len(docs) + 1 :]))
        folder = prefix + ("" if str(path.parent) == "." else f"{path.parent}/")
        if path.stem.lower() in ("index", "readme"):
            url_path = folder
        elif site.setting("file_urls"):
            url_path = f"{folder}{path.stem}.html"
        else:
            url_path = f"{folder}{path.stem}/"
        return PageUrl(join_url(site.url, url_path or prefix))

    def page_author(self, site: SiteConfig, page: Page) -> str | None:
        return site.author

    def anchors(self, site: SiteConfig) -> Callable[[str], str | None]:
        return Counted(mkdocs_id, empty="_1")


MKDOCS = MkDocs()
