"""Settings: the only place that reads the environment (and a `.env` file)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, Literal, cast

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

SLACK_API_URL = "https://slack.com/api/"

# What each variable is and where a person finds it; used to turn a missing or
# malformed setting into one paragraph instead of a traceback.
_HELP: dict[str, str] = {
    "SLACK_BOT_TOKEN": (
        "the Bot User OAuth Token (it starts with xoxb-), shown on your Slack app's "
        "'OAuth & Permissions' page after you install the app"
    ),
    "SLACK_SIGNING_SECRET": (
        "the Signing Secret from your Slack app's 'Basic Information' page; Loopkeeper "
        "uses it to check that requests really come from Slack"
    ),
    "SLACK_APP_TOKEN": (
        "an App-Level Token with the connections:write scope (it starts with xapp-), "
        "created under 'Basic Information' > 'App-Level Tokens'; only Socket Mode needs it"
    ),
    "SLACK_API_URL": "the Slack Web API base URL, e.g. https://slack.com/api/",
    "DATABASE_URL": (
        "where Loopkeeper keeps its data: sqlite:///loopkeeper.db (the default) or "
        "postgresql://user:password@host:5432/dbname"
    ),
    "DATABASE_POOL_SIZE": (
        "how many PostgreSQL connections each worker opens for requests (all it ever "
        "opens for them), a whole number from 1 to 500, e.g. 10"
    ),
    "DATABASE_STATEMENT_POOL_SIZE": (
        "how many more PostgreSQL connections each worker opens for a scorecard's "
        "transaction and point reads, a whole number from 1 to 100, e.g. 4"
    ),
    "HOST": "the address `loopkeeper serve` listens on, e.g. 0.0.0.0",
    "PORT": "the TCP port `loopkeeper serve` listens on, e.g. 3000",
    "WEB_CONCURRENCY": (
        "how many worker processes `loopkeeper serve` runs over HTTP, a whole number from "
        "1 to 64 (the number of CPU cores is a good choice)"
    ),
    "SWEEP_INTERVAL_SECONDS": "seconds between two clock sweeps (0 to 3600; 0 turns it off)",
    "SWEEP_PACE_SECONDS": "seconds between two messages of one sweep (0 to 5)",
    "WEEKLY_REPORT": 'when roles get their weekly report, like "mon 09:00", or "off"',
    "WEEKLY_REPORT_TZ": (
        "the weekly report's time zone, like Europe/Berlin (empty: the hiring manager's)"
    ),
    "LOG_FORMAT": "json, text or auto",
    "SLACK_TIMEOUT_SECONDS": "seconds to wait for Slack's Web API while a person waits (0 to 30)",
    "LOOPKEEPER_ADMINS": (
        "a comma-separated list of Slack user ids (like U012AB3CD) who may create roles"
    ),
}


class ConfigError(Exception):
    """A setting is missing or malformed; the message is meant for a person."""


class DatabaseSettings(BaseSettings):
    """What `loopkeeper migrate` needs: no Slack credentials."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    database_url: str = "sqlite:///loopkeeper.db"
    # PostgreSQL connections each worker process opens for requests, and never more
    # (bot.store.engine.create_engine).
    database_pool_size: int = Field(default=10, ge=1, le=500)  # engine.DEFAULT_POOL_SIZE
    # And those for statements with no session (bot.store.postgresql_raw); None: its
    # MOST, or fewer if the pool above is smaller.
    database_statement_pool_size: int | None = Field(default=None, ge=1, le=100)

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        scheme = value.split(":", 1)[0].split("+", 1)[0]
        if scheme not in {"sqlite", "postgres", "postgresql"}:
            raise ValueError("must start with sqlite:/// or postgresql://")
        return value


def _not_a_placeholder(value: SecretStr) -> SecretStr:
    """An example's `xoxb-...` copied as it was passed the checks and served Slack with
    it; a real secret never holds "..."."""
    if "..." in value.get_secret_value():
        raise ValueError("is still the example's placeholder (it has '...' in it)")
    return value


