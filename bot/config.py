"""Settings: one table (`SETTINGS`: name, environment variable, default, help), read from
the environment by `load_settings`.

Command-line flags override the environment; the CLI passes them in as `overrides`.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def shipped_corpus_dir() -> Path:
    """The corpus that ships with the project: package data in an installed wheel
    (`bot/shipped_corpus/`, see setup.py), `corpus/` at the top of a source checkout."""
    packaged = _PACKAGE_DIR / "shipped_corpus"
    return packaged if packaged.is_dir() else _PACKAGE_DIR.parent / "corpus"


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
    """One setting: its name in `Settings`, its environment variable, its default as a user
    reads it (README's table shows the same), and what it does."""

    name: str
    env: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("db", "EXCERPT_BOT_DB", "~/.local/share/excerpt-bot/excerpt.db", "the database file"),
    Setting("corpus", "EXCERPT_BOT_CORPUS", "corpus/", "corpus folder(s), separated by ':'"),
    Setting("max_file_mb", "EXCERPT_BOT_MAX_FILE_MB", "5", "skip Markdown files larger than this"),
    Setting(
        "allow_outside_links",
        "EXCERPT_BOT_ALLOW_OUTSIDE_LINKS",
        "off",
        "1: follow symlinks whose target is outside the corpus folders",
    ),
    Setting("token", "TELEGRAM_BOT_TOKEN", "—", "the bot's token from @BotFather (for `run`)"),
    Setting(
        "api_base_url",
        "TELEGRAM_API_BASE_URL",
        "https://api.telegram.org",
        "the Bot API server (or a self-hosted one)",
    ),
    Setting("webhook_url", "WEBHOOK_URL", "unset: polling", "public HTTPS URL for updates"),
    Setting("webhook_listen", "WEBHOOK_LISTEN", "0.0.0.0", "address the webhook server binds"),
    Setting("webhook_port", "WEBHOOK_PORT", "8080", "port the webhook server binds"),
    Setting(
        "webhook_secret_token",
        "WEBHOOK_SECRET_TOKEN",
        "derived from the token",
        "secret Telegram sends with each update",
    ),
    Setting(
        "webhook_secret_token_file",
        "WEBHOOK_SECRET_TOKEN_FILE",
        "none",
        "a file holding that secret (a mounted secret; never on the command line)",
    ),
    Setting(
        "reload_seconds",
        "EXCERPT_BOT_RELOAD_SECONDS",
        "5",
        "how often the bot checks whether the database was rebuilt (0: only on SIGHUP)",
    ),
    Setting("admins", "EXCERPT_BOT_ADMINS", "none", "user ids allowed to /reload, comma-separated"),
    Setting(
        "state_db",
        "EXCERPT_BOT_STATE_DB",
        "state.db beside the database",
        "daily subscriptions and feedback counts",
    ),
    Setting("timezone", "EXCERPT_BOT_TIMEZONE", "Asia/Shanghai", "time zone of /daily times"),
    Setting("daily_chats", "EXCERPT_BOT_DAILY_CHATS", "none", "chats: CHAT_ID@HH:MM,..."),
    Setting("scheduler", "EXCERPT_BOT_SCHEDULER", "on", "off: post no daily excerpts"),
    Setting(
        "status_port",
        "EXCERPT_BOT_STATUS_PORT",
        "off",
        "in polling mode, serve /healthz and /metrics on this port",
    ),
    Setting(
        "metrics_port",
        "EXCERPT_BOT_METRICS_PORT",
        "off",
        "serve /metrics (and /healthz) on this port only, not on the public webhook port",
    ),
    Setting("log_format", "EXCERPT_BOT_LOG_FORMAT", "text", "json: one object a line"),
    Setting(
        "meaning",
        "EXCERPT_BOT_MEANING",
        "on",
        "off: neither build nor use the meaning index (text matches only)",
    ),
    Setting(
        "conflict_grace",
        "EXCERPT_BOT_CONFLICT_GRACE",
        "10",
        "seconds after starting in which a 409 Conflict means another process already polls "
        "this token, so this one stops",
    ),
    Setting(
        "state_timeout",
        "EXCERPT_BOT_STATE_TIMEOUT",
        "2",
        "seconds a write to the state file waits for another process's lock",
    ),
)

