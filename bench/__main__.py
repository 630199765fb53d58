"""Run benchmarks by name: ``python -m bench`` runs all, ``python -m bench tally`` one."""

from __future__ import annotations

import importlib
import sys

# name -> module exposing ``main(argv: list[str] | None) -> int``
BENCHMARKS = {
    "tally": "bench.tally",
}


def main(argv: list[str]) -> int:
    names = [a for a in argv if not a.startswith("-")] or list(BENCHMARKS)
    options = [a for a in argv if a.startswith("-")]
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"bench: unknown benchmark {unknown[0]!r}; known: {', '.join(BENCHMARKS)}")
        return 2
    status = 0
    for name in names:
        print(f"\n### {name}")
        module = importlib.import_module(BENCHMARKS[name])
        status = max(status, module.main(options))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
