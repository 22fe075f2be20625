"""Streamlit dashboard over the published warehouse: `make dashboard` (read-only, 127.0.0.1)."""
