"""IKM arithmetic against hand-computed examples (PermenPAN-RB No. 14/2017)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from loket.server import ikm


def test_nine_elements_in_the_regulations_order() -> None:
    assert [e["key"] for e in ikm.ELEMENTS] == [
        "persyaratan", "prosedur", "waktu", "biaya", "produk", "kompetensi", "perilaku",
        "pengaduan", "sarana",
    ]
    assert ikm.ELEMENTS[7]["id"] == "Penanganan pengaduan, saran dan masukan"
    assert all(len(e["scale_id"]) == 4 and len(e["scale_en"]) == 4 for e in ikm.ELEMENTS)
    assert ikm.ELEMENTS[3]["scale_id"] == ("Sangat mahal", "Cukup mahal", "Murah", "Gratis")


def test_all_fours_is_exactly_100_not_99_9() -> None:
    # With the printed weight 0.111 this would be 4 * 0.111 * 9 * 25 = 99.9.
    result = ikm.ikm_from_responses([[4] * 9] * 3)
    assert result.ikm_exact == 100
    assert result.ikm == Decimal("100.00")
    assert result.grade[0] == "A"
    assert ikm.ikm_from_responses([[1] * 9]).as_dict()["ikm"] == 25.0


def test_hand_computed_three_respondents() -> None:
    # Element sums: 3+4+3=10, 3+3+3=9, 2+3+2=7, 4+4+4=12, 3+3+4=10, 3+4+3=10, 4+4+3=11,
    # 2+3+3=8, 3+3+3=9 -> total 86 over 3 respondents and 9 elements.
    # IKM = 86 / 27 * 25 = 2150 / 27 = 79.6296... -> 79.63, grade B.
    responses = [
        [3, 3, 2, 4, 3, 3, 4, 2, 3],
        [4, 3, 3, 4, 3, 4, 4, 3, 3],
        [3, 3, 2, 4, 4, 3, 3, 3, 3],
    ]
    result = ikm.ikm_from_responses(responses)
    assert result.ikm_exact == Fraction(2150, 27)
    assert result.ikm == Decimal("79.63")
    assert result.grade == ("B", "Baik", "Good")
    body = result.as_dict()
    assert body == {
        "ikm": 79.63, "grade": "B", "grade_text": "Baik", "respondents": 3,
        "elements": [3.333, 3.0, 2.333, 4.0, 3.333, 3.333, 3.667, 2.667, 3.0],
    }


def test_weight_is_exactly_one_ninth_not_0_111() -> None:
    result = ikm.ikm_from_sums(9, [27] * 9)  # every element averages 3
    assert result.ikm_exact == 75
    assert result.ikm == Decimal("75.00")
    assert result.grade[0] == "C"
    # 0.111 weighting would have given 3 * 0.111 * 9 * 25 = 74.925 -> 74.93
    assert result.ikm != Decimal("74.93")


@pytest.mark.parametrize(
    ("exact", "shown", "letter"),
    [
        (Fraction(8831, 100), "88.31", "A"),
        (Fraction(88305, 1000), "88.31", "A"),  # half a cent rounds up into A
        (Fraction(883049999, 10**7), "88.30", "B"),  # just below half a cent stays B
        (Fraction(8830, 100), "88.30", "B"),
        (Fraction(7661, 100), "76.61", "B"),
        (Fraction(76605, 1000), "76.61", "B"),
        (Fraction(76604, 1000), "76.60", "C"),
        (Fraction(6500, 100), "65.00", "C"),
        (Fraction(64995, 1000), "65.00", "C"),
        (Fraction(64994, 1000), "64.99", "D"),
        (Fraction(25), "25.00", "D"),
    ],
)
def test_grade_boundaries_after_rounding(exact: Fraction, shown: str, letter: str) -> None:
    result = ikm.IkmResult(respondents=1, element_averages=(), ikm_exact=exact)
    assert result.ikm == Decimal(shown)
    assert result.grade[0] == letter


def test_boundary_reached_by_real_responses() -> None:
    # Three respondents: IKM = total / 27 * 25. A total of 95 gives 87.96 (B), 96 gives
    # 88.888... -> 88.89 (A).
    low = ikm.ikm_from_sums(3, [11] * 5 + [10] * 4)  # total 95
    high = ikm.ikm_from_sums(3, [11] * 6 + [10] * 3)  # total 96
    assert (str(low.ikm), low.grade[0]) == ("87.96", "B")
    assert (str(high.ikm), high.grade[0]) == ("88.89", "A")


@pytest.mark.parametrize(
    "scores",
    [[4] * 8, [4] * 10, [0] + [4] * 8, [5] + [4] * 8, [True] + [4] * 8, ["4"] * 9, [4.0] * 9,
     "444444444", None],
)
def test_bad_scores_are_refused(scores: object) -> None:
    with pytest.raises(ikm.SurveyError):
        ikm.validate_scores(scores)


def test_no_respondents() -> None:
    body = ikm.ikm_from_sums(0, [0] * 9).as_dict()
    assert body["ikm"] is None and body["grade"] is None and body["respondents"] == 0
