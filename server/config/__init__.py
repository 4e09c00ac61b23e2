"""Loading and validating ``loket.toml`` once at start-up.

``load_config(path)`` returns an immutable :class:`LoketConfig` or raises :class:`ConfigError`
whose message names the file, the key and what was expected.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from loket.server.config.city import CityConfig, CityConfigError
from loket.server.config.model import CrossCheckError, LoketConfig

__all__ = [
    "CityConfig", "ConfigError", "LoketConfig", "demo_config", "load_city_config",
    "load_config", "sample_toml",
]
M = TypeVar("M", bound=BaseModel)


class ConfigError(Exception):
    """The config file cannot be used; ``str()`` is the one message shown to the technician."""

    def __init__(self, file: str, key: str, problem: str) -> None:
        self.file, self.key, self.problem = file, key, problem
        where = f"{file}: {key}" if key else file
        super().__init__(f"{where}: {problem}")


def _key_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def _problem(error: Any) -> str:
    kind = error["type"]
    if kind == "missing":
        return "is required but missing"
    if kind == "extra_forbidden":
        return "is not a known setting (check its spelling)"
    message = str(error["msg"]).removeprefix("Value error, ")
    if "input" in error and kind != "model_type":
        message += f" (got {error['input']!r})"
    return message


def parse_config(data: dict[str, Any], source: str, path: Path | None = None) -> LoketConfig:
    """Validate already-parsed TOML data."""
    return _validate(LoketConfig, data, source, path)


def _validate(model: type[M], data: dict[str, Any], source: str, path: Path | None) -> M:
    try:
        config = model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        ctx_error = first.get("ctx", {}).get("error")
        if isinstance(ctx_error, (CrossCheckError, CityConfigError)):
            raise ConfigError(source, ctx_error.key, str(ctx_error)) from None
        raise ConfigError(source, _key_path(first["loc"]), _problem(first)) from None
    config._source = path  # type: ignore[attr-defined]
    return config


def load_config(path: str | Path) -> LoketConfig:
    """Read and validate a hall's config file."""
    return parse_config(*_read_toml(path))


def load_city_config(path: str | Path) -> CityConfig:
    """Read and validate ``city.toml`` (the city-wide view)."""
    return _validate(CityConfig, *_read_toml(path, "write one as shown in docs/deploy.md"))


def _read_toml(
    path: str | Path, hint: str = "run `loket init` to write one"
) -> tuple[dict[str, Any], str, Path]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(str(path), "", f"file not found ({hint})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), "", f"cannot be read: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), "", f"is not valid TOML: {exc}") from None
    return data, str(path), path.resolve()


def sample_toml() -> str:
    """The commented sample written by `loket init`: a realistic MPP."""
    return resources.files("loket.server").joinpath("demo_hall.toml").read_text(encoding="utf-8")


def demo_config(base_dir: Path | None = None) -> LoketConfig:
    """The demo hall used when no config file exists. Its database lives in ``base_dir``
    (default: ``./var``)."""
    data = tomllib.loads(sample_toml())
    config = parse_config(data, "<demo hall>")
    base = (base_dir or Path.cwd() / "var").resolve()
    config._source = base / "loket.toml"
    return config
