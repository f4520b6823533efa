"""Benchmarks: import, check and point-query rates on each store backend, side by side in one run.

Run:  python benchmarks/bench_backends.py --copies 20 [--backends embedded,oxigraph-server,virtuoso]

The data is K disjoint copies of the seed store (``quyhoach.graph.replicate``): the bundled corpus
is loaded into a temporary embedded store, exported as N-Quads and replicated. Each backend gets
a fresh store (engines are started on free ports with their data in a temporary directory) and
runs, through the one store interface (:class:`quyhoach.graph.store.KnowledgeStore`):

- import: ``import_file`` of the N-Quads file (quads per second);
- check: every named check of the library, without SHACL (``run_checks(shacl=False)``), seconds;
- point query: ``SELECT ?p ?o WHERE { <s> ?p ?o }`` for 300 subjects drawn from the data
  (queries per second, one client, sequential).

The embedded store is the anchor; the table prints one row per backend.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from quyhoach.graph.checks import run_checks
from quyhoach.graph.engines import start_oxigraph, start_virtuoso
from quyhoach.graph.export import export
from quyhoach.graph.replicate import replicate
from quyhoach.graph.store import KnowledgeStore
from quyhoach.loading import LoadReport, bundled_corpus, load_documents, load_ontology, load_reference


def build_data(work: Path, copies: int) -> tuple[Path, int]:
    """An N-Quads file with ``copies`` disjoint copies of the seed store; its path and quad count."""
    seed = work / "seed.nq"
    with KnowledgeStore(work / "seed") as store:
        report = LoadReport()
        load_ontology(store, report)
        load_reference(store, report)
        load_documents(store, [bundled_corpus()], report)
        export(store, "nquads", seed)
    out = work / f"copies-{copies}.nq"
    return out, replicate(seed, copies, out)


def _subjects(store: KnowledgeStore, n: int) -> list[str]:
    rows = store.query(
        "SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s a ?t } FILTER(isIRI(?s)) } LIMIT 20000"
    )
    found = [r["s"].value for r in rows]
    random.Random(7).shuffle(found)
    return found[:n]


def run_backend(name: str, work: Path, data: Path, check: bool = True) -> dict[str, float]:
    """Import, check and point-query figures for one backend."""
    engine = None
    if name == "embedded":
        spec = str(work / f"{name}-store")
    elif name == "oxigraph-server":
        engine = start_oxigraph(work / f"{name}-db", timeout_s=3600)
        spec = engine.url
    else:
        engine = start_virtuoso(work / f"{name}-db", timeout_s=3600, buffers=120_000)
        spec = engine.url
    try:
        with KnowledgeStore(spec) as store:
            start = time.perf_counter()
            quads = store.import_file(data)
            import_s = time.perf_counter() - start
            start = time.perf_counter()
            findings = len(run_checks(store, shacl=False).findings) if check else -1
            check_s = time.perf_counter() - start if check else float("nan")
            subjects = _subjects(store, 300)
            start = time.perf_counter()
            for s in subjects:
                list(store.query(f"SELECT ?p ?o WHERE {{ <{s}> ?p ?o }}", use_default_graph_as_union=True))
            point_s = time.perf_counter() - start
        return {
            "quads": quads,
            "import_s": import_s,
            "import_rate": quads / import_s,
            "check_s": check_s,
            "findings": findings,
            "point_qps": len(subjects) / point_s,
        }
    finally:
        if engine is not None:
            engine.stop()


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=20, help="disjoint copies of the seed store (20: ~1 M quads)")
    parser.add_argument("--backends", default="embedded,oxigraph-server,virtuoso")
    parser.add_argument("--no-check", action="store_true", help="skip the check step (import and point queries only)")
    parser.add_argument("--work", type=Path, default=None, help="working directory (default: a temporary one)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="quyhoach-bench-", dir=args.work) as tmp:
        work = Path(tmp)
        data, total = build_data(work, args.copies)
        print(f"data: {total} quads ({args.copies} copies of the seed store)", flush=True)
        print("| backend | quads | import (quads/s) | check, no SHACL (s) | findings | point queries (q/s) |")
        print("|---|---:|---:|---:|---:|---:|", flush=True)
        for name in args.backends.split(","):
            r = run_backend(name, work, data, check=not args.no_check)
            print(f"| {name} | {r['quads']:,} | {r['import_rate']:,.0f} | {r['check_s']:.1f} | {r['findings']} "
                  f"| {r['point_qps']:,.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
