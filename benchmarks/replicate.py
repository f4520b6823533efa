"""K disjoint copies of a store's N-Quads export (see ``quyhoach.graph.replicate``).

    quyhoach --store /tmp/seed load && quyhoach --store /tmp/seed export --format nquads -o seed.nq
    python benchmarks/replicate.py seed.nq -k 20 -o copies-1m.nq      # about 1 M quads
    python benchmarks/replicate.py seed.nq -k 200 -o copies-10m.nq    # about 10 M quads

The ontology graph is written once; derived graphs (inferred, findings) are left out unless
``--keep-derived``, so ``quyhoach reason`` / ``quyhoach check`` re-derive them on the copies.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from quyhoach.graph.replicate import ReplicateError, replicate


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="N-Quads export of a store")
    parser.add_argument("-k", type=int, required=True, help="number of disjoint copies")
    parser.add_argument("-o", "--output", type=Path, required=True, help="N-Quads file to write")
    parser.add_argument("--keep-derived", action="store_true", help="copy the inferred and findings graphs too")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        quads = replicate(args.source, args.k, args.output, keep_derived=args.keep_derived)
    except (OSError, ReplicateError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {quads} quads ({args.k} copies) to {args.output} in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
