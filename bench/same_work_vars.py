"""The run-time settings both same-work contenders follow: the project's own dbt vars
(dbt_project/dbt_project.yml), read from there so the contenders cannot drift from the build."""

from __future__ import annotations

import yaml

from scripts.project_paths import DBT_PROJECT_DIR

STORE = "online_retail"
_VARS = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"]

HOLDOUT_DAYS = int(_VARS["recommendation_holdout_days"])
MIN_SUPPORT = float(_VARS["association_min_support"])
MIN_BASKETS = int(_VARS["association_min_baskets"])
MAX_BASKET_PRODUCTS = int(_VARS["association_max_basket_products"])
MAX_RULES_PER_PRODUCT = int(_VARS["association_max_rules_per_product"])
MAX_CUSTOMER_PRODUCTS = int(_VARS["recommendation_max_customer_products"])
PER_CUSTOMER = int(_VARS["recommendations_per_customer"])
POOL = 100  # products kept per popularity list (macro product_popularity's default)
NEW_CUSTOMER_MONTHS = 3  # the interest prediction's test customers (models_py.interests)
