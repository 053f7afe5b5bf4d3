"""Site settings: the site's title, public URL and permalink pattern.

Read from `corpus.yaml` in the corpus root, else from a Hexo `_config.yml` in the root or up
to two folders above it (so pointing the bot at `blog/source` or `blog/source/_posts` still
finds `blog/_config.yml`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.corpus.errors import CorpusConfigError

DEFAULT_PERMALINK = ":year/:month/:day/:title/"
_MAX_CONFIG_BYTES = 1_000_000


@dataclass(frozen=True, slots=True)
class SiteConfig:
    title: str | None = None
    url: str | None = None  # without it, passages without their own attribution have no link
    permalink: str = DEFAULT_PERMALINK
    author: str | None = None  # Hexo's site-wide `author`: the fallback for every post


def _string(data: dict[object, object], key: str) -> str | None:
    value = data.get(key)
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        text = str(value).strip()
        return text or None
    return None


def _read(path: Path) -> SiteConfig:
    try:
        with path.open("rb") as handle:
            raw = handle.read(_MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise CorpusConfigError(str(path), f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > _MAX_CONFIG_BYTES:
        raise CorpusConfigError(str(path), f"larger than {_MAX_CONFIG_BYTES} bytes")
    try:
        data = yaml.safe_load(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise CorpusConfigError(str(path), "not valid UTF-8") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise CorpusConfigError(str(path), f"invalid YAML{where}") from None
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise CorpusConfigError(str(path), f"invalid value: {exc}") from None
    if data is None:
        return SiteConfig()
    if not isinstance(data, dict):
        raise CorpusConfigError(str(path), "expected a mapping of settings")
    url = _string(data, "url")
    if url is not None and not url.startswith(("http://", "https://")):
        raise CorpusConfigError(str(path), "url must start with http:// or https://")
    return SiteConfig(
        title=_string(data, "title"),
        url=url,
        permalink=_string(data, "permalink") or DEFAULT_PERMALINK,
        author=_string(data, "author"),
    )


def find_site_config(root: Path) -> Path | None:
    """The settings file that applies to `root`, if any."""
    own = root / "corpus.yaml"
    if own.is_file():
        return own
    folder = root.resolve() if root.exists() else root
    for candidate in (folder, *list(folder.parents)[:2]):
        hexo = candidate / "_config.yml"
        if hexo.is_file():
            return hexo
    return None


def load_site_config(root: Path) -> SiteConfig:
    """Settings for the corpus at `root`; defaults if there is no settings file.

    Raises CorpusConfigError if the file exists but cannot be used.
    """
    path = find_site_config(root)
    return SiteConfig() if path is None else _read(path)
