"""Indeks Kepuasan Masyarakat (IKM), exactly as PermenPAN-RB No. 14 Tahun 2017 computes it.

Pure logic, no I/O. For each of the nine elements (*unsur*) the average score of the respondents
(*nilai rata-rata*, NRR) is taken; each is weighted equally, 1/9 exactly (the regulation prints
0.111, which would cap a perfect score at 99.9), summed and multiplied by 25 to give a value
from 25 to 100. Arithmetic is done with :class:`fractions.Fraction`, so no float error creeps in
before the one rounding, half up, to two decimals.

Grading (the regulation's *konversi* table): A *sangat baik* 88.31–100, B *baik* 76.61–88.30,
C *kurang baik* 65.00–76.60, D *tidak baik* 25.00–64.99. The table has gaps between its rows
(88.30 … 88.31), so Loket grades the published, rounded value: an exact IKM of 88.305 is shown
as 88.31 and graded A, 88.3049… is shown as 88.30 and graded B. The number and the letter a
citizen sees therefore always agree with the table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

ELEMENT_COUNT = 9
SCORE_MIN, SCORE_MAX = 1, 4

ELEMENTS: tuple[dict[str, object], ...] = (
    {
        "key": "persyaratan",
        "id": "Persyaratan",
        "en": "Requirements",
        "question_id": "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan "
        "dengan jenis pelayanannya?",
        "question_en": "How well do the requirements fit the kind of service?",
        "scale_id": ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
        "scale_en": ("Not appropriate", "Less appropriate", "Appropriate", "Very appropriate"),
    },
    {
        "key": "prosedur",
        "id": "Sistem, mekanisme dan prosedur",
        "en": "System, mechanism and procedure",
        "question_id": "Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di "
        "unit ini?",
        "question_en": "How easy is the service procedure here?",
        "scale_id": ("Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"),
        "scale_en": ("Not easy", "Less easy", "Easy", "Very easy"),
    },
    {
        "key": "waktu",
        "id": "Waktu penyelesaian",
        "en": "Completion time",
        "question_id": "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan "
        "pelayanan?",
        "question_en": "How fast was the service given?",
        "scale_id": ("Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"),
        "scale_en": ("Not fast", "Less fast", "Fast", "Very fast"),
    },
    {
        "key": "biaya",
        "id": "Biaya/tarif",
        "en": "Cost/tariff",
        "question_id": "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam "
        "pelayanan?",
        "question_en": "How fair is the cost or tariff of the service?",
        "scale_id": ("Sangat mahal", "Cukup mahal", "Murah", "Gratis"),
        "scale_en": ("Very expensive", "Fairly expensive", "Cheap", "Free"),
    },
    {
        "key": "produk",
        "id": "Produk spesifikasi jenis pelayanan",
        "en": "Service product specification",
        "question_id": "Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara "
        "yang tercantum dalam standar pelayanan dengan hasil yang diberikan?",
        "question_en": "How well does the result match the product in the service standard?",
        "scale_id": ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
        "scale_en": ("Not appropriate", "Less appropriate", "Appropriate", "Very appropriate"),
    },
    {
        "key": "kompetensi",
        "id": "Kompetensi pelaksana",
        "en": "Staff competence",
        "question_id": "Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam "
        "pelayanan?",
        "question_en": "How competent were the officers?",
        "scale_id": ("Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten"),
        "scale_en": ("Not competent", "Less competent", "Competent", "Very competent"),
    },
    {
        "key": "perilaku",
        "id": "Perilaku pelaksana",
        "en": "Staff behaviour",
        "question_id": "Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan "
        "terkait kesopanan dan keramahan?",
        "question_en": "How polite and friendly were the officers?",
        "scale_id": (
            "Tidak sopan dan ramah",
            "Kurang sopan dan ramah",
            "Sopan dan ramah",
            "Sangat sopan dan ramah",
        ),
        "scale_en": (
            "Not polite and friendly",
            "Less polite and friendly",
            "Polite and friendly",
            "Very polite and friendly",
        ),
    },
    {
        "key": "pengaduan",
        "id": "Penanganan pengaduan, saran dan masukan",
        "en": "Handling of complaints, suggestions and feedback",
        "question_id": "Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna "
        "layanan?",
        "question_en": "How are complaints from service users handled?",
        "scale_id": (
            "Tidak ada",
            "Ada tetapi tidak berfungsi",
            "Berfungsi kurang maksimal",
            "Dikelola dengan baik",
        ),
        "scale_en": (
            "There is none",
            "There is, but it does not work",
            "It works, but not fully",
            "Well managed",
        ),
    },
    {
        "key": "sarana",
        "id": "Sarana dan prasarana",
        "en": "Facilities and infrastructure",
        "question_id": "Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
        "question_en": "How good are the facilities and infrastructure?",
        "scale_id": ("Buruk", "Cukup", "Baik", "Sangat baik"),
        "scale_en": ("Poor", "Fair", "Good", "Very good"),
    },
)
"""The nine elements in the regulation's order, with its sample questionnaire's wording."""

GRADES: tuple[tuple[Decimal, str, str, str], ...] = (
    (Decimal("88.31"), "A", "Sangat baik", "Very good"),
    (Decimal("76.61"), "B", "Baik", "Good"),
    (Decimal("65.00"), "C", "Kurang baik", "Not good"),
    (Decimal("25.00"), "D", "Tidak baik", "Poor"),
)
"""Lower bound of each grade (applied to the IKM rounded to two decimals), letter, wording."""

WEIGHT = Fraction(1, ELEMENT_COUNT)
_CENT = Decimal("0.01")


class SurveyError(ValueError):
    """Scores that are not nine integers from 1 to 4."""


def validate_scores(scores: object) -> list[int]:
    """The nine scores as ints, or :class:`SurveyError` saying what is wrong."""
    if not isinstance(scores, list | tuple):
        raise SurveyError("scores must be a list of nine integers")
    if len(scores) != ELEMENT_COUNT:
        raise SurveyError(f"scores must have {ELEMENT_COUNT} values, got {len(scores)}")
    for value in scores:
        if isinstance(value, bool) or not isinstance(value, int):
            raise SurveyError("every score must be an integer")
        if not SCORE_MIN <= value <= SCORE_MAX:
            raise SurveyError(f"every score must be from {SCORE_MIN} to {SCORE_MAX}")
    return [int(v) for v in scores]


def _exact_round2(value: Fraction) -> Decimal:
    """Half-up rounding to two decimals, done on the exact fraction (no binary or decimal
    approximation can push a value just below a half-cent over it)."""
    scaled = value * 100
    floor = scaled.numerator // scaled.denominator
    remainder = scaled - floor
    cents = floor + (1 if remainder >= Fraction(1, 2) else 0)
    return (Decimal(cents) / 100).quantize(_CENT)


def grade(ikm: Decimal) -> tuple[str, str, str]:
    """(letter, Indonesian wording, English wording) of a rounded IKM."""
    for lower, letter, text_id, text_en in GRADES:
        if ikm >= lower:
            return letter, text_id, text_en
    raise ValueError(f"IKM {ikm} is below 25: not a result of scores 1-4")


@dataclass(frozen=True)
class IkmResult:
    respondents: int
    element_averages: tuple[Fraction, ...]
    ikm_exact: Fraction | None

    @property
    def ikm(self) -> Decimal | None:
        return None if self.ikm_exact is None else _exact_round2(self.ikm_exact)

    @property
    def grade(self) -> tuple[str, str, str] | None:
        value = self.ikm
        return None if value is None else grade(value)

    def as_dict(self, lang: str = "id") -> dict[str, object]:
        """The API's shape: ``ikm`` rounded to two decimals, element averages to three."""
        value = self.ikm
        graded = self.grade
        return {
            "ikm": None if value is None else float(value),
            "grade": graded[0] if graded else None,
            "grade_text": (graded[1] if lang == "id" else graded[2]) if graded else None,
            "respondents": self.respondents,
            "elements": [
                float(_exact_round3(avg)) for avg in self.element_averages
            ] if self.respondents else [None] * ELEMENT_COUNT,
        }


def _exact_round3(value: Fraction) -> Decimal:
    scaled = value * 1000
    floor = scaled.numerator // scaled.denominator
    cents = floor + (1 if scaled - floor >= Fraction(1, 2) else 0)
    return Decimal(cents) / 1000


def ikm_from_sums(respondents: int, sums: Sequence[int]) -> IkmResult:
    """IKM from the number of respondents and each element's score total (what SQL gives)."""
    if len(sums) != ELEMENT_COUNT:
        raise ValueError(f"need {ELEMENT_COUNT} element sums")
    if respondents <= 0:
        return IkmResult(0, tuple(Fraction(0) for _ in sums), None)
    averages = tuple(Fraction(int(total), respondents) for total in sums)
    index = sum((avg * WEIGHT for avg in averages), Fraction(0)) * 25
    return IkmResult(respondents, averages, index)


def ikm_from_responses(responses: Iterable[Sequence[int]]) -> IkmResult:
    """IKM from the respondents' score lists (for tests and small sets)."""
    sums = [0] * ELEMENT_COUNT
    count = 0
    for scores in responses:
        for i, value in enumerate(validate_scores(list(scores))):
            sums[i] += value
        count += 1
    return ikm_from_sums(count, sums)
