"""models_py.gender: three values from gender-guesser's answers."""

from __future__ import annotations

import gender_guesser.detector
import pytest

from models_py.gender import GENDERS, gender_of, genders_of


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("María", "female"),  # gender-guesser: mostly_female
        ("MARIA", "female"),  # case does not matter
        ("  Juan ", "male"),
        ("José", "male"),
        ("Kimberly", "female"),
        ("María José", "female"),  # compound: judged by the first name
        ("Jean-Pierre", "male"),
        ("Yeison", "unknown"),  # not in the dictionary
        ("Jhon", "unknown"),
        ("", "unknown"),
        (None, "unknown"),
    ],
)
def test_gender_of(name, expected):
    assert gender_of(name) == expected


def test_androgynous_names_are_unknown():
    detector = gender_guesser.detector.Detector(case_sensitive=False)
    assert detector.get_gender("Addison") == "andy"
    assert gender_of("Addison") == "unknown"


def test_genders_of_keeps_order_and_values():
    names = ["Ana", None, "Luis", "Yeison"]
    assert genders_of(names) == ["female", "unknown", "male", "unknown"]
    assert set(genders_of(names)) <= set(GENDERS)
