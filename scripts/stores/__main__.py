"""`python -m scripts.stores sample-env`: shell `export` lines giving dbt every store's shipped
sample (the linter compiles each store's models on it; Makefile `lint`)."""

from __future__ import annotations

import shlex
import sys

from scripts.stores import STORES


def main(argv: list[str]) -> int:
    if argv != ["sample-env"]:
        print("usage: python -m scripts.stores sample-env", file=sys.stderr)
        return 2
    environment = {"COMMERCE_STORES": ",".join(store.name for store in STORES)}
    for store in STORES:
        environment |= store.sample_environment()
    for name, value in environment.items():
        print(f"export {name}={shlex.quote(value)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
