"""Settings: a TOML file plus ``SUPPORTBOT_*`` environment variables (secrets only from there).

Nothing is read at import time; the composition root calls :func:`load_settings`.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict
from pydantic_settings.exceptions import SettingsError

from bot.models import SupportBotError

ENV_PREFIX = "SUPPORTBOT_"
SECRET_KEYS = {
    ("discord", "token"),
    ("slack", "bot_token"),
    ("slack", "app_token"),
    ("slack", "signing_secret"),
    ("web", "secret_key"),
}


KNOWLEDGE_PACKAGE = "supportbot_knowledge"


def default_knowledge_dir() -> Path:
    """The bundled knowledge base: the ``supportbot_knowledge`` data package of an installed
    wheel (an editable install maps it to the checkout's ``knowledge/``), else ``knowledge/``
    beside the ``bot`` package when run from a checkout that is not installed."""
    spec = importlib.util.find_spec(KNOWLEDGE_PACKAGE)
    for location in (spec.submodule_search_locations or []) if spec is not None else []:
        if Path(location).is_dir():
            return Path(location)
    return Path(__file__).resolve().parent.parent / "knowledge"


def default_database() -> str:
    """``supportbot.db`` in the per-user data directory (for example ~/.local/share/supportbot)."""
    return str(platformdirs.user_data_path("supportbot") / "supportbot.db")


class _Section(BaseModel):
    # inf and nan are never meant (busy_timeout = inf made the store hang at start-up).
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class StoreSettings(_Section):
    path: str = Field(default_factory=default_database)
    # Several processes on one database: "postgresql://user:password@host/db" (needs the postgres
    # extra). Empty: SQLite at ``path``. Secret-typed so the password never reaches a log line.
    url: SecretStr | None = None
    busy_timeout: float = Field(5.0, gt=0, le=600)
    # Days the review queue keeps question texts and user ids; the counts are kept for good.
    retention_days: int = Field(90, ge=1, le=3650)


class KnowledgeSettings(_Section):
    path: Path = Field(default_factory=default_knowledge_dir)
    import_on_start: bool = True


class EngineSettings(_Section):
    max_input_chars: int = Field(2_000_000, gt=0, le=50_000_000)
    max_matches: int = Field(5, ge=1, le=25)
    auto_threshold: float = Field(0.8, ge=0, le=1)
    auto_margin: float = Field(0.15, ge=0, le=1)
    answer_threshold: float = Field(0.55, ge=0, le=1)
    suggest_threshold: float = Field(0.3, ge=0, le=1)


class DiscordSettings(_Section):
    token: SecretStr | None = None
    api_base_url: str = "https://discord.com/api/v10"
    gateway_url: str = "wss://gateway.discord.gg"
    help_channels: list[int] = []
    admin_roles: list[int] = []
    excluded_roles: list[int] = []
    cooldown_seconds: float = Field(60.0, ge=0, le=86_400)
    max_attachment_bytes: int = Field(1_000_000, gt=0, le=100_000_000)
    shard_count: int | None = Field(None, ge=1, le=100_000)
    shard_ids: list[int] | None = None
    application_id: int | None = None
    message_content: bool = True
    sync_commands: bool = True
    ack_after_seconds: float = Field(1.5, gt=0, lt=3)
    guild_ready_timeout: float = Field(2.0, ge=0, le=600)
    max_import_bytes: int = Field(10_000_000, gt=0, le=1_000_000_000)
    attachment_hosts: list[str] = ["cdn.discordapp.com", "media.discordapp.net"]
    kb_guilds: list[int] = []


class SlackSettings(_Section):
    bot_token: SecretStr | None = None
    app_token: SecretStr | None = None
    signing_secret: SecretStr | None = None
    api_base_url: str = "https://slack.com/api/"
    mode: Literal["socket", "http"] = "socket"
    http_host: str = "0.0.0.0"
    http_port: int = Field(3000, ge=1, le=65535)
    help_channels: list[str] = []
    admin_users: list[str] = []
    cooldown_seconds: float = Field(60.0, ge=0, le=86_400)
    max_file_bytes: int = Field(1_000_000, gt=0, le=100_000_000)
    kb_workspaces: list[str] = []


class HttpSettings(_Section):
    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)


class WebSettings(_Section):
    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = Field(8081, ge=0, le=65535)
    # The address people open (behind a reverse proxy); sign-in links start with it. Empty:
    # http://host:port. An https address makes the session cookie Secure.
    public_url: str = Field("", pattern=r"^(https?://[^\s/?#]+(/[^\s?#]*)?)?$")
    secret_key: SecretStr | None = None  # environment only; else generated and kept in the store


class Settings(BaseSettings):
    """All settings. Build with :func:`load_settings`, not directly, to get file errors right."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_nested_delimiter="__", extra="forbid")

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "debug", "info", "warning", "error"] = "INFO"
    log_format: Literal["human", "json"] = "human"
    log_message_text: bool = False
    store: StoreSettings = StoreSettings()
    knowledge: KnowledgeSettings = KnowledgeSettings()
    engine: EngineSettings = EngineSettings()
    discord: DiscordSettings = DiscordSettings()
    slack: SlackSettings = SlackSettings()
    http: HttpSettings = HttpSettings()
    web: WebSettings = WebSettings()


