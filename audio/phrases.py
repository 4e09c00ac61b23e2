"""What is said for a call: the sentence as text, and the same sentence as a list of voice-pack
fragments. Pure functions, no I/O.

A fragment is a short recording named by an id: a phrase of the templates (``nomor-antrean``),
a word of a number (``dua``, ``belas``, ``seribu``), a letter name (``huruf-a``) or a word of a
counter's spoken name (``pajak``). docs/voice-pack.md lists them."""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from loket.audio.numbers import LETTERS, english, indonesian, split_ticket
from loket.server.config import LoketConfig

_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Sentence:
    text: str
    """What a speech engine says, e.g. "Nomor antrean, A, dua belas, silakan menuju loket lima."."""
    fragments: tuple[str, ...]
    """The same, as voice-pack fragment ids."""
    language: str = "id"


def fragment_id(text: str) -> str:
    """``"Silakan menuju"`` -> ``"silakan-menuju"``."""
    return "-".join(_WORD.findall(text.lower()))


def letter_fragment(letter: str) -> str:
    return f"huruf-{letter.lower()}"


def ticket_words(label: str) -> tuple[str, list[str]]:
    """``"A-012"`` -> ``("A, dua belas", ["huruf-a", "dua", "belas"])``. Leading zeros are not
    spoken; two-letter prefixes are spelled letter by letter."""
    prefix, number = split_ticket(label)
    words = indonesian(number)
    text = ", ".join([*prefix, words])
    return text, [*(letter_fragment(c) for c in prefix), *words.split()]


def counter_words(config: LoketConfig, counter_id: str, counter_name: str = "",
                  spoken_name: str = "") -> str:
    """The counter as said: its ``spoken_name`` (the call's, which follows /admin, else this
    config's), else "loket" and its number in words."""
    if spoken_name:
        return spoken_name.lower()
    counter = next((c for c in config.counters if c.id == counter_id), None)
    if counter is not None and counter.spoken_name:
        return counter.spoken_name.lower()
    digits = "".join(ch for ch in counter_id if ch.isdigit())
    if digits and digits == counter_id and int(digits) <= 9999:
        return f"loket {indonesian(int(digits))}"
    name = counter.name if counter is not None else counter_name or counter_id
    return " ".join(_WORD.findall(name.lower())) or "loket"


def _template_parts(template: str) -> list[tuple[str, str | None]]:
    """``"Nomor antrean, {ticket}, ..."`` -> [("Nomor antrean, ", "ticket"), (", ...", None)]."""
    return [(literal, field) for literal, field, _spec, _conv in string.Formatter().parse(template)]


def sentence(call: Mapping[str, Any], config: LoketConfig) -> Sentence:
    """The Indonesian sentence for a ``call`` event (keys ticket, counter, counter_name,
    recall)."""
    template = config.audio.recall_template if call.get("recall") else config.audio.template
    ticket_text, ticket_fragments = ticket_words(call["ticket"])
    counter_text = counter_words(config, str(call["counter"]), call.get("counter_name", ""),
                                 str(call.get("counter_spoken_name") or ""))
    values = {"ticket": (ticket_text, ticket_fragments),
              "counter": (counter_text, counter_text.split())}
    text_parts: list[str] = []
    fragments: list[str] = []
    for literal, field in _template_parts(template):
        if literal:
            text_parts.append(literal)
            for chunk in re.split(r"[.,;:!?]+", literal):
                if fragment_id(chunk):
                    fragments.append(fragment_id(chunk))
        if field is not None:
            if field not in values:
                raise ValueError(f"[audio] template uses unknown field {{{field}}}")
            text_parts.append(values[field][0])
            fragments.extend(values[field][1])
    text = "".join(text_parts)
    text = text[:1].upper() + text[1:]
    return Sentence(text, tuple(fragments))


def english_sentence(call: Mapping[str, Any]) -> Sentence:
    """The optional second language: "Ticket A twelve, please go to counter five."."""
    prefix, number = split_ticket(call["ticket"])
    counter = str(call["counter"])
    counter_text = english(int(counter)) if counter.isdigit() and int(counter) <= 9999 else counter
    lead = "Calling again. " if call.get("recall") else ""
    ticket = f"{' '.join(prefix)} {english(number)}"
    text = f"{lead}Ticket {ticket}, please go to counter {counter_text}."
    return Sentence(text, (), "en")


def hall_fragments(config: LoketConfig) -> dict[str, str]:
    """Every fragment this hall needs, id -> the text to record or synthesise."""
    needed: dict[str, str] = {}
    for template in (config.audio.template, config.audio.recall_template):
        for literal, _field in _template_parts(template):
            for chunk in re.split(r"[.,;:!?]+", literal):
                if fragment_id(chunk):
                    needed[fragment_id(chunk)] = chunk.strip()
    for letter, name in LETTERS.items():
        needed[letter_fragment(letter)] = name
    for n in range(10000):
        for word in indonesian(n).split():
            needed.setdefault(word, word)
    for counter in config.counters:
        for word in counter_words(config, counter.id).split():
            needed.setdefault(word, word)
    return needed
