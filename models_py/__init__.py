"""Segmentation logic: pure functions used by the dbt Python models, the API and the dashboard."""
