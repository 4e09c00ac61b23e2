"""Shared pydantic base for every section of ``loket.toml``."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, PrivateAttr


class Section(BaseModel):
    """A config table: unknown keys are errors (they are usually typos), fields are documented
    by the docstring under each attribute, and a loaded config is immutable."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        use_attribute_docstrings=True,
        str_strip_whitespace=True,
    )


def http_url(value: str) -> str:
    """``value`` when it is empty or an http(s) URL, else ValueError saying what is expected
    (the config loader names the key and the file)."""
    if value and not value.startswith(("http://", "https://")):
        raise ValueError("must start with http:// or https://")
    return value


class FileConfig(Section):
    """A whole config file: remembers where it was read from, so relative paths (and files
    kept beside it, such as the generated secret key) resolve against its folder."""

    _source: Path | None = PrivateAttr(default=None)

    @property
    def source(self) -> Path | None:
        """The file this config came from; None for the built-in demo hall."""
        return self._source

    @property
    def base_dir(self) -> Path:
        """Folder that relative paths in the config are resolved against."""
        return self._source.parent if self._source else Path.cwd()

    def resolve(self, path: str) -> Path:
        candidate = Path(path).expanduser()
        return candidate if candidate.is_absolute() else self.base_dir / candidate
