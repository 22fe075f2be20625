"""Applications that read the published warehouse: the scoring API (apps/api) and the dashboard
(apps/dashboard), on one shared reader (warehouse.py), store list (stores.py) and per-store
segment models (segment_models.py)."""