DEFAULT_API_BASE_URL = "https://api.telegram.org"
# A bot token is the bot's numeric id, a colon and a secret of URL-safe base64 characters:
# @BotFather's tokens carry 35 of them (110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw, the
# Bot API docs' example). PTB only refuses an empty token and leaves the rest to the
# server's 401, which comes after the corpus is indexed; so a shape that cannot be a token
# is refused here, first. "At least 20" rather than exactly 35: Telegram has never promised
# the length, and refusing a real token would be worse than letting a fake one reach the 401.
_TOKEN_MIN_SECRET = 20
_TOKEN_SHAPE = re.compile(rf"^\d{{1,20}}:[A-Za-z0-9_-]{{{_TOKEN_MIN_SECRET},100}}$")
_SECRET_SHAPE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


@dataclass(frozen=True, slots=True)
class Settings:
    db: Path
    corpus: tuple[Path, ...]
    max_file_mb: float = 5.0
    allow_outside_links: bool = False
    token: str | None = field(default=None, repr=False)  # never printed or logged
    api_base_url: str = DEFAULT_API_BASE_URL
    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8080
    webhook_secret_token: str | None = field(default=None, repr=False)
    reload_seconds: float = 5.0
    status_port: int | None = None
    metrics_port: int | None = None  # /metrics only here; None: beside /healthz
    log_format: str = "text"
    state_db: Path | None = None  # None: state.db beside `db`
    timezone: str = "Asia/Shanghai"
    daily_chats: tuple[tuple[int, str], ...] = ()
    scheduler: bool = True
    meaning: bool = True  # build and search the meaning index (bot.meaning)
    conflict_grace: float = 10.0
    state_timeout: float = 2.0

    @property
    def state_path(self) -> Path:
        return self.state_db or self.db.with_name("state.db")

    admins: frozenset[int] = frozenset()

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1_000_000)

    def require_token(self) -> str:
        if not self.token:
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN is not set. Create a bot with @BotFather in Telegram, "
                "then run: TELEGRAM_BOT_TOKEN='<the token @BotFather gave you>' excerpt-bot run"
            )
        if not _TOKEN_SHAPE.match(self.token):
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN does not look like a bot token: that is the bot's id "
                f"(digits), a colon, then at least {_TOKEN_MIN_SECRET} letters, digits, '_' or "
                "'-' (@BotFather's have 35, like 110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw); "
                "copy it again from @BotFather"
            )
        return self.token

    @property
    def secret_token(self) -> str:
        """The webhook secret: as configured, else derived from the bot token, so that every
        replica of one bot registers and checks the same secret without sharing state."""
        if self.webhook_secret_token:
            return self.webhook_secret_token
        digest = hmac.new(self.require_token().encode(), b"webhook-secret", hashlib.sha256)
        return digest.hexdigest()[:48]

    @property
    def uses_shipped_corpus(self) -> bool:
        return self.corpus == (shipped_corpus_dir(),)


class SettingsError(Exception):
    """A setting has a value that cannot be used."""


def _seconds(raw: dict[str, object], name: str, default: float, env: str) -> float:
    try:
        value = float(str(raw.get(name, default)))
    except ValueError:
        value = -1.0
    if not 0 <= value < 86_400:
        raise SettingsError(f"{env} must be a number of seconds")
    return value


def _port(raw: dict[str, object], name: str, env: str) -> int | None:
    """An optional port: unset, empty or "off" is None."""
    value = str(raw.get(name, "")).strip()
    if value.lower() in ("", "off"):
        return None
    port = int(value) if value.isascii() and value.isdigit() else -1
    if not 0 < port < 65536:
        raise SettingsError(f"{env} must be a port number")
    return port


