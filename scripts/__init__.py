"""Command-line entry points: build and publish, data generators, export, docs, screenshots.

Run them as `python -m scripts.<name>` (or `python scripts/<name>.py`); they import each other
as the `scripts` package, installed with the project.
"""
