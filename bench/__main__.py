"""Run benchmarks by name.

``python -m bench`` runs every benchmark; ``python -m bench cast race`` the named ones;
options after the names go to each of them (``python -m bench cast --voters 5000``).
"""

from __future__ import annotations

import importlib
import sys

# name -> module exposing ``main(argv: list[str] | None) -> int``
BENCHMARKS = {
    "tally": "bench.tally",
    "import": "bench.import_pb",
    "cast": "bench.cast",
    "race": "bench.race",
    "realtime": "bench.realtime",
    "pages": "bench.pages",
    "secrecy": "bench.secrecy",
    "outage": "bench.outage",
    "architecture": "bench.architecture",
    "survey": "bench.survey",
    "board": "bench.board",
}


def main(argv: list[str]) -> int:
    names: list[str] = []
    while argv and not argv[0].startswith("-"):
        names.append(argv.pop(0))
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"bench: unknown benchmark {unknown[0]!r}; known: {', '.join(BENCHMARKS)}")
        return 2
    status = 0
    for name in names or list(BENCHMARKS):
        print(f"\n### {name}", flush=True)
        module = importlib.import_module(BENCHMARKS[name])
        status = max(status, module.main(list(argv)))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
