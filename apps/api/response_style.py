"""The one style of every JSON answer: camelCase keys, money to cents, scores to 4 significant digits.

The keys follow /api/cluster's original camelCase shape (clusterId, inputValues, modelRunId),
which clients integrate against; answers built from warehouse rows (snake_case columns) have their
keys converted here. Numbers are rounded when an answer is built, by the field's type in
apps.api.schemas: `Money` (monetary values, basket values, revenue, predicted lifetime value) to
cents, `Score` (probabilities, shares, distances, scores, means, expected counts) to 4
significant digits. Inputs echoed back are never rounded.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import AfterValidator

MONEY_DECIMALS = 2
SCORE_SIGNIFICANT_DIGITS = 4


def to_camel(name: str) -> str:
    """`expected_purchases_90d` -> `expectedPurchases90d`; a name without `_` is kept as it is."""
    first, *rest = name.split("_")
    return first + "".join(part[:1].upper() + part[1:] for part in rest)


def camel_keys(value: Any) -> Any:
    """`value` with the keys of every dict in it (nested dicts and lists too) in camelCase."""
    if isinstance(value, dict):
        return {to_camel(str(key)): camel_keys(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [camel_keys(item) for item in value]
    return value


def cents(value: float) -> float:
    """Money rounded to cents (15.299999999999999 -> 15.3); NaN and infinities kept."""
    return round(value, MONEY_DECIMALS) if math.isfinite(value) else value


def significant(value: float, digits: int = SCORE_SIGNIFICANT_DIGITS) -> float:
    """`value` rounded to `digits` significant digits (0.123456 -> 0.1235, 1234.56 -> 1235.0)."""
    if value == 0 or not math.isfinite(value):
        return value
    return float(f"{value:.{digits - 1}e}")


# field types of the response models: rounded when the answer is built
Money = Annotated[float, AfterValidator(cents)]
Score = Annotated[float, AfterValidator(significant)]
