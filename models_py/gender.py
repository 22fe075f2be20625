"""Gender from a first name, with gender-guesser's offline name dictionary.

gender-guesser answers female, mostly_female, male, mostly_male, andy (androgynous) or unknown.
The warehouse keeps three values: female and male (including the "mostly" answers), and unknown
for androgynous names and names the dictionary does not know.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

import gender_guesser.detector

GENDERS = ("female", "male", "unknown")
_GUESS_TO_GENDER = {
    "female": "female",
    "mostly_female": "female",
    "male": "male",
    "mostly_male": "male",
}


@cache
def _detector() -> gender_guesser.detector.Detector:
    """The dictionary takes a second to load: load it once per process."""
    return gender_guesser.detector.Detector(case_sensitive=False)


def gender_of(first_name: str | None) -> str:
    """female, male or unknown for one first name; compound names are judged by the first one."""
    if first_name is None or not str(first_name).strip():
        return "unknown"
    name = str(first_name).strip()
    guess = _detector().get_gender(name)
    if guess == "unknown":
        first_token = re.split(r"[\s\-]+", name)[0]
        guess = _detector().get_gender(first_token)
    return _GUESS_TO_GENDER.get(guess, "unknown")


def genders_of(first_names: Iterable[str | None]) -> list[str]:
    """gender_of for each name, in order."""
    return [gender_of(name) for name in first_names]
