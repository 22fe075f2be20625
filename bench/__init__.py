"""Benchmarks: the project's build against the pandas notebook way and a hand-written DuckDB floor."""