class _DictSource(PydanticBaseSettingsSource):
    def __init__(self, settings_cls: type[BaseSettings], data: dict[str, Any]) -> None:
        super().__init__(settings_cls)
        self.data = data

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self.data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return self.data


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SupportBotError(f"config file not found: {path}") from None
    except OSError as exc:  # a directory, no permission, an I/O error
        raise SupportBotError(f"cannot read config file {path}: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SupportBotError(f"{path}: invalid TOML: {exc}") from None
    for section, key in SECRET_KEYS:
        if isinstance(data.get(section), dict) and key in data[section]:
            env = f"{ENV_PREFIX}{section.upper()}__{key.upper()}"
            raise SupportBotError(f"{path}: [{section}] {key}: secrets are read only from the environment; set {env}")
    return data


def load_settings(config: Path | None = None) -> Settings:
    """Settings from ``config`` (or ``$SUPPORTBOT_CONFIG``) and the environment.

    Environment variables win over the file. A wrong value raises :class:`SupportBotError`
    naming the key and where it came from.
    """
    env_path = os.environ.get("SUPPORTBOT_CONFIG")
    path = config or (Path(env_path) if env_path else None)
    data = _read_toml(path) if path is not None else {}

    class _Loaded(Settings):
        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            return (init_settings, env_settings, _DictSource(settings_cls, data))

    try:
        return _Loaded()
    except ValidationError as exc:
        raise SupportBotError(_describe(exc, data, path)) from None
    except SettingsError as exc:  # an environment value that is not JSON where JSON is needed
        raise SupportBotError(_describe_env(str(exc))) from None


def _describe(exc: ValidationError, data: dict[str, Any], path: Path | None) -> str:
    lines = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        key = ".".join(loc)
        node: Any = data
        in_file = True
        for part in loc:
            if isinstance(node, dict) and part in node:
                node = node[part]
            else:
                in_file = False
                break
        where = (
            str(path)
            if in_file and path is not None
            else f"environment {ENV_PREFIX}{'__'.join(p.upper() for p in loc)}"
        )
        lines.append(f"{where}: {key}: {err['msg']}")
    return "invalid settings:\n" + "\n".join(lines)


def _describe_env(message: str) -> str:
    """Name the environment variables that hold text where a list or table (JSON) is needed.

    pydantic-settings only names the section ("error parsing value for field 'discord'");
    values are not repeated, since they may be mistyped secrets.
    """
    field = re.search(r'field "(\w+)"', message)
    section = f"{ENV_PREFIX}{field.group(1).upper()}" if field else ENV_PREFIX
    bad = []
    for name, value in sorted(os.environ.items()):
        if name.upper() != section and not name.upper().startswith(section + "__"):
            continue
        try:
            json.loads(value)
        except ValueError:
            if name.upper() == section or value.lstrip()[:1] in ("[", "{") or _wants_json(name):
                bad.append(name)
    if not bad:
        return f"invalid settings in the environment: {message}"
    return "invalid settings:\n" + "\n".join(
        f"environment {name}: not valid JSON (lists and tables are written as JSON, e.g. [1, 2])" for name in bad
    )


def _wants_json(env_name: str) -> bool:
    """True when the setting an environment variable names is a list or a table."""
    parts = env_name[len(ENV_PREFIX) :].lower().split("__")
    model: Any = Settings
    for part in parts:
        fields = getattr(model, "model_fields", {})
        if part not in fields:
            return False
        model = fields[part].annotation
    text = str(model)
    return "list" in text or "dict" in text or (isinstance(model, type) and issubclass(model, BaseModel))
