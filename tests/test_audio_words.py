"""Indonesian number words, letter names and the announcement sentence."""

from __future__ import annotations

import pytest

from loket.audio.numbers import LETTERS, english, indonesian, split_ticket
from loket.audio.phrases import english_sentence, hall_fragments, sentence, ticket_words
from loket.server.config import LoketConfig

NUMBERS = {
    0: "nol", 1: "satu", 2: "dua", 3: "tiga", 4: "empat", 5: "lima", 6: "enam", 7: "tujuh",
    8: "delapan", 9: "sembilan", 10: "sepuluh", 11: "sebelas", 12: "dua belas",
    13: "tiga belas", 15: "lima belas", 19: "sembilan belas", 20: "dua puluh",
    21: "dua puluh satu", 30: "tiga puluh", 45: "empat puluh lima", 99: "sembilan puluh sembilan",
    100: "seratus", 101: "seratus satu", 110: "seratus sepuluh", 111: "seratus sebelas",
    112: "seratus dua belas", 120: "seratus dua puluh", 199: "seratus sembilan puluh sembilan",
    200: "dua ratus", 205: "dua ratus lima", 250: "dua ratus lima puluh",
    311: "tiga ratus sebelas", 999: "sembilan ratus sembilan puluh sembilan",
    1000: "seribu", 1001: "seribu satu", 1010: "seribu sepuluh", 1011: "seribu sebelas",
    1100: "seribu seratus", 1111: "seribu seratus sebelas", 1200: "seribu dua ratus",
    1999: "seribu sembilan ratus sembilan puluh sembilan", 2000: "dua ribu",
    2005: "dua ribu lima", 2010: "dua ribu sepuluh", 2100: "dua ribu seratus",
    3333: "tiga ribu tiga ratus tiga puluh tiga", 5000: "lima ribu",
    7011: "tujuh ribu sebelas", 8080: "delapan ribu delapan puluh",
    9000: "sembilan ribu", 9001: "sembilan ribu satu",
    9999: "sembilan ribu sembilan ratus sembilan puluh sembilan",
}

LETTER_NAMES = "a be ce de e ef ge ha i je ka el em en o pe ki er es te u fe we eks ye zet"


@pytest.mark.parametrize(("number", "words"), sorted(NUMBERS.items()))
def test_indonesian_numbers(number: int, words: str) -> None:
    assert indonesian(number) == words


def test_table_is_large_enough() -> None:
    assert len(NUMBERS) >= 50


def test_every_number_is_words_without_dan_or_satu_ratus() -> None:
    for n in range(10000):
        words = indonesian(n)
        assert "dan" not in words.split()
        assert "satu ratus" not in words and "satu ribu" not in words
        assert "satu puluh" not in words and "satu belas" not in words
        assert n == 0 or "nol" not in words


@pytest.mark.parametrize("bad", [-1, 10000, 1.5])
def test_out_of_range(bad: object) -> None:
    with pytest.raises(ValueError):
        indonesian(bad)  # type: ignore[arg-type]


def test_all_26_letters() -> None:
    assert " ".join(LETTERS[chr(c)] for c in range(ord("A"), ord("Z") + 1)) == LETTER_NAMES


def test_english_numbers() -> None:
    assert [english(n) for n in (0, 12, 21, 100, 1001, 9999)] == [
        "zero", "twelve", "twenty-one", "one hundred", "one thousand one",
        "nine thousand nine hundred ninety-nine"]


def test_ticket_words_skip_leading_zeros_and_spell_prefixes() -> None:
    assert ticket_words("A-007") == ("A, tujuh", ["huruf-a", "tujuh"])
    assert ticket_words("AB-012") == ("A, B, dua belas", ["huruf-a", "huruf-b", "dua", "belas"])
    assert split_ticket("C-100") == ("C", 100)
    with pytest.raises(ValueError):
        split_ticket("12")


def test_sentence_matches_the_issue(config: LoketConfig) -> None:
    call = {"ticket": "A-012", "counter": "5", "counter_name": "Loket 5", "recall": False}
    said = sentence(call, config)
    assert said.text == "Nomor antrean, A, dua belas, silakan menuju loket lima."
    assert said.fragments == ("nomor-antrean", "huruf-a", "dua", "belas", "silakan-menuju",
                              "loket", "lima")
    recall = sentence({**call, "recall": True}, config)
    assert recall.text.startswith("Panggilan ulang. Nomor antrean, A, dua belas")
    assert recall.fragments[0] == "panggilan-ulang"


def test_spoken_name_and_templates(write_config) -> None:  # type: ignore[no-untyped-def]
    from loket.server.config import load_config
    from tests.support.hall import SMALL_HALL

    spoken = 'name = "Loket 5"\nspoken_name = "loket pajak lima"'
    text = SMALL_HALL.replace('name = "Loket 5"', spoken)
    text = text.replace("[audio]\nenabled = false", '[audio]\nenabled = false\ntemplate = '
                        '"{ticket}, ke {counter}."')
    config = load_config(write_config(text))
    said = sentence({"ticket": "C-101", "counter": "5"}, config)
    assert said.text == "C, seratus satu, ke loket pajak lima."
    fragments = hall_fragments(config)
    assert {"pajak", "ke", "huruf-z", "seribu", "sebelas", "belas"} <= set(fragments)
    assert set(said.fragments) <= set(fragments)


def test_english_second_language() -> None:
    assert english_sentence({"ticket": "A-012", "counter": "5"}).text == (
        "Ticket A twelve, please go to counter five.")
