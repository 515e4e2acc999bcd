"""``make bench``: every benchmark, each figure beside its reference and target.

Benchmarks run on demand, never in the test suite; the machines are shared and noisy, so
each figure is measured beside its reference in the same run and reported as a ratio.

    python -m bench                   # all, full size (about 30 minutes: the fan-outs
                                      # take 11.5 min each at 30 messages a second)
    python -m bench --quick           # small variants (about 2 minutes)
    python -m bench fanout digest     # only some (fanout, ingest, digest, footprint, exports)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from bench import digest, exports, fanout, footprint, ingest

BENCHMARKS: dict[str, Callable[[bool], Coroutine[Any, Any, list[str]]]] = {
    "fanout": lambda quick: fanout.main(quick=quick),
    "ingest": lambda quick: ingest.main(quick=quick),
    "digest": lambda quick: digest.main(quick=quick),
    "footprint": lambda quick: footprint.main(quick=quick),
    "exports": lambda quick: exports.run(communes=9 if quick else 99, reps=1 if quick else 3),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="small variants (2,000 messages at raised limits...)"
    )
    parser.add_argument("only", nargs="*", help=f"benchmarks to run: {', '.join(BENCHMARKS)}")
    args = parser.parse_args(argv)
    names = args.only or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    print(
        f"Python {sys.version.split()[0]} on {platform.machine()}, {platform.system()}, "
        f"{os.cpu_count()} cores{' (quick variants)' if args.quick else ''}"
    )
    print("-" * 130)
    for name in names:
        for line in asyncio.run(BENCHMARKS[name](args.quick)):
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
