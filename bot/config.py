"""Settings: one table of (name, default, environment variable, help), read from the environment.

Command-line flags override the environment; the CLI passes them in as `overrides`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def shipped_corpus_dir() -> Path:
    """The corpus that ships with the project (`corpus/` at the top of the source tree)."""
    return _PACKAGE_DIR.parent / "corpus"


def default_corpus_dir() -> Path:
    """`corpus/` in the current folder if there is one, else the shipped corpus (so the
    command works from anywhere; from the source tree both are the same folder)."""
    here = Path("corpus")
    return here.resolve() if here.is_dir() else shipped_corpus_dir()


def default_db_path() -> Path:
    """Where the database lives unless told otherwise: the user's data directory."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "excerpt-bot" / "excerpt.db"


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    env: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("db", "EXCERPT_BOT_DB", "SQLite database file (default: ~/.local/share/excerpt-bot)"),
    Setting(
        "corpus", "EXCERPT_BOT_CORPUS", "corpus folder(s), separated by ':' (default: corpus/)"
    ),
    Setting("max_file_mb", "EXCERPT_BOT_MAX_FILE_MB", "skip Markdown files larger than this"),
)


@dataclass(frozen=True, slots=True)
class Settings:
    db: Path
    corpus: tuple[Path, ...]
    max_file_mb: float = 5.0

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1_000_000)

    @property
    def uses_shipped_corpus(self) -> bool:
        return self.corpus == (shipped_corpus_dir(),)


class SettingsError(Exception):
    """A setting has a value that cannot be used."""


def load_settings(
    overrides: dict[str, object] | None = None, environ: dict[str, str] | None = None
) -> Settings:
    env = os.environ if environ is None else environ
    raw: dict[str, object] = {}
    for setting in SETTINGS:
        if env.get(setting.env):
            raw[setting.name] = env[setting.env]
    for key, value in (overrides or {}).items():
        if value is not None and value != [] and value != ():
            raw[key] = value

    db = Path(str(raw["db"])).expanduser() if "db" in raw else default_db_path()
    corpus_raw = raw.get("corpus")
    if corpus_raw is None:
        corpus: tuple[Path, ...] = (default_corpus_dir(),)
    elif isinstance(corpus_raw, str):
        corpus = tuple(Path(p).expanduser() for p in corpus_raw.split(os.pathsep) if p)
    else:
        corpus = tuple(Path(str(p)).expanduser() for p in corpus_raw)  # type: ignore[attr-defined]
    try:
        max_mb = float(str(raw.get("max_file_mb", 5.0)))
    except ValueError as exc:
        raise SettingsError(f"EXCERPT_BOT_MAX_FILE_MB must be a number: {exc}") from None
    if max_mb <= 0:
        raise SettingsError("EXCERPT_BOT_MAX_FILE_MB must be positive")
    return Settings(db=db, corpus=corpus, max_file_mb=max_mb)


__all__ = ["SETTINGS", "Settings", "SettingsError", "load_settings"]
