"""Which generator made the folder a user points at, and its settings.

    site = load_site_config(Path("~/blog/_posts"))   # finds ~/blog/_config.yml: Jekyll

The folder and up to three folders above it are looked at, nearest first; at each, the
generators are asked in the order of GENERATORS (VitePress, VuePress, Zola, Hugo, Jekyll, Hexo,
MkDocs, mdBook), each recognising its own config file and layout. A `corpus.yaml` in the
folder itself overrides what it sets (`url`, `title`, `author`, `permalink`) and may name the
generator. Without either, the folder is a plain folder of posts with Hexo's rules, as before.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from bot.corpus.configfiles import read_mapping, text_value
from bot.corpus.errors import CorpusConfigError
from bot.corpus.hexo import HEXO, site_url
from bot.corpus.hugo import HUGO
from bot.corpus.jekyll import JEKYLL
from bot.corpus.mdbook import MDBOOK
from bot.corpus.mkdocs import MKDOCS
from bot.corpus.site import PLACEHOLDER_URL, Generator, SiteConfig
from bot.corpus.vitepress import VITEPRESS
from bot.corpus.vitepress import project_site_folder as vitepress_folder
from bot.corpus.vuepress import VUEPRESS
from bot.corpus.vuepress import project_site_folder as vuepress_folder
from bot.corpus.zola import ZOLA

# Zola before Hugo: both may keep a config.toml beside content/ (Zola's sets base_url).
GENERATORS: tuple[Generator, ...] = (VITEPRESS, VUEPRESS, ZOLA, HUGO, JEKYLL, HEXO, MKDOCS, MDBOOK)
# Generators whose site may live in a subfolder of the project (`docs/`, what package.json's
# scripts build): how to find that folder.
_IN_A_SUBFOLDER = ((VITEPRESS, vitepress_folder), (VUEPRESS, vuepress_folder))
BY_NAME: dict[str, Generator] = {g.name: g for g in GENERATORS}
_LEVELS = 3


def generator_for(site: SiteConfig) -> Generator:
    return BY_NAME.get(site.generator, HEXO)


def detect(folder: Path) -> tuple[Generator, Path] | None:
    """The generator and site root for `folder`: the nearest folder at or above it (up to
    three levels) that some generator recognises."""
    start = folder.resolve() if folder.exists() else folder
    for candidate in (start, *list(start.parents)[:_LEVELS]):
        for generator in GENERATORS:
            if generator.detect(candidate):
                return generator, candidate
        if candidate.name == "docs" and candidate.parent != candidate:
            continue
        # A project whose VitePress or VuePress site lives in a subfolder (`vitepress build
        # src`, docs/): pointing at the project, or into the pages' folder (srcDir:
        # '../content').
        for generator, site_folder in _IN_A_SUBFOLDER:
            docs = site_folder(candidate)
            if docs is not None and (candidate == start or _serves(generator, docs, start)):
                return generator, docs
    return None


def _serves(generator: Generator, docs: Path, folder: Path) -> bool:
    """Whether `folder` is in the pages' folder of the site configured in `docs`."""
    try:
        site = generator.read(docs)
    except CorpusConfigError:
        return False
    pages = Path(site.root or docs) / (site.setting("src_dir") or "")
    return folder == pages or pages in folder.parents


def find_site_config(root: Path) -> Path | None:
    """The main settings file that applies to `root`, if any."""
    files = site_config_files(root)
    return files[0] if files else None


def site_config_files(root: Path) -> list[Path]:
    """Every file whose content can change the settings for `root` (for fingerprints)."""
    found: list[Path] = []
    own = root / "corpus.yaml"
    if own.is_file():
        found.append(own)
    detected = detect(root)
    if detected is not None:
        generator, site_root = detected
        try:
            found.extend(Path(p) for p in generator.read(site_root).config_files)
        except CorpusConfigError as exc:
            found.append(Path(exc.path))
    return found


def load_site_config(root: Path) -> SiteConfig:
    """Settings for the corpus at `root`; defaults if there is no settings file.

    Raises CorpusConfigError if a settings file exists but cannot be used.
    """
    own = root / "corpus.yaml"
    overrides = read_mapping(own) if own.is_file() else None
    wanted = text_value(overrides, "generator") if overrides else None
    if wanted is not None and wanted.lower() not in BY_NAME:
        names = ", ".join(BY_NAME)
        raise CorpusConfigError(str(own), f"unknown generator {wanted!r} (known: {names})")
    detected = detect(root)
    site = SiteConfig()
    if detected is not None and (wanted is None or detected[0].name == wanted.lower()):
        generator, site_root = detected
        site = generator.read(site_root)
    elif wanted is not None:
        site = SiteConfig(generator=wanted.lower(), root=str(root.resolve()))
    if overrides is None:
        return site
    permalink = text_value(overrides, "permalink")
    owner_url = site_url(text_value(overrides, "url"), str(own), owner_set=True)
    settings = site.settings
    if owner_url is not None:  # the config's placeholder no longer matters
        settings = tuple(item for item in settings if item[0] != PLACEHOLDER_URL)
    return dataclasses.replace(
        site,
        title=text_value(overrides, "title") or site.title,
        url=owner_url or site.url,
        author=text_value(overrides, "author") or site.author,
        permalink=permalink or site.permalink,
        settings=(*settings, ("permalink", permalink)) if permalink else settings,
        config_files=(str(own), *site.config_files),
    )