def _read_secret(path: Path) -> str:
    """The webhook secret from a file (a Kubernetes or Docker secret): its one line."""
    try:
        return path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise SettingsError(f"cannot read WEBHOOK_SECRET_TOKEN_FILE {path}: {reason}") from None


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
    try:
        port = int(str(raw.get("webhook_port", 8080)))
    except ValueError:
        port = -1
    if not 0 < port < 65536:
        raise SettingsError(f"WEBHOOK_PORT must be a port number, not {raw['webhook_port']!r}")
    secret = str(raw["webhook_secret_token"]) if "webhook_secret_token" in raw else None
    if raw.get("webhook_secret_token_file"):
        if secret is not None:
            raise SettingsError(
                "give the webhook secret once: WEBHOOK_SECRET_TOKEN or WEBHOOK_SECRET_TOKEN_FILE"
            )
        secret = _read_secret(Path(str(raw["webhook_secret_token_file"])).expanduser())
    if secret is not None and not _SECRET_SHAPE.match(secret):
        raise SettingsError(
            "WEBHOOK_SECRET_TOKEN must be 1-256 characters of A-Z, a-z, 0-9, '_' and '-'"
        )
    base = str(raw.get("api_base_url", DEFAULT_API_BASE_URL)).rstrip("/")
    if not re.match(r"^https?://[^/\s]+", base):
        raise SettingsError(f"TELEGRAM_API_BASE_URL must be an http(s) URL, not {base!r}")
    webhook_url = str(raw["webhook_url"]) if "webhook_url" in raw else None
    if webhook_url is not None and not re.match(r"^https?://[^/\s]+", webhook_url):
        raise SettingsError(f"WEBHOOK_URL must be an http(s) URL, not {webhook_url!r}")
    try:
        reload_seconds = float(str(raw.get("reload_seconds", 5.0)))
    except ValueError:
        reload_seconds = -1.0
    if reload_seconds < 0:
        raise SettingsError("EXCERPT_BOT_RELOAD_SECONDS must be a number of seconds (0: off)")
    admins_raw = str(raw.get("admins", "")).replace(" ", "")
    if admins_raw and not re.fullmatch(r"\d+(,\d+)*,?", admins_raw):
        raise SettingsError("EXCERPT_BOT_ADMINS must be Telegram user ids separated by commas")
    admins = frozenset(int(a) for a in admins_raw.split(",") if a)
    status_port = _port(raw, "status_port", "EXCERPT_BOT_STATUS_PORT")
    metrics_port = _port(raw, "metrics_port", "EXCERPT_BOT_METRICS_PORT")
    from bot.daily import DailyError, parse_chat_list, zone

    timezone = str(raw.get("timezone", "Asia/Shanghai"))
    try:
        zone(timezone)
        daily_chats = tuple(parse_chat_list(str(raw.get("daily_chats", ""))))
    except DailyError as exc:
        raise SettingsError(str(exc)) from None
    scheduler_raw = str(raw.get("scheduler", "on")).lower()
    if scheduler_raw not in ("on", "off", "1", "0", "true", "false", "yes", "no"):
        raise SettingsError("EXCERPT_BOT_SCHEDULER must be on or off")
    outside_raw = str(raw.get("allow_outside_links", "0")).lower()
    if outside_raw not in ("on", "off", "1", "0", "true", "false", "yes", "no"):
        raise SettingsError("EXCERPT_BOT_ALLOW_OUTSIDE_LINKS must be 1 or 0")
    meaning_raw = str(raw.get("meaning", "on")).lower()
    if meaning_raw not in ("on", "off", "1", "0", "true", "false", "yes", "no"):
        raise SettingsError("EXCERPT_BOT_MEANING must be on or off")
    log_format = str(raw.get("log_format", "text")).lower()
    if log_format not in ("text", "json"):
        raise SettingsError("EXCERPT_BOT_LOG_FORMAT must be text or json")
    conflict_grace = _seconds(raw, "conflict_grace", 10.0, "EXCERPT_BOT_CONFLICT_GRACE")
    state_timeout = _seconds(raw, "state_timeout", 2.0, "EXCERPT_BOT_STATE_TIMEOUT")
    return Settings(
        db=db,
        corpus=corpus,
        max_file_mb=max_mb,
        allow_outside_links=outside_raw in ("on", "1", "true", "yes"),
        reload_seconds=reload_seconds,
        admins=admins,
        status_port=status_port,
        metrics_port=metrics_port,
        log_format=log_format,
        state_db=Path(str(raw["state_db"])).expanduser() if raw.get("state_db") else None,
        timezone=timezone,
        daily_chats=daily_chats,
        scheduler=scheduler_raw in ("on", "1", "true", "yes"),
        meaning=meaning_raw in ("on", "1", "true", "yes"),
        conflict_grace=conflict_grace,
        state_timeout=state_timeout,
        token=str(raw["token"]).strip() if "token" in raw else None,
        api_base_url=base,
        webhook_url=webhook_url,
        webhook_listen=str(raw.get("webhook_listen", "0.0.0.0")),
        webhook_port=port,
        webhook_secret_token=secret,
    )


__all__ = ["SETTINGS", "Settings", "SettingsError", "load_settings"]
