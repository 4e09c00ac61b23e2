"""Numbers and letters as Indonesian (and English) words. Pure functions, no I/O.

Indonesian: *se-* replaces *satu* only in sepuluh, sebelas, seratus and seribu (also inside
larger numbers: 111 seratus sebelas, 1100 seribu seratus); no "dan"; zeros are skipped
(1001 seribu satu)."""

from __future__ import annotations

ONES = ("nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan")
LETTERS = {
    "A": "a", "B": "be", "C": "ce", "D": "de", "E": "e", "F": "ef", "G": "ge", "H": "ha",
    "I": "i", "J": "je", "K": "ka", "L": "el", "M": "em", "N": "en", "O": "o", "P": "pe",
    "Q": "ki", "R": "er", "S": "es", "T": "te", "U": "u", "V": "fe", "W": "we", "X": "eks",
    "Y": "ye", "Z": "zet",
}
"""Indonesian names of the letters, as said in a ticket prefix."""

_EN_ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
            "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
            "seventeen", "eighteen", "nineteen")
_EN_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")


def _check(n: int) -> None:
    if not isinstance(n, int) or not 0 <= n <= 9999:
        raise ValueError(f"{n!r} is outside 0-9999")


def indonesian(n: int) -> str:
    """``12`` -> ``"dua belas"``, ``1001`` -> ``"seribu satu"``."""
    _check(n)
    if n < 10:
        return ONES[n]
    parts: list[str] = []
    thousands, rest = divmod(n, 1000)
    if thousands:
        parts.append("seribu" if thousands == 1 else f"{ONES[thousands]} ribu")
    hundreds, rest = divmod(rest, 100)
    if hundreds:
        parts.append("seratus" if hundreds == 1 else f"{ONES[hundreds]} ratus")
    if rest == 10:
        parts.append("sepuluh")
    elif rest == 11:
        parts.append("sebelas")
    elif 12 <= rest <= 19:
        parts.append(f"{ONES[rest - 10]} belas")
    elif rest >= 20:
        tens, ones = divmod(rest, 10)
        parts.append(f"{ONES[tens]} puluh" + (f" {ONES[ones]}" if ones else ""))
    elif rest:
        parts.append(ONES[rest])
    return " ".join(parts)


def english(n: int) -> str:
    """``12`` -> ``"twelve"``, ``1001`` -> ``"one thousand one"``."""
    _check(n)
    if n < 20:
        return _EN_ONES[n]
    parts: list[str] = []
    thousands, rest = divmod(n, 1000)
    if thousands:
        parts.append(f"{_EN_ONES[thousands]} thousand")
    hundreds, rest = divmod(rest, 100)
    if hundreds:
        parts.append(f"{_EN_ONES[hundreds]} hundred")
    if rest >= 20:
        tens, ones = divmod(rest, 10)
        parts.append(_EN_TENS[tens] + (f"-{_EN_ONES[ones]}" if ones else ""))
    elif rest:
        parts.append(_EN_ONES[rest])
    return " ".join(parts)


def split_ticket(label: str) -> tuple[str, int]:
    """``"A-007"`` -> ``("A", 7)``."""
    prefix, _, digits = label.partition("-")
    if not prefix.isalpha() or not digits.isdigit():
        raise ValueError(f"{label!r} is not a ticket such as A-012")
    return prefix.upper(), int(digits)
