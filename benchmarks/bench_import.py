"""RDF import against raw ``pyoxigraph.Store.bulk_load`` of the same file, wall clock and CPU time.

    python benchmarks/bench_import.py FILE.nq [--repeat 2]

Each run loads the file into two fresh on-disk stores in this process, alternately: raw
``bulk_load`` and ``KnowledgeStore.import_file`` (strict parse pass + lenient ``bulk_load``). CPU
time (this process, every thread) is what the steps cost on a busy machine; wall clock is what a
user waits. Prints one line per run and the ratios (bulk_load time / import time: 1.0 = as fast).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from quyhoach.graph.store import KnowledgeStore


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _timed(fn) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), _cpu()
    fn()
    return time.perf_counter() - wall, _cpu() - cpu


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)
    fmt = ox.RdfFormat.from_extension(args.file.suffix.lstrip("."))
    work = Path(tempfile.mkdtemp(prefix="qh-import-"))
    try:
        for run in range(args.repeat):
            raw_dir, store_dir = work / f"raw{run}", work / f"store{run}"

            def raw(raw_dir=raw_dir) -> None:
                store = ox.Store(str(raw_dir))
                store.bulk_load(path=str(args.file), format=fmt)
                store.flush()

            def imported(store_dir=store_dir) -> None:
                with KnowledgeStore(store_dir) as store:
                    store.import_file(args.file)

            rw, rc = _timed(raw)
            iw, ic = _timed(imported)
            print(f"run {run + 1}: bulk_load {rw:.1f} s wall {rc:.1f} s CPU | import {iw:.1f} s wall {ic:.1f} s CPU"
                  f" | ratio wall {rw / iw:.2f} CPU {rc / ic:.2f}", flush=True)
            shutil.rmtree(raw_dir)
            shutil.rmtree(store_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
