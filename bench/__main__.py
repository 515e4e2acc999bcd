"""``make bench``: every benchmark, each figure beside its reference and target.

Benchmarks run on demand, never in the test suite; the machines are shared and noisy, so
each figure is measured beside its reference in the same run and reported as a ratio.
"""

from __future__ import annotations

import asyncio
import platform
import sys

from bench import digest, ingest


def main() -> int:
    print(f"Python {sys.version.split()[0]} on {platform.machine()}, {platform.system()}")
    print("-" * 130)
    for line in asyncio.run(ingest.main()):
        print(line, flush=True)
    for line in asyncio.run(digest.main()):
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
