"""Applications that read the published warehouse: the scoring API (and later the dashboard)."""
