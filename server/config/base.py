"""Shared pydantic base for every section of ``loket.toml``."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Section(BaseModel):
    """A config table: unknown keys are errors (they are usually typos), fields are documented
    by the docstring under each attribute, and a loaded config is immutable."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        use_attribute_docstrings=True,
        str_strip_whitespace=True,
    )
