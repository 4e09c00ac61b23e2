"""docs/configuration.md is generated from the config models and must be current."""

from __future__ import annotations

from pathlib import Path

from loket.server.config.doc import render
from loket.server.config.model import LoketConfig

DOC = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"


def test_configuration_doc_is_up_to_date() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/configuration.md is stale: run `python -m loket.server.config.doc > "
        "docs/configuration.md`"
    )


def test_every_key_is_documented() -> None:
    text = render()
    for name, field in LoketConfig.model_fields.items():
        assert f"[{name}]" in text
        model = field.annotation
        inner = getattr(model, "__args__", (model,))[0]
        for key, sub in inner.model_fields.items():
            assert f"| `{key}` |" in text, f"{name}.{key}"
            assert sub.description, f"{name}.{key} has no docstring"