class Settings(DatabaseSettings):
    """Everything `loopkeeper serve` needs."""

    slack_bot_token: SecretStr
    slack_signing_secret: SecretStr
    slack_app_token: SecretStr | None = None
    slack_api_url: str = SLACK_API_URL
    host: str = "0.0.0.0"
    port: int = Field(default=3000, ge=1, le=65535)
    # Worker processes of `loopkeeper serve` over HTTP (the name gunicorn and Heroku use;
    # Heroku's Python buildpack sets it from the dyno size). Socket Mode runs one process.
    web_concurrency: int = Field(default=1, ge=1, le=64)
    # The first admins, comma-separated user ids: written into the database's admin list on
    # the first start only (while it is empty). After that `/hire admin add|remove` keeps
    # the list and this setting is not read again.
    loopkeeper_admins: Annotated[frozenset[str], NoDecode] = frozenset()
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # json: one object per line (production); text: for people; auto: text on a terminal.
    log_format: Literal["auto", "json", "text"] = "auto"
    # Home tabs changed within this many seconds of each other are redrawn once.
    home_redraw_delay_seconds: float = Field(default=2.0, ge=0, le=60)
    # Web API calls made while a person waits (opening a modal) must fit Slack's 3 s.
    slack_timeout_seconds: float = Field(default=2.5, gt=0, le=30)
    # How often `serve` runs the clock sweep; 0 turns the in-process sweep off
    # (for deployments that run `loopkeeper sweep` from cron instead).
    sweep_interval_seconds: int = Field(default=60, ge=0, le=3600)
    # Pause between two messages of one sweep: Slack takes about one a second per channel.
    sweep_pace_seconds: float = Field(default=0.05, ge=0, le=5)
    # When each role's private channel gets its weekly report: "mon 09:00", or "off".
    weekly_report: str = "mon 09:00"
    # The report's time zone; empty means the role's hiring manager's Slack time zone.
    weekly_report_tz: str = ""
    # Rejected and withdrawn candidates are erased this many days after they closed (their
    # recruiters are told a week before); 0 keeps them for ever. Six months covers the
    # usual window for a rejected applicant's claim, which is what GDPR guidance for
    # applicant data allows keeping them for.
    retention_days: int = Field(default=180, ge=0, le=3650)
    # prometheus_client's own variable, which `serve --workers N` sets for its workers:
    # GET /metrics then adds up every worker's figures (bot.runtime.metrics).
    prometheus_multiproc_dir: str | None = None

    @field_validator("weekly_report")
    @classmethod
    def _weekly_report(cls, value: str) -> str:
        value = value.strip().lower()
        if value == "off":
            return value
        parts = value.split()
        days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        if len(parts) != 2 or parts[0][:3] not in days or not _is_hh_mm(parts[1]):
            raise ValueError('must be a weekday and a time, like "mon 09:00", or "off"')
        return f"{parts[0][:3]} {parts[1]}"

    @field_validator("weekly_report_tz")
    @classmethod
    def _weekly_report_tz(cls, value: str) -> str:
        if value:
            from zoneinfo import ZoneInfo

            try:
                ZoneInfo(value)
            except (KeyError, ValueError):
                raise ValueError("must be a time zone name like Europe/Berlin") from None
        return value

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("must be a bot token starting with xoxb-")
        return _not_a_placeholder(value)

    @field_validator("slack_signing_secret")
    @classmethod
    def _signing_secret(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("must not be empty")
        return _not_a_placeholder(value)

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("must be an app-level token starting with xapp-")
        return value if value is None else _not_a_placeholder(value)

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        # slack-sdk joins method names onto the base URL, so it needs the slash.
        return value if value.endswith("/") else value + "/"

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _any_case(cls, value: object, info: Any) -> object:
        # LOG_LEVEL=info is what people write; the names are Python's, in capitals.
        if not isinstance(value, str):
            return value
        return value.upper() if info.field_name == "log_level" else value.lower()

    @field_validator("loopkeeper_admins", mode="before")
    @classmethod
    def _admins(cls, value: object) -> frozenset[str]:
        if isinstance(value, str):
            ids = [part.strip() for part in value.split(",") if part.strip()]
        else:
            # Not from the environment (NoDecode keeps its string whole): code passes an
            # iterable of ids, or None.
            ids = list(cast("Iterable[str]", value or []))
        bad = [i for i in ids if not (i[:1] in {"U", "W"} and i.isalnum() and i.isupper())]
        if bad:
            raise ValueError(f"{', '.join(bad)} is not a Slack user id (like U012AB3CD)")
        return frozenset(ids)


def _is_hh_mm(text: str) -> bool:
    hours, _, minutes = text.partition(":")
    return hours.isdecimal() and minutes.isdecimal() and int(hours) < 24 and int(minutes) < 60


def _explain(error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        name = str(item["loc"][0]).upper() if item["loc"] else "a setting"
        problem = "is not set" if item["type"] == "missing" else f"is invalid: {item['msg']}"
        what = _HELP.get(name)
        lines.append(f"{name} {problem}." + (f" It is {what}." if what else ""))
    return (
        "Loopkeeper cannot start because of its settings. "
        + " ".join(lines)
        + " Set it in the environment or in a .env file in the working directory; "
        "README.md, section 'Configuration', lists every setting."
    )


def load_settings(*, socket_mode: bool = False, **overrides: Any) -> Settings:
    """Read settings, raising ConfigError with a readable paragraph on any problem.

    `overrides` are raw field values, which pydantic validates (hence Any), or
    BaseSettings' own options such as `_env_file`."""
    try:
        settings = Settings(**overrides)
    except ValidationError as error:
        raise ConfigError(_explain(error)) from None
    if socket_mode and settings.slack_app_token is None:
        raise ConfigError(
            "Loopkeeper cannot start in Socket Mode: SLACK_APP_TOKEN is not set. It is "
            f"{_HELP['SLACK_APP_TOKEN']}. README.md, section 'HTTP or Socket Mode', explains "
            "the two ways to connect."
        )
    return settings


class _SlackPresence(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    slack_bot_token: str = ""
    slack_signing_secret: str = ""


def slack_configured() -> bool:
    """Whether any Slack credential is set. Only `loopkeeper start` asks: with none it
    runs the playground; with one of the two, `serve` explains what is missing."""
    presence = _SlackPresence()
    return bool(presence.slack_bot_token.strip() or presence.slack_signing_secret.strip())


def load_database_settings(**overrides: Any) -> DatabaseSettings:
    try:
        return DatabaseSettings(**overrides)
    except ValidationError as error:
        raise ConfigError(_explain(error)) from None
