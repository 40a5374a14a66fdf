"""djp's settings, read once and handed to every command and to the app.

Each setting is looked for, last one winning, in: its default, the config file's
``[settings]`` table (``config.toml`` in the user config directory, or ``$DJP_CONFIG``), the
environment (``DJP_...``), then the command line's option. Each value remembers where it
came from, which ``djp config`` prints (as ``git config --show-origin`` does). A value that
cannot be used is a one-line ``ConfigError`` naming where it was set: djp never runs on a
limit the user did not ask for.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalog.errors import UserError

DEFAULT_API_URL = "https://djangopackages.org/api/v4/"
DEFAULT_PYPI_URL = "https://pypi.org/"
CONFIG_VARIABLE = "DJP_CONFIG"


class ConfigError(UserError):
    """A setting that cannot be used, with where it was set."""


def _url(text: Any) -> str:
    if not isinstance(text, str) or not text.startswith(("http://", "https://")):
        raise ValueError("not an http:// or https:// URL")
    return text if text.endswith("/") else text + "/"


def _positive(text: Any) -> float:
    try:
        value = float(text) if not isinstance(text, bool) else -1.0
    except (TypeError, ValueError):
        value = -1.0
    if not 0 < value < float("inf"):
        raise ValueError("not a positive number")
    return value


def _concurrency(text: Any) -> int:
    if isinstance(text, bool) or str(text).strip() not in {str(n) for n in range(1, 33)}:
        raise ValueError("not a whole number from 1 to 32")
    return int(str(text).strip())


def _path(text: Any) -> Path:
    if not isinstance(text, str | Path) or not str(text):
        raise ValueError("not a path")
    return Path(text).expanduser()


def default_config_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir("djp", appauthor=False)) / "config.toml"


def default_store_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("djp", appauthor=False)) / "store"


@dataclass(frozen=True)
class Setting:
    name: str  # the key in [settings] and the attribute of Config
    variable: str  # the environment variable
    default: Callable[[], Any]
    parse: Callable[[Any], Any]
    help: str
    option: str = ""  # the command line's option, where one sets it


SETTINGS = (
    Setting("store", "DJP_STORE", default_store_path, _path, "the store's directory", "--store"),
    Setting(
        "api_url", "DJP_API_URL", lambda: DEFAULT_API_URL, _url, "Django Packages API v4",
        "--base-url",
    ),
    Setting("pypi_url", "DJP_PYPI_URL", lambda: DEFAULT_PYPI_URL, _url, "PyPI", "--pypi-url"),
    Setting(
        "request_deadline", "DJP_REQUEST_DEADLINE", lambda: 60.0, _positive,
        "seconds for one HTTP request, redirects and body included",
    ),
    Setting(
        "sync_deadline", "DJP_SYNC_DEADLINE", lambda: 900.0, _positive,
        "seconds for a whole catalogue sync",
    ),
    Setting(
        "max_response_mb", "DJP_MAX_RESPONSE_MB", lambda: 50.0, _positive,
        "MB of one response body, after decompression (PyPI's: 20 unless set)",
    ),
    Setting(
        "pypi_concurrency", "DJP_PYPI_CONCURRENCY", lambda: 4, _concurrency,
        "PyPI requests at a time",
    ),
)  # fmt: skip
BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Config:
    """The effective settings: ``config.NAME`` is a value, ``origins[NAME]`` where it came
    from (``default``, ``config file PATH``, ``environment DJP_X``, ``option --x``)."""

    values: Mapping[str, Any]
    origins: Mapping[str, str]
    path: Path = field(default_factory=default_config_path)  # the config file read

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["values"][name]
        except KeyError:
            raise AttributeError(name) from None

    def explicit(self, name: str) -> bool:
        return self.origins[name] != "default"

    def with_options(self, **options: Any) -> Config:
        """This config with the command line's options that were given (not None)."""
        values, origins = dict(self.values), dict(self.origins)
        for name, value in options.items():
            if value is None:
                continue
            setting = BY_NAME[name]
            origin = f"option {setting.option}" if setting.option else "option"
            values[name] = _parsed(setting, value, origin)
            origins[name] = origin
        return Config(values, origins, self.path)


def _parsed(setting: Setting, value: Any, origin: str) -> Any:
    try:
        return setting.parse(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{setting.name} = {value!r} ({origin}): {exc}") from None


def load_config(
    environ: Mapping[str, str] | None = None,
    path: Path | None = None,
    **options: Any,
) -> Config:
    """The settings from the defaults, the config file, ``environ`` (the process's when None)
    and ``options`` (the command line's; None is not given)."""
    environ = os.environ if environ is None else environ
    if path is None:
        named = environ.get(CONFIG_VARIABLE)
        path = Path(named).expanduser() if named else default_config_path()
    from_file = _read_settings(path)
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for setting in SETTINGS:
        origin, value = "default", None
        if setting.name in from_file:
            origin, value = f"config file {path}", from_file[setting.name]
        if environ.get(setting.variable):
            origin, value = f"environment {setting.variable}", environ[setting.variable]
        values[setting.name] = (
            setting.default() if value is None else _parsed(setting, value, origin)
        )
        origins[setting.name] = origin
    return Config(values, origins, path).with_options(**options)


def _read_settings(path: Path) -> dict[str, Any]:
    """``[settings]`` of the config file: {} when there is no file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read ({exc})") from None
    import tomllib  # here: most machines have no config file

    try:
        table = tomllib.loads(text).get("settings", {})
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not TOML ({exc})") from None
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [settings] is not a table")
    unknown = sorted(set(table) - set(BY_NAME))
    if unknown:
        raise ConfigError(
            f"{path}: [settings] has no {', '.join(unknown)} (known: {', '.join(BY_NAME)})"
        )
    return table
