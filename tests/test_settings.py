"""Settings: TOML plus environment, secrets only from the environment, clear errors."""

from __future__ import annotations

from pathlib import Path

import platformdirs
import pytest

from bot.models import SupportBotError
from bot.settings import load_settings

ROOT = Path(__file__).parent.parent


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file() -> None:
    s = load_settings(None)
    # The database lives in the per-user data directory, never in whatever folder the bot starts in.
    assert s.store.path == str(platformdirs.user_data_path("supportbot") / "supportbot.db")
    assert s.discord.token is None
    assert s.engine.auto_threshold == 0.8


def test_example_config_is_valid() -> None:
    s = load_settings(ROOT / "config.example.toml")
    assert s.slack.mode == "socket"


def test_file_values_and_env_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "[engine]\nauto_threshold = 0.9\n[discord]\nhelp_channels = [1, 2]\n")
    monkeypatch.setenv("SUPPORTBOT_ENGINE__AUTO_THRESHOLD", "0.95")
    monkeypatch.setenv("SUPPORTBOT_DISCORD__TOKEN", "secret-token")
    s = load_settings(path)
    assert s.engine.auto_threshold == 0.95
    assert s.discord.help_channels == [1, 2]
    assert s.discord.token is not None and s.discord.token.get_secret_value() == "secret-token"
    assert "secret-token" not in repr(s)


def test_config_path_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, '[store]\npath = "/tmp/x.db"\n')
    monkeypatch.setenv("SUPPORTBOT_CONFIG", str(path))
    assert load_settings(None).store.path == "/tmp/x.db"


def test_wrong_value_names_key_and_file(tmp_path: Path) -> None:
    path = write(tmp_path, "[engine]\nauto_threshold = 3\n")
    with pytest.raises(SupportBotError, match=rf"{path}: engine.auto_threshold: .*less than or equal to 1"):
        load_settings(path)


def test_wrong_env_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPPORTBOT_SLACK__HTTP_PORT", "not-a-port")
    with pytest.raises(SupportBotError, match=r"SUPPORTBOT_SLACK__HTTP_PORT: slack.http_port"):
        load_settings(None)


def test_unknown_key_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SupportBotError, match=r"engine.auto_treshold"):
        load_settings(write(tmp_path, "[engine]\nauto_treshold = 0.5\n"))


def test_secret_in_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, '[discord]\ntoken = "abc"\n')
    with pytest.raises(SupportBotError, match="SUPPORTBOT_DISCORD__TOKEN"):
        load_settings(path)


def test_bad_toml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SupportBotError, match="invalid TOML"):
        load_settings(write(tmp_path, "[engine\n"))
    with pytest.raises(SupportBotError, match="config file not found"):
        load_settings(tmp_path / "nope.toml")


def test_example_config_documents_every_key() -> None:
    from bot.settings import Settings

    text = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    for name, field in Settings.model_fields.items():
        annotation = field.annotation
        sub = getattr(annotation, "model_fields", None)
        if sub is None:
            assert f"{name} =" in text, name
            continue
        section = text.split(f"[{name}]", 1)[1].split("\n[", 1)[0]
        for key in sub:
            assert key in section, f"[{name}] {key} is not documented in config.example.toml"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SUPPORTBOT_DISCORD__HELP_CHANNELS", "123, 456"),
        ("SUPPORTBOT_SLACK__ADMIN_USERS", "[U1"),
        ("SUPPORTBOT_DISCORD", "not json"),
    ],
)
def test_env_value_that_is_not_json_names_the_variable(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SupportBotError, match=f"environment {name}: not valid JSON"):
        load_settings(None)


def test_config_path_that_is_not_a_readable_file(tmp_path: Path) -> None:
    with pytest.raises(SupportBotError, match=f"cannot read config file {tmp_path}"):
        load_settings(tmp_path)  # a directory
    blocker = write(tmp_path, "")
    with pytest.raises(SupportBotError, match=r"cannot read config file .*config\.toml/x\.toml"):
        load_settings(blocker / "x.toml")  # a path through a file


@pytest.mark.parametrize("value", ["inf", "nan", "-inf", "1e9"])
def test_busy_timeout_must_be_finite_and_sane(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    with pytest.raises(SupportBotError, match=r"config\.toml: store\.busy_timeout"):
        load_settings(write(tmp_path, f"[store]\nbusy_timeout = {value}\n"))
    monkeypatch.setenv("SUPPORTBOT_STORE__BUSY_TIMEOUT", value)
    with pytest.raises(SupportBotError, match=r"environment SUPPORTBOT_STORE__BUSY_TIMEOUT: store\.busy_timeout"):
        load_settings(None)


@pytest.mark.parametrize(
    ("section", "key", "value"),
    [
        ("engine", "max_input_chars", "10_000_000_000"),
        ("discord", "cooldown_seconds", "inf"),
        ("discord", "max_attachment_bytes", "10_000_000_000"),
        ("discord", "guild_ready_timeout", "nan"),
        ("slack", "max_file_bytes", "10_000_000_000"),
        ("engine", "auto_threshold", "nan"),
    ],
)
def test_numbers_are_bounded(tmp_path: Path, section: str, key: str, value: str) -> None:
    with pytest.raises(SupportBotError, match=f"{section}.{key}"):
        load_settings(write(tmp_path, f"[{section}]\n{key} = {value}\n"))
