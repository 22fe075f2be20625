"""Comparing the API's rounded numbers with an independent computation: money is answered to
cents, scores to 4 significant digits (apps.api.response_style), so a number the API answers is
within half a cent, or half a unit of its 4th significant digit, of the exact value."""

from __future__ import annotations

import pytest

MONEY_TOLERANCE = 0.005 + 1e-9
SCORE_TOLERANCE = 5e-4 + 1e-9  # relative


def approx_money(expected):
    return pytest.approx(expected, rel=0, abs=MONEY_TOLERANCE)


def approx_score(expected):
    return pytest.approx(expected, rel=SCORE_TOLERANCE, abs=1e-12)
